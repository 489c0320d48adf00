# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.loopback_adapter (see plugins/plugin_utils/_change.py for the flow)."""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_loopback
from ansible_collections.winnet.routing.plugins.modules.loopback_adapter import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction


class ActionModule(ChangeAction):
    """A KM-TEST loopback adapter by name."""

    DOCUMENTATION = DOCUMENTATION
    DIFF_SCOPE = ['loopback_adapters']

    def operations(self, host, args, task_vars, result):
        return plan_loopback(host, args['name'], args['state'], interface=args.get('interface'))
