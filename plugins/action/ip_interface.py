# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.ip_interface (see plugins/plugin_utils/_change.py for the flow)."""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.planner import INTERFACE_FLAGS, plan_interface
from ansible_collections.winnet.routing.plugins.modules.ip_interface import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction


class ActionModule(ChangeAction):
    """Per-interface, per-family settings, and the adapter's DNS registration, bindings and NetBIOS."""

    DOCUMENTATION = DOCUMENTATION
    DIFF_SCOPE = ['interfaces']

    def operations(self, host, args, task_vars, result):
        metric = args.get('metric')
        if isinstance(metric, str) and metric.strip().isdigit():
            metric = int(metric.strip())
        options = {flag: args.get(flag) for flag in INTERFACE_FLAGS + ('register_dns',)}
        return plan_interface(host, args['interface'], family=args['family'], metric=metric, bindings=args.get('bindings'),
                              netbios=args.get('netbios'), **options)
