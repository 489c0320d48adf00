# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.route (see plugins/plugin_utils/_change.py for the flow)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.winnet.routing.plugins.module_utils.planner import ROUTE_OPTIONS, plan_route, plan_routes
from ansible_collections.winnet.routing.plugins.modules.route import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction


def _given(mapping, keys):
    return {key: mapping[key] for key in keys if mapping.get(key) is not None}


class ActionModule(ChangeAction):
    """Routes: one route, or the routes of one interface with purge."""

    DOCUMENTATION = DOCUMENTATION
    MUTUALLY_EXCLUSIVE = (('destination', 'routes'),)
    REQUIRED_ONE_OF = (('destination', 'routes'),)
    DIFF_SCOPE = ['routes']

    def operations(self, host, args, task_vars, result):
        if args.get('routes') is None:
            if args['purge']:
                raise AnsibleActionFail('purge: needs routes (the complete list of routes of the interface), not destination')
            return plan_route(host, **_given(args, ROUTE_OPTIONS))
        extra = sorted(key for key in ('next_hop', 'metric', 'store', 'state') if args.get(key) is not None)
        if extra:
            raise AnsibleActionFail('%s: give it for each entry of routes, not beside routes' % extra[0])
        routes = [_given(item, ROUTE_OPTIONS) for item in args['routes']]
        return plan_routes(host, routes, args.get('interface'), args['purge'])
