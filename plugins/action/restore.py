# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.restore: take a host back to a saved state (see
plugins/plugin_utils/_change.py for the flow and plugins/module_utils/restore.py for the plan)."""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore
from ansible_collections.winnet.routing.plugins.modules.restore import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._baseline import BASELINE_DIR_VAR, DEFAULT_BASELINE_DIR, newest_restore_point, read_baseline
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction


class ActionModule(ChangeAction):
    """Plan the operations from the host's state to the baseline; the base class does the rest."""

    DOCUMENTATION = DOCUMENTATION
    FRESH_STATE = True      # on a live host, restore from the state as it is now, not from a fact

    def operations(self, host, args, task_vars, result):
        hostname = task_vars.get('inventory_hostname', 'the host')
        baseline = args.get('baseline')
        if baseline is None:
            directory = self._templar.template(task_vars.get(BASELINE_DIR_VAR) or DEFAULT_BASELINE_DIR)
            baseline = newest_restore_point(directory, hostname)
        state, source, document = read_baseline(baseline, hostname, task_vars.get('playbook_dir'))
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
        result['restore'] = {'source': source, 'saved_at': (document or {}).get('saved_at'),
                             'restore_point': bool((document or {}).get('restore_point')), 'exact': planned['exact'],
                             'complete': complete, 'limits': limits, 'interfaces': planned['interfaces']}
        if limits:
            result.setdefault('warnings', []).extend('restore: %s' % text for text in limits)
        return ops
