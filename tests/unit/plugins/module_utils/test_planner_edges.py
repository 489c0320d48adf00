# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner's entry points at their edges: renaming a loopback adapter (and a rename already
done), required options, and the diff of firewall rules."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.desired import plan
from ansible_collections.winnet.routing.plugins.module_utils.diff import diff
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_loopback, plan_routes

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base, base_dict  # noqa: E402  pylint: disable=wrong-import-position


@pytest.mark.parametrize('name, interface, expected', [
    ('vip', 'loopback', [{'op': 'rename_adapter', 'interface': 7, 'name': 'vip'}]),
    ('vip', 7, [{'op': 'rename_adapter', 'interface': 7, 'name': 'vip'}]),
    ('loopback', 'loopback', []),
])
def test_renaming_a_loopback_adapter(name, interface, expected):
    assert plan_loopback(base(), name, 'present', interface=interface) == expected


def test_a_rename_already_done_plans_nothing():
    renamed = apply(base(), [{'op': 'rename_adapter', 'interface': 7, 'name': 'vip'}])
    # the task runs again: 'loopback' is gone and the adapter is called 'vip'
    assert plan_loopback(renamed, 'vip', 'present', interface='loopback') == []


@pytest.mark.parametrize('name, state, interface, message', [
    ('vip', 'absent', 'loopback', 'interface: names the adapter to rename; it goes with state=present only'),
    ('vip', 'present', 'NIC1', 'interface: refusing to rename interface 3 (NIC1): it is a ethernet, not a loopback adapter'),
    ('NIC2', 'present', 'loopback', "name: 'NIC2' is already the name of interface 4"),
    ('vip', 'present', 'Storage', "interface: unknown interface 'Storage'"),
    ('NIC1', 'present', 'Storage', "interface: unknown interface 'Storage'"),
])
def test_renaming_errors_name_the_option(name, state, interface, message):
    with pytest.raises(ArgumentError) as err:
        plan_loopback(base(), name, state, interface=interface)
    assert str(err.value).startswith(message)


def test_a_route_needs_a_destination():
    with pytest.raises(ArgumentError) as err:
        plan_routes(base(), [{'next_hop': '192.0.2.254', 'interface': 3}])
    assert str(err.value) == 'routes[0].destination: required option is missing'


@pytest.mark.parametrize('desired, message', [
    ({'ip_interface': [{'family': 'ipv4', 'metric': 5}]}, 'ip_interface[0].interface: required option is missing'),
    ({'ip_address': [{'addresses': ['192.0.2.99/24']}]}, 'ip_address[0].interface: required option is missing'),
])
def test_plan_needs_the_interface_of_each_entry(desired, message):
    with pytest.raises(ArgumentError) as err:
        plan(base(), desired)
    assert str(err.value) == message


@pytest.mark.parametrize('desired', [{'route': ['10.0.0.0/8']}, {'loopback_adapter': [{'name': 'vip'}], 'route': ['10.0.0.0/8']}],
                         ids=['alone', 'with an adapter the plan creates'])
def test_plan_refuses_an_entry_that_is_not_a_mapping(desired):
    with pytest.raises(ArgumentError) as err:
        plan(base(), desired)
    assert str(err.value).startswith('route[0]: must be a mapping')


def test_the_diff_of_firewall_rules_is_keyed_by_name():
    rule = {'op': 'add_firewall_rule', 'name': 'dns', 'local_address': '203.0.113.80', 'protocol': 'UDP', 'local_port': '53'}
    after = apply(base(), [rule])
    assert diff(base(), after, ['firewall_rules']) == {
        'before': {'firewall_rules': []},
        'after': {'firewall_rules': [{'name': 'dns', 'local_address': '203.0.113.80', 'protocol': 'UDP', 'local_port': '53'}]}}
    changed = apply(after, [{'op': 'remove_firewall_rule', 'name': 'dns'}, dict(rule, local_port='5353')])
    assert diff(after, changed, 'firewall_rules')['after']['firewall_rules'][0]['local_port'] == '5353'
    with pytest.raises(ArgumentError) as err:
        diff(base(), after, ['rules'])
    assert str(err.value).startswith("scope[0]: 'rules' is not one of ")


def test_the_diff_of_loopback_adapters_addresses_and_an_ipv6_only_interface():
    before, after = base_dict(), base_dict()
    # an IPv6-only interface (no IPv4 settings) whose metric changes
    before['interfaces'].append({'index': 9, 'alias': 'NIC3', 'kind': 'ethernet', 'ipv6': {'metric': 10}})
    after['interfaces'].append({'index': 9, 'alias': 'NIC3', 'kind': 'ethernet', 'ipv6': {'metric': 30}})
    after['interfaces'][2]['alias'] = 'vip'                      # the loopback adapter renamed
    after['addresses'][3]['skip_as_source'] = False              # the VIP may now be a source
    result = diff(HostState.from_dict(before), HostState.from_dict(after), ['loopback_adapters', 'addresses', 'interfaces'])
    assert result['before']['loopback_adapters'] == [{'name': 'loopback', 'interface': 7}]
    assert result['after']['loopback_adapters'] == [{'name': 'vip', 'interface': 7}]
    assert result['before']['addresses'] == [{'interface': 7, 'address': '203.0.113.80/32', 'skip_as_source': True}]
    assert result['after']['addresses'] == [{'interface': 7, 'address': '203.0.113.80/32', 'skip_as_source': False}]
    assert [(item['interface'], item['family'], item['metric']) for item in result['before']['interfaces']] == [(9, 'ipv6', 10)]
    assert [(item['interface'], item['family'], item['metric']) for item in result['after']['interfaces']] == [(9, 'ipv6', 30)]


def test_the_diff_ignores_a_firewall_rule_without_a_name():
    before, after = base_dict(), base_dict()
    rule = {'name': 'dns', 'local_address': '203.0.113.80', 'protocol': 'UDP', 'local_port': '53'}
    before['firewall_rules'] = [{'local_port': '53'}]
    after['firewall_rules'] = [{'local_port': '53'}, rule]
    assert diff(HostState.from_dict(before), HostState.from_dict(after), 'firewall_rules') == {
        'before': {'firewall_rules': []}, 'after': {'firewall_rules': [rule]}}


def test_an_unknown_diff_scope_names_every_scope():
    with pytest.raises(ArgumentError) as err:
        diff(base(), base(), ['routes', 'arp'])
    assert str(err.value) == ("scope[1]: 'arp' is not one of loopback_adapters, interfaces, addresses, routes, firewall_rules")
