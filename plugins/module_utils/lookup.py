# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which route, interface and source address Windows picks for a destination, with the trace.

A lookup runs the steps of the routing specification in order, each a method of ``_Lookup``
that adds its lines to the trace:

1. the arguments: destination (and its zone), the interface constraint, a bound source;
2. local and loopback destinations never leave the host (R10);
3. the source's interface constraint under strong host send, lifted by weak host send (R13, R14);
4. the longest prefix, then the lowest effective metric; a tie is broken by a bound source's
   interface (GetBestRoute) or reported as RouteOrder, a heuristic;
5. the source address of an unbound send (R16 for IPv4, R18 for IPv6), rule by rule
   (``SOURCE_RULES``, one table per family).

The trace is worded like the route and source selection events of
``Test-NetConnection -DiagnoseRouting``.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.findings import (
    finding,
    ignored_default_finding,
    ignored_manual_defaults,
    persistent_only_finding,
    tie_finding,
)
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import index_candidates
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    FAMILIES,
    FAMILY_NAME,
    V4,
    V6,
    common_prefix_length,
    format_address,
    is_limited_broadcast,
    is_link_local,
    is_loopback,
    is_multicast,
    parse_address,
    policy,
    scope_of,
)

TIE_BREAK_ROUTE_ORDER = 'RouteOrder (undocumented)'
TIE_BREAK_SOURCE = 'source interface'
TRACE_OTHERS = 3            # how many losing routes (and blocked ones) the trace names


def lookup(engine, destination, source=None, interface=None):
    """Route, interface and source Windows picks for ``destination``.

    Args:
        engine: the Engine of the host.
        destination: an address (an IPv6 link-local one may carry its zone, ``fe80::1%7``).
        source: an address assigned on the host that the socket is bound to, or None.
        interface: index or alias restricting routes and sources (like Find-NetRoute -InterfaceIndex).

    Returns:
        the route_lookup result (``disposition``, ``interface``, ``next_hop``, ``source``, ``route``,
        ``tie``, ``candidates``, ``flags``, ``findings``, ``trace`` ...).

    Raises:
        ArgumentError: an argument is not an address, names no interface, contradicts another.
    """
    return _Lookup(engine, destination, source, interface).run()


def lookup_many(engine, destinations, source=None, interface=None):
    """``lookup`` of each destination, in order; an error names ``destination[i]``."""
    if not isinstance(destinations, (list, tuple)):
        raise ArgumentError('destination', 'must be an address or a list of addresses')
    results = []
    for i, dest in enumerate(destinations):
        try:
            results.append(lookup(engine, dest, source=source, interface=interface))
        except ArgumentError as exc:
            if exc.argument == 'destination':
                raise ArgumentError('destination[%d]' % i, exc.reason) from None
            raise
    return results


def lookup_result(state, disposition, interface=None, next_hop=None, source=None, route=None, tie=False, tie_break=None,
                  candidates=(), trace=(), source_tie=False, flags=(), findings=()):
    """A route_lookup result in the public shape."""
    iface = state.interface(interface) if interface is not None else None
    unpinned = index_candidates(iface) if iface is not None else None
    if unpinned is not None:
        # an export did not say which interface this is: the answer is not definite
        flags = list(flags) + ['interface_unpinned']
        trace = list(trace) + ['Interface %d stands for an interface the export does not identify (one of %s): which interface '
                               'really holds this route is not known.' % (interface, ', '.join(str(i) for i in unpinned) or 'none listed')]
    return {
        'disposition': disposition,
        'interface': interface,
        'interface_alias': iface.alias if iface is not None else None,
        'next_hop': next_hop,
        'source': source,
        'route': route,
        'tie': tie,
        'tie_break': tie_break,
        'candidates': list(candidates),
        'source_tie': source_tie,
        'flags': sorted(set(flags)),
        # a lookup's findings in their public shape: what findings keep for proving fixes stays inside
        'findings': [dict((k, v) for k, v in item.items() if not k.startswith('_')) for item in findings],
        'trace': list(trace),
    }


