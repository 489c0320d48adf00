# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings and answers that no other test pinned, through the public filters.

Each state is written out by hand; each expectation is the finding a Windows administrator should
get for it: its id, severity, interfaces and routes, and the message and remediation as written.
"""

from __future__ import annotations

import os
import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.winnet.routing.plugins.filter.dsr_check import dsr_check
from ansible_collections.winnet.routing.plugins.filter.flow_check import flow_check
from ansible_collections.winnet.routing.plugins.filter.route_findings import route_findings
from ansible_collections.winnet.routing.plugins.filter.route_lookup import route_lookup

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'module_utils'))
from vectors import host, nic, rt  # noqa: E402  pylint: disable=wrong-import-position


def ref(destination, next_hop, interface, metric, store='active', protocol='netmgmt'):
    """A route as findings list it."""
    return {'destination': destination, 'next_hop': next_hop, 'interface': interface, 'route_metric': metric, 'store': store,
            'protocol': protocol}


def remove_both(destination, next_hop, interface):
    """The fix's operations and commands that remove a route from both stores (the persistent copy first)."""
    family, label = ('ipv6', 'IPv6') if ':' in destination else ('ipv4', 'IPv4')
    ops = [{'op': 'remove_route', 'family': family, 'destination': destination, 'next_hop': next_hop, 'interface': interface, 'store': store}
           for store in ('persistent', 'active')]
    commands = ["Remove-NetRoute -AddressFamily %s -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '%s' -PolicyStore %s -Confirm:$false"
                % (label, interface, destination, next_hop, store) for store in ('PersistentStore', 'ActiveStore')]
    return ops, commands


def proven(finding):
    """The fix of a finding without its plan's base (the digest of the state it was proven on), which must be there."""
    fix = finding['fix']
    assert len(fix['plan']['base']) == 64
    return {'operations': fix['plan']['operations'], 'powershell': fix['powershell']}


def ids(findings):
    return [item['id'] for item in findings]


def one(findings, fid):
    found = [item for item in findings if item['id'] == fid]
    assert len(found) == 1, findings
    return found[0]


def persisted(routes):
    """``routes`` with a PersistentStore copy of each static route given for the ActiveStore only, as
    New-NetRoute (and ``route add -p``) leaves them; a route given for one store explicitly keeps its copies."""
    out = list(routes)
    given = {(r['destination'], r['next_hop'], r['interface'], r['store']) for r in out}
    for r in routes:
        if r['store'] == 'active' and r['protocol'] == 'netmgmt' and (r['destination'], r['next_hop'], r['interface'], 'persistent') not in given:
            out.append(dict(r, store='persistent'))
    return out


def mgmt_data(mgmt=None, data=None, routes=(), extra=(), persist=True):
    """Management (3, 10.10.0.20/24) and Data (4, 192.0.2.20/24), both metric 25; static routes in both
    stores unless ``persist`` is false (see ``persisted``)."""
    m = dict({'index': 3, 'alias': 'Management', 'm': 25, 'addrs': ['10.10.0.20/24']}, **(mgmt or {}))
    d = dict({'index': 4, 'alias': 'Data', 'm': 25, 'addrs': ['192.0.2.20/24']}, **(data or {}))
    return host(nic(**m), nic(**d), *extra, routes=persisted(routes) if persist else list(routes))


# ------------------------------------------------------------------------------ route_findings


def test_a_next_hop_outside_the_interface_subnets_cannot_be_reached():
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '172.16.0.1', 3, 10),
                              rt('203.0.113.0/24', '10.10.0.1', 3, 10)])
    assert route_findings(state) == [{
        'id': 'next_hop_not_on_link', 'severity': 'error',
        'message': 'Route 198.51.100.0/24 via 172.16.0.1 on interface 3 (Management): the next hop is not in any on-link subnet of that '
                   'interface, so it cannot be reached.',
        # which gateway of Management should carry the route is the administrator's call: no fix is offered
        'remediation': 'Decide which gateway inside a subnet of interface Management (3) should carry 198.51.100.0/24, then remove this '
                       'route from both stores and add it again with that next hop (or remove it if it is not needed).',
        'interfaces': [3], 'routes': [ref('198.51.100.0/24', '172.16.0.1', 3, 10)],
        'cause': 'Route 198.51.100.0/24 via 172.16.0.1 on interface 3 (Management): the next hop is not in any on-link subnet of that '
                 'interface, so it cannot be reached.',
        'fix': None}]


