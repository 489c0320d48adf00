# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module diff: the objects that differ between two states, keyed by the modules' option names.

``diff(before, after, scope=None)`` lists, per scope, the loopback adapters, interface settings,
addresses, routes and firewall rules that differ, sorted by identity. Check mode and a real run
compute it from the same two states, so they report the same diff.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import (
    BINDINGS_KEY,
    FIREWALL_FIELDS,
    FIREWALL_KEY,
    NETBIOS_KEY,
    address_sort_key,
    route_sort_key,
)
from ansible_collections.winnet.routing.plugins.module_utils.netutil import FAMILY_NAME, V4, V6
from ansible_collections.winnet.routing.plugins.module_utils.planner import INTERFACE_FLAGS

DIFF_SCOPES = ('loopback_adapters', 'interfaces', 'addresses', 'routes', FIREWALL_KEY)


def _diff_items(state):
    """scope -> {identity key: item keyed by option names} for one state."""
    items = {scope: {} for scope in DIFF_SCOPES}
    for iface in state.interfaces:
        if iface.kind == 'loopback_adapter':
            items['loopback_adapters'][(iface.index,)] = {'name': iface.alias, 'interface': iface.index}
        for fam in (V4, V6):
            settings = iface.settings(fam)
            if settings is None:
                continue
            item = {'interface': iface.index, 'family': FAMILY_NAME[fam], 'metric': 'automatic' if settings.automatic_metric else settings.metric}
            for flag in INTERFACE_FLAGS + ('dhcp',):
                item[flag] = getattr(settings, flag)
            item['register_dns'] = iface.register_dns
            for key in (BINDINGS_KEY, NETBIOS_KEY):
                if iface.extra.get(key) is not None:
                    item[key] = iface.extra[key]
            items['interfaces'][(iface.index, fam)] = item
    for addr in state.addresses:
        items['addresses'][address_sort_key(addr)] = {'interface': addr.interface, 'address': '%s/%d' % (addr.address, addr.prefix_length),
                                                      'skip_as_source': addr.skip_as_source}
    for route in state.routes:
        items['routes'][route_sort_key(route)] = {'destination': route.destination, 'next_hop': route.next_hop, 'interface': route.interface,
                                                  'metric': route.route_metric, 'store': route.store}
    for rule in state.extra.get(FIREWALL_KEY) or []:
        if isinstance(rule, dict) and isinstance(rule.get('name'), str):
            items[FIREWALL_KEY][(rule['name'],)] = {k: rule.get(k) for k in FIREWALL_FIELDS}
    return items


def diff(before, after, scope=None):
    """``{'before': {...}, 'after': {...}}``: per scope, the objects that differ, sorted by identity.

    ``scope`` is a list of ``loopback_adapters``, ``interfaces``, ``addresses``, ``routes``,
    ``firewall_rules`` (default: all). Objects are keyed by the modules' option names; an
    interface's ``metric`` is ``automatic`` while the automatic metric is on.
    """
    scope = list(DIFF_SCOPES) if scope is None else ([scope] if isinstance(scope, str) else scope)
    for i, part in enumerate(scope):
        if part not in DIFF_SCOPES:
            raise ArgumentError('scope[%d]' % i, '%r is not one of %s' % (part, ', '.join(DIFF_SCOPES)))
    old, new = _diff_items(before), _diff_items(after)
    result = {'before': {}, 'after': {}}
    for part in scope:
        keys = sorted(k for k in set(old[part]) | set(new[part]) if old[part].get(k) != new[part].get(k))
        result['before'][part] = [old[part][k] for k in keys if k in old[part]]
        result['after'][part] = [new[part][k] for k in keys if k in new[part]]
    return result
