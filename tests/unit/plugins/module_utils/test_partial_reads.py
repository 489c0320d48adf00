# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A state that lacks a part (a read that failed on the host): the engine says which findings it
skipped, and the planners refuse to plan on the missing part instead of taking it for absent."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_addresses, plan_interface, plan_route

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base_dict  # noqa: E402  pylint: disable=wrong-import-position


def partial(*items, drop=()):
    """The base state as a gather whose reads of ``items`` failed (the keys they fill, ``drop``, left out)."""
    data = base_dict()
    data['partial'] = list(items)
    for iface in data['interfaces']:
        for key in drop:
            iface.pop(key, None)
    return HostState.from_dict(data)


def drifted(*items):
    """A state whose route 10.20.0.0/16 has metric 5 in force and 50 in the PersistentStore, and a
    KM-TEST loopback adapter holding 10.1.2.3/8 (its prefix route wins for the /8)."""
    data = base_dict()
    data['routes'].append({'destination': '10.20.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4, 'route_metric': 50,
                           'store': 'persistent', 'protocol': 'netmgmt'})
    data['addresses'].append({'address': '10.1.2.3', 'prefix_length': 8, 'interface': 7})
    if items:
        data['partial'] = list(items)
    return HostState.from_dict(data)


def ids(findings):
    return [f['id'] for f in findings]


def test_the_complete_state_reports_the_drift_and_the_loopback_prefix():
    found = ids(Engine(drifted()).findings())
    assert 'persistent_active_drift' in found
    assert 'vip_prefix_route_on_loopback_wins' in found
    assert 'partial_state' not in found


def test_without_the_persistent_routes_the_drift_is_skipped_and_said_so():
    findings = Engine(drifted('routes.persistent')).findings()
    assert 'persistent_active_drift' not in ids(findings)
    notes = [f for f in findings if f['id'] == 'partial_state']
    assert [f['message'] for f in notes] == ['Drift between the routes in force and the PersistentStore was not checked: the persistent '
                                             'routes (routes.persistent) are not in this state.']
    assert notes[0]['severity'] == 'info' and 'net_info' in notes[0]['remediation']
    assert 'vip_prefix_route_on_loopback_wins' in ids(findings)


def test_without_the_adapter_kinds_the_loopback_prefix_is_skipped_and_said_so():
    findings = Engine(drifted('interfaces.kind', 'interfaces.link_speed')).findings()
    assert 'vip_prefix_route_on_loopback_wins' not in ids(findings)
    assert [f['message'] for f in findings if f['id'] == 'partial_state'] == [
        'Loopback adapter prefixes that win over other routes were not checked: the adapter kinds are not in this state.']
    assert 'persistent_active_drift' in ids(findings)


@pytest.mark.parametrize('options, item, path, what', [
    ({'bindings': {'ms_server': True}}, 'interfaces.bindings', 'bindings', 'the adapter bindings'),
    ({'netbios': 'enabled'}, 'interfaces.netbios', 'netbios', 'the NetBIOS over TCP/IP settings'),
])
def test_bindings_and_netbios_are_not_planned_on_a_failed_read(options, item, path, what):
    host = partial(item, drop=('bindings', 'netbios'))
    with pytest.raises(ArgumentError) as caught:
        plan_interface(host, 'loopback', **options)
    assert caught.value.argument == path
    assert caught.value.reason.startswith('the host state does not hold %s' % what)
    assert '(the state is partial: %s;' % item in caught.value.reason


def test_without_the_failed_read_a_missing_binding_is_said_to_be_unrecorded():
    host = partial(drop=('bindings',))
    with pytest.raises(ArgumentError, match='the state does not record its adapter bindings'):
        plan_interface(host, 'loopback', bindings={'ms_server': True})


def test_an_address_is_not_removed_without_the_persistent_store():
    host = partial('addresses.persistent')
    with pytest.raises(ArgumentError) as caught:
        plan_addresses(host, 'loopback', ['203.0.113.80/32'], 'absent')
    assert caught.value.argument == 'addresses'
    assert 'the addresses of the PersistentStore' in caught.value.reason and 'removing 203.0.113.80 needs' in caught.value.reason
    # adding needs no removal: it is planned
    assert [op['op'] for op in plan_addresses(host, 'loopback', ['203.0.113.81/32'])] == ['add_address']


@pytest.mark.parametrize('store', ['both', 'persistent'])
def test_a_route_is_not_planned_in_the_persistent_store_it_could_not_read(store):
    host = partial('routes.persistent')
    with pytest.raises(ArgumentError) as caught:
        plan_route(host, destination='10.40.0.0/16', next_hop='192.0.2.1', interface=3, store=store)
    assert caught.value.argument == 'store'
    assert 'the routes of the PersistentStore' in caught.value.reason


def test_a_route_in_force_only_is_planned_without_the_persistent_store():
    host = partial('routes.persistent')
    ops = plan_route(host, destination='10.40.0.0/16', next_hop='192.0.2.1', interface=3, store='active')
    assert [(op['op'], op['store']) for op in ops] == [('add_route', 'active')]
