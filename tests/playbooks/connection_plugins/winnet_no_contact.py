# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: winnet_no_contact
short_description: Test connection that fails on any attempt to reach the host
description:
  - Used by the playbook tests of winnet.routing to prove that snapshot hosts are never
    contacted. Loading it costs nothing; connecting, running a command or moving a file fails
    the task with C(contacted).
author:
  - winnet.routing maintainers
"""

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection import ConnectionBase


class Connection(ConnectionBase):
    """Refuse every operation that would reach the host."""

    transport = 'winnet_no_contact'
    has_pipelining = False

    def _refuse(self, what):
        raise AnsibleConnectionFailure('winnet_no_contact: host %s was contacted (%s)' % (self._play_context.remote_addr, what))

    def _connect(self):
        self._refuse('connect')

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self._refuse('exec_command')

    def put_file(self, in_path, out_path):
        self._refuse('put_file')

    def fetch_file(self, in_path, out_path):
        self._refuse('fetch_file')

    def close(self):
        self._connected = False