class _Lookup:
    """One lookup: its checked arguments, and the trace, findings and flags it gathers on the way."""

    def __init__(self, engine, destination, source, interface):
        self.engine = engine
        self.state = engine.state
        self.trace = []
        self.findings = []
        self.flags = []
        self.family, self.value, zone = engine.address_argument(destination, 'destination')
        self.text = format_address(self.family, self.value)
        self.interface = self._interface(interface)
        if zone is not None:
            self.interface = self._zone(destination, zone)
        self.source, self.owners = self._source(destination, source)

    # ---------------------------------------------------------------- 1. the arguments
    def _interface(self, interface):
        if interface is None:
            return None
        iface = self.state.resolve_interface(interface, 'interface')
        if iface.settings(self.family) is None:
            raise ArgumentError('interface', 'interface %d (%s) has no %s settings' % (iface.index, iface.alias, FAMILY_NAME[self.family]))
        return iface

    def _zone(self, destination, zone):
        """The interface named by the zone of an IPv6 link-local destination (it must agree with ``interface``)."""
        if self.family != V6 or not is_link_local(V6, self.value):
            raise ArgumentError('destination', '%r: a zone is only meaningful on an IPv6 link-local address' % destination)
        zone_if = self.state.resolve_interface(int(zone) if zone.isascii() and zone.isdigit() else zone, 'destination')
        if self.interface is not None and self.interface.index != zone_if.index:
            raise ArgumentError('interface', 'interface %d contradicts the zone %%%s of %s' % (self.interface.index, zone, destination))
        return zone_if

    def _source(self, destination, source):
        """(source text, sorted indexes of the interfaces holding it) of a bound source; (None, None) without one."""
        if source is None:
            return None, None
        s_family, s_value, _zone = self.engine.address_argument(source, 'source')
        if s_family != self.family:
            raise ArgumentError('source', '%s is %s but destination %s is %s'
                                % (source, FAMILY_NAME[s_family], destination, FAMILY_NAME[self.family]))
        held = self.engine.local.get((s_family, s_value))
        if not held:
            raise ArgumentError('source', '%s is not a preferred or deprecated unicast address assigned on this host' % source)
        owners = sorted({a.interface for a in held})
        if self.interface is not None and self.interface.index not in owners:
            raise ArgumentError('source', '%s is not assigned on interface %d (%s)' % (source, self.interface.index, self.interface.alias))
        return format_address(self.family, s_value), owners

    def _opening_line(self):
        if self.source:
            source = 'Source: %s (interface %s). ' % (self.source, ', '.join(str(o) for o in self.owners))
        else:
            source = 'Source: unspecified. '
        constraint = 'ConstrainInterfaceIndex: %d.' % self.interface.index if self.interface is not None else 'No interface constraint.'
        return 'Destination: %s (%s). %s%s' % (self.text, FAMILY_NAME[self.family], source, constraint)

    # ---------------------------------------------------------------- the steps, in order
    def run(self):
        self.trace.append(self._opening_line())
        held = self.engine.local.get((self.family, self.value))
        if held or is_loopback(self.family, self.value):
            return self._local(held)
        self._ambiguous_zone()
        allowed, lifted = self._source_constraint()
        if self.interface is not None:
            allowed = frozenset([self.interface.index]) if allowed is None else allowed & frozenset([self.interface.index])
        bucket = self.engine.select(self.family, self.value, allowed)
        self._trace_blocked(bucket)
        self._trace_constraint(bucket, allowed)
        if bucket is None:
            self.trace.append('No route to %s%s.' % (self.text, ' within the constrained interfaces' if allowed is not None else ''))
            return lookup_result(self.state, 'no_route', source=self.source, trace=self.trace, flags=self.flags, findings=self.findings)
        winner, tied, tie, tie_break = self._break_ties(bucket)
        self._trace_selection(winner, bucket)
        route = winner.route
        next_hop = self.text if route.on_link else route.next_hop
        if route.on_link:
            self.trace.append('The route is on-link: the next hop is the destination itself (%s).' % self.text)
        self._default_only()
        source, source_tie = self._source_address(route, next_hop, lifted)
        self._ignored_default_warning(route)
        return lookup_result(self.state, 'route', route.interface, next_hop, source, winner.as_dict(), tie, tie_break,
                             [e.as_dict() for e in tied], self.trace, source_tie, self.flags, self.findings)

    # ---------------------------------------------------------------- 2. local destinations
    def _local(self, held):
        """R10: an address of the host (delivered on its interface) or the loopback range (the pseudo-interface)."""
        if held:
            interface = held[0].interface
            source = self.text
            self.trace.append('%s is assigned on interface %d: delivered locally, never on the wire.' % (self.text, interface))
            if self.owners is not None and interface not in self.owners and not any(
                    self.state.interface(o).settings(self.family).weak_host_send for o in self.owners):
                self.findings.append(finding(
                    'bound_source_to_other_local_interface', 'warning',
                    'A socket bound to %s (interface %s) sends to %s on interface %d; whether strong host send allows this is undocumented.'
                    % (self.source, ', '.join(str(o) for o in self.owners), self.text, interface),
                    'Bind to %s or leave the source unspecified.' % self.text, interfaces=list(self.owners) + [interface]))
        else:
            pseudo = [i for i in self.state.interfaces if i.kind == 'loopback_pseudo' and i.settings(self.family) is not None]
            interface = pseudo[0].index if pseudo else None
            source = FAMILIES[self.family].loopback
            self.trace.append('%s is in the loopback range: delivered locally by the Loopback Pseudo-Interface.' % self.text)
        if self.source is not None:
            source = self.source
        return lookup_result(self.state, 'local', interface, source=source, trace=self.trace, findings=self.findings)

    def _ambiguous_zone(self):
        """An IPv6 link-local destination without a zone reached by several interfaces."""
        if self.family != V6 or not is_link_local(V6, self.value) or self.interface is not None:
            return
        zones = sorted({e.route.interface for e in (self.engine.select(V6, self.value) or ())})
        if len(zones) > 1:
            self.findings.append(finding(
                'ambiguous_zone', 'warning',
                '%s is link-local and no zone was given; interfaces %s all reach fe80::/64, so the interface is ambiguous.'
                % (self.text, ', '.join(str(z) for z in zones)),
                'Give the zone: %s%%<InterfaceIndex> (for example %s%%%d), or pass interface=.' % (self.text, self.text, zones[0]),
                interfaces=zones))

    # ---------------------------------------------------------------- 3. strong and weak host send
    def _source_constraint(self):
        """(interfaces the lookup may use or None, whether weak host send lifted the source's constraint)."""
        if self.owners is None:
            return None, False
        if self.state.is_partial('interfaces.settings'):
            self.findings.append(finding('partial_state', 'info',
                                         'Weak host send is not in this state; the lookup assumes strong host send for source %s.' % self.source,
                                         'Gather the host with winnet.routing.net_info for a definite answer.', interfaces=self.owners))
        allowed = self.engine.allowed_for_source(self.family, self.owners)
        if allowed is None or not allowed.issubset(self.owners):
            self.flags.append('weak_host_send')
            model = self.engine.weak_send_flag
            senders = sorted(i.index for i in self.state.interfaces
                             if i.settings(self.family) is not None and i.settings(self.family).weak_host_send
                             and (model != 'source_interface' or i.index in self.owners))
            self.trace.append('Weak host send on interface %s lifts the source interface constraint (model: %s).'
                              % (', '.join(str(o) for o in senders), model))
            return allowed, True
        self.trace.append('Strong host send: the lookup is restricted to the interfaces of source %s: %s.'
                          % (self.source, ', '.join(str(o) for o in sorted(allowed))))
        return allowed, False

    def _trace_blocked(self, bucket):
        """Routes of an equal or longer prefix that cannot be chosen (and the drift a persistent-only one is)."""
        if not self.engine.blocked[self.family]:
            return
        hit = self.engine.blocked_match(self.family, self.value)
        if hit is None:
            return
        plen = hit[0][0].route.prefix_length
        if bucket is not None and bucket[0].route.prefix_length > plen:
            return
        for entry, reason in hit[:TRACE_OTHERS]:
            self.trace.append('Route %s is blocked for Destination: %s. Reason: %s.' % (entry.label, self.text, reason))
            if reason == 'PersistentStoreOnly':
                self.findings.append(persistent_only_finding(entry.route))

    def _trace_constraint(self, bucket, allowed):
        """The route the whole table would choose, when the interface constraint rules it out."""
        if allowed is None:
            return
        free = self.engine.select(self.family, self.value, None)
        if free and (bucket is None or free[0].route.interface not in allowed):
            self.trace.append('Route %s is blocked for Destination: %s ConstrainInterfaceIndex: %s. Reason: InterfaceConstraint.'
                              % (free[0].label, self.text, ','.join(str(i) for i in sorted(allowed))))

    # ---------------------------------------------------------------- 4. longest prefix, metric, ties
    def _break_ties(self, bucket):
        """(winner, the tied routes, whether the tie stands, what broke it) of the winning bucket."""
        best = bucket[0].effective_metric
        tied = [e for e in bucket if e.effective_metric == best]
        if self.owners is not None and len(tied) == 1:
            # The constraint may hide a tie of the full table that the bound source breaks (GetBestRoute).
            free = self.engine.select(self.family, self.value, None)
            free_tied = [e for e in free if e.effective_metric == free[0].effective_metric] if free else []
            if len(free_tied) > 1 and tied[0] in free_tied:
                tied = free_tied
        tie = len(tied) > 1
        tie_break = None
        winner = tied[0]
        if tie and self.owners is not None:
            on_source = [e for e in tied if e.route.interface in self.owners]
            if len(on_source) == 1:
                winner, tie, tie_break = on_source[0], False, TIE_BREAK_SOURCE
                self.trace.append('Route %s is preferred over the other %d tied routes for Destination: %s. Reason: SourceInterface (GetBestRoute).'
                                  % (winner.label, len(tied) - 1, self.text))
            elif on_source:
                winner = on_source[0]
        if tie:
            tie_break = TIE_BREAK_ROUTE_ORDER
            self.flags.append('heuristic')
            self.trace.append('Routes %s tie at prefix length %d and effective metric %d. Reason: RouteOrder (undocumented); '
                              'the first in Get-NetRoute order is shown, as a heuristic.'
                              % (', '.join(e.label for e in tied), winner.route.prefix_length, best))
            self.findings.append(tie_finding(tied))
        return winner, tied, tie, tie_break

    def _trace_selection(self, winner, bucket):
        best = bucket[0].effective_metric
        for other in bucket[1:1 + TRACE_OTHERS]:
            if other.effective_metric != best:
                self.trace.append('Route %s is preferred over Route %s for Destination: %s. Reason: Metric (%d = %d + %d < %d = %d + %d).'
                                  % (winner.label, other.label, self.text, winner.effective_metric, winner.route.route_metric,
                                     winner.interface_metric, other.effective_metric, other.route.route_metric, other.interface_metric))
        self.trace.append('Route %s is selected for Destination: %s: longest matching prefix /%d, effective metric %d = RouteMetric %d + '
                          'InterfaceMetric %d.' % (winner.label, self.text, winner.route.prefix_length, winner.effective_metric,
                                                   winner.route.route_metric, winner.interface_metric))

    def _default_only(self):
        if is_multicast(self.family, self.value) or is_limited_broadcast(self.family, self.value):
            self.flags.append('default_only')
            self.trace.append('%s is %s: this is the default egress for unbound senders; applications may choose another interface.'
                              % (self.text, 'multicast' if is_multicast(self.family, self.value) else 'the limited broadcast'))

    def _ignored_default_warning(self, route):
        """A manual default route IgnoreDefaultRoutes keeps out, when the lookup ends on the default routes."""
        if route.prefix_length != 0 and self.engine.select(self.family, 0, None) is not None:
            return
        for ignored in ignored_manual_defaults(self.engine, self.family):
            self.findings.append(ignored_default_finding(self.state, ignored))

    # ---------------------------------------------------------------- 5. the source address
    def _source_address(self, route, next_hop, lifted):
        """(source text, whether the source rules left a tie)."""
        if self.source is None:
            source, source_tie = select_source(self.engine, self.family, self.value, route.interface, next_hop, self.trace)
            if source_tie:
                self.flags.append('heuristic')
            return source, source_tie
        self.trace.append('Source address %s is used as given (bound socket or reply). Rule = 0.' % self.source)
        if lifted and route.interface not in self.owners:
            self.trace.append('The packet leaves interface %d with source %s owned by interface %s.'
                              % (route.interface, self.source, ', '.join(str(o) for o in self.owners)))
        return self.source, False


