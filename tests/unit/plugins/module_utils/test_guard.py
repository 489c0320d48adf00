# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection guard's verdicts, each on a host written out by hand.

The host: the controller 10.20.0.15 reaches it at 10.10.0.20 on Management (interface 3), which
has a route to the controller's network 10.20.0.0/16 via 10.10.0.1; the default gateway
192.0.2.1 is on Data (interface 4). Each test changes one thing in the state after the plan and
states the verdict Windows' behaviour implies, path by path.
"""

from __future__ import annotations

import copy
import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.guard import (
    connection_ports,
    evaluate,
    infer_host_address,
    is_ip_address,
    learn_controller,
    reply_path,
)
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState

sys.path.insert(0, os.path.dirname(__file__))
from vectors import host, nic, rt  # noqa: E402  pylint: disable=wrong-import-position

CONTROLLER = '10.20.0.15'
HOST = '10.10.0.20'
FLOW_TRACE = 'Flow: 10.20.0.15 -> 10.10.0.20 arriving on interface 3 (Management).'


def base(mgmt_weak_send=False, controller_route=True, default_route=True, host_address=True):
    """The host as a HostState dictionary (see the module docstring)."""
    mgmt, mgmt_addrs = nic(3, 'Management', m=25, ws=mgmt_weak_send, addrs=[HOST + '/24'] if host_address else ['10.10.0.21/24'])
    data, data_addrs = nic(4, 'Data', m=25, addrs=['192.0.2.20/24'])
    routes = []
    if controller_route:
        routes.append(rt('10.20.0.0/16', '10.10.0.1', 3, 10))
    if default_route:
        routes.append(rt('0.0.0.0/0', '192.0.2.1', 4, 0))
    return host((mgmt, mgmt_addrs), (data, data_addrs), routes=routes)


def state(**kwargs):
    return HostState.from_dict(base(**kwargs))


def without_trace(path):
    return None if path is None else {key: value for key, value in path.items() if key != 'trace'}


def verdict_without_traces(verdict):
    out = dict(verdict)
    out['before'] = without_trace(out['before'])
    out['after'] = without_trace(out['after'])
    return out


OK_PATH = {'local': True, 'interface': 3, 'next_hop': '10.10.0.1', 'disposition': 'ok'}


# ------------------------------------------------------------------------------ reply_path


def test_reply_path_of_an_address_of_the_host_is_the_reply_of_a_flow_arriving_where_it_lives():
    path = reply_path(state(), HOST, CONTROLLER)
    assert without_trace(path) == OK_PATH
    assert path['trace'][0] == FLOW_TRACE
    assert 'Receive: accept (the destination is assigned to the arrival interface 3).' in path['trace']


def test_reply_path_that_finds_no_route_has_no_interface_and_no_next_hop():
    path = reply_path(state(controller_route=False), HOST, CONTROLLER)
    # strong host send: the reply from 10.10.0.20 may only leave Management, which has no route to 10.20.0.15
    assert without_trace(path) == {'local': True, 'interface': None, 'next_hop': None, 'disposition': 'reply_no_route'}
    assert path['trace'][0] == FLOW_TRACE


def test_reply_path_of_an_asymmetric_reply_keeps_its_interface():
    path = reply_path(state(mgmt_weak_send=True, controller_route=False), HOST, CONTROLLER)
    assert without_trace(path) == {'local': True, 'interface': 4, 'next_hop': '192.0.2.1', 'disposition': 'asymmetric'}


def test_reply_path_of_an_address_that_is_not_on_the_host_is_a_plain_lookup():
    # a NAT address: the host never holds 198.51.100.7, so the reply is whatever the route to the controller is
    path = reply_path(state(), '198.51.100.7', CONTROLLER)
    assert without_trace(path) == {'local': False, 'interface': 3, 'next_hop': '10.10.0.1', 'disposition': 'route'}
    assert path['trace'][0] == 'Destination: 10.20.0.15 (ipv4). Source: unspecified. No interface constraint.'
    lost = reply_path(state(controller_route=False, default_route=False), '198.51.100.7', CONTROLLER)
    assert without_trace(lost) == {'local': False, 'interface': None, 'next_hop': None, 'disposition': 'no_route'}


def test_reply_path_to_a_controller_on_the_host_itself_is_local():
    path = reply_path(state(), '198.51.100.7', '192.0.2.20')
    assert without_trace(path) == {'local': False, 'interface': 4, 'next_hop': None, 'disposition': 'local'}


def test_reply_path_uses_the_lowest_interface_holding_the_address():
    # 10.10.0.20 is assigned on Management (3) and on Backup (7); the flow is taken to arrive on 3.
    data = base()
    backup, backup_addrs = nic(7, 'Backup', m=5, addrs=[HOST + '/24'])
    data['interfaces'].append(backup)
    data['addresses'].extend(backup_addrs)
    data['routes'].append(rt('10.20.0.0/16', '10.10.0.1', 7, 0))
    path = reply_path(HostState.from_dict(data), HOST, CONTROLLER)
    # the source is held by 3 and 7: the reply may leave by either, and 7's route wins (0 + 5 < 10 + 25)
    assert without_trace(path) == {'local': True, 'interface': 7, 'next_hop': '10.10.0.1', 'disposition': 'asymmetric'}
    assert path['trace'][0] == FLOW_TRACE


def test_reply_path_in_ipv6():
    mgmt, addrs = nic(3, 'Management', m=25, addrs=['10.10.0.20/24', '2001:db8:10::20/64'], v6=25)
    data = host((mgmt, addrs), routes=[rt('2001:db8:20::/48', '2001:db8:10::1', 3, 10)])
    path = reply_path(HostState.from_dict(data), '2001:db8:10::20', '2001:db8:20::15')
    assert without_trace(path) == {'local': True, 'interface': 3, 'next_hop': '2001:db8:10::1', 'disposition': 'ok'}


@pytest.mark.parametrize('host_address, controller, argument, message', [
    ('web25-01.example.net', CONTROLLER, 'host_address', "'web25-01.example.net' is not an IP address"),
    (HOST, '10.20.0', 'controller_address', "'10.20.0' is not an IP address"),
    (HOST, None, 'controller_address', 'None is not an IP address (expected a string)'),
    (HOST, '2001:db8::15', 'controller_address', '2001:db8::15 and the host address 10.10.0.20 are of different address families'),
])
def test_reply_path_refuses_what_is_not_an_address(host_address, controller, argument, message):
    with pytest.raises(ArgumentError) as err:
        reply_path(state(), host_address, controller)
    assert (err.value.argument, err.value.reason) == (argument, message)


# ------------------------------------------------------------------------------ verdicts


def test_a_plan_that_keeps_the_path_is_not_a_cut():
    before = state()
    after = state()
    after_dict = base()
    after_dict['routes'].append(rt('198.51.100.0/24', '192.0.2.1', 4, 10))
    verdict = evaluate(before, HostState.from_dict(after_dict), HOST, CONTROLLER)
    assert verdict_without_traces(verdict) == {
        'evaluated': True, 'cut': False, 'reason': None, 'host_address': HOST, 'controller_address': CONTROLLER,
        'before': OK_PATH, 'after': OK_PATH}
    assert verdict['before']['trace'][0] == FLOW_TRACE and verdict['after']['trace'][0] == FLOW_TRACE
    assert evaluate(before, after, HOST, CONTROLLER)['cut'] is False


def test_removing_the_address_the_controller_connects_to_is_a_cut():
    verdict = evaluate(state(), state(host_address=False), HOST, CONTROLLER)
    assert verdict_without_traces(verdict) == {
        'evaluated': True, 'cut': True, 'reason': 'the plan removes 10.10.0.20, the address the controller connects to',
        'host_address': HOST, 'controller_address': CONTROLLER, 'before': OK_PATH,
        # the route to the controller is still there: only the address is gone
        'after': {'local': False, 'interface': 3, 'next_hop': '10.10.0.1', 'disposition': 'route'}}


def test_a_reply_moved_to_another_interface_is_a_cut():
    after = state(mgmt_weak_send=True, controller_route=False)
    verdict = evaluate(state(), after, HOST, CONTROLLER)
    assert verdict_without_traces(verdict) == {
        'evaluated': True, 'cut': True,
        'reason': 'after the plan the reply from 10.10.0.20 to the controller 10.20.0.15 leaves by interface 4 via 192.0.2.1 instead of '
                  'interface 3 via 10.10.0.1',
        'host_address': HOST, 'controller_address': CONTROLLER, 'before': OK_PATH,
        'after': {'local': True, 'interface': 4, 'next_hop': '192.0.2.1', 'disposition': 'asymmetric'}}


def test_a_reply_that_finds_no_route_afterwards_is_a_cut():
    verdict = evaluate(state(), state(controller_route=False), HOST, CONTROLLER)
    assert verdict_without_traces(verdict) == {
        'evaluated': True, 'cut': True,
        'reason': 'after the plan the reply from 10.10.0.20 to the controller 10.20.0.15 finds no route (reply_no_route)',
        'host_address': HOST, 'controller_address': CONTROLLER, 'before': OK_PATH,
        'after': {'local': True, 'interface': None, 'next_hop': None, 'disposition': 'reply_no_route'}}
    # the trace of the path after the plan says why (the guard's refusal quotes it)
    assert any('reply' in line.lower() or 'route' in line.lower() for line in verdict['after']['trace'][1:])


@pytest.mark.parametrize('after', [
    {'controller_route': False},                                         # still broken
    {'mgmt_weak_send': True, 'controller_route': False},                 # repaired through Data
    {},                                                                  # repaired as it should be
    {'controller_route': False, 'default_route': False, 'host_address': False},
], ids=['still-broken', 'repaired-asymmetric', 'repaired', 'address-removed'])
def test_a_path_that_was_already_broken_is_never_refused(after):
    verdict = evaluate(state(controller_route=False), state(**after), HOST, CONTROLLER)
    assert (verdict['evaluated'], verdict['cut'], verdict['reason']) == (True, False, None)
    assert without_trace(verdict['before']) == {'local': True, 'interface': None, 'next_hop': None, 'disposition': 'reply_no_route'}


def test_an_asymmetric_reply_is_a_working_path():
    before = state(mgmt_weak_send=True, controller_route=False)
    asym = {'local': True, 'interface': 4, 'next_hop': '192.0.2.1', 'disposition': 'asymmetric'}
    kept = evaluate(before, state(mgmt_weak_send=True, controller_route=False), HOST, CONTROLLER)
    assert (kept['cut'], without_trace(kept['before']), without_trace(kept['after'])) == (False, asym, asym)
    # losing the default route leaves that reply with no route: a cut, although the path was asymmetric
    lost = evaluate(before, state(mgmt_weak_send=True, controller_route=False, default_route=False), HOST, CONTROLLER)
    assert (lost['cut'], lost['reason']) == (
        True, 'after the plan the reply from 10.10.0.20 to the controller 10.20.0.15 finds no route (reply_no_route)')
    # moving it back to the arrival interface is a change of interface too
    back = evaluate(before, state(mgmt_weak_send=True), HOST, CONTROLLER)
    assert (back['cut'], back['reason']) == (
        True, 'after the plan the reply from 10.10.0.20 to the controller 10.20.0.15 leaves by interface 3 via 10.10.0.1 instead of '
              'interface 4 via 192.0.2.1')


def test_a_host_address_that_is_not_on_the_host_is_judged_by_the_route_to_the_controller():
    nat = '198.51.100.7'
    kept = evaluate(state(), state(), nat, CONTROLLER)
    assert (kept['cut'], kept['reason']) == (False, None)
    moved = evaluate(state(), state(controller_route=False), nat, CONTROLLER)
    assert verdict_without_traces(moved) == {
        'evaluated': True, 'cut': True,
        'reason': 'after the plan the reply from 198.51.100.7 to the controller 10.20.0.15 leaves by interface 4 via 192.0.2.1 instead of '
                  'interface 3 via 10.10.0.1',
        'host_address': nat, 'controller_address': CONTROLLER,
        'before': {'local': False, 'interface': 3, 'next_hop': '10.10.0.1', 'disposition': 'route'},
        'after': {'local': False, 'interface': 4, 'next_hop': '192.0.2.1', 'disposition': 'route'}}
    lost = evaluate(state(), state(controller_route=False, default_route=False), nat, CONTROLLER)
    assert (lost['cut'], lost['reason']) == (
        True, 'after the plan the reply from 198.51.100.7 to the controller 10.20.0.15 finds no route (no_route)')
    # an address the host never held cannot be "removed"
    assert evaluate(state(), state(host_address=False), nat, CONTROLLER)['cut'] is False


def test_an_unknown_host_address_is_the_source_the_host_would_answer_from():
    assert infer_host_address(state(), CONTROLLER) == HOST
    assert infer_host_address(state(controller_route=False), CONTROLLER) == '192.0.2.20'
    assert infer_host_address(state(controller_route=False, default_route=False), CONTROLLER) is None
    verdict = evaluate(state(), state(controller_route=False), None, CONTROLLER)
    assert (verdict['host_address'], verdict['cut']) == (HOST, True)
    assert verdict['reason'] == 'after the plan the reply from 10.10.0.20 to the controller 10.20.0.15 finds no route (reply_no_route)'


def test_no_route_to_the_controller_today_leaves_nothing_to_protect():
    verdict = evaluate(state(controller_route=False, default_route=False), state(), None, CONTROLLER)
    assert verdict == {'evaluated': False, 'cut': False, 'before': None, 'after': None, 'host_address': None,
                       'reason': 'the host has no route to the controller 10.20.0.15 today; there is no path to protect'}


@pytest.mark.parametrize('which', ['before', 'after'])
def test_a_state_that_cannot_be_evaluated_counts_as_a_cut(which):
    # a state read from an export without the interfaces' settings: strong or weak host is unknown
    partial = base()
    partial['partial'] = ['interfaces.settings']
    states = {'before': state(), 'after': state()}
    states[which] = HostState.from_dict(partial)
    verdict = evaluate(states['before'], states['after'], HOST, CONTROLLER)
    assert verdict == {
        'evaluated': False, 'cut': True, 'before': None, 'after': None, 'host_address': HOST,
        'reason': 'the reply path to the controller cannot be evaluated on this state: state: flow_check needs data this state does not '
                  'carry (partial: interfaces.settings); gather the host with winnet.routing.net_info, or add Get-NetIPInterface and '
                  'Get-NetAdapter output to the export'}


@pytest.mark.parametrize('host_address, controller, argument', [
    ('10.10.0.300', CONTROLLER, 'host_address'),
    (HOST, 'controller.example.net', 'controller_address'),
    (None, 'controller.example.net', 'controller_address'),
    ('2001:db8::20', CONTROLLER, 'controller_address'),
])
def test_addresses_that_are_not_ip_addresses_are_errors_not_verdicts(host_address, controller, argument):
    with pytest.raises(ArgumentError) as err:
        evaluate(state(), state(), host_address, controller)
    assert err.value.argument == argument


def test_the_states_are_not_changed_by_the_evaluation():
    before, after = state(), state(controller_route=False)
    copies = copy.deepcopy((before.to_dict(), after.to_dict()))
    evaluate(before, after, HOST, CONTROLLER)
    assert (before.to_dict(), after.to_dict()) == copies


@pytest.mark.parametrize('value, expected', [
    ('10.10.0.20', True), ('2001:db8::1', True), ('fe80::1%3', True), ('web25-01.example.net', False), ('10.10.0', False),
    ('', False), (None, False), (167772180, False), (['10.10.0.20'], False),
])
def test_is_ip_address(value, expected):
    assert is_ip_address(value) is expected


# ------------------------------------------------------------------------------ learned from the connection


def _tcp(remote, local='10.10.0.20'):
    return {'local_address': local, 'local_port': 5986, 'remote_address': remote, 'remote_port': 50122}


@pytest.mark.parametrize('connection, expected', [
    ({'ssh': {'client_address': '2001:db8:20::15', 'server_address': '2001:db8:10::20'}, 'tcp': [_tcp('10.20.0.99')]},
     {'controller_address': '2001:db8:20::15', 'host_address': '2001:db8:10::20', 'source': 'SSH_CONNECTION',
      'candidates': ['2001:db8:20::15'], 'reason': None}),
    # an SSH report that is not a mapping is ignored, not trusted
    ({'ssh': '10.20.0.15 50122 10.10.0.20 22', 'tcp': [_tcp('10.20.0.16')]},
     {'controller_address': '10.20.0.16', 'host_address': '10.10.0.20', 'source': 'established connections',
      'candidates': ['10.20.0.16'], 'reason': None}),
    # a session from the host itself (SSH from ::1) says nothing about the controller
    ({'ssh': {'client_address': '::1', 'server_address': '::1'}, 'tcp': [_tcp('10.20.0.15')]},
     {'controller_address': '10.20.0.15', 'host_address': '10.10.0.20', 'source': 'established connections',
      'candidates': ['10.20.0.15'], 'reason': None}),
    ({'ssh': None, 'tcp': [_tcp('2001:db8:20::15', '2001:db8:10::20'), _tcp('::1', '::1')]},
     {'controller_address': '2001:db8:20::15', 'host_address': '2001:db8:10::20', 'source': 'established connections',
      'candidates': ['2001:db8:20::15'], 'reason': None}),
    ({'ssh': None, 'tcp': [_tcp('::ffff:8.8.4.4', '::ffff:1.2.3.4')]},
     {'controller_address': '8.8.4.4', 'host_address': '1.2.3.4', 'source': 'established connections',
      'candidates': ['8.8.4.4'], 'reason': None}),
    # one controller connected to two of the host's addresses: which one it uses for this task is unknown
    ({'ssh': None, 'tcp': [_tcp('10.20.0.15', '10.10.0.20'), _tcp('10.20.0.15', '192.0.2.20')]},
     {'controller_address': '10.20.0.15', 'host_address': None, 'source': 'established connections',
      'candidates': ['10.20.0.15'], 'reason': None}),
    ({'ssh': None, 'tcp': [_tcp('10.20.0.16'), _tcp('10.20.0.15'), 'garbage', {'remote_address': 'controller'}]},
     {'controller_address': None, 'host_address': None, 'source': 'established connections', 'candidates': ['10.20.0.15', '10.20.0.16'],
      'reason': "connections from several addresses (10.20.0.15, 10.20.0.16) on the connection's port: which one is this controller "
                "cannot be told"}),
    ('not a mapping',
     {'controller_address': None, 'host_address': None, 'source': 'established connections', 'candidates': [],
      'reason': "no established connection on the connection's port"}),
])
def test_learn_controller_whole_result(connection, expected):
    assert learn_controller(connection) == expected


@pytest.mark.parametrize('connection, port, expected', [
    ('ansible.builtin.ssh', None, [22]),
    ('ansible.builtin.paramiko_ssh', None, [22]),
    ('paramiko_ssh', None, [22]),
    ('ansible.builtin.psrp', None, [5985, 5986]),
    ('sshx', None, [5985, 5986]),
    (None, None, [5985, 5986]),
    ('ssh', 2222, [2222]),
    ('ssh', True, [22]),
    ('winrm', 'https', [5985, 5986]),
])
def test_connection_ports_by_plugin_name(connection, port, expected):
    assert connection_ports(connection, port) == expected
