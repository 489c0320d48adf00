# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Automatic rollback (rollback_after): the operations it arms, the action plugin's arm / apply /
reconnect / confirm sequence on a live host (the host mocked), and its simulation on snapshot hosts."""

from __future__ import annotations

import json
import os
import sys
from unittest import mock

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import route
from ansible_collections.winnet.routing.plugins.module_utils.applier import ROLLBACK_UNSUPPORTED, apply, inverse, rollback_for
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical
from ansible_collections.winnet.routing.plugins.module_utils.desired import plan
from ansible_collections.winnet.routing.tests.harness.render import render_bundle

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'unit', 'plugins', 'module_utils'))
from planning_states import base, desired_settings, hosts  # noqa: E402  pylint: disable=wrong-import-position

SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')
SETTINGS = settings(max_examples=examples(50))
ROUTE_ARGS = {'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 'Management', 'metric': 10, 'rollback_after': 300}


# ------------------------------------------------------------------------------ the operations
def without_reborn_protocols(restored, original):
    """canonical(restored) with the protocol of each route the original had as a system route
    (``local``) and that came back as a static one (``netmgmt``) set back to ``local``: Windows
    records a re-added route as static (the applier's documented limit)."""
    local = {(r.destination, r.next_hop, r.interface, r.store) for r in original.routes if r.protocol == 'local'}
    data = canonical(restored)
    for item in data['routes']:
        if item['protocol'] == 'netmgmt' and (item['destination'], item['next_hop'], item['interface'], item['store']) in local:
            item['protocol'] = 'local'
    return data


@SETTINGS
@given(st.data())
def test_property_the_rollback_is_the_inverse_and_every_prefix_has_its_own(data):
    host = data.draw(hosts())
    ops = plan(host, data.draw(desired_settings(host)))
    if any(op['op'] in ROLLBACK_UNSUPPORTED for op in ops):
        with pytest.raises(ArgumentError, match=r'^rollback_after: operations\[\d+\] \(remove_loopback\)'):
            rollback_for(host, ops, 60)
        return
    armed = rollback_for(host, ops, 60)
    assert armed['operations'] == inverse(host, ops)
    assert [entry['applied'] for entry in armed['partial']] == list(range(1, len(ops)))
    for entry in armed['partial']:
        count = entry['applied']
        assert entry['operations'] == inverse(host, ops[:count])
        # a run stopped after `count` operations, then rolled back: the host is as before
        assert without_reborn_protocols(apply(apply(host, ops[:count]), entry['operations']), host) == canonical(host)
    # the rollback never creates an adapter; it removes the ones the plan created, by name
    assert not any(op['op'] == 'create_loopback' for op in armed['operations'])
    created = [op['name'] for op in ops if op['op'] == 'create_loopback']
    assert sorted(op['adapter'] for op in armed['operations'] if op['op'] == 'remove_loopback') == sorted(created)


@pytest.mark.parametrize('after, message', [
    (29, 'rollback_after: 29 is out of range (30 to 86400 seconds)'),
    (86401, 'rollback_after: 86401 is out of range (30 to 86400 seconds)'),
    (True, 'rollback_after: True is out of range (30 to 86400 seconds)'),
])
def test_the_delay_is_bounded(after, message):
    with pytest.raises(ArgumentError) as caught:
        rollback_for(base(), [], after)
    assert str(caught.value) == message


def test_removing_an_adapter_is_refused_because_its_new_index_is_unknown_before_the_change():
    with pytest.raises(ArgumentError, match='interface index Windows has not handed out yet'):
        rollback_for(base(), [{'op': 'remove_loopback', 'interface': 7}], 60)


def test_creating_an_adapter_is_undone_by_removing_it_by_name():
    ops = [{'op': 'create_loopback', 'name': 'vip'},
           {'op': 'add_address', 'interface': 8, 'adapter': 'vip', 'family': 'ipv4', 'address': '203.0.113.9', 'prefix_length': 32,
            'skip_as_source': True}]
    armed = rollback_for(base(), ops, 60)
    assert armed['operations'] == [
        {'op': 'remove_address', 'interface': 8, 'adapter': 'vip', 'family': 'ipv4', 'address': '203.0.113.9'},
        {'op': 'remove_loopback', 'interface': 8, 'adapter': 'vip'}]
    assert armed['partial'] == [{'applied': 1, 'operations': [{'op': 'remove_loopback', 'interface': 8, 'adapter': 'vip'}]}]
    assert canonical(apply(apply(base(), ops), armed['operations'])) == canonical(base())


# ------------------------------------------------------------------------------ the action plugin
def _state():
    with open(SNAPSHOT, encoding='utf-8') as handle:
        return HostState.from_dict(json.load(handle)).to_dict()


def _action(args, tmp_path, check_mode=False):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = False
    task.action = 'winnet.routing.route'
    task.get_name.return_value = 'route with rollback'
    connection = mock.MagicMock()
    loader = DataLoader()
    action = route.ActionModule(task=task, connection=connection, play_context=PlayContext(), loader=loader,
                                templar=Templar(loader=loader), shared_loader_obj=None)
    task_vars = {'inventory_hostname': 'web25-01', 'ansible_host': '10.10.0.20', 'winnet_controller_address': '10.20.0.15',
                 'winnet_state': _state(), 'winnet_baseline_dir': str(tmp_path)}
    return action, connection, task_vars


def _armed(module_args, at='2026-01-01T10:05:00.1234567Z', exit_code=0, language_mode='FullLanguage'):
    """What net_apply reports about a rollback it armed (see Register-WinnetRollback)."""
    rollback = module_args['rollback']
    report = {'name': rollback['name'], 'operations': len(rollback['operations']), 'partial': len(rollback['partial']),
              'language_mode': language_mode, 'at': '2026-01-01T10:00:00.0000000Z'}
    return {'name': rollback['name'], 'task_path': '\\winnet.routing\\', 'at': at, 'task_state': 'Ready', 'language_mode': language_mode,
            'self_test': {'exit_code': exit_code, 'report': report if exit_code == 0 else None}}


def _planned():
    host = HostState.from_dict(_state())
    ops = [{'op': 'add_route', 'family': 'ipv4', 'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 4,
            'route_metric': 10, 'store': 'both'}]
    return host, ops


def test_live_host_arms_applies_reconnects_and_confirms(tmp_path):
    action, connection, task_vars = _action(ROUTE_ARGS, tmp_path)
    host, ops = _planned()
    after = apply(host, ops).to_dict()
    calls = []

    def module(module_name, module_args, task_vars):  # pylint: disable=redefined-outer-name
        calls.append((module_name, module_args))
        if 'rollback' in module_args:
            return {'changed': True, 'applied': [], 'bundle': render_bundle(after), 'rollback': _armed(module_args)}
        return {'changed': True, 'confirmation': {'confirmed': True, 'task_found': True, 'started': None, 'result': None}}

    with mock.patch.object(action, '_execute_module', side_effect=module):
        result = action.run(task_vars=task_vars)
    assert [name for name, _args in calls] == ['winnet.routing.net_apply', 'winnet.routing.net_apply']
    armed = calls[0][1]['rollback']
    assert armed['operations'] == inverse(host, ops) and armed['after'] == 300 and armed['partial'] == []
    assert calls[0][1]['plan']['operations'] == ops
    assert calls[1][1] == {'plan': {'operations': []}, 'rollback_confirm': armed['name']}
    assert armed['name'].startswith('winnet-rollback-') and len(armed['name']) == len('winnet-rollback-') + 32
    connection.reset.assert_called_once_with()
    assert result['rollback']['armed'] and result['rollback']['confirmed']
    assert result['rollback']['task'] == '\\winnet.routing\\' + armed['name']
    assert result['rollback']['at'] == '2026-01-01T10:05:00Z'
    assert result['round_trips'] == 2


def test_live_host_unreachable_after_the_change_restores_itself(tmp_path):
    action, _connection, task_vars = _action(ROUTE_ARGS, tmp_path)
    host, ops = _planned()

    def module(module_name, module_args, task_vars):  # pylint: disable=redefined-outer-name,unused-argument
        if 'rollback' in module_args:
            return {'changed': True, 'applied': [], 'bundle': render_bundle(apply(host, ops).to_dict()), 'rollback': _armed(module_args)}
        raise AnsibleConnectionFailure('timed out')

    with mock.patch.object(action, '_execute_module', side_effect=module):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    message = str(caught.value)
    assert 'cannot reach the host again to confirm it (timed out)' in message
    assert 'the host restores itself at about 2026-01-01T10:05:00Z (UTC) with the scheduled task \\winnet.routing\\winnet-rollback-' in message


def test_a_failed_run_is_not_confirmed(tmp_path):
    action, connection, task_vars = _action(ROUTE_ARGS, tmp_path)
    host, _ops = _planned()
    calls = []

    def module(module_name, module_args, task_vars):  # pylint: disable=redefined-outer-name,unused-argument
        calls.append(module_args)
        return {'failed': True, 'msg': 'Failed to run operations[0] (add_route ...): access denied', 'applied': [],
                'bundle': render_bundle(host.to_dict()), 'rollback': _armed(module_args)}

    with mock.patch.object(action, '_execute_module', side_effect=module):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert len(calls) == 1
    connection.reset.assert_not_called()
    assert 'The change is not confirmed: the rollback task \\winnet.routing\\winnet-rollback-' in str(caught.value)
    assert 'restores the 0 operation(s) applied at 2026-01-01T10:05:00Z' in str(caught.value)


def test_a_confirmation_after_the_task_started_fails_the_task(tmp_path):
    action, _connection, task_vars = _action(ROUTE_ARGS, tmp_path)
    host, ops = _planned()

    def module(module_name, module_args, task_vars):  # pylint: disable=redefined-outer-name,unused-argument
        if 'rollback' in module_args:
            return {'changed': True, 'applied': [], 'bundle': render_bundle(apply(host, ops).to_dict()), 'rollback': _armed(module_args)}
        return {'changed': True, 'confirmation': {'confirmed': False, 'task_found': False, 'started': '2026-01-01T10:05:01Z',
                                                  'result': {'applied': 2}}}

    with mock.patch.object(action, '_execute_module', side_effect=module):
        with pytest.raises(AnsibleActionFail, match='the confirmation came too late'):
            action.run(task_vars=task_vars)


def test_check_mode_lists_the_rollback_and_arms_nothing(tmp_path):
    action, _connection, task_vars = _action(ROUTE_ARGS, tmp_path, check_mode=True)
    host, ops = _planned()
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('check mode contacted the host')):
        result = action.run(task_vars=task_vars)
    assert result['rollback']['operations'] == inverse(host, ops)
    assert not result['rollback']['armed'] and not result['rollback']['confirmed']
    assert result['round_trips'] == 0


