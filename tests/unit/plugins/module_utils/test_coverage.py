# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""route_coverage and the shadowed_route finding: hand-checked tables, and properties against the engine's own lookup.

Expected ranges are written out by hand, or built with netaddr's ``IPSet`` (an address-set
library that shares no code with the coverage) from the prefixes a reader can check: "the whole
space minus 10.0.0.0/8 and 198.51.100.0/24". The properties compare the coverage with
``Engine.lookup`` on every elementary interval of random tables: between two consecutive prefix
boundaries no route starts or ends, so one address answers for the whole interval.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netaddr import IPNetwork, IPSet

from ansible.errors import AnsibleFilterError
from ansible_collections.winnet.routing.plugins.filter import route_coverage as route_coverage_filter
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.findings import shadowed_route_findings

SETTINGS = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ALL = {4: '0.0.0.0/0', 6: '::/0'}


def nic(index, alias, metric=25, metric6=None, connected=True, ignore_default=False, weak_send=False):
    item = {'index': index, 'alias': alias, 'kind': 'ethernet', 'connected': connected,
            'ipv4': {'metric': metric, 'ignore_default_routes': ignore_default, 'weak_host_send': weak_send}}
    if metric6 is not None:
        item['ipv6'] = {'metric': metric6, 'ignore_default_routes': ignore_default, 'weak_host_send': weak_send}
    return item


def addr(address, plen, interface):
    return {'address': address, 'prefix_length': plen, 'interface': interface}


def route(destination, next_hop, interface, metric=0, store='active', protocol='netmgmt'):
    return {'destination': destination, 'next_hop': next_hop, 'interface': interface, 'route_metric': metric, 'store': store, 'protocol': protocol}


def state(interfaces, addresses, routes):
    return {'schema': 'winnet.routing/v1', 'hostname': 'web01', 'interfaces': interfaces, 'addresses': addresses, 'routes': routes}


def two_nics(*routes, nic2=None):
    """NIC1 (index 3, metric 10) 192.0.2.10/24; NIC2 (index 4, metric 20) 198.51.100.10/24; the default gateway on NIC1."""
    return state([nic(3, 'NIC1', 10), nic2 or nic(4, 'NIC2', 20)],
                 [addr('192.0.2.10', 24, 3), addr('198.51.100.10', 24, 4)],
                 [route('0.0.0.0/0', '192.0.2.1', 3)] + list(routes))


def cidrs(*parts, minus=()):
    """CIDR texts of the union of ``parts`` minus ``minus``, computed by netaddr."""
    return [str(c) for c in (IPSet(parts) - IPSet(minus)).iter_cidrs()]


def shadowed_keys(result):
    return [(r['destination'], r['next_hop'], r['interface']) for r in result['shadowed']]


def finding_ids(data):
    return [f['id'] for f in Engine(data).findings()]


# ------------------------------------------------------------------------------ hand-checked tables
def test_one_nic_with_a_default_route_carries_everything():
    data = state([nic(3, 'NIC1')], [addr('192.0.2.10', 24, 3)], [route('0.0.0.0/0', '192.0.2.1', 3)])
    assert Engine(data).route_coverage() == {'by_interface': {'NIC1': ['0.0.0.0/0']}, 'unrouted': [], 'shadowed': []}


def test_without_a_default_route_the_rest_is_unrouted():
    data = state([nic(3, 'NIC1')], [addr('192.0.2.10', 24, 3)], [])
    result = Engine(data).route_coverage()
    assert result['by_interface'] == {'NIC1': ['192.0.2.0/24', '224.0.0.0/4', '255.255.255.255/32']}
    assert result['unrouted'] == cidrs('0.0.0.0/0', minus=['192.0.2.0/24', '224.0.0.0/4', '255.255.255.255/32'])
    assert result['unrouted'][:3] == ['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/23']


def test_the_default_route_wins_only_what_is_left():
    data = two_nics(route('10.0.0.0/8', '198.51.100.1', 4))
    result = Engine(data).route_coverage()
    assert result['by_interface']['NIC2'] == ['10.0.0.0/8', '198.51.100.0/24']
    assert result['by_interface']['NIC1'] == cidrs('0.0.0.0/0', minus=['10.0.0.0/8', '198.51.100.0/24'])
    assert result['unrouted'] == []
    # NIC2's multicast and broadcast routes lose to NIC1's copies (metric 20 against 10)
    assert shadowed_keys(result) == [('224.0.0.0/4', '0.0.0.0', 4), ('255.255.255.255/32', '0.0.0.0', 4)]


