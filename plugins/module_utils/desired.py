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
another entry purges) are refused, naming the path.

``plan_state(host, state)`` does the same for the options of the module ``desired_state``
(``loopback_adapters``, ``interfaces``, ``addresses``, ``routes``, ``firewall_rules``): the same
sections under the names of the things they declare, errors naming those paths.

An entry may name (as its interface) a loopback adapter that a ``loopback_adapter`` entry of the
same plan creates or renames. The adapter's index is known only once Windows has created it, so
the operations on an adapter the plan creates carry its name (``adapter``, see ops.py) beside the
index the applier predicts, and the host resolves the name just before each of them.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, pin_created_adapters
from ansible_collections.winnet.routing.plugins.module_utils.checks import join
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import FIREWALL_FIELDS
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
# The options of the module desired_state -> the section (module) each one's entries belong to.
STATE_SECTIONS = {'loopback_adapters': 'loopback_adapter', 'interfaces': 'ip_interface', 'addresses': 'ip_address',
                  'routes': 'route', 'firewall_rules': 'firewall_rule'}
STATE_ROUTES = ('interface', 'routes', 'purge')
STATE_RULE = FIREWALL_FIELDS + ('state',)


def _plan_entry(host, section, entry, path, final=True):
    """Plan one module invocation (``entry``: that module's options). Before the ``final`` pass, the
    addresses a route's next hop or a firewall rule needs may be added by a later entry: they are
    checked in the final pass only."""
    if section == 'loopback_adapter':
        entry = CHECK.mapping(entry, path, ('name', 'state', 'interface'))
        return plan_loopback(host, entry.get('name'), entry.get('state'), path, entry.get('interface'))
    if section == 'ip_interface':
        entry = CHECK.mapping(entry, path, ('interface', 'family', 'metric') + INTERFACE_FLAGS + ('dhcp', 'register_dns', 'bindings', 'netbios'))
        return plan_interface(host, path=path, **entry)
    if section == 'ip_address':
        entry = CHECK.mapping(entry, path, ('interface', 'address', 'skip_as_source', 'addresses', 'state', 'purge'))
        addresses = entry.get('addresses')
        if entry.get('address') is not None:
            if addresses is not None:
                raise ArgumentError(join(path, 'address'), 'give address or addresses, not both')
            addresses = [{'address': entry['address'], 'skip_as_source': entry.get('skip_as_source')}]
        return plan_addresses(host, entry.get('interface'), addresses or [], entry.get('state'), entry.get('purge', False), path)
    if section == 'route' and path.startswith('routes['):
        # desired_state: the routes of one interface.
        entry = CHECK.mapping(entry, path, STATE_ROUTES)
        if entry.get('interface') is None:
            raise ArgumentError(join(path, 'interface'), 'required option is missing')
        return plan_routes(host, entry.get('routes') or [], entry['interface'], entry.get('purge', False), join(path, 'routes'))
    if section == 'route':
        entry = CHECK.mapping(entry, path, ROUTE_OPTIONS + ('routes', 'purge'))
        routes = entry.get('routes')
        if entry.get('destination') is not None:
            if routes is not None or entry.get('purge'):
                raise ArgumentError(join(path, 'destination'), 'give destination or routes (with purge), not both')
            return plan_route(host, path, final, **{k: v for k, v in entry.items() if k in ROUTE_OPTIONS})
        return plan_routes(host, routes or [], entry.get('interface'), entry.get('purge', False), join(path, 'routes'), final)
    if path.startswith('firewall_rules['):
        # desired_state: one rule per entry, with its own state.
        entry = CHECK.mapping(entry, path, STATE_RULE)
        rule = {key: value for key, value in entry.items() if key != 'state'}
        try:
            return plan_firewall(host, [rule], entry.get('state'), '', final)
        except ArgumentError as exc:
            raise ArgumentError(path + exc.argument[len('rules[0]'):] if exc.argument.startswith('rules[0]') else join(path, exc.argument),
                                exc.reason) from None
    entry = CHECK.mapping(entry, path, ('rules', 'state'))
    return plan_firewall(host, entry.get('rules') or [], entry.get('state'), path, final)


