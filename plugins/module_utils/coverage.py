# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Route coverage: for every destination of an address family, the interface its packets leave by.

The engine answers "where does this destination go?" one address at a time. Coverage answers it
for the whole address space at once: the ranges each interface carries, the ranges without a
route, and the routes that win for no destination at all (shadowed routes).

How it is computed. Route prefixes never overlap partially: two prefixes are either disjoint or
one contains the other. The engine's eligible routes are grouped by prefix, exactly as its
lookup table groups them (same eligibility: active store, connected interface, IgnoreDefaultRoutes;
same order inside a prefix: effective metric, then position in the state). Sorted by
(network, prefix length), the prefixes come in depth-first order of their containment tree, so
one pass with a stack hands every address range to the most specific prefix that contains it.
That prefix's first route (the one the engine's lookup picks) owns the range. The cost is
O(n log n) in the number of routes and does not depend on the size of the address space.

Destinations the host delivers to itself follow the engine's lookup too: an address assigned on
the host belongs to the interface that holds it, the loopback range to the Loopback
Pseudo-Interface (when the state lists one; otherwise the routes decide, as the state has no
interface to name). Which routes win is decided by the routes alone: such a destination counts
for the route the selection picks there (normally the host route of the address).

The coverage assumes an unbound sender (no source address, no interface constraint), as an
unbound lookup does. Under strong host send a socket bound to an address sends only by that
address's interfaces, so a route shadowed here may still carry replies;
``findings.shadowed_route_findings`` reports only the static routes that such traffic cannot use either.

Ranges stay integers until the end; they become CIDR text only for the answer, which is where
most of the time goes for a large table (one text per aligned block). netaddr's ``IPRange.cidrs``
gives the same CIDRs but builds objects for every piece and is several times slower per range
(benchmarks/bench_coverage.py measures both), too slow for 100,000 routes in a couple of seconds.
"""

from __future__ import annotations

import bisect
import socket
import struct

from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import route_ref
from ansible_collections.winnet.routing.plugins.module_utils.netutil import BITS, FAMILIES, FAMILY_NAME, V4, V6, format_address

# The loopback range of each family as (first, last): 127.0.0.0/8 and ::1/128.
LOOPBACK_RANGE = dict((number, (family.loopback_range[1] << family.loopback_range[0], ((family.loopback_range[1] + 1) << family.loopback_range[0]) - 1))
                      for number, family in FAMILIES.items())


class _Prefixes:
    """The prefixes of one family's routes, in (network, prefix length) order, as parallel lists.

    Parallel lists of integers rather than an object per prefix: a table of 100,000 routes then
    allocates no container per prefix or range, which keeps Python's cyclic garbage collector
    from walking the whole state again and again during the pass.
    """

    __slots__ = ('family', 'networks', 'lasts', 'plens', 'routes', 'owners', 'won', 'parent')

    def __init__(self, family, entries):
        groups = {}
        for entry in entries:
            route = entry.route
            key = (route.network << 8) | route.prefix_length
            have = groups.get(key)
            if have is None:
                groups[key] = entry
            elif isinstance(have, list):
                have.append(entry)
            else:
                groups[key] = [have, entry]
        bits = BITS[family]
        keys = sorted(groups)
        self.family = family
        self.networks = networks = [key >> 8 for key in keys]
        self.plens = plens = [key & 0xFF for key in keys]
        self.lasts = [network | ((1 << (bits - plen)) - 1) for network, plen in zip(networks, plens)]
        # One route per prefix is kept as the entry itself, several as a list sorted as the engine sorts them.
        self.routes = routes = [groups[key] for key in keys]
        for group in routes:
            if isinstance(group, list):
                group.sort(key=lambda e: (e.effective_metric, e.order))
        self.owners = [(group[0] if isinstance(group, list) else group).route.interface for group in routes]
        self.won = bytearray(len(keys))
        self.parent = [-1] * len(keys)

    def first(self, i):
        """The route the engine picks at prefix ``i``."""
        group = self.routes[i]
        return group[0] if isinstance(group, list) else group

    def group(self, i):
        """All the routes of prefix ``i``, in the engine's order."""
        group = self.routes[i]
        return group if isinstance(group, list) else [group]

    def tier(self, i):
        """The routes of prefix ``i`` at the best effective metric: the first is the engine's pick, the others tie with it."""
        group = self.group(i)
        best = group[0].effective_metric
        return [e for e in group if e.effective_metric == best]


