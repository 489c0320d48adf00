# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties of the engine on random route tables, against a brute-force reference.

The reference is written straight from the specification's pseudo-code (section 3) with the
standard library's ``ipaddress`` and a linear scan; it shares no code with the engine.
"""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState

SETTINGS = settings(max_examples=examples(150))

V4_LENGTHS = (0, 8, 12, 16, 20, 24, 28, 30, 32)
V6_LENGTHS = (0, 16, 32, 48, 56, 64, 96, 128)


def _v4(bits24):
    return str(ipaddress.IPv4Address((10 << 24) | bits24))


def _v6(bits):
    return str(ipaddress.IPv6Address((0x20010db8 << 96) | bits))


@st.composite
def states(draw, family):
    n_ifaces = draw(st.integers(2, 5))
    interfaces, addresses, routes = [], [], []
    for k in range(n_ifaces):
        index = 2 + k
        settings4 = {'metric': draw(st.integers(0, 40)), 'weak_host_send': draw(st.booleans()), 'ignore_default_routes': draw(st.booleans())}
        settings6 = {'metric': draw(st.integers(0, 40)), 'weak_host_send': draw(st.booleans()), 'ignore_default_routes': draw(st.booleans())}
        interfaces.append({'index': index, 'alias': 'if%d' % index, 'kind': 'ethernet', 'connected': draw(st.sampled_from([True, True, True, False])),
                           'ipv4': settings4, 'ipv6': settings6})
        if family == 4:
            addresses.append({'address': _v4((k + 1) << 8 | 10), 'prefix_length': 24, 'interface': index})
        else:
            addresses.append({'address': _v6((k + 1) << 64 | 10), 'prefix_length': 64, 'interface': index})
    seen = set()
    for _attempt in range(draw(st.integers(0, 25))):
        iface = draw(st.sampled_from(interfaces))['index']
        if family == 4:
            plen = draw(st.sampled_from(V4_LENGTHS))
            net = ipaddress.IPv4Network(((10 << 24) | draw(st.integers(0, 3)) << 8 | draw(st.integers(0, 255)), 32)).supernet(new_prefix=plen)
            hop = draw(st.sampled_from(['0.0.0.0', _v4(draw(st.integers(1, 5)) << 8 | 1)]))
        else:
            plen = draw(st.sampled_from(V6_LENGTHS))
            net = ipaddress.IPv6Network(((0x20010db8 << 96) | draw(st.integers(0, 3)) << 64 | draw(st.integers(0, 255)), 128)).supernet(new_prefix=plen)
            hop = draw(st.sampled_from(['::', 'fe80::1']))
        store = draw(st.sampled_from(['active', 'active', 'active', 'persistent']))
        key = (str(net), hop, iface, store)
        if key in seen:
            continue
        seen.add(key)
        routes.append({'destination': str(net), 'next_hop': hop, 'interface': iface, 'route_metric': draw(st.integers(0, 30)), 'store': store})
    return {'schema': 'winnet.routing/v1', 'interfaces': interfaces, 'addresses': addresses, 'routes': routes}


def destinations(family):
    if family == 4:
        return st.builds(lambda a, b: _v4(a << 8 | b), st.integers(0, 6), st.integers(0, 255))
    return st.builds(lambda a, b: _v6(a << 64 | b), st.integers(0, 6), st.integers(0, 255))


class Reference:
    """The specification's pseudo-code, as literally as possible."""

    def __init__(self, data):
        self.data = HostState.from_dict(data).to_dict()
        self.ifaces = {i['index']: i for i in self.data['interfaces']}
        self.routes = [(order, r, ipaddress.ip_network(r['destination'])) for order, r in enumerate(self.data['routes'])]
        self.local = {ipaddress.ip_address(a['address']): a['interface'] for a in self.data['addresses']}

    def settings(self, route, net):
        return self.ifaces[route['interface']]['ipv4' if net.version == 4 else 'ipv6']

    def eligible(self, version):
        out = []
        for order, r, net in self.routes:
            if net.version != version or r['store'] != 'active' or not self.ifaces[r['interface']]['connected']:
                continue
            if net.prefixlen == 0 and self.settings(r, net)['ignore_default_routes']:
                continue
            out.append((order, r, net))
        return out

    def lookup(self, dst, src=None, if_constraint=None):
        dst = ipaddress.ip_address(dst)
        if dst in self.local:
            return 'local', []
        routes = self.eligible(dst.version)
        owners = None
        if src is not None:
            owners = {self.local[ipaddress.ip_address(src)]}
            if not any(self.ifaces[o]['ipv4' if dst.version == 4 else 'ipv6']['weak_host_send'] for o in owners):
                routes = [x for x in routes if x[1]['interface'] in owners]
        if if_constraint is not None:
            routes = [x for x in routes if x[1]['interface'] == if_constraint]
        matches = [x for x in routes if dst in x[2]]
        if not matches:
            return 'no_route', []
        longest = max(x[2].prefixlen for x in matches)
        matches = [x for x in matches if x[2].prefixlen == longest]
        eff = {x[0]: x[1]['route_metric'] + self.settings(x[1], x[2])['metric'] for x in matches}
        best = min(eff.values())
        winners = [x for x in matches if eff[x[0]] == best]
        if len(winners) > 1 and owners is not None:
            on_source = [x for x in winners if x[1]['interface'] in owners]
            winners = on_source or winners
        winners.sort(key=lambda x: x[0])
        return 'route', [(x[1]['destination'], x[1]['next_hop'], x[1]['interface'], best) for x in winners]