def _entries(items, section):
    """(path, entry) of the entries of ``section`` (items: (section, path, entry) in declaration order)."""
    for item_section, path, entry in items:
        if item_section == section and isinstance(entry, dict):
            yield path, entry


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


def _interface_refs(items):
    """(path, interface value, entry path, section) of every interface the interface, address and route entries name."""
    for section in ('ip_interface', 'ip_address', 'route'):
        for path, entry in _entries(items, section):
            if entry.get('interface') is not None:
                yield join(path, 'interface'), entry['interface'], path, section
            if section == 'route' and isinstance(entry.get('routes'), list):
                for j, route in enumerate(entry['routes']):
                    if isinstance(route, dict) and route.get('interface') is not None:
                        yield '%s.routes[%d].interface' % (path, j), route['interface'], path, section


def _new_names(host, items):
    """The adapter names the loopback_adapter entries give that no interface of ``host`` has yet
    (adapters the plan creates or renames), in lower case: Windows compares connection names without
    regard to case."""
    return {entry.get('name').lower() for _path, entry in _entries(items, 'loopback_adapter')
            if entry.get('state', 'present') == 'present' and host.interface_by_alias(entry.get('name')) is None}


def _check_entries(host, items):
    """Refuse entries that contradict each other. ``host`` holds the adapters the plan creates or renames."""
    # ip_interface: one entry per (interface, family); ip_address: one entry per interface.
    claimed = {}
    for section in ('ip_interface', 'ip_address'):
        for path, entry in _entries(items, section):      # each names its interface (_check_shapes)
            index = host.resolve_interface(entry['interface'], join(path, 'interface')).index
            key = (section, index, entry.get('family') or 'ipv4') if section == 'ip_interface' else (section, index)
            if key in claimed:
                raise ArgumentError(join(path, 'interface'), 'interface %d is already declared in %s; declare it once' % (index, claimed[key]))
            claimed[key] = path
    # route: an interface purged by one entry has all its routes declared in that entry.
    purged = {}
    for path, entry in _entries(items, 'route'):
        if entry.get('purge') and entry.get('interface') is not None:
            purged[host.resolve_interface(entry['interface'], join(path, 'interface')).index] = path
    for ref_path, value, entry_path, section in _interface_refs(items):
        if section != 'route':
            continue
        index = host.resolve_interface(value, ref_path).index
        if index in purged and purged[index] != entry_path:
            raise ArgumentError(ref_path, 'interface %d is purged by %s; declare its routes there' % (index, purged[index]))


def _names_new(entry, new_names):
    """True when the entry names an adapter the plan creates or renames (it has nothing to remove before)."""
    if not isinstance(entry, dict):
        return False
    routes = entry.get('routes') if isinstance(entry.get('routes'), list) else []
    values = [entry.get('interface')] + [route.get('interface') for route in routes if isinstance(route, dict)]
    return any(isinstance(value, str) and value.lower() in new_names for value in values)


def _deferred(ops):
    """The route removals of an entry's operations whose route gets no new copy in them (routes that go
    away, not routes rewritten in place): make before break runs them after the other routes' changes."""
    kept = {route_key_of(op) for op in ops if op['op'] in ('add_route', 'set_route_metric')}
    return [op for op in ops if op['op'] == 'remove_route' and route_key_of(op) not in kept]


def route_key_of(op):
    """(family, destination, next hop, interface) of a route operation."""
    return (op['family'], op['destination'], op['next_hop'], op['interface'])


