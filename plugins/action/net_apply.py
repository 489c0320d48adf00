# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.net_apply: apply a saved plan (see plugins/plugin_utils/_change.py).

The plan is checked against the host's state as it is now (gathered again on a live host): a
state that no longer hashes to the plan's ``base`` is refused, and so is an operation whose
precondition does not hold on the predicted state, before anything runs.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import state_hash
from ansible_collections.winnet.routing.plugins.module_utils.ops import validate_all
from ansible_collections.winnet.routing.plugins.modules.net_apply import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction


class ActionModule(ChangeAction):
    """Apply a saved plan after checking the host still matches its base state."""

    DOCUMENTATION = DOCUMENTATION
    # Set by the plugin for its own calls (the rollback it arms, the confirmation), never by a task.
    HIDDEN_OPTIONS = ('rollback', 'rollback_confirm')
    # The operations' fields are checked by ops.validate_all, whose errors name the path
    # (plan.operations[2].next_hop); the host checks them again with the PowerShell module's own spec.
    OPAQUE_OPTIONS = ('plan.operations',)
    FRESH_STATE = True

    def operations(self, host, args, task_vars, result):
        plan = args['plan']
        ops = validate_all(plan['operations'], 'plan.operations')
        base = plan.get('base')
        if base is not None:
            now = state_hash(host)
            if now != base:
                raise AnsibleActionFail('plan.base: the host has changed since the plan was made (the plan is for state %s, the host is '
                                        'now in state %s); make the plan again' % (base, now))
        return ops
