# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore and what it leaves to others: routes learned from DHCP or router advertisements, and an
address family bound or unbound since the baseline."""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore

SCHEMA = 'winnet.routing/v1'


def host(routes=(), nic1_ipv6=True, addresses=()):
    """NIC1 (3, 192.0.2.10/24 and 2001:db8:1::10/64 when IPv6 is bound) and NIC2 (4, 198.51.100.20/24)."""
    nic1 = {'index': 3, 'alias': 'NIC1', 'kind': 'ethernet', 'ipv4': {'metric': 15}}
    addrs = [{'address': '192.0.2.10', 'prefix_length': 24, 'interface': 3},
             {'address': '198.51.100.20', 'prefix_length': 24, 'interface': 4}]
    if nic1_ipv6:
        nic1['ipv6'] = {'metric': 15}
        addrs.append({'address': '2001:db8:1::10', 'prefix_length': 64, 'interface': 3})
    interfaces = [nic1, {'index': 4, 'alias': 'NIC2', 'kind': 'ethernet', 'ipv4': {'metric': 20}}]
    return HostState.from_dict({'schema': SCHEMA, 'hostname': 'h', 'interfaces': interfaces, 'addresses': addrs + list(addresses),
                                'routes': list(routes)})


def route(destination, next_hop, interface, metric=0, store='active', protocol='netmgmt'):
    return {'destination': destination, 'next_hop': next_hop, 'interface': interface, 'route_metric': metric, 'store': store,
            'protocol': protocol}


def test_a_default_route_learned_from_dhcp_is_not_restored():
    baseline = host([route('0.0.0.0/0', '192.0.2.1', 3, protocol='dhcp')])
    result = plan_restore(host(), baseline)
    assert result['operations'] == []
    assert result['limits'][0] == 'route 0.0.0.0/0 via 192.0.2.1 on interface 3 (active store) is not restored: it was learned from dhcp'
    assert result['exact'] is False


def test_a_route_learned_from_router_advertisements_is_not_restored():
    baseline = host([route('::/0', 'fe80::1', 3, protocol='router_advertisement')])
    result = plan_restore(host(), baseline)
    assert result['operations'] == []
    assert ('route ::/0 via fe80::1 on interface 3 (active store) is not restored: it was learned from router_advertisement'
            in result['limits'])


def test_a_learned_route_the_host_has_again_is_no_limit():
    learned = [route('0.0.0.0/0', '192.0.2.1', 3, protocol='dhcp')]
    result = plan_restore(host(learned), host(learned))
    assert (result['operations'], result['limits'], result['exact']) == ([], [], True)


def test_a_route_learned_since_the_baseline_is_left_alone():
    result = plan_restore(host([route('0.0.0.0/0', '192.0.2.1', 3, protocol='dhcp'), route('::/0', 'fe80::1', 3, protocol='router_advertisement')]),
                          host())
    assert result['operations'] == []


def test_a_configured_route_now_also_learned_from_dhcp_is_left_as_it_is():
    # the baseline had it configured with metric 5; now DHCP hands out the same route
    baseline = host([route('0.0.0.0/0', '192.0.2.1', 3, 5)])
    now = host([route('0.0.0.0/0', '192.0.2.1', 3, 0, protocol='dhcp')])
    result = plan_restore(now, baseline)
    assert result['operations'] == []
    assert 'route 0.0.0.0/0 on interface 3 is also learned from DHCP or router advertisements: left as it is' in result['limits']


def test_configured_routes_next_to_learned_ones_are_restored():
    baseline = host([route('0.0.0.0/0', '192.0.2.1', 3, protocol='dhcp'), route('10.20.0.0/16', '198.51.100.1', 4, 5),
                     route('10.20.0.0/16', '198.51.100.1', 4, 5, store='persistent')])
    now = host([route('0.0.0.0/0', '192.0.2.1', 3, protocol='dhcp'), route('10.30.0.0/16', '198.51.100.1', 4, 5)])
    result = plan_restore(now, baseline)
    assert result['operations'] == [
        {'op': 'add_route', 'family': 'ipv4', 'destination': '10.20.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4, 'store': 'both',
         'route_metric': 5},
        {'op': 'remove_route', 'family': 'ipv4', 'destination': '10.30.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4,
         'store': 'active'}]
    assert (result['limits'], result['exact']) == ([], True)


def test_a_family_unbound_since_the_baseline_is_a_limit():
    # the baseline's IPv6 address and routes on NIC1 cannot come back without IPv6: they are left out
    baseline = host([route('2001:db8:9::/48', '2001:db8:1::1', 3, 5), route('10.20.0.0/16', '192.0.2.1', 3, 5)])
    result = plan_restore(host(nic1_ipv6=False), baseline)
    assert result['limits'][0] == ('interface 3 (NIC1): ipv6 is unbound now and bound in the baseline; restore does not bind or unbind '
                                   'a protocol')
    assert result['operations'] == [{'op': 'add_route', 'family': 'ipv4', 'destination': '10.20.0.0/16', 'next_hop': '192.0.2.1',
                                     'interface': 3, 'store': 'active', 'route_metric': 5}]
    assert "address (3, '2001:db8:1::10') differs after the restore: baseline address=2001:db8:1::10, interface=3, prefix_length=64, " \
           "skip_as_source=False, state=preferred, temporary=False; restored absent" in result['limits']
    assert result['exact'] is False


def test_a_family_bound_since_the_baseline_is_a_limit():
    # NIC1's IPv6 address and route are left as they are: the baseline has no IPv6 there to go back to
    now = host([route('2001:db8:9::/48', '2001:db8:1::1', 3, 5)])
    result = plan_restore(now, host(nic1_ipv6=False))
    assert result['limits'][0] == ('interface 3 (NIC1): ipv6 is bound now and unbound in the baseline; restore does not bind or unbind '
                                   'a protocol')
    assert result['operations'] == []
    # the IPv4 side is restored as usual
    changed = apply(host(), [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'metric': 40}])
    again = plan_restore(changed, host(nic1_ipv6=False))
    assert again['operations'][0] == {'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'metric': 15}


def test_an_address_from_router_advertisements_and_its_routes_are_not_restored():
    slaac = {'address': '2001:db8:1::abcd', 'prefix_length': 64, 'interface': 3, 'prefix_origin': 'router_advertisement'}
    result = plan_restore(host(), host(addresses=[slaac]))
    assert result['operations'] == []
    assert result['limits'][0] == 'address 2001:db8:1::abcd of interface 3 is not restored: it was assigned by router_advertisement'