def _key(route):
    return (route['destination'], route['next_hop'], route['interface'], route['effective_metric'])


def check_against_reference(data, dests, family):
    engine = Engine(data)
    ref = Reference(data)
    for dst in dests:
        result = engine.lookup(dst)
        disposition, winners = ref.lookup(dst)
        assert result['disposition'] == disposition, (dst, result['trace'])
        if disposition == 'route':
            assert sorted(_key(c) for c in result['candidates']) == sorted(winners), (dst, result['trace'])
            assert result['tie'] == (len(winners) > 1)
            assert _key(result['route']) == winners[0]
        for iface in data['interfaces']:
            constrained = engine.lookup(dst, interface=iface['index'])
            disposition, winners = ref.lookup(dst, if_constraint=iface['index'])
            assert constrained['disposition'] == disposition
            if disposition == 'route':
                assert sorted(_key(c) for c in constrained['candidates']) == sorted(winners)
        for addr in data['addresses']:
            bound = engine.lookup(dst, source=addr['address'])
            disposition, winners = ref.lookup(dst, src=addr['address'])
            assert bound['disposition'] == disposition, (dst, addr['address'], bound['trace'])
            if disposition == 'route':
                if len(winners) == 1:
                    assert _key(bound['route']) == winners[0], (dst, addr['address'], bound['trace'])
                    assert bound['tie'] is False
                else:
                    assert bound['tie'] is True and _key(bound['route']) in winners


@SETTINGS
@given(data=states(4), dests=st.lists(destinations(4), min_size=1, max_size=12))
def test_ipv4_lookup_equals_brute_force(data, dests):
    check_against_reference(data, dests, 4)


@SETTINGS
@given(data=states(6), dests=st.lists(destinations(6), min_size=1, max_size=12))
def test_ipv6_lookup_equals_brute_force(data, dests):
    check_against_reference(data, dests, 6)


@SETTINGS
@given(data=states(4), dests=st.lists(destinations(4), min_size=1, max_size=12), metric=st.integers(0, 30), plen=st.sampled_from([8, 16, 24, 32]))
def test_a_route_that_never_matches_changes_no_answer(data, dests, metric, plen):
    before = Engine(data).lookup_many(dests)
    iface = data['interfaces'][0]['index']
    data = dict(data, routes=data['routes'] + [{'destination': str(ipaddress.IPv4Network(('172.16.0.0', plen), strict=False)),
                                               'next_hop': '0.0.0.0', 'interface': iface, 'route_metric': metric}])
    assert Engine(data).lookup_many(dests) == before


@SETTINGS
@given(data=states(4), dests=st.lists(destinations(4), min_size=1, max_size=12))
def test_winner_has_minimal_effective_metric_among_longest_matches(data, dests):
    engine = Engine(data)
    for dst in dests:
        result = engine.lookup(dst)
        if result['disposition'] != 'route':
            continue
        table = [r for r in engine.effective_routes('ipv4') if r['eligible']]
        address = ipaddress.ip_address(dst)
        matches = [r for r in table if address in ipaddress.ip_network(r['destination'])]
        longest = max(ipaddress.ip_network(r['destination']).prefixlen for r in matches)
        assert ipaddress.ip_network(result['route']['destination']).prefixlen == longest
        assert result['route']['effective_metric'] == min(r['effective_metric'] for r in matches
                                                          if ipaddress.ip_network(r['destination']).prefixlen == longest)


@SETTINGS
@given(data=states(4))
def test_round_trip_of_random_states(data):
    state = HostState.from_dict(data)
    assert HostState.from_dict(state.to_dict()) == state
