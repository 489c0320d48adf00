# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several modules' settings planned at once, as one consistent plan (a desired state).

``plan(host, desired)`` takes ``desired`` keyed by module name (``loopback_adapter``,
``ip_interface``, ``ip_address``, ``route``, ``firewall_rule``), each a list of that module's
options, and plans every entry with the planner's function for that module, against the state
the operations before it predict (applier). The planner's ordering rule holds across entries:
the removals of every entry first (sections in reverse order), then everything else (sections in
order). Entries that contradict each other (one interface declared twice, a route on an interface
another entry purges, an entry naming an adapter this plan creates) are refused, naming the path.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.checks import join
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.netutil import FAMILY_BY_NAME
from ansible_collections.winnet.routing.plugins.module_utils.planner import (
    CHECK,
    INTERFACE_FLAGS,
    ROUTE_OPTIONS,
    leading_removals,
    plan_addresses,
    plan_firewall,
    plan_interface,
    plan_loopback,
    plan_route,
    plan_routes,
)

SECTIONS = ('loopback_adapter', 'ip_interface', 'ip_address', 'route', 'firewall_rule')


def _plan_entry(host, section, entry, path):
    """Plan one module invocation (``entry``: that module's options)."""
    if section == 'loopback_adapter':
        entry = CHECK.mapping(entry, path, ('name', 'state', 'interface'))
        return plan_loopback(host, entry.get('name'), entry.get('state'), path, entry.get('interface'))
    if section == 'ip_interface':
        entry = CHECK.mapping(entry, path, ('interface', 'family', 'metric') + INTERFACE_FLAGS + ('register_dns', 'bindings', 'netbios'))
        return plan_interface(host, path=path, **entry)
    if section == 'ip_address':
        entry = CHECK.mapping(entry, path, ('interface', 'address', 'skip_as_source', 'addresses', 'state', 'purge'))
        addresses = entry.get('addresses')
        if entry.get('address') is not None:
            if addresses is not None:
                raise ArgumentError(join(path, 'address'), 'give address or addresses, not both')
            addresses = [{'address': entry['address'], 'skip_as_source': entry.get('skip_as_source')}]
        return plan_addresses(host, entry.get('interface'), addresses or [], entry.get('state'), entry.get('purge', False), path)
    if section == 'route':
        entry = CHECK.mapping(entry, path, ROUTE_OPTIONS + ('routes', 'purge'))
        routes = entry.get('routes')
        if entry.get('destination') is not None:
            if routes is not None or entry.get('purge'):
                raise ArgumentError(join(path, 'destination'), 'give destination or routes (with purge), not both')
            return plan_route(host, path, **{k: v for k, v in entry.items() if k in ROUTE_OPTIONS})
        return plan_routes(host, routes or [], entry.get('interface'), entry.get('purge', False), join(path, 'routes'))
    entry = CHECK.mapping(entry, path, ('rules', 'state'))
    return plan_firewall(host, entry.get('rules') or [], entry.get('state'), path)


def _entries(desired, section):
    for i, entry in enumerate(desired.get(section) or []):
        if isinstance(entry, dict):
            yield '%s[%d]' % (section, i), entry


def _check_shapes(host, desired):
    """The options _check_entries compares, checked for type first (so a list where a name belongs
    is an argument error, never a crash)."""
    for path, entry in _entries(desired, 'loopback_adapter'):
        name = entry.get('name')
        if not isinstance(name, str) or not name.strip():
            raise ArgumentError(join(path, 'name'), 'must be a non-empty adapter name, got %r' % (name,))
    for path, entry in _entries(desired, 'ip_interface'):
        if entry.get('interface') is None:
            raise ArgumentError(join(path, 'interface'), 'required option is missing')
        CHECK.choice(entry.get('family'), join(path, 'family'), tuple(FAMILY_BY_NAME), 'ipv4')
    for path, entry in _entries(desired, 'ip_address'):
        if entry.get('interface') is None:
            raise ArgumentError(join(path, 'interface'), 'required option is missing')


def _interface_refs(desired):
    """(path, interface value) of every interface the ip_interface, ip_address and route entries name."""
    for section in ('ip_interface', 'ip_address', 'route'):
        for path, entry in _entries(desired, section):
            if entry.get('interface') is not None:
                yield join(path, 'interface'), entry['interface'], path
            if section == 'route' and isinstance(entry.get('routes'), list):
                for j, route in enumerate(entry['routes']):
                    if isinstance(route, dict) and route.get('interface') is not None:
                        yield '%s.routes[%d].interface' % (path, j), route['interface'], path


def _check_entries(host, desired):
    """Refuse entries that contradict each other or that name an adapter this plan creates."""
    created = {entry.get('name') for _path, entry in _entries(desired, 'loopback_adapter')
               if entry.get('state', 'present') == 'present' and host.interface_by_alias(entry.get('name')) is None}
    for path, value, _entry_path in _interface_refs(desired):
        if isinstance(value, str) and value in created:
            raise ArgumentError(path, '%r is the loopback adapter this plan creates; its index is known only once it exists, '
                                      'so create it first and plan its settings against the new state' % value)
    # ip_interface: one entry per (interface, family); ip_address: one entry per interface.
    claimed = {}
    for section in ('ip_interface', 'ip_address'):
        for path, entry in _entries(desired, section):
            if entry.get('interface') is None:
                continue
            index = host.resolve_interface(entry['interface'], join(path, 'interface')).index
            key = (section, index, entry.get('family') or 'ipv4') if section == 'ip_interface' else (section, index)
            if key in claimed:
                raise ArgumentError(join(path, 'interface'), 'interface %d is already declared in %s; declare it once' % (index, claimed[key]))
            claimed[key] = path
    # route: an interface purged by one entry has all its routes declared in that entry.
    purged = {}
    for path, entry in _entries(desired, 'route'):
        if entry.get('purge') and entry.get('interface') is not None:
            purged[host.resolve_interface(entry['interface'], join(path, 'interface')).index] = path
    for ref_path, value, entry_path in _interface_refs(desired):
        if not ref_path.startswith('route['):
            continue
        index = host.resolve_interface(value, ref_path).index
        if index in purged and purged[index] != entry_path:
            raise ArgumentError(ref_path, 'interface %d is purged by %s; declare its routes there' % (index, purged[index]))


def plan(host, desired):
    """Operations for several modules' settings at once, ordered by the module's ordering rule.

    ``desired`` maps module names to lists of option dictionaries: ``loopback_adapter``,
    ``ip_interface``, ``ip_address``, ``route`` (``routes`` + ``interface`` + ``purge``, or a single
    route), ``firewall_rule`` (``rules`` + ``state``). Each entry is planned against the state the
    operations before it predict (applier), so the plan is consistent: removals of every entry
    first (sections in reverse order), then everything else (sections in order).
    """
    desired = CHECK.mapping(desired, '', SECTIONS) if desired is not None else {}
    for section in SECTIONS:
        if desired.get(section) is not None:
            CHECK.list(desired[section], section)
    _check_shapes(host, desired)
    _check_entries(host, desired)
    ops = []
    current = host
    for section in reversed(SECTIONS):
        for i, entry in enumerate(desired.get(section) or []):
            removals = leading_removals(_plan_entry(current, section, entry, '%s[%d]' % (section, i)))
            current = apply(current, removals)
            ops += removals
    for section in SECTIONS:
        for i, entry in enumerate(desired.get(section) or []):
            more = _plan_entry(current, section, entry, '%s[%d]' % (section, i))
            current = apply(current, more)
            ops += more
    return ops
