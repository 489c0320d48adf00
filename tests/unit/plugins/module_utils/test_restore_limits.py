# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What restore says it cannot do, one limit at a time: interfaces the baseline does not know,
names taken by another adapter, automatic metrics of unknown speed, addresses it never adds, routes
without an interface, and partial states."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base, base_dict  # noqa: E402  pylint: disable=wrong-import-position


def with_interface(data, index, alias, kind='ethernet'):
    data['interfaces'].append({'index': index, 'alias': alias, 'kind': kind, 'ipv4': {'metric': 30}})
    return data


def test_an_adapter_the_baseline_does_not_know_is_left_as_it_is():
    current = HostState.from_dict(with_interface(base_dict(), 11, 'NIC3'))
    result = plan_restore(current, base())
    assert result['operations'] == []
    assert result['limits'][:2] == ['interface 11 (NIC3) is not in the baseline: it is left as it is',
                                    'interface 11 differs after the restore: baseline absent; restored alias=NIC3, connected=True, index=11, '
                                    'kind=ethernet, register_dns=True']
    assert result['exact'] is False


def test_a_name_held_by_an_adapter_outside_the_baseline_cannot_be_given_back():
    current = apply(HostState.from_dict(with_interface(base_dict(), 11, 'NIC3')),
                    [{'op': 'rename_adapter', 'interface': 3, 'name': 'LAN'}, {'op': 'rename_adapter', 'interface': 11, 'name': 'NIC1'}])
    result = plan_restore(current, base())
    assert result['operations'] == []
    assert "interface 3 cannot get its name 'NIC1' back: interface 11, which is not in the baseline, has it" in result['limits']


def test_a_temporary_name_that_is_taken_gets_another_suffix():
    # NIC1 and NIC2 swapped, and "NIC2 (restore)" already exists
    data = with_interface(base_dict(), 11, 'NIC2 (restore)', kind='loopback_adapter')
    target = HostState.from_dict(data)
    current = apply(target, [{'op': 'rename_adapter', 'interface': 3, 'name': 'tmp'}, {'op': 'rename_adapter', 'interface': 4, 'name': 'NIC1'},
                             {'op': 'rename_adapter', 'interface': 3, 'name': 'NIC2'}])
    result = plan_restore(current, target)
    assert result['operations'][0] == {'op': 'rename_adapter', 'interface': 3, 'name': 'NIC2 (restore) (restore)'}
    assert result['exact'] is True


def test_a_loopback_whose_name_is_taken_is_not_created_again():
    # the loopback adapter is gone and a new adapter (not in the baseline) has its name
    current = apply(HostState.from_dict(with_interface(base_dict(), 11, 'NIC3')),
                    [{'op': 'remove_loopback', 'interface': 7}, {'op': 'rename_adapter', 'interface': 11, 'name': 'loopback'}])
    result = plan_restore(current, base())
    assert "loopback adapter 'loopback' cannot be created again: interface 11 has its name" in result['limits']
    assert not [op for op in result['operations'] if op['op'] == 'create_loopback']


def test_a_loopback_whose_name_was_borrowed_by_a_known_adapter_gets_it_back_first():
    target = base()
    current = apply(target, [{'op': 'remove_loopback', 'interface': 7}, {'op': 'rename_adapter', 'interface': 4, 'name': 'loopback'}])
    result = plan_restore(current, target)
    assert [op['op'] for op in result['operations']][:2] == ['rename_adapter', 'create_loopback']
    assert result['limits'][0] == ("loopback adapter 'loopback' is created again: it gets a new interface index (5 in the prediction, "
                                   "whatever Windows hands out on the host) instead of 7")


def test_an_automatic_metric_of_unknown_speed_cannot_be_predicted():
    data = base_dict()
    data['interfaces'][1]['ipv4'] = {'metric': 20, 'automatic_metric': True, 'dhcp': True}
    target = HostState.from_dict(data)
    current = apply(target, [{'op': 'set_interface', 'interface': 4, 'family': 'ipv4', 'metric': 40}])
    result = plan_restore(current, target)
    assert result['operations'] == [{'op': 'set_interface', 'interface': 4, 'family': 'ipv4', 'automatic_metric': True}]
    assert result['limits'][0] == ('interface 4 (NIC2) ipv4: the automatic metric is turned back on; the value Windows derives cannot be '
                                   'predicted (unknown link speed)')


def test_an_automatic_metric_of_known_speed_is_no_limit():
    current = apply(base(), [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'metric': 40}])
    result = plan_restore(current, base())
    assert (result['operations'], result['limits'], result['exact']) == (
        [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'automatic_metric': True}], [], True)


