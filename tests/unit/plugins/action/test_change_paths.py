# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The changing modules' action plugin on the paths no other test took (the route module, the
host mocked): diff mode, gathering on a live host, the guard without a controller, net_apply
failures, and the rollback's confirmation answers."""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import route
from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical
from ansible_collections.winnet.routing.tests.harness.render import render_bundle

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')
ROUTE_ARGS = {'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 'Management', 'metric': 10}
OPS = [{'op': 'add_route', 'family': 'ipv4', 'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 4, 'route_metric': 10,
        'store': 'both'}]


def state():
    with open(SNAPSHOT, encoding='utf-8') as handle:
        return HostState.from_dict(json.load(handle)).to_dict()


def _armed(module_args, at='2026-01-01T10:05:00.0000000Z'):
    """What net_apply reports about a rollback it armed: the task ready and its self-test passed."""
    rollback = module_args['rollback']
    report = {'name': rollback['name'], 'operations': len(rollback['operations']), 'partial': len(rollback['partial']),
              'language_mode': 'FullLanguage', 'at': '2026-01-01T10:00:00.0000000Z'}
    return {'name': rollback['name'], 'task_path': '\\winnet.routing\\', 'at': at, 'task_state': 'Ready', 'language_mode': 'FullLanguage',
            'self_test': {'exit_code': 0, 'report': report}}


def action_for(args, task_vars, diff=False, check_mode=False):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = diff
    task.action = 'winnet.routing.route'
    task.get_name.return_value = 'a route'
    loader = DataLoader()
    action = route.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                                templar=Templar(loader=loader), shared_loader_obj=None)
    return action, dict({'inventory_hostname': 'web25-01'}, **task_vars)


