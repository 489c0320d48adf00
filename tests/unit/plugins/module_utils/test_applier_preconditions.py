# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The applier's preconditions that no other table named, the firewall rules list, and the
arguments apply and inverse refuse. Each precondition is the one net_apply checks on the host."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, inverse
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, StateError

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base  # noqa: E402  pylint: disable=wrong-import-position

RULE = {'op': 'add_firewall_rule', 'name': 'dns', 'local_address': '203.0.113.80', 'protocol': 'UDP', 'local_port': '53'}


def route(kind, destination, next_hop, interface, store='active', metric=None, family='ipv4'):
    op = {'op': kind, 'family': family, 'destination': destination, 'next_hop': next_hop, 'interface': interface, 'store': store}
    if metric is not None:
        op['route_metric'] = metric
    return op


@pytest.mark.parametrize('ops, message', [
    ([route('set_route_metric', '10.99.0.0/16', '192.0.2.1', 3, 'active', 5)],
     'operations[0]: route 10.99.0.0/16 via 192.0.2.1 on interface 3 in the active store does not exist'),
    ([{'op': 'add_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.99', 'prefix_length': 33, 'skip_as_source': False}],
     'operations[0]: prefix length 33 is out of range for ipv4'),
    ([{'op': 'add_address', 'interface': 3, 'family': 'ipv6', 'address': '2001:db8:1::99', 'prefix_length': 129, 'skip_as_source': False}],
     'operations[0]: prefix length 129 is out of range for ipv6'),
    ([{'op': 'set_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.99', 'skip_as_source': True}],
     'operations[0]: address 192.0.2.99 does not exist on interface 3'),
    ([{'op': 'set_address', 'interface': 3, 'family': 'ipv4', 'address': '203.0.113.80', 'skip_as_source': True}],
     'operations[0]: address 203.0.113.80 does not exist on interface 3'),
    ([{'op': 'create_loopback', 'name': '   '}], 'operations[0]: an adapter name must not be empty'),
    ([{'op': 'rename_adapter', 'interface': 3, 'name': 'NIC2'}], "operations[0]: an adapter named 'NIC2' already exists (interface 4)"),
    ([RULE, RULE], "operations[1]: firewall rule 'dns' already exists"),
    ([{'op': 'set_interface', 'interface': 4, 'family': 'ipv6', 'metric': 5}], 'operations[0]: interface 4 (NIC2) has no ipv6 settings'),
])
def test_preconditions(ops, message):
    with pytest.raises(StateError) as err:
        apply(base(), ops)
    assert str(err.value) == message


def test_a_route_metric_is_set_in_the_active_store_only():
    # Set-NetRoute changes the store it is given; the planner sets a persistent metric by remove + add
    with pytest.raises(ArgumentError) as err:
        apply(base(), [route('set_route_metric', '10.30.0.0/16', '198.51.100.1', 4, 'persistent', 5)])
    assert str(err.value) == "operations[0].store: 'persistent' is not one of active for set_route_metric"


def test_renaming_an_adapter_to_its_own_name_is_allowed():
    after = apply(base(), [{'op': 'rename_adapter', 'interface': 3, 'name': 'NIC1'}])
    assert after.interface(3).alias == 'NIC1'


def test_firewall_rules_are_a_list_that_disappears_when_empty():
    other = dict(RULE, name='ntp', local_port='123')
    both = apply(base(), [RULE, other])
    assert both.to_dict()['firewall_rules'] == [{key: RULE[key] for key in ('name', 'local_address', 'protocol', 'local_port')},
                                                {key: other[key] for key in ('name', 'local_address', 'protocol', 'local_port')}]
    one = apply(both, [{'op': 'remove_firewall_rule', 'name': 'dns'}])
    assert [r['name'] for r in one.to_dict()['firewall_rules']] == ['ntp']
    none = apply(one, [{'op': 'remove_firewall_rule', 'name': 'ntp'}])
    assert 'firewall_rules' not in none.to_dict()
    assert inverse(both, [{'op': 'remove_firewall_rule', 'name': 'ntp'}]) == [dict(other)]


def test_a_firewall_list_with_other_entries_is_kept_as_it_is():
    data = base().to_dict()
    other = {'name': 'not ours', 'local_address': '192.0.2.10', 'protocol': 'TCP', 'local_port': '8080'}
    data['firewall_rules'] = [other, {'name': 'dns', 'local_address': None, 'protocol': 'UDP', 'local_port': '53'}]
    from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState  # pylint: disable=import-outside-toplevel
    after = apply(HostState.from_dict(data), [{'op': 'remove_firewall_rule', 'name': 'dns'}])
    assert after.to_dict()['firewall_rules'] == [other]
    # an entry that is no rule at all is refused when the state is read (strict states)
    data['firewall_rules'] = ['not a rule']
    with pytest.raises(StateError, match=r'^firewall_rules\[0\]: must be a mapping, got str$'):
        HostState.from_dict(data)


@pytest.mark.parametrize('function', [apply, inverse])
def test_operations_must_be_a_list(function):
    with pytest.raises(StateError) as err:
        function(base(), {'op': 'create_loopback', 'name': 'x'})
    assert str(err.value) == 'operations: must be a list of operations'


def test_inverse_of_a_set_interface_that_changes_nothing_is_nothing():
    assert inverse(base(), [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'weak_host_send': False}]) == []


def test_inverse_of_changes_to_a_created_loopback_follows_its_new_index():
    ops = [{'op': 'create_loopback', 'name': 'vip'}, {'op': 'set_interface', 'interface': 8, 'family': 'ipv4', 'metric': 5},
           {'op': 'add_address', 'interface': 8, 'family': 'ipv4', 'address': '203.0.113.81', 'prefix_length': 32, 'skip_as_source': True}]
    undo = inverse(base(), ops)
    # the undo of changes to an adapter the plan created names it, so the host finds it whatever its index
    assert undo == [{'op': 'remove_address', 'interface': 8, 'adapter': 'vip', 'family': 'ipv4', 'address': '203.0.113.81'},
                    {'op': 'set_interface', 'interface': 8, 'adapter': 'vip', 'family': 'ipv4', 'automatic_metric': True},
                    {'op': 'remove_loopback', 'interface': 8, 'adapter': 'vip'}]