def _sweep(table, segments=None):
    """Hand each address to its most specific prefix, in one pass over the sorted prefixes.

    Fills ``table.won`` (the prefix wins at least one address) and ``table.parent`` (the prefix
    directly around it, or -1). With ``segments`` (three lists: firsts, lasts, owners), appends
    the ranges in address order, together covering the whole family; the owner is the interface
    index of the route the engine picks there, or None where no route matches. Neighbouring
    ranges of the same owner are merged.
    """
    networks, lasts, owners, won, parent = table.networks, table.lasts, table.owners, table.won, table.parent
    if segments is not None:
        s_first, s_last, s_owner = segments

        def emit(first, last, owner):
            if s_owner and s_owner[-1] == owner and s_last[-1] + 1 == first:
                s_last[-1] = last
            else:
                s_first.append(first)
                s_last.append(last)
                s_owner.append(owner)
    else:
        emit = None
    stack = []
    cursor = 0
    for i, start in enumerate(networks):
        while stack and lasts[stack[-1]] < start:
            done = stack.pop()
            end = lasts[done]
            if cursor <= end:
                won[done] = 1
                if emit:
                    emit(cursor, end, owners[done])
                cursor = end + 1
        if stack:
            up = parent[i] = stack[-1]
            if cursor < start:
                won[up] = 1
                if emit:
                    emit(cursor, start - 1, owners[up])
        elif cursor < start and emit:
            emit(cursor, start - 1, None)
        cursor = start
        stack.append(i)
    while stack:
        done = stack.pop()
        end = lasts[done]
        if cursor <= end:
            won[done] = 1
            if emit:
                emit(cursor, end, owners[done])
            cursor = end + 1
    top = (1 << BITS[table.family]) - 1
    if cursor <= top and emit:
        emit(cursor, top, None)
    return segments


def _local_overrides(engine, family):
    """Address ranges the engine's lookup delivers locally, as sorted ``(first, last, interface)``.

    Each assigned address goes to the interface the lookup names (the one holding it); the rest of
    the loopback range to the interface the lookup names for it, when there is one.
    """
    points = {}
    for (fam, value), _held in engine.local.items():
        if fam != family:
            continue
        try:
            answer = engine.lookup(format_address(family, value))
        except WinnetError:
            continue
        if answer['disposition'] == 'local' and answer['interface'] is not None:
            points[value] = answer['interface']
    out = []
    first, last = LOOPBACK_RANGE[family]
    probe = first
    while probe in points and probe <= last:
        probe += 1
    loop_if = None
    if probe <= last:
        answer = engine.lookup(format_address(family, probe))
        if answer['disposition'] == 'local':
            loop_if = answer['interface']
    inside = sorted(v for v in points if first <= v <= last) if loop_if is not None else []
    for value in sorted(points):
        if loop_if is not None and first <= value <= last:
            continue
        out.append((value, value, points[value]))
    if loop_if is not None:
        cursor = first
        for value in inside:
            if cursor < value:
                out.append((cursor, value - 1, loop_if))
            out.append((value, value, points[value]))
            cursor = value + 1
        if cursor <= last:
            out.append((cursor, last, loop_if))
        out.sort()
    return out


def _overlay(segments, overrides):
    """The segments (firsts, lasts, owners) with the override ranges ``(first, last, owner)`` put on top.

    Overrides that only repeat what the routes already say (an address's host route on the
    interface that holds it) change nothing; when every override is such, the segments are
    returned as they are, so the cost is one binary search per override.
    """
    s_first, s_last, s_owner = segments
    needed = []
    for item in overrides:
        o_first, o_last, o_owner = item
        i = bisect.bisect_right(s_first, o_first) - 1
        while i < len(s_first) and s_first[i] <= o_last:
            if s_owner[i] != o_owner:
                needed.append(item)
                break
            i += 1
    if not needed:
        return segments
    out = ([], [], [])
    n_first, n_last, n_owner = out

    def emit(first, last, owner):
        if n_owner and n_owner[-1] == owner and n_last[-1] + 1 == first:
            n_last[-1] = last
        else:
            n_first.append(first)
            n_last.append(last)
            n_owner.append(owner)

    k, count = 0, len(needed)
    for first, last, owner in zip(s_first, s_last, s_owner):
        pos = first
        while k < count and needed[k][0] <= last:
            o_first, o_last, o_owner = needed[k]
            if o_first > pos:
                emit(pos, o_first - 1, owner)
            emit(max(o_first, pos), min(o_last, last), o_owner)
            pos = min(o_last, last) + 1
            if o_last > last:
                break
            k += 1
        if pos <= last:
            emit(pos, last, owner)
    return out


