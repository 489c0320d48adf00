# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One desired state, one plan: desired.plan_state (the module desired_state), adapters created in
the plan and named by later operations, make before break, and the roles' desired states
(role_states.py) on the example snapshot hosts."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, inverse, rollback_for
from ansible_collections.winnet.routing.plugins.module_utils.desired import plan_state
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, StateError
from ansible_collections.winnet.routing.plugins.module_utils.guard import evaluate
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical
from ansible_collections.winnet.routing.plugins.module_utils.ops import validate
from ansible_collections.winnet.routing.plugins.module_utils.role_states import dsr_desired, layout_desired

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))


def snapshot(name):
    with open(os.path.join(ROOT, 'examples', 'snapshots', name + '.json'), encoding='utf-8') as handle:
        return HostState.from_dict(json.load(handle))


NEW_SERVER = {
    'loopback_adapters': [{'name': 'dsr-loopback'}],
    'interfaces': [{'interface': 'Data', 'family': 'ipv4', 'weak_host_receive': True},
                   {'interface': 'dsr-loopback', 'family': 'ipv4', 'weak_host_receive': True, 'weak_host_send': True, 'dhcp': False,
                    'register_dns': False, 'metric': 254}],
    'addresses': [{'interface': 'dsr-loopback', 'addresses': [{'address': '198.51.100.200/32', 'skip_as_source': True}]}],
    'firewall_rules': [{'name': 'web', 'local_address': '198.51.100.200', 'protocol': 'tcp', 'local_port': 443}],
}


# ------------------------------------------------------------------ adapters created in the plan
def test_operations_on_an_adapter_the_plan_creates_name_it():
    host = snapshot('web25-01')
    ops = plan_state(host, NEW_SERVER)
    assert ops[0] == {'op': 'create_loopback', 'name': 'dsr-loopback'}
    created = max(i.index for i in host.interfaces) + 1
    on_new = [op for op in ops if op.get('interface') == created]
    assert on_new and all(op['adapter'] == 'dsr-loopback' for op in on_new)
    assert all('adapter' not in op for op in ops if op.get('interface') not in (None, created))
    after = apply(host, ops)
    loopback = after.interface_by_alias('dsr-loopback')
    assert loopback.kind == 'loopback_adapter' and loopback.ipv4.weak_host_send and not loopback.ipv4.dhcp
    assert loopback.ipv4.metric == 254 and not loopback.register_dns
    assert Engine(after).dsr_check('198.51.100.200', 'Data', ['203.0.113.50'])['ready']
    assert plan_state(after, NEW_SERVER) == []


def test_the_host_resolves_the_name_not_the_predicted_index():
    # Windows hands out another index than the applier predicts: the operations still reach the adapter.
    host = snapshot('web25-01')
    ops = plan_state(host, NEW_SERVER)
    predicted = ops[1:]
    # the adapter got index 42 on the host: run the same operations there
    renumbered = apply(host, [ops[0]])
    index = renumbered.interface_by_alias('dsr-loopback').index
    data = renumbered.to_dict()
    for item in data['interfaces']:
        if item['index'] == index:
            item['index'] = 42
    for key in ('addresses', 'routes'):
        for item in data[key]:
            if item['interface'] == index:
                item['interface'] = 42
    after = apply(HostState.from_dict(data), predicted)
    assert after.interface(42).ipv4.weak_host_send and after.interface(42).ipv4.metric == 254
    assert [a.address for a in after.addresses if a.interface == 42] == ['198.51.100.200']


def test_an_operation_naming_an_unknown_adapter_fails_naming_it():
    with pytest.raises(StateError, match=r"^operations\[0\]: no adapter is named 'ghost'"):
        apply(snapshot('web25-01'), [{'op': 'set_dns_registration', 'interface': 9, 'adapter': 'ghost', 'register_dns': False}])


@pytest.mark.parametrize('op, message', [
    ({'op': 'create_loopback', 'name': 'x', 'adapter': 'x'}, 'operations[0].adapter: is not a field of create_loopback'),
    ({'op': 'set_dns_registration', 'interface': 9, 'adapter': '  ', 'register_dns': False}, 'operations[0].adapter: must be a non-empty'),
    ({'op': 'set_dns_registration', 'interface': 9, 'adapter': 7, 'register_dns': False}, 'operations[0].adapter: must be a str'),
])
def test_the_adapter_field_is_checked(op, message):
    with pytest.raises(ArgumentError) as caught:
        validate(op)
    assert str(caught.value).startswith(message)