def test_snapshot_host_simulates_the_confirmation(tmp_path):
    action, _connection, task_vars = _action(ROUTE_ARGS, tmp_path)
    task_vars.pop('winnet_state')
    task_vars['winnet_snapshot'] = SNAPSHOT
    host, ops = _planned()
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('a snapshot host was contacted')):
        result = action.run(task_vars=task_vars)
    assert result['rollback']['operations'] == inverse(host, ops)
    assert result['rollback']['simulated'] and result['rollback']['armed'] and result['rollback']['confirmed']
    assert result['rollback']['restores_state']
    assert result['round_trips'] == 3       # read the state, apply, confirm


def test_a_plan_that_removes_a_loopback_adapter_is_refused_before_anything(tmp_path):
    task_vars = _action({}, tmp_path)[2]
    task_vars['winnet_state'] = apply(HostState.from_dict(_state()), [{'op': 'create_loopback', 'name': 'vip'}]).to_dict()
    from ansible_collections.winnet.routing.plugins.action import loopback_adapter  # pylint: disable=import-outside-toplevel
    task = mock.MagicMock()
    task.args = {'name': 'vip', 'state': 'absent', 'rollback_after': 60}
    task.async_val = 0
    task.check_mode = False
    task.diff = False
    loader = DataLoader()
    action = loopback_adapter.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                                           templar=Templar(loader=loader), shared_loader_obj=None)
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('contacted')):
        with pytest.raises(AnsibleActionFail, match=r'^rollback_after: operations\[0\] \(remove_loopback\) removes a loopback adapter'):
            action.run(task_vars=task_vars)
    assert not os.listdir(tmp_path)      # no baseline either: nothing was about to change


