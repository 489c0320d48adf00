# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The route-evaluation engine: what the Windows TCP/IP stack does with a HostState.

Rules R1-R27 of the collection's routing specification (docs/docsite/rst/guide_route_selection.rst
explains them with examples). The engine is pure Python and never imports Ansible; it raises
``ArgumentError`` / ``StateError`` and the filters translate them.

Entry points (all on ``Engine``): ``lookup`` (route, interface and source for a destination),
``flow_check`` (receive + reply path of a client -> local address flow), ``dsr_check`` (DSR real
server readiness), ``findings`` (host-wide findings, plus declared flows) and
``effective_routes`` (the active table with interface and effective metrics).
"""

from __future__ import annotations

import functools

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILY_NAME,
    V4,
    V6,
    AddressSyntaxError,
    common_prefix_length,
    format_address,
    is_limited_broadcast,
    is_link_local,
    is_loopback,
    is_multicast,
    is_v4_mapped,
    mask,
    parse_address,
    type_name,
)
from ansible_collections.winnet.routing.plugins.module_utils.routetable import PrefixTable

WEAK_SEND_FLAGS = ('source_interface', 'outgoing_interface', 'both')
TIE_BREAK_ROUTE_ORDER = 'RouteOrder (undocumented)'
TIE_BREAK_SOURCE = 'source interface'
PHYSICAL_EXCLUDED_KINDS = ('loopback_adapter', 'loopback_pseudo', 'tunnel')
PS_FAMILY = {V4: 'IPv4', V6: 'IPv6'}
TRACE_OTHERS = 3

# Windows' default IPv6 prefix policy table (netsh interface ipv6 show prefixpolicies), spec R18.
_POLICY = (
    ('::1', 128, 50, 0), ('::', 0, 40, 1), ('::ffff:0:0', 96, 35, 4), ('2002::', 16, 30, 2), ('2001::', 32, 5, 5),
    ('fc00::', 7, 3, 13), ('fec0::', 10, 1, 11), ('3ffe::', 16, 1, 12), ('::', 96, 1, 3),
)
POLICY_TABLE = tuple(sorted(((parse_address(p)[1], plen, prec, label) for p, plen, prec, label in _POLICY), key=lambda e: -e[1]))


def _policy(value):
    for network, plen, precedence, label in POLICY_TABLE:
        if (value & mask(V6, plen)) == network:
            return precedence, label
    return 40, 1  # pragma: no cover - ::/0 always matches


def scope_of(family, value):
    """RFC 6724 scope of an address (2 link-local, 5 site-local, 14 global)."""
    if family == V4:
        return 2 if (is_link_local(V4, value) or is_loopback(V4, value)) else 14
    if is_multicast(V6, value):
        return (value >> 112) & 0xF
    if is_v4_mapped(V6, value):
        return scope_of(V4, value & 0xFFFFFFFF)
    if is_link_local(V6, value) or value == 1:
        return 2
    if (value >> 118) == (0xFEC0 >> 6):
        return 5
    return 14


def _route_label(route, if_metric):
    return '[DestinationPrefix: %s NextHop: %s InterfaceIndex: %d InterfaceMetric: %d RouteMetric: %d]' % (
        route.destination, route.next_hop, route.interface, if_metric, route.route_metric)


def finding(fid, severity, message, remediation=None, interfaces=(), routes=()):
    """A finding in the public shape."""
    return {'id': fid, 'severity': severity, 'message': message, 'remediation': remediation,
            'interfaces': sorted(set(interfaces)), 'routes': list(routes)}


def _route_ref(route):
    return {'destination': route.destination, 'next_hop': route.next_hop, 'interface': route.interface,
            'route_metric': route.route_metric, 'store': route.store, 'protocol': route.protocol}


def _tie_finding(tied):
    """The route_tie finding for routes tied at one prefix and effective metric."""
    last = tied[-1].route
    return finding(
        'route_tie', 'warning',
        '%d routes to %s tie at effective metric %d (interfaces %s); Windows breaks the tie by an undocumented RouteOrder.'
        % (len(tied), last.destination, tied[0].eff, ', '.join(str(e.route.interface) for e in tied)),
        "Make one route win by changing a route metric, for example: Set-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' "
        "-NextHop '%s' -RouteMetric %d" % (last.interface, last.destination, last.next_hop, last.route_metric + 1),
        interfaces=[e.route.interface for e in tied], routes=[_route_ref(e.route) for e in tied])


class _Entry:
    """An eligible active route with its effective metric and position in the table."""

    __slots__ = ('route', 'if_metric', 'eff', 'order')

    def __init__(self, route, if_metric, order):
        self.route = route
        self.if_metric = if_metric
        self.eff = route.route_metric + if_metric
        self.order = order

    def as_dict(self):
        r = self.route
        return {'destination': r.destination, 'next_hop': r.next_hop, 'interface': r.interface,
                'route_metric': r.route_metric, 'interface_metric': self.if_metric, 'effective_metric': self.eff}

    @property
    def label(self):
        return _route_label(self.route, self.if_metric)


def as_state(state):
    """A HostState from a HostState or a schema v1 dictionary (or a net_info result holding one)."""
    if isinstance(state, HostState):
        return state
    if isinstance(state, dict) and 'schema' not in state and isinstance(state.get('state'), dict):
        state = state['state']
    return HostState.from_dict(state)


class Engine:
    """Evaluates one HostState. Compile once, ask many questions."""

    def __init__(self, state, weak_send_flag='source_interface', forwarding_relaxes_receive=False):
        if weak_send_flag not in WEAK_SEND_FLAGS:
            raise ArgumentError('weak_send_flag', '%r is not one of %s' % (weak_send_flag, ', '.join(WEAK_SEND_FLAGS)))
        if not isinstance(forwarding_relaxes_receive, bool):
            raise ArgumentError('forwarding_relaxes_receive', 'must be true or false')
        self.state = as_state(state)
        self.weak_send_flag = weak_send_flag
        self.forwarding_relaxes_receive = forwarding_relaxes_receive
        st = self.state
        self.local = {}
        self.any_address = {}
        self.sources_by_if = {}
        for addr in st.addresses:
            key = (addr.family, addr.value)
            self.any_address.setdefault(key, []).append(addr)
            if addr.usable:
                self.local.setdefault(key, []).append(addr)
                if not addr.skip_as_source:
                    self.sources_by_if.setdefault((addr.family, addr.interface), []).append(addr)
        self.eligible = {V4: [], V6: []}
        self.blocked = {V4: [], V6: []}
        active = set()
        for order, route in enumerate(st.routes):
            if route.store == 'active':
                active.add(route.identity[:5])
        for order, route in enumerate(st.routes):
            iface = st.interface(route.interface)
            settings = iface.settings(route.family)
            if route.store != 'active':
                if route.identity[:5] not in active:
                    self.blocked[route.family].append((_Entry(route, settings.metric, order), 'PersistentStoreOnly'))
                continue
            entry = _Entry(route, settings.metric, order)
            if not iface.connected:
                self.blocked[route.family].append((entry, 'InterfaceDisconnected'))
            elif route.is_default and settings.ignore_default_routes:
                self.blocked[route.family].append((entry, 'IgnoreDefaultRoutes'))
            else:
                self.eligible[route.family].append(entry)
        self._tables = {}
        self._blocked_tables = {}

    # ------------------------------------------------------ partial states
    def require(self, caller, *items):
        """Refuse to judge what a partial state does not carry (never guess strong host)."""
        missing = [item for item in items if self.state.is_partial(item)]
        if missing:
            raise ArgumentError('state', '%s needs data this state does not carry (partial: %s); gather the host with '
                                'winnet.routing.net_info, or add Get-NetIPInterface and Get-NetAdapter output to the export'
                                % (caller, ', '.join(missing)))

    # ------------------------------------------------------------ arguments
    def resolve_interface(self, value, argument='interface'):
        """An Interface from its index (int or digit string) or alias."""
        st = self.state
        if isinstance(value, bool) or value is None:
            raise ArgumentError(argument, 'must be an interface index or alias, got %r' % (value,))
        if isinstance(value, int):
            iface = st.interface(value)
        elif isinstance(value, str):
            iface = st.interface_by_alias(value)
            if iface is None and value.strip().isascii() and value.strip().isdigit():
                iface = st.interface(int(value.strip()))
        else:
            raise ArgumentError(argument, 'must be an interface index or alias, got %s' % type_name(value))
        if iface is None:
            known = ', '.join('%d (%s)' % (i.index, i.alias) for i in st.interfaces)
            raise ArgumentError(argument, 'unknown interface %r; this host has %s' % (value, known))
        return iface

    @staticmethod
    def parse(value, argument):
        if not isinstance(value, str):
            raise ArgumentError(argument, '%r is not an IP address (expected a string)' % (value,))
        try:
            family, number, zone = parse_address(value.strip())
        except AddressSyntaxError:
            raise ArgumentError(argument, '%r is not an IP address' % value) from None
        if is_v4_mapped(family, number):
            raise ArgumentError(argument, '%r is an IPv4-mapped IPv6 address; use %s' % (value, format_address(V4, number & 0xFFFFFFFF)))
        return family, number, zone

    # --------------------------------------------------------------- tables
    def _table(self, family, allowed):
        key = (family, allowed)
        table = self._tables.get(key)
        if table is None:
            buckets = {}
            for entry in self.eligible[family]:
                if allowed is not None and entry.route.interface not in allowed:
                    continue
                r = entry.route
                buckets.setdefault((r.network, r.prefix_length), []).append(entry)
            table = PrefixTable(family, ((net, plen, tuple(sorted(b, key=lambda e: (e.eff, e.order))))
                                         for (net, plen), b in buckets.items()))
            self._tables[key] = table
        return table

    def _blocked_table(self, family):
        table = self._blocked_tables.get(family)
        if table is None:
            buckets = {}
            for entry, reason in self.blocked[family]:
                buckets.setdefault((entry.route.network, entry.route.prefix_length), []).append((entry, reason))
            table = self._blocked_tables[family] = PrefixTable(family, ((n, p, tuple(b)) for (n, p), b in buckets.items()))
        return table

    def select(self, family, value, allowed=None):
        """The winning bucket for a destination: the longest prefix's routes sorted by (effective metric, order)."""
        return self._table(family, allowed).lookup(value)

    # --------------------------------------------------------------- lookup
    def allowed_for_source(self, family, owners):
        """The interfaces a source owned by ``owners`` may send from (R13/R14); None = no constraint."""
        ws = [self.state.interface(i).settings(family).weak_host_send for i in owners]
        if self.weak_send_flag == 'source_interface':
            return None if any(ws) else frozenset(owners)
        others = frozenset(i.index for i in self.state.interfaces
                           if i.settings(family) is not None and i.settings(family).weak_host_send)
        if self.weak_send_flag == 'outgoing_interface' or any(ws):
            return frozenset(owners) | others
        return frozenset(owners)

    def lookup_many(self, destinations, source=None, interface=None):
        if not isinstance(destinations, (list, tuple)):
            raise ArgumentError('destination', 'must be an address or a list of addresses')
        results = []
        for i, dest in enumerate(destinations):
            try:
                results.append(self.lookup(dest, source=source, interface=interface))
            except ArgumentError as exc:
                if exc.argument == 'destination':
                    raise ArgumentError('destination[%d]' % i, exc.reason) from None
                raise
        return results

    def lookup(self, destination, source=None, interface=None):
        """Route, interface and source Windows picks for ``destination`` (spec section 3, ``lookup``)."""
        family, value, zone = self.parse(destination, 'destination')
        dest_text = format_address(family, value)
        trace = []
        findings = []
        flags = []
        iface = None
        if interface is not None:
            iface = self.resolve_interface(interface, 'interface')
            if iface.settings(family) is None:
                raise ArgumentError('interface', 'interface %d (%s) has no %s settings' % (iface.index, iface.alias, FAMILY_NAME[family]))
        if zone is not None:
            if family != V6 or not is_link_local(V6, value):
                raise ArgumentError('destination', '%r: a zone is only meaningful on an IPv6 link-local address' % destination)
            zone_if = self.resolve_interface(int(zone) if zone.isascii() and zone.isdigit() else zone, 'destination')
            if iface is not None and iface.index != zone_if.index:
                raise ArgumentError('interface', 'interface %d contradicts the zone %%%s of %s' % (iface.index, zone, destination))
            iface = zone_if
        src = None
        owners = None
        if source is not None:
            s_family, s_value, _zone = self.parse(source, 'source')
            if s_family != family:
                raise ArgumentError('source', '%s is %s but destination %s is %s' % (source, FAMILY_NAME[s_family], destination, FAMILY_NAME[family]))
            held = self.local.get((s_family, s_value))
            if not held:
                raise ArgumentError('source', '%s is not a preferred or deprecated unicast address assigned on this host' % source)
            src = format_address(family, s_value)
            owners = sorted({a.interface for a in held})
            if iface is not None and iface.index not in owners:
                raise ArgumentError('source', '%s is not assigned on interface %d (%s)' % (source, iface.index, iface.alias))
        trace.append('Destination: %s (%s). %s%s' % (
            dest_text, FAMILY_NAME[family],
            'Source: %s (interface %s). ' % (src, ', '.join(str(o) for o in owners)) if src else 'Source: unspecified. ',
            'ConstrainInterfaceIndex: %d.' % iface.index if iface is not None else 'No interface constraint.'))

        # R10: local and loopback destinations never leave the host.
        held = self.local.get((family, value))
        if held or is_loopback(family, value):
            return self._local_result(family, value, held, src, owners, trace, findings)

        if family == V6 and is_link_local(V6, value) and iface is None:
            zones = sorted({e.route.interface for e in (self.select(V6, value) or ())})
            if len(zones) > 1:
                findings.append(finding(
                    'ambiguous_zone', 'warning',
                    '%s is link-local and no zone was given; interfaces %s all reach fe80::/64, so the interface is ambiguous.'
                    % (dest_text, ', '.join(str(z) for z in zones)),
                    'Give the zone: %s%%<InterfaceIndex> (for example %s%%%d), or pass interface=.' % (dest_text, dest_text, zones[0]),
                    interfaces=zones))

        allowed = None
        lifted = False
        if owners is not None:
            if self.state.is_partial('interfaces.settings'):
                findings.append(finding('partial_state', 'info',
                                        'Weak host send is not in this state; the lookup assumes strong host send for source %s.' % src,
                                        'Gather the host with winnet.routing.net_info for a definite answer.', interfaces=owners))
            allowed = self.allowed_for_source(family, owners)
            if allowed is None or not allowed.issubset(owners):
                lifted = True
                flags.append('weak_host_send')
                senders = sorted(i.index for i in self.state.interfaces
                                 if i.settings(family) is not None and i.settings(family).weak_host_send
                                 and (self.weak_send_flag != 'source_interface' or i.index in owners))
                trace.append('Weak host send on interface %s lifts the source interface constraint (model: %s).'
                             % (', '.join(str(o) for o in senders), self.weak_send_flag))
            else:
                trace.append('Strong host send: the lookup is restricted to the interfaces of source %s: %s.'
                             % (src, ', '.join(str(o) for o in sorted(allowed))))
        if iface is not None:
            allowed = frozenset([iface.index]) if allowed is None else allowed & frozenset([iface.index])
        bucket = self.select(family, value, allowed)
        self._trace_blocked(family, value, bucket, trace, findings)
        if allowed is not None:
            free = self.select(family, value, None)
            if free and (bucket is None or free[0].route.interface not in allowed):
                trace.append('Route %s is blocked for Destination: %s ConstrainInterfaceIndex: %s. Reason: InterfaceConstraint.'
                             % (free[0].label, dest_text, ','.join(str(i) for i in sorted(allowed))))
        if bucket is None:
            trace.append('No route to %s%s.' % (dest_text, ' within the constrained interfaces' if allowed is not None else ''))
            return self._result('no_route', None, None, src, None, False, None, [], trace, False, flags, findings)

        best = bucket[0].eff
        tied = [e for e in bucket if e.eff == best]
        if owners is not None and len(tied) == 1:
            # The constraint may hide a tie of the full table that the bound source breaks (GetBestRoute).
            free = self.select(family, value, None)
            free_tied = [e for e in free if e.eff == free[0].eff] if free else []
            if len(free_tied) > 1 and tied[0] in free_tied:
                tied = free_tied
        tie = len(tied) > 1
        tie_break = None
        winner = tied[0]
        if tie and owners is not None:
            on_source = [e for e in tied if e.route.interface in owners]
            if len(on_source) == 1:
                winner, tie, tie_break = on_source[0], False, TIE_BREAK_SOURCE
                trace.append('Route %s is preferred over the other %d tied routes for Destination: %s. Reason: SourceInterface (GetBestRoute).'
                             % (winner.label, len(tied) - 1, dest_text))
            elif on_source:
                winner = on_source[0]
        if tie:
            tie_break = TIE_BREAK_ROUTE_ORDER
            flags.append('heuristic')
            trace.append('Routes %s tie at prefix length %d and effective metric %d. Reason: RouteOrder (undocumented); '
                         'the first in Get-NetRoute order is shown, as a heuristic.'
                         % (', '.join(e.label for e in tied), winner.route.prefix_length, best))
            findings.append(_tie_finding(tied))
        for other in bucket[1:1 + TRACE_OTHERS]:
            if other.eff != best:
                trace.append('Route %s is preferred over Route %s for Destination: %s. Reason: Metric (%d = %d + %d < %d = %d + %d).'
                             % (winner.label, other.label, dest_text, winner.eff, winner.route.route_metric, winner.if_metric,
                                other.eff, other.route.route_metric, other.if_metric))
        trace.append('Route %s is selected for Destination: %s: longest matching prefix /%d, effective metric %d = RouteMetric %d + InterfaceMetric %d.'
                     % (winner.label, dest_text, winner.route.prefix_length, winner.eff, winner.route.route_metric, winner.if_metric))
        route = winner.route
        next_hop = dest_text if route.on_link else route.next_hop
        if route.on_link:
            trace.append('The route is on-link: the next hop is the destination itself (%s).' % dest_text)
        if is_multicast(family, value) or is_limited_broadcast(family, value):
            flags.append('default_only')
            trace.append('%s is %s: this is the default egress for unbound senders; applications may choose another interface.'
                         % (dest_text, 'multicast' if is_multicast(family, value) else 'the limited broadcast'))
        source_tie = False
        if src is None:
            src, source_tie = self._select_source(family, value, route.interface, next_hop if not route.on_link else dest_text, trace)
            if source_tie:
                flags.append('heuristic')
        else:
            trace.append('Source address %s is used as given (bound socket or reply). Rule = 0.' % src)
            if lifted and route.interface not in owners:
                trace.append('The packet leaves interface %d with source %s owned by interface %s.'
                             % (route.interface, src, ', '.join(str(o) for o in owners)))
        self._ignored_default_warning(family, route, findings)
        result = self._result('route', route.interface, next_hop, src, winner.as_dict(), tie, tie_break,
                              [e.as_dict() for e in tied], trace, source_tie, flags, findings)
        return result

    def _result(self, disposition, interface, next_hop, source, route, tie, tie_break, candidates, trace, source_tie, flags, findings):
        iface = self.state.interface(interface) if interface is not None else None
        return {
            'disposition': disposition,
            'interface': interface,
            'interface_alias': iface.alias if iface is not None else None,
            'next_hop': next_hop,
            'source': source,
            'route': route,
            'tie': tie,
            'tie_break': tie_break,
            'candidates': candidates,
            'source_tie': source_tie,
            'flags': sorted(set(flags)),
            'findings': findings,
            'trace': trace,
        }

    def _local_result(self, family, value, held, src, owners, trace, findings):
        dest_text = format_address(family, value)
        if held:
            interface = held[0].interface
            source = dest_text
            trace.append('%s is assigned on interface %d: delivered locally, never on the wire.' % (dest_text, interface))
            if owners is not None and interface not in owners and not any(
                    self.state.interface(o).settings(family).weak_host_send for o in owners):
                findings.append(finding(
                    'bound_source_to_other_local_interface', 'warning',
                    'A socket bound to %s (interface %s) sends to %s on interface %d; whether strong host send allows this is undocumented.'
                    % (src, ', '.join(str(o) for o in owners), dest_text, interface),
                    'Bind to %s or leave the source unspecified.' % dest_text, interfaces=list(owners) + [interface]))
        else:
            pseudo = [i for i in self.state.interfaces if i.kind == 'loopback_pseudo' and i.settings(family) is not None]
            interface = pseudo[0].index if pseudo else None
            source = '127.0.0.1' if family == V4 else '::1'
            trace.append('%s is in the loopback range: delivered locally by the Loopback Pseudo-Interface.' % dest_text)
        if src is not None:
            source = src
        return self._result('local', interface, None, source, None, False, None, [], trace, False, [], findings)

    def _trace_blocked(self, family, value, bucket, trace, findings):
        if not self.blocked[family]:
            return
        hit = self._blocked_table(family).lookup(value)
        if hit is None:
            return
        plen = hit[0][0].route.prefix_length
        if bucket is not None and bucket[0].route.prefix_length > plen:
            return
        for entry, reason in hit[:TRACE_OTHERS]:
            trace.append('Route %s is blocked for Destination: %s. Reason: %s.' % (entry.label, format_address(family, value), reason))
            if reason == 'PersistentStoreOnly':
                findings.append(self._drift_finding(entry.route))

    def _ignored_default_warning(self, family, route, findings):
        if route.prefix_length != 0 and self.select(family, 0, None) is not None:
            return
        for entry, reason in self.blocked[family]:
            if reason == 'IgnoreDefaultRoutes' and entry.route.protocol not in ('dhcp', 'router_advertisement'):
                findings.append(self._ignored_default_finding(entry.route))

    def _ignored_default_finding(self, route):
        iface = self.state.interface(route.interface)
        return finding(
            'manual_default_route_ignored', 'warning',
            'Interface %d (%s) has IgnoreDefaultRoutes enabled and a manually added default route via %s; Microsoft\'s documents disagree '
            'on whether such a route is ignored (it is treated as ignored here).' % (iface.index, iface.alias, route.next_hop),
            "Remove-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '%s' -Confirm:$false"
            % (route.interface, route.destination, route.next_hop),
            interfaces=[route.interface], routes=[_route_ref(route)])

    def _drift_finding(self, route):
        return finding(
            'persistent_active_drift', 'warning',
            'Route %s via %s on interface %d exists only in the PersistentStore: it is not in force now and will return after a reboot.'
            % (route.destination, route.next_hop, route.interface),
            "New-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '%s' -RouteMetric %d -PolicyStore ActiveStore  "
            "# or remove it: Remove-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '%s' -PolicyStore PersistentStore -Confirm:$false"
            % (route.interface, route.destination, route.next_hop, route.route_metric, route.interface, route.destination, route.next_hop),
            interfaces=[route.interface], routes=[_route_ref(route)])

    # --------------------------------------------------------------- source
    def _select_source(self, family, dest, out_if, next_hop_text, trace):
        """Source address for an unbound send (R16 for IPv4, R18 for IPv6). Returns (address text, tie)."""
        dest_text = format_address(family, dest)
        cands = self.sources_by_if.get((family, out_if))
        if not cands:
            cands = [a for (fam, _i), lst in self.sources_by_if.items() if fam == family for a in lst]
            if not cands:
                trace.append('No usable source address: no preferred address without SkipAsSource on this host.')
                return None, False
            trace.append('Interface %d has no usable source address; addresses of other interfaces are considered (undocumented).' % out_if)
        else:
            trace.append('Source candidates on the outgoing interface %d: %s. Rule = %s.'
                         % (out_if, ', '.join(a.address for a in cands), '2.0' if family == V4 else '5.0'))
        nh_value = parse_address(next_hop_text)[1]
        if family == V4:
            rules = (
                ('1.0', lambda a: a.value == dest, None),
                ('3.0', lambda a: a.state == 'preferred', None),
                ('3.0', None, lambda a: common_prefix_length(V4, a.value, nh_value)),
                ('4.0', None, lambda a: common_prefix_length(V4, a.value, dest)),
            )
            # KB 969029 states no cap on the common prefix length for IPv4; note when a cap would change the answer.
            capped = self._run_rules(cands, (
                ('1.0', lambda a: a.value == dest, None),
                ('3.0', lambda a: a.state == 'preferred', None),
                ('3.0', None, lambda a: min(common_prefix_length(V4, a.value, nh_value), a.prefix_length)),
                ('4.0', None, lambda a: min(common_prefix_length(V4, a.value, dest), a.prefix_length)),
            ), [], dest_text)
        else:
            d_scope = scope_of(V6, dest)
            d_label = _policy(dest)[1]
            rules = (
                ('1.0', lambda a: a.value == dest, None),
                ('2.0', None, lambda a: -scope_of(V6, a.value) if scope_of(V6, a.value) >= d_scope else -1000 + scope_of(V6, a.value)),
                ('3.0', lambda a: a.state == 'preferred', None),
                ('6.0', lambda a: _policy(a.value)[1] == d_label, None),
                ('7.0', lambda a: a.temporary, None),
                ('8.0', None, lambda a: min(common_prefix_length(V6, a.value, dest), a.prefix_length)),
            )
            capped = None
        chosen = self._run_rules(cands, rules, trace, dest_text)
        tie = len(chosen) > 1
        if tie:
            trace.append('Source addresses %s remain equal after every rule; the first is shown, as a heuristic.'
                         % ', '.join(a.address for a in chosen))
        if capped is not None and capped[0] is not chosen[0]:
            trace.append('Capping the common prefix at the source prefix length (as RFC 6724 does) would choose %s instead.' % capped[0].address)
        trace.append('Source address %s is selected for destination %s.' % (chosen[0].address, dest_text))
        return chosen[0].address, tie

    @staticmethod
    def _run_rules(cands, rules, trace, dest_text):
        current = list(cands)
        for rule, prefer, score in rules:
            if len(current) < 2:
                break
            if prefer is not None:
                kept = [a for a in current if prefer(a)]
            else:
                best = max(score(a) for a in current)
                kept = [a for a in current if score(a) == best]
            if kept and len(kept) < len(current):
                for loser in current:
                    if loser not in kept:
                        trace.append('Source address %s is preferred over %s for destination %s. Rule = %s.'
                                     % (kept[0].address, loser.address, dest_text, rule))
                current = kept
        return current

    # ------------------------------------------------------------- receive
    def receive(self, family, value, in_iface):
        """R19/R20 for a unicast packet to ``value`` arriving on ``in_iface``: (verdict, reason)."""
        settings = in_iface.settings(family)
        held = self.local.get((family, value))
        if held:
            if any(a.interface == in_iface.index for a in held):
                return 'accept', 'the destination is assigned to the arrival interface %d' % in_iface.index
            if settings.weak_host_receive:
                return 'accept', 'weak host receive is enabled on the arrival interface %d' % in_iface.index
            if self.forwarding_relaxes_receive and settings.forwarding:
                return 'accept', 'forwarding on the arrival interface %d is assumed to relax strong host receive' % in_iface.index
            return 'drop_strong_host_receive', ('the destination is assigned to interface %s, not to the arrival interface %d, '
                                                'which has weak host receive disabled'
                                                % (', '.join(str(a.interface) for a in held), in_iface.index))
        if settings.forwarding:
            return 'forward', 'the destination is not local and forwarding is enabled on the arrival interface %d' % in_iface.index
        return 'drop_not_local', 'the destination is not local and forwarding is disabled on the arrival interface %d' % in_iface.index

    def flow_check(self, client, destination, arrival_interface):
        """R24: a client -> local address flow arriving on an interface, and the path of the reply."""
        self.require('flow_check', 'interfaces.settings')
        c_family, c_value, _zone = self.parse(client, 'client')
        d_family, d_value, d_zone = self.parse(destination, 'destination')
        if d_zone is not None:
            raise ArgumentError('destination', '%r: give the local address without a zone' % destination)
        if c_family != d_family:
            raise ArgumentError('client', '%s is %s but destination %s is %s' % (client, FAMILY_NAME[c_family], destination, FAMILY_NAME[d_family]))
        if is_multicast(d_family, d_value) or is_limited_broadcast(d_family, d_value):
            raise ArgumentError('destination', '%s is not a unicast address' % destination)
        in_iface = self.resolve_interface(arrival_interface, 'arrival_interface')
        if in_iface.settings(d_family) is None:
            raise ArgumentError('arrival_interface', 'interface %d (%s) has no %s settings' % (in_iface.index, in_iface.alias, FAMILY_NAME[d_family]))
        d_text = format_address(d_family, d_value)
        c_text = format_address(c_family, c_value)
        findings = []
        trace = ['Flow: %s -> %s arriving on interface %d (%s).' % (c_text, d_text, in_iface.index, in_iface.alias)]
        if not in_iface.connected:
            findings.append(finding('arrival_interface_disconnected', 'warning',
                                    'Interface %d (%s) is disconnected; no packet can arrive on it now.' % (in_iface.index, in_iface.alias),
                                    'Get-NetAdapter -InterfaceIndex %d | Format-List Status, MediaConnectionState' % in_iface.index,
                                    interfaces=[in_iface.index]))
        if self.local.get((c_family, c_value)) or is_loopback(c_family, c_value):
            reply = self.lookup(c_text, source=None)
            trace.append('The client is local: the reply never leaves the host.')
            return self._flow('accept', reply, False, 'ok', findings, trace)
        verdict, reason = self.receive(d_family, d_value, in_iface)
        trace.append('Receive: %s (%s).' % (verdict, reason))
        if verdict == 'forward':
            forward = self.lookup(d_text)
            trace.extend(forward['trace'])
            findings.append(finding('forwarding_assumption', 'info',
                                    'The packet is forwarded out of interface %s; whether Windows also requires forwarding on the egress '
                                    'interface is undocumented.' % forward['interface'], None,
                                    interfaces=[in_iface.index] + ([forward['interface']] if forward['interface'] is not None else [])))
            return self._flow(verdict, None, False, 'forward', findings, trace, forward)
        if verdict == 'drop_strong_host_receive':
            owners = sorted({a.interface for a in self.local[(d_family, d_value)]})
            findings.append(finding(
                'drop_strong_host_receive', 'error',
                'Packets from %s to %s arriving on interface %d (%s) are dropped: %s.' % (c_text, d_text, in_iface.index, in_iface.alias, reason),
                'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostReceive Enabled  '
                '# or the task winnet.routing.ip_interface: {interface: %d, family: %s, weak_host_receive: true}'
                % (in_iface.index, PS_FAMILY[d_family], in_iface.index, FAMILY_NAME[d_family]),
                interfaces=[in_iface.index] + owners))
            return self._flow(verdict, None, False, verdict, findings, trace)
        if verdict == 'drop_not_local':
            findings.append(finding(
                'drop_not_local', 'error',
                'Packets from %s to %s arriving on interface %d (%s) are dropped: %s.' % (c_text, d_text, in_iface.index, in_iface.alias, reason),
                'Check that %s is assigned on this host: Get-NetIPAddress -IPAddress \'%s\'' % (d_text, d_text),
                interfaces=[in_iface.index]))
            return self._flow(verdict, None, False, verdict, findings, trace)
        reply = self.lookup(c_text, source=d_text)
        trace.extend(reply['trace'])
        findings.extend(reply['findings'])
        owners = sorted({a.interface for a in self.local[(d_family, d_value)]})
        if reply['disposition'] == 'no_route':
            free = self.select(c_family, c_value, None)
            if free:
                gw = free[0].route
                findings.append(finding(
                    'reply_unroutable_strong_host_send', 'error',
                    'The reply from %s to %s finds no route: under strong host send it may only leave interface %s, which has no route to %s '
                    '(the host would use %s via %s on interface %d).'
                    % (d_text, c_text, ', '.join(str(o) for o in owners), c_text, gw.destination, gw.next_hop, gw.interface),
                    "New-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '<gateway on interface %d>'  "
                    "# or allow replies through the other interfaces: Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled"
                    % (owners[0], self._client_prefix(c_family, c_value), owners[0], owners[0], PS_FAMILY[c_family]),
                    interfaces=owners + [gw.interface], routes=[_route_ref(gw)]))
            else:
                findings.append(finding('reply_no_route', 'error', 'The host has no route at all to %s; the reply from %s is never sent.' % (c_text, d_text),
                                        "New-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '<gateway>'"
                                        % (in_iface.index, self._client_prefix(c_family, c_value)), interfaces=owners))
            return self._flow(verdict, reply, False, 'reply_no_route', findings, trace)
        asymmetric = reply['interface'] != in_iface.index
        if asymmetric:
            out_iface = self.state.interface(reply['interface'])
            inside = any(a.interface == out_iface.index and a.family == d_family
                         and (a.value & mask(d_family, a.prefix_length)) == (d_value & mask(d_family, a.prefix_length))
                         for a in self.state.addresses)
            findings.append(finding(
                'asymmetric_reply', 'warning' if inside else 'error',
                'The request from %s to %s arrives on interface %d (%s) but the reply leaves interface %d (%s) via %s%s.'
                % (c_text, d_text, in_iface.index, in_iface.alias, out_iface.index, out_iface.alias, reply['next_hop'],
                   '' if inside else '; source %s is not in any subnet of that interface, so reverse-path filters, stateful firewalls and '
                   'cloud anti-spoofing commonly drop it' % d_text),
                "New-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '<gateway on interface %d>'  "
                "# a route on the arrival interface keeps the reply there "
                "(strong host send: Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Disabled)"
                % (in_iface.index, self._client_prefix(c_family, c_value), in_iface.index, in_iface.index, PS_FAMILY[c_family]),
                interfaces=[in_iface.index, out_iface.index], routes=[reply['route']] if reply['route'] else []))
            return self._flow(verdict, reply, True, 'asymmetric', findings, trace)
        return self._flow(verdict, reply, False, 'ok', findings, trace)

    @staticmethod
    def _client_prefix(family, value):
        plen = 24 if family == V4 else 64
        return '%s/%d' % (format_address(family, value & mask(family, plen)), plen)

    @staticmethod
    def _flow(receive, reply, asymmetric, disposition, findings, trace, forward=None):
        return {'receive': receive, 'reply': reply, 'forward': forward, 'asymmetric': asymmetric, 'disposition': disposition,
                'findings': findings, 'trace': trace}

    # ----------------------------------------------------------------- DSR
    def dsr_check(self, vip, nic, clients):
        """R25: is this host a working DSR real server for ``vip`` arriving on ``nic``?"""
        self.require('dsr_check', 'interfaces.settings', 'interfaces.kind')
        family, value, zone = self.parse(vip, 'vip')
        if zone is not None:
            raise ArgumentError('vip', '%r: a VIP takes no zone' % vip)
        if is_multicast(family, value) or value == 0 or is_limited_broadcast(family, value):
            raise ArgumentError('vip', '%s is not a unicast address' % vip)
        nic_if = self.resolve_interface(nic, 'nic')
        if nic_if.settings(family) is None:
            raise ArgumentError('nic', 'interface %d (%s) has no %s settings' % (nic_if.index, nic_if.alias, FAMILY_NAME[family]))
        if isinstance(clients, str) or not isinstance(clients, (list, tuple)) or not clients:
            raise ArgumentError('clients', 'must be a non-empty list of client addresses')
        client_values = []
        for i, client in enumerate(clients):
            c_family, c_value, _zone = self.parse(client, 'clients[%d]' % i)
            if c_family != family:
                raise ArgumentError('clients[%d]' % i, '%s is %s but the VIP %s is %s' % (client, FAMILY_NAME[c_family], vip, FAMILY_NAME[family]))
            client_values.append((client, c_value))
        vip_text = format_address(family, value)
        fam_ps = PS_FAMILY[family]
        bits = BITS[family]
        nic_set = nic_if.settings(family)
        all_holders = self.any_address.get((family, value), [])
        loop_addrs = [a for a in all_holders if a.usable and self.state.interface(a.interface).kind == 'loopback_adapter']
        loop_addr = loop_addrs[0] if loop_addrs else None
        loop_if = self.state.interface(loop_addr.interface) if loop_addr else None
        loop_set = loop_if.settings(family) if loop_if else None
        checks = []
        no_loop = 'no KM-TEST loopback adapter holds %s' % vip_text

        def add(cid, ok, required, message, remediation):
            status = 'pass' if ok else ('fail' if required else 'advisory')
            checks.append({'id': cid, 'status': status, 'message': message, 'remediation': None if ok else remediation})

        def add_loop(cid, cond, required, good, bad, remediation):
            if loop_if is None:
                checks.append({'id': cid, 'status': 'fail', 'message': no_loop,
                               'remediation': 'Create the loopback adapter and assign the VIP first (winnet.routing.dsr_real_server).'})
            else:
                add(cid, cond, required, good if cond else bad, remediation)

        lname = loop_if.alias if loop_if else 'loopback'
        add('vip_on_loopback', loop_if is not None,
            True, 'VIP %s is on loopback adapter %d (%s)' % (vip_text, loop_if.index, loop_if.alias) if loop_if else no_loop,
            "New-NetIPAddress -InterfaceAlias '%s' -IPAddress '%s' -PrefixLength %d -SkipAsSource $true" % (lname, vip_text, bits))
        add('nic_weak_host_receive', nic_set.weak_host_receive, True,
            'interface %d (%s) %s weak host receive for %s' % (nic_if.index, nic_if.alias, 'has' if nic_set.weak_host_receive else 'lacks', fam_ps),
            'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostReceive Enabled' % (nic_if.index, fam_ps))
        add_loop('loopback_weak_host_send', loop_set is not None and loop_set.weak_host_send, True,
                 'loopback %s has weak host send, so replies from the VIP may leave by the NIC' % lname,
                 'loopback %s lacks weak host send: replies from %s are restricted to the loopback and find no route' % (lname, vip_text),
                 'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled' % (loop_if.index if loop_if else 0, fam_ps))
        add_loop('loopback_weak_host_receive', loop_set is not None and loop_set.weak_host_receive, False,
                 'loopback %s has weak host receive' % lname,
                 'loopback %s lacks weak host receive (the Azure and vendor procedures enable it)' % lname,
                 'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostReceive Enabled' % (loop_if.index if loop_if else 0, fam_ps))
        add('nic_weak_host_send', nic_set.weak_host_send, False,
            'interface %d (%s) %s weak host send (suggested for hairpin traffic on Server 2016)'
            % (nic_if.index, nic_if.alias, 'has' if nic_set.weak_host_send else 'lacks'),
            'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled' % (nic_if.index, fam_ps))

        # f: the reply to each client leaves by the NIC (judged even when receive is broken).
        if self.local.get((family, value)):
            bad = []
            into_loopback = False
            for client, c_value in client_values:
                reply = self.lookup(format_address(family, c_value), source=vip_text)
                if reply['interface'] != nic_if.index:
                    bad.append('%s -> %s' % (client, 'no route' if reply['interface'] is None else 'interface %d' % reply['interface']))
                    into_loopback = into_loopback or (loop_if is not None and reply['interface'] == loop_if.index)
            if loop_if is None:
                remedy = 'Assign %s to a loopback adapter with weak host send enabled.' % vip_text
            elif into_loopback and loop_set.weak_host_send:
                remedy = ("Remove-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -Confirm:$false; "
                          "New-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -PrefixLength %d -SkipAsSource $true"
                          % (loop_if.index, vip_text, loop_if.index, vip_text, bits))
            else:
                remedy = 'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled' % (loop_if.index, fam_ps)
            add('reply_via_nic', not bad, True,
                'replies from %s to every client leave interface %d' % (vip_text, nic_if.index) if not bad
                else 'replies from %s do not leave interface %d: %s' % (vip_text, nic_if.index, '; '.join(bad)), remedy)
        else:
            add('reply_via_nic', False, True, '%s is not assigned on this host, so no reply can be sent from it' % vip_text,
                'Assign %s to a loopback adapter with weak host send enabled.' % vip_text)

        # g / h: routes on the loopback that win for client destinations.
        prefix_wins, other_wins = [], []
        if loop_if is not None:
            vip_net = (value & mask(family, loop_addr.prefix_length), loop_addr.prefix_length)
            for client, c_value in client_values:
                bucket = self.select(family, c_value)
                if not bucket:
                    continue
                tied = [e for e in bucket if e.eff == bucket[0].eff]
                for entry in tied:
                    r = entry.route
                    if r.interface != loop_if.index:
                        continue
                    if (r.network, r.prefix_length) == vip_net and loop_addr.prefix_length < bits:
                        prefix_wins.append('%s (%s%s)' % (client, r.destination, ', tie' if len(tied) > 1 else ''))
                    elif not (r.prefix_length == bits and r.network == value):
                        other_wins.append('%s (%s via %s%s)' % (client, r.destination, r.next_hop, ', tie' if len(tied) > 1 else ''))
        if loop_if is None:
            add_loop('vip_prefix', False, True, '', '', '')
        elif loop_addr.prefix_length == bits:
            add('vip_prefix', True, True, 'VIP %s/%d is a host prefix' % (vip_text, bits), None)
        elif prefix_wins:
            add('vip_prefix', False, True,
                'the VIP prefix %s/%d on the loopback wins for clients %s: their replies are black-holed into the loopback'
                % (vip_text, loop_addr.prefix_length, ', '.join(prefix_wins)),
                "Remove-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -Confirm:$false; "
                "New-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -PrefixLength %d -SkipAsSource $true"
                % (loop_if.index, vip_text, loop_if.index, vip_text, bits))
        else:
            checks.append({'id': 'vip_prefix', 'status': 'advisory',
                           'message': 'VIP %s has prefix /%d; its loopback prefix route does not win for the given clients, but /%d is safer'
                           % (vip_text, loop_addr.prefix_length, bits),
                           'remediation': "Remove-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -Confirm:$false; New-NetIPAddress -InterfaceIndex %d "
                           "-IPAddress '%s' -PrefixLength %d -SkipAsSource $true" % (loop_if.index, vip_text, loop_if.index, vip_text, bits)})
        add_loop('loopback_routes', not other_wins, True,
                 'no route on loopback %s wins for the clients' % lname,
                 'routes on loopback %s win for clients %s' % (lname, ', '.join(other_wins)),
                 'Get-NetRoute -InterfaceIndex %d | Where-Object { $_.NextHop -ne \'%s\' } | Remove-NetRoute -Confirm:$false'
                 % (loop_if.index if loop_if else 0, '0.0.0.0' if family == V4 else '::'))
        physical = sorted({a.interface for a in all_holders if self.state.interface(a.interface).kind not in PHYSICAL_EXCLUDED_KINDS})
        add('vip_not_on_physical_nic', not physical, True,
            'VIP %s is not assigned to any physical interface' % vip_text if not physical
            else 'VIP %s is assigned to physical interface %s: it answers ARP/ND for the VIP and conflicts with the load balancer'
            % (vip_text, ', '.join(str(p) for p in physical)),
            "Remove-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -Confirm:$false" % (physical[0] if physical else 0, vip_text))
        add_loop('vip_skip_as_source', loop_addr is not None and loop_addr.skip_as_source, False,
                 'VIP %s has SkipAsSource: outbound connections never originate from it' % vip_text,
                 'VIP %s lacks SkipAsSource: outbound connections may originate from the VIP and fail' % vip_text,
                 "Set-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -SkipAsSource $true" % (loop_if.index if loop_if else 0, vip_text))
        dns_unknown = self.state.is_partial('interfaces.register_dns')
        add_loop('loopback_dns_registration', loop_if is not None and not loop_if.register_dns and not dns_unknown, False,
                 'loopback %s does not register its addresses in DNS' % lname,
                 ('DNS registration of loopback %s is not in this state: check it with Get-DnsClient' % lname) if dns_unknown else
                 'loopback %s registers its addresses in DNS: the VIP may be published as this server\'s address' % lname,
                 'Set-DnsClient -InterfaceIndex %d -RegisterThisConnectionsAddress $false' % (loop_if.index if loop_if else 0))
        flows = [self.flow_check(client, vip_text, nic_if.index) for client, _value in client_values]
        order = ('vip_on_loopback', 'nic_weak_host_receive', 'loopback_weak_host_send', 'loopback_weak_host_receive', 'nic_weak_host_send',
                 'reply_via_nic', 'vip_prefix', 'loopback_routes', 'vip_not_on_physical_nic', 'vip_skip_as_source', 'loopback_dns_registration')
        checks.sort(key=lambda c: order.index(c['id']))
        ready = all(c['status'] != 'fail' for c in checks)
        trace = ['DSR check of VIP %s arriving on interface %d (%s) for clients %s: %s.'
                 % (vip_text, nic_if.index, nic_if.alias, ', '.join(c for c, _value in client_values), 'ready' if ready else 'not ready')]
        trace.extend('%s: %s (%s)' % (c['id'], c['status'], c['message']) for c in checks)
        return {'ready': ready, 'checks': checks, 'flows': flows, 'trace': trace}

    # ------------------------------------------------------------ findings
    def findings(self, flows=None):
        """Host-wide findings, plus those of the declared flows."""
        st = self.state
        out = []
        for family in (V4, V6):
            defaults = sorted((e for e in self.eligible[family] if e.route.is_default), key=lambda e: (e.eff, e.order))
            if len(defaults) > 1:
                ifaces = sorted({e.route.interface for e in defaults})
                primary = defaults[0]
                order = ', '.join('%s via %s on interface %d (effective metric %d)' % (e.route.destination, e.route.next_hop, e.route.interface, e.eff)
                                  for e in defaults)
                removals = '; '.join("Remove-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '%s' -Confirm:$false"
                                     % (e.route.interface, e.route.destination, e.route.next_hop) for e in defaults if e is not primary)
                out.append(finding(
                    'multiple_default_routes', 'warning',
                    '%s has %d eligible default routes: %s. New outbound traffic uses the first (R4-R6); the others are dead gateway detection '
                    'failover candidates (TCP-triggered, non-deterministic) and are used by replies and bound sockets on their own interfaces.'
                    % (FAMILY_NAME[family], len(defaults), order),
                    'Keep one default gateway host-wide: %s  (or the role winnet.routing.nic_layout)' % removals,
                    interfaces=ifaces, routes=[_route_ref(e.route) for e in defaults]))
                if len(ifaces) > 1:
                    out.append(finding(
                        'default_gateways_on_disjoint_interfaces', 'error',
                        '%s default gateways sit on %d different interfaces (%s); Microsoft does not recommend default gateways across disjoint '
                        'networks: outbound traffic and replies leave by different NICs depending on the source.'
                        % (FAMILY_NAME[family], len(ifaces), ', '.join('%d (%s)' % (i, st.interface(i).alias) for i in ifaces)),
                        'Keep the default gateway on the data NIC only and give the other NICs specific routes: %s' % removals,
                        interfaces=ifaces, routes=[_route_ref(e.route) for e in defaults]))
            out.extend(self._tie_findings(family))
            for entry, reason in self.blocked[family]:
                if reason == 'IgnoreDefaultRoutes' and entry.route.protocol not in ('dhcp', 'router_advertisement'):
                    out.append(self._ignored_default_finding(entry.route))
        if not st.is_partial('routes.persistent'):
            out.extend(self._drift_findings())
        out.extend(self._next_hop_findings())
        out.extend(self._loopback_prefix_findings())
        for i, flow in enumerate(flows or []):
            if not isinstance(flow, dict):
                raise ArgumentError('flows[%d]' % i, 'must be a mapping with client, destination and arrival_interface')
            missing = [k for k in ('client', 'destination', 'arrival_interface') if flow.get(k) is None]
            if missing:
                raise ArgumentError('flows[%d].%s' % (i, missing[0]), 'required key is missing')
            if st.is_partial('interfaces.settings'):
                out.append(finding('partial_state', 'info', 'Flow %s -> %s was not evaluated: the weak host settings are not in this state.'
                                   % (flow['client'], flow['destination']), 'Gather the host with winnet.routing.net_info.'))
                continue
            try:
                result = self.flow_check(flow['client'], flow['destination'], flow['arrival_interface'])
            except ArgumentError as exc:
                raise ArgumentError('flows[%d].%s' % (i, exc.argument), exc.reason) from None
            out.extend(result['findings'])
        return dedupe_findings(out)

    def _tie_findings(self, family):
        # Ties that are normal (multicast, broadcast, link-local) or reported as
        # vip_prefix_route_on_loopback_wins (the subnet of a loopback adapter's address) are left out.
        skip = set()
        for addr in self.state.addresses:
            if addr.family != family or not addr.usable:
                continue
            host_bits = BITS[family] - addr.prefix_length
            if family == V4 and host_bits > 1:
                skip.add((addr.value | ((1 << host_bits) - 1), BITS[family]))
            if self.state.interface(addr.interface).kind == 'loopback_adapter':
                skip.add((addr.value & mask(family, addr.prefix_length), addr.prefix_length))
        groups = {}
        for entry in self.eligible[family]:
            r = entry.route
            if is_multicast(family, r.network) or (family == V4 and r.network == 0xFFFFFFFF and r.prefix_length == 32):
                continue
            if family == V6 and is_link_local(V6, r.network):
                continue
            if (r.network, r.prefix_length) in skip:
                continue
            groups.setdefault((r.network, r.prefix_length), []).append(entry)
        out = []
        for group in groups.values():
            if len(group) < 2:
                continue
            best = min(e.eff for e in group)
            tied = [e for e in group if e.eff == best]
            if len(tied) < 2:
                continue
            out.append(_tie_finding(tied))
        return out

    def _drift_findings(self):
        out = []
        by_key = {}
        for route in self.state.routes:
            by_key.setdefault(route.identity[:5], {})[route.store] = route
        for stores in by_key.values():
            active, persistent = stores.get('active'), stores.get('persistent')
            if persistent is not None and active is None:
                out.append(self._drift_finding(persistent))
            elif active is not None and persistent is not None and active.route_metric != persistent.route_metric:
                out.append(finding(
                    'persistent_active_drift', 'warning',
                    'Route %s via %s on interface %d has route metric %d in force but %d in the PersistentStore; the metric changes at the next reboot.'
                    % (active.destination, active.next_hop, active.interface, active.route_metric, persistent.route_metric),
                    "Set-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '%s' -RouteMetric %d -PolicyStore PersistentStore"
                    % (active.interface, active.destination, active.next_hop, active.route_metric),
                    interfaces=[active.interface], routes=[_route_ref(active), _route_ref(persistent)]))
        return out

    def _next_hop_findings(self):
        st = self.state
        on_link = {}
        for addr in st.addresses:
            if addr.usable:
                on_link.setdefault((addr.family, addr.interface), []).append((addr.value & mask(addr.family, addr.prefix_length), addr.prefix_length))
        for route in st.routes:
            if route.store == 'active' and route.on_link and route.prefix_length > 0 and not is_multicast(route.family, route.network):
                on_link.setdefault((route.family, route.interface), []).append((route.network, route.prefix_length))
        out = []
        for family in (V4, V6):
            for entry in self.eligible[family]:
                route = entry.route
                if route.on_link:
                    continue
                if family == V6 and is_link_local(V6, route.next_hop_value):
                    continue
                nets = on_link.get((family, route.interface), ())
                if any((route.next_hop_value & mask(family, plen)) == net for net, plen in nets):
                    continue
                iface = st.interface(route.interface)
                out.append(finding(
                    'next_hop_not_on_link', 'error',
                    'Route %s via %s on interface %d (%s): the next hop is not in any on-link subnet of that interface, so it cannot be reached.'
                    % (route.destination, route.next_hop, route.interface, iface.alias),
                    "Remove-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '%s' -Confirm:$false  "
                    "# then add it again with a next hop inside the interface's subnet" % (route.interface, route.destination, route.next_hop),
                    interfaces=[route.interface], routes=[_route_ref(route)]))
        return out

    def _loopback_prefix_findings(self):
        out = []
        for addr in self.state.addresses:
            iface = self.state.interface(addr.interface)
            if iface.kind != 'loopback_adapter' or not addr.usable or addr.prefix_length >= BITS[addr.family] - 1:
                continue
            if is_link_local(addr.family, addr.value):
                continue
            family = addr.family
            network = addr.value & mask(family, addr.prefix_length)
            probe = network + 1 if network + 1 != addr.value else network + 2
            bucket = self.select(family, probe)
            if not bucket:
                continue
            tied = [e for e in bucket if e.eff == bucket[0].eff]
            mine = [e for e in tied if e.route.interface == iface.index and e.route.prefix_length == addr.prefix_length]
            if not mine:
                continue
            out.append(finding(
                'vip_prefix_route_on_loopback_wins', 'error',
                'Address %s/%d on loopback adapter %d (%s) brings the on-link route %s, which %s for destinations in that subnet: '
                'traffic to them, including DSR replies to clients there, is black-holed into the loopback.'
                % (addr.address, addr.prefix_length, iface.index, iface.alias, mine[0].route.destination,
                   'ties' if len(tied) > 1 else 'wins'),
                "Remove-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -Confirm:$false; New-NetIPAddress -InterfaceIndex %d -IPAddress '%s' "
                "-PrefixLength %d -SkipAsSource $true" % (iface.index, addr.address, iface.index, addr.address, BITS[family]),
                interfaces=[iface.index] + [e.route.interface for e in tied], routes=[_route_ref(e.route) for e in tied]))
        return out

    # ------------------------------------------------ destination order
    def order_destinations(self, destinations, prefer_ipv4=False):
        """Sort a name's addresses the way Windows does before connecting (RFC 6724 section 6, spec R18/R26).

        ``prefer_ipv4`` models DisabledComponents 0x20 ("prefer IPv4 over IPv6 in prefix policies").
        Returns the addresses in order, each with the reason it was placed.
        """
        if isinstance(destinations, str) or not isinstance(destinations, (list, tuple)):
            raise ArgumentError('destinations', 'must be a list of addresses')
        info = []
        for i, text in enumerate(destinations):
            family, value, _zone = self.parse(text, 'destinations[%d]' % i)
            result = self.lookup(text)
            mapped = value if family == V6 else (0xFFFF << 32) | value
            precedence, label = _policy(mapped)
            if prefer_ipv4 and family == V4:
                precedence = 45
            source = result['source']
            s_mapped = s_label = s_scope = None
            deprecated = False
            if source is not None:
                s_family, s_value, _zone = parse_address(source)
                s_mapped = s_value if s_family == V6 else (0xFFFF << 32) | s_value
                s_label = _policy(s_mapped)[1]
                s_scope = scope_of(s_family, s_value)
                deprecated = any(a.state == 'deprecated' for a in self.local.get((s_family, s_value), ()))
            info.append({'index': i, 'address': format_address(family, value), 'family': family, 'mapped': mapped,
                         'usable': result['disposition'] != 'no_route', 'scope': scope_of(family, value), 'precedence': precedence,
                         'label': label, 'source': source, 'source_label': s_label, 'source_scope': s_scope,
                         'source_mapped': s_mapped, 'deprecated': deprecated})

        def compare(a, b):
            rules = (
                (1, lambda d: d['usable']),
                (2, lambda d: d['source'] is not None and d['scope'] == d['source_scope']),
                (3, lambda d: not d['deprecated']),
                (5, lambda d: d['source'] is not None and d['label'] == d['source_label']),
                (6, lambda d: d['precedence']),
                (8, lambda d: -d['scope']),
            )
            for _rule, key in rules:
                ka, kb = key(a), key(b)
                if ka != kb:
                    return -1 if ka > kb else 1
            if a['family'] == V6 and b['family'] == V6 and a['source'] and b['source']:
                ca = common_prefix_length(V6, a['mapped'], a['source_mapped'])
                cb = common_prefix_length(V6, b['mapped'], b['source_mapped'])
                if ca != cb:
                    return -1 if ca > cb else 1
            return a['index'] - b['index']

        ordered = sorted(info, key=functools.cmp_to_key(compare))
        return [{'address': d['address'], 'reachable': d['usable'], 'source': d['source'], 'precedence': d['precedence'],
                 'label': d['label']} for d in ordered]

    # ---------------------------------------------------------- effective
    def effective_routes(self, family='ipv4'):
        if family not in ('ipv4', 'ipv6'):
            raise ArgumentError('family', "%r is not one of ipv4, ipv6" % (family,))
        fam = V4 if family == 'ipv4' else V6
        rows = []
        for entry in self.eligible[fam]:
            rows.append((entry, True, None))
        for entry, reason in self.blocked[fam]:
            if entry.route.store == 'active':
                rows.append((entry, False, reason))
        rows.sort(key=lambda row: (row[0].route.network, row[0].route.prefix_length, row[0].eff, row[0].route.interface))
        out = []
        for entry, eligible, reason in rows:
            item = entry.as_dict()
            iface = self.state.interface(entry.route.interface)
            item.update(interface_alias=iface.alias, protocol=entry.route.protocol, store=entry.route.store,
                        eligible=eligible, ineligible_reason=reason)
            out.append(item)
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


def engine_for(state, **options):
    """An Engine for a HostState or dict; errors other than WinnetError propagate unchanged."""
    return Engine(state, **options)


__all__ = ['Engine', 'WinnetError', 'ArgumentError', 'finding', 'dedupe_findings', 'engine_for', 'as_state', 'scope_of']
