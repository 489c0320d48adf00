# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HostState loader: validation with paths, system routes, metric derivation, round trip."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, derive_metric


def base():
    return {
        'schema': 'winnet.routing/v1',
        'hostname': 'web01',
        'interfaces': [
            {'index': 3, 'alias': 'NIC1', 'kind': 'ethernet', 'ipv4': {'metric': 25}, 'ipv6': {'metric': 25}},
            {'index': 4, 'alias': 'NIC2', 'kind': 'ethernet', 'ipv4': {'metric': 35}},
        ],
        'addresses': [
            {'address': '192.0.2.20', 'prefix_length': 24, 'interface': 3},
            {'address': '2001:db8:1::20', 'prefix_length': 64, 'interface': 3},
            {'address': '198.51.100.20', 'prefix_length': 24, 'interface': 4},
        ],
        'routes': [
            {'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3, 'route_metric': 0, 'protocol': 'dhcp'},
            {'destination': '203.0.113.0/24', 'next_hop': '198.51.100.1', 'interface': 4, 'route_metric': 256, 'store': 'persistent'},
        ],
    }


def mutate(path, value=None, delete=False):
    """A copy of base() with one element replaced (or deleted); ``path`` is a list of keys/indexes."""
    data = base()
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


MALFORMED = [
    # (id, state, expected message start)
    ('not-a-mapping', ['a', 'list'], 'a HostState must be a mapping'),
    ('schema-missing', mutate(['schema'], delete=True), 'schema: required key is missing'),
    ('schema-wrong', mutate(['schema'], 'winnet.routing/v2'), "schema: unsupported schema 'winnet.routing/v2'"),
    ('hostname-type', mutate(['hostname'], 42), 'hostname: must be a string'),
    ('interfaces-missing', mutate(['interfaces'], delete=True), 'interfaces: required key is missing'),
    ('interfaces-type', mutate(['interfaces'], {'index': 3}), 'interfaces: must be a list, got dict'),
    ('interface-type', mutate(['interfaces', 1], 'NIC2'), 'interfaces[1]: must be a mapping, got str'),
    ('index-missing', mutate(['interfaces', 0, 'index'], delete=True), 'interfaces[0].index: required key is missing'),
    ('index-string', mutate(['interfaces', 0, 'index'], '3'), "interfaces[0].index: must be an integer, got '3'"),
    ('index-bool', mutate(['interfaces', 0, 'index'], True), 'interfaces[0].index: must be an integer, got True'),
    ('index-negative', mutate(['interfaces', 0, 'index'], -1), 'interfaces[0].index: -1 is out of range'),
    ('index-duplicate', mutate(['interfaces', 1, 'index'], 3), 'interfaces[1].index: duplicate interface index 3'),
    ('alias-empty', mutate(['interfaces', 1, 'alias'], ' '), "interfaces[1].alias: must be a non-empty string, got ' '"),
    ('alias-duplicate', mutate(['interfaces', 1, 'alias'], 'NIC1'), "interfaces[1].alias: duplicate interface alias 'NIC1'"),
    ('kind-unknown', mutate(['interfaces', 0, 'kind'], 'token_ring'), "interfaces[0].kind: 'token_ring' is not one of"),
    ('connected-string', mutate(['interfaces', 0, 'connected'], 'yes'), "interfaces[0].connected: must be true or false, got 'yes'"),
    ('link-speed-type', mutate(['interfaces', 0, 'link_speed_bps'], '10G'), "interfaces[0].link_speed_bps: must be an integer, got '10G'"),
    ('ipv4-type', mutate(['interfaces', 0, 'ipv4'], [25]), 'interfaces[0].ipv4: must be a mapping, got list'),
    ('bindings-type', mutate(['interfaces', 0, 'bindings'], ['ms_server']), 'interfaces[0].bindings: must be a mapping, got list'),
    ('bindings-value', mutate(['interfaces', 0, 'bindings'], {'ms_server': 'off'}),
     "interfaces[0].bindings.ms_server: must be true or false, got 'off'"),
    ('bindings-key', mutate(['interfaces', 0, 'bindings'], {' ': True}), "interfaces[0].bindings: component IDs must be non-empty strings, got ' '"),
    ('netbios-unknown', mutate(['interfaces', 0, 'netbios'], 'off'), "interfaces[0].netbios: 'off' is not one of default, enabled, disabled"),
    ('metric-out-of-range', mutate(['interfaces', 0, 'ipv4', 'metric'], 100000), 'interfaces[0].ipv4.metric: 100000 is out of range'),
    ('metric-float', mutate(['interfaces', 0, 'ipv4', 'metric'], 2.5), 'interfaces[0].ipv4.metric: must be an integer, got 2.5'),
    ('metric-underivable', mutate(['interfaces', 1, 'ipv4'], {}), 'interfaces[1].ipv4.metric: required key is missing (it can be derived only'),
    ('flag-type', mutate(['interfaces', 0, 'ipv4', 'weak_host_send'], 'Enabled'), "interfaces[0].ipv4.weak_host_send: must be true or false"),
    ('addresses-type', mutate(['addresses'], 'x'), 'addresses: must be a list, got str'),
    ('address-not-ip', mutate(['addresses', 0, 'address'], '192.0.2.300'), "addresses[0].address: '192.0.2.300' is not an IP address"),
    ('address-missing', mutate(['addresses', 0, 'address'], delete=True), 'addresses[0].address: required key is missing'),
    ('address-v4-mapped', mutate(['addresses', 1, 'address'], '::ffff:192.0.2.9'), 'addresses[1].address: \'::ffff:192.0.2.9\' is an IPv4-mapped'),
    ('address-multicast', mutate(['addresses', 0, 'address'], '239.1.1.1'), "addresses[0].address: '239.1.1.1' is not a unicast address"),
    ('prefix-too-long', mutate(['addresses', 0, 'prefix_length'], 33), 'addresses[0].prefix_length: 33 is out of range (0 to 32)'),
    ('address-unknown-interface', mutate(['addresses', 0, 'interface'], 9), 'addresses[0].interface: interface 9 is not listed in interfaces'),
    ('address-interface-alias', mutate(['addresses', 0, 'interface'], 'NIC1'), "addresses[0].interface: must be an interface index (integer), got 'NIC1'"),
    ('address-family-unbound', mutate(['addresses', 2], {'address': '2001:db8:2::1', 'prefix_length': 64, 'interface': 4}),
     'addresses[2].interface: interface 4 (NIC2) has no ipv6 settings'),
    ('address-zone-mismatch', mutate(['addresses', 1], {'address': 'fe80::1%4', 'prefix_length': 64, 'interface': 3}),
     'addresses[1].address: zone %4 does not match interface 3'),
    ('address-state', mutate(['addresses', 0, 'state'], 'up'), "addresses[0].state: 'up' is not one of"),
    ('address-duplicate', mutate(['addresses', 2], {'address': '192.0.2.20', 'prefix_length': 24, 'interface': 3}),
     'addresses[2].address: 192.0.2.20 is listed twice on interface 3'),
    ('routes-type', mutate(['routes'], {}), 'routes: must be a list, got dict'),
    ('destination-not-prefix', mutate(['routes', 1, 'destination'], '203.0.113.0/33'), "routes[1].destination: '203.0.113.0/33': prefix length 33"),
    ('destination-host-bits', mutate(['routes', 1, 'destination'], '203.0.113.7/24'),
     "routes[1].destination: '203.0.113.7/24' has host bits set; the network is 203.0.113.0/24"),
    ('destination-garbage', mutate(['routes', 0, 'destination'], 'default'), "routes[0].destination: 'default' is not an IP prefix"),
    ('next-hop-not-ip', mutate(['routes', 0, 'next_hop'], '10.0.0.300'), "routes[0].next_hop: '10.0.0.300' is not an IP address"),
    ('next-hop-family', mutate(['routes', 0, 'next_hop'], '2001:db8::1'), 'routes[0].next_hop: 2001:db8::1 is ipv6 but destination 0.0.0.0/0 is ipv4'),
    ('route-unknown-interface', mutate(['routes', 0, 'interface'], 12), 'routes[0].interface: interface 12 is not listed in interfaces'),
    ('route-family-unbound', mutate(['routes', 1], {'destination': '::/0', 'next_hop': 'fe80::1', 'interface': 4, 'route_metric': 256}),
     'routes[1].interface: interface 4 (NIC2) has no ipv6 settings'),
    ('route-metric-missing', mutate(['routes', 0, 'route_metric'], delete=True), 'routes[0].route_metric: required key is missing'),
    ('route-metric-negative', mutate(['routes', 0, 'route_metric'], -5), 'routes[0].route_metric: -5 is out of range'),
    ('route-metric-huge', mutate(['routes', 0, 'route_metric'], 2 ** 40), 'routes[0].route_metric: 1099511627776 is out of range'),
    ('store', mutate(['routes', 0, 'store'], 'both'), "routes[0].store: 'both' is not one of active, persistent"),
    ('protocol', mutate(['routes', 0, 'protocol'], 'ospf'), "routes[0].protocol: 'ospf' is not one of"),
    ('route-duplicate', mutate(['routes', 1], {'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3, 'route_metric': 5, 'store': 'active'}),
     'routes[1]: duplicate route 0.0.0.0/0 via 192.0.2.1 on interface 3 in the active store (also routes[0])'),
    ('partial-unknown', mutate(['partial'], ['everything']), "partial[0]: 'everything' is not one of"),
    ('partial-type', mutate(['partial'], 'routes.persistent'), 'partial: must be a list of strings'),
]


def renamed(path, new):
    """A copy of base() with the key at ``path`` renamed to ``new`` (a typo)."""
    data = base()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[new] = target.pop(path[-1])
    return data


def added(path, key, value):
    data = base()
    target = data
    for step in path:
        target = target[step]
    target[key] = value
    return data


# A typo at any level fails naming the key and the nearest known one; a required section is never
# assumed empty.
STRICT = [
    ('top-level-route', renamed(['routes'], 'route'), 'route: unknown key; did you mean routes?'),
    ('top-level-schema-typo', renamed(['schema'], 'schem'), 'schem: unknown key; did you mean schema?'),
    ('top-level-case', renamed(['hostname'], 'HostName'), 'HostName: unknown key; did you mean hostname?'),
    ('top-level-unrelated', added([], 'collected_by', 'net_info'), 'collected_by: unknown key; the known keys here are schema, hostname,'),
    ('interface-key', added(['interfaces', 1], 'metirc', 5), 'interfaces[1].metirc: unknown key; the known keys here are index, alias,'),
    ('interface-level-metric', added(['interfaces', 1], 'metric', 5),
     'interfaces[1].metric: unknown key here; did you mean ipv4.metric or ipv6.metric?'),
    ('interface-level-flag', added(['interfaces', 1], 'WeakHostReceive', True),
     'interfaces[1].WeakHostReceive: unknown key here; did you mean ipv4.weak_host_receive or ipv6.weak_host_receive?'),
    ('interface-alias-case', renamed(['interfaces', 1, 'alias'], 'Alias'), 'interfaces[1].Alias: unknown key; did you mean alias?'),
    ('ipif-weakhostreceive', added(['interfaces', 1, 'ipv4'], 'weakhostreceive', True),
     'interfaces[1].ipv4.weakhostreceive: unknown key; did you mean weak_host_receive?'),
    ('ipif-cmdlet-name', added(['interfaces', 0, 'ipv6'], 'WeakHostSend', True),
     'interfaces[0].ipv6.WeakHostSend: unknown key; did you mean weak_host_send?'),
    ('discards-key', added(['interfaces', 0], 'discards', {'received': 1, 'dropped': 2}),
     'interfaces[0].discards.dropped: unknown key; the known keys here are received, outbound'),
    ('address-key', renamed(['addresses', 2, 'prefix_length'], 'prefixlength'), 'addresses[2].prefixlength: unknown key; did you mean prefix_length?'),
    ('address-skip', added(['addresses', 0], 'skip_as_src', True), 'addresses[0].skip_as_src: unknown key; did you mean skip_as_source?'),
    ('route-key', added(['routes', 1], 'age', 12), 'routes[1].age: unknown key; the known keys here are destination, next_hop, interface,'),
    ('route-metric-typo', renamed(['routes', 1, 'route_metric'], 'metric'), 'routes[1].metric: unknown key; did you mean route_metric?'),
    ('route-next-hop', renamed(['routes', 0, 'next_hop'], 'nexthop'), 'routes[0].nexthop: unknown key; did you mean next_hop?'),
    ('unbound-route-key', added([], 'unbound_routes', [{'destination': '10.0.0.0/8', 'gateway': '10.0.0.1'}]),
     'unbound_routes[0].gateway: unknown key; the known keys here are destination, next_hop,'),
    ('firewall-key', added([], 'firewall_rules', [{'name': 'x', 'local_adress': '192.0.2.20', 'protocol': 'TCP', 'local_port': '443'}]),
     'firewall_rules[0].local_adress: unknown key; did you mean local_address?'),
    ('addresses-missing', mutate(['addresses'], delete=True), 'addresses: required key is missing (a list; an empty list is fine)'),
    ('routes-missing', mutate(['routes'], delete=True), 'routes: required key is missing (a list; an empty list is fine)'),
    ('metric-unknown-type', added(['interfaces', 0, 'ipv4'], 'metric_unknown', 'yes'), "interfaces[0].ipv4.metric_unknown: must be true or false"),
    ('metric-is-sum-type', added(['routes', 0], 'metric_is_sum', 1), 'routes[0].metric_is_sum: must be true or false'),
    ('parse-notes-type', added([], 'parse_notes', 'read'), 'parse_notes: must be a list of strings'),
    ('mac-type', added(['interfaces', 0], 'mac', 1234), 'interfaces[0].mac: must be a string, got int'),
    ('os-version-type', added([], 'os_version', 10.0), 'os_version: must be a string, got float'),
    ('prefix-origin-type', added(['addresses', 0], 'prefix_origin', 3), 'addresses[0].prefix_origin: must be a string, got int'),
]


@pytest.mark.parametrize('data, expected', [(d, e) for _i, d, e in MALFORMED], ids=[i for i, _d, _e in MALFORMED])
def test_malformed_state_is_rejected_with_its_path(data, expected):
    with pytest.raises(StateError) as err:
        HostState.from_dict(data)
    assert str(err.value).startswith(expected), str(err.value)


def test_at_least_twenty_kinds_of_malformed_state():
    assert len({e.split(':')[0] for _i, _d, e in MALFORMED}) >= 20


def test_round_trip_is_exact():
    state = HostState.from_dict(base())
    again = HostState.from_dict(state.to_dict())
    assert again == state
    assert again.to_dict() == state.to_dict()


@pytest.mark.parametrize('data, expected', [(d, e) for _i, d, e in STRICT], ids=[i for i, _d, _e in STRICT])
def test_unknown_keys_and_missing_sections_are_refused(data, expected):
    with pytest.raises(StateError) as err:
        HostState.from_dict(data)
    assert str(err.value).startswith(expected), str(err.value)


def test_empty_sections_are_fine():
    data = base()
    data.update(addresses=[], routes=[])
    assert HostState.from_dict(data).to_dict()['addresses'] == []


def test_the_documented_optional_keys_are_kept():
    data = base()
    data.update(os_version='10.0.20348', source='route_print', parse_notes=['read as UTF-8'], unbound_routes=[
        {'destination': '10.9.0.0/16', 'next_hop': '10.1.0.1', 'interface': 17, 'route_metric': 1, 'store': 'persistent', 'protocol': 'netmgmt'}],
        firewall_rules=[{'name': 'r', 'local_address': '192.0.2.20', 'protocol': 'TCP', 'local_port': '443'}])
    data['interfaces'][0].update(mac='00-15-5D-01-02-03', discards={'received': 3, 'outbound': 0}, bindings={'ms_server': True}, netbios='disabled')
    data['interfaces'][0]['ipv4']['metric_unknown'] = False
    data['addresses'][0].update(prefix_origin='manual', suffix_origin='manual')
    data['routes'][0].update(metric_is_sum=True, metric_unspecified=False)
    out = HostState.from_dict(data).to_dict()
    assert out['os_version'] == '10.0.20348' and out['source'] == 'route_print' and out['parse_notes'] == ['read as UTF-8']
    assert out['unbound_routes'][0]['destination'] == '10.9.0.0/16' and out['firewall_rules'][0]['name'] == 'r'
    assert out['interfaces'][0]['discards'] == {'received': 3, 'outbound': 0} and out['interfaces'][0]['mac'] == '00-15-5D-01-02-03'
    assert out['interfaces'][0]['ipv4']['metric_unknown'] is False
    assert out['addresses'][0]['prefix_origin'] == 'manual'
    assert out['routes'][0]['metric_is_sum'] is True


def test_system_routes_are_added_after_the_listed_ones():
    routes = HostState.from_dict(base()).to_dict()['routes']
    assert [r['destination'] for r in routes[:2]] == ['0.0.0.0/0', '203.0.113.0/24']
    added = {(r['destination'], r['interface']) for r in routes[2:]}
    assert added == {
        ('192.0.2.0/24', 3), ('192.0.2.20/32', 3), ('192.0.2.255/32', 3), ('224.0.0.0/4', 3), ('255.255.255.255/32', 3),
        ('2001:db8:1::/64', 3), ('2001:db8:1::20/128', 3), ('ff00::/8', 3),
        ('198.51.100.0/24', 4), ('198.51.100.20/32', 4), ('198.51.100.255/32', 4), ('224.0.0.0/4', 4), ('255.255.255.255/32', 4),
    }
    assert all(r['route_metric'] == 256 and r['protocol'] == 'local' and r['store'] == 'active' for r in routes[2:])


def test_adding_system_routes_where_they_exist_changes_nothing():
    once = HostState.from_dict(base()).to_dict()
    assert HostState.from_dict(once).to_dict() == once
    data = base()
    data['routes'].append({'destination': '192.0.2.0/24', 'next_hop': '0.0.0.0', 'interface': 3, 'route_metric': 256, 'protocol': 'local'})
    routes = HostState.from_dict(data).to_dict()['routes']
    assert len([r for r in routes if r['destination'] == '192.0.2.0/24']) == 1


@pytest.mark.parametrize('plen, expected', [(32, set()), (31, {'192.0.2.20/31'}), (30, {'192.0.2.20/30', '192.0.2.23/32'})])
def test_no_broadcast_route_for_31_and_32(plen, expected):
    data = base()
    data['addresses'][0]['prefix_length'] = plen
    routes = {r['destination'] for r in HostState.from_dict(data).to_dict()['routes'] if r['interface'] == 3 and r['destination'].startswith('192.0.2.')}
    assert routes == expected | {'192.0.2.20/32'}


@pytest.mark.parametrize('state', ['tentative', 'duplicate', 'invalid'])
def test_no_system_routes_for_unusable_addresses(state):
    data = base()
    data['addresses'][2]['state'] = state
    routes = {r['destination'] for r in HostState.from_dict(data).to_dict()['routes'] if r['interface'] == 4}
    assert routes == {'203.0.113.0/24', '224.0.0.0/4', '255.255.255.255/32'}


def test_disconnected_interface_gets_no_system_routes():
    data = base()
    data['interfaces'][1]['connected'] = False
    routes = [r for r in HostState.from_dict(data).to_dict()['routes'] if r['interface'] == 4]
    assert [r['destination'] for r in routes] == ['203.0.113.0/24']


def test_link_local_zone_is_accepted_when_it_matches():
    data = base()
    data['addresses'].append({'address': 'fe80::20%3', 'prefix_length': 64, 'interface': 3})
    out = HostState.from_dict(data).to_dict()
    assert out['addresses'][-1]['address'] == 'fe80::20'
    assert {'fe80::/64', 'fe80::20/128'} <= {r['destination'] for r in out['routes']}


@pytest.mark.parametrize('speed, kind, metric', [
    (100000000000, 'ethernet', 5), (40000000000, 'ethernet', 10), (10000000000, 'ethernet', 15), (2500000000, 'ethernet', 20),
    (1000000000, 'ethernet', 25), (100000000, 'ethernet', 35), (50000000, 'ethernet', 45), (10000000, 'ethernet', 55),
    (1000000, 'ethernet', 65), (100000, 'other', 75),
    (2400000000, 'wifi', 25), (866000000, 'wifi', 30), (300000000, 'wifi', 35), (150000000, 'wifi', 40), (100000000, 'wifi', 45),
    (54000000, 'wifi', 50), (20000000, 'wifi', 55), (11000000, 'wifi', 60), (5000000, 'wifi', 65), (2000000, 'wifi', 70),
    (1000000, 'wifi', 75), (300000, 'wifi', 80), (100000, 'wifi', 85),
])
def test_automatic_metric_table(speed, kind, metric):
    assert derive_metric(speed, kind) == metric


def test_metric_is_derived_when_left_out():
    data = base()
    data['interfaces'][1].update(link_speed_bps=10000000000, ipv4={})
    iface = HostState.from_dict(data).to_dict()['interfaces'][1]
    assert iface['ipv4']['metric'] == 15
    assert iface['ipv4']['automatic_metric'] is True


def test_input_is_not_modified():
    data = base()
    before = copy.deepcopy(data)
    HostState.from_dict(data)
    assert data == before