def test_a_next_hop_in_an_on_link_route_of_the_interface_is_reachable():
    # 172.16.0.0/24 is on-link on Management by a route, not by an address
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('172.16.0.0/24', '0.0.0.0', 3, 10),
                              rt('198.51.100.0/24', '172.16.0.1', 3, 10)])
    assert route_findings(state) == []


def test_a_manual_default_route_on_an_interface_ignoring_default_routes():
    state = mgmt_data(data={'ignore_default': True}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    expected = {
        'id': 'manual_default_route_ignored', 'severity': 'warning',
        'message': "Interface 4 (Data) has IgnoreDefaultRoutes enabled and a manually added default route via 192.0.2.1; Microsoft's "
                   "documents disagree on whether such a route is ignored (it is treated as ignored here).",
        'remediation': 'Remove the default route via 192.0.2.1 from interface Data (4) in both stores, so that what Windows does no '
                       'longer depends on it.',
        'interfaces': [4], 'routes': [ref('0.0.0.0/0', '192.0.2.1', 4, 0)],
        'cause': "Interface 4 (Data) has IgnoreDefaultRoutes enabled and a manually added default route via 192.0.2.1; Microsoft's "
                 "documents disagree on whether such a route is ignored (it is treated as ignored here).",
        'fix': None}
    findings = route_findings(state)
    assert [dict(f, fix=None) for f in findings] == [expected]
    # the route goes from both stores, so it does not come back after a reboot
    ops, commands = remove_both('0.0.0.0/0', '192.0.2.1', 4)
    assert proven(findings[0]) == {'operations': ops, 'powershell': commands}
    # the lookup that falls through to no route says so too
    lookup = route_lookup(state, '203.0.113.9')
    assert (lookup['disposition'], lookup['findings']) == ('no_route', [])
    # a lookup reports the finding without a proven fix (route_findings proves fixes)
    routed = route_lookup(mgmt_data(data={'ignore_default': True}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0),
                                                                           rt('0.0.0.0/0', '10.10.0.1', 3, 50)]), '203.0.113.9')
    assert (routed['interface'], routed['findings']) == (3, [expected])


def test_a_default_route_learned_by_dhcp_on_such_an_interface_is_simply_ignored():
    state = mgmt_data(data={'ignore_default': True}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0, protocol='dhcp')])
    assert route_findings(state) == []


def test_two_default_routes_on_one_interface_are_not_disjoint():
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('0.0.0.0/0', '192.0.2.2', 4, 10)])
    findings = route_findings(state)
    assert ids(findings) == ['multiple_default_routes']
    assert findings[0]['message'] == (
        'ipv4 has 2 eligible default routes: 0.0.0.0/0 via 192.0.2.1 on interface 4 (effective metric 25), 0.0.0.0/0 via 192.0.2.2 on '
        'interface 4 (effective metric 35). New outbound traffic uses the first (lowest route metric plus interface metric); the others are '
        'dead gateway detection failover candidates (TCP-triggered, non-deterministic) and are used by replies and bound sockets on '
        'their own interfaces.')
    # one NIC holds both: the question is which gateway stays, which the state cannot tell
    assert findings[0]['remediation'] == ('Decide which of the IPv4 default gateways of Data (4) (192.0.2.1, 192.0.2.2) stays and remove '
                                          'the others from both stores.')
    assert (findings[0]['cause'], findings[0]['fix']) == ('IPv4 default gateways on Data (4)', None)
    assert (findings[0]['interfaces'], findings[0]['routes']) == ([4], [ref('0.0.0.0/0', '192.0.2.1', 4, 0), ref('0.0.0.0/0', '192.0.2.2', 4, 10)])


