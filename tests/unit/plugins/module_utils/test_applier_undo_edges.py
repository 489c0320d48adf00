# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The undo of a removed loopback adapter at its edges (one family unbound, a persistent copy of a
system route) and the bounds of an automatic rollback's delay."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, inverse, rollback_for
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