def test_a_trial_change_is_left_unconfirmed_on_purpose(tmp_path):
    action, connection, task_vars = _action(ROUTE_ARGS, tmp_path)
    task_vars['winnet_rollback_confirm'] = False
    host, ops = _planned()
    calls = []

    def module(module_name, module_args, task_vars):  # pylint: disable=redefined-outer-name,unused-argument
        calls.append(module_args)
        return {'changed': True, 'applied': [], 'bundle': render_bundle(apply(host, ops).to_dict()), 'rollback': _armed(module_args)}

    with mock.patch.object(action, '_execute_module', side_effect=module):
        result = action.run(task_vars=task_vars)
    assert len(calls) == 1 and 'rollback' in calls[0]
    connection.reset.assert_not_called()
    assert result['rollback']['armed'] and not result['rollback']['confirmed']
    assert result['round_trips'] == 1
    assert any('the change is not confirmed' in warning for warning in result['warnings'])


@pytest.mark.parametrize('report, reason', [
    ({'exit_code': 1}, "the task's command line exited with 1 on the host"),
    ({'language_mode': 'ConstrainedLanguage'}, 'the task would run in ConstrainedLanguage mode'),
    ({'task_state': 'Disabled'}, 'the scheduled task is Disabled, not Ready'),
    ({'operations': 0}, 'the rollback data on the host holds 0 operation(s), not 2'),
    ({'at': '01/02/2026 10:05:00'}, "the task has no readable start time ('01/02/2026 10:05:00')"),
])
def test_an_unproven_rollback_is_reported_not_armed(tmp_path, report, reason):
    action, connection, task_vars = _action(ROUTE_ARGS, tmp_path)
    host, ops = _planned()

    def module(module_name, module_args, task_vars):  # pylint: disable=redefined-outer-name,unused-argument
        armed = _armed(module_args, exit_code=report.get('exit_code', 0), language_mode=report.get('language_mode', 'FullLanguage'))
        if 'task_state' in report:
            armed['task_state'] = report['task_state']
        if 'operations' in report:
            armed['self_test']['report']['operations'] = report['operations']
        if 'at' in report:
            armed['at'] = report['at']
        return {'changed': True, 'applied': [{'index': 0, 'operation': ops[0], 'result': None}],
                'bundle': render_bundle(apply(host, ops).to_dict()), 'rollback': armed}

    with mock.patch.object(action, '_execute_module', side_effect=module):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    message = str(caught.value)
    assert 'the plan was applied (1 operation(s)), but the automatic rollback is not armed' in message
    assert reason in message
    assert caught.value.result['rollback']['armed'] is False
    connection.reset.assert_not_called()
