# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner: operations per module, argument errors naming the path, ordering, diff, properties."""

from __future__ import annotations

import os
import sys

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.ops import validate_all
from ansible_collections.winnet.routing.plugins.module_utils.desired import plan
from ansible_collections.winnet.routing.plugins.module_utils.diff import diff
from ansible_collections.winnet.routing.plugins.module_utils.planner import (
    plan_addresses,
    plan_firewall,
    plan_interface,
    plan_loopback,
    plan_route,
    plan_routes,
)

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base, desired_settings, hosts  # noqa: E402  pylint: disable=wrong-import-position

SETTINGS = settings(max_examples=examples(150))


def route(kind, destination, next_hop, interface, store, metric=None, family='ipv4'):
    op = {'op': kind, 'family': family, 'destination': destination, 'next_hop': next_hop, 'interface': interface, 'store': store}
    if metric is not None:
        op['route_metric'] = metric
    return op


# ----------------------------------------------------------------------------------- routes
@pytest.mark.parametrize('desired, options, expected', [
    # new route, default store both, default metric 256, alias resolved, on-link spelled three ways
    ([{'destination': '10.40.0.0/16', 'interface': 'NIC1'}], {}, [route('add_route', '10.40.0.0/16', '0.0.0.0', 3, 'both', 256)]),
    ([{'destination': '10.40.0.0/16', 'next_hop': '0.0.0.0', 'interface': 3, 'store': 'active'}], {},
     [route('add_route', '10.40.0.0/16', '0.0.0.0', 3, 'active', 256)]),
    # persistent only: Windows writes the PersistentStore only together with the ActiveStore
    ([{'destination': '2001:db8:40::/48', 'next_hop': '::', 'interface': '3', 'store': 'persistent', 'metric': 9}], {},
     [route('add_route', '2001:db8:40::/48', '::', 3, 'both', 9, 'ipv6'), route('remove_route', '2001:db8:40::/48', '::', 3, 'active', family='ipv6')]),
    # already there: nothing; metric given and different: the persistent copy is rewritten (remove
    # both copies, add both), an active copy alone is changed in place
    ([{'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3}], {}, []),
    ([{'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3, 'metric': 10}], {},
     [route('remove_route', '0.0.0.0/0', '192.0.2.1', 3, 'persistent'), route('remove_route', '0.0.0.0/0', '192.0.2.1', 3, 'active'),
      route('add_route', '0.0.0.0/0', '192.0.2.1', 3, 'both', 10)]),
    ([{'destination': '10.20.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4, 'metric': 10, 'store': 'active'}], {},
     [route('set_route_metric', '10.20.0.0/16', '198.51.100.1', 4, 'active', 10)]),
    # the missing copy of a route takes the metric of the copy in the other store
    ([{'destination': '10.20.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4}], {},
     [route('remove_route', '10.20.0.0/16', '198.51.100.1', 4, 'active'), route('add_route', '10.20.0.0/16', '198.51.100.1', 4, 'both', 5)]),
    # another next hop is another route: remove + add (removes first)
    ([{'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3, 'state': 'absent'},
      {'destination': '0.0.0.0/0', 'next_hop': '192.0.2.254', 'interface': 3}], {},
     [route('remove_route', '0.0.0.0/0', '192.0.2.1', 3, 'persistent'), route('remove_route', '0.0.0.0/0', '192.0.2.1', 3, 'active'),
      route('add_route', '0.0.0.0/0', '192.0.2.254', 3, 'both', 256)]),
    # absent removes only the declared route in the declared store, never the rest of the prefix
    ([{'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3, 'store': 'persistent', 'state': 'absent'}], {},
     [route('remove_route', '0.0.0.0/0', '192.0.2.1', 3, 'persistent')]),
    ([{'destination': '0.0.0.0/0', 'next_hop': '192.0.2.99', 'interface': 3, 'state': 'absent'}], {}, []),
    # purge: the other routes of the interface go, the system routes (protocol local) stay
    ([{'destination': '10.20.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4, 'store': 'active'}], {'interface': 'NIC2', 'purge': True},
     [route('remove_route', '10.30.0.0/16', '198.51.100.1', 4, 'persistent')]),
    ([], {'interface': 4, 'purge': True},
     [route('remove_route', '10.20.0.0/16', '198.51.100.1', 4, 'active'), route('remove_route', '10.30.0.0/16', '198.51.100.1', 4, 'persistent')]),
    # the list's interface is the default interface of its routes
    ([{'destination': '10.40.0.0/16', 'store': 'active'}], {'interface': 4}, [route('add_route', '10.40.0.0/16', '0.0.0.0', 4, 'active', 256)]),
])
def test_plan_routes(desired, options, expected):
    assert plan_routes(base(), desired, **options) == expected


@pytest.mark.parametrize('desired, options, message', [
    ([{'destination': '192.0.2.0/24', 'next_hop': '2001:db8::1', 'interface': 3}, {}, {}], {},
     'routes[0].next_hop: 2001:db8::1 is IPv6 but destination 192.0.2.0/24 is IPv4'),
    ([{'destination': '10.1.0.0/16', 'interface': 3}, {'destination': '10.2.0.0/16', 'interface': 3},
      {'destination': '192.0.2.0/24', 'next_hop': '::', 'interface': 3}], {}, 'routes[2].next_hop: :: is the IPv6 on-link next hop'),
    ([{'destination': '10.1.0.1/16', 'interface': 3}], {}, "routes[0].destination: '10.1.0.1/16' has host bits set; the network is 10.1.0.0/16"),
    ([{'destination': '10.1.0.0/16', 'interface': 'NIC9'}], {},
     "routes[0].interface: unknown interface 'NIC9'; this host has 3 (NIC1), 4 (NIC2), 7 (loopback)"),
    ([{'destination': '10.1.0.0/16'}], {}, 'routes[0].interface: required option is missing'),
    ([{'destination': '2001:db8:1::/48', 'interface': 4}], {}, 'routes[0].interface: interface 4 (NIC2) has no ipv6 settings'),
    ([{'destination': '10.1.0.0/16', 'interface': 3, 'metric': -1}], {}, 'routes[0].metric: -1 is out of range (0 to 9999)'),
    ([{'destination': '10.1.0.0/16', 'interface': 3, 'metric': 10000}], {}, 'routes[0].metric: 10000 is out of range (0 to 9999)'),
    ([{'destination': '10.1.0.0', 'interface': 3}], {}, "routes[0].destination: '10.1.0.0' has no prefix length"),
    ([{'destination': '10.1.0.0/16', 'next_hop': '198.51.100.1', 'interface': 3}], {},
     'routes[0].next_hop: 198.51.100.1 is not on-link on interface 3 (NIC1): it is in none of its IPv4 subnets, so Windows cannot '
     'reach it; a next hop there is an address in 192.0.2.0/24'),
    ([{'destination': '2001:db8:9::/48', 'next_hop': '2001:db8:2::1', 'interface': 3}], {},
     'routes[0].next_hop: 2001:db8:2::1 is not on-link on interface 3 (NIC1): it is in none of its IPv6 subnets, so Windows cannot '
     'reach it; a next hop there is an IPv6 link-local address (fe80::/10) or an address in 2001:db8:1::/64'),
    ([{'destination': '10.1.0.0/16', 'interface': 3, 'metric': '5'}], {}, "routes[0].metric: must be an integer, got '5'"),
    ([{'destination': '10.1.0.0/16', 'interface': 3, 'store': 'all'}], {}, "routes[0].store: 'all' is not one of active, persistent, both"),
    ([{'destination': '10.1.0.0/16', 'interface': 3, 'state': 'gone'}], {}, "routes[0].state: 'gone' is not one of present, absent"),
    ([{'destination': '10.1.0.0/16', 'interface': 3, 'gateway': '10.0.0.1'}], {}, 'routes[0].gateway: is not an option here'),
    ([{'destination': '10.1.0.0/16', 'interface': 3}, {'destination': '10.1.0.0/16', 'next_hop': '0.0.0.0', 'interface': 'NIC1', 'store': 'active'}], {},
     'routes[1]: duplicates routes[0] (10.1.0.0/16 via 0.0.0.0 on interface 3 in the active store)'),
    ([], {'purge': True}, 'purge: needs interface'),
    ('10.0.0.0/8', {}, 'routes: must be a list'),
])
def test_plan_routes_errors_name_the_argument(desired, options, message):
    with pytest.raises(ArgumentError) as err:
        plan_routes(base(), desired, **options)
    assert str(err.value).startswith(message)


def test_single_route_form_names_the_option():
    assert plan_route(base(), destination='10.40.0.0/16', interface=3, store='active') == [route('add_route', '10.40.0.0/16', '0.0.0.0', 3, 'active', 256)]
    with pytest.raises(ArgumentError, match=r'^next_hop: 2001:db8::1 is IPv6 but destination 10.40.0.0/16 is IPv4$'):
        plan_route(base(), destination='10.40.0.0/16', next_hop='2001:db8::1', interface=3)


KNOWN = 'this host has 3 (NIC1), 4 (NIC2), 7 (loopback)'


@pytest.mark.parametrize('value, expected', [
    (3, 3), ('3', 3), ('NIC1', 3), (7, 7), ('loopback', 7), (' 7 ', 7), ('nic1', 3), ('LOOPBACK', 7),
    ('nope', "interface: unknown interface 'nope'; " + KNOWN), (99, 'interface: unknown interface 99; ' + KNOWN),
    (True, 'interface: must be an interface index or alias, got True'), (None, 'interface: must be an interface index or alias, got None'),
    (3.0, 'interface: must be an interface index or alias, got float'),
])
def test_resolve_interface_agrees_with_the_engine(value, expected):
    """One rule (HostState.resolve_interface) names interfaces for the planner and for the engine."""
    def outcome(resolver):
        try:
            return resolver(value)
        except ArgumentError as exc:
            return str(exc)
    assert outcome(lambda v: base().resolve_interface(v).index) == expected
    if isinstance(expected, str) and value is not None:     # None: no interface given
        assert outcome(lambda v: plan_interface(base(), v, register_dns=True)) == expected
        assert outcome(lambda v: Engine(base()).lookup('198.51.100.9', interface=v)) == expected


# ------------------------------------------------------------------------------- interfaces
@pytest.mark.parametrize('options, expected', [
    ({'interface': 3}, []),
    ({'interface': 3, 'metric': 'automatic', 'weak_host_send': False}, []),
    ({'interface': 3, 'metric': 15}, [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'metric': 15}]),   # pins the automatic 15
    ({'interface': 'NIC2', 'metric': 'automatic'}, [{'op': 'set_interface', 'interface': 4, 'family': 'ipv4', 'automatic_metric': True}]),
    ({'interface': 'NIC2', 'metric': 20}, []),
    ({'interface': 7, 'family': 'ipv6', 'weak_host_send': True, 'weak_host_receive': False, 'forwarding': True, 'ignore_default_routes': True},
     [{'op': 'set_interface', 'interface': 7, 'family': 'ipv6', 'weak_host_receive': False, 'forwarding': True, 'ignore_default_routes': True}]),
    ({'interface': 7, 'register_dns': False}, []),
    ({'interface': 3, 'metric': 0, 'register_dns': False},
     [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'metric': 0}, {'op': 'set_dns_registration', 'interface': 3, 'register_dns': False}]),
])
def test_plan_interface(options, expected):
    assert plan_interface(base(), **options) == expected


@pytest.mark.parametrize('options, message', [
    ({'interface': 3, 'metric': 10000}, 'metric: 10000 is out of range (0 to 9999)'),
    ({'interface': 3, 'metric': -1}, 'metric: -1 is out of range (0 to 9999)'),
    ({'interface': 3, 'metric': 'auto'}, "metric: must be an integer, got 'auto'"),
    ({'interface': 4, 'family': 'ipv6'}, 'family: interface 4 (NIC2) has no ipv6 settings'),
    ({'interface': 3, 'family': 'IPv4'}, "family: 'IPv4' is not one of ipv4, ipv6"),
    ({'interface': 3, 'weak_host_send': 'yes'}, "weak_host_send: must be true or false, got 'yes'"),
    ({'interface': 3, 'register_dns': 1}, 'register_dns: must be true or false, got 1'),
    ({'interface': 'eth0'}, "interface: unknown interface 'eth0'"),
])
def test_plan_interface_errors_name_the_argument(options, message):
    with pytest.raises(ArgumentError) as err:
        plan_interface(base(), **options)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize('options, expected', [
    ({'interface': 7, 'bindings': {'ms_msclient': True, 'ms_server': False}, 'netbios': 'disabled'}, []),
    ({'interface': 7, 'bindings': {'ms_msclient': None}}, []),
    ({'interface': 'loopback', 'family': 'ipv6', 'bindings': {'ms_msclient': False, 'ms_server': False}, 'netbios': 'disabled'},
     [{'op': 'set_binding', 'interface': 7, 'component': 'ms_msclient', 'enabled': False}]),
    ({'interface': 7, 'bindings': {'ms_server': True, 'ms_msclient': False}, 'netbios': 'default', 'register_dns': True},
     [{'op': 'set_dns_registration', 'interface': 7, 'register_dns': True},
      {'op': 'set_binding', 'interface': 7, 'component': 'ms_msclient', 'enabled': False},
      {'op': 'set_binding', 'interface': 7, 'component': 'ms_server', 'enabled': True},
      {'op': 'set_netbios', 'interface': 7, 'netbios': 'default'}]),
])
def test_plan_interface_bindings(options, expected):
    ops = plan_interface(base(), **options)
    assert ops == expected
    assert plan_interface(apply(base(), ops), **options) == []


@pytest.mark.parametrize('options, message', [
    ({'interface': 3, 'bindings': {'ms_server': False}},
     "bindings: interface 3 (NIC1): the state does not record its adapter bindings; net_info gathers it on a live host, and a "
     "snapshot host needs the key 'bindings' on the interface"),
    ({'interface': 3, 'netbios': 'disabled'}, 'netbios: interface 3 (NIC1): the state does not record its NetBIOS over TCP/IP setting'),
    ({'interface': 7, 'bindings': {'ms_tcpip': False}}, 'bindings.ms_tcpip: is not an option here (expected one of ms_msclient, ms_server)'),
    ({'interface': 7, 'bindings': ['ms_server']}, 'bindings: must be a mapping, got list'),
    ({'interface': 7, 'bindings': {'ms_server': 'no'}}, "bindings.ms_server: must be true or false, got 'no'"),
    ({'interface': 7, 'netbios': 'off'}, "netbios: 'off' is not one of default, enabled, disabled"),
])
def test_plan_interface_binding_errors_name_the_argument(options, message):
    with pytest.raises(ArgumentError) as err:
        plan_interface(base(), **options)
    assert str(err.value).startswith(message)


def test_adapter_settings_do_not_need_the_family_bound():
    # NIC2 has no IPv6: its bindings and DNS registration are still the adapter's to change
    data = base().to_dict()
    data['interfaces'][1]['bindings'] = {'ms_msclient': True, 'ms_server': True}
    host = HostState.from_dict(data)
    assert plan_interface(host, 'NIC2', family='ipv6', bindings={'ms_server': False}, register_dns=False) == [
        {'op': 'set_dns_registration', 'interface': 4, 'register_dns': False},
        {'op': 'set_binding', 'interface': 4, 'component': 'ms_server', 'enabled': False}]
    with pytest.raises(ArgumentError, match=r'^family: interface 4 \(NIC2\) has no ipv6 settings'):
        plan_interface(host, 'NIC2', family='ipv6', bindings={'ms_server': False}, weak_host_send=True)


def test_a_component_the_adapter_does_not_have_names_the_component():
    data = base().to_dict()
    data['interfaces'][2]['bindings'] = {'ms_msclient': True}
    with pytest.raises(ArgumentError, match=r'^bindings\.ms_server: interface 7 \(loopback\) has no ms_server binding'):
        plan_interface(HostState.from_dict(data), 7, bindings={'ms_server': False})


# -------------------------------------------------------------------------------- addresses
def addr(kind, interface, address, family='ipv4', plen=None, skip=None):
    op = {'op': kind, 'interface': interface, 'family': family, 'address': address}
    if plen is not None:
        op['prefix_length'] = plen
    if skip is not None:
        op['skip_as_source'] = skip
    return op


@pytest.mark.parametrize('interface, addresses, options, expected', [
    (7, [{'address': '203.0.113.80/32', 'skip_as_source': True}], {}, []),
    (7, ['203.0.113.80/32'], {}, [addr('set_address', 7, '203.0.113.80', skip=False)]),
    # prefix length change: remove + add
    (7, [{'address': '203.0.113.80/24', 'skip_as_source': True}], {},
     [addr('remove_address', 7, '203.0.113.80'), addr('add_address', 7, '203.0.113.80', plen=24, skip=True)]),
    # static address on a DHCP interface: DHCP off first
    ('NIC2', ['198.51.100.21/24', '198.51.100.20/24'], {},
     [{'op': 'set_interface', 'interface': 4, 'family': 'ipv4', 'dhcp': False}, addr('add_address', 4, '198.51.100.21', plen=24, skip=False)]),
    (3, ['2001:db8:1::20/64'], {}, [addr('add_address', 3, '2001:db8:1::20', 'ipv6', 64, False)]),
    # absent removes whatever the prefix length; purge leaves link-local and temporary addresses alone
    (3, ['192.0.2.10/32', '192.0.2.99/24'], {'state': 'absent'}, [addr('remove_address', 3, '192.0.2.10')]),
    (3, ['192.0.2.10/24'], {'purge': True}, [addr('remove_address', 3, '2001:db8:1::10', 'ipv6')]),
    (3, [], {'purge': True}, [addr('remove_address', 3, '192.0.2.10'), addr('remove_address', 3, '2001:db8:1::10', 'ipv6')]),
])
def test_plan_addresses(interface, addresses, options, expected):
    assert plan_addresses(base(), interface, addresses, **options) == expected


def test_purge_keeps_link_local_and_temporary_addresses():
    data = base().to_dict()
    data['addresses'] += [{'address': 'fe80::5', 'prefix_length': 64, 'interface': 3},
                          {'address': '2001:db8:1::abcd', 'prefix_length': 64, 'interface': 3, 'temporary': True}]
    assert plan_addresses(HostState.from_dict(data), 3, ['192.0.2.10/24', '2001:db8:1::10/64'], purge=True) == []


@pytest.mark.parametrize('interface, addresses, options, message', [
    (7, ['203.0.113.80'], {}, "addresses[0].address: '203.0.113.80' must be an address with its prefix length"),
    (7, ['203.0.113.80/33'], {}, "addresses[0].address: '203.0.113.80/33' has an invalid prefix length (0 to 32)"),
    (7, ['224.0.0.1/32'], {}, "addresses[0].address: '224.0.0.1/32' is not a unicast address"),
    (7, ['203.0.113.80/32', '203.0.113.81/32', '203.0.113.80/24'], {}, 'addresses[2].address: 203.0.113.80 is also listed in addresses[0]'),
    (4, ['203.0.113.80/32'], {}, 'addresses[0].address: 203.0.113.80 is already assigned to interface 7 (loopback); remove it there first'),
    (4, ['2001:db8::1/64'], {}, 'addresses[0].address: interface 4 (NIC2) has no ipv6 settings'),
    (4, [{'address': '203.0.113.9/32', 'skip_as_source': 'true'}], {}, "addresses[0].skip_as_source: must be true or false, got 'true'"),
    (4, [{'address': '203.0.113.9/32', 'prefix': 32}], {}, 'addresses[0].prefix: is not an option here'),
    (4, [], {'state': 'latest'}, "state: 'latest' is not one of present, absent"),
    (4, [], {'purge': 'yes'}, "purge: must be true or false, got 'yes'"),
    (None, [], {}, 'interface: must be an interface index or alias, got None'),
])
def test_plan_addresses_errors_name_the_argument(interface, addresses, options, message):
    with pytest.raises(ArgumentError) as err:
        plan_addresses(base(), interface, addresses, **options)
    assert str(err.value).startswith(message)


# ------------------------------------------------------------------------- loopback, firewall
@pytest.mark.parametrize('name, state, expected', [
    ('loopback', 'present', []),
    ('vip', 'present', [{'op': 'create_loopback', 'name': 'vip'}]),
    ('loopback', 'absent', [{'op': 'remove_loopback', 'interface': 7}]),
    ('vip', 'absent', []),
])
def test_plan_loopback(name, state, expected):
    assert plan_loopback(base(), name, state) == expected


@pytest.mark.parametrize('name, state, message', [
    ('NIC1', 'absent', "name: refusing to remove 'NIC1': interface 3 is a ethernet, not a loopback adapter"),
    ('NIC1', 'present', "name: refusing to use 'NIC1': interface 3 is a ethernet, not a loopback adapter"),
    ('', 'present', "name: must be a non-empty adapter name, got ''"),
    ('vip', 'on', "state: 'on' is not one of present, absent"),
])
def test_plan_loopback_errors(name, state, message):
    with pytest.raises(ArgumentError) as err:
        plan_loopback(base(), name, state)
    assert str(err.value).startswith(message)


def test_plan_firewall_adds_replaces_and_removes():
    rule = {'name': 'vip-http', 'local_address': '203.0.113.80', 'protocol': 'tcp', 'local_port': 80}
    ops = plan_firewall(base(), [rule])
    assert ops == [{'op': 'add_firewall_rule', 'name': 'vip-http', 'local_address': '203.0.113.80', 'protocol': 'TCP', 'local_port': '80'}]
    after = apply(base(), ops)
    assert plan_firewall(after, [rule]) == []
    assert plan_firewall(after, [dict(rule, local_port=443)]) == [
        {'op': 'remove_firewall_rule', 'name': 'vip-http'},
        {'op': 'add_firewall_rule', 'name': 'vip-http', 'local_address': '203.0.113.80', 'protocol': 'TCP', 'local_port': '443'}]
    assert plan_firewall(after, [{'name': 'vip-http'}], 'absent') == [{'op': 'remove_firewall_rule', 'name': 'vip-http'}]
    with pytest.raises(ArgumentError, match=r"^rules\[0\]\.protocol: 'ICMP' is not one of TCP, UDP"):
        plan_firewall(base(), [dict(rule, protocol='icmp')])


def test_plan_firewall_refuses_when_the_rules_could_not_be_read():
    # A failed firewall read leaves the rules out of the state: their absence is not "no rules".
    host = base()
    host.partial = ['firewall_rules']
    for state, rule in (('present', {'name': 'vip-http', 'local_address': '203.0.113.80', 'protocol': 'tcp', 'local_port': 80}),
                        ('absent', {'name': 'vip-http'})):
        with pytest.raises(ArgumentError, match=r"^rules: the host's firewall rules could not be read \(the state is partial"):
            plan_firewall(host, [rule], state)


# ------------------------------------------------------------------------ plan() and ordering
def test_plan_orders_removals_first_then_dependencies():
    desired = {
        'route': [{'routes': [{'destination': '10.60.0.0/16', 'next_hop': '198.51.100.1', 'store': 'active'}], 'interface': 4, 'purge': True}],
        'ip_address': [{'interface': 7, 'addresses': [{'address': '203.0.113.81/32', 'skip_as_source': True}], 'purge': True}],
        'ip_interface': [{'interface': 7, 'metric': 'automatic'}],
        'loopback_adapter': [{'name': 'vip2'}],
        'firewall_rule': [{'rules': [{'name': 'vip', 'local_address': '203.0.113.81', 'protocol': 'TCP', 'local_port': 80}]}],
    }
    assert [(op['op'], op.get('interface'), op.get('destination') or op.get('address') or op.get('name')) for op in plan(base(), desired)] == [
        ('remove_route', 4, '10.20.0.0/16'), ('remove_route', 4, '10.30.0.0/16'),      # routes before addresses
        ('remove_address', 7, '203.0.113.80'),
        ('create_loopback', None, 'vip2'),                                                 # then adapters, settings, addresses, routes, rules
        ('set_interface', 7, None),
        ('add_address', 7, '203.0.113.81'),
        ('add_route', 4, '10.60.0.0/16'),
        ('add_firewall_rule', None, 'vip'),
    ]


def test_plan_names_an_adapter_it_creates_in_the_operations_on_it():
    ops = plan(base(), {'loopback_adapter': [{'name': 'vip'}], 'ip_address': [{'interface': 'vip', 'address': '203.0.113.9/32'}]})
    assert ops[0] == {'op': 'create_loopback', 'name': 'vip'}
    assert ops[1:] and all(op['adapter'] == 'vip' and op['interface'] == 8 for op in ops[1:])
    assert [a.address for a in apply(base(), ops).addresses if a.interface == 8] == ['203.0.113.9']


@pytest.mark.parametrize('desired, message', [
    ({'ip_interface': [{'interface': 3, 'metric': 5}, {'interface': 'NIC1', 'metric': 6}]},
     'ip_interface[1].interface: interface 3 is already declared in ip_interface[0]'),
    ({'ip_address': [{'interface': 4, 'addresses': []}, {'interface': 'NIC2', 'address': '198.51.100.9/24'}]},
     'ip_address[1].interface: interface 4 is already declared in ip_address[0]'),
    ({'route': [{'routes': [], 'interface': 4, 'purge': True}, {'destination': '10.9.0.0/16', 'interface': 'NIC2'}]},
     'route[1].interface: interface 4 is purged by route[0]; declare its routes there'),
    ({'route': [{'routes': [{'destination': '10.9.0.0/16', 'interface': 3, 'metric': -1}]}]}, 'route[0].routes[0].metric: -1 is out of range'),
    ({'route': [{'destination': '10.9.0.0/16', 'next_hop': 'fe80::1', 'interface': 3}]}, 'route[0].next_hop: fe80::1 is IPv6 but destination'),
    ({'ip_interface': [{'interface': 3, 'metrics': 5}]}, 'ip_interface[0].metrics: is not an option here'),
    ({'routes': []}, 'routes: is not an option here'),
    ({'loopback_adapter': [{'name': 'loopback', 'state': 'absent'}], 'ip_interface': [{'interface': 7, 'metric': 5}]},
     "ip_interface[0].interface: unknown interface 7"),
])
def test_plan_refuses_contradictions(desired, message):
    with pytest.raises(ArgumentError) as err:
        plan(base(), desired)
    assert str(err.value).startswith(message)


# ------------------------------------------------------------------------------------- diff
LOOPBACK_BINDINGS = {'bindings': {'ms_msclient': True, 'ms_server': False}, 'netbios': 'disabled'}


def test_diff_is_keyed_by_option_names_and_sorted_by_identity():
    ops = plan(base(), {'route': [{'routes': [{'destination': '10.1.0.0/16', 'next_hop': '198.51.100.1', 'store': 'active', 'metric': 7}],
                                   'interface': 4}],
                        'ip_interface': [{'interface': 7, 'metric': 'automatic', 'register_dns': True, **LOOPBACK_BINDINGS}]})
    result = diff(base(), apply(base(), ops), ['routes', 'interfaces'])
    assert result == {
        'before': {'routes': [], 'interfaces': [
            {'interface': 7, 'family': 'ipv4', 'metric': 254, 'weak_host_send': True, 'weak_host_receive': True, 'forwarding': False,
             'ignore_default_routes': False, 'dhcp': False, 'register_dns': False, **LOOPBACK_BINDINGS},
            {'interface': 7, 'family': 'ipv6', 'metric': 254, 'weak_host_send': True, 'weak_host_receive': True, 'forwarding': False,
             'ignore_default_routes': False, 'dhcp': False, 'register_dns': False, **LOOPBACK_BINDINGS}]},
        'after': {'routes': [{'destination': '10.1.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4, 'metric': 7, 'store': 'active'}],
                  'interfaces': [
            {'interface': 7, 'family': 'ipv4', 'metric': 'automatic', 'weak_host_send': True, 'weak_host_receive': True, 'forwarding': False,
             'ignore_default_routes': False, 'dhcp': False, 'register_dns': True, **LOOPBACK_BINDINGS},
            {'interface': 7, 'family': 'ipv6', 'metric': 254, 'weak_host_send': True, 'weak_host_receive': True, 'forwarding': False,
             'ignore_default_routes': False, 'dhcp': False, 'register_dns': True, **LOOPBACK_BINDINGS}]}}
    assert diff(base(), base()) == {'before': dict.fromkeys(result['before'], []) | {'loopback_adapters': [], 'addresses': [], 'firewall_rules': []},
                                    'after': dict.fromkeys(result['after'], []) | {'loopback_adapters': [], 'addresses': [], 'firewall_rules': []}}
    with pytest.raises(ArgumentError, match=r"^scope\[0\]: 'arp' is not one of"):
        diff(base(), base(), ['arp'])


# ------------------------------------------------------------------------------- properties
@st.composite
def hosts_and_desired(draw):
    host = draw(hosts())
    return host, draw(desired_settings(host))


@SETTINGS
@given(hosts_and_desired())
def test_property_plans_are_valid_and_idempotent(case):
    host, desired = case
    ops = plan(host, desired)
    assert validate_all(ops) == ops
    after = apply(host, ops)
    assert plan(after, desired) == []
    changes = diff(host, after)
    assert (ops != []) is (changes['before'] != changes['after'])     # changed exactly when the diff shows something