def test_a_plan_that_creates_an_adapter_has_one_rollback_that_removes_it():
    host = snapshot('web25-01')
    ops = plan_state(host, NEW_SERVER)
    armed = rollback_for(host, ops, 120)
    assert armed['operations'][-1] == {'op': 'remove_loopback', 'interface': ops[2]['interface'], 'adapter': 'dsr-loopback'}
    assert armed['operations'] == inverse(host, ops)
    assert canonical(apply(apply(host, ops), armed['operations'])) == canonical(host)
    for entry in armed['partial']:
        assert canonical(apply(apply(host, ops[:entry['applied']]), entry['operations'])) == canonical(host)


def test_a_renamed_adapter_is_named_by_its_new_name_in_the_same_plan():
    host = snapshot('dsr-nows-01')
    loopback = next(i for i in host.interfaces if i.kind == 'loopback_adapter')
    ops = plan_state(host, {'loopback_adapters': [{'name': 'vip-holder', 'interface': loopback.alias}],
                            'interfaces': [{'interface': 'vip-holder', 'weak_host_send': True}]})
    assert ops == [{'op': 'rename_adapter', 'interface': loopback.index, 'name': 'vip-holder'},
                   {'op': 'set_interface', 'interface': loopback.index, 'family': 'ipv4', 'weak_host_send': True}]


def test_an_adapter_the_plan_creates_is_named_in_any_case():
    # Windows compares connection names without regard to case: the entries may spell the new name otherwise.
    respelled = json.loads(json.dumps(NEW_SERVER).replace('"interface": "dsr-loopback"', '"interface": "DSR-Loopback"'))
    assert respelled != NEW_SERVER
    host = snapshot('web25-01')
    assert plan_state(host, respelled) == plan_state(host, NEW_SERVER)


# --------------------------------------------------------------------------- make before break
def test_a_default_route_moves_to_its_new_next_hop_before_the_old_one_goes():
    host = snapshot('web25-01')
    old = next(r for r in host.routes if r.destination == '0.0.0.0/0' and r.interface == 4)
    desired = {'routes': [{'interface': 4, 'routes': [
        {'destination': '10.20.0.0/16', 'next_hop': '10.10.0.254'},
        {'destination': '0.0.0.0/0', 'next_hop': old.next_hop, 'store': 'active', 'state': 'absent'},
        {'destination': '0.0.0.0/0', 'next_hop': old.next_hop, 'store': 'persistent', 'state': 'absent'}]}]}
    ops = plan_state(host, desired)
    assert [op['op'] for op in ops] == ['add_route', 'remove_route', 'remove_route']
    # on every state on the way, the controller's reply path (10.10.0.20 -> 10.20.0.15) keeps its interface
    state = host
    for op in ops:
        state = apply(state, [op])
        assert not evaluate(host, state, '10.10.0.20', '10.20.0.15')['cut']


# ------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize('desired, message', [
    ({'routes': [{'interface': 4, 'routes': [{'destination': '10.9.0.0/16', 'metric': 10000}]}]},
     'routes[0].routes[0].metric: 10000 is out of range (0 to 9999)'),
    ({'routes': [{'interface': 4, 'routes': []}, {'interface': 'Management', 'routes': []}]},
     'routes[1].interface: the routes of this interface are already declared in routes[0]'),
    ({'routes': [{'routes': []}]}, 'routes[0].interface: required option is missing'),
    ({'firewall_rules': [{'name': 'a', 'local_address': '198.51.100.20', 'protocol': 'TCP', 'local_port': 'http'}]},
     "firewall_rules[0].local_port: must be a port number (1 to 65535), got 'http'"),
    ({'firewall_rules': [{'name': 'a', 'state': 'absent'}, {'name': 'a', 'state': 'absent'}]}, "firewall_rules[1].name: 'a' is also listed"),
    ({'interfaces': [{'interface': 'Data', 'dhcp': 'maybe'}]}, 'interfaces[0].dhcp:'),
    ({'interfaces': [{'interface': 'Data'}, {'interface': 6}]}, 'interfaces[1].interface: interface 6 is already declared in interfaces[0]'),
    ({'addresses': [{'interface': 'nowhere', 'addresses': []}]}, 'addresses[0].interface:'),
    ({'route': []}, 'route: is not an option here'),
    ({'loopback_adapters': [{'name': ['x']}], 'routes': [{'interface': 4, 'routes': []}]}, "loopback_adapters[0].name: must be a non-empty"),
    ({'loopback_adapters': [{'name': 'x'}], 'routes': [{'interface': 'x', 'routes': 5}]}, 'routes[0].routes: must be a list'),
    ({'addresses': ['10.0.0.1/24']}, 'addresses[0]: must be a mapping'),
    ({'interfaces': [{'family': 'ipv4', 'metric': 5}]}, 'interfaces[0].interface: required'),
    ({'loopback_adapters': [{'name': 'x'}], 'routes': ['10.0.0.0/8']}, 'routes[0]: must be a mapping'),
])
def test_errors_name_the_path_of_the_desired_state(desired, message):
    with pytest.raises(ArgumentError) as caught:
        plan_state(snapshot('web25-01'), desired)
    assert str(caught.value).startswith(message)