def test_a_route_covered_by_more_specific_routes_is_shadowed_and_reported():
    data = two_nics(route('203.0.113.0/24', '192.0.2.1', 3, 5), route('203.0.113.0/25', '192.0.2.1', 3, 9),
                    route('203.0.113.128/25', '192.0.2.254', 3, 9))
    result = Engine(data).route_coverage()
    assert result['shadowed'][0] == {'destination': '203.0.113.0/24', 'next_hop': '192.0.2.1', 'interface': 3, 'route_metric': 5,
                                     'store': 'active', 'protocol': 'netmgmt'}
    findings = [f for f in Engine(data).findings() if f['id'] == 'shadowed_route']
    assert len(findings) == 1
    item = findings[0]
    assert item['severity'] == 'warning'
    assert item['routes'] == [result['shadowed'][0]]
    assert [(r['destination'], r['next_hop'], r['effective_metric']) for r in item['shadowed_by']] == [
        ('203.0.113.0/25', '192.0.2.1', 19), ('203.0.113.128/25', '192.0.2.254', 19)]
    assert item['interfaces'] == [3]
    assert 'more specific routes take every destination in 203.0.113.0/24' in item['message']
    assert item['remediation'].startswith('Remove the route from the ActiveStore: it carries no traffic now')
    # The fix is proven on the state: removing the route clears the finding and raises no new error.
    assert item['cause'] == 'Route 203.0.113.0/24 via 192.0.2.1 on interface 3 (NIC1) wins for no destination'
    assert item['fix']['powershell'] == ["Remove-NetRoute -AddressFamily IPv4 -InterfaceIndex 3 -DestinationPrefix '203.0.113.0/24' "
                                         "-NextHop '192.0.2.1' -PolicyStore ActiveStore -Confirm:$false"]


def test_a_route_beaten_at_the_same_prefix_on_its_own_interface_is_reported_with_both_stores():
    # the persistent copies come first in the state; the finding lists the active copy first all the same
    data = two_nics(route('10.0.0.0/8', '192.0.2.1', 3, 10, store='persistent'), route('10.0.0.0/8', '192.0.2.2', 3, 20, store='persistent'),
                    route('10.0.0.0/8', '192.0.2.1', 3, 10), route('10.0.0.0/8', '192.0.2.2', 3, 20))
    result = Engine(data).route_coverage()
    assert ('10.0.0.0/8', '192.0.2.2', 3) in shadowed_keys(result)
    assert ('10.0.0.0/8', '192.0.2.1', 3) not in shadowed_keys(result)
    findings = [f for f in Engine(data).findings() if f['id'] == 'shadowed_route']
    assert [(r['next_hop'], r['store']) for r in findings[0]['routes']] == [('192.0.2.2', 'active'), ('192.0.2.2', 'persistent')]
    assert 'effective metric 20 (10 + 10) against 30 (20 + 10)' in findings[0]['message']
    assert findings[0]['remediation'].startswith('Remove the route from the ActiveStore and the PersistentStore: ')
    assert [op['store'] for op in findings[0]['fix']['plan']['operations']] == ['persistent', 'active']
    assert "-NextHop '192.0.2.2' -PolicyStore PersistentStore -Confirm:$false" in findings[0]['fix']['powershell'][0]
    assert len(findings) == 1


def test_a_route_replies_still_use_is_shadowed_for_unbound_senders_but_not_reported():
    # The second NIC's route loses to NIC1's for new connections, but replies from 198.51.100.10
    # (strong host send) may only leave by NIC2 and take it: not a dead route.
    data = two_nics(route('10.0.0.0/8', '192.0.2.1', 3, 0), route('10.0.0.0/8', '198.51.100.1', 4, 0))
    assert ('10.0.0.0/8', '198.51.100.1', 4) in shadowed_keys(Engine(data).route_coverage())
    assert 'shadowed_route' not in finding_ids(data)
    engine = Engine(data)
    assert engine.lookup('10.1.2.3', source='198.51.100.10')['route']['next_hop'] == '198.51.100.1'
    # With weak host send on NIC2 those replies may leave by NIC1 too: now nothing uses the route.
    weak = two_nics(route('10.0.0.0/8', '192.0.2.1', 3, 0), route('10.0.0.0/8', '198.51.100.1', 4, 0), nic2=nic(4, 'NIC2', 20, weak_send=True))
    assert 'shadowed_route' in finding_ids(weak)