def test_diff_mode_shows_the_routes_that_change(tmp_path):
    action, task_vars = action_for(ROUTE_ARGS, {'winnet_state': state(), 'winnet_controller_address': '10.20.0.15',
                                                'ansible_host': '10.10.0.20', 'winnet_baseline_dir': str(tmp_path)}, diff=True, check_mode=True)
    result = action.run(task_vars=task_vars)
    assert result['diff'] == {'before': {'routes': []}, 'after': {'routes': [
        {'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 4, 'metric': 10, 'store': 'active'},
        {'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 4, 'metric': 10, 'store': 'persistent'}]}}
    assert result['changed'] is True and result['round_trips'] == 0


def test_a_live_host_is_gathered_with_the_connection_ports_and_the_guard_learns_the_controller(tmp_path):
    action, task_vars = action_for(ROUTE_ARGS, {'ansible_connection': 'ssh', 'ansible_port': '2222', 'ansible_host': 'web25-01.example.net',
                                                'winnet_baseline_dir': str(tmp_path)}, check_mode=True)
    gathered = {'changed': False, 'bundle': render_bundle(state()), 'connection': {'ssh_connection': '10.20.0.15 50022 10.10.0.20 2222'}}
    with mock.patch.object(action, '_execute_module', return_value=gathered) as execute:
        result = action.run(task_vars=task_vars)
    assert execute.call_args.kwargs == {'module_name': 'winnet.routing.net_info', 'module_args': {'connection_ports': [2222]},
                                        'task_vars': task_vars}
    guard = result['guard']
    assert (guard['controller_address'], guard['host_address'], guard['controller_from']) == (
        '10.20.0.15', '10.10.0.20', 'learned from the connection (SSH_CONNECTION)')
    assert result['ansible_facts']['winnet_connection']['controller_address'] == '10.20.0.15'
    assert result['round_trips'] == 1


def test_a_live_host_whose_controller_cannot_be_learned_is_not_guarded_and_says_why(tmp_path):
    action, task_vars = action_for(ROUTE_ARGS, {'ansible_connection': 'winrm', 'winnet_baseline_dir': str(tmp_path)}, check_mode=True)
    gathered = {'changed': False, 'bundle': render_bundle(state()),
                'connection': {'tcp': [], 'errors': [{'category': 'PermissionDenied', 'message': 'access denied'}]}}
    with mock.patch.object(action, '_execute_module', return_value=gathered):
        result = action.run(task_vars=task_vars)
    assert result['guard'] == {'evaluated': False, 'cut': False, 'reason': (
        "no controller address known (set winnet_controller_address to the controller address the host sees); it could not be learned "
        "from the connection: no established connection on the connection's port (Get-NetTCPConnection: access denied)")}


def test_a_snapshot_host_without_a_controller_is_not_guarded(tmp_path):
    action, task_vars = action_for(ROUTE_ARGS, {'winnet_snapshot': SNAPSHOT, 'winnet_baseline_dir': str(tmp_path)}, check_mode=True)
    result = action.run(task_vars=task_vars)
    assert result['guard'] == {'evaluated': False, 'cut': False,
                               'reason': 'no controller address known (set winnet_controller_address to the controller address the host sees)'}


@pytest.mark.parametrize('gathered, message', [
    ({'failed': True, 'msg': 'access denied'}, 'gathering the state failed: access denied'),
    ({'failed': True}, 'gathering the state failed: no message'),
    ({'changed': False}, 'net_info result from web25-01: no bundle of raw reads in the result'),
])
def test_a_failed_gather_fails_the_task(tmp_path, gathered, message):
    action, task_vars = action_for(ROUTE_ARGS, {'winnet_baseline_dir': str(tmp_path)})
    with mock.patch.object(action, '_execute_module', return_value=gathered):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert str(caught.value) == message


def test_a_snapshot_variable_that_is_not_a_path(tmp_path):
    action, task_vars = action_for(ROUTE_ARGS, {'winnet_snapshot': ['a.json'], 'winnet_baseline_dir': str(tmp_path)})
    with pytest.raises(AnsibleActionFail) as caught:
        action.run(task_vars=task_vars)
    assert str(caught.value) == "winnet_snapshot must be a path to a snapshot file (HostState JSON or an export), got ['a.json']"


def _live(args, tmp_path, **extra):
    return action_for(args, dict({'winnet_state': state(), 'winnet_controller_address': '10.20.0.15', 'ansible_host': '10.10.0.20',
                                  'winnet_baseline_dir': str(tmp_path)}, **extra))


def test_a_failed_net_apply_without_a_rollback_reports_what_was_applied(tmp_path):
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    host = HostState.from_dict(state())
    answer = {'failed': True, 'msg': 'Failed to run operations[1] (add_route ...): access denied', 'applied': [0],
              'failure': {'index': 1}, 'bundle': render_bundle(apply(host, [dict(OPS[0], store='active')]).to_dict())}
    with mock.patch.object(action, '_execute_module', return_value=answer):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert str(caught.value) == 'Failed to run operations[1] (add_route ...): access denied'
    result = caught.value.result
    assert (result['applied'], result['failure'], result['changed'], result['rollback']) == ([0], {'index': 1}, True, None)
    # the fact is the state the host read after the operation that ran (the route in the ActiveStore)
    assert sorted(result['ansible_facts']) == ['winnet_state', 'winnet_state_actual'] and result['ansible_facts']['winnet_state_actual'] is None
    fact, expected = canonical(HostState.from_dict(result['ansible_facts']['winnet_state'])), canonical(apply(host, [dict(OPS[0], store='active')]))
    assert (fact['routes'], fact['addresses']) == (expected['routes'], expected['addresses'])


def test_a_net_apply_failure_without_a_state_sets_no_fact(tmp_path):
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    with mock.patch.object(action, '_execute_module', return_value={'failed': True, 'msg': 'boom'}):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert (str(caught.value), caught.value.result['ansible_facts'], caught.value.result['changed']) == ('boom', {}, False)


def test_a_net_apply_answer_without_a_state_fails(tmp_path):
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    with mock.patch.object(action, '_execute_module', return_value={'changed': True, 'applied': [0]}):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert str(caught.value) == 'net_apply returned no state from web25-01'


def _with_rollback(tmp_path, confirm_answer, **extra):
    action, task_vars = _live(dict(ROUTE_ARGS, rollback_after=300), tmp_path, **extra)
    after = apply(HostState.from_dict(state()), OPS).to_dict()

    def module(module_name, module_args, task_vars):  # pylint: disable=unused-argument
        if 'rollback' in module_args:
            return {'changed': True, 'applied': [0], 'bundle': render_bundle(after), 'rollback': _armed(module_args)}
        return confirm_answer

    return action, task_vars, module


def test_a_failed_confirmation_says_the_host_restores_itself(tmp_path):
    action, task_vars, module = _with_rollback(tmp_path, {'failed': True, 'msg': 'access denied'})
    with mock.patch.object(action, '_execute_module', side_effect=module):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    message = str(caught.value)
    assert message.startswith('web25-01: the change was applied, but confirming it failed: access denied; the host restores itself at '
                              'about 2026-01-01T10:05:00Z (UTC) unless the scheduled task \\winnet.routing\\winnet-rollback-')
    assert caught.value.result['changed'] is True


def test_a_rollback_task_gone_before_the_confirmation_is_a_warning(tmp_path):
    answer = {'changed': True, 'confirmation': {'confirmed': False, 'task_found': False, 'started': None, 'result': None}}
    action, task_vars, module = _with_rollback(tmp_path, answer)
    with mock.patch.object(action, '_execute_module', side_effect=module):
        result = action.run(task_vars=task_vars)
    assert result['rollback']['armed'] is True and result['rollback']['confirmed'] is False
    assert result['warnings'] == ['web25-01: the rollback task %s was no longer on the host when the change was confirmed; nothing will '
                                  'restore the host' % result['rollback']['task']]


@pytest.mark.parametrize('value, confirmed', [('true', True), ('no', False), ('off', False)])
def test_the_confirmation_switch_takes_boolean_words(tmp_path, value, confirmed):
    answer = {'changed': True, 'confirmation': {'confirmed': True, 'task_found': True, 'started': None, 'result': None}}
    action, task_vars, module = _with_rollback(tmp_path, answer, winnet_rollback_confirm=value)
    with mock.patch.object(action, '_execute_module', side_effect=module):
        result = action.run(task_vars=task_vars)
    assert result['rollback']['confirmed'] is confirmed


def test_a_confirmation_switch_that_is_not_a_boolean(tmp_path):
    action, task_vars, module = _with_rollback(tmp_path, {}, winnet_rollback_confirm='maybe')
    with mock.patch.object(action, '_execute_module', side_effect=module):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert str(caught.value) == "winnet_rollback_confirm must be a boolean, got 'maybe'"


def test_a_snapshot_host_trial_is_simulated_unconfirmed(tmp_path):
    action, task_vars = action_for(dict(ROUTE_ARGS, rollback_after=300), {
        'winnet_snapshot': SNAPSHOT, 'winnet_controller_address': '10.20.0.15', 'ansible_host': '10.10.0.20',
        'winnet_baseline_dir': str(tmp_path), 'winnet_rollback_confirm': False})
    result = action.run(task_vars=task_vars)
    assert result['rollback']['simulated'] and result['rollback']['armed'] and not result['rollback']['confirmed']
    assert result['round_trips'] == 2     # read the state, apply; no confirmation