# ------------------------------------------------------------------------------- the roles
def test_dsr_desired_state_of_a_new_real_server():
    host = snapshot('web25-01')
    built = dsr_desired(host, [{'address': '198.51.100.200', 'ports': [{'port': 443}, {'port': 53, 'protocol': 'udp'}]}], 'Data',
                        ['203.0.113.50'], 'dsr-loopback', True, 254, True)
    ops = plan_state(host, built['desired'])
    assert built['changes'] == len(ops) and ops[0]['op'] == 'create_loopback'
    after = apply(host, ops)
    assert Engine(after).dsr_check('198.51.100.200', 'Data', ['203.0.113.50'])['ready']
    loopback = after.interface_by_alias('dsr-loopback')
    assert loopback.extra['netbios'] == 'disabled' and not any(loopback.extra['bindings'].values())
    assert sorted(r['name'] for r in after.extra['firewall_rules']) == ['winnet-dsr-198.51.100.200-tcp-443', 'winnet-dsr-198.51.100.200-udp-53']
    assert built['checks'] == [{'vip': '198.51.100.200', 'clients': ['203.0.113.50']}]
    assert dsr_desired(after, [{'address': '198.51.100.200', 'ports': [{'port': 443}, {'port': 53, 'protocol': 'udp'}]}], 'Data',
                       ['203.0.113.50'], 'dsr-loopback', True, 254, True)['changes'] == 0


@pytest.mark.parametrize('vips, nic, clients, message', [
    ([{'address': '192.0.2.21'}], 'Ethernet', ['203.0.113.50'],
     'dsr_real_server_vips: Refusing to configure the DSR real server: VIP 192.0.2.21 is assigned to physical interface 6'),
    ([{'address': '2001:db8:100::100'}], 'Ethernet', ['203.0.113.50'],
     'dsr_real_server_clients: has no address of the family of VIP(s) 2001:db8:100::100'),
    ([{'address': '192.0.2.100/32'}], 'Ethernet', ['203.0.113.50'], 'dsr_real_server_vips[0].address: 192.0.2.100/32: give the VIP as a bare'),
    ([], 'Ethernet', ['203.0.113.50'], 'dsr_real_server_vips: must list at least one VIP'),
    ([{'address': '192.0.2.100'}], 'loopback', ['203.0.113.50'], 'dsr_real_server_nic: loopback is not a NIC of the host'),
    ([{'address': '192.0.2.300'}], 'Ethernet', ['203.0.113.50'], 'dsr_real_server_vips[0].address: '),
    ([{'address': '192.0.2.100'}], 'Ethernet', ['203.0.113.50', 'client-a'], 'dsr_real_server_clients[1]: '),
])
def test_dsr_refusals_name_the_variable(vips, nic, clients, message):
    with pytest.raises(ArgumentError) as caught:
        dsr_desired(snapshot('dsr-ok-01'), vips, nic, clients)
    assert str(caught.value).startswith(message)


def test_dsr_a_loopback_adapter_holding_the_vip_under_another_name_is_renamed_not_created():
    host = snapshot('dsr-ok-01')            # its KM-TEST adapter 11 'loopback' holds 192.0.2.100
    built = dsr_desired(host, [{'address': '192.0.2.100'}], 'Ethernet', ['203.0.113.50'], 'dsr-loopback')
    assert built['desired']['loopback_adapters'] == [{'name': 'dsr-loopback', 'interface': 11}]
    ops = plan_state(host, built['desired'])
    assert 'create_loopback' not in [op['op'] for op in ops]
    after = apply(host, ops)
    assert after.interface(11).alias == 'dsr-loopback' and after.interface_by_alias('loopback') is None
    assert [a.address for a in after.addresses if a.interface == 11 and a.family == 4] == ['192.0.2.100']


