# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Addresses in both policy stores, link-local zones, and firewall rules as Windows reports them.

Windows keeps a configured address in the ActiveStore (in force) and in the PersistentStore (what
comes back at the next boot): New-NetIPAddress writes both, Remove-NetIPAddress removes from the
ActiveStore only unless told otherwise. The state lists each copy (``store``, default ``active``);
removing an address removes both, and an undo brings back exactly the copies there were.
"""

from __future__ import annotations

import copy
import os
import sys

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, inverse
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical, canonical_rule, state_hash
from ansible_collections.winnet.routing.plugins.module_utils.ops import validate
from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_addresses, plan_firewall
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from planning_states import base_dict, hosts_and_operations  # noqa: E402  pylint: disable=wrong-import-position

SETTINGS = settings(max_examples=25, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
VIP = {'address': '203.0.113.80', 'prefix_length': 32, 'interface': 7, 'skip_as_source': True}


def persisted(data=None):
    """The base host with its VIP in both stores."""
    data = copy.deepcopy(data or base_dict())
    data['addresses'].append(dict(VIP, store='persistent'))
    return HostState.from_dict(data)


def _copies(state, address):
    return [(a.store, a.prefix_length, a.skip_as_source) for a in state.addresses + state.persistent_addresses if a.address == address]


# ------------------------------------------------------------------------------- the schema
def test_store_defaults_to_active_and_a_persistent_copy_round_trips():
    state = persisted()
    assert [a.address for a in state.persistent_addresses] == ['203.0.113.80']
    assert '203.0.113.80' in [a.address for a in state.addresses]
    data = state.to_dict()
    assert [a.get('store') for a in data['addresses']] == [None, None, None, None, 'persistent']
    assert HostState.from_dict(data) == state


def test_only_addresses_in_force_bring_routes_and_count_as_assigned():
    data = base_dict()
    data['addresses'].append({'address': '203.0.113.90', 'prefix_length': 32, 'interface': 7, 'store': 'persistent'})
    state = HostState.from_dict(data)
    assert '203.0.113.90' not in [a.address for a in state.addresses]
    assert not [r for r in state.routes if r.destination == '203.0.113.90/32']


@pytest.mark.parametrize('extra, message', [
    ({'store': 'both'}, "addresses[4].store: 'both' is not one of active, persistent"),
    ({'store': 'persistent', 'address': '192.0.2.10', 'interface': 3, 'prefix_length': 24, 'duplicate': True},
     'addresses[5].address: 192.0.2.10 is listed twice on interface 3 in the persistent store (also addresses[4])'),
])
def test_bad_stores_are_refused_with_the_path(extra, message):
    data = base_dict()
    item = dict(VIP, **{k: v for k, v in extra.items() if k != 'duplicate'})
    data['addresses'].append(item)
    if extra.get('duplicate'):
        data['addresses'].append(dict(item))
    with pytest.raises(StateError) as caught:
        HostState.from_dict(data)
    assert str(caught.value) == message


# ------------------------------------------------------------------------------- the applier
def test_a_new_address_is_written_to_both_stores_unless_told_otherwise():
    op = {'op': 'add_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.11', 'prefix_length': 24, 'skip_as_source': False}
    after = apply(HostState.from_dict(base_dict()), [op])
    assert _copies(after, '192.0.2.11') == [('active', 24, False), ('persistent', 24, False)]
    after = apply(HostState.from_dict(base_dict()), [dict(op, store='active')])
    assert _copies(after, '192.0.2.11') == [('active', 24, False)]


def test_removing_an_address_leaves_no_persistent_copy_to_come_back():
    after = apply(persisted(), [{'op': 'remove_address', 'interface': 7, 'family': 'ipv4', 'address': '203.0.113.80'}])
    assert _copies(after, '203.0.113.80') == []


def test_skip_as_source_is_set_in_both_stores():
    after = apply(persisted(), [{'op': 'set_address', 'interface': 7, 'family': 'ipv4', 'address': '203.0.113.80', 'skip_as_source': False}])
    assert _copies(after, '203.0.113.80') == [('active', 32, False), ('persistent', 32, False)]


def test_a_removed_loopback_takes_its_persistent_addresses_along():
    after = apply(persisted(), [{'op': 'remove_loopback', 'interface': 7}])
    assert after.persistent_addresses == []


@pytest.mark.parametrize('persistent, store', [(True, None), (False, 'active')])
def test_the_undo_of_a_removal_brings_back_exactly_the_copies_there_were(persistent, store):
    host = persisted() if persistent else HostState.from_dict(base_dict())
    op = {'op': 'remove_address', 'interface': 7, 'family': 'ipv4', 'address': '203.0.113.80'}
    (undo,) = inverse(host, [op])
    assert undo.get('store') == store
    assert canonical(apply(apply(host, [op]), [undo])) == canonical(host)


def test_the_persistent_copy_counts_in_the_plan_base():
    assert state_hash(persisted()) != state_hash(HostState.from_dict(base_dict()))


@SETTINGS
@given(st.data())
def test_property_apply_then_inverse_keeps_both_stores(data):
    host, ops = data.draw(hosts_and_operations())
    if {op['op'] for op in ops} & {'create_loopback', 'remove_loopback'}:
        return      # a re-created adapter has a new index (hoststate.canonical's documented limit)
    host_data = host.to_dict()
    # give every configured address of the random host a persistent copy, as Windows would
    for addr in list(host_data['addresses']):
        if not addr['address'].startswith('fe80'):
            host_data['addresses'].append(dict(addr, store='persistent'))
    host = HostState.from_dict(host_data)
    try:
        after = apply(host, ops)
    except StateError:
        return
    assert canonical(apply(after, inverse(host, ops)))['addresses'] == canonical(host)['addresses']


# ------------------------------------------------------------------------------- restore
def test_restore_says_what_it_cannot_change_about_persistence():
    current = persisted()
    target = HostState.from_dict(base_dict())
    restored = plan_restore(current, target)
    assert restored['operations'] == []
    assert any('203.0.113.80 of interface 7 is in both stores now and in the active store only in the baseline' in limit
               for limit in restored['limits'])


def test_restore_re_adds_an_address_in_the_stores_it_had():
    target = persisted()
    current = apply(target, [{'op': 'remove_address', 'interface': 7, 'family': 'ipv4', 'address': '203.0.113.80'}])
    restored = plan_restore(current, target)
    (add,) = [op for op in restored['operations'] if op['op'] == 'add_address']
    assert 'store' not in add
    assert restored['exact']


# ------------------------------------------------------------------------------- link-local zones
@pytest.mark.parametrize('address', ['fe80::50/64', 'fe80::50%3/64'])
def test_a_link_local_address_is_matched_with_and_without_its_zone(address):
    data = base_dict()
    data['addresses'].append({'address': 'fe80::50', 'prefix_length': 64, 'interface': 3})
    host = HostState.from_dict(data)
    assert plan_addresses(host, 'NIC1', [address]) == []
    assert plan_addresses(host, 'NIC1', [address], state='absent') == [
        {'op': 'remove_address', 'interface': 3, 'family': 'ipv6', 'address': 'fe80::50'}]


def test_the_zone_of_another_interface_is_refused():
    with pytest.raises(ArgumentError, match=r"^addresses\[0\]\.address: 'fe80::50%4/64': zone %4 is not the interface \(3\)"):
        plan_addresses(HostState.from_dict(base_dict()), 'NIC1', ['fe80::50%4/64'])


# ------------------------------------------------------------------------------- firewall rules
# The rule's address is one of the host's (a rule for another address is refused).
RULE = {'name': 'winnet-dsr-vip6-tcp-443', 'local_address': '2001:db8:1::10', 'protocol': 'TCP', 'local_port': '443'}


@pytest.mark.parametrize('reported', ['2001:DB8:1:0:0:0:0:10', '2001:db8:1:0::10', '2001:0db8:1::0010'])
def test_a_rule_windows_reports_in_another_ipv6_spelling_is_not_replaced(reported):
    data = base_dict()
    data['firewall_rules'] = [dict(RULE, local_address=reported, protocol='tcp')]
    assert plan_firewall(HostState.from_dict(data), [RULE]) == []
    assert canonical_rule(data['firewall_rules'][0]) == RULE


def test_a_rule_windows_reports_for_any_address_is_kept_as_written():
    data = base_dict()
    data['firewall_rules'] = [dict(RULE, local_address='Any', protocol='tcp')]
    assert canonical_rule(data['firewall_rules'][0]) == dict(RULE, local_address='Any')
    # a rule for any address is not the rule for the VIP: it is replaced
    assert [op['op'] for op in plan_firewall(HostState.from_dict(data), [RULE])] == ['remove_firewall_rule', 'add_firewall_rule']


def test_a_rule_with_another_address_is_replaced():
    data = base_dict()
    data['firewall_rules'] = [dict(RULE, local_address='2001:db8:1::11')]
    assert [op['op'] for op in plan_firewall(HostState.from_dict(data), [RULE])] == ['remove_firewall_rule', 'add_firewall_rule']


@pytest.mark.parametrize('name', ['*', 'winnet-*', 'rule?', 'rule[1]'])
def test_wildcard_characters_in_rule_names_are_refused(name):
    with pytest.raises(ArgumentError) as caught:
        plan_firewall(HostState.from_dict(base_dict()), [dict(RULE, name=name)], state='absent')
    assert caught.value.argument == 'rules[0].name'
    assert 'Windows reads a rule name with * ? [ ] as a pattern' in str(caught.value)
    with pytest.raises(ArgumentError, match=r'^operations\[0\]\.name: .* holds a wildcard character'):
        validate({'op': 'remove_firewall_rule', 'name': name})


def test_add_address_takes_a_store_of_active_or_both_only():
    op = {'op': 'add_address', 'interface': 3, 'family': 'ipv4', 'address': '192.0.2.11', 'prefix_length': 24, 'skip_as_source': False}
    assert validate(dict(op, store='active'))['store'] == 'active'
    with pytest.raises(ArgumentError, match=r"^operations\[0\]\.store: 'persistent' is not one of active, both for add_address"):
        validate(dict(op, store='persistent'))