def test_default_gateways_on_two_interfaces_keep_the_best_and_name_both():
    state = mgmt_data(mgmt={'m': 5}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('0.0.0.0/0', '10.10.0.1', 3, 10)])
    findings = route_findings(state)
    assert ids(findings) == ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces']
    disjoint = findings[1]
    assert disjoint['severity'] == 'error'
    assert disjoint['message'] == ('ipv4 default gateways sit on 2 different interfaces (3 (Management), 4 (Data)); Microsoft does not '
                                   'recommend default gateways across disjoint networks: outbound traffic and replies leave by different '
                                   'NICs depending on the source.')
    # 10.10.0.1 wins (5 + 10 < 25 + 0), but winning says nothing about which NIC is the data NIC: without declared roles
    # nothing is removed, and the remediation names the choice and the variable
    assert disjoint['remediation'] == ("Decide which NIC is the data NIC, the one that keeps the IPv4 default gateway (one of Management "
                                       "(3), Data (4)), and declare the NICs' roles in the host variable winnet_nic_roles (interface alias "
                                       "or index -> data, management, storage, ...); the others then get specific routes instead of a "
                                       "default gateway.")
    assert disjoint['interfaces'] == [3, 4]
    assert disjoint['routes'] == [ref('0.0.0.0/0', '10.10.0.1', 3, 10), ref('0.0.0.0/0', '192.0.2.1', 4, 0)]
    # one cause, one decision: both findings share them
    assert [(f['cause'], f['fix'], f['remediation']) for f in findings] == [
        ('IPv4 default gateways on Management (3), Data (4)', None, disjoint['remediation'])] * 2
    # with Data declared the data NIC, its gateway stays and Management's goes from both stores, though it wins today
    declared = route_findings(state, nic_roles={'Data': 'data', 'Management': 'management'})
    assert ids(declared) == ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces']
    ops, commands = remove_both('0.0.0.0/0', '10.10.0.1', 3)
    for item in declared:
        assert item['cause'] == 'IPv4 default gateways outside the data NIC Data (4)'
        assert item['remediation'] == ('Keep the IPv4 default gateway of the data NIC Data (4) (192.0.2.1) and remove the one on '
                                       'Management (3) via 10.10.0.1 from both stores; reach the networks behind Management with specific '
                                       'routes.')
        assert proven(item) == {'operations': ops, 'powershell': commands}


def test_a_default_route_on_a_disconnected_interface_is_not_eligible():
    state = mgmt_data(mgmt={'st': False}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('0.0.0.0/0', '10.10.0.1', 3, 10)])
    assert route_findings(state) == []


def test_a_tie_group_where_only_some_routes_tie():
    # effective metrics: 10 + 25 = 35 on Management, 0 + 35 = 35 on Data, 20 + 25 = 45 on Backup
    state = mgmt_data(data={'m': 35}, extra=[nic(5, 'Backup', m=25, addrs=['172.16.0.20/24'])],
                      routes=[rt('198.51.100.0/24', '10.10.0.1', 3, 10), rt('198.51.100.0/24', '192.0.2.1', 4, 0),
                              rt('198.51.100.0/24', '172.16.0.1', 5, 20)])
    assert route_findings(state) == [{
        'id': 'route_tie', 'severity': 'warning',
        'message': '2 routes to 198.51.100.0/24 tie at effective metric 35 (interfaces 3, 4); Windows breaks the tie by an undocumented '
                   'RouteOrder.',
        'remediation': 'Decide which of these routes should carry the traffic to 198.51.100.0/24, then give the others a higher route '
                       'metric in both stores (or remove them).',
        'interfaces': [3, 4], 'routes': [ref('198.51.100.0/24', '10.10.0.1', 3, 10), ref('198.51.100.0/24', '192.0.2.1', 4, 0)],
        'cause': '2 routes to 198.51.100.0/24 tie at effective metric 35 (interfaces 3, 4); Windows breaks the tie by an undocumented '
                 'RouteOrder.',
        'fix': None}]
    lookup = route_lookup(state, '198.51.100.7')
    assert (lookup['tie'], lookup['tie_break'], lookup['flags']) == (True, 'RouteOrder (undocumented)', ['heuristic'])
    assert [c['interface'] for c in lookup['candidates']] == [3, 4]


def test_the_subnet_broadcast_routes_of_two_nics_in_one_subnet_are_not_a_tie():
    state = mgmt_data(data={'addrs': ['10.10.0.21/24']}, routes=[rt('0.0.0.0/0', '10.10.0.1', 3, 0)])
    # 10.10.0.0/24 and 10.10.0.255/32 on both NICs tie by construction: only the on-link subnet is reported
    findings = route_findings(state)
    assert ids(findings) == ['route_tie']
    assert findings[0]['routes'][0]['destination'] == '10.10.0.0/24'


def test_a_31_has_no_broadcast_so_a_tie_on_its_peer_address_is_reported():
    # 10.30.0.0/31 holds two addresses and no broadcast: two routes to its peer 10.30.0.1 tie for real
    state = mgmt_data(mgmt={'addrs': ['10.10.0.20/24', '10.30.0.0/31']},
                      routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('10.30.0.1/32', '0.0.0.0', 3, 10), rt('10.30.0.1/32', '192.0.2.1', 4, 10)])
    findings = route_findings(state)
    assert ids(findings) == ['route_tie']
    assert [r['destination'] for r in findings[0]['routes']] == ['10.30.0.1/32', '10.30.0.1/32']