def test_tied_routes_are_not_shadowed_and_the_range_follows_the_lookup():
    data = state([nic(3, 'NIC1', 10), nic(4, 'NIC2', 10)], [addr('192.0.2.10', 24, 3), addr('198.51.100.10', 24, 4)],
                 [route('10.0.0.0/8', '198.51.100.1', 4, 5), route('10.0.0.0/8', '192.0.2.1', 3, 5)])
    engine = Engine(data)
    result = engine.route_coverage()
    assert result['by_interface']['NIC2'][0] == '10.0.0.0/8'
    assert '10.0.0.0/8' not in result['by_interface']['NIC1']
    assert engine.lookup('10.9.9.9')['interface_alias'] == 'NIC2' and engine.lookup('10.9.9.9')['tie']
    assert not [k for k in shadowed_keys(result) if k[0] == '10.0.0.0/8']
    assert 'route_tie' in finding_ids(data) and 'shadowed_route' not in finding_ids(data)


def test_tied_routes_both_covered_are_both_shadowed():
    data = state([nic(3, 'NIC1', 10), nic(4, 'NIC2', 10)], [addr('192.0.2.10', 24, 3), addr('198.51.100.10', 24, 4)],
                 [route('10.0.0.0/8', '198.51.100.1', 4, 5), route('10.0.0.0/8', '192.0.2.1', 3, 5),
                  route('10.0.0.0/9', '192.0.2.1', 3), route('10.128.0.0/9', '198.51.100.1', 4)])
    result = Engine(data).route_coverage()
    assert [k for k in shadowed_keys(result) if k[0] == '10.0.0.0/8'] == [('10.0.0.0/8', '198.51.100.1', 4), ('10.0.0.0/8', '192.0.2.1', 3)]
    assert result['by_interface']['NIC1'][0] == '10.0.0.0/9' and result['by_interface']['NIC2'][0] == '10.128.0.0/9'
    # each NIC's /8 still carries replies from its own address into the other half: neither is reported
    assert 'shadowed_route' not in finding_ids(data)


def test_a_disconnected_interface_carries_nothing_but_its_own_address():
    data = two_nics(route('0.0.0.0/0', '198.51.100.1', 4, 0), nic2=nic(4, 'NIC2', 1, connected=False))
    result = Engine(data).route_coverage()
    # The engine delivers an address of the host locally wherever it is assigned (route_lookup: local, NIC2).
    assert result['by_interface']['NIC2'] == ['198.51.100.10/32']
    assert result['by_interface']['NIC1'] == cidrs('0.0.0.0/0', minus=['198.51.100.10/32'])
    assert Engine(data).lookup('198.51.100.10')['interface_alias'] == 'NIC2'
    assert shadowed_keys(result) == []  # routes that cannot compete are not "shadowed"


def test_ignore_default_routes_leaves_the_default_route_out():
    data = two_nics(route('0.0.0.0/0', '198.51.100.1', 4, 0), nic2=nic(4, 'NIC2', 1, ignore_default=True))
    result = Engine(data).route_coverage()
    # NIC2's metric (1) is lower than NIC1's (10): its multicast and broadcast routes win, its default route does not compete
    assert result['by_interface']['NIC2'] == ['198.51.100.0/24', '224.0.0.0/4', '255.255.255.255/32']
    assert ('0.0.0.0/0', '198.51.100.1', 4) not in shadowed_keys(result)
    assert 'shadowed_route' not in finding_ids(data)


def test_an_address_of_the_host_follows_the_lookup_not_a_static_host_route():
    # A static /32 to the host's own address on another NIC beats the host route on metric, but the
    # lookup delivers the address locally, on the interface holding it.
    data = two_nics(route('192.0.2.10/32', '198.51.100.1', 4, 0))
    engine = Engine(data)
    assert engine.lookup('192.0.2.10')['disposition'] == 'local'
    result = engine.route_coverage()
    assert result['by_interface'] == {'NIC1': cidrs('0.0.0.0/0', minus=['198.51.100.0/24']), 'NIC2': ['198.51.100.0/24']}


