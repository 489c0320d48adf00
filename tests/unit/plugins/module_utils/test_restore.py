# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore: the operations taking a host back to a saved state, and what they cannot bring back."""

from __future__ import annotations

import json
import os
import sys

import pytest

from hypothesis import given, settings
from hypothesis_profiles import examples

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore, renumber

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base, base_dict, hosts_and_operations  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..', 'examples', 'snapshots'))
SETTINGS = settings(max_examples=examples(60))


def route_op(kind, destination, next_hop, interface, store='active', metric=None):
    op = {'op': kind, 'family': 'ipv4', 'destination': destination, 'next_hop': next_hop, 'interface': interface, 'store': store}
    if metric is not None:
        op['route_metric'] = metric
    return op


def restored(current, target):
    result = plan_restore(current, target)
    return apply(current, result['operations']), result


def recreated_mapping(target, after):
    """{baseline index: index on the restored state} of the loopback adapters created again."""
    return {i.index: after.interface_by_alias(i.alias).index for i in target.interfaces
            if i.kind == 'loopback_adapter' and after.interface_by_alias(i.alias) is not None
            and after.interface_by_alias(i.alias).index != i.index}


# ------------------------------------------------------------------------------ tables
def test_nothing_to_do_on_the_baseline_itself():
    result = plan_restore(base(), base())
    assert result == {'operations': [], 'interfaces': {3: 3, 4: 4, 7: 7}, 'limits': [], 'exact': True}


