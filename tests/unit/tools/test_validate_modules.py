"""validate-modules, run through the gate's pwsh stand-in, compares PowerShell specs with their docs.

A throwaway collection holds three PowerShell modules: one whose docs match its spec, one whose
docs disagree with its spec, and one whose spec is not a static literal. ansible-test must pass
the first and report the other two.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

NAMESPACE = 'gatecheck'
NAME = 'vm'

MODULE_PS1 = """#!powershell

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
%s
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.ExitJson()
"""

MODULE_DOC = '''#!/usr/bin/python
# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: %(name)s
short_description: Check module %(name)s
description:
  - A module that only exists to test the gate.
options:
%(options)s
attributes:
  check_mode:
    support: full
    description: Can run in check mode.
  platform:
    support: full
    platforms: windows
    description: Target OS/families that can be operated against.
author:
  - Gate Check (@gatecheck)
"""

EXAMPLES = r"""
- name: Run it
  %(namespace)s.%(collection)s.%(name)s:
    name: web
"""

RETURN = r"""
"""
'''

GOOD_OPTIONS_PS = """        name = @{ type = 'str'; required = $true }
        state = @{ type = 'str'; choices = 'present', 'absent'; default = 'present' }"""
GOOD_OPTIONS_DOC = """  name:
    description: A name.
    type: str
    required: true
  state:
    description: Whether it is there.
    type: str
    choices: [present, absent]
    default: present"""
# The doc says "state" defaults to "absent" and omits "metric"; the spec says otherwise.
BAD_OPTIONS_PS = GOOD_OPTIONS_PS + """
        metric = @{ type = 'int' }"""
BAD_OPTIONS_DOC = GOOD_OPTIONS_DOC.replace('default: present', 'default: absent')
DYNAMIC_OPTIONS_PS = """        name = @{ type = 'str'; required = $true; default = $env:COMPUTERNAME }"""


def write(path, content):
    """Write a file, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding='utf-8')


def make_collection(root):
    """The throwaway collection; returns its directory."""
    collection = root / 'ansible_collections' / NAMESPACE / NAME
    write(collection / 'galaxy.yml', textwrap.dedent("""\
        namespace: %s
        name: %s
        version: 1.0.0
        readme: README.md
        authors: [Gate Check (@gatecheck)]
        """ % (NAMESPACE, NAME)))
    write(collection / 'README.md', '# gate check\n')
    write(collection / 'meta' / 'runtime.yml', 'requires_ansible: ">=2.16.0"\n')
    modules = {
        'good_mod': (GOOD_OPTIONS_PS, GOOD_OPTIONS_DOC),
        'bad_mod': (BAD_OPTIONS_PS, BAD_OPTIONS_DOC),
        'dynamic_mod': (DYNAMIC_OPTIONS_PS, GOOD_OPTIONS_DOC.split('  state:', maxsplit=1)[0].rstrip()),
    }
    for name, (options_ps, options_doc) in modules.items():
        write(collection / 'plugins' / 'modules' / (name + '.ps1'), MODULE_PS1 % options_ps)
        write(collection / 'plugins' / 'modules' / (name + '.py'),
              MODULE_DOC % {'name': name, 'options': options_doc, 'namespace': NAMESPACE, 'collection': NAME})
    return collection


@pytest.fixture(scope='module')
def validate_modules_output(gate, tmp_path_factory):
    """Run ansible-test sanity --test validate-modules over the throwaway collection once."""
    ansible_test = os.path.join(os.path.dirname(sys.executable), 'ansible-test')
    if not os.path.exists(ansible_test):
        pytest.skip('ansible-test is not installed beside %s' % sys.executable)
    root = tmp_path_factory.mktemp('vm')
    collection = make_collection(root)
    gate.ensure_get_pip_standin()
    bin_dir = gate.write_pwsh_standin(str(root / 'bin'))
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join([bin_dir, os.path.dirname(sys.executable), env.get('PATH', '')])
    env.pop('PYTHONPATH', None)
    command = [ansible_test, 'sanity', '--test', 'validate-modules', '--venv', '--python', '%d.%d' % sys.version_info[:2], '--color', 'no', '--lint']
    proc = subprocess.run(command, cwd=str(collection), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def errors_for(output, module):
    """validate-modules problems reported for one module."""
    prefix = 'plugins/modules/%s.' % module
    return [line for line in output.splitlines() if line.startswith(prefix)]


def test_validate_modules_fails_on_the_bad_modules(validate_modules_output):
    returncode, output = validate_modules_output
    assert returncode != 0, output


def test_matching_docs_pass(validate_modules_output):
    _returncode, output = validate_modules_output
    assert errors_for(output, 'good_mod') == [], output


def test_docs_spec_mismatch_is_reported(validate_modules_output):
    _returncode, output = validate_modules_output
    problems = '\n'.join(errors_for(output, 'bad_mod'))
    assert 'undocumented-parameter' in problems, output
    assert 'doc-default-does-not-match-spec' in problems, output


def test_non_static_spec_is_reported(validate_modules_output):
    _returncode, output = validate_modules_output
    problems = '\n'.join(errors_for(output, 'dynamic_mod'))
    assert problems, output
    assert 'COMPUTERNAME' in problems or 'not a static literal' in problems or 'import-error' in problems, output
