# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Behaviour of the parsers: metric normalisation (TV-31), interface hints, enum forms, partial states."""

from __future__ import annotations

import json

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print

SEP = '=' * 75

TV31 = '\n'.join([
    SEP, 'Interface List',
    ' 10...04 7c 16 2b 90 11 ......Realtek PCIe GbE Family Controller',
    '  1...........................Software Loopback Interface 1',
    SEP, '', 'IPv4 Route Table', SEP, 'Active Routes:',
    'Network Destination        Netmask          Gateway       Interface  Metric',
    '          0.0.0.0          0.0.0.0      192.168.0.1    192.168.0.124     35',
    '   89.105.200.136  255.255.255.255      192.168.0.1    192.168.0.124     36',
    '        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331',
    SEP, 'Persistent Routes:', '  None', '',
])


def _route(state, destination):
    return [r for r in state['routes'] if r['destination'] == destination]


def test_tv31_given_interface_metric_is_subtracted():
    state = parse_route_print(TV31, interfaces=[{'index': 10, 'metric': 35, 'addresses': ['192.168.0.124']}])
    (default,) = _route(state, '0.0.0.0/0')
    (host,) = _route(state, '89.105.200.136/32')
    assert (default['route_metric'], host['route_metric']) == (0, 1)
    assert 'metric_is_sum' not in default
    loaded = HostState.from_dict(state)
    assert loaded.interface(10).ipv4.metric + default['route_metric'] == 35  # effective 35, not 70


def test_tv31_unknown_metric_keeps_sum_and_marks_partial():
    state = parse_route_print(TV31, interfaces=[{'index': 10, 'addresses': ['192.168.0.124']}])
    (default,) = _route(state, '0.0.0.0/0')
    assert default['route_metric'] == 35 and default['metric_is_sum'] is True
    iface = [i for i in state['interfaces'] if i['index'] == 10][0]
    assert iface['ipv4'] == {'metric': 0, 'metric_unknown': True}
    assert 'interfaces.metric' in state['partial']


def test_metric_derived_from_own_host_route():
    text = TV31.replace('        127.0.0.0', '    192.168.0.124  255.255.255.255         On-link    192.168.0.124    291\n        127.0.0.0')
    state = parse_route_print(text)
    iface = [i for i in state['interfaces'] if i['index'] == 10][0]
    assert iface['ipv4']['metric'] == 35
    assert [r['route_metric'] for r in _route(state, '0.0.0.0/0')] == [0]
    assert [r['protocol'] for r in _route(state, '192.168.0.124/32')] == ['local']
    assert 'routes.ipv6' in state['partial']
    loopback = [i for i in state['interfaces'] if i['index'] == 1][0]
    assert loopback['ipv4'] == {'metric': 0, 'metric_unknown': True}  # no 127.0.0.1/32 row to derive it from


def test_given_metric_below_printed_sum_is_an_error():
    with pytest.raises(ParseError, match=r'^line 11: the printed metric 35 is lower than the ipv4 metric 50 of interface 10'):
        parse_route_print(TV31, interfaces=[{'index': 10, 'metric': 50, 'addresses': ['192.168.0.124']}])


def test_interfaces_hint_as_json_text_and_alias():
    hint = json.dumps([{'InterfaceAlias': 'Realtek PCIe GbE Family Controller', 'AddressFamily': 2, 'InterfaceMetric': 35}])
    state = parse_route_print(TV31, interfaces=hint)
    assert [r['route_metric'] for r in _route(state, '89.105.200.136/32')] == [1]


def test_unknown_alias_hint_is_an_error():
    with pytest.raises(ParseError, match=r"^\[0\]: alias 'NIC9' does not name one interface"):
        parse_route_print(TV31, interfaces=[{'alias': 'NIC9', 'metric': 5}])


ROUTE_51 = {'DestinationPrefix': '0.0.0.0/0', 'NextHop': '192.0.2.1', 'InterfaceIndex': 4, 'InterfaceAlias': 'Ethernet',
            'AddressFamily': 2, 'RouteMetric': 0, 'InterfaceMetric': 15, 'Protocol': 3, 'Store': 1}
ROUTE_7 = dict(ROUTE_51, AddressFamily='IPv4', Protocol='NetMgmt', Store='ActiveStore')
IFACE_51 = {'InterfaceIndex': 4, 'InterfaceAlias': 'Ethernet', 'AddressFamily': 2, 'InterfaceMetric': 15, 'AutomaticMetric': 1,
            'WeakHostSend': 0, 'WeakHostReceive': 1, 'Forwarding': 0, 'IgnoreDefaultRoutes': 0, 'Dhcp': 1, 'ConnectionState': 1}
IFACE_7 = dict(IFACE_51, AddressFamily='IPv4', AutomaticMetric='Enabled', WeakHostSend='Disabled', WeakHostReceive='Enabled',
               Forwarding='Disabled', IgnoreDefaultRoutes='Disabled', Dhcp='Enabled', ConnectionState='Connected')
ADDR_51 = {'IPAddress': '192.0.2.20', 'InterfaceIndex': 4, 'PrefixLength': 24, 'AddressFamily': 2, 'AddressState': 4,
           'SkipAsSource': False, 'PrefixOrigin': 3, 'SuffixOrigin': 3, 'Type': 1, 'Store': 1}
ADDR_7 = dict(ADDR_51, AddressFamily='IPv4', AddressState='Preferred', PrefixOrigin='Dhcp', SuffixOrigin='Dhcp', Type='Unicast',
              Store='ActiveStore')


