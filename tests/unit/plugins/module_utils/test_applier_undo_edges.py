# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The undo of a removed loopback adapter at its edges (one family unbound, a persistent copy of a
system route, a changed system route metric, an earlier change to the adapter), operations that
name their adapter, the paths of invalid operations, and the bounds of an automatic rollback's delay."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, inverse, pin_created_adapters, rollback_for
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base, base_dict  # noqa: E402  pylint: disable=wrong-import-position

REMOVE_LOOPBACK = [{'op': 'remove_loopback', 'interface': 7}]


def test_a_recreated_loopback_without_ipv6_gets_only_its_ipv4_settings_back():
    data = base_dict()
    del data['interfaces'][2]['ipv6']
    undo = inverse(HostState.from_dict(data), REMOVE_LOOPBACK)
    # the adapter comes back as interface 5 (one above NIC2); a new adapter has both families
    # bound with an automatic metric of 25 and DHCP on: only IPv4 had settings to give back
    assert undo[:2] == [{'op': 'create_loopback', 'name': 'loopback'},
                        {'op': 'set_interface', 'interface': 5, 'family': 'ipv4', 'weak_host_send': True, 'weak_host_receive': True,
                         'dhcp': False, 'metric': 254}]
    assert [op for op in undo if op['op'] == 'set_interface' and op['family'] == 'ipv6'] == []


def test_a_recreated_loopback_gets_a_persistent_copy_of_its_vip_host_route_back():
    data = base_dict()
    # the VIP's host route was also written to the persistent store (New-NetRoute -PolicyStore PersistentStore)
    data['routes'].append({'destination': '203.0.113.80/32', 'next_hop': '0.0.0.0', 'interface': 7, 'route_metric': 0,
                           'store': 'persistent', 'protocol': 'netmgmt'})
    before = HostState.from_dict(data)
    restored = apply(apply(before, REMOVE_LOOPBACK), inverse(before, REMOVE_LOOPBACK))
    copies = sorted((r.store, r.route_metric) for r in restored.routes if r.destination == '203.0.113.80/32')
    assert copies == [('active', 256), ('persistent', 0)]
    assert {r.interface for r in restored.routes if r.destination == '203.0.113.80/32'} == {5}


@pytest.mark.parametrize('after', [30, 86400])
def test_the_delay_bounds_are_accepted(after):
    assert rollback_for(base(), [{'op': 'set_dns_registration', 'interface': 7, 'register_dns': True}], after)['after'] == after


def test_removing_an_adapter_under_a_rollback_is_refused_with_the_way_out():
    ops = [{'op': 'set_dns_registration', 'interface': 3, 'register_dns': False}, {'op': 'remove_loopback', 'interface': 7}]
    with pytest.raises(ArgumentError) as caught:
        rollback_for(base(), ops, 60)
    assert str(caught.value) == ('rollback_after: operations[1] (remove_loopback) removes a loopback adapter: its undo would address the '
                                 'adapter created again by an interface index Windows has not handed out yet, so it cannot be armed '
                                 'before the change; remove the adapter in a task of its own without rollback_after')


def test_a_recreated_loopback_gets_a_changed_system_route_metric_back():
    changed = {'op': 'set_route_metric', 'family': 'ipv4', 'destination': '224.0.0.0/4', 'next_hop': '0.0.0.0', 'interface': 7,
               'store': 'active', 'route_metric': 5}
    before = apply(base(), [changed])
    undo = inverse(before, REMOVE_LOOPBACK)
    # the re-created adapter (interface 5) brings 224.0.0.0/4 with the system metric 256: the undo sets it back to 5
    assert undo[-1] == dict(changed, interface=5)
    restored = apply(apply(before, REMOVE_LOOPBACK), undo)
    assert [(r.route_metric, r.protocol) for r in restored.routes if r.destination == '224.0.0.0/4' and r.interface == 5] == [(5, 'local')]


def test_the_undo_of_an_earlier_change_to_a_removed_loopback_addresses_the_recreated_adapter():
    ops = [{'op': 'set_dns_registration', 'interface': 7, 'register_dns': True}, REMOVE_LOOPBACK[0]]
    undo = inverse(base(), ops)
    assert undo[0] == {'op': 'create_loopback', 'name': 'loopback'}
    # the adapter is re-created as interface 5 with DNS registration on (as it was before its removal);
    # the undo of the first operation, which runs last, turns it off on interface 5, not on 7
    assert undo[-1] == {'op': 'set_dns_registration', 'interface': 5, 'register_dns': False}
    assert [op for op in undo if op.get('interface') == 7] == []


def test_the_undo_of_an_operation_naming_its_adapter_addresses_the_adapter_found_by_name():
    # the host finds the adapter by its name ("loopback", interface 7), whatever index the operation predicted
    assert inverse(base(), [{'op': 'set_dns_registration', 'interface': 99, 'adapter': 'loopback', 'register_dns': True}]) == [
        {'op': 'set_dns_registration', 'interface': 7, 'register_dns': False}]


@pytest.mark.parametrize('function', [inverse, pin_created_adapters])
@pytest.mark.parametrize('ops, message', [
    ([{'op': 'set_dns_registration', 'interface': 3, 'register_dns': True}, {'op': 'bogus'}], "operations[1].op: 'bogus' is not one of "),
    ([{'op': 'set_dns_registration', 'interface': 3}], 'operations[0].register_dns: required field of set_dns_registration is missing'),
])
def test_an_invalid_operation_is_named_by_its_path(function, ops, message):
    with pytest.raises(ArgumentError) as caught:
        function(base(), ops)
    assert str(caught.value).startswith(message)
