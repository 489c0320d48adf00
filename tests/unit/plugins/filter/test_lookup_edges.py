# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Route and source selection, DSR and destination ordering at their edges, through the public
filters: the branches no other test took (argument conflicts, unusable addresses, source ties,
interfaces without a source address, RFC 6724 destination rules, routes on a loopback)."""

from __future__ import annotations

import os
import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.winnet.routing.plugins.filter.dsr_check import dsr_check
from ansible_collections.winnet.routing.plugins.filter.effective_routes import effective_routes
from ansible_collections.winnet.routing.plugins.filter.order_destinations import order_destinations
from ansible_collections.winnet.routing.plugins.filter.route_findings import route_findings
from ansible_collections.winnet.routing.plugins.filter.route_lookup import route_lookup

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'module_utils'))
from vectors import host, nic, rt  # noqa: E402  pylint: disable=wrong-import-position


def dual(mgmt=None, data=None, routes=None, extra=()):
    """Management (3: 10.10.0.20/24, 2001:db8:10::20/64, fe80::a/64) and Data (4: 192.0.2.20/24,
    2001:db8:20::20/64, fe80::b/64), both metric 25 in both families; default routes via Data, in both
    stores as New-NetRoute leaves them."""
    m = dict({'index': 3, 'alias': 'Management', 'm': 25, 'v6': 25, 'addrs': ['10.10.0.20/24', '2001:db8:10::20/64', 'fe80::a/64']},
             **(mgmt or {}))
    d = dict({'index': 4, 'alias': 'Data', 'm': 25, 'v6': 25, 'addrs': ['192.0.2.20/24', '2001:db8:20::20/64', 'fe80::b/64']}, **(data or {}))
    if routes is None:
        routes = [rt('0.0.0.0/0', '192.0.2.1', 4, 0, store=store) for store in ('active', 'persistent')]
        routes += [rt('::/0', 'fe80::1', 4, 0, store=store) for store in ('active', 'persistent')]
    return host(nic(**m), nic(**d), *extra, routes=routes)


def error(filter_function, *args, **kwargs):
    with pytest.raises(AnsibleFilterError) as err:
        filter_function(*args, **kwargs)
    return str(err.value)


# ------------------------------------------------------------------------------ route_lookup


def test_a_zone_and_an_interface_that_disagree():
    assert error(route_lookup, dual(), 'fe80::99%3', interface=4) == \
        'winnet.routing.route_lookup: interface: interface 4 contradicts the zone %3 of fe80::99%3'
    result = route_lookup(dual(), 'fe80::99%3', interface=3)
    assert (result['interface'], result['source']) == (3, 'fe80::a')


def test_a_source_that_is_not_on_the_given_interface():
    assert error(route_lookup, dual(), '198.51.100.7', source='10.10.0.20', interface='Data') == \
        'winnet.routing.route_lookup: source: 10.10.0.20 is not assigned on interface 4 (Data)'


def test_an_error_about_the_source_in_a_list_of_destinations_names_the_source():
    assert error(route_lookup, dual(), ['198.51.100.7', '198.51.100.8'], source='10.10.0.99') == \
        'winnet.routing.route_lookup: source: 10.10.0.99 is not a preferred or deprecated unicast address assigned on this host'
    assert error(route_lookup, dual(), ['198.51.100.7', 'nowhere']) == \
        "winnet.routing.route_lookup: destination[1]: 'nowhere' is not an IP address"


def test_a_link_local_destination_one_interface_reaches_needs_no_zone():
    state = dual(data={'addrs': ['192.0.2.20/24', '2001:db8:20::20/64']})
    result = route_lookup(state, 'fe80::99')
    assert (result['interface'], result['source'], result['findings']) == (3, 'fe80::a', [])


@pytest.mark.parametrize('state', ['tentative', 'duplicate', 'invalid'])
def test_an_address_that_is_not_usable_is_not_local(state):
    data = dual()
    data['addresses'].append({'address': '192.0.2.30', 'prefix_length': 24, 'interface': 4, 'state': state})
    result = route_lookup(data, '192.0.2.30')
    # it is not delivered locally: the on-link route of Data sends it on the wire
    assert (result['disposition'], result['interface'], result['next_hop'], result['source']) == ('route', 4, '192.0.2.30', '192.0.2.20')
    assert error(route_lookup, data, '198.51.100.7', source='192.0.2.30') == (
        'winnet.routing.route_lookup: source: 192.0.2.30 is not a preferred or deprecated unicast address assigned on this host')


def test_a_deprecated_address_is_local_and_may_be_a_bound_source_but_is_not_preferred():
    data = dual()
    data['addresses'].append({'address': '192.0.2.30', 'prefix_length': 24, 'interface': 4, 'state': 'deprecated'})
    assert route_lookup(data, '192.0.2.30')['disposition'] == 'local'
    assert route_lookup(data, '198.51.100.7', source='192.0.2.30')['source'] == '192.0.2.30'
    unbound = route_lookup(data, '198.51.100.7')
    assert unbound['source'] == '192.0.2.20'
    assert 'Source address 192.0.2.20 is preferred over 192.0.2.30 for destination 198.51.100.7. Rule = 3.0.' in unbound['trace']


def test_two_sources_nothing_tells_apart_are_a_source_tie():
    data = dual(data={'addrs': ['192.0.2.20/24', '192.0.2.21/24']})
    result = route_lookup(data, '198.51.100.7')
    assert (result['source'], result['source_tie'], result['tie'], result['flags']) == ('192.0.2.20', True, False, ['heuristic'])
    assert 'Source addresses 192.0.2.20, 192.0.2.21 remain equal after every rule; the first is shown, as a heuristic.' in result['trace']


def test_an_interface_without_a_source_address_borrows_one():
    # the route to 198.51.100.0/24 leaves Tunnel (5), whose only address is SkipAsSource
    tunnel = nic(5, 'Tunnel', m=5, kind='tunnel', addrs=['172.16.0.5/30'], skip=['172.16.0.5'])
    data = dual(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '172.16.0.6', 5, 0)], extra=[tunnel])
    result = route_lookup(data, '198.51.100.7')
    assert (result['interface'], result['next_hop']) == (5, '172.16.0.6')
    assert result['source'] in ('10.10.0.20', '192.0.2.20')
    assert 'Interface 5 has no usable source address; addresses of other interfaces are considered (undocumented).' in result['trace']


def test_a_host_without_any_source_address():
    data = host(nic(3, 'NIC1', m=25, addrs=['192.0.2.20/24'], skip=['192.0.2.20']), routes=[rt('0.0.0.0/0', '192.0.2.1', 3, 0)], loopback=False)
    result = route_lookup(data, '198.51.100.7')
    assert (result['disposition'], result['interface'], result['source']) == ('route', 3, None)
    assert 'No usable source address: no preferred address without SkipAsSource on this host.' in result['trace']


def test_a_tie_broken_by_the_source_only_among_its_own_interfaces():
    # 10.10.0.20 is on Management and Data; three routes tie, two on the source's interfaces
    data = dual(routes=[rt('198.51.100.0/24', '10.10.0.1', 3, 10), rt('198.51.100.0/24', '192.0.2.1', 4, 10),
                        rt('198.51.100.0/24', '172.16.0.1', 5, 10)], extra=[nic(5, 'Backup', m=25, addrs=['172.16.0.20/24'])])
    data['addresses'].append({'address': '10.10.0.20', 'prefix_length': 24, 'interface': 4})
    result = route_lookup(data, '198.51.100.7', source='10.10.0.20')
    # strong host send keeps the lookup to the source's interfaces, where two routes still tie
    assert (result['interface'], result['tie'], result['tie_break']) == (3, True, 'RouteOrder (undocumented)')
    assert [c['interface'] for c in result['candidates']] == [3, 4]
    # a source on one interface breaks the tie of the whole table (GetBestRoute)
    single = route_lookup(data, '198.51.100.7', source='172.16.0.20')
    assert (single['interface'], single['tie'], single['tie_break']) == (5, False, 'source interface')
    assert [c['interface'] for c in single['candidates']] == [3, 4, 5]


@pytest.mark.parametrize('destination, expected', [
    ('ff05::1:3', '2001:db8:20::20'),     # site-local multicast (scope 5): a global source, not fe80::b
    ('ff02::1:2', 'fe80::b'),             # link-local multicast (scope 2): the link-local source
    ('fec0::99', '2001:db8:20::20'),      # site-local unicast (scope 5)
])
def test_ipv6_rule_2_follows_the_scope_of_the_destination(destination, expected):
    data = dual(routes=[rt('::/0', 'fe80::1', 4, 0), rt('ff00::/8', '::', 4, 0), rt('fec0::/10', 'fe80::1', 4, 0)])
    assert route_lookup(data, destination)['source'] == expected


# ------------------------------------------------------------------------------ loopback prefix


def test_a_loopback_prefix_that_loses_or_cannot_route_is_no_finding():
    # Data holds a longer on-link prefix of the same subnet: the loopback's /24 never wins
    loop = nic(9, 'loopback', m=5, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.100/24'])
    data = dual(data={'addrs': ['192.0.2.20/25']}, extra=[loop])
    assert [f['id'] for f in route_findings(data)] == []
    # a disconnected loopback adapter brings no route at all
    off = nic(9, 'loopback', m=5, kind='loopback_adapter', ws=True, wr=True, st=False, addrs=['198.51.100.100/24'])
    assert [f['id'] for f in route_findings(dual(extra=[off]))] == []


# ------------------------------------------------------------------------------ dsr_check


def _dsr_host(loop_routes=(), loop_metric=254, client_route=True):
    loop = nic(9, 'loopback', m=loop_metric, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.80/32'], skip=['192.0.2.80'],
               register_dns=False)
    routes = [rt('0.0.0.0/0', '192.0.2.1', 4, 0)] if client_route else []
    return dual(data={'wr': True, 'ws': True}, routes=routes + list(loop_routes), extra=[loop])


def _check(result, cid):
    return [c for c in result['checks'] if c['id'] == cid][0]


def test_a_route_on_the_loopback_that_wins_for_a_client():
    result = dsr_check(_dsr_host(loop_routes=[rt('203.0.113.0/24', '0.0.0.0', 9, 0)], loop_metric=5), vip='192.0.2.80', nic='Data',
                       clients=['203.0.113.50', '198.51.100.9'])
    check = _check(result, 'loopback_routes')
    assert (check['status'], check['message']) == ('fail', 'routes on loopback loopback win for clients 203.0.113.50 (203.0.113.0/24 via 0.0.0.0)')
    assert check['remediation'] == "Get-NetRoute -InterfaceIndex 9 | Where-Object { $_.NextHop -ne '0.0.0.0' } | Remove-NetRoute -Confirm:$false"
    assert result['ready'] is False
    # the reply to that client follows the loopback route: removing it is the remedy, not a new host prefix (the VIP is a /32 already)
    assert _check(result, 'reply_via_nic') == {
        'id': 'reply_via_nic', 'status': 'fail', 'message': 'replies from 192.0.2.80 do not leave interface 4: 203.0.113.50 -> interface 9',
        'remediation': "Get-NetRoute -InterfaceIndex 9 | Where-Object { $_.NextHop -ne '0.0.0.0' } | Remove-NetRoute -Confirm:$false"}


def test_a_client_the_host_cannot_route_to_is_not_counted_against_the_loopback():
    result = dsr_check(_dsr_host(client_route=False), vip='192.0.2.80', nic='Data', clients=['203.0.113.50'])
    assert _check(result, 'loopback_routes')['status'] == 'pass'
    assert _check(result, 'reply_via_nic') == {
        'id': 'reply_via_nic', 'status': 'fail', 'message': 'replies from 192.0.2.80 do not leave interface 4: 203.0.113.50 -> no route',
        'remediation': 'Set-NetIPInterface -InterfaceIndex 9 -AddressFamily IPv4 -WeakHostSend Enabled'}


def test_a_ready_real_server():
    result = dsr_check(_dsr_host(), vip='192.0.2.80', nic='Data', clients=['203.0.113.50'])
    assert result['ready'] is True
    assert {c['id']: c['status'] for c in result['checks']} == {
        'vip_on_loopback': 'pass', 'nic_weak_host_receive': 'pass', 'loopback_weak_host_send': 'pass', 'loopback_weak_host_receive': 'pass',
        'nic_weak_host_send': 'pass', 'reply_via_nic': 'pass', 'vip_prefix': 'pass', 'loopback_routes': 'pass',
        'vip_not_on_physical_nic': 'pass', 'vip_skip_as_source': 'pass', 'loopback_dns_registration': 'pass'}
    assert result['trace'][0] == 'DSR check of VIP 192.0.2.80 arriving on interface 4 (Data) for clients 203.0.113.50: ready.'


# ------------------------------------------------------------------------------ order_destinations


def _order(data, destinations, **kwargs):
    return [(d['address'], d['reachable'], d['source']) for d in order_destinations(data, destinations, **kwargs)]


def test_rule_1_an_unreachable_destination_goes_last():
    data = dual(routes=[rt('::/0', 'fe80::1', 4, 0)])
    assert _order(data, ['203.0.113.9', '2001:db8:99::1']) == [('2001:db8:99::1', True, '2001:db8:20::20'), ('203.0.113.9', False, None)]


def test_rule_6_ipv6_before_ipv4_unless_ipv4_is_preferred():
    assert [a for a, _r, _s in _order(dual(), ['203.0.113.9', '2001:db8:99::1'])] == ['2001:db8:99::1', '203.0.113.9']
    assert [a for a, _r, _s in _order(dual(), ['2001:db8:99::1', '203.0.113.9'], prefer_ipv4=True)] == ['203.0.113.9', '2001:db8:99::1']


def test_rule_8_the_smaller_scope_first():
    assert [a for a, _r, _s in _order(dual(), ['2001:db8:99::1', 'fe80::99%4'])] == ['fe80::99', '2001:db8:99::1']


def test_rule_5_a_matching_label_first():
    # 2002::/16 (6to4, label 2) gets the source 2001:db8:20::20 (label 1): the plain global destination wins
    assert [a for a, _r, _s in _order(dual(), ['2002:c000:204::1', '2001:db8:99::1'])] == ['2001:db8:99::1', '2002:c000:204::1']


def test_rule_3_a_deprecated_source_last():
    data = dual(routes=[rt('::/0', 'fe80::1', 4, 0), rt('2001:db8:77::/48', 'fe80::1', 3, 0)])
    for addr in data['addresses']:
        if addr['address'] == '2001:db8:10::20':
            addr['state'] = 'deprecated'
    ordered = _order(data, ['2001:db8:77::1', '2001:db8:99::1'])
    assert ordered == [('2001:db8:99::1', True, '2001:db8:20::20'), ('2001:db8:77::1', True, '2001:db8:10::20')]


def test_rule_9_the_longest_prefix_shared_with_the_source_first_then_the_order_given():
    data = dual()
    assert [a for a, _r, _s in _order(data, ['2001:db8:99::1', '2001:db8:20:ffff::1'])] == ['2001:db8:20:ffff::1', '2001:db8:99::1']
    assert [a for a, _r, _s in _order(data, ['2001:db8:99::2', '2001:db8:99::1'])] == ['2001:db8:99::2', '2001:db8:99::1']
    assert [a for a, _r, _s in _order(data, ['203.0.113.2', '203.0.113.1'])] == ['203.0.113.2', '203.0.113.1']


def test_order_destinations_refuses_what_is_not_a_list():
    assert error(order_destinations, dual(), '2001:db8:99::1') == 'winnet.routing.order_destinations: destinations: must be a list of addresses'
    assert error(order_destinations, dual(), ['2001:db8:99::1'], prefer_ipv4='yes') == \
        "winnet.routing.order_destinations: prefer_ipv4: must be true or false, got 'yes'"


# ------------------------------------------------------------------------------ effective_routes


def test_effective_routes_lists_blocked_routes_with_their_reason():
    data = dual(mgmt={'st': False}, data={'ignore_default': True},
                routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '10.10.0.1', 3, 5),
                        rt('203.0.113.0/24', '192.0.2.1', 4, 5), rt('203.0.113.0/24', '192.0.2.1', 4, 9, store='persistent')])
    rows = [(r['destination'], r['interface'], r['effective_metric'], r['eligible'], r['ineligible_reason'])
            for r in effective_routes(data) if r['protocol'] == 'netmgmt']
    assert rows == [('0.0.0.0/0', 4, 25, False, 'IgnoreDefaultRoutes'), ('198.51.100.0/24', 3, 30, False, 'InterfaceDisconnected'),
                    ('203.0.113.0/24', 4, 30, True, None)]
    assert error(effective_routes, dual(), family='ipv5') == "winnet.routing.effective_routes: family: 'ipv5' is not one of ipv4, ipv6"


def test_rule_1_decides_alone_when_the_reachable_destination_has_the_worse_precedence():
    # fec0::1 (precedence 1) is routed, 2001:db8:99::1 (precedence 40) is not: reachability comes first
    data = host(nic(3, 'NIC1', m=25, v6=25, addrs=['2001:db8:20::20/64', 'fe80::a/64']), routes=[rt('fec0::/10', 'fe80::1', 3, 0)])
    assert order_destinations(data, ['2001:db8:99::1', 'fec0::1']) == [
        {'address': 'fec0::1', 'reachable': True, 'source': '2001:db8:20::20', 'precedence': 1, 'label': 11},
        {'address': '2001:db8:99::1', 'reachable': False, 'source': None, 'precedence': 40, 'label': 1}]


def test_rule_2_decides_alone_when_the_scope_matching_destination_has_the_worse_precedence():
    # 203.0.113.9 (precedence 35) would leave with an APIPA source (link-local scope), 2002:c000:204::1
    # (precedence 30) with a global source of its own scope: matching scope comes first
    data = host(nic(3, 'NIC1', m=25, v6=25, addrs=['169.254.10.20/16', '2002:c000:214::20/64', 'fe80::a/64']),
                routes=[rt('0.0.0.0/0', '169.254.0.1', 3, 0), rt('::/0', 'fe80::1', 3, 0)])
    assert order_destinations(data, ['203.0.113.9', '2002:c000:204::1']) == [
        {'address': '2002:c000:204::1', 'reachable': True, 'source': '2002:c000:214::20', 'precedence': 30, 'label': 2},
        {'address': '203.0.113.9', 'reachable': True, 'source': '169.254.10.20', 'precedence': 35, 'label': 4}]


def test_the_loopback_address_has_its_own_policy_entry():
    # ::1 is precedence 50, label 0 (its own row of the policy table), ahead of IPv4 (35, label 4)
    assert order_destinations(dual(), ['203.0.113.9', '::1']) == [
        {'address': '::1', 'reachable': True, 'source': '::1', 'precedence': 50, 'label': 0},
        {'address': '203.0.113.9', 'reachable': True, 'source': '192.0.2.20', 'precedence': 35, 'label': 4}]


def test_prefer_ipv4_gives_ipv4_precedence_45():
    ordered = order_destinations(dual(), ['2001:db8:99::1', '203.0.113.9'], prefer_ipv4=True)
    assert [(d['address'], d['precedence'], d['label']) for d in ordered] == [('203.0.113.9', 45, 4), ('2001:db8:99::1', 40, 1)]


# ------------------------------------------------------------------------------ local destinations


def test_a_local_destination_is_delivered_on_the_interface_that_holds_it():
    assert route_lookup(dual(), '192.0.2.20') == {
        'disposition': 'local', 'interface': 4, 'interface_alias': 'Data', 'next_hop': None, 'source': '192.0.2.20', 'route': None,
        'tie': False, 'tie_break': None, 'candidates': [], 'source_tie': False, 'flags': [], 'findings': [],
        'trace': ['Destination: 192.0.2.20 (ipv4). Source: unspecified. No interface constraint.',
                  '192.0.2.20 is assigned on interface 4: delivered locally, never on the wire.']}


def test_the_loopback_range_is_delivered_by_the_loopback_pseudo_interface():
    result = route_lookup(dual(), '127.0.0.5')
    assert (result['disposition'], result['interface'], result['interface_alias'], result['source'], result['next_hop']) == (
        'local', 1, 'Loopback Pseudo-Interface 1', '127.0.0.1', None)
    assert result['trace'][-1] == '127.0.0.5 is in the loopback range: delivered locally by the Loopback Pseudo-Interface.'
    # ::1 is an address of the pseudo-interface
    assert route_lookup(dual(), '::1')['trace'][-1] == '::1 is assigned on interface 1: delivered locally, never on the wire.'


def test_the_loopback_range_without_a_pseudo_interface_of_that_family():
    pseudo = nic(1, 'Loopback Pseudo-Interface 1', m=75, kind='loopback_pseudo', addrs=['127.0.0.1/8'])
    data = host(pseudo, nic(3, 'NIC1', m=25, v6=25, addrs=['2001:db8:20::20/64']), loopback=False)
    result = route_lookup(data, '::1')
    assert (result['disposition'], result['interface'], result['source']) == ('local', None, '::1')
    assert result['trace'][-1] == '::1 is in the loopback range: delivered locally by the Loopback Pseudo-Interface.'
    assert route_lookup(data, '127.0.0.1')['interface'] == 1


# ------------------------------------------------------------------------------ dsr_check arguments


@pytest.mark.parametrize('vip, nic_, clients, message', [
    ('0.0.0.0', 'Data', ['203.0.113.50'], 'vip: 0.0.0.0 is not a unicast address'),
    ('255.255.255.255', 'Data', ['203.0.113.50'], 'vip: 255.255.255.255 is not a unicast address'),
    ('224.0.0.5', 'Data', ['203.0.113.50'], 'vip: 224.0.0.5 is not a unicast address'),
    ('ff02::1', 'Data', ['2001:db8::50'], 'vip: ff02::1 is not a unicast address'),
    ('fe80::80%4', 'Data', ['fe80::50'], "vip: 'fe80::80%4': a VIP takes no zone"),
    ('192.0.2.80', 'Data', '203.0.113.50', 'clients: must be a non-empty list of client addresses'),
    ('192.0.2.80', 'Data', [], 'clients: must be a non-empty list of client addresses'),
    ('192.0.2.80', 'Data', ['203.0.113.50', 'nowhere'], "clients[1]: 'nowhere' is not an IP address"),
    ('2001:db8:20::80', 'Data4', ['2001:db8::50'], 'nic: interface 5 (Data4) has no ipv6 settings'),
])
def test_dsr_check_arguments(vip, nic_, clients, message):
    data = dual(extra=[nic(5, 'Data4', m=25, addrs=['198.51.100.20/24'])])
    assert error(dsr_check, data, vip=vip, nic=nic_, clients=clients) == 'winnet.routing.dsr_check: ' + message


@pytest.mark.parametrize('partial', [['interfaces.settings'], ['interfaces.kind'], ['interfaces.settings', 'interfaces.kind']])
def test_dsr_check_needs_the_settings_and_kinds(partial):
    data = dual()
    data['partial'] = partial
    assert error(dsr_check, data, vip='192.0.2.80', nic='Data', clients=['203.0.113.50']) == (
        'winnet.routing.dsr_check: state: dsr_check needs data this state does not carry (partial: %s); gather the host with '
        'winnet.routing.net_info, or add Get-NetIPInterface and Get-NetAdapter output to the export' % ', '.join(partial))
