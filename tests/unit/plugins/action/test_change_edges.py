# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A changing module's edges (the route action plugin, the host mocked): the predicted state of a
snapshot host is never written over the snapshot it was read from, and a connection lost while
the plan runs with a rollback armed says when the host restores itself."""

from __future__ import annotations

import json
import os
import shutil
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure
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


def _action(args, task_vars):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = False
    task.diff = False
    task.action = 'winnet.routing.route'
    task.get_name.return_value = 'a route'
    loader = DataLoader()
    action = route.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                                templar=Templar(loader=loader), shared_loader_obj=None)
    return action, dict({'inventory_hostname': 'web25-01', 'winnet_controller_address': '10.20.0.15', 'ansible_host': '10.10.0.20'},
                        **task_vars)


@pytest.fixture
def snapshot(tmp_path):
    """A copy of an example snapshot in an inventory directory of its own."""
    inventory = tmp_path / 'inventory'
    inventory.mkdir()
    path = inventory / 'web25-01.json'
    shutil.copyfile(SNAPSHOT, path)
    return path


def _run_on_snapshot(snapshot, out, tmp_path):
    action, task_vars = _action(ROUTE_ARGS, {'winnet_snapshot': 'web25-01.json', 'inventory_dir': str(snapshot.parent),
                                             'winnet_snapshot_out': out, 'winnet_baseline_dir': str(tmp_path / 'baselines')})
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('a snapshot host was contacted')):
        return action.run(task_vars=task_vars)


@pytest.mark.parametrize('out', ['web25-01.json', './web25-01.json', '../inventory/web25-01.json', 'link.json'])
def test_the_snapshot_read_is_updated_in_place(snapshot, tmp_path, out):
    os.symlink(snapshot, snapshot.parent / 'link.json')
    result = _run_on_snapshot(snapshot, out, tmp_path)
    assert result['changed']
    assert json.loads(snapshot.read_text(encoding='utf-8')) == result['state']
    assert os.path.islink(snapshot.parent / 'link.json')
    assert sorted(os.listdir(snapshot.parent)) == ['link.json', 'web25-01.json']       # no temporary file left
    again = _run_on_snapshot(snapshot, out, tmp_path)
    assert not again['changed'], 'the next run starts from the updated snapshot'


def test_the_predicted_state_goes_to_snapshot_out(snapshot, tmp_path):
    before = snapshot.read_bytes()
    result = _run_on_snapshot(snapshot, 'out/web25-01.json', tmp_path)
    written = snapshot.parent / 'out' / 'web25-01.json'
    assert result['snapshot_out'] == str(written)
    assert json.loads(written.read_text(encoding='utf-8')) == result['state']
    assert sorted(os.listdir(written.parent)) == ['web25-01.json']          # no temporary file left
    assert snapshot.read_bytes() == before
    routes = {(r['destination'], r['next_hop'], r['store']) for r in result['state']['routes']}
    assert {('10.99.0.0/16', '10.10.0.254', 'active'), ('10.99.0.0/16', '10.10.0.254', 'persistent')} <= routes


def test_nothing_to_do_writes_nothing(snapshot, tmp_path):
    result = _run_on_snapshot(snapshot, 'out/web25-01.json', tmp_path)
    snapshot_out = snapshot.parent / 'out' / 'web25-01.json'
    os.remove(snapshot_out)
    # the same task again, on the state it produced: no change, no file
    action, task_vars = _action(ROUTE_ARGS, {'winnet_snapshot': 'web25-01.json', 'inventory_dir': str(snapshot.parent),
                                             'winnet_snapshot_out': 'out/web25-01.json', 'winnet_state': result['state'],
                                             'winnet_baseline_dir': str(tmp_path / 'baselines')})
    again = action.run(task_vars=task_vars)
    assert again['changed'] is False and 'snapshot_out' not in again
    assert not snapshot_out.exists()


def _live(args, tmp_path):
    with open(SNAPSHOT, encoding='utf-8') as handle:
        state = HostState.from_dict(json.load(handle)).to_dict()
    return _action(args, {'winnet_state': state, 'winnet_baseline_dir': str(tmp_path)})


def test_a_connection_lost_while_applying_with_a_rollback_armed(tmp_path):
    action, task_vars = _live(dict(ROUTE_ARGS, rollback_after=300), tmp_path)
    with mock.patch.object(action, '_execute_module', side_effect=AnsibleConnectionFailure('timed out')) as execute:
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert execute.call_count == 1
    message = str(caught.value)
    assert message.startswith('web25-01: the connection was lost while applying the plan (timed out). If the rollback task '
                              '\\winnet.routing\\winnet-rollback-')
    assert message.endswith(' was armed, the host restores itself at about %s (UTC).' % caught.value.result['rollback']['at'])
    result = caught.value.result
    assert result['changed'] is True
    assert result['rollback']['armed'] is False and result['rollback']['after'] == 300
    assert [op['op'] for op in result['operations']] == ['add_route']
    # the baseline was saved before anything was sent
    assert len(os.listdir(tmp_path / 'web25-01')) == 1


def test_a_connection_lost_without_a_rollback_is_the_connection_error(tmp_path):
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    with mock.patch.object(action, '_execute_module', side_effect=AnsibleConnectionFailure('timed out')):
        with pytest.raises(AnsibleConnectionFailure, match='timed out'):
            action.run(task_vars=task_vars)


def test_a_live_run_returns_the_state_gathered_after_it(tmp_path):
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    host = HostState.from_dict(task_vars['winnet_state'])
    ops = [{'op': 'add_route', 'family': 'ipv4', 'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 4, 'route_metric': 10,
            'store': 'both'}]
    after = apply(host, ops)
    answer = {'changed': True, 'applied': [0], 'bundle': render_bundle(after.to_dict())}
    with mock.patch.object(action, '_execute_module', return_value=answer) as execute:
        result = action.run(task_vars=task_vars)
    assert execute.call_args.kwargs['module_name'] == 'winnet.routing.net_apply'
    assert execute.call_args.kwargs['module_args']['plan']['operations'] == ops
    # the state is the one the host read after the operations (its bundle, normalised), kept as the fact
    assert (result['ansible_facts']['winnet_state'], result['applied']) == (result['state'], [0])
    gathered = canonical(HostState.from_dict(result['state']))
    assert (gathered['routes'], gathered['addresses']) == (canonical(after)['routes'], canonical(after)['addresses'])
    assert result['round_trips'] == 1 and result['reboot_required'] is False


def test_a_connection_dropped_by_the_transport_without_a_rollback_says_nothing_restores_the_host(tmp_path):
    # pywinrm raises the requests ConnectionError, an OSError, when the host closes the connection
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    with mock.patch.object(action, '_execute_module', side_effect=ConnectionResetError(104, 'Connection reset by peer')):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert str(caught.value) == ('web25-01: the connection was lost while applying the plan ([Errno 104] Connection reset by peer). No '
                                 'automatic rollback was armed: gather the host to see which operations ran')
    assert caught.value.result['changed'] is True
    assert [op['op'] for op in caught.value.result['operations']] == ['add_route']


def test_a_failed_apply_whose_state_cannot_be_read_reports_what_ran(tmp_path):
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    applied = [{'op': 'add_route', 'family': 'ipv4', 'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 4,
                'route_metric': 10, 'store': 'persistent'}]
    answer = {'failed': True, 'msg': 'operations[1]: New-NetRoute: Access is denied', 'applied': applied,
              'bundle': {'schema': 'winnet.routing/bundle-v1', 'reads': []}}
    with mock.patch.object(action, '_execute_module', return_value=answer):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert str(caught.value) == ('operations[1]: New-NetRoute: Access is denied. net_apply result from web25-01: reads: must be a mapping of '
                                 'read name to objects, got list; 1 operation(s) were applied: %s' % applied)
    assert caught.value.result['applied'] == applied and caught.value.result['changed'] is True


def test_a_controller_address_that_is_not_an_address_stops_the_guard_naming_the_variable(tmp_path):
    action, task_vars = _live(ROUTE_ARGS, tmp_path)
    task_vars['winnet_controller_address'] = 'controller.example'
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('nothing may be sent')):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    message = str(caught.value)
    assert message.startswith('connection guard: ') and 'controller.example' in message
    assert message.endswith("(ansible_host '10.10.0.20', winnet_controller_address 'controller.example')")
