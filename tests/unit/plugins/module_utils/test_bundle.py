# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bundle of raw reads a live host sends, normalised by the same code that reads exports.

Golden files: ``fixtures/bundles/NAME.bundle.json`` is what the host sends (Windows PowerShell 5.1
writes enums as numbers, other paths as names), ``NAME.expected.json`` the HostState it means.
To accept a deliberate change, run with WINNET_UPDATE_GOLDEN=1 and review the rewritten files.
The edge cases of ``server2019_ps51_edges`` are also asserted one by one below.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import sys

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import canonical
from ansible_collections.winnet.routing.plugins.module_utils.bundle import (
    connection_report,
    probe_answers,
    rollback_evidence,
    state_document,
    state_from_bundle,
    strip_zone,
    utc_text,
)
from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import BUNDLE_READS, parse_netroute_json
from ansible_collections.winnet.routing.tests.harness.render import NDIS_LINK_SPEED_UNKNOWN, render_bundle

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from planning_states import hosts  # noqa: E402  pylint: disable=wrong-import-position

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'bundles')
BUNDLES = sorted(glob.glob(os.path.join(FIXTURES, '*.bundle.json')))
SETTINGS = settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _load(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def edges():
    return _load(os.path.join(FIXTURES, 'server2019_ps51_edges.bundle.json'))


def complete():
    """The edge cases without their failed statistics read: nothing is missing from the state."""
    bundle = edges()
    bundle['errors'] = [error for error in bundle['errors'] if error['read'] != 'statistics']
    bundle['reads']['statistics'] = []
    return bundle


def _iface(state, index):
    return [i for i in state['interfaces'] if i['index'] == index][0]


# ------------------------------------------------------------------------------- golden
def test_there_are_bundles_of_both_enum_styles():
    names = [os.path.basename(p) for p in BUNDLES]
    assert any('ps51' in n for n in names) and any('ps7' in n for n in names)


@pytest.mark.parametrize('path', BUNDLES, ids=[os.path.basename(p).split('.')[0] for p in BUNDLES])
def test_bundle_golden(path):
    result = parse_netroute_json(_load(path))
    expected_path = path.replace('.bundle.json', '.expected.json')
    if os.environ.get('WINNET_UPDATE_GOLDEN') == '1':
        with open(expected_path, 'w', encoding='utf-8') as handle:
            json.dump(result, handle, indent=2)
            handle.write('\n')
        pytest.fail('%s rewritten: review it, then run the tests again without WINNET_UPDATE_GOLDEN' % os.path.basename(expected_path))
    assert result == _load(expected_path)
    # a gathered state is canonical schema v1 and lists every route Windows creates by itself
    loaded = HostState.from_dict(result)
    assert HostState.from_dict(loaded.to_dict()) == loaded
    if 'edges' not in path:     # the edge cases are written by hand, without the routes Windows adds
        assert len(HostState.from_dict(result, add_system_routes=False).routes) == len(loaded.routes)


def test_the_text_of_a_bundle_reads_like_the_bundle():
    with open(BUNDLES[0], encoding='utf-8') as handle:
        text = handle.read()
    assert parse_netroute_json(text) == parse_netroute_json(json.loads(text))
    assert parse_netroute_json('\ufeff' + text) == parse_netroute_json(text)


# ------------------------------------------------------------------------------- the edge cases, one by one
def test_the_loopback_pseudo_interface_listed_as_an_adapter_is_the_pseudo_interface():
    iface = _iface(parse_netroute_json(edges()), 1)
    assert iface['kind'] == 'loopback_pseudo'                      # InterfaceType 24, no ComponentID
    assert iface['description'] == 'Software Loopback Interface 1'
    assert 'mac' not in iface                                      # an empty MacAddress is no MAC address


def test_the_ndis_unknown_link_speed_is_no_link_speed():
    state = parse_netroute_json(edges())
    assert 'link_speed_bps' not in _iface(state, 7)                 # 18446744073709551615
    assert _iface(state, 4)['link_speed_bps'] == 10000000000


def test_kinds_come_from_interface_type_medium_and_component_id():
    state = parse_netroute_json(edges())
    assert [(i['index'], i['kind']) for i in state['interfaces']] == [(1, 'loopback_pseudo'), (4, 'ethernet'), (7, 'tunnel'), (9, 'wifi')]
    # the hidden WAN miniport has no IP interface: it is not an interface of the state
    assert 20 not in [i['index'] for i in state['interfaces']]


def test_an_interface_without_ipv6_binding_has_no_ipv6_and_its_ipv6_route_is_unbound():
    state = parse_netroute_json(edges())
    assert 'ipv6' not in _iface(state, 4) and 'ipv4' not in _iface(state, 7)
    assert [(r['destination'], r['interface']) for r in state['unbound_routes']] == [('2001:db8:45::/48', 4)]
    assert '2001:db8:45::/48' not in [r['destination'] for r in state['routes']]


def test_zones_are_taken_off_link_local_addresses_and_next_hops():
    state = parse_netroute_json(edges())
    assert [a['address'] for a in state['addresses'] if a['interface'] == 7] == ['fe80::ffff:ffff:fffe']
    assert [r['next_hop'] for r in state['routes'] if r['interface'] == 7] == ['fe80::1']


def test_a_zone_that_names_another_interface_is_refused():
    bundle = edges()
    bundle['reads']['ip_addresses'][4]['IPAddress'] = 'fe80::ffff:ffff:fffe%9'
    with pytest.raises(ParseError, match=r'^reads\.ip_addresses\[4\]\.IPAddress: zone %9 of fe80::ffff:ffff:fffe%9 does not match InterfaceIndex 7'):
        parse_netroute_json(bundle)


def test_unknown_enum_values_are_read_safely_and_noted():
    state = parse_netroute_json(edges())
    route = [r for r in state['routes'] if r['destination'] == '10.77.0.0/16'][0]
    assert route['protocol'] == 'other'                            # Protocol 10002 (a Windows routing service's number)
    address = [a for a in state['addresses'] if a['address'] == '192.0.2.45'][0]
    assert address['prefix_origin'] == 'other'                     # PrefixOrigin 9
    assert 'reads.ip_addresses[3].PrefixOrigin: unknown value 9, recorded as other' in state['parse_notes']
    assert 'netbios' not in _iface(state, 9)                        # TcpipNetbiosOptions null: not recorded
    assert _iface(state, 4)['netbios'] == 'disabled'


def test_an_unknown_address_state_is_refused_rather_than_guessed():
    bundle = edges()
    bundle['reads']['ip_addresses'][2]['AddressState'] = 9
    with pytest.raises(ParseError, match=r'^reads\.ip_addresses\[2\]\.AddressState: unknown value 9'):
        parse_netroute_json(bundle)


def test_a_single_object_where_an_array_is_expected_is_one_object():
    state = parse_netroute_json(edges())
    assert _iface(state, 4)['bindings'] == {'ms_server': False}      # reads.bindings is one object
    persistent = [a for a in state['addresses'] if a.get('store') == 'persistent']
    assert [(a['address'], a['interface']) for a in persistent] == [('192.0.2.44', 4)]
    as_array = edges()
    as_array['reads']['bindings'] = [as_array['reads']['bindings']]
    as_array['reads']['ip_addresses_persistent'] = [as_array['reads']['ip_addresses_persistent']]
    assert parse_netroute_json(as_array) == state


def test_nulls_are_absent_values():
    state = parse_netroute_json(edges())
    address = [a for a in state['addresses'] if a['address'] == '192.0.2.45'][0]
    assert 'skip_as_source' not in address                          # SkipAsSource null
    assert HostState.from_dict(state).addresses[3].skip_as_source is False
    # statistics read failed (null): noted, and no interface has discard counters
    assert not [i for i in state['interfaces'] if 'discards' in i]
    assert state['parse_notes'][0].startswith('the read statistics failed on the host (Access to a CIM resource')


def test_anycast_addresses_are_left_out():
    state = parse_netroute_json(edges())
    assert '192.0.2.255' not in [a['address'] for a in state['addresses']]


def test_a_name_held_by_a_device_that_is_not_present_is_recorded():
    assert parse_netroute_json(edges())['nonpresent_adapters'] == [{'name': 'loopback', 'instance_id': 'ROOT\\NET\\0000'}]


def test_an_empty_store_is_no_error_and_a_complete_bundle_is_not_partial():
    state = parse_netroute_json(complete())     # firewall_rules: ObjectNotFound
    assert 'partial' not in state and 'firewall_rules' not in state


def test_the_failed_statistics_read_of_the_edge_cases_leaves_the_discard_counters_out():
    state = parse_netroute_json(edges())
    assert state['partial'] == ['interfaces.discards']
    assert not any('discards' in iface for iface in state['interfaces'])


@pytest.mark.parametrize('read, partial', [
    ('routes_persistent', ['routes.persistent']),
    ('adapters', ['interfaces.kind', 'interfaces.link_speed']),
    ('dns_clients', ['interfaces.register_dns']),
    ('firewall_rules', ['firewall_rules']),
    ('firewall_address_filters', ['firewall_rules']),
    ('firewall_port_filters', ['firewall_rules']),
    ('ip_addresses_persistent', ['addresses.persistent']),
    ('bindings', ['interfaces.bindings']),
    ('netbios', ['interfaces.netbios']),
    ('statistics', ['interfaces.discards']),
    ('connection_names', ['nonpresent_adapters']),
])
def test_a_failed_optional_read_makes_the_state_partial(read, partial):
    bundle = complete()
    bundle['reads'][read] = None
    bundle['errors'].append({'read': read, 'category': 'PermissionDenied', 'message': 'Access denied'})
    state = parse_netroute_json(bundle)
    assert state['partial'] == partial
    assert 'the read %s failed on the host (Access denied): what it gathers is not in this state' % read in state['parse_notes']


@pytest.mark.parametrize('read', ['ip_interfaces', 'ip_addresses', 'routes'])
def test_a_failed_required_read_fails_naming_it(read):
    bundle = edges()
    bundle['reads'][read] = None
    bundle['errors'].append({'read': read, 'category': 'PermissionDenied', 'message': 'Access denied'})
    with pytest.raises(ParseError, match=r'^errors\[2\]: the host could not run the read %s: Access denied$' % read):
        parse_netroute_json(bundle)
    del bundle['errors'][2]
    with pytest.raises(ParseError, match=r'^reads\.%s: required read is missing$' % read):
        parse_netroute_json(bundle)


@pytest.mark.parametrize('mutate, message', [
    (lambda b: b['reads'].update(routing_table=[]), r'^reads\.routing_table: not a read of winnet\.routing/bundle-v1'),
    (lambda b: b.update(reads=[]), r'^reads: must be a mapping of read name to objects, got list'),
    (lambda b: b['reads'].update(routes=[1]), r'^reads\.routes\[0\]: expected an object, got int'),
    (lambda b: b['reads']['routes_persistent'].append(dict(b['reads']['routes'][0], Store=1)),
     r'^reads\.routes_persistent\[0\]\.Store: 1 in a read of the persistent store'),
    (lambda b: b.update(errors=['oops']), r"^errors\[0\]: expected \{read, category, message\}, got 'oops'"),
])
def test_malformed_bundles_fail_naming_the_element(mutate, message):
    bundle = edges()
    mutate(bundle)
    with pytest.raises(ParseError, match=message):
        parse_netroute_json(bundle)


def test_a_bundle_is_read_on_its_own():
    with pytest.raises(ParseError, match='a bundle of raw reads is read on its own'):
        parse_netroute_json([json.dumps(edges()), '[]'])


# ------------------------------------------------------------------------------- numeric and named enums
@pytest.mark.parametrize('path', BUNDLES, ids=[os.path.basename(p).split('.')[0] for p in BUNDLES])
def test_numeric_and_named_enums_give_the_same_state(path):
    expected = _load(path.replace('.bundle.json', '.expected.json'))
    expected.pop('parse_notes', None)       # about the reads themselves, which are rendered again here
    expected.pop('partial', None)           # the reads that failed: rendered again, they all succeed
    numeric = parse_netroute_json(render_bundle(expected, 'numeric'))
    named = parse_netroute_json(render_bundle(expected, 'named'))
    assert canonical(HostState.from_dict(numeric)) == canonical(HostState.from_dict(named)) == canonical(HostState.from_dict(expected))


@SETTINGS
@given(st.data(), st.sampled_from(['numeric', 'named']))
def test_property_what_a_host_reports_reads_back_unchanged(data, style):
    # once a state is what a host reports, reading its raw reads again gives it back exactly
    host = data.draw(hosts()).to_dict()
    reported = parse_netroute_json(render_bundle(host, style))
    again = parse_netroute_json(json.loads(json.dumps(render_bundle(HostState.from_dict(reported).to_dict(), style))))
    assert canonical(HostState.from_dict(again)) == canonical(HostState.from_dict(reported))
    # and it is the state the host was given, up to what only a live host records (bindings)
    strip = [{k: v for k, v in i.items() if k != 'bindings'} for i in canonical(HostState.from_dict(reported))['interfaces']]
    assert strip == [{k: v for k, v in i.items() if k != 'bindings'} for i in canonical(HostState.from_dict(host))['interfaces']]


def test_render_reports_an_unknown_link_speed_as_ndis_does():
    state = _load(os.path.join(FIXTURES, 'server2025_ps7_dsr-ok-01.expected.json'))
    loopback = [i for i in state['interfaces'] if i['kind'] == 'loopback_adapter'][0]
    del loopback['link_speed_bps']
    adapters = render_bundle(state)['reads']['adapters']
    assert [a['Speed'] for a in adapters if a['ComponentID'] == '*msloop'] == [NDIS_LINK_SPEED_UNKNOWN]
    assert 'link_speed_bps' not in [i for i in parse_netroute_json(render_bundle(state))['interfaces'] if i['kind'] == 'loopback_adapter'][0]


# ------------------------------------------------------------------------------- snapshots, probes, connection, rollback
def test_a_bundle_file_is_a_snapshot_document():
    bundle = edges()
    assert state_document(bundle) == state_from_bundle(bundle) == parse_netroute_json(bundle)
    state = {'schema': 'winnet.routing/v1', 'interfaces': [], 'addresses': [], 'routes': []}
    assert state_document(state) is state
    with pytest.raises(ParseError, match='expected a bundle of raw reads'):
        state_from_bundle(state)


def test_probe_answers_take_the_first_route_and_address():
    raw = [{'destination': '2001:db8:ffff::50', 'source': None, 'error': None, 'objects': [
        {'IPAddress': '2001:db8:20::5', 'DestinationPrefix': None},
        {'DestinationPrefix': '::/0', 'NextHop': 'fe80::1%12', 'InterfaceIndex': 12, 'InterfaceAlias': 'Ethernet', 'RouteMetric': 256},
        {'DestinationPrefix': '::/0', 'NextHop': 'fe80::2%13', 'InterfaceIndex': 13, 'InterfaceAlias': 'Other', 'RouteMetric': 256}]},
        {'destination': '10.9.9.9', 'source': None, 'error': None, 'objects': []},
        {'destination': '10.9.9.9', 'source': '192.0.2.1', 'error': 'The parameter is incorrect.', 'objects': []}]
    first, none, failed = probe_answers(raw)
    assert first['answered'] and first['error'] is None and first['source'] == '2001:db8:20::5'
    assert first['route'] == {'destination': '::/0', 'next_hop': 'fe80::1', 'interface': 12, 'route_metric': 256}
    assert (first['interface'], first['interface_alias']) == (12, 'Ethernet')
    assert not none['answered'] and none['error'] == 'Find-NetRoute returned no route for 10.9.9.9'
    assert failed['error'] == 'Find-NetRoute -RemoteIPAddress 10.9.9.9: The parameter is incorrect.' and failed['requested_source'] == '192.0.2.1'


def test_the_connection_report_reads_ssh_and_tcp_and_ignores_not_found():
    report = connection_report({'ssh_connection': 'fe80::15%12 50122 fe80::20%12 22', 'errors': [{'category': 'ObjectNotFound', 'message': 'x'}],
                                'tcp': {'LocalAddress': '::ffff:10.10.0.20', 'LocalPort': '5986', 'RemoteAddress': '10.20.0.15', 'RemotePort': 50122}})
    assert report['ssh'] == {'client_address': 'fe80::15', 'client_port': 50122, 'server_address': 'fe80::20', 'server_port': 22}
    assert report['tcp'] == [{'local_address': '::ffff:10.10.0.20', 'local_port': 5986, 'remote_address': '10.20.0.15', 'remote_port': 50122}]
    assert report['error'] is None
    assert connection_report({'ssh_connection': '', 'tcp': [], 'errors': [{'category': 'PermissionDenied', 'message': 'denied'}]})['error'] == \
        'Get-NetTCPConnection: denied'
    assert connection_report(None) == {'ssh': None, 'tcp': [], 'error': None}


@pytest.mark.parametrize('text, expected', [
    ('fe80::1%12', 'fe80::1'), ('192.0.2.1', '192.0.2.1'), ('Any', 'Any'), (None, None),
])
def test_strip_zone(text, expected):
    assert strip_zone(text) == expected


@pytest.mark.parametrize('text, expected', [
    ('2026-01-02T03:04:05.1234567Z', '2026-01-02T03:04:05Z'),
    ('2026-01-02T04:04:05.0000000+01:00', '2026-01-02T03:04:05Z'),
    # what ToString('yyyy-MM-ddTHH:mm:ssZ') gives under a culture with another time separator
    ('2026-01-02T03.04.05Z', None),
    ('01/02/2026 03:04:05', None),
    (None, None),
])
def test_timestamps_from_the_host_are_read_only_in_the_round_trip_format(text, expected):
    assert utc_text(text) == expected


def test_rollback_evidence_needs_every_fact():
    rollback = {'name': 'winnet-rollback-' + '0' * 32, 'operations': [{}, {}], 'partial': [{}]}
    armed = {'name': rollback['name'], 'at': '2026-01-02T03:04:05.0000000Z', 'task_state': 'Ready', 'language_mode': 'FullLanguage',
             'self_test': {'exit_code': 0, 'report': {'name': rollback['name'], 'operations': 2, 'partial': 1, 'language_mode': 'FullLanguage'}}}
    assert rollback_evidence(armed, rollback) == {'armed': True, 'at': '2026-01-02T03:04:05Z', 'reasons': []}
    assert rollback_evidence(None, rollback)['reasons'] == ['net_apply reported no rollback']
    numeric = copy.deepcopy(armed)
    numeric['task_state'] = 3
    assert rollback_evidence(numeric, rollback)['armed']
    other = copy.deepcopy(armed)
    other['self_test']['report']['partial'] = 0
    assert rollback_evidence(other, rollback)['reasons'] == ['the rollback data on the host holds 0 partial undo(s), not 1']


def test_every_read_is_documented_with_its_kind():
    assert set(BUNDLE_READS) == {'ip_interfaces', 'adapters', 'ip_addresses', 'ip_addresses_persistent', 'routes', 'routes_persistent',
                                 'dns_clients', 'bindings', 'netbios', 'statistics', 'firewall_rules', 'firewall_address_filters',
                                 'firewall_port_filters', 'connection_names'}


# ------------------------------------------------------------------------------- reads the host sends in other shapes
def dsr():
    return _load(os.path.join(FIXTURES, 'server2025_ps7_dsr-ok-01.bundle.json'))


def test_a_read_absent_from_the_bundle_makes_the_state_partial_without_a_failure_note():
    bundle = complete()
    del bundle['reads']['netbios']
    state = parse_netroute_json(bundle)
    assert state['partial'] == ['interfaces.netbios']
    assert not any('netbios' in iface for iface in state['interfaces'])
    assert not any('the read netbios failed' in note for note in state.get('parse_notes', []))


def test_a_bundle_without_errors_is_a_bundle_where_every_read_worked():
    bundle = complete()
    bundle['errors'] = None
    state = parse_netroute_json(bundle)
    assert 'partial' not in state
    assert not any(note.startswith('the read ') for note in state.get('parse_notes', []))


def test_an_interface_read_without_its_address_family_fails_naming_it():
    bundle = edges()
    del bundle['reads']['ip_interfaces'][2]['AddressFamily']
    with pytest.raises(ParseError, match=r'^reads\.ip_interfaces\[2\]\.AddressFamily: required property is missing$'):
        parse_netroute_json(bundle)


def test_an_interface_read_without_a_setting_makes_the_settings_partial():
    bundle = complete()
    del bundle['reads']['ip_interfaces'][2]['Dhcp']
    state = parse_netroute_json(bundle)
    assert state['partial'] == ['interfaces.settings']
    assert 'dhcp' not in _iface(state, 4)['ipv4']
    assert _iface(state, 9)['ipv4']['dhcp'] is True


def test_two_adapters_on_one_interface_fail_naming_the_second():
    bundle = edges()
    bundle['reads']['adapters'].append(dict(bundle['reads']['adapters'][1], Name='Ethernet 2'))
    with pytest.raises(ParseError, match=r'^reads\.adapters\[5\]: interface 4 has two adapters$'):
        parse_netroute_json(bundle)


def test_an_adapter_property_that_is_not_text_fails_naming_it():
    bundle = edges()
    bundle['reads']['adapters'][1]['Name'] = 5
    with pytest.raises(ParseError, match=r'^reads\.adapters\[1\]\.Name: must be a string, got 5$'):
        parse_netroute_json(bundle)


def test_the_netbios_setting_of_a_configuration_without_ip_is_not_recorded():
    bundle = edges()
    bundle['reads']['netbios'][0]['IPEnabled'] = 'False'        # a string, as some hosts write it
    assert 'netbios' not in _iface(parse_netroute_json(bundle), 4)
    bundle['reads']['netbios'][0]['IPEnabled'] = 'True'
    assert _iface(parse_netroute_json(bundle), 4)['netbios'] == 'disabled'


def test_a_netbios_setting_that_is_a_list_is_noted_and_not_recorded():
    bundle = edges()
    bundle['reads']['netbios'][0]['TcpipNetbiosOptions'] = [2]
    state = parse_netroute_json(bundle)
    assert 'netbios' not in _iface(state, 4)
    assert ('reads.netbios[0].TcpipNetbiosOptions: [2] is not a NetBIOS over TCP/IP setting (0, 1 or 2): the setting of '
            'interface 4 is not recorded') in state['parse_notes']


def test_statistics_without_a_description_or_name_fail_naming_the_element():
    bundle = complete()
    bundle['reads']['statistics'] = [{'ReceivedDiscardedPackets': 3, 'OutboundDiscardedPackets': 0}]
    with pytest.raises(ParseError, match=r'^reads\.statistics\[0\]\.InterfaceDescription: required property is missing$'):
        parse_netroute_json(bundle)


def test_discard_counters_given_as_text_are_numbers():
    bundle = complete()
    bundle['reads']['statistics'] = {'Name': 'Ethernet', 'ReceivedDiscardedPackets': '12', 'OutboundDiscardedPackets': None}
    state = parse_netroute_json(bundle)
    assert _iface(state, 4)['discards'] == {'received': 12, 'outbound': 0}


def test_an_address_on_an_interface_without_that_family_is_left_out_and_noted():
    bundle = edges()
    bundle['reads']['ip_addresses'].append(dict(bundle['reads']['ip_addresses'][2], IPAddress='192.0.2.99', InterfaceIndex=7,
                                                InterfaceAlias='Teredo Tunneling Pseudo-Interface'))
    state = parse_netroute_json(bundle)
    assert '192.0.2.99' not in [a['address'] for a in state['addresses']]
    assert ('reads.ip_addresses[6]: address 192.0.2.99 (active store) is on interface 7, which has no IPv4 interface: left out'
            in state['parse_notes'])


def test_an_address_listed_twice_is_one_address():
    bundle = edges()
    bundle['reads']['ip_addresses'].append(copy.deepcopy(bundle['reads']['ip_addresses'][2]))
    assert parse_netroute_json(bundle) == parse_netroute_json(edges())


def test_an_address_type_that_is_a_list_is_left_out_and_noted():
    bundle = edges()
    bundle['reads']['ip_addresses'][3]['Type'] = [1]
    state = parse_netroute_json(bundle)
    assert '192.0.2.45' not in [a['address'] for a in state['addresses']]
    assert 'reads.ip_addresses[3]: type [1] address 192.0.2.45 left out (it is never a source address)' in state['parse_notes']


def test_numbers_and_switches_given_as_text_read_as_numbers_and_switches():
    bundle = edges()
    bundle['reads']['routes'][1]['RouteMetric'] = ' 5 '
    bundle['reads']['ip_addresses'][2]['SkipAsSource'] = 'True'
    state = parse_netroute_json(bundle)
    assert [r['route_metric'] for r in state['routes'] if r['destination'] == '10.77.0.0/16'] == [5]
    assert [a['skip_as_source'] for a in state['addresses'] if a['address'] == '192.0.2.44' and 'store' not in a] == [True]


def test_cim_instance_properties_fill_missing_properties_and_unreadable_entries_are_skipped():
    bundle = edges()
    route = bundle['reads']['routes'][1]
    del route['RouteMetric']
    route['CimInstanceProperties'] = [42, 'no separator here', 'RouteMetric = "7"', {'Name': 'Protocol', 'Value': 2}]
    state = parse_netroute_json(bundle)
    found = [r for r in state['routes'] if r['destination'] == '10.77.0.0/16']
    assert [(r['route_metric'], r['protocol']) for r in found] == [(7, 'other')]    # Protocol is there: the property list does not override it


def test_a_firewall_rule_outside_the_collection_group_is_left_out_and_noted():
    bundle = dsr()
    bundle['reads']['firewall_rules'][0]['Group'] = 'Remote Desktop'
    state = parse_netroute_json(bundle)
    assert 'firewall_rules' not in state
    assert ("reads.firewall_rules[0]: firewall rule 'winnet-dsr-192.0.2.100-tcp-443' is not in the group winnet.routing: left out"
            in state['parse_notes'])


@pytest.mark.parametrize('read, which', [('firewall_address_filters', 'address'), ('firewall_port_filters', 'port')])
def test_a_firewall_rule_without_one_of_its_filters_is_left_out_and_the_state_partial(read, which):
    bundle = dsr()
    bundle['reads'][read] = []
    state = parse_netroute_json(bundle)
    assert 'firewall_rules' not in state
    assert state['partial'] == ['firewall_rules']
    assert "reads.firewall_rules[0]: firewall rule 'winnet-dsr-192.0.2.100-tcp-443' has no %s filter in the bundle: left out" % which \
        in state['parse_notes']


@pytest.mark.parametrize('local_address, protocol, local_port, expected', [
    ('192.0.2.100', 'TCP', '443', {'local_address': '192.0.2.100', 'protocol': 'TCP', 'local_port': '443'}),
    (['192.0.2.100/32', '2001:DB8:0:0::100/128'], 6, ['443', '8443'],
     {'local_address': '192.0.2.100,2001:db8::100', 'protocol': 'TCP', 'local_port': '443,8443'}),
    ('192.0.2.100/255.255.255.255', 17, 53, {'local_address': '192.0.2.100', 'protocol': 'UDP', 'local_port': '53'}),
    ('10.0.0.0/8', 'icmpv4', None, {'local_address': '10.0.0.0/8', 'protocol': 'ICMPV4', 'local_port': ''}),
    ('Any', None, None, {'local_address': 'Any', 'protocol': None, 'local_port': ''}),
    ('192.0.2.10-192.0.2.20', 'Any', 'Any', {'local_address': '192.0.2.10-192.0.2.20', 'protocol': 'ANY', 'local_port': 'Any'}),
])
def test_firewall_filters_read_in_canonical_form(local_address, protocol, local_port, expected):
    bundle = dsr()
    bundle['reads']['firewall_address_filters'][0]['LocalAddress'] = local_address
    bundle['reads']['firewall_port_filters'][0].update(Protocol=protocol, LocalPort=local_port)
    rules = parse_netroute_json(bundle)['firewall_rules']
    assert rules == [dict(expected, name='winnet-dsr-192.0.2.100-tcp-443')]


# ------------------------------------------------------------------------------- probes and the rollback evidence, when the host sends less
def test_probe_answers_skip_what_is_not_a_route_and_what_is_not_a_probe():
    raw = ['not a probe', {'destination': '192.0.2.50', 'source': None, 'error': None, 'objects': [
        {'DestinationPrefix': '0.0.0.0/0', 'InterfaceIndex': 4},                                   # no next hop
        {'DestinationPrefix': '0.0.0.0/0', 'NextHop': 'fe80::1', 'InterfaceIndex': 4},            # next hop of the other family
        {'DestinationPrefix': '0.0.0.0/0', 'NextHop': '192.0.2.1', 'InterfaceIndex': True, 'RouteMetric': 'low', 'InterfaceAlias': 'Ethernet'},
        {'DestinationPrefix': '192.0.2.0/24', 'NextHop': '0.0.0.0', 'InterfaceIndex': 5, 'RouteMetric': 256}]}]
    (answer,) = probe_answers(raw)
    assert answer['answered'] and answer['error'] is None
    assert answer['route'] == {'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': None, 'route_metric': None}
    assert answer['interface_alias'] == 'Ethernet'


def test_a_timestamp_without_a_time_zone_is_not_read():
    assert utc_text('2026-01-02T03:04:05.1234567') is None


@pytest.mark.parametrize('change, reason', [
    (lambda r: r.update(name='winnet-rollback-other'), "the host armed 'winnet-rollback-other', not 'winnet-rollback-%s'" % ('0' * 32)),
    (lambda r: r.update(task_state='Disabled'), 'the scheduled task is Disabled, not Ready'),
    (lambda r: r.pop('task_state'), 'the scheduled task is not registered, not Ready'),
    (lambda r: r['self_test'].update(exit_code=1), "the task's command line exited with 1 on the host"),
    (lambda r: r['self_test'].update(report=None), "the task's command line read no rollback data on the host (language mode FullLanguage)"),
    (lambda r: r['self_test']['report'].update(name='winnet-rollback-old'), "the rollback data on the host is for 'winnet-rollback-old'"),
    (lambda r: r['self_test']['report'].update(operations=1), 'the rollback data on the host holds 1 operation(s), not 2'),
    (lambda r: r['self_test']['report'].update(language_mode='ConstrainedLanguage'), 'the task would run in ConstrainedLanguage mode'),
    (lambda r: r.update(at='01/02/2026 03:04:05'), "the task has no readable start time ('01/02/2026 03:04:05')"),
])
def test_rollback_evidence_names_each_missing_fact(change, reason):
    rollback = {'name': 'winnet-rollback-' + '0' * 32, 'operations': [{}, {}]}
    raw = {'name': rollback['name'], 'at': '2026-01-02T03:04:05.0000000Z', 'task_state': 'Ready', 'language_mode': 'FullLanguage',
           'self_test': {'exit_code': 0, 'report': {'name': rollback['name'], 'operations': 2, 'partial': 0, 'language_mode': None}}}
    assert rollback_evidence(raw, rollback)['armed']
    change(raw)
    evidence = rollback_evidence(raw, rollback)
    assert not evidence['armed'] and evidence['reasons'] == [reason]
