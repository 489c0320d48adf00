# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is wrong with a host as a whole: the host-wide findings, and the shape every finding has.

``host_findings(engine, flows)`` runs the host-wide checks in a fixed order, each a small function
of the compiled state (``HOST_CHECKS``), then the findings of the declared flows. The findings a
route lookup also reports (a tie, a persistent-only route, an ignored manual default route) are
worded here once.

Every finding names its root ``cause`` (findings one change clears share it) and may carry the
operations that fix it; ``advice.advise`` proves them on the state before they are shown as the
finding's ``fix``. A change that needs a decision the state cannot tell (which NIC keeps the
default gateway when no roles are declared, which of two tied routes should win) carries none,
and the remediation names the decision.

To add a host-wide finding: write a function ``(engine, context) -> [finding, ...]`` and list it
in ``HOST_CHECKS``; give its id in the route_findings filter's documentation.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.coverage import Coverage
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import index_candidates, route_copies, route_key, route_ref
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILY_LABEL,
    FAMILY_NAME,
    V4,
    V6,
    AddressSyntaxError,
    format_address,
    is_limited_broadcast,
    is_link_local,
    is_multicast,
    mask,
    parse_address,
)
from ansible_collections.winnet.routing.plugins.module_utils.ops import address_op, route_store_ops

FLOW_KEYS = ('client', 'destination', 'arrival_interface')
# Routes a lease or router advertisement installs: IgnoreDefaultRoutes is meant for them.
LEARNED_PROTOCOLS = ('dhcp', 'router_advertisement')
# At most this many shadowing routes are listed in a shadowed_route finding (the message gives the total).
SHADOWING_LISTED = 20
PS_STORE = {'active': 'ActiveStore', 'persistent': 'PersistentStore'}


ROLES = ('data', 'management', 'storage', 'heartbeat', 'cluster', 'backup', 'other')
ROLES_VARIABLE = 'winnet_nic_roles'


def finding(fid, severity, message, remediation=None, interfaces=(), routes=(), cause=None, ops=None, key=None):
    """A finding in the public shape ``{id, severity, message, remediation, interfaces, routes, cause, fix}``.

    ``cause`` defaults to the message (a finding that is its own root cause); ``ops`` are the
    candidate operations of its fix and ``key`` what it is about, both internal until
    ``advice.advise`` proves the fix (``fix`` stays None until then).
    """
    item = {'id': fid, 'severity': severity, 'message': message, 'remediation': remediation,
            'interfaces': sorted(set(interfaces)), 'routes': list(routes), 'cause': cause or message, 'fix': None}
    if ops:
        item['_ops'] = list(ops)
    if key is not None:
        item['_key'] = key
    return item


def iface_label(iface):
    """An interface as causes and remediations name it."""
    return '%s (%d)' % (iface.alias, iface.index)


def weak_host_cause(iface, family, what):
    """The cause of a missing weak host ``what`` (``send`` or ``receive``) on an interface."""
    return 'Interface %s lacks weak host %s for %s' % (iface_label(iface), what, FAMILY_LABEL[family])


def weak_host_ops(iface, family, what):
    """set_interface that enables weak host ``what`` on an interface."""
    return [{'op': 'set_interface', 'interface': iface.index, 'family': FAMILY_NAME[family], 'weak_host_' + what: True}]


def host_prefix_cause(iface, addr):
    """The cause of a loopback address that is not a host prefix."""
    return 'Address %s/%d on the loopback adapter %s is not a host prefix' % (addr.address, addr.prefix_length, iface_label(iface))


def host_prefix_ops(iface, addr):
    """The operations that give a loopback address a host prefix, keeping SkipAsSource on."""
    readdressed = dict(address_op('add_address', addr, iface.index), prefix_length=BITS[addr.family], skip_as_source=True)
    return [address_op('remove_address', addr, iface.index), readdressed]


def remove_everywhere(state, routes):
    """The operations removing every copy (both stores) of each route of ``routes``."""
    out = []
    seen = set()
    for route in routes:
        key = route_key(route)
        if key not in seen:
            seen.add(key)
            out.extend(route_store_ops(key, route_copies(state.routes, key), {}))
    return out