@pytest.mark.parametrize('prefix, expected', [(24, ['vip_prefix_route_on_loopback_wins']), (31, []), (32, [])])
def test_a_loopback_address_only_shorter_than_31_pulls_its_subnet_in(prefix, expected):
    loop = nic(9, 'loopback', m=5, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.100/%d' % prefix])
    assert ids(route_findings(mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)], extra=[loop]))) == expected


@pytest.mark.parametrize('routes', [[], [rt('0.0.0.0/0', '192.0.2.1', 4, 0)]], ids=['no route at all', 'a default route'])
def test_a_disconnected_loopback_brings_no_on_link_route_so_nothing_is_black_holed(routes):
    # a KM-TEST adapter whose media is disconnected gets no system routes for its /24
    loop = nic(9, 'loopback', m=5, st=False, kind='loopback_adapter', ws=True, wr=True, addrs=['10.77.0.100/24'])
    assert 'vip_prefix_route_on_loopback_wins' not in ids(route_findings(mgmt_data(routes=routes, extra=[loop])))


def test_the_loopback_prefix_finding_says_wins_or_ties():
    loop = nic(9, 'loopback', m=25, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.100/24'])
    finding = one(route_findings(mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)], extra=[loop])), 'vip_prefix_route_on_loopback_wins')
    assert finding['message'] == ('Address 192.0.2.100/24 on loopback adapter 9 (loopback) brings the on-link route 192.0.2.0/24, which ties '
                                  'for destinations in that subnet: traffic to them, including DSR replies to clients there, is black-holed '
                                  'into the loopback.')
    assert finding['remediation'] == 'Give 192.0.2.100 the host prefix /32 on the loopback (remove the address, add it again with SkipAsSource).'
    assert finding['cause'] == 'Address 192.0.2.100/24 on the loopback adapter loopback (9) is not a host prefix'
    assert proven(finding) == {
        'operations': [{'op': 'remove_address', 'interface': 9, 'family': 'ipv4', 'address': '192.0.2.100'},
                       {'op': 'add_address', 'interface': 9, 'family': 'ipv4', 'address': '192.0.2.100', 'prefix_length': 32,
                        'skip_as_source': True}],
        'powershell': ["Remove-NetIPAddress -InterfaceIndex 9 -AddressFamily IPv4 -IPAddress '192.0.2.100' -Confirm:$false",
                       "New-NetIPAddress -InterfaceIndex 9 -AddressFamily IPv4 -IPAddress '192.0.2.100' -PrefixLength 32 -SkipAsSource $true"]}
    assert finding['interfaces'] == [4, 9]
    assert [(r['destination'], r['interface']) for r in finding['routes']] == [('192.0.2.0/24', 4), ('192.0.2.0/24', 9)]


@pytest.mark.parametrize('active, persistent', [(10, 20), (20, 10)])
def test_metric_drift_between_the_stores_in_both_directions(active, persistent):
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '10.10.0.1', 3, active),
                              rt('198.51.100.0/24', '10.10.0.1', 3, persistent, store='persistent')])
    message = ('Route 198.51.100.0/24 via 10.10.0.1 on interface 3 has route metric %d in force but %d in the PersistentStore; the metric '
               'changes at the next reboot.' % (active, persistent))
    findings = route_findings(state)
    assert [dict(f, fix=None) for f in findings] == [{
        'id': 'persistent_active_drift', 'severity': 'warning', 'message': message,
        'remediation': 'Store the metric in force (%d) in the PersistentStore too, so that the routing after a reboot is the routing now.'
                       % active,
        'interfaces': [3],
        'routes': [ref('198.51.100.0/24', '10.10.0.1', 3, active), ref('198.51.100.0/24', '10.10.0.1', 3, persistent, store='persistent')],
        'cause': message, 'fix': None}]
    # the route is written again to both stores with the metric in force
    ops, commands = remove_both('198.51.100.0/24', '10.10.0.1', 3)
    assert proven(findings[0]) == {
        'operations': ops + [{'op': 'add_route', 'family': 'ipv4', 'destination': '198.51.100.0/24', 'next_hop': '10.10.0.1', 'interface': 3,
                              'store': 'both', 'route_metric': active}],
        'powershell': commands + ["New-NetRoute -AddressFamily IPv4 -InterfaceIndex 3 -DestinationPrefix '198.51.100.0/24' -NextHop "
                                  "'10.10.0.1' -RouteMetric %d  # no -PolicyStore: written to the ActiveStore and the PersistentStore" % active]}