@pytest.mark.parametrize('rows', [[ROUTE_51, IFACE_51, ADDR_51], [ROUTE_7, IFACE_7, ADDR_7]], ids=['ps51', 'ps7'])
def test_numeric_and_named_enums_agree(rows):
    state = parse_netroute_json(rows)
    (iface,) = state['interfaces']
    assert iface['ipv4'] == {'metric': 15, 'automatic_metric': True, 'weak_host_send': False, 'weak_host_receive': True,
                             'forwarding': False, 'ignore_default_routes': False, 'dhcp': True}
    assert state['addresses'] == [{'address': '192.0.2.20', 'prefix_length': 24, 'interface': 4, 'skip_as_source': False,
                                   'state': 'preferred', 'prefix_origin': 'dhcp', 'suffix_origin': 'dhcp', 'temporary': False}]
    assert state['routes'][0]['protocol'] == 'netmgmt' and state['routes'][0]['store'] == 'active'
    assert state['partial'] == ['interfaces.register_dns', 'interfaces.kind', 'interfaces.link_speed', 'routes.persistent', 'routes.ipv6']


def test_cim_instance_properties_fill_missing_keys():
    wrapped = {'CimInstanceProperties': [{'Name': k, 'Value': v, 'CimType': 13, 'Flags': 'Property', 'IsValueModified': False}
                                         for k, v in ROUTE_51.items()],
               'CimSystemProperties': {'ClassName': 'MSFT_NetRoute', 'Namespace': 'ROOT/StandardCimv2'}}
    assert parse_netroute_json([wrapped])['routes'] == parse_netroute_json([ROUTE_51])['routes']


def test_temporary_ipv6_address_and_store_codes():
    addr = dict(ADDR_51, IPAddress='2001:db8:7::beef', PrefixLength=64, AddressFamily=23, PrefixOrigin=4, SuffixOrigin=5)
    iface6 = dict(IFACE_51, AddressFamily=23)
    persistent = dict(ROUTE_51, Store=0)
    state = parse_netroute_json([ROUTE_51, persistent, IFACE_51, iface6, addr])
    assert state['addresses'][0]['temporary'] is True
    assert [r['store'] for r in state['routes']] == ['active', 'persistent']
    assert 'routes.persistent' not in state['partial']


def test_routes_only_marks_partial_and_uses_route_interface_metric():
    state = parse_netroute_json(json.dumps(ROUTE_51))
    assert state['interfaces'] == [{'index': 4, 'alias': 'Ethernet', 'ipv4': {'metric': 15}}]
    assert {'interfaces.settings', 'addresses', 'routes.persistent'} <= set(state['partial'])


def test_netroute_rows_without_interface_metric():
    row = {k: v for k, v in ROUTE_51.items() if k != 'InterfaceMetric'}
    state = parse_netroute_json([row])
    assert state['interfaces'][0]['ipv4'] == {'metric': 0, 'metric_unknown': True}
    assert 'interfaces.metric' in state['partial']


def test_json_booleans_count_only_for_switches():
    state = parse_netroute_json([dict(IFACE_51, WeakHostSend=True, Dhcp=False, ConnectionState=True)])
    assert state['interfaces'][0]['ipv4']['weak_host_send'] is True and state['interfaces'][0]['ipv4']['dhcp'] is False
    with pytest.raises(ParseError, match=r'^\[0\]\.AddressState: unknown value True'):
        parse_netroute_json([dict(ADDR_51, AddressState=True)])


ADAPTER_51 = {'InterfaceIndex': 4, 'Name': 'Ethernet', 'InterfaceDescription': 'Intel(R) Ethernet Controller X710', 'ComponentID': 'pci\\ven_8086&dev_1572',
              'MacAddress': '3C-FD-FE-A1-22-10', 'Speed': 10000000000, 'InterfaceType': 6, 'NdisPhysicalMedium': 14}
DNS_CLIENT = {'InterfaceIndex': 4, 'InterfaceAlias': 'Ethernet', 'RegisterThisConnectionsAddress': False}
BINDING = {'Name': 'Ethernet', 'InterfaceDescription': 'Intel(R) Ethernet Controller X710', 'ComponentID': 'ms_server', 'Enabled': False}
NETBIOS = {'InterfaceIndex': 4, 'IPEnabled': True, 'TcpipNetbiosOptions': 2}
STATISTICS = {'Name': 'Ethernet', 'InterfaceDescription': 'Intel(R) Ethernet Controller X710', 'ReceivedDiscardedPackets': 7,
              'OutboundDiscardedPackets': 1}


def test_exports_of_the_other_cmdlets_are_recognised_by_their_properties():
    """Get-NetAdapter, Get-DnsClient, Get-NetAdapterBinding, Win32_NetworkAdapterConfiguration and
    Get-NetAdapterStatistics exported without their class names still describe the interface."""
    state = parse_netroute_json([ROUTE_51, IFACE_51, ADDR_51, ADAPTER_51, DNS_CLIENT, BINDING, NETBIOS, STATISTICS])
    (iface,) = state['interfaces']
    assert iface == {'index': 4, 'alias': 'Ethernet', 'kind': 'ethernet', 'description': 'Intel(R) Ethernet Controller X710',
                     'mac': '3C-FD-FE-A1-22-10', 'link_speed_bps': 10000000000, 'bindings': {'ms_server': False},
                     'discards': {'received': 7, 'outbound': 1}, 'register_dns': False, 'netbios': 'disabled', 'connected': True,
                     'ipv4': {'metric': 15, 'automatic_metric': True, 'weak_host_send': False, 'weak_host_receive': True,
                              'forwarding': False, 'ignore_default_routes': False, 'dhcp': True}}
    assert state['partial'] == ['routes.persistent', 'routes.ipv6']