def test_the_loopback_range_belongs_to_the_loopback_pseudo_interface():
    data = state([{'index': 1, 'alias': 'Loopback Pseudo-Interface 1', 'kind': 'loopback_pseudo', 'ipv4': {'metric': 75}}, nic(3, 'NIC1')],
                 [addr('127.0.0.1', 8, 1), addr('192.0.2.10', 24, 3)], [route('0.0.0.0/0', '192.0.2.1', 3)])
    result = Engine(data).route_coverage()
    assert result['by_interface']['Loopback Pseudo-Interface 1'] == ['127.0.0.0/8']
    assert result['by_interface']['NIC1'] == cidrs('0.0.0.0/0', minus=['127.0.0.0/8'])


def test_without_the_loopback_pseudo_interface_the_routes_decide_the_loopback_range():
    data = state([nic(3, 'NIC1')], [addr('192.0.2.10', 24, 3)], [route('0.0.0.0/0', '192.0.2.1', 3)])
    assert Engine(data).route_coverage()['by_interface']['NIC1'] == ['0.0.0.0/0']
    answer = Engine(data).lookup('127.0.0.1')
    assert (answer['disposition'], answer['interface']) == ('local', None)  # the documented exception


def test_ipv6_with_link_local_and_on_link_routes():
    data = state([nic(3, 'NIC1', 10, 10), nic(4, 'NIC2', 20, 20)],
                 [addr('2001:db8:1::10', 64, 3), addr('fe80::1', 64, 3), addr('2001:db8:2::10', 64, 4), addr('fe80::2', 64, 4)],
                 [route('::/0', 'fe80::ffff', 3), route('2001:db8:99::/48', '::', 4, 0)])
    engine = Engine(data)
    result = engine.route_coverage('ipv6')
    assert result['by_interface']['NIC2'] == ['2001:db8:2::/64', '2001:db8:99::/48', 'fe80::2/128']
    assert result['by_interface']['NIC1'] == cidrs('::/0', minus=['2001:db8:2::/64', '2001:db8:99::/48', 'fe80::2/128'])
    assert result['unrouted'] == []
    # without a zone the link-local range goes by the lower metric, as the lookup says (with ambiguous_zone)
    answer = engine.lookup('fe80::99')
    assert answer['interface_alias'] == 'NIC1' and 'ambiguous_zone' in [f['id'] for f in answer['findings']]
    assert shadowed_keys(result) == [('fe80::/64', '::', 4), ('ff00::/8', '::', 4)]
    assert result['by_interface'] == route_coverage_filter.route_coverage(data, 'ipv6')['by_interface']


def test_every_interface_bound_to_the_family_is_listed():
    data = state([nic(3, 'NIC1'), nic(4, 'NIC2'), {'index': 5, 'alias': 'v6only', 'kind': 'ethernet', 'ipv6': {'metric': 5}}],
                 [addr('192.0.2.10', 24, 3)], [route('0.0.0.0/0', '192.0.2.1', 3)])
    # NIC2 has no address: its multicast and broadcast routes lose to NIC1's (same metric, NIC1 first: a tie)
    assert Engine(data).route_coverage()['by_interface'] == {'NIC1': ['0.0.0.0/0'], 'NIC2': []}
    assert Engine(data).route_coverage('ipv6') == {'by_interface': {'v6only': ['ff00::/8']}, 'unrouted': cidrs('::/0', minus=['ff00::/8']),
                                                   'shadowed': []}


def test_persistent_only_routes_do_not_compete():
    data = two_nics(route('10.0.0.0/8', '198.51.100.1', 4, 0, store='persistent'))
    result = Engine(data).route_coverage()
    assert '10.0.0.0/8' not in result['by_interface']['NIC2']
    assert 'shadowed_route' not in finding_ids(data)


# ------------------------------------------------------------------------------------ arguments
def test_bad_family_names_the_argument():
    with pytest.raises(ArgumentError, match=r"^family: 'ipv5' is not one of ipv4, ipv6"):
        Engine(two_nics()).route_coverage('ipv5')


def test_a_partial_state_without_the_family_is_refused():
    data = two_nics()
    data['partial'] = ['routes.ipv6']
    with pytest.raises(ArgumentError, match='route_coverage needs data this state does not carry'):
        Engine(data).route_coverage('ipv6')
    assert Engine(data).route_coverage('ipv4')['unrouted'] == []