def test_a_route_in_both_stores_with_one_metric_is_no_drift():
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '10.10.0.1', 3, 10),
                              rt('198.51.100.0/24', '10.10.0.1', 3, 10, store='persistent')])
    assert route_findings(state) == []


def test_a_persistent_only_route_is_drift_and_is_not_in_force():
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '10.10.0.1', 3, 10, store='persistent')])
    message = ('Route 198.51.100.0/24 via 10.10.0.1 on interface 3 exists only in the PersistentStore: it is not in force now and will '
               'return after a reboot.')
    # whether the route belongs on the host is a decision: no fix either way
    expected = {
        'id': 'persistent_active_drift', 'severity': 'warning', 'message': message,
        'remediation': 'Decide whether the route belongs on this host: bring it into force now (New-NetRoute with -PolicyStore ActiveStore) '
                       'or delete the stored copy (Remove-NetRoute with -PolicyStore PersistentStore).',
        'interfaces': [3], 'routes': [ref('198.51.100.0/24', '10.10.0.1', 3, 10, store='persistent')], 'cause': message, 'fix': None}
    assert route_findings(state) == [expected]
    lookup = route_lookup(state, '198.51.100.7')
    assert (lookup['interface'], lookup['route']['destination'], lookup['findings']) == (4, '0.0.0.0/0', [expected])
    assert ('Route [DestinationPrefix: 198.51.100.0/24 NextHop: 10.10.0.1 InterfaceIndex: 3 InterfaceMetric: 25 RouteMetric: 10] is blocked '
            'for Destination: 198.51.100.7. Reason: PersistentStoreOnly.') in lookup['trace']


def test_a_static_route_in_the_active_store_only_is_drift_the_other_way():
    # route add without -p: in force now, gone after the next reboot
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('0.0.0.0/0', '192.0.2.1', 4, 0, store='persistent'),
                              rt('198.51.100.0/24', '10.10.0.1', 3, 10)], persist=False)
    findings = route_findings(state)
    message = ('Static route 198.51.100.0/24 via 10.10.0.1 on interface 3 exists only in the ActiveStore: it is in force now but is gone '
               'after the next reboot (a route added without -p, or with -PolicyStore ActiveStore).')
    assert [dict(f, fix=None) for f in findings] == [{
        'id': 'persistent_active_drift', 'severity': 'warning', 'message': message,
        'remediation': 'Make the route persistent so that the routing after a reboot is the routing now (or remove it if it was meant to be '
                       'temporary).',
        'interfaces': [3], 'routes': [ref('198.51.100.0/24', '10.10.0.1', 3, 10)], 'cause': message, 'fix': None}]
    # the fix writes the route to both stores with the metric in force
    assert proven(findings[0]) == {
        'operations': [{'op': 'remove_route', 'family': 'ipv4', 'destination': '198.51.100.0/24', 'next_hop': '10.10.0.1', 'interface': 3,
                        'store': 'active'},
                       {'op': 'add_route', 'family': 'ipv4', 'destination': '198.51.100.0/24', 'next_hop': '10.10.0.1', 'interface': 3,
                        'store': 'both', 'route_metric': 10}],
        'powershell': ["Remove-NetRoute -AddressFamily IPv4 -InterfaceIndex 3 -DestinationPrefix '198.51.100.0/24' -NextHop '10.10.0.1' "
                       "-PolicyStore ActiveStore -Confirm:$false",
                       "New-NetRoute -AddressFamily IPv4 -InterfaceIndex 3 -DestinationPrefix '198.51.100.0/24' -NextHop '10.10.0.1' "
                       "-RouteMetric 10  # no -PolicyStore: written to the ActiveStore and the PersistentStore"]}


def test_a_learned_route_in_the_active_store_only_is_no_drift():
    # a DHCP or router advertisement route lives in the ActiveStore only by nature
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0, protocol='dhcp')], persist=False)
    assert route_findings(state) == []


def test_a_partial_state_without_the_persistent_store_reports_no_drift():
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '10.10.0.1', 3, 10, store='persistent')])
    state['partial'] = ['routes.persistent']
    # no drift is guessed; the only finding says the state does not carry the persistent store
    assert [(f['id'], f['severity']) for f in route_findings(state)] == [('partial_state', 'info')]
    assert 'routes.persistent' in route_findings(state)[0]['message']


# ------------------------------------------------------------------------------ route_lookup