def on_link_subnets(state, family, index):
    """(network, prefix length) of the usable addresses of interface ``index``."""
    return [(a.value & mask(family, a.prefix_length), a.prefix_length) for a in state.addresses
            if a.family == family and a.interface == index and a.usable]


def gateway_of(engine, family, index):
    """The gateway (next hop text) of interface ``index``: the next hop of its default route, else
    the only next hop its routes use, and only one inside a subnet of the interface (or IPv6
    link-local); None when the state does not tell."""
    subnets = on_link_subnets(engine.state, family, index)
    hops = {}
    for route in engine.state.routes:
        if route.family != family or route.interface != index or route.on_link or route.store != 'active':
            continue
        reachable = (family == V6 and is_link_local(V6, route.next_hop_value)) or \
            any((route.next_hop_value & mask(family, plen)) == net for net, plen in subnets)
        if reachable:
            hops.setdefault(route.next_hop, []).append(route)
    defaults = sorted({hop for hop, routes in hops.items() if any(r.is_default for r in routes)})
    if len(defaults) == 1:
        return defaults[0]
    return next(iter(hops)) if len(hops) == 1 else None


def nic_roles_argument(state, nic_roles):
    """``{interface index: role}`` from the ``nic_roles`` argument (alias or index -> role), or None.

    Raises:
        ArgumentError: not a mapping, an unknown interface, or a role that is not one of ROLES.
    """
    if nic_roles is None:
        return None
    if not isinstance(nic_roles, dict):
        raise ArgumentError('nic_roles', 'must be a mapping of interface (alias or index) to role')
    out = {}
    for name, role in nic_roles.items():
        iface = state.resolve_interface(name, 'nic_roles[%s]' % (name,))
        if role not in ROLES:
            raise ArgumentError('nic_roles[%s]' % (name,), '%r is not a role (expected one of %s)' % (role, ', '.join(ROLES)))
        out[iface.index] = role
    return out


def dedupe_findings(findings):
    """The findings in order, each (id, message) once."""
    seen = set()
    out = []
    for item in findings:
        key = (item['id'], item['message'])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


# --------------------------------------------------------------- findings a lookup reports too
def tie_finding(tied, cause=None, ops=None):
    """route_tie for routes (RouteEntry) tied at one prefix and effective metric."""
    last = tied[-1].route
    return finding(
        'route_tie', 'warning',
        '%d routes to %s tie at effective metric %d (interfaces %s); Windows breaks the tie by an undocumented RouteOrder.'
        % (len(tied), last.destination, tied[0].effective_metric, ', '.join(str(e.route.interface) for e in tied)),
        'Decide which of these routes should carry the traffic to %s, then give the others a higher route metric in both stores '
        '(or remove them).' % last.destination,
        interfaces=[e.route.interface for e in tied], routes=[route_ref(e.route) for e in tied], cause=cause, ops=ops)


def drift_key(route):
    """What a persistent_active_drift finding is about: the route without its store."""
    return ('persistent_active_drift', route.family, route.destination, route.next_hop, route.interface)


def persistent_only_finding(route):
    """persistent_active_drift for a route that is in the PersistentStore only."""
    return finding(
        'persistent_active_drift', 'warning',
        'Route %s via %s on interface %d exists only in the PersistentStore: it is not in force now and will return after a reboot.'
        % (route.destination, route.next_hop, route.interface),
        'Decide whether the route belongs on this host: bring it into force now (New-NetRoute with -PolicyStore ActiveStore) or '
        'delete the stored copy (Remove-NetRoute with -PolicyStore PersistentStore).',
        interfaces=[route.interface], routes=[route_ref(route)], key=drift_key(route))


def active_only_finding(route):
    """persistent_active_drift for a static route that is in the ActiveStore only (``route add`` without ``-p``)."""
    key = route_key(route)
    return finding(
        'persistent_active_drift', 'warning',
        'Static route %s via %s on interface %d exists only in the ActiveStore: it is in force now but is gone after the next reboot '
        '(a route added without -p, or with -PolicyStore ActiveStore).' % (route.destination, route.next_hop, route.interface),
        'Make the route persistent so that the routing after a reboot is the routing now (or remove it if it was meant to be temporary).',
        interfaces=[route.interface], routes=[route_ref(route)], key=drift_key(route),
        ops=route_store_ops(key, {'active': route.route_metric}, {'active': route.route_metric, 'persistent': route.route_metric}))


