# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore when one interface of the baseline cannot be handled: the others are still matched,
set back and created again (a loopback listed first, a physical adapter gone, a loopback whose
name is taken), the limit that names a physical adapter gone, partial states, SkipAsSource on a
loopback under another index, leased addresses, firewall rules (none in the baseline, one without
a name), the differences listed for an adapter outside the baseline, renumber, the settings of one
family when the other is unbound, and the routes after one also learned from DHCP."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore, renumber

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base, base_dict  # noqa: E402  pylint: disable=wrong-import-position


def without_interface(data, index):
    data['interfaces'] = [i for i in data['interfaces'] if i['index'] != index]
    data['addresses'] = [a for a in data['addresses'] if a['interface'] != index]
    data['routes'] = [r for r in data['routes'] if r['interface'] != index]
    return data


def test_interfaces_after_a_loopback_matched_by_name_are_matched_by_index():
    data = base_dict()
    data['interfaces'].insert(0, data['interfaces'].pop(2))      # the loopback (7) listed first
    target = HostState.from_dict(data)
    data['interfaces'][1]['ipv4']['metric'] = 40                  # NIC1's IPv4 metric set since the baseline
    result = plan_restore(HostState.from_dict(data), target)
    assert result['interfaces'] == {3: 3, 4: 4, 7: 7}
    assert result['operations'] == [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'automatic_metric': True}]
    assert result['limits'] == [] and result['exact']


def test_a_physical_adapter_gone_leaves_the_settings_of_the_others_restored():
    target = HostState.from_dict(base_dict())
    data = without_interface(base_dict(), 4)
    data['interfaces'][1]['ipv4']['metric'] = 100                 # the loopback (7), after the missing NIC2 (4)
    result = plan_restore(HostState.from_dict(data), target)
    assert result['operations'] == [{'op': 'set_interface', 'interface': 7, 'family': 'ipv4', 'metric': 254}]
    assert result['limits'][0] == ('interface 4 (NIC2, ethernet) of the baseline no longer exists: restore cannot bring back an adapter '
                                   'that is not a loopback adapter; its settings, addresses and routes are not restored')


def test_a_loopback_whose_name_is_taken_does_not_stop_the_next_one():
    data = base_dict()
    data['interfaces'].append({'index': 8, 'alias': 'vip2', 'kind': 'loopback_adapter', 'ipv4': {'metric': 254}})
    target = HostState.from_dict(data)
    data = without_interface(without_interface(base_dict(), 7), 8)
    data['interfaces'].append({'index': 11, 'alias': 'loopback', 'kind': 'ethernet', 'ipv4': {'metric': 30}})
    result = plan_restore(HostState.from_dict(data), target)
    assert "loopback adapter 'loopback' cannot be created again: interface 11 has its name" in result['limits']
    assert {'op': 'create_loopback', 'name': 'vip2'} in result['operations']
    assert result['interfaces'][8] == 12                          # one above the highest index on the host (11)


@pytest.mark.parametrize('side, message', [
    ('target', 'baseline: is a partial state (routes.persistent, addresses missing): restore needs a complete state'),
    ('current', 'state: the host state is partial (routes.persistent, addresses missing): restore needs a complete state'),
])
def test_a_partial_state_is_refused_naming_what_it_lacks(side, message):
    partial = base_dict()
    partial['partial'] = ['routes.persistent', 'addresses']
    states = {'target': HostState.from_dict(base_dict()), 'current': HostState.from_dict(base_dict())}
    states[side] = HostState.from_dict(partial)
    with pytest.raises(StateError) as caught:
        plan_restore(states['current'], states['target'])
    assert str(caught.value) == message


def test_skip_as_source_is_set_back_on_a_loopback_matched_under_another_index():
    data = base_dict()
    data['interfaces'][2]['index'] = 9                            # the loopback was re-created since: now interface 9
    data['addresses'][3].update(interface=9, skip_as_source=False)
    result = plan_restore(HostState.from_dict(data), HostState.from_dict(base_dict()))
    assert result['interfaces'] == {3: 3, 4: 4, 7: 9}
    assert result['operations'] == [{'op': 'set_address', 'interface': 9, 'family': 'ipv4', 'address': '203.0.113.80', 'skip_as_source': True}]
    assert result['exact']


def test_a_leased_address_the_host_still_has_is_no_limit():
    data = base_dict()
    data['addresses'][2]['prefix_origin'] = 'dhcp'
    assert plan_restore(HostState.from_dict(data), HostState.from_dict(data)) == {
        'operations': [], 'interfaces': {3: 3, 4: 4, 7: 7}, 'limits': [], 'exact': True}


def test_firewall_rules_are_removed_when_the_baseline_has_none():
    data = base_dict()
    data['firewall_rules'] = [{'name': 'dns', 'local_address': '203.0.113.80', 'protocol': 'UDP', 'local_port': '53'}]
    result = plan_restore(HostState.from_dict(data), HostState.from_dict(base_dict()))
    assert result['operations'] == [{'op': 'remove_firewall_rule', 'name': 'dns'}] and result['exact']


def test_a_firewall_rule_without_a_name_cannot_be_restored():
    data = base_dict()
    data['firewall_rules'] = [{'local_port': '53'}]
    result = plan_restore(HostState.from_dict(base_dict()), HostState.from_dict(data))
    assert result['operations'] == []
    assert result['limits'] == ['firewall rules differ after the restore']
    assert result['exact'] is False