def test_a_bound_source_sending_to_another_interface_address():
    result = route_lookup(mgmt_data(), '192.0.2.20', source='10.10.0.20')
    assert (result['disposition'], result['interface'], result['source']) == ('local', 4, '10.10.0.20')
    assert result['findings'] == [{
        'id': 'bound_source_to_other_local_interface', 'severity': 'warning',
        'message': 'A socket bound to 10.10.0.20 (interface 3) sends to 192.0.2.20 on interface 4; whether strong host send allows this is '
                   'undocumented.',
        'remediation': 'Bind to 192.0.2.20 or leave the source unspecified.', 'interfaces': [3, 4], 'routes': [],
        'cause': 'A socket bound to 10.10.0.20 (interface 3) sends to 192.0.2.20 on interface 4; whether strong host send allows this is '
                 'undocumented.',
        'fix': None}]
    # weak host send on the source's interface lifts the question; so does a source on the same interface
    assert route_lookup(mgmt_data(mgmt={'ws': True}), '192.0.2.20', source='10.10.0.20')['findings'] == []
    assert route_lookup(mgmt_data(), '10.10.0.20', source='10.10.0.20')['findings'] == []


def test_a_bound_source_on_a_partial_state_assumes_strong_host_send():
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    state['partial'] = ['interfaces.settings']
    result = route_lookup(state, '198.51.100.7', source='10.10.0.20')
    assert result['disposition'] == 'no_route'
    assert result['findings'] == [{
        'id': 'partial_state', 'severity': 'info',
        'message': 'Weak host send is not in this state; the lookup assumes strong host send for source 10.10.0.20.',
        'remediation': 'Gather the host with winnet.routing.net_info for a definite answer.', 'interfaces': [3], 'routes': [],
        'cause': 'Weak host send is not in this state; the lookup assumes strong host send for source 10.10.0.20.', 'fix': None}]


def test_ambiguous_zone_names_every_interface_that_reaches_the_link():
    state = mgmt_data(mgmt={'v6': 25, 'addrs': ['10.10.0.20/24', 'fe80::a/64']}, data={'v6': 25, 'addrs': ['192.0.2.20/24', 'fe80::b/64']})
    result = route_lookup(state, 'fe80::99')
    assert one(result['findings'], 'ambiguous_zone') == {
        'id': 'ambiguous_zone', 'severity': 'warning',
        'message': 'fe80::99 is link-local and no zone was given; interfaces 3, 4 all reach fe80::/64, so the interface is ambiguous.',
        'remediation': 'Give the zone: fe80::99%<InterfaceIndex> (for example fe80::99%3), or pass interface=.', 'interfaces': [3, 4],
        'routes': [],
        'cause': 'fe80::99 is link-local and no zone was given; interfaces 3, 4 all reach fe80::/64, so the interface is ambiguous.',
        'fix': None}
    zoned = route_lookup(state, 'fe80::99%4')
    assert (zoned['interface'], zoned['source'], zoned['findings']) == (4, 'fe80::b', [])


@pytest.mark.parametrize('destination, expected', [
    ('fd12:3456::1', 'fd00:10::20'),         # ULA to ULA: label 13
    ('2002:c000:204::1', '2002:c000:214::20'),   # 6to4 to 6to4: label 2
    ('2001:0:53aa:64c::1', '2001:0:4136:e378::20'),  # Teredo to Teredo: label 5
    ('2001:db8:99::1', '2001:db8:10::20'),    # global to global: label 1
])
def test_ipv6_source_selection_prefers_a_source_with_the_destination_label(destination, expected):
    addrs = ['10.10.0.20/24', '2001:db8:10::20/64', 'fd00:10::20/64', '2002:c000:214::20/64', '2001:0:4136:e378::20/64']
    state = mgmt_data(mgmt={'v6': 25, 'addrs': addrs}, routes=[rt('::/0', 'fe80::1', 3, 0)])
    result = route_lookup(state, destination)
    assert (result['interface'], result['source']) == (3, expected)
    assert any('Rule = 6.0.' in line for line in result['trace'])


def test_ipv6_rule_2_prefers_the_scope_of_the_destination():
    state = mgmt_data(mgmt={'v6': 25, 'addrs': ['10.10.0.20/24', '2001:db8:10::20/64', 'fe80::a/64']}, routes=[rt('::/0', 'fe80::1', 3, 0)])
    assert route_lookup(state, '2001:db8:99::1')['source'] == '2001:db8:10::20'
    assert route_lookup(state, 'fe80::99%3')['source'] == 'fe80::a'


# ------------------------------------------------------------------------------ flow_check