# ------------------------------------------------------------------------- source address rules
# A rule is (its number in the specification, a test a preferred candidate passes, or a score the
# best candidates share); each family has its own list (KB 969029 for IPv4, RFC 6724 for IPv6).
def _ipv4_rules(dest, next_hop):
    return (
        ('1.0', lambda a: a.value == dest, None),
        ('3.0', lambda a: a.state == 'preferred', None),
        ('3.0', None, lambda a: common_prefix_length(V4, a.value, next_hop)),
        ('4.0', None, lambda a: common_prefix_length(V4, a.value, dest)),
    )


def _ipv4_capped_rules(dest, next_hop):
    """The IPv4 rules with the common prefix capped at the source's prefix length, as RFC 6724 does
    (KB 969029 states no cap; the trace notes when a cap would change the answer)."""
    return (
        ('1.0', lambda a: a.value == dest, None),
        ('3.0', lambda a: a.state == 'preferred', None),
        ('3.0', None, lambda a: min(common_prefix_length(V4, a.value, next_hop), a.prefix_length)),
        ('4.0', None, lambda a: min(common_prefix_length(V4, a.value, dest), a.prefix_length)),
    )


def _ipv6_rules(dest, _next_hop):
    d_scope = scope_of(V6, dest)
    d_label = policy(dest)[1]
    return (
        ('1.0', lambda a: a.value == dest, None),
        ('2.0', None, lambda a: -scope_of(V6, a.value) if scope_of(V6, a.value) >= d_scope else -1000 + scope_of(V6, a.value)),
        ('3.0', lambda a: a.state == 'preferred', None),
        ('6.0', lambda a: policy(a.value)[1] == d_label, None),
        ('7.0', lambda a: a.temporary, None),
        ('8.0', None, lambda a: min(common_prefix_length(V6, a.value, dest), a.prefix_length)),
    )