_PACK_V4 = struct.Struct('>I').pack
# '/<prefix length>' of a block of 2**size addresses, per family.
_SUFFIX = {family: ['/%d' % (bits - size) for size in range(bits + 1)] for family, bits in BITS.items()}


def _texts(family, firsts, lasts):
    """The CIDR texts of sorted ranges: the fewest aligned blocks that cover each range exactly.

    This is the answer's hot loop (one append per block), hence the local names and the
    per-family address writers.
    """
    out = []
    append = out.append
    bits = BITS[family]
    suffix = _SUFFIX[family]
    if family == V4:
        ntoa, pack = socket.inet_ntoa, _PACK_V4
        for first, last in zip(firsts, lasts):
            while first <= last:
                size = (first & -first).bit_length() - 1 if first else bits
                fit = (last - first + 1).bit_length() - 1
                if fit < size:
                    size = fit
                append(ntoa(pack(first)) + suffix[size])
                first += 1 << size
    else:
        ntop, af = socket.inet_ntop, socket.AF_INET6
        for first, last in zip(firsts, lasts):
            while first <= last:
                size = (first & -first).bit_length() - 1 if first else bits
                fit = (last - first + 1).bit_length() - 1
                if fit < size:
                    size = fit
                append(ntop(af, first.to_bytes(16, 'big')) + suffix[size])
                first += 1 << size
    return out