def _plan_items(host, items, make_before_break=False):
    """The operations of (section, path, entry) items, in the planner's order (see ``plan``).

    ``make_before_break`` (desired_state): the routes that go away are removed after the routes
    that are added or changed, so that a path is replaced before the old one goes (a default route
    moved to another next hop never leaves the host without one on the way).
    """
    _check_shapes(host, items)
    new_names = _new_names(host, items)
    names_host = host
    if new_names:
        for path, entry in _entries(items, 'loopback_adapter'):
            names_host = apply(names_host, _plan_entry(names_host, 'loopback_adapter', entry, path))
    _check_entries(names_host, items)
    ops = []
    current = host
    for section in reversed(SECTIONS):
        if make_before_break and section == 'route':
            continue
        for item_section, path, entry in items:
            if item_section != section or (new_names and _names_new(entry, new_names)):
                continue
            removals = leading_removals(_plan_entry(current, section, entry, path, final=False))
            current = apply(current, removals)
            ops += removals
    for section in SECTIONS:
        deferred = []
        for item_section, path, entry in items:
            if item_section != section:
                continue
            more = _plan_entry(current, section, entry, path)
            if make_before_break and section == 'route':
                later = _deferred(more)
                more = [op for op in more if not any(op is other for other in later)]
                deferred += later
            current = apply(current, more)
            ops += more
        current = apply(current, deferred)
        ops += deferred
    return pin_created_adapters(host, ops) if new_names else ops


def plan(host, desired):
    """Operations for several modules' settings at once, ordered by the module's ordering rule.

    ``desired`` maps module names to lists of option dictionaries: ``loopback_adapter``,
    ``ip_interface``, ``ip_address``, ``route`` (``routes`` + ``interface`` + ``purge``, or a single
    route), ``firewall_rule`` (``rules`` + ``state``). Each entry is planned against the state the
    operations before it predict (applier), so the plan is consistent: removals of every entry
    first (sections in reverse order), then everything else (sections in order). An entry that
    names an adapter the plan creates or renames has nothing to remove before; its operations come
    with the others of its section.
    """
    desired = CHECK.mapping(desired, '', SECTIONS) if desired is not None else {}
    items = []
    for section in SECTIONS:
        if desired.get(section) is not None:
            for i, entry in enumerate(CHECK.list(desired[section], section)):
                items.append((section, '%s[%d]' % (section, i), entry))
    return _plan_items(host, items)


def plan_state(host, state):
    """Operations making the desired state ``state`` (the options of the module desired_state) true.

    ``state`` maps ``loopback_adapters`` (``name``, ``state``, ``interface``), ``interfaces`` (the
    options of ip_interface, plus ``dhcp``), ``addresses`` (``interface``, ``addresses``,
    ``purge``, ``state``), ``routes`` (``interface``, ``routes``, ``purge``: the routes of one
    interface) and ``firewall_rules`` (one rule each, with its ``state``) to lists. Planned like
    ``plan``; errors name the paths of ``state`` (``routes[1].routes[0].next_hop``).
    """
    state = CHECK.mapping(state, '', tuple(STATE_SECTIONS)) if state is not None else {}
    items = []
    for option, section in STATE_SECTIONS.items():
        if state.get(option) is not None:
            for i, entry in enumerate(CHECK.list(state[option], option)):
                items.append((section, '%s[%d]' % (option, i), CHECK.mapping(entry, '%s[%d]' % (option, i))))
    _check_shapes(host, items)
    routed = {}
    for path, entry in _entries(items, 'route'):
        if entry.get('interface') is not None:
            key = entry['interface'] if isinstance(entry['interface'], str) and entry['interface'] in _new_names(host, items) \
                else host.resolve_interface(entry['interface'], join(path, 'interface')).index
            if key in routed:
                raise ArgumentError(join(path, 'interface'), 'the routes of this interface are already declared in %s; declare them once'
                                    % routed[key])
            routed[key] = path
    rules = {}
    for path, entry in _entries(items, 'firewall_rule'):
        name = entry.get('name')
        if isinstance(name, str):
            if name in rules:
                raise ArgumentError(join(path, 'name'), '%r is also listed in %s' % (name, rules[name]))
            rules[name] = path
    return _plan_items(host, items, make_before_break=True)