@pytest.mark.parametrize('address, origin', [
    ({'address': '2001:db8:1::abcd', 'prefix_length': 64, 'interface': 3, 'temporary': True}, 'a temporary address'),
    ({'address': 'fe80::10', 'prefix_length': 64, 'interface': 3}, 'a link-local address'),
    ({'address': '192.0.2.77', 'prefix_length': 24, 'interface': 3, 'prefix_origin': 'well_known'}, 'assigned by well_known'),
])
def test_addresses_restore_never_adds(address, origin):
    data = base_dict()
    data['addresses'].append(address)
    result = plan_restore(base(), HostState.from_dict(data))
    assert result['operations'] == []
    assert result['limits'][0] == 'address %s of interface 3 is not restored: it was %s' % (address['address'], origin)


def test_a_configured_address_gone_is_added_again_with_its_prefix():
    current = apply(base(), [{'op': 'remove_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.10'}])
    result = plan_restore(current, base())
    # the baseline lists no persistent copy of it: it comes back in the ActiveStore only, as it was
    assert result['operations'] == [{'op': 'add_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.10', 'prefix_length': 24,
                                     'skip_as_source': False, 'store': 'active'}]
    changed = apply(base(), [{'op': 'remove_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.10'},
                             {'op': 'add_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.10', 'prefix_length': 25,
                              'skip_as_source': False}])
    result = plan_restore(changed, base())
    assert [op['op'] for op in result['operations']][:2] == ['remove_address', 'add_address']


def test_an_address_only_in_the_persistent_store_is_left_there_and_said():
    data = base_dict()
    data['addresses'].append({'address': '192.0.2.77', 'prefix_length': 24, 'interface': 3, 'store': 'persistent'})
    result = plan_restore(HostState.from_dict(data), base())
    assert result['operations'] == [] and result['exact'] is False
    assert result['limits'] == ['address 192.0.2.77 of interface 3 is only in the persistent store (it comes back at the next boot): restore '
                                'leaves it there',
                                "address (3, '192.0.2.77', 'persistent') differs after the restore: baseline absent; restored address=192.0.2.77, "
                                'interface=3, prefix_length=24, skip_as_source=False, state=preferred, store=persistent, temporary=False']


def test_routes_without_an_interface_are_listed():
    data = base_dict()
    data['unbound_routes'] = [{'destination': '10.99.0.0/16', 'next_hop': '172.16.30.1', 'interface': 9, 'route_metric': 256,
                               'store': 'persistent', 'protocol': 'netmgmt'}]
    result = plan_restore(base(), HostState.from_dict(data))
    assert result['limits'] == ['the baseline lists 1 route(s) without an IP interface (unbound_routes): they are not restored']


def test_firewall_rules_that_differ_are_replaced():
    rule = {'op': 'add_firewall_rule', 'name': 'dns', 'local_address': '203.0.113.80', 'protocol': 'UDP', 'local_port': '53'}
    target = apply(base(), [rule])
    current = apply(base(), [dict(rule, local_port='5353'), dict(rule, name='extra')])
    result = plan_restore(current, target)
    assert result['operations'] == [{'op': 'remove_firewall_rule', 'name': 'dns'}, {'op': 'remove_firewall_rule', 'name': 'extra'}, rule]
    assert result['exact'] is True


@pytest.mark.parametrize('spelling', [{'protocol': 'udp'}, {'local_address': '2001:DB8:1:0:0:0:0:10'}])
def test_a_firewall_rule_the_baseline_spells_otherwise_is_the_same_rule(spelling):
    rule = {'op': 'add_firewall_rule', 'name': 'dns', 'local_address': '2001:db8:1::10', 'protocol': 'UDP', 'local_port': '53'}
    web = dict(rule, name='web', protocol='TCP', local_port='443')
    current = apply(base(), [web, rule])
    data = apply(base(), [rule, web]).to_dict()
    data['firewall_rules'][0].update(spelling)
    result = plan_restore(current, HostState.from_dict(data))
    assert (result['operations'], result['limits'], result['exact']) == ([], [], True)


def test_a_partial_host_state_is_refused():
    data = base_dict()
    data['partial'] = ['interfaces.settings']
    with pytest.raises(StateError) as err:
        plan_restore(HostState.from_dict(data), base())
    assert str(err.value) == 'state: the host state is partial (interfaces.settings missing): restore needs a complete state'