def ignored_default_finding(state, route, with_fix=False):
    """manual_default_route_ignored for a manual default route on an interface with IgnoreDefaultRoutes."""
    iface = state.interface(route.interface)
    return finding(
        'manual_default_route_ignored', 'warning',
        'Interface %d (%s) has IgnoreDefaultRoutes enabled and a manually added default route via %s; Microsoft\'s documents disagree '
        'on whether such a route is ignored (it is treated as ignored here).' % (iface.index, iface.alias, route.next_hop),
        'Remove the default route via %s from interface %s in both stores, so that what Windows does no longer depends on it.'
        % (route.next_hop, iface_label(iface)),
        interfaces=[route.interface], routes=[route_ref(route)], ops=remove_everywhere(state, [route]) if with_fix else None)


def ignored_manual_defaults(engine, family):
    """The manual default routes of ``family`` that IgnoreDefaultRoutes keeps out of the table."""
    return [entry.route for entry, reason in engine.blocked[family]
            if reason == 'IgnoreDefaultRoutes' and entry.route.protocol not in LEARNED_PROTOCOLS]


# -------------------------------------------------------------------------- host-wide checks
def _kept_flow_routes(engine, family, dropped, flows):
    """add_route (both stores) of each declared flow's client whose reply now leaves by one of the
    ``dropped`` default routes, via the same gateway on the same interface."""
    out = []
    dropped_keys = {route_key(r) for r in dropped}
    for flow in flows or []:
        try:
            client_family, client, _zone = parse_address(str(flow['client']).strip())
            reply = engine.lookup(flow['client'], source=flow['destination'])
        except (AddressSyntaxError, ArgumentError, KeyError):
            continue
        if client_family != family:
            continue
        route = reply.get('route')
        if not route or reply.get('disposition') != 'route':
            continue
        chosen = [r for r in dropped if r.interface == route['interface'] and r.next_hop == route['next_hop'] and route_key(r) in dropped_keys]
        if not chosen:
            continue
        op = {'op': 'add_route', 'family': FAMILY_NAME[family], 'destination': '%s/%d' % (format_address(family, client), BITS[family]),
              'next_hop': chosen[0].next_hop, 'interface': chosen[0].interface, 'route_metric': 0, 'store': 'both'}
        if op not in out:
            out.append(op)
    return out


