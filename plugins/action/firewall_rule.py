# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.firewall_rule (see plugins/plugin_utils/_change.py for the flow)."""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_firewall
from ansible_collections.winnet.routing.plugins.modules.firewall_rule import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction


class ActionModule(ChangeAction):
    """Inbound allow rules by name."""

    DOCUMENTATION = DOCUMENTATION
    DIFF_SCOPE = ['firewall_rules']

    def operations(self, host, args, task_vars, result):
        rules = [{key: value for key, value in rule.items() if value is not None} for rule in args['rules']]
        return plan_firewall(host, rules, args['state'])
