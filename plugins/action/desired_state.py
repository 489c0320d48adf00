# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.desired_state (see plugins/plugin_utils/_change.py for the flow).

The desired state is planned at once by ``desired.plan_state``; the connection guard is judged on
the state the plan ends in and on the state after each of its operations.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.desired import STATE_SECTIONS, plan_state
from ansible_collections.winnet.routing.plugins.modules.desired_state import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction, fail


def _given(value):
    """The value without the options the task left out (None), at every level."""
    if isinstance(value, dict):
        return {key: _given(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_given(item) for item in value]
    return value


class ActionModule(ChangeAction):
    """Loopback adapters, interface settings, addresses, routes and firewall rules, as one plan."""

    DOCUMENTATION = DOCUMENTATION

    def operations(self, host, args, task_vars, result):
        for entry in args.get('interfaces') or []:
            metric = entry.get('metric')
            if isinstance(metric, str) and metric.strip().isdigit():
                entry['metric'] = int(metric.strip())   # a templated number arrives as text
        return plan_state(host, {option: _given(args[option]) for option in STATE_SECTIONS if args.get(option) is not None})

    def _check_guard(self, host, predicted, ops, args, task_vars, live, learned, result):
        """The guard of the base class on the end state, then on the state after each operation
        (the first cut found refuses the plan, naming the operation)."""
        super()._check_guard(host, predicted, ops, args, task_vars, live, learned, result)
        guard = result['guard']
        guard['steps'] = 0
        if not ops or not guard.get('evaluated') or guard.get('cut') or args['allow_connection_loss']:
            return
        state = host
        for index, op in enumerate(ops[:-1]):
            state = apply(state, [op])
            verdict = self._guard(host, state, task_vars, live, learned)
            guard['steps'] += 1
            if verdict.get('cut'):
                guard.update(cut=True, cut_at=index, reason='after operations[%d] (%s), on the way: %s' % (index, op['op'], verdict['reason']))
                raise fail('%s: refusing to apply the plan: it would cut the controller off the host on the way, %s. The plan ends in '
                           'a state the controller reaches, but its operations run one after the other. Order the change so that the '
                           'path is never cut (add the new route before removing the old one), or set allow_connection_loss: true to '
                           'apply it anyway.' % (task_vars.get('inventory_hostname', 'the host'), guard['reason']),
                           guard=guard, operations=ops, changed=False)