def _gateway_plan(engine, family, defaults, nic_roles, flows=None):
    """(cause, operations or None, remediation) of a family's default gateways: with roles known,
    keep those of the data NIC and remove the others from both stores; without, nothing is guessed."""
    state = engine.state
    ifaces = sorted({e.route.interface for e in defaults})
    names = ', '.join(iface_label(state.interface(i)) for i in ifaces)
    label = FAMILY_LABEL[family]
    if len(ifaces) == 1 and (nic_roles is None or nic_roles.get(ifaces[0]) in (None, 'data')):
        # One NIC holds them all: which NIC keeps the gateway is no question, which gateway stays is.
        return ('%s default gateways on %s' % (label, names), None,
                'Decide which of the %s default gateways of %s (%s) stays and remove the others from both stores.'
                % (label, names, ', '.join(e.route.next_hop for e in defaults)))
    if nic_roles is None:
        return ('%s default gateways on %s' % (label, names), None,
                'Decide which NIC is the data NIC, the one that keeps the %s default gateway (one of %s), and declare the NICs\' roles '
                'in the host variable %s (interface alias or index -> data, management, storage, ...); the others then get specific '
                'routes instead of a default gateway.' % (label, names, ROLES_VARIABLE))
    data = sorted(i for i, role in nic_roles.items() if role == 'data')
    if not data:
        return ('%s default gateways on %s' % (label, names), None,
                '%s names no data NIC: decide which NIC keeps the %s default gateway (one of %s) and give it the role data.'
                % (ROLES_VARIABLE, label, names))
    data_names = ', '.join(iface_label(state.interface(i)) for i in data)
    keep = [e for e in defaults if e.route.interface in data]
    drop = [e.route for e in defaults if e.route.interface not in data]
    cause = '%s default gateways outside the data NIC %s' % (label, data_names)
    if not keep:
        return (cause, None, 'No default gateway is on the data NIC %s: decide which gateway the data NIC should use; nothing is '
                             'removed until it has one.' % data_names)
    if not drop:
        return ('%s default gateways %s all on the data NIC %s' % (label, ', '.join(e.route.next_hop for e in keep), data_names), None,
                'Decide which of the data NIC\'s default gateways (%s) stays and remove the others from both stores.'
                % ', '.join(e.route.next_hop for e in keep))
    learned = [r for r in drop if r.protocol in LEARNED_PROTOCOLS]
    if learned:
        return (cause, None, 'The default gateway on %s is learned (%s): removing the route would not last. Give that NIC a static '
                             'address without a gateway, stop the DHCP server or router from offering one, or set IgnoreDefaultRoutes '
                             'on it.' % (', '.join(iface_label(state.interface(r.interface)) for r in learned), learned[0].protocol))
    # Every copy of a default route outside the data NIC goes, persistent-only ones included; a
    # declared flow whose reply used one of them keeps its path through a route to its client.
    stray = [r for r in state.routes if r.family == family and r.is_default and r.interface not in data and r.protocol not in LEARNED_PROTOCOLS]
    # The routes that keep declared flows on their NIC come first, so that no flow (the controller's
    # own connection among them) loses its path between two commands.
    return (cause, _kept_flow_routes(engine, family, drop, flows) + remove_everywhere(state, stray),
            'Keep the %s default gateway of the data NIC %s (%s) and remove the one%s on %s from both stores; reach the networks '
            'behind %s with specific routes.'
            % (label, data_names, ', '.join(e.route.next_hop for e in keep), '' if len(drop) == 1 else 's',
               ', '.join('%s via %s' % (iface_label(state.interface(r.interface)), r.next_hop) for r in drop),
               ', '.join(sorted({state.interface(r.interface).alias for r in drop}))))


def _eligible_defaults(engine, family):
    return sorted((e for e in engine.eligible[family] if e.route.is_default), key=lambda e: (e.effective_metric, e.order))


def default_route_findings(engine, family, context):
    """multiple_default_routes, and default_gateways_on_disjoint_interfaces when they sit on several interfaces."""
    state = engine.state
    defaults = _eligible_defaults(engine, family)
    if len(defaults) < 2:
        return []
    ifaces = sorted({e.route.interface for e in defaults})
    cause, ops, remediation = _gateway_plan(engine, family, defaults, context.get('nic_roles'), context.get('flows'))
    order = ', '.join('%s via %s on interface %d (effective metric %d)'
                      % (e.route.destination, e.route.next_hop, e.route.interface, e.effective_metric) for e in defaults)
    out = [finding(
        'multiple_default_routes', 'warning',
        '%s has %d eligible default routes: %s. New outbound traffic uses the first (lowest route metric plus interface metric); '
        'the others are dead gateway detection failover candidates (TCP-triggered, non-deterministic) and are used by replies and '
        'bound sockets on their own interfaces.' % (FAMILY_NAME[family], len(defaults), order),
        remediation, interfaces=ifaces, routes=[route_ref(e.route) for e in defaults], cause=cause, ops=ops,
        key=('multiple_default_routes', family))]
    if len(ifaces) > 1:
        out.append(finding(
            'default_gateways_on_disjoint_interfaces', 'error',
            '%s default gateways sit on %d different interfaces (%s); Microsoft does not recommend default gateways across disjoint '
            'networks: outbound traffic and replies leave by different NICs depending on the source.'
            % (FAMILY_NAME[family], len(ifaces), ', '.join('%d (%s)' % (i, state.interface(i).alias) for i in ifaces)),
            remediation, interfaces=ifaces, routes=[route_ref(e.route) for e in defaults], cause=cause, ops=ops,
            key=('default_gateways_on_disjoint_interfaces', family)))
    return out


def _normal_tie(family, route):
    """Ties that are normal: multicast, the limited broadcast, IPv6 link-local."""
    if is_multicast(family, route.network) or (is_limited_broadcast(family, route.network) and route.prefix_length == 32):
        return True
    return family == V6 and is_link_local(V6, route.network)


