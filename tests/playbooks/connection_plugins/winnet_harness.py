# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: winnet_harness
short_description: Test connection to a simulated Windows host (the live-path harness)
description:
  - Used by the playbook tests of winnet.routing to run the live path of the collection's modules
    (gather with net_info, apply with net_apply, arm, confirm or miss the automatic rollback) through
    Ansible's real execution path, without a Windows host.
  - Carries each command, as Ansible's PowerShell shell and exec wrapper build it, to the simulated
    host kept in O(harness_dir) (tests/harness/host.py), which checks the payload and answers as a
    Windows host would. The host simulation does not depend on this transport.
  - A host that drops the connection (an injected fault) makes the command fail as an unreachable
    host does.
author:
  - winnet.routing maintainers
options:
  harness_dir:
    description: The directory of the simulated host.
    type: path
    required: true
    vars:
      - name: winnet_harness_dir
  pipelining:
    description:
      - Run modules through the exec wrapper's standard input (as WinRM does). Without it, the
        manifest is copied to the host first and a temporary directory is created for it.
    type: bool
    default: true
    vars:
      - name: ansible_pipelining
"""

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase

from ansible_collections.winnet.routing.tests.harness.host import Dropped, WindowsHost


class Connection(ConnectionBase):
    """A transport to a simulated Windows host."""

    transport = 'winnet_harness'
    module_implementation_preferences = ('.ps1', '.exe', '')
    allow_executable = False
    has_pipelining = True
    allow_extras = True

    def __init__(self, *args, **kwargs):
        self.always_pipeline_modules = False
        self.has_native_async = False
        self._shell_type = 'powershell'
        self._host = None
        super().__init__(*args, **kwargs)

    def _connect(self):
        if not self._connected:
            self._host = WindowsHost(self.get_option('harness_dir'))
            try:
                self._host.connect()
            except Dropped as exc:
                raise AnsibleConnectionFailure('winnet_harness: cannot connect to %s: %s' % (self._play_context.remote_addr, exc)) from None
            self._connected = True
        return self

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        answer = self._host.execute(to_text(cmd), to_bytes(in_data) if in_data is not None else None)
        if answer.drop:
            self._connected = False
            raise AnsibleConnectionFailure('winnet_harness: the connection to %s was lost: %s' % (self._play_context.remote_addr, answer.drop))
        return answer.rc, answer.stdout, answer.stderr

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        with open(in_path, 'rb') as handle:
            self._host.put_file(handle.read(), out_path)

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        with open(out_path, 'wb') as handle:
            handle.write(self._host.fetch_file(in_path))

    def reset(self):
        """A new connection (the changing modules reconnect before they confirm a change)."""
        self.close()
        self._connect()

    def close(self):
        self._connected = False