def _storage_on_dhcp_without_ipv6():
    """hv-storage-01 whose Storage NIC (7) takes its IPv4 settings from DHCP and has no IPv6 interface."""
    with open(os.path.join(ROOT, 'examples', 'snapshots', 'hv-storage-01.json'), encoding='utf-8') as handle:
        data = json.load(handle)
    storage = [i for i in data['interfaces'] if i['index'] == 7][0]
    storage['ipv4']['dhcp'] = True
    del storage['ipv6']
    data['addresses'] = [a for a in data['addresses'] if not (a['interface'] == 7 and ':' in a['address'])]
    data['routes'] = [r for r in data['routes'] if not (r['interface'] == 7 and ':' in r['destination'])]
    return HostState.from_dict(data)


def test_layout_of_a_storage_nic_removes_its_gateway_names_the_one_dhcp_brings_back_and_turns_dns_off():
    host = _storage_on_dhcp_without_ipv6()
    nics = [{'interface': 'Data', 'role': 'data', 'gateway': '10.1.10.1'},
            {'interface': 'Storage', 'role': 'storage', 'addresses': ['172.16.20.31/24'], 'metric': 50}]
    built = layout_desired(host, nics)
    assert built['data'] == 'Data'
    assert built['desired'] == {
        'addresses': [{'interface': 7, 'addresses': [{'address': '172.16.20.31/24'}]}],
        'routes': [{'interface': 5, 'routes': [{'destination': '0.0.0.0/0', 'next_hop': '10.1.10.1'}]},
                   {'interface': 7, 'routes': [{'destination': '0.0.0.0/0', 'next_hop': '172.16.20.1', 'store': store, 'state': 'absent'}
                                               for store in ('active', 'persistent')]}],
        # Data declares nothing of its own; Storage has no IPv6 interface to set
        'interfaces': [{'interface': 7, 'family': 'ipv4', 'metric': 50, 'register_dns': False}]}
    # the gateway is in both stores but DHCP brings back one route, listed once
    assert built['learned_gateways'] == [{'interface': 'Storage', 'role': 'storage', 'destination': '0.0.0.0/0', 'next_hop': '172.16.20.1',
                                          'protocol': 'netmgmt'}]
    ops = plan_state(host, built['desired'])
    assert built['changes'] == len(ops) == 4      # two route removals, the metric and the DNS registration
    after = apply(host, ops)
    assert [r.interface for r in after.routes if r.destination == '0.0.0.0/0'] == [5, 5]
    assert after.interface(7).ipv4.metric == 50 and after.interface(7).register_dns is False
    assert layout_desired(after, nics)['changes'] == 0


def test_layout_keeps_one_default_gateway_and_the_controller_path():
    host = snapshot('web25-01')
    built = layout_desired(host, [{'interface': 'Data', 'role': 'data', 'gateway': '198.51.100.1'},
                                  {'interface': 'Management', 'role': 'management',
                                   'routes': [{'destination': '10.20.0.0/16', 'next_hop': '10.10.0.254'}]}])
    ops = plan_state(host, built['desired'])
    assert built['changes'] == len(ops) == 3 and ops[0]['op'] == 'add_route'
    after = apply(host, ops)
    assert {r.interface for r in after.routes if r.destination == '0.0.0.0/0'} == {6}
    assert not evaluate(host, after, '10.10.0.20', '10.20.0.15')['cut']
    assert layout_desired(after, [{'interface': 'Data', 'role': 'data', 'gateway': '198.51.100.1'},
                                  {'interface': 'Management', 'role': 'management',
                                   'routes': [{'destination': '10.20.0.0/16', 'next_hop': '10.10.0.254'}]}])['changes'] == 0


@pytest.mark.parametrize('nics, message', [
    ([{'interface': 'Data', 'role': 'management'}], 'nic_layout_nics: must declare exactly one NIC with role data'),
    ([{'interface': 'Data', 'role': 'data'}, {'interface': 'Management', 'role': 'management', 'gateway': '10.10.0.254'}],
     'nic_layout_nics: must declare exactly one NIC with role data'),
    ([{'interface': 'Data', 'role': 'data'}, {'interface': 'Data', 'role': 'storage'}], 'nic_layout_nics: must declare exactly one'),
    ([{'interface': 'Data', 'role': 'data'}, {'interface': 'Nowhere', 'role': 'storage'}],
     'nic_layout_nics: names interfaces that the host does not have: Nowhere'),
])
def test_layout_refusals_name_the_variable(nics, message):
    with pytest.raises(ArgumentError) as caught:
        layout_desired(snapshot('web25-01'), nics)
    assert str(caught.value).startswith(message)
