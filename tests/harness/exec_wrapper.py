# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Ansible sends to a Windows host, read back: the command line, the exec wrapper, the manifest.

With ``ansible_shell_type: powershell`` every command is ``PowerShell -NoProfile -NonInteractive
-ExecutionPolicy Unrestricted -EncodedCommand BASE64`` (the script in UTF-16LE). To run a module or
one of Ansible's own helper scripts, the script is Ansible's bootstrap wrapper and its input is a
JSON exec wrapper ``{"name": "exec_wrapper", "script": ..., "params": ...}``, a line of four NUL
characters, and a JSON manifest ``{"scripts": {NAME: {"script": BASE64, "path": ...}}, "actions":
[{"name", "params", "secure_params"}], "signed_hashlist": [...]}``. The first action says what to
run: ``powershell_mkdtemp.ps1`` (a temporary directory), ``module_wrapper.ps1`` (a module, with its
module utils and its arguments in ``complex_args``). Without pipelining, the input is first copied
to the host as a file and the command becomes ``type FILE | PowerShell ...``.

Everything is checked against Ansible's own scripts, so a change in what Ansible sends shows up as
a refused command instead of being answered blindly.
"""

from __future__ import annotations

import base64
import json
import re

from ansible.executor.powershell.module_manifest import _get_powershell_script
from ansible.plugins.loader import shell_loader

SEPARATOR = b'\n\0\0\0\0\n'
COMMON_ARGS = 'PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted'
_ENCODED = re.compile(r'^(?:type (?P<file>\S+) \| )?%s -EncodedCommand (?P<script>[A-Za-z0-9+/=]+)$' % re.escape(COMMON_ARGS))
_REMOVE = re.compile(r"^Remove-Item '(?P<path>[^']+)' -Force(?P<recurse> -Recurse)?;$", re.M)


class Refused(Exception):
    """What was sent is not what Ansible sends to a Windows host."""


def bootstrap_scripts():
    """Ansible's bootstrap wrapper as the PowerShell shell plugin encodes it: as is for a pipelined
    module, and with strict mode and the exit-code trailer for its own helper scripts (mkdtemp)."""
    shell = shell_loader.get('powershell')
    bootstrap = _get_powershell_script('bootstrap_wrapper.ps1').decode('utf-8')
    return {decode_command(shell._encode_script(bootstrap, strict_mode=strict, preserve_rc=strict))['script']  # pylint: disable=protected-access
            for strict in (False, True)}


def decode_command(command):
    """``{'script': text, 'file': path or None}`` of a command line the PowerShell shell plugin built."""
    match = _ENCODED.match(command.strip())
    if not match:
        raise Refused('not a PowerShell -EncodedCommand command line: %s' % command[:120])
    try:
        script = base64.b64decode(match.group('script')).decode('utf-16-le')
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused('the -EncodedCommand is not base64 of UTF-16LE text: %s' % exc) from None
    return {'script': script, 'file': match.group('file')}


def is_bootstrap(script):
    return script in bootstrap_scripts()


def removed_path(script):
    """The path a cleanup script (``Remove-Item 'PATH' -Force -Recurse;``) removes, or None."""
    match = _REMOVE.search(script)
    return match.group('path') if match else None


def read_input(data):
    """(exec wrapper, manifest) of the input of the bootstrap wrapper; raises Refused."""
    if not isinstance(data, bytes) or SEPARATOR not in data:
        raise Refused('the input holds no exec wrapper followed by a line of four NUL characters')
    head, _sep, tail = data.partition(SEPARATOR)
    try:
        wrapper = json.loads(head.decode('utf-8'))
        manifest = json.loads(tail.decode('utf-8'))
    except ValueError as exc:
        raise Refused('the input is not the exec wrapper and manifest JSON: %s' % exc) from None
    if wrapper.get('name') != 'exec_wrapper':
        raise Refused('the bootstrap input names %r, not exec_wrapper' % wrapper.get('name'))
    if wrapper.get('script') != _get_powershell_script('exec_wrapper.ps1').decode('utf-8'):
        raise Refused("the exec wrapper script is not Ansible's exec_wrapper.ps1")
    if not isinstance(manifest.get('actions'), list) or not manifest['actions'] or not isinstance(manifest.get('scripts'), dict):
        raise Refused('the manifest has no actions or no scripts')
    return wrapper, manifest


def script_text(manifest, name):
    """The decoded text of one script of the manifest; raises Refused when it is missing."""
    entry = manifest['scripts'].get(name)
    if not isinstance(entry, dict) or not isinstance(entry.get('script'), str):
        raise Refused('the manifest does not carry the script %s' % name)
    return base64.b64decode(entry['script'])


class ModulePayload:
    """A module_wrapper.ps1 action: which module, its arguments, its utils."""

    def __init__(self, manifest, action):
        params = action.get('params') or {}
        self.script_name = params.get('Script')
        if not isinstance(self.script_name, str) or not self.script_name.endswith('.ps1'):
            raise Refused('module_wrapper.ps1 names no PowerShell module script')
        self.fqcn = self.script_name[:-len('.ps1')]
        self.name = self.fqcn.rsplit('.', 1)[-1]
        self.source = script_text(manifest, self.script_name)
        self.csharp = list(params.get('CSharpModules') or [])
        self.powershell = list(params.get('PowerShellModules') or [])
        self.utils = {name: script_text(manifest, name) for name in self.csharp + self.powershell}
        variables = {item.get('Name'): item.get('Value') for item in params.get('Variables') or [] if isinstance(item, dict)}
        complex_args = variables.get('complex_args')
        if not isinstance(complex_args, dict):
            raise Refused('module_wrapper.ps1 gives the module no complex_args')
        self.internal = {k: v for k, v in complex_args.items() if k.startswith('_ansible_')}
        self.args = {k: v for k, v in complex_args.items() if not k.startswith('_ansible_')}
        self.check_mode = bool(self.internal.get('_ansible_check_mode'))
        self.diff = bool(self.internal.get('_ansible_diff'))
        if not params.get('ForModule'):
            raise Refused('module_wrapper.ps1 is not asked to run a module (ForModule)')


_REQUIRES = re.compile(r'(?im)^#\s*AnsibleRequires\s+-(PowerShell|CSharpUtil)\s+(\S+)')


def required_utils(source):
    """[(kind, name)] of the ``#AnsibleRequires`` lines of a script (kind: PowerShell or CSharpUtil)."""
    text = source.decode('utf-8-sig') if isinstance(source, bytes) else source
    return [(kind.lower(), name) for kind, name in _REQUIRES.findall(text)]


def util_script_name(kind, name):
    """The manifest's script name of a required util: ``<name>.psm1`` or ``<name>.cs``."""
    return '%s.%s' % (name, 'psm1' if kind == 'powershell' else 'cs')


def module_output(result):
    """The module's stdout: its result as JSON, as Ansible.Basic writes it."""
    return json.dumps(result).encode('utf-8')
