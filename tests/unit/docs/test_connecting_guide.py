# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventories of the guide "Connecting to Windows hosts" work as printed.

Every YAML inventory in ``docs/docsite/rst/guide_connecting.rst`` (a ``.. code-block:: yaml``
that starts with ``all:``) and ``examples/inventory/live.yml`` is read by
``ansible-inventory --list`` with the YAML inventory plugin only and unparsed sources treated as
failures, so a broken example fails the gate. The hosts and variables it reports are then held
against what the ``winrm`` connection and ``pywinrm`` accept: variable names the connection
passes on (a misspelt ``ansible_winrm_*`` is silently ignored by Ansible), transports, the
certificate validation and message encryption modes, and the rules the guide states.
"""

from __future__ import annotations

import concurrent.futures
import functools
import inspect
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_connecting.rst')
TEMPLATE = os.path.join(ROOT, 'examples', 'inventory', 'live.yml')

# Every way of connecting the guide documents: (ansible_connection, ansible_winrm_transport).
METHODS = {('winrm', 'ntlm'), ('winrm', 'kerberos'), ('winrm', 'credssp'), ('winrm', 'certificate'), ('ssh', None)}


def yaml_blocks(path):
    """``(line, text)`` of each ``.. code-block:: yaml`` of an rst file, dedented."""
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        if re.match(r'^\s*\.\. code-block:: yaml\s*$', lines[index]):
            directive_indent = len(lines[index]) - len(lines[index].lstrip())
            start = index + 1
            body = []
            index += 1
            while index < len(lines):
                line = lines[index]
                if line.strip() and len(line) - len(line.lstrip()) <= directive_indent:
                    break
                body.append(line)
                index += 1
            while body and not body[-1].strip():
                body.pop()
            content = [line for line in body if line.strip()]
            indent = min(len(line) - len(line.lstrip()) for line in content) if content else 0
            blocks.append((start + 1, '\n'.join(line[indent:] for line in body).strip('\n') + '\n'))
            continue
        index += 1
    return blocks


def guide_inventories():
    """``(id, text)`` of each inventory of the guide: a YAML block that starts with ``all:``
    (told apart without parsing it, so that a block that does not parse is checked, and fails)."""
    found = []
    for line, text in yaml_blocks(GUIDE):
        content = [row for row in text.splitlines() if row.strip() and not row.lstrip().startswith('#') and row.strip() != '---']
        if content and re.match(r'^all:\s*$', content[0]):
            found.append(('guide_connecting.rst:%d' % line, text))
    return found


def yaml_hosts(group):
    """Host names of a YAML inventory group and its children, read from the YAML itself."""
    hosts = set()
    if not isinstance(group, dict):
        return hosts
    hosts.update((group.get('hosts') or {}).keys())
    for child in (group.get('children') or {}).values():
        hosts |= yaml_hosts(child)
    return hosts


def ansible_inventory():
    """The ansible-inventory beside this Python (the venv's), else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
    return beside if os.path.exists(beside) else shutil.which('ansible-inventory')


def inventory_list(path):
    """``(returncode, stdout, stderr)`` of ``ansible-inventory -i PATH --list`` with the YAML plugin only."""
    env = dict(os.environ)
    env.update(ANSIBLE_INVENTORY_ENABLED='yaml', ANSIBLE_INVENTORY_UNPARSED_FAILED='true',
               ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED='true', ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false')
    proc = subprocess.run([ansible_inventory(), '-i', path, '--list'], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def winrm_variables():
    """The ``ansible_winrm_*`` names the winrm connection uses: its own options' variables and
    the ``winrm.protocol.Protocol`` arguments it passes through (any other is ignored)."""
    from ansible.plugins.connection import winrm as connection  # pylint: disable=import-outside-toplevel
    from winrm.protocol import Protocol  # pylint: disable=import-outside-toplevel
    options = yaml.safe_load(connection.DOCUMENTATION)['options']
    names = {var['name'] for option in options.values() for var in option.get('vars', [])}
    names |= {'ansible_winrm_' + arg for arg in inspect.getfullargspec(Protocol.__init__).args if arg != 'self'}
    return {name for name in names if name.startswith('ansible_winrm_')}


def transports():
    """The transports the installed pywinrm supports."""
    import winrm  # pylint: disable=import-outside-toplevel
    return set(winrm.FEATURE_SUPPORTED_AUTHTYPES)


def is_address(value):
    """True for an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def host_problems(name, hostvars, known, supported):
    """What is wrong with one host's variables, as messages naming the host and the variable."""
    problems = []
    connection = hostvars.get('ansible_connection')
    if connection not in ('winrm', 'ssh'):
        return ['%s: ansible_connection %r is neither winrm nor ssh' % (name, connection)]
    if connection == 'ssh':
        if hostvars.get('ansible_shell_type') != 'powershell':
            problems.append('%s: an OpenSSH host needs ansible_shell_type: powershell' % name)
        problems.extend('%s: %s is a WinRM variable on an OpenSSH host' % (name, var) for var in sorted(hostvars)
                        if var.startswith('ansible_winrm_'))
        return problems
    for var in sorted(hostvars):
        if var.startswith('ansible_winrm_') and var not in known:
            problems.append('%s: %s is not a variable of the winrm connection or pywinrm (it would be ignored)' % (name, var))
    port = hostvars.get('ansible_port', 5986)
    if not isinstance(port, int):
        problems.append('%s: ansible_port %r is not an integer' % (name, port))
    scheme = hostvars.get('ansible_winrm_scheme') or ('http' if port == 5985 else 'https')
    if scheme not in ('http', 'https'):
        problems.append('%s: ansible_winrm_scheme %r is neither http nor https' % (name, scheme))
    if (port, scheme) in ((5985, 'https'), (5986, 'http')):
        problems.append('%s: port %s is the %s listener but the scheme is %s' % (name, port, 'HTTP' if port == 5985 else 'HTTPS', scheme))
    transport = hostvars.get('ansible_winrm_transport')
    if transport is None:
        problems.append('%s: no ansible_winrm_transport (the connection would guess one from the user name)' % name)
    chosen = transport if isinstance(transport, list) else [item.strip() for item in str(transport or '').split(',') if item.strip()]
    for item in chosen:
        if item not in supported:
            problems.append('%s: ansible_winrm_transport %r is not one of %s' % (name, item, ', '.join(sorted(supported))))
    validation = hostvars.get('ansible_winrm_server_cert_validation', 'validate')
    if validation not in ('validate', 'ignore'):
        problems.append('%s: ansible_winrm_server_cert_validation %r is neither validate nor ignore' % (name, validation))
    encryption = hostvars.get('ansible_winrm_message_encryption', 'auto')
    if encryption not in ('auto', 'always', 'never'):
        problems.append('%s: ansible_winrm_message_encryption %r is not auto, always or never' % (name, encryption))
    if 'certificate' in chosen:
        if scheme != 'https':
            problems.append('%s: certificate authentication needs https' % name)
        problems.extend('%s: certificate authentication needs %s' % (name, var)
                        for var in ('ansible_winrm_cert_pem', 'ansible_winrm_cert_key_pem') if not hostvars.get(var))
    elif not hostvars.get('ansible_user'):
        problems.append('%s: %s authentication needs ansible_user' % (name, '/'.join(map(str, chosen))))
    if scheme == 'http' and encryption == 'never':
        problems.append('%s: unencrypted messages on the HTTP listener' % name)
    if scheme == 'http' and not set(chosen) & {'ntlm', 'kerberos', 'credssp'}:
        problems.append('%s: only ntlm, kerberos and credssp encrypt messages on the HTTP listener' % name)
    if scheme == 'https' and validation == 'validate' and is_address(hostvars.get('ansible_host', name)):
        problems.append('%s: certificate validation by address (the guide connects by the DNS name on the certificate)' % name)
    return problems


def check_inventory(path, listed_output=None):
    """``(hostvars by host, problems)`` for one inventory file (``listed_output``: its
    ``inventory_list`` result when it was already run)."""
    code, output, errors = listed_output or inventory_list(path)
    if code != 0:
        return {}, ['ansible-inventory exited %d: %s' % (code, (output + errors).strip()[-600:])]
    with open(path, encoding='utf-8') as handle:
        expected = yaml_hosts((yaml.safe_load(handle) or {}).get('all'))
    listed = json.loads(output)
    hostvars = listed['_meta']['hostvars']
    problems = []
    if set(hostvars) != expected or not expected:
        problems.append('ansible-inventory lists hosts %s, the YAML holds %s' % (sorted(hostvars), sorted(expected)))
    known, supported = winrm_variables(), transports()
    for name in sorted(hostvars):
        problems.extend(host_problems(name, hostvars[name], known, supported))
    return hostvars, problems


EXAMPLES = guide_inventories()

BROKEN = [
    # Broken YAML: ansible-inventory itself refuses it.
    ('all:\n  hosts:\n    win01.example.com:\n      ansible_connection: winrm\n     ansible_user: x\n', 'ansible-inventory exited'),
    # The classic misspelling, silently ignored by Ansible.
    ('all:\n  hosts:\n    win01.example.com:\n      ansible_connection: winrm\n      ansible_user: x\n'
     '      ansible_winrm_transport: ntlm\n      ansible_winrm_cert_validation: ignore\n', 'ansible_winrm_cert_validation is not a variable'),
    ('all:\n  hosts:\n    win01.example.com:\n      ansible_connection: winrm\n      ansible_user: x\n'
     '      ansible_winrm_transport: negotiate\n', "ansible_winrm_transport 'negotiate' is not one of"),
    ('all:\n  hosts:\n    win01.example.com:\n      ansible_connection: winrm\n      ansible_winrm_transport: certificate\n'
     '      ansible_port: 5985\n', 'certificate authentication needs https'),
    ('all:\n  hosts:\n    win01.example.com:\n      ansible_connection: ssh\n      ansible_user: x\n', 'ansible_shell_type: powershell'),
    ('all:\n  hosts:\n    win01.example.com:\n      ansible_connection: winrm\n      ansible_user: x\n'
     '      ansible_winrm_transport: ntlm\n      ansible_host: 192.0.2.21\n', 'certificate validation by address'),
]


@functools.lru_cache(maxsize=None)
def listed():
    """Every inventory this module checks, each run through ansible-inventory once (in parallel,
    since each run is mostly Ansible's start-up): ``{path: inventory_list(path)}``."""
    directory = tempfile.mkdtemp(prefix='winnet-inventories-')
    paths = [TEMPLATE]
    for index, text in enumerate([text for _example, text in EXAMPLES] + [text for text, _problem in BROKEN]):
        path = os.path.join(directory, '%02d.yml' % index)
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)
        paths.append(path)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(paths, pool.map(inventory_list, paths)))


def checked(index=None, template=False):
    """``check_inventory`` of the template, or of the example or broken case at ``index``."""
    results = listed()
    path = TEMPLATE if template else sorted(path for path in results if path != TEMPLATE)[index]
    return check_inventory(path, results[path])


def test_the_guide_has_an_inventory_for_every_method():
    methods = set()
    for _example, text in EXAMPLES:
        for group in [(yaml.safe_load(text) or {}).get('all') or {}]:
            stack = [group]
            inherited = [{}]
            while stack:
                current, above = stack.pop(), inherited.pop()
                merged = dict(above, **(current.get('vars') or {}))
                for host in (current.get('hosts') or {}).values():
                    hostvars = dict(merged, **(host or {}))
                    transport = hostvars.get('ansible_winrm_transport') if hostvars.get('ansible_connection') == 'winrm' else None
                    methods.add((hostvars.get('ansible_connection'), transport))
                for child in (current.get('children') or {}).values():
                    stack.append(child or {})
                    inherited.append(merged)
    assert METHODS <= methods, 'missing: %s' % sorted(METHODS - methods, key=str)


@pytest.mark.parametrize('index', range(len(EXAMPLES)), ids=[example for example, _text in EXAMPLES])
def test_guide_inventory(index):
    _hostvars, problems = checked(index)
    assert problems == []


def test_template_inventory():
    hostvars, problems = checked(template=True)
    assert problems == []
    assert {host['ansible_winrm_transport'] for host in hostvars.values()} == {'ntlm'}


@pytest.mark.parametrize('index', range(len(BROKEN)), ids=[problem for _text, problem in BROKEN])
def test_the_check_fails_on_broken_examples(index):
    _hostvars, problems = checked(len(EXAMPLES) + index)
    assert any(BROKEN[index][1] in item for item in problems), problems


def test_requirement_files_pin_the_extras_of_the_same_pywinrm():
    def requirements(name):
        with open(os.path.join(ROOT, name), encoding='utf-8') as handle:
            return [line.strip() for line in handle if line.strip() and not line.startswith('#')]

    base = requirements('requirements.txt')
    pywinrm = [line for line in base if line.startswith('pywinrm==')]
    assert len(pywinrm) == 1
    version = pywinrm[0].split('==')[1]
    for name, extra, package in (('requirements-kerberos.txt', 'kerberos', 'pykerberos'), ('requirements-credssp.txt', 'credssp', 'requests-credssp')):
        lines = requirements(name)
        assert lines[0] == '-r requirements.txt', name
        assert 'pywinrm[%s]==%s' % (extra, version) in lines, name
        assert any(re.match(r'^%s==\d' % re.escape(package), line) for line in lines), name
        assert all('==' in line for line in lines[1:]), name


def test_ansible_windows_is_declared_for_the_connection_test():
    with open(os.path.join(ROOT, 'requirements.yml'), encoding='utf-8') as handle:
        collections = yaml.safe_load(handle)['collections']
    assert [item['name'] for item in collections] == ['ansible.windows']
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        assert not yaml.safe_load(handle).get('dependencies')