def test_filter_translates_errors_and_accepts_omit():
    func = route_coverage_filter.FilterModule().filters()['route_coverage']
    assert func(two_nics(), '__omit_place_holder__x')['unrouted'] == []
    with pytest.raises(AnsibleFilterError, match=r'^winnet\.routing\.route_coverage: family: '):
        func(two_nics(), family='inet')
    with pytest.raises(AnsibleFilterError, match=r'routes\[0\]'):
        func(state([nic(3, 'NIC1')], [], [{'destination': '10.0.0.0/8'}]))


# ------------------------------------------------------------------------------------ properties
V4_LENGTHS = (0, 8, 12, 16, 20, 22, 23, 24, 25, 28, 30, 32)
V6_LENGTHS = (0, 16, 32, 48, 60, 63, 64, 65, 96, 127, 128)
BITS = {4: 32, 6: 128}


def _ip(family, value):
    return str(ipaddress.ip_address(value) if family == 4 else ipaddress.IPv6Address(value))


@st.composite
def hosts(draw):
    """Random hosts of one to four NICs (some disconnected, some ignoring default routes, some with weak host send),
    optionally the Loopback Pseudo-Interface, and up to 24 routes of both families that nest and collide."""
    interfaces, addresses, routes = [], [], []
    if draw(st.booleans()):
        interfaces.append({'index': 1, 'alias': 'Loopback Pseudo-Interface 1', 'kind': 'loopback_pseudo',
                           'ipv4': {'metric': 75}, 'ipv6': {'metric': 75}})
        addresses += [addr('127.0.0.1', 8, 1), addr('::1', 128, 1)]
    count = draw(st.integers(1, 4))
    for k in range(count):
        index = 2 + k

        def settings_():
            return {'metric': draw(st.sampled_from([5, 10, 15, 20, 25])), 'weak_host_send': draw(st.booleans()),
                    'ignore_default_routes': draw(st.sampled_from([False, False, False, True]))}
        interfaces.append({'index': index, 'alias': 'if%d' % index, 'kind': 'ethernet', 'connected': draw(st.sampled_from([True, True, True, False])),
                           'ipv4': settings_(), 'ipv6': settings_()})
        addresses += [addr('10.0.%d.10' % k, 24, index), addr('2001:db8:0:%x::10' % k, 64, index), addr('fe80::%x' % (k + 1), 64, index)]
    seen = set()
    for _attempt in range(draw(st.integers(0, 24))):
        family = draw(st.sampled_from([4, 4, 6]))
        index = draw(st.sampled_from(interfaces))['index']
        if family == 4:
            plen = draw(st.sampled_from(V4_LENGTHS))
            value = (10 << 24) | (draw(st.integers(0, 7)) << 8) | draw(st.sampled_from([0, 10, 64, 128, 200]))
            hop = draw(st.sampled_from(['0.0.0.0', '10.0.%d.1' % (index - 2 if index > 1 else 0)]))
        else:
            plen = draw(st.sampled_from(V6_LENGTHS))
            value = (0x20010DB8 << 96) | (draw(st.integers(0, 7)) << 64) | draw(st.sampled_from([0, 0x10, 0x80, 0xff]))
            hop = draw(st.sampled_from(['::', 'fe80::1']))
        network = ipaddress.ip_network((value, plen) if family == 4 else (ipaddress.IPv6Address(value), plen), strict=False)
        store = draw(st.sampled_from(['active', 'active', 'active', 'persistent']))
        key = (str(network), hop, index, store)
        if key in seen:
            continue
        seen.add(key)
        routes.append(route(str(network), hop, index, draw(st.sampled_from([0, 5, 10, 20])), store, draw(st.sampled_from(['netmgmt', 'netmgmt', 'dhcp']))))
    return state(interfaces, addresses, routes)


def intervals(engine, family):
    """Elementary intervals: no route prefix, host address or loopback range starts or ends inside one."""
    bits = BITS[family]
    bounds = {0, 1 << bits}
    for r in engine.state.routes:
        if r.family == family:
            bounds.update((r.network, r.network + (1 << (bits - r.prefix_length))))
    for a in engine.state.addresses:
        if a.family == family:
            bounds.update((a.value, a.value + 1))
    bounds.update((127 << 24, 128 << 24) if family == 4 else (1, 2, 0xFFFF << 32, 0x10000 << 32))
    points = sorted(bounds)
    return list(zip(points, [p - 1 for p in points[1:]]))