class Coverage:
    """The coverage of one family of one engine (see the module docstring).

    ``entries`` restricts the routes considered (default: every eligible route of the family, with
    the local deliveries of the engine's lookup on top); a restricted coverage only says which
    routes win (``wins``), as the ranges of a restricted table are not what an unbound sender sees.
    Without ``ranges`` the pass records no range: only which routes win (``shadowed``, ``wins``).
    """

    def __init__(self, engine, family, entries=None, ranges=True):
        self.engine = engine
        self.family = family
        self.restricted = entries is not None
        self.table = _Prefixes(family, engine.eligible[family] if entries is None else entries)
        self._segments = _sweep(self.table, ([], [], []) if ranges and not self.restricted else None)
        self._ranges = None
        self._index = None

    @property
    def ranges(self):
        """Owner (interface index, or None for no route) -> (firsts, lasts): its ranges in address order."""
        if self._segments is None:
            raise ValueError('this coverage was built without ranges')
        if self._ranges is None:
            ranges = {}
            firsts, lasts, owners = _overlay(self._segments, _local_overrides(self.engine, self.family))
            for first, last, owner in zip(firsts, lasts, owners):
                mine = ranges.get(owner)
                if mine is None:
                    mine = ranges[owner] = ([], [])
                mine[0].append(first)
                mine[1].append(last)
            self._ranges = ranges
        return self._ranges

    def texts(self, owner):
        """The CIDRs of an owner (interface index, or None for no route)."""
        firsts, lasts = self.ranges.get(owner, ((), ()))
        return _texts(self.family, firsts, lasts)

    def size(self, owner):
        """How many addresses an owner's ranges hold."""
        firsts, lasts = self.ranges.get(owner, ((), ()))
        return sum(lasts) - sum(firsts) + len(firsts)

    def shadowed(self):
        """``(entry, reason, shadowing entries)`` for each route that wins for no destination, in state order.

        ``reason`` is ``covered`` (more specific prefixes take every destination of the prefix:
        the shadowing entries are those picked at the prefixes directly inside it) or ``metric``
        (another route of the same prefix has a lower effective metric: the shadowing entries are
        the routes at the best metric). Routes tied with the winner are not shadowed: Windows
        may pick any of them.
        """
        table = self.table
        won, routes = table.won, table.routes
        inside = {}
        for i, up in enumerate(table.parent):
            if up >= 0 and not won[up]:
                inside.setdefault(up, []).append(table.first(i))
        out = []
        for i, group in enumerate(routes):
            if not won[i]:
                by = inside.get(i, [])
                out.extend((entry, 'covered', by) for entry in table.group(i))
            elif isinstance(group, list):
                tier = table.tier(i)
                out.extend((entry, 'metric', tier) for entry in group[len(tier):])
        out.sort(key=lambda item: item[0].order)
        return out

    def wins(self, entry):
        """Whether this entry owns at least one destination (it is its prefix's pick, or tied with it)."""
        index = self._index
        table = self.table
        if index is None:
            index = self._index = dict(((network << 8) | plen, i) for i, (network, plen) in enumerate(zip(table.networks, table.plens)))
        i = index.get((entry.route.network << 8) | entry.route.prefix_length)
        return i is not None and bool(table.won[i]) and entry in table.tier(i)

    def public(self):
        """The answer of the route_coverage filter."""
        family = self.family
        ranges = self.ranges
        by_interface = {}
        for iface in self.engine.state.interfaces:
            if iface.settings(family) is not None or iface.index in ranges:
                by_interface[iface.alias] = self.texts(iface.index)
        return {'by_interface': by_interface, 'unrouted': self.texts(None),
                'shadowed': [route_ref(entry.route) for entry, _reason, _by in self.shadowed()]}

    def report(self):
        """The audit report's view, per interface: its ranges, how many addresses they hold, and the routes that win them.

        ``routes`` lists each winning prefix once, without the host and broadcast routes Windows
        adds for the host's own addresses, with ``part``: true when some of its destinations
        leave by another interface, and ``tie``: the other interfaces whose routes tie with the
        one picked there, by alias (Windows may use any of them).
        """
        table = self.table
        st = self.engine.state
        won, parent, owners = table.won, table.parent, table.owners
        count = len(owners)
        bits = BITS[self.family]
        below = [None] * count  # owners of the winning prefixes inside each prefix (itself included)
        for i in range(count - 1, -1, -1):
            mine = below[i] or set()
            if won[i]:
                mine.add(owners[i])
            up = parent[i]
            if up >= 0 and mine:
                if below[up] is None:
                    below[up] = set(mine)
                else:
                    below[up] |= mine
            below[i] = mine
        routes = {}
        for i in range(count):
            route = table.first(i).route
            if not won[i] or (route.protocol == 'local' and route.prefix_length == bits):
                continue
            tied = sorted({e.route.interface for e in table.tier(i)[1:]} - {owners[i]})
            routes.setdefault(owners[i], []).append({'prefix': route.destination, 'part': len(below[i]) > 1,
                                                     'tie': [st.interface(index).alias for index in tied]})
        space = 1 << BITS[self.family]
        rows = []
        for iface in self.engine.state.interfaces:
            if iface.index not in self.ranges:
                continue
            size = self.size(iface.index)
            rows.append({'interface': iface.index, 'alias': iface.alias, 'addresses': size, 'share': size / float(space),
                         'routes': routes.get(iface.index, []), 'ranges': self.texts(iface.index)})
        rows.sort(key=lambda row: -row['addresses'])
        unrouted = self.size(None)
        return {'interfaces': rows, 'unrouted': self.texts(None), 'unrouted_addresses': unrouted, 'unrouted_share': unrouted / float(space),
                'shadowed': [dict(route_ref(entry.route), reason=reason) for entry, reason, _by in self.shadowed()]}


def route_coverage(engine, family):
    """``{by_interface, unrouted, shadowed}`` for one family (V4 or V6): the route_coverage filter's answer.

    Raises:
        ArgumentError: the state is partial and does not carry the family's routes.
    """
    engine.require('route_coverage', 'routes.' + FAMILY_NAME[family])
    return Coverage(engine, family).public()


def coverage_table(engine):
    """The report's per-family coverage tables, for the families the state carries routes of."""
    out = {}
    for family in (V4, V6):
        if engine.state.is_partial('routes.' + FAMILY_NAME[family]):
            continue
        if not any(i.settings(family) is not None for i in engine.state.interfaces):
            continue
        out[FAMILY_NAME[family]] = Coverage(engine, family).report()
    return out
