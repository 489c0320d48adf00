# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.loopback_adapter (see plugins/plugin_utils/_change.py for the flow)."""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_loopback
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction

ARGUMENT_SPEC = {
    'name': {'type': 'str', 'required': True},
    'interface': {'type': 'raw'},
    'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
}


class ActionModule(ChangeAction):
    """A KM-TEST loopback adapter by name."""

    ARGUMENT_SPEC = ARGUMENT_SPEC
    DIFF_SCOPE = ['loopback_adapters']

    def operations(self, host, args, task_vars, result):
        return plan_loopback(host, args['name'], args['state'], interface=args.get('interface'))