def _key(item):
    return (item['destination'], item['next_hop'], item['interface'])


def _entry_key(entry):
    return (entry.route.destination, entry.route.next_hop, entry.route.interface)


def used_routes(engine, family, first, source=None):
    """The routes the engine may send ``first`` by: the pick, and every tied candidate when the tie is not broken.
    For a destination delivered locally, the routes the engine's selection picks there."""
    text = _ip(family, first)
    answer = engine.lookup(text, source=source)
    if answer['disposition'] == 'route':
        return {_key(answer['route'])} | ({_key(c) for c in answer['candidates']} if answer['tie'] else set())
    if answer['disposition'] == 'local':
        allowed = None
        if source is not None:
            owners = sorted({a.interface for a in engine.local[(family, int(ipaddress.ip_address(source)))]})
            allowed = engine.allowed_for_source(family, owners)
        bucket = engine.select(family, first, allowed) or ()
        return {_entry_key(e) for e in bucket if e.effective_metric == bucket[0].effective_metric}
    return set()


def is_mapped(family, value):
    return family == 6 and (value >> 32) == 0xFFFF


@SETTINGS
@given(hosts(), st.sampled_from([4, 6]))
def test_property_coverage_is_a_partition_that_the_lookup_confirms(data, family):
    engine = Engine(data)
    result = engine.route_coverage('ipv4' if family == 4 else 'ipv6')
    sets = dict((alias, IPSet(c)) for alias, c in result['by_interface'].items())
    sets[None] = IPSet(result['unrouted'])
    total = IPSet()
    for one in sets.values():
        assert not (total & one), 'ranges overlap'
        total |= one
    assert total == IPSet([ALL[family]])
    has_pseudo = any(i.kind == 'loopback_pseudo' for i in engine.state.interfaces)
    for first, last in intervals(engine, family):
        if is_mapped(family, first):
            continue  # route_lookup refuses IPv4-mapped IPv6 destinations
        for value in sorted({first, last, (first + last) // 2}):
            owner = [name for name, one in sets.items() if IPNetwork((value, BITS[family]), version=family) in one]
            assert len(owner) == 1
            answer = engine.lookup(_ip(family, value))
            if answer['disposition'] == 'no_route':
                assert owner == [None], _ip(family, value)
            elif answer['interface'] is None:
                # the loopback range of a state without the Loopback Pseudo-Interface: the routes decide (documented)
                assert not has_pseudo and answer['disposition'] == 'local' and (value >> 24 == 127 if family == 4 else value == 1)
            else:
                assert owner == [answer['interface_alias']], (_ip(family, value), answer['trace'])


@SETTINGS
@given(hosts(), st.sampled_from([4, 6]))
def test_property_shadowed_routes_are_exactly_those_no_destination_uses(data, family):
    engine = Engine(data)
    name = 'ipv4' if family == 4 else 'ipv6'
    shadowed = {_key(r) for r in engine.route_coverage(name)['shadowed']}
    eligible = {_key(r): r for r in engine.effective_routes(name) if r['eligible']}
    spans = [span for span in intervals(engine, family) if not is_mapped(family, span[0])]
    used = set()
    for first, _last in spans:
        used |= used_routes(engine, family, first)
    assert shadowed == set(eligible) - used
    # shadowed_route: the static routes no traffic uses either when bound to an address of the host
    sources = sorted({a.address for a in engine.state.addresses if a.family == family and a.usable})
    for source in sources:
        for first, _last in spans:
            used |= used_routes(engine, family, first, source)
    dead = {k for k in set(eligible) - used if eligible[k]['protocol'] == 'netmgmt'}
    reported = [f for f in shadowed_route_findings(engine) if (':' in f['routes'][0]['destination']) == (family == 6)]
    assert {_key(f['routes'][0]) for f in reported} == dead
    for item in reported:
        copies = [r.store for r in engine.state.routes if (r.destination, r.next_hop, r.interface) == _key(item['routes'][0])]
        assert [r['store'] for r in item['routes']] == sorted(copies)  # every copy, the active one first
