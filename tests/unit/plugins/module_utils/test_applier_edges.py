# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The applier at its edges: the errors that name what is wrong, the first adapter of a host
without interfaces, a DHCP lease kept by a change that does not turn DHCP off, and the system
route an address brings next to a persistent route on the same prefix, an operation naming its
adapter, and what a partial state lacks kept."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import PARTIAL_ITEMS, HostState

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import SCHEMA, base, base_dict  # noqa: E402  pylint: disable=wrong-import-position


def address_op(interface, family, address, prefix_length):
    return {'op': 'add_address', 'interface': interface, 'family': family, 'address': address, 'prefix_length': prefix_length,
            'skip_as_source': False}


@pytest.mark.parametrize('op, message', [
    (address_op(3, 'ipv6', '192.0.2.99', 24), 'operations[0]: 192.0.2.99 is not an ipv6 address'),
    (address_op(4, 'ipv6', '2001:db8:9::1', 64), 'operations[0]: interface 4 (NIC2) has no ipv6 settings'),
    ({'op': 'set_dns_registration', 'interface': 8, 'adapter': 'vip', 'register_dns': True},
     "operations[0]: no adapter is named 'vip' (an adapter an earlier operation of the plan creates)"),
])
def test_errors_name_the_operation_and_what_is_wrong(op, message):
    with pytest.raises(StateError) as caught:
        apply(base(), [op])
    assert str(caught.value) == message


def test_netbios_cannot_change_when_it_is_not_recorded():
    data = base_dict()
    del data['interfaces'][2]['netbios']
    with pytest.raises(StateError) as caught:
        apply(HostState.from_dict(data), [{'op': 'set_netbios', 'interface': 7, 'netbios': 'enabled'}])
    assert str(caught.value) == ('operations[0]: interface 7 (loopback): its NetBIOS over TCP/IP setting is not recorded in the state '
                                 '(net_info gathers it for every adapter with IP enabled)')


def test_the_first_adapter_of_a_host_without_interfaces_is_interface_1():
    empty = HostState.from_dict({'schema': SCHEMA, 'hostname': 'bare', 'interfaces': [], 'addresses': [], 'routes': []})
    assert [iface.index for iface in apply(empty, [{'op': 'create_loopback', 'name': 'vip'}]).interfaces] == [1]


def test_a_metric_change_on_a_dhcp_interface_keeps_its_lease():
    data = base_dict()
    data['addresses'][2]['prefix_origin'] = 'dhcp'          # NIC2's 198.51.100.20 is leased
    after = apply(HostState.from_dict(data), [{'op': 'set_interface', 'interface': 4, 'family': 'ipv4', 'metric': 30}])
    assert [a.address for a in after.addresses if a.interface == 4] == ['198.51.100.20']
    assert {'198.51.100.0/24', '198.51.100.20/32', '198.51.100.255/32'} <= {r.destination for r in after.routes if r.interface == 4}
    assert after.interface(4).ipv4.dhcp is True and after.interface(4).ipv4.metric == 30


def test_an_address_brings_its_host_route_next_to_a_persistent_route_on_that_prefix():
    data = base_dict()
    data['routes'].append({'destination': '192.0.2.99/32', 'next_hop': '0.0.0.0', 'interface': 3, 'route_metric': 1, 'store': 'persistent',
                           'protocol': 'netmgmt'})
    after = apply(HostState.from_dict(data), [address_op(3, 'ipv4', '192.0.2.99', 24)])
    # only a route in the active store on the same prefix stops Windows from adding its own
    assert sorted((r.store, r.protocol, r.route_metric) for r in after.routes if r.destination == '192.0.2.99/32') == [
        ('active', 'local', 256), ('persistent', 'netmgmt', 1)]


def test_an_operation_naming_its_adapter_changes_the_adapter_found_by_name():
    after = apply(base(), [{'op': 'set_dns_registration', 'interface': 99, 'adapter': 'loopback', 'register_dns': True}])
    assert after.interface(7).register_dns is True


def test_an_invalid_operation_is_named_by_its_path():
    with pytest.raises(ArgumentError) as caught:
        apply(base(), [{'op': 'set_dns_registration', 'interface': 3, 'register_dns': True}, {'op': 'bogus'}])
    assert str(caught.value).startswith("operations[1].op: 'bogus' is not one of ")


def test_what_the_state_says_it_lacks_is_kept():
    data = base_dict()
    data['partial'] = [PARTIAL_ITEMS[0]]
    after = apply(HostState.from_dict(data), [{'op': 'set_dns_registration', 'interface': 3, 'register_dns': False}])
    assert after.partial == [PARTIAL_ITEMS[0]]


def test_an_active_route_on_the_prefix_stops_the_system_route():
    data = base_dict()
    data['routes'].append({'destination': '192.0.2.99/32', 'next_hop': '0.0.0.0', 'interface': 3, 'route_metric': 1, 'store': 'active',
                           'protocol': 'netmgmt'})
    after = apply(HostState.from_dict(data), [address_op(3, 'ipv4', '192.0.2.99', 24)])
    assert [(r.store, r.protocol, r.route_metric) for r in after.routes if r.destination == '192.0.2.99/32'] == [('active', 'netmgmt', 1)]


def test_a_route_an_address_brings_twice_is_written_once():
    # 10.9.9.255/24 is its own subnet's broadcast address: its host route and the broadcast route are one route
    after = apply(base(), [address_op(7, 'ipv4', '10.9.9.255', 24)])
    assert sorted(r.destination for r in after.routes if r.interface == 7 and r.destination.startswith('10.9.9.')) == [
        '10.9.9.0/24', '10.9.9.255/32']