def tie_findings(engine, family, context):
    """route_tie for each prefix whose best routes tie (leaving out the normal ties, and the subnet of a
    loopback adapter's address, which vip_prefix_route_on_loopback_wins reports)."""
    state = engine.state
    skip = set()
    for addr in state.addresses:
        if addr.family != family or not addr.usable:
            continue
        host_bits = BITS[family] - addr.prefix_length
        if family == V4 and host_bits > 1:
            skip.add((addr.value | ((1 << host_bits) - 1), BITS[family]))     # the subnet broadcast route
        if state.interface(addr.interface).kind == 'loopback_adapter':
            skip.add((addr.value & mask(family, addr.prefix_length), addr.prefix_length))
    groups = {}
    for entry in engine.eligible[family]:
        route = entry.route
        if _normal_tie(family, route) or (route.network, route.prefix_length) in skip:
            continue
        groups.setdefault((route.network, route.prefix_length), []).append(entry)
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        best = min(e.effective_metric for e in group)
        tied = [e for e in group if e.effective_metric == best]
        if len(tied) > 1:
            key = ('route_tie', family, tied[0].route.destination)
            if tied[0].route.is_default:
                # A tie of default gateways is decided with them: same cause, same fix.
                cause, ops, remediation = _gateway_plan(engine, family, _eligible_defaults(engine, family), context.get('nic_roles'),
                                                        context.get('flows'))
                out.append(dict(tie_finding(tied, cause=cause, ops=ops), _key=key, remediation=remediation))
            else:
                out.append(dict(tie_finding(tied), _key=key))
    return out


def ignored_default_findings(engine, family, _context):
    """manual_default_route_ignored for each manual default route IgnoreDefaultRoutes keeps out."""
    return [ignored_default_finding(engine.state, route, with_fix=True) for route in ignored_manual_defaults(engine, family)]


# What a partial_state finding tells to do: a live gather (its parse_notes name a read the host refused).
GATHER_HINT = 'Gather the host with winnet.routing.net_info; its parse_notes name any read the host refused.'


def drift_findings(engine, _context):
    """persistent_active_drift: a route in the PersistentStore only, a static route in the ActiveStore
    only, or a route with another metric in each store (without the persistent routes, a partial_state
    finding saying the check was skipped)."""
    if engine.state.is_partial('routes.persistent'):
        return [finding('partial_state', 'info',
                        'Drift between the routes in force and the PersistentStore was not checked: the persistent routes '
                        '(routes.persistent) are not in this state.', GATHER_HINT)]
    out = []
    by_key = {}
    # route print cannot tell a default gateway learned from DHCP (never persistent) from a static
    # one: a gateway set on the NIC is listed under Persistent Routes, so one that is not is left alone.
    from_route_print = engine.state.extra.get('source') == 'route_print'
    for route in engine.state.routes:
        by_key.setdefault(route.identity[:5], {})[route.store] = route
    for stores in by_key.values():
        active, persistent = stores.get('active'), stores.get('persistent')
        if persistent is not None and active is None:
            out.append(persistent_only_finding(persistent))
        elif active is not None and persistent is None:
            if active.protocol == 'netmgmt' and not (from_route_print and active.prefix_length == 0):
                out.append(active_only_finding(active))
        elif active.route_metric != persistent.route_metric:
            key = route_key(active)
            out.append(finding(
                'persistent_active_drift', 'warning',
                'Route %s via %s on interface %d has route metric %d in force but %d in the PersistentStore; the metric changes at the next reboot.'
                % (active.destination, active.next_hop, active.interface, active.route_metric, persistent.route_metric),
                'Store the metric in force (%d) in the PersistentStore too, so that the routing after a reboot is the routing now.'
                % active.route_metric,
                interfaces=[active.interface], routes=[route_ref(active), route_ref(persistent)], key=drift_key(active),
                ops=route_store_ops(key, {'active': active.route_metric, 'persistent': persistent.route_metric},
                                    {'active': active.route_metric, 'persistent': active.route_metric})))
    return out