def test_routes_settings_addresses_and_rules_come_back():
    before = apply(base(), [{'op': 'add_firewall_rule', 'name': 'vip-http', 'local_address': '203.0.113.80', 'protocol': 'TCP', 'local_port': '80'}])
    changed = apply(before, [
        route_op('set_route_metric', '10.20.0.0/16', '198.51.100.1', 4, 'active', 99),
        route_op('remove_route', '10.30.0.0/16', '198.51.100.1', 4, 'persistent'),
        route_op('add_route', '10.99.0.0/16', '192.0.2.254', 3, 'both', 5),
        {'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'metric': 5, 'forwarding': True},
        {'op': 'set_dns_registration', 'interface': 7, 'register_dns': True},
        {'op': 'set_address', 'interface': 7, 'family': 'ipv4', 'address': '203.0.113.80', 'skip_as_source': False},
        {'op': 'add_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.11', 'prefix_length': 24, 'skip_as_source': False},
        {'op': 'remove_firewall_rule', 'name': 'vip-http'},
    ])
    after, result = restored(changed, before)
    assert result['exact'] and result['limits'] == []
    assert canonical(after) == canonical(before)
    kinds = [op['op'] for op in result['operations']]
    # routes in identity order; the persistent-only 10.30.0.0/16 comes back through both stores
    assert kinds == ['set_interface', 'set_dns_registration', 'remove_address', 'set_address', 'set_route_metric', 'add_route',
                     'remove_route', 'remove_route', 'remove_route', 'add_firewall_rule']
    assert result['operations'][0] == {'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'forwarding': False, 'automatic_metric': True}


def test_a_removed_loopback_is_created_again_under_a_new_index_and_matched_by_name():
    target = base()
    changed = apply(target, [{'op': 'remove_loopback', 'interface': 7}])
    after, result = restored(changed, target)
    assert result['operations'][0] == {'op': 'create_loopback', 'name': 'loopback'}
    assert result['interfaces'][7] == 5
    assert {op['interface'] for op in result['operations'][1:]} == {5}
    assert canonical(after) == canonical(renumber(target, {7: 5}))
    assert any('gets a new interface index' in text for text in result['limits'])
    # the restore of the restored host is a no-op: the adapter is found by its name
    assert plan_restore(after, target)['operations'] == []


def test_bindings_come_back_where_both_states_record_them():
    changed = apply(base(), [{'op': 'set_binding', 'interface': 7, 'component': 'ms_server', 'enabled': True},
                             {'op': 'set_netbios', 'interface': 7, 'netbios': 'enabled'}])
    after, result = restored(changed, base())
    assert result['operations'] == [{'op': 'set_binding', 'interface': 7, 'component': 'ms_server', 'enabled': False},
                                    {'op': 'set_netbios', 'interface': 7, 'netbios': 'disabled'}]
    assert result['exact'] and canonical(after) == canonical(base())
    # a baseline that does not record them leaves them alone, and is still matched exactly
    data = base().to_dict()
    del data['interfaces'][2]['bindings'], data['interfaces'][2]['netbios']
    _after, result = restored(changed, HostState.from_dict(data))
    assert result['operations'] == [] and result['exact']


def test_a_loopback_the_baseline_does_not_have_is_removed():
    changed = apply(base(), [{'op': 'create_loopback', 'name': 'vip'}])
    after, result = restored(changed, base())
    assert result['operations'] == [{'op': 'remove_loopback', 'interface': 8}]
    assert canonical(after) == canonical(base())


def test_swapped_names_go_through_a_temporary_name():
    changed = apply(base(), [{'op': 'rename_adapter', 'interface': 3, 'name': 'tmp'}, {'op': 'rename_adapter', 'interface': 4, 'name': 'NIC1'},
                             {'op': 'rename_adapter', 'interface': 3, 'name': 'NIC2'}])
    after, result = restored(changed, base())
    assert result['operations'] == [{'op': 'rename_adapter', 'interface': 3, 'name': 'NIC2 (restore)'},
                                    {'op': 'rename_adapter', 'interface': 4, 'name': 'NIC2'},
                                    {'op': 'rename_adapter', 'interface': 3, 'name': 'NIC1'}]
    assert canonical(after) == canonical(base())


def test_a_removed_system_route_comes_back_as_a_netmgmt_route():
    changed = apply(base(), [route_op('remove_route', '192.0.2.0/24', '0.0.0.0', 3, 'active')])
    after, result = restored(changed, base())
    assert result['operations'] == [route_op('add_route', '192.0.2.0/24', '0.0.0.0', 3, 'active', 256)]
    assert not result['exact']
    assert any("protocol=netmgmt" in text for text in result['limits'])
    assert [r.protocol for r in after.routes if r.destination == '192.0.2.0/24'] == ['netmgmt']


def test_dhcp_addresses_and_a_missing_physical_adapter_are_limits_not_operations():
    data = base_dict()
    data['addresses'].append({'address': '198.51.100.21', 'prefix_length': 24, 'interface': 4, 'prefix_origin': 'dhcp'})
    target = HostState.from_dict(data)
    data = base_dict()
    data['interfaces'] = [i for i in data['interfaces'] if i['index'] != 4]
    data['addresses'] = [a for a in data['addresses'] if a['interface'] != 4]
    data['routes'] = [r for r in data['routes'] if r['interface'] != 4]
    current = HostState.from_dict(data)
    result = plan_restore(current, target)
    assert result['operations'] == []
    assert not result['exact']
    assert any(text.startswith('interface 4 (NIC2, ethernet) of the baseline no longer exists') for text in result['limits'])
    changed = apply(target, [{'op': 'set_interface', 'interface': 4, 'family': 'ipv4', 'dhcp': False}])
    result = plan_restore(changed, target)
    assert result['operations'] == [{'op': 'set_interface', 'interface': 4, 'family': 'ipv4', 'dhcp': True}]
    assert 'address 198.51.100.21 of interface 4 is not restored: it was assigned by dhcp' in result['limits']


def test_a_partial_baseline_is_refused():
    data = base_dict()
    data['partial'] = ['routes.persistent']
    with pytest.raises(StateError, match=r'^baseline: is a partial state \(routes.persistent missing\)'):
        plan_restore(base(), HostState.from_dict(data))


@pytest.mark.parametrize('name', sorted(n for n in os.listdir(EXAMPLES) if n.endswith('.json')))
def test_example_hosts_are_their_own_baseline(name):
    with open(os.path.join(EXAMPLES, name), encoding='utf-8') as handle:
        state = HostState.from_dict(json.load(handle))
    result = plan_restore(state, state)
    assert (result['operations'], result['exact']) == ([], True)


# ------------------------------------------------------------------------------ properties
@SETTINGS
@given(hosts_and_operations())
def test_property_apply_then_restore_is_the_original(case):
    """Random host, random plan, apply, restore to the original: the original under canonical, apart
    from the documented limits (a re-created loopback's index, a re-added system route's protocol)."""
    host, ops = case
    changed = apply(host, ops)
    result = plan_restore(changed, host)
    after = apply(changed, result['operations'])
    expected = canonical(renumber(host, recreated_mapping(host, after)))
    brought = {(r.destination, r.next_hop, r.interface, r.store) for r in after.routes if r.protocol == 'local'}
    for item in expected['routes']:
        if item['protocol'] == 'local' and (item['destination'], item['next_hop'], item['interface'], item['store']) not in brought:
            item['protocol'] = 'netmgmt'
    assert canonical(after) == expected
    # and once restored, nothing is left to do
    assert plan_restore(after, host)['operations'] == []
