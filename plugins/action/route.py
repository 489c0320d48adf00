# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.route (see plugins/plugin_utils/_change.py for the flow)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_route, plan_routes
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction

ROUTE_FIELDS = ('destination', 'next_hop', 'interface', 'metric', 'store', 'state')
STORE = {'type': 'str', 'choices': ['active', 'persistent', 'both']}
STATE = {'type': 'str', 'choices': ['present', 'absent']}

ARGUMENT_SPEC = {
    'destination': {'type': 'str'},
    'next_hop': {'type': 'str'},
    'interface': {'type': 'raw'},
    'metric': {'type': 'int'},
    'store': STORE,
    'state': STATE,
    'routes': {
        'type': 'list',
        'elements': 'dict',
        'options': {
            'destination': {'type': 'str', 'required': True},
            'next_hop': {'type': 'str'},
            'interface': {'type': 'raw'},
            'metric': {'type': 'int'},
            'store': STORE,
            'state': STATE,
        },
    },
    'purge': {'type': 'bool', 'default': False},
}


def _given(mapping, keys):
    return {key: mapping[key] for key in keys if mapping.get(key) is not None}


class ActionModule(ChangeAction):
    """Routes: one route, or the routes of one interface with purge."""

    ARGUMENT_SPEC = ARGUMENT_SPEC
    MUTUALLY_EXCLUSIVE = (('destination', 'routes'),)
    REQUIRED_ONE_OF = (('destination', 'routes'),)
    DIFF_SCOPE = ['routes']

    def operations(self, host, args, task_vars, result):
        if args.get('routes') is None:
            if args['purge']:
                raise AnsibleActionFail('purge: needs routes (the complete list of routes of the interface), not destination')
            return plan_route(host, **_given(args, ROUTE_FIELDS))
        extra = sorted(key for key in ('next_hop', 'metric', 'store', 'state') if args.get(key) is not None)
        if extra:
            raise AnsibleActionFail('%s: give it for each entry of routes, not beside routes' % extra[0])
        routes = [_given(item, ROUTE_FIELDS) for item in args['routes']]
        return plan_routes(host, routes, args.get('interface'), args['purge'])
