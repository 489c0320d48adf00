# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.net_info.

On a snapshot host (one with ``winnet_snapshot``) the snapshot file is read on the controller
and the host is never contacted: a HostState JSON file, a bundle file written by Export-WinnetBundle,
or an export of the host (``ConvertTo-Json`` output of the NetTCPIP cmdlets, ``route print`` text),
told apart by its content. Otherwise the PowerShell module returns the raw reads in one round trip and
they are normalised here (plugins/module_utils/bundle.py, through plugins/plugin_utils/_state.py).
Either way the state goes through the schema v1 loader before it is returned, and becomes the fact
winnet_state. Outside check mode it is the host's actual state, so the fact winnet_state_actual (which
a check-mode prediction sets) is cleared; in check mode that fact is left as it is: nothing has
really changed since it was set.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.winnet.routing.plugins.module_utils.bundle import connection_report, probe_answers
from ansible_collections.winnet.routing.plugins.module_utils.guard import connection_ports, learn_controller
from ansible_collections.winnet.routing.plugins.module_utils.netutil import AddressSyntaxError, parse_address
from ansible_collections.winnet.routing.plugins.modules.net_info import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._argspec import argument_spec
from ansible_collections.winnet.routing.plugins.plugin_utils._state import (
    ACTUAL_FACT,
    CONNECTION_FACT,
    FACT_NAME,
    ROUND_TRIPS_FACT,
    SNAPSHOT_VAR,
    gathered_state,
    load_snapshot,
    round_trips_after,
    snapshot_of,
)

# connection_ports is given by the changing modules' own gather (the port their connection uses).
ARGUMENT_SPEC = argument_spec(DOCUMENTATION, hidden=('connection_ports',))


def check_probes(probes):
    """Reject probe addresses that are not IP addresses before anything runs."""
    for i, probe in enumerate(probes):
        for key in ('destination', 'source'):
            value = probe.get(key)
            if value is None:
                continue
            try:
                parse_address(value)
            except AddressSyntaxError as exc:
                raise AnsibleActionFail('probes[%d].%s: %s' % (i, key, exc))


class ActionModule(ActionBase):
    """Gather the HostState of a Windows host, or read it from the host's snapshot file."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp

        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        probes = args.get('probes') or []
        check_probes(probes)

        snapshot = task_vars.get(SNAPSHOT_VAR)
        if snapshot is not None:
            snapshot = self._templar.template(snapshot)
        path = snapshot_of(snapshot, task_vars.get('inventory_dir'), task_vars.get('playbook_dir'))
        if path is not None:
            state = load_snapshot(path)
            answered = [self._unanswered(probe, 'snapshot host: Find-NetRoute runs only on a live host') for probe in probes]
            result.update(changed=False, state=state, probes=answered, snapshot=path,
                          ansible_facts=self._facts(state, task_vars))
            return result

        module_args = {'probes': probes} if probes else {}
        # The port this connection uses, so that the controller learned from the gather is this one
        # (the changing modules later in the play use it for their connection guard).
        port = task_vars.get('ansible_port')
        module_args['connection_ports'] = connection_ports(task_vars.get('ansible_connection'),
                                                           self._templar.template(port) if port is not None else None)
        gathered = self._execute_module(module_name='winnet.routing.net_info', module_args=module_args, task_vars=task_vars)
        if gathered.get('failed'):
            result.update(gathered)
            return result
        state = gathered_state(gathered, 'net_info result from %s' % task_vars.get('inventory_hostname', 'the host'))
        facts = self._facts(state, task_vars)
        if isinstance(gathered.get('connection'), dict):
            # For the connection guard of the changing modules later in the play.
            connection = connection_report(gathered['connection'])
            facts[CONNECTION_FACT] = learn_controller(connection)
            result['connection'] = connection
        result.update(changed=False, state=state, probes=probe_answers(gathered.get('probes')), ansible_facts=facts)
        return result

    def _facts(self, state, task_vars):
        facts = {FACT_NAME: state, ROUND_TRIPS_FACT: round_trips_after(task_vars, 1)}
        if not self._task.check_mode:
            facts[ACTUAL_FACT] = None
        return facts

    @staticmethod
    def _unanswered(probe, reason):
        return {
            'destination': probe['destination'],
            'requested_source': probe.get('source'),
            'answered': False,
            'error': reason,
            'source': None,
            'interface': None,
            'interface_alias': None,
            'route': None,
        }