def next_hop_findings(engine, _context):
    """next_hop_not_on_link: a route whose next hop is in no on-link subnet of its interface."""
    state = engine.state
    out = []
    for family in (V4, V6):
        for entry in engine.eligible[family]:
            route = entry.route
            if route.on_link or state.is_on_link(family, route.interface, route.next_hop_value):
                continue
            iface = state.interface(route.interface)
            out.append(finding(
                'next_hop_not_on_link', 'error',
                'Route %s via %s on interface %d (%s): the next hop is not in any on-link subnet of that interface, so it cannot be reached.'
                % (route.destination, route.next_hop, route.interface, iface.alias),
                'Decide which gateway inside a subnet of interface %s should carry %s, then remove this route from both stores and '
                'add it again with that next hop (or remove it if it is not needed).' % (iface_label(iface), route.destination),
                interfaces=[route.interface], routes=[route_ref(route)]))
    return out


def loopback_prefix_findings(engine, _context):
    """vip_prefix_route_on_loopback_wins: a loopback adapter address shorter than a host prefix whose
    on-link route wins (or ties) for the other destinations of its subnet (without the adapter kinds, a
    partial_state finding saying the check was skipped)."""
    state = engine.state
    if state.is_partial('interfaces.kind'):
        return [finding('partial_state', 'info',
                        'Loopback adapter prefixes that win over other routes were not checked: the adapter kinds are not in '
                        'this state.', GATHER_HINT)]
    out = []
    for addr in state.addresses:
        iface = state.interface(addr.interface)
        if iface.kind != 'loopback_adapter' or not addr.usable or addr.prefix_length >= BITS[addr.family] - 1:
            continue
        if is_link_local(addr.family, addr.value):
            continue
        family = addr.family
        network = addr.value & mask(family, addr.prefix_length)
        probe = network + 1 if network + 1 != addr.value else network + 2
        bucket = engine.select(family, probe)
        if not bucket:
            continue
        tied = [e for e in bucket if e.effective_metric == bucket[0].effective_metric]
        mine = [e for e in tied if e.route.interface == iface.index and e.route.prefix_length == addr.prefix_length]
        if not mine:
            continue
        out.append(finding(
            'vip_prefix_route_on_loopback_wins', 'error',
            'Address %s/%d on loopback adapter %d (%s) brings the on-link route %s, which %s for destinations in that subnet: '
            'traffic to them, including DSR replies to clients there, is black-holed into the loopback.'
            % (addr.address, addr.prefix_length, iface.index, iface.alias, mine[0].route.destination,
               'ties' if len(tied) > 1 else 'wins'),
            'Give %s the host prefix /%d on the loopback (remove the address, add it again with SkipAsSource).' % (addr.address, BITS[family]),
            interfaces=[iface.index] + [e.route.interface for e in tied], routes=[route_ref(e.route) for e in tied],
            cause=host_prefix_cause(iface, addr), ops=host_prefix_ops(iface, addr),
            key=('vip_prefix_route_on_loopback_wins', family, addr.address)))
    return out


# ------------------------------------------------------------------ routes that never win
def _bound_source_using(engine, family, entry, cache):
    """An address whose bound traffic can still leave by this route (strong host send), or None.

    A socket bound to an address sends only by that address's interfaces unless weak host send
    lifts it (the engine's rule, ``allowed_for_source``): restricted to them, a route beaten by a
    route of another interface may win again. Replies are such traffic: their source is the
    address the request came to. ``cache`` keeps, per family, the sources with the interfaces
    they may send by and one restricted coverage per distinct set of interfaces.
    """
    sources = cache.get('sources')
    if sources is None:
        sources = cache['sources'] = []
        for (fam, value), held in sorted(engine.local.items(), key=lambda kv: kv[0]):
            if fam == family:
                allowed = engine.allowed_for_source(family, sorted({a.interface for a in held}))
                if allowed is not None:
                    sources.append((format_address(family, value), allowed))
        by_interface = cache['by_interface'] = {}
        for other in engine.eligible[family]:
            by_interface.setdefault(other.route.interface, []).append(other)
    interface = entry.route.interface
    for text, allowed in sources:
        if interface not in allowed:
            continue
        restricted = cache.get(allowed)
        if restricted is None:
            entries = [e for index in sorted(allowed) for e in cache['by_interface'].get(index, ())]
            entries.sort(key=lambda e: e.order)
            restricted = cache[allowed] = Coverage(engine, family, entries, ranges=False)
        if restricted.wins(entry):
            return text
    return None


