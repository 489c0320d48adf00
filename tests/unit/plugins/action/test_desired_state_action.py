# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired_state action plugin on a live host (net_apply mocked): one apply for the whole plan,
a created adapter named by the operations on it, one rollback that removes it, and the connection
guard judged on every state on the way."""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import desired_state
from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, inverse
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.tests.harness.render import render_bundle

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))
SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')
NEW_SERVER = {
    'loopback_adapters': [{'name': 'dsr-loopback'}],
    'interfaces': [{'interface': 'Data', 'weak_host_receive': True},
                   {'interface': 'dsr-loopback', 'weak_host_receive': True, 'weak_host_send': True, 'register_dns': False}],
    'addresses': [{'interface': 'dsr-loopback', 'addresses': [{'address': '198.51.100.200/32', 'skip_as_source': True}]}],
    'firewall_rules': [{'name': 'web', 'local_address': '198.51.100.200', 'protocol': 'TCP', 'local_port': 443}],
}


def _host():
    with open(SNAPSHOT, encoding='utf-8') as handle:
        return HostState.from_dict(json.load(handle))


def _action(args, tmp_path, check_mode=False):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = True
    task.action = 'winnet.routing.desired_state'
    task.get_name.return_value = 'desired state'
    connection = mock.MagicMock()
    loader = DataLoader()
    action = desired_state.ActionModule(task=task, connection=connection, play_context=PlayContext(), loader=loader,
                                        templar=Templar(loader=loader), shared_loader_obj=None)
    task_vars = {'inventory_hostname': 'web25-01', 'ansible_host': '10.10.0.20', 'winnet_controller_address': '10.20.0.15',
                 'winnet_state': _host().to_dict(), 'winnet_baseline_dir': str(tmp_path)}
    return action, connection, task_vars


def test_a_new_real_server_is_one_apply_with_one_rollback_that_removes_the_adapter(tmp_path):
    action, _connection, task_vars = _action(dict(NEW_SERVER, rollback_after=120), tmp_path)
    calls = []

    def module(module_name, module_args, task_vars):  # pylint: disable=redefined-outer-name,unused-argument
        calls.append(module_args)
        if 'rollback' in module_args:
            rollback = module_args['rollback']
            # what net_apply reports about the rollback it armed: the task ready, its self-test passed
            report = {'name': rollback['name'], 'operations': len(rollback['operations']), 'partial': len(rollback['partial']),
                      'language_mode': 'FullLanguage', 'at': '2026-01-01T10:00:00.0000000Z'}
            return {'changed': True, 'applied': [], 'bundle': render_bundle(apply(_host(), module_args['plan']['operations']).to_dict()),
                    'rollback': {'name': rollback['name'], 'task_path': '\\winnet.routing\\', 'at': '2026-01-01T10:05:00.0000000Z',
                                 'task_state': 'Ready', 'language_mode': 'FullLanguage', 'self_test': {'exit_code': 0, 'report': report}}}
        return {'changed': True, 'confirmation': {'confirmed': True, 'task_found': True, 'started': None, 'result': None}}

    with mock.patch.object(action, '_execute_module', side_effect=module):
        result = action.run(task_vars=task_vars)
    ops = calls[0]['plan']['operations']
    assert len(calls) == 2 and 'rollback_confirm' in calls[1]          # one apply, one confirmation
    assert result['round_trips'] == 2 and result['ansible_facts']['winnet_round_trips'] == 2
    assert ops[0] == {'op': 'create_loopback', 'name': 'dsr-loopback'}
    assert all(op['adapter'] == 'dsr-loopback' for op in ops if op.get('interface') == ops[2]['interface'])
    rollback = calls[0]['rollback']['operations']
    assert rollback == inverse(_host(), ops) and rollback[-1]['op'] == 'remove_loopback' and rollback[-1]['adapter'] == 'dsr-loopback'
    assert result['rollback']['confirmed'] and os.listdir(os.path.join(str(tmp_path), 'web25-01'))   # one baseline
    assert len(os.listdir(os.path.join(str(tmp_path), 'web25-01'))) == 1
    assert result['diff']['after']['loopback_adapters'] and result['diff']['after']['firewall_rules']


def test_check_mode_shows_the_whole_diff_and_contacts_nothing(tmp_path):
    action, _connection, task_vars = _action(NEW_SERVER, tmp_path, check_mode=True)
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('contacted')):
        result = action.run(task_vars=task_vars)
    assert result['changed'] and result['round_trips'] == 0 and not os.listdir(str(tmp_path))
    after = result['diff']['after']
    assert set(after) >= {'loopback_adapters', 'interfaces', 'addresses', 'firewall_rules'}


def test_a_plan_that_cuts_the_controller_off_on_the_way_is_refused(tmp_path):
    # The management address 10.10.0.20/24 (the controller connects to it) widened to /16: the
    # address is removed, then added again. The end state keeps the path; the state in between does not.
    action, _connection, task_vars = _action({'addresses': [{'interface': 'Management', 'addresses': [{'address': '10.10.0.20/16'}]}]},
                                             tmp_path)
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('contacted')):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    message = str(caught.value)
    assert message.startswith('web25-01: refusing to apply the plan: it would cut the controller off the host on the way, after '
                              'operations[0] (remove_address), on the way: the plan removes 10.10.0.20')
    assert caught.value.result['guard']['cut_at'] == 0 and not os.listdir(str(tmp_path))


def test_with_consent_the_same_plan_is_applied(tmp_path):
    action, _connection, task_vars = _action({'addresses': [{'interface': 'Management', 'addresses': [{'address': '10.10.0.20/16'}]}],
                                              'allow_connection_loss': True}, tmp_path)
    with mock.patch.object(action, '_execute_module',
                           side_effect=lambda module_name, module_args, task_vars: {
                               'changed': True, 'applied': [], 'bundle': render_bundle(apply(_host(), module_args['plan']['operations']).to_dict())}):
        result = action.run(task_vars=task_vars)
    assert [op['op'] for op in result['operations']] == ['remove_address', 'add_address'] and result['round_trips'] == 1


def test_bad_arguments_name_the_path_before_anything(tmp_path):
    action, _connection, task_vars = _action({'routes': [{'interface': 'Management', 'routes': [{'destination': '10.9.0.0/16',
                                                                                                 'metric': 10000}]}]}, tmp_path)
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('contacted')):
        with pytest.raises(AnsibleActionFail, match=r'^routes\[0\]\.routes\[0\]\.metric: 10000 is out of range \(0 to 9999\)'):
            action.run(task_vars=task_vars)
