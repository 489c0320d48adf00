# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.restore: take a host back to a saved state (see
plugins/plugin_utils/change.py for the flow and plugins/module_utils/restore.py for the plan)."""

from __future__ import annotations

import json
import os

from ansible.errors import AnsibleActionFail

from ansible_collections.winnet.routing.plugins.action.net_info import validate_state
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore
from ansible_collections.winnet.routing.plugins.plugin_utils.change import BASELINE_SCHEMA, ChangeAction

ARGUMENT_SPEC = {
    'baseline': {'type': 'raw', 'required': True},
}
STATE_SCHEMA = 'winnet.routing/v1'


def read_baseline(value, hostname, playbook_dir=None):
    """(state dict, where it came from, the baseline document or None) for the ``baseline`` option."""
    source = 'the baseline option'
    if isinstance(value, str):
        path = os.path.expanduser(value)
        if not os.path.isabs(path) and playbook_dir:
            path = os.path.join(playbook_dir, path)
        try:
            with open(path, encoding='utf-8') as handle:
                value = json.load(handle)
        except OSError as exc:
            raise AnsibleActionFail('baseline: cannot read %s: %s' % (path, exc.strerror or exc)) from None
        except ValueError as exc:
            raise AnsibleActionFail('baseline: %s is not JSON: %s' % (path, exc)) from None
        source = path
    if not isinstance(value, dict):
        raise AnsibleActionFail('baseline: must be the path of a baseline or HostState file, or a state (a mapping), got %s'
                                % type(value).__name__)
    schema = value.get('schema')
    if schema == BASELINE_SCHEMA:
        saved_for = value.get('host')
        if saved_for != hostname:
            raise AnsibleActionFail('baseline: %s was saved for host %r, not for %r' % (source, saved_for, hostname))
        if 'state' not in value:
            raise AnsibleActionFail('baseline: %s has no state' % source)
        return validate_state(value['state'], 'baseline %s' % source), source, value
    if schema == STATE_SCHEMA:
        return validate_state(value, 'baseline %s' % source), source, None
    raise AnsibleActionFail('baseline: %s is neither a baseline (schema %s) nor a HostState (schema %s): schema %r'
                            % (source, BASELINE_SCHEMA, STATE_SCHEMA, schema))


class ActionModule(ChangeAction):
    """Plan the operations from the host's state to the baseline; the base class does the rest."""

    ARGUMENT_SPEC = ARGUMENT_SPEC
    FRESH_STATE = True      # on a live host, restore from the state as it is now, not from a fact

    _restore_vars = None
    _restore = None

    def run(self, tmp=None, task_vars=None):
        self._restore_vars = task_vars or {}
        return super().run(tmp, task_vars)

    def operations(self, host, args):
        task_vars = self._restore_vars or {}
        hostname = task_vars.get('inventory_hostname', 'the host')
        state, source, document = read_baseline(args['baseline'], hostname, task_vars.get('playbook_dir'))
        target = HostState.from_dict(state)
        planned = plan_restore(host, target)
        ops = planned['operations']
        limits = list(planned['limits'])
        complete = True
        created = [index for index, op in enumerate(ops) if op['op'] == 'create_loopback']
        if created and created[-1] + 1 < len(ops):
            # What follows addresses the new adapters by the index the applier predicts; Windows
            # may hand out another one. Create them now, plan the rest on the state gathered after.
            limits.append('%d operation(s) that follow the creation of loopback adapter(s) are left for a second pass (run the '
                          'restore again: the playbook winnet.routing.restore does): they need the index Windows gives the new '
                          'adapter' % (len(ops) - created[-1] - 1))
            ops = ops[:created[-1] + 1]
            complete = False
        self._restore = {'source': source, 'saved_at': (document or {}).get('saved_at'), 'exact': planned['exact'],
                         'complete': complete, 'limits': limits, 'interfaces': planned['interfaces']}
        return ops

    def _run(self, result, args, task_vars):
        result = super()._run(result, args, task_vars)
        result['restore'] = self._restore
        if self._restore and self._restore['limits']:
            result.setdefault('warnings', []).extend('restore: %s' % text for text in self._restore['limits'])
        return result