def _shadowed_finding(engine, entry, reason, by, copies):
    st = engine.state
    route = entry.route
    iface = st.interface(route.interface)
    name = 'Route %s via %s on interface %d (%s)' % (route.destination, route.next_hop, route.interface, iface.alias)
    listed = by[:SHADOWING_LISTED]
    if reason == 'covered':
        why = 'more specific routes take every destination in %s: %s%s' % (
            route.destination, ', '.join('%s via %s on interface %d' % (e.route.destination, e.route.next_hop, e.route.interface) for e in listed[:4]),
            ' and %d more' % (len(by) - 4) if len(by) > 4 else '')
    else:
        best = by[0]
        why = 'route %s via %s on interface %d wins at the same prefix with effective metric %d (%d + %d) against %d (%d + %d)' % (
            best.route.destination, best.route.next_hop, best.route.interface, best.effective_metric, best.route.route_metric, best.interface_metric,
            entry.effective_metric, route.route_metric, entry.interface_metric)
    message = '%s wins for no destination, whatever the source address: %s.' % (name, why)
    stores = ' and the '.join(PS_STORE[store] for store in ('active', 'persistent') if any(r.store == store for r in copies))
    item = finding('shadowed_route', 'warning', message,
                   'Remove the route from the %s: it carries no traffic now (keep it only if it is meant as a fallback for when the '
                   'routes that win go away).' % stores,
                   interfaces=[route.interface] + [e.route.interface for e in listed], routes=[route_ref(r) for r in copies],
                   cause='%s wins for no destination' % name, ops=remove_everywhere(st, copies),
                   key=('shadowed_route', route.family, route.destination, route.next_hop, route.interface))
    item['shadowed_by'] = [dict(route_ref(e.route), interface_metric=e.interface_metric, effective_metric=e.effective_metric) for e in listed]
    return item


def shadowed_route_findings(engine, _context=None):
    """A ``shadowed_route`` warning for each static route (protocol netmgmt) of the active store that wins for no destination.

    Default routes are left out: a default route that never wins is a dead gateway detection
    candidate, which ``multiple_default_routes`` reports.

    "No destination" holds for unbound senders and for traffic bound to any address of the host:
    a route that replies from one of its interface's addresses still use (strong host send) is
    not reported, as it is their path. Each finding lists in ``routes`` the route's copies in
    both stores (what removing it removes) and in ``shadowed_by`` the routes that take its
    destinations (at most ``SHADOWING_LISTED``; the message gives the total).
    """
    dead = []
    for family in (V4, V6):
        if engine.state.is_partial('routes.' + FAMILY_NAME[family]):
            continue
        if not any(e.route.protocol == 'netmgmt' for e in engine.eligible[family]):
            continue
        cache = {}
        for entry, reason, by in Coverage(engine, family, ranges=False).shadowed():
            # a second default route is a dead gateway detection candidate, reported as multiple_default_routes
            if entry.route.prefix_length == 0:
                continue
            if entry.route.protocol == 'netmgmt' and _bound_source_using(engine, family, entry, cache) is None:
                dead.append((entry, reason, by))
    if not dead:
        return []
    copies = dict((route_key(e.route), []) for e, _reason, _by in dead)
    networks = set(key[1] for key in copies)
    for route in engine.state.routes:
        if route.network in networks:
            mine = copies.get(route_key(route))
            if mine is not None:
                mine.append(route)
    for mine in copies.values():
        mine.sort(key=lambda route: route.store != 'active')  # the active copy first, then the persistent one
    return [_shadowed_finding(engine, entry, reason, by, copies[route_key(entry.route)]) for entry, reason, by in dead]