def test_a_reply_with_no_route_at_all():
    result = flow_check(mgmt_data(), client='203.0.113.50', destination='10.10.0.20', arrival_interface='Management')
    assert (result['receive'], result['disposition'], result['asymmetric']) == ('accept', 'reply_no_route', False)
    assert result['reply']['disposition'] == 'no_route'
    assert result['findings'] == [{
        'id': 'reply_no_route', 'severity': 'error',
        'message': 'The host has no route at all to 203.0.113.50; the reply from 10.10.0.20 is never sent.',
        # Management has no gateway in this state: no placeholder to paste, the next hop is asked for
        'remediation': 'Add a route to 203.0.113.50 on interface Management (3) via the gateway of that network; this state names no '
                       'gateway on it, so the next hop is yours to give.',
        'interfaces': [3], 'routes': [], 'cause': 'No route to 203.0.113.50', 'fix': None}]


def test_a_flow_declared_on_a_disconnected_interface():
    result = flow_check(mgmt_data(mgmt={'st': False}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)]), client='192.0.2.50',
                        destination='10.10.0.20', arrival_interface=3)
    assert result['findings'][0] == {
        'id': 'arrival_interface_disconnected', 'severity': 'warning',
        'message': 'Interface 3 (Management) is disconnected; no packet can arrive on it now.',
        'remediation': 'Check the cable and the switch port of interface 3, or declare the flow on the interface it really arrives on '
                       '(Get-NetAdapter -InterfaceIndex 3 | Format-List Status, MediaConnectionState).',
        'interfaces': [3], 'routes': [], 'cause': 'Interface 3 (Management) is disconnected; no packet can arrive on it now.', 'fix': None}


def test_an_asymmetric_reply_inside_the_subnet_of_the_other_interface_is_a_warning():
    # both NICs are in 10.10.0.0/24: the reply from 10.10.0.20 leaving Data still has a source of that subnet
    state = mgmt_data(mgmt={'ws': True, 'm': 50}, data={'addrs': ['10.10.0.21/24']}, routes=[rt('0.0.0.0/0', '10.10.0.1', 4, 0)])
    result = flow_check(state, client='203.0.113.50', destination='10.10.0.20', arrival_interface='Management')
    finding = one(result['findings'], 'asymmetric_reply')
    assert finding['severity'] == 'warning'
    assert finding['message'] == ('The request from 203.0.113.50 to 10.10.0.20 arrives on interface 3 (Management) but the reply leaves '
                                  'interface 4 (Data) via 10.10.0.1.')