def test_an_adapter_outside_the_baseline_is_listed_with_its_routes_in_order():
    data = base_dict()
    data['interfaces'].append({'index': 11, 'alias': 'NIC3', 'kind': 'ethernet', 'ipv4': {'metric': 30},
                               'bindings': {'ms_msclient': True, 'ms_server': True}, 'netbios': 'default'})
    result = plan_restore(HostState.from_dict(data), HostState.from_dict(base_dict()))
    assert result['operations'] == [] and result['exact'] is False
    assert result['limits'] == [
        'interface 11 (NIC3) is not in the baseline: it is left as it is',
        # bindings and NetBIOS are compared only where the baseline records them
        'interface 11 differs after the restore: baseline absent; restored alias=NIC3, connected=True, index=11, kind=ethernet, register_dns=True',
        "route ('224.0.0.0/4', '0.0.0.0', 11, 'active') differs after the restore: baseline absent; restored destination=224.0.0.0/4, "
        'interface=11, next_hop=0.0.0.0, protocol=local, route_metric=256, store=active',
        "route ('255.255.255.255/32', '0.0.0.0', 11, 'active') differs after the restore: baseline absent; restored destination=255.255.255.255/32, "
        'interface=11, next_hop=0.0.0.0, protocol=local, route_metric=256, store=active']


def test_renumber_keeps_a_removed_system_route_removed():
    state = apply(base(), [{'op': 'remove_route', 'family': 'ipv4', 'destination': '192.0.2.0/24', 'next_hop': '0.0.0.0', 'interface': 3,
                            'store': 'active'}])
    moved = renumber(state, {3: 13})
    assert '192.0.2.0/24' not in {r.destination for r in moved.routes}
    assert {r.interface for r in moved.routes if r.destination == '192.0.2.10/32'} == {13}


def test_the_settings_of_an_ipv6_only_interface_are_restored():
    target, data = base_dict(), base_dict()
    target['interfaces'].append({'index': 9, 'alias': 'NIC3', 'kind': 'ethernet', 'ipv6': {'metric': 10}})
    data['interfaces'].append({'index': 9, 'alias': 'NIC3', 'kind': 'ethernet', 'ipv6': {'metric': 30}})
    result = plan_restore(HostState.from_dict(data), HostState.from_dict(target))
    assert result['operations'] == [{'op': 'set_interface', 'interface': 9, 'family': 'ipv6', 'metric': 10}] and result['exact']


def test_ipv6_settings_are_restored_next_to_ipv4_unbound_since_the_baseline():
    data = base_dict()
    del data['interfaces'][0]['ipv4']                             # NIC1: IPv4 unbound since, IPv6 metric set by hand
    data['interfaces'][0]['ipv6'] = {'metric': 30}
    data['addresses'] = [a for a in data['addresses'] if a['address'] != '192.0.2.10']
    data['routes'] = [r for r in data['routes'] if r['interface'] != 3]
    result = plan_restore(HostState.from_dict(data), base())
    assert result['operations'] == [{'op': 'set_interface', 'interface': 3, 'family': 'ipv6', 'automatic_metric': True}]
    assert result['limits'][0] == 'interface 3 (NIC1): ipv4 is unbound now and bound in the baseline; restore does not bind or unbind a protocol'


def test_routes_after_one_also_learned_from_dhcp_are_restored():
    data = base_dict()
    # the default route on NIC1 now comes from DHCP; NIC2's 10.20.0.0/16 got metric 9 since the baseline
    data['routes'] = [dict(data['routes'][0], protocol='dhcp'), dict(data['routes'][2], route_metric=9), data['routes'][3]]
    result = plan_restore(HostState.from_dict(data), base())
    assert 'route 0.0.0.0/0 on interface 3 is also learned from DHCP or router advertisements: left as it is' in result['limits']
    assert result['operations'] == [{'op': 'set_route_metric', 'family': 'ipv4', 'destination': '10.20.0.0/16', 'next_hop': '198.51.100.1',
                                     'interface': 4, 'store': 'active', 'route_metric': 5}]


def test_an_address_in_both_stores_in_the_baseline_and_active_only_now_is_a_limit():
    target = base_dict()
    target['addresses'].append(dict(target['addresses'][3], store='persistent'))     # the VIP was in both stores
    result = plan_restore(base(), HostState.from_dict(target))
    assert result['operations'] == [] and result['exact'] is False
    assert result['limits'][0] == ('address 203.0.113.80 of interface 7 is in the active store only now and in both stores in the baseline: '
                                   'restore does not remove and add it again for that')
    # the persistent copy is told apart from the address in force by its store
    assert result['limits'][1] == ("address (7, '203.0.113.80', 'persistent') differs after the restore: baseline address=203.0.113.80, "
                                   'interface=7, prefix_length=32, skip_as_source=True, state=preferred, store=persistent, temporary=False; '
                                   'restored absent')


def test_an_address_only_in_the_persistent_store_is_left_there():
    data = base_dict()
    data['addresses'].append({'address': '192.0.2.77', 'prefix_length': 24, 'interface': 3, 'store': 'persistent'})
    result = plan_restore(HostState.from_dict(data), base())
    assert result['operations'] == []
    assert result['limits'][0] == ('address 192.0.2.77 of interface 3 is only in the persistent store (it comes back at the next boot): '
                                   'restore leaves it there')