# ------------------------------------------------------------------ what an export could not tell
def export_gap_findings(engine, _context=None):
    """What an export could not tell is reported, so a host read from an export is never clean by omission:
    interface_not_pinned for each stand-in interface, partial_state when route tables are missing."""
    state = engine.state
    out = []
    for iface in state.interfaces:
        unpinned = index_candidates(iface)
        if unpinned is None:
            continue
        routes = [r for r in state.routes if r.interface == iface.index]
        out.append(finding(
            'interface_not_pinned', 'warning',
            'Interface %d (%s) stands for an interface the export does not identify (%s): its %d routes are read, but which '
            'interface holds them is not known, so every answer through it is marked interface_unpinned.'
            % (iface.index, iface.alias, 'one of %s' % ', '.join(str(i) for i in unpinned) if unpinned else 'none listed',
               len(routes)),
            'Tell the export reader which interface holds its address (the interfaces argument of parse_route_print, or '
            'Get-NetIPAddress output beside the export), or gather the host with winnet.routing.net_info.',
            interfaces=[iface.index] + unpinned, routes=[route_ref(r) for r in routes]))
    # (without the persistent routes, drift_findings says so: the drift is the check they serve)
    missing = [item for item in ('routes.ipv4', 'routes.ipv6') if state.is_partial(item)]
    if missing:
        out.append(finding(
            'partial_state', 'info',
            'This state does not carry all routes (%s): the export left them out or was cut off, so nothing is said about them.'
            % ', '.join(missing),
            'Export the complete table (route print without arguments, or Get-NetRoute for both stores) for a complete audit.'))
    return out


# The host-wide checks, in the order their findings are listed (per family first, as Windows
# keeps a table per family).
FAMILY_CHECKS = (default_route_findings, tie_findings, ignored_default_findings)
HOST_CHECKS = (drift_findings, next_hop_findings, loopback_prefix_findings, shadowed_route_findings, export_gap_findings)


def flows_argument(flows):
    """The ``flows`` argument of route_findings: None (no flows) or a list.

    Raises:
        ArgumentError: ``flows`` is not a list.
    """
    if flows is not None and not isinstance(flows, list):
        raise ArgumentError('flows', 'must be a list of {client, destination, arrival_interface}')
    return flows


def check_flow(index, flow):
    """Raise ArgumentError (``flows[index]...``) unless ``flow`` is ``{client, destination, arrival_interface}``."""
    if not isinstance(flow, dict):
        raise ArgumentError('flows[%d]' % index, 'must be a mapping with client, destination and arrival_interface')
    missing = [k for k in FLOW_KEYS if flow.get(k) is None]
    if missing:
        raise ArgumentError('flows[%d].%s' % (index, missing[0]), 'required key is missing')


def flow_findings(engine, flows):
    """The findings of each declared flow (flow_check), or a partial_state note when the state lacks
    the weak host settings. Each flow is checked as it comes; errors name ``flows[i].ARGUMENT``."""
    out = []
    for i, flow in enumerate(flows or []):
        check_flow(i, flow)
        if engine.state.is_partial('interfaces.settings'):
            out.append(finding('partial_state', 'info', 'Flow %s -> %s was not evaluated: the weak host settings are not in this state.'
                               % (flow['client'], flow['destination']), 'Gather the host with winnet.routing.net_info.'))
            continue
        try:
            result = engine.flow_check_raw(flow['client'], flow['destination'], flow['arrival_interface'])
        except ArgumentError as exc:
            raise ArgumentError('flows[%d].%s' % (i, exc.argument), exc.reason) from None
        out.extend(result['findings'])
    return out


def host_findings(engine, flows=None, nic_roles=None, keep_flows=None):
    """Host-wide findings of a compiled state, then those of the declared ``flows``, each once,
    with their candidate fixes not yet proven (see ``advice.advise``).

    Args:
        engine: the Engine of the host.
        flows: list of ``{client, destination, arrival_interface}``, or None.
        nic_roles: ``{interface index: role}`` (``nic_roles_argument``), or None when not declared.
        keep_flows: the flows whose reply path a fix keeps (default: ``flows``).

    Returns:
        list of findings (see ``finding``).

    Raises:
        ArgumentError: a flow is malformed (the argument path is ``flows[i]...``).
    """
    kept = flows if keep_flows is None else keep_flows
    context = {'nic_roles': nic_roles, 'flows': [f for f in kept or [] if isinstance(f, dict)]}
    out = []
    for family in (V4, V6):
        for check in FAMILY_CHECKS:
            out.extend(check(engine, family, context))
    for check in HOST_CHECKS:
        out.extend(check(engine, context))
    out.extend(flow_findings(engine, flows))
    return dedupe_findings(out)