SOURCE_RULES = {V4: _ipv4_rules, V6: _ipv6_rules}
CAPPED_SOURCE_RULES = {V4: _ipv4_capped_rules, V6: None}
# The rule number that keeps the candidates of the outgoing interface.
OUTGOING_INTERFACE_RULE = {V4: '2.0', V6: '5.0'}


def select_source(engine, family, dest, out_if, next_hop_text, trace):
    """Source address for an unbound send (R16 for IPv4, R18 for IPv6) leaving interface ``out_if``.

    Returns:
        (address text or None, whether the rules left several candidates equal).
    """
    dest_text = format_address(family, dest)
    candidates = engine.sources_by_if.get((family, out_if))
    if not candidates:
        candidates = [a for (fam, _i), lst in engine.sources_by_if.items() if fam == family for a in lst]
        if not candidates:
            trace.append('No usable source address: no preferred address without SkipAsSource on this host.')
            return None, False
        trace.append('Interface %d has no usable source address; addresses of other interfaces are considered (undocumented).' % out_if)
    else:
        trace.append('Source candidates on the outgoing interface %d: %s. Rule = %s.'
                     % (out_if, ', '.join(a.address for a in candidates), OUTGOING_INTERFACE_RULE[family]))
    next_hop = parse_address(next_hop_text)[1]
    capped_rules = CAPPED_SOURCE_RULES[family]
    capped = _run_rules(candidates, capped_rules(dest, next_hop), [], dest_text) if capped_rules else None
    chosen = _run_rules(candidates, SOURCE_RULES[family](dest, next_hop), trace, dest_text)
    tie = len(chosen) > 1
    if tie:
        trace.append('Source addresses %s remain equal after every rule; the first is shown, as a heuristic.'
                     % ', '.join(a.address for a in chosen))
    if capped is not None and capped[0] is not chosen[0]:
        trace.append('Capping the common prefix at the source prefix length (as RFC 6724 does) would choose %s instead.' % capped[0].address)
    trace.append('Source address %s is selected for destination %s.' % (chosen[0].address, dest_text))
    return chosen[0].address, tie


def _run_rules(candidates, rules, trace, dest_text):
    """The candidates left after the rules, each rule keeping the ones it prefers (when it prefers some)."""
    current = list(candidates)
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