def test_an_asymmetric_reply_outside_the_subnet_of_the_other_interface_is_an_error():
    state = mgmt_data(mgmt={'ws': True}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    finding = one(flow_check(state, client='203.0.113.50', destination='10.10.0.20', arrival_interface='Management')['findings'],
                  'asymmetric_reply')
    assert finding['severity'] == 'error'
    assert finding['message'].endswith('via 192.0.2.1; source 10.10.0.20 is not in any subnet of that interface, so reverse-path filters, '
                                       'stateful firewalls and cloud anti-spoofing commonly drop it.')
    # Management has no gateway in this state: no placeholder command, the next hop is asked for
    assert finding['remediation'] == ('Add a route to 203.0.113.50 on the arrival interface Management (3) via the gateway of its network, '
                                      'so that the reply leaves where the request came in; this state names no gateway on it, so the next '
                                      'hop is yours to give.')
    assert (finding['cause'], finding['fix']) == ('No route to 203.0.113.50 on interface Management (3)', None)
    assert (finding['interfaces'], finding['routes'][0]['destination']) == ([3, 4], '0.0.0.0/0')


def test_a_forwarded_packet_names_both_interfaces():
    state = mgmt_data(mgmt={'fw': True}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    result = flow_check(state, client='10.10.0.50', destination='198.51.100.7', arrival_interface='Management')
    assert (result['receive'], result['disposition'], result['reply'], result['forward']['interface']) == ('forward', 'forward', None, 4)
    assert result['findings'] == [{
        'id': 'forwarding_assumption', 'severity': 'info',
        'message': 'The packet is forwarded out of interface 4; whether Windows also requires forwarding on the egress interface is undocumented.',
        'remediation': None, 'interfaces': [3, 4], 'routes': [],
        'cause': 'The packet is forwarded out of interface 4; whether Windows also requires forwarding on the egress interface is undocumented.',
        'fix': None}]


def test_flows_given_to_route_findings_add_their_findings_once():
    state = mgmt_data(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    flow = {'client': '203.0.113.50', 'destination': '10.10.0.20', 'arrival_interface': 'Management'}
    findings = route_findings(state, flows=[flow, dict(flow)])
    assert ids(findings) == ['reply_unroutable_strong_host_send']


@pytest.mark.parametrize('flows, message', [
    ('Management', 'flows: must be a list of {client, destination, arrival_interface}'),
    (['Management'], 'flows[0]: must be a mapping with client, destination and arrival_interface'),
    ([{'client': '203.0.113.50', 'destination': '10.10.0.20'}], 'flows[0].arrival_interface: required key is missing'),
    ([{'client': '203.0.113.50', 'destination': '10.10.0.20', 'arrival_interface': 'Storage'}],
     "flows[0].arrival_interface: unknown interface 'Storage'; this host has 1 (Loopback Pseudo-Interface 1), 3 (Management), 4 (Data)"),
])
def test_bad_flows_name_their_path(flows, message):
    with pytest.raises(AnsibleFilterError) as err:
        route_findings(mgmt_data(), flows=flows)
    assert str(err.value) == 'winnet.routing.route_findings: ' + message


# ------------------------------------------------------------------------------ dsr_check


@pytest.mark.parametrize('kind, physical', [('tunnel', False), ('loopback_pseudo', False), ('ethernet', True), ('wifi', True)])
def test_only_a_physical_interface_holding_the_vip_conflicts_with_the_load_balancer(kind, physical):
    loop = nic(9, 'loopback', m=254, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.80/32'], skip=['192.0.2.80'],
               register_dns=False)
    other = nic(7, 'Other', m=50, kind=kind, addrs=['192.0.2.80/32'])
    state = mgmt_data(data={'wr': True, 'ws': True}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)], extra=[loop, other])
    result = dsr_check(state, vip='192.0.2.80', nic='Data', clients=['203.0.113.50'])
    check = [c for c in result['checks'] if c['id'] == 'vip_not_on_physical_nic'][0]
    if physical:
        assert check['status'] == 'fail'
        assert check['message'] == ('VIP 192.0.2.80 is assigned to physical interface 7: it answers ARP/ND for the VIP and conflicts with '
                                    'the load balancer')
        assert check['remediation'] == "Remove-NetIPAddress -InterfaceIndex 7 -IPAddress '192.0.2.80' -Confirm:$false"
    else:
        assert (check['status'], check['message'], check['remediation']) == (
            'pass', 'VIP 192.0.2.80 is not assigned to any physical interface', None)
    assert result['ready'] is not physical


# ------------------------------------------------------------------------------ route_findings with declared roles
def test_a_learned_default_gateway_outside_the_data_nic_is_not_removed():
    # Management's gateway comes from DHCP (active store only): removing it would not last
    state = mgmt_data(mgmt={'m': 5}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('0.0.0.0/0', '10.10.0.1', 3, 10, protocol='dhcp')])
    findings = route_findings(state, nic_roles={'Data': 'data', 'Management': 'management'})
    assert ids(findings) == ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces']
    for item in findings:
        assert (item['cause'], item['fix']) == ('IPv4 default gateways outside the data NIC Data (4)', None)
        assert item['remediation'] == ('The default gateway on Management (3) is learned (dhcp): removing the route would not last. Give that '
                                       'NIC a static address without a gateway, stop the DHCP server or router from offering one, or set '
                                       'IgnoreDefaultRoutes on it.')


def test_default_gateways_on_two_data_nics_leave_the_choice_of_the_gateway():
    state = mgmt_data(mgmt={'m': 5}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('0.0.0.0/0', '10.10.0.1', 3, 10)])
    findings = route_findings(state, nic_roles={'Data': 'data', 3: 'data'})
    assert ids(findings) == ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces']
    # 10.10.0.1 first: it wins (5 + 10 < 25 + 0)
    for item in findings:
        assert (item['cause'], item['fix']) == ('IPv4 default gateways 10.10.0.1, 192.0.2.1 all on the data NIC Management (3), Data (4)', None)
        assert item['remediation'] == ("Decide which of the data NIC's default gateways (10.10.0.1, 192.0.2.1) stays and remove the others "
                                       "from both stores.")


@pytest.mark.parametrize('nic_roles, message', [
    (['Data'], 'nic_roles: must be a mapping of interface (alias or index) to role'),
    ({'Data': 'frontend'}, "nic_roles[Data]: 'frontend' is not a role (expected one of "),
    ({'Storage': 'data'}, "nic_roles[Storage]: unknown interface 'Storage'"),
])
def test_bad_nic_roles_name_their_path(nic_roles, message):
    with pytest.raises(AnsibleFilterError) as err:
        route_findings(mgmt_data(), nic_roles=nic_roles)
    assert str(err.value).startswith('winnet.routing.route_findings: ' + message)
