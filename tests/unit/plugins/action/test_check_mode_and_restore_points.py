# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The changing modules' action plugin across tasks: a check-mode prediction never becomes the state
a real task plans on (live host mocked, snapshot host), restore points (the first baseline of a
run), and a snapshot updated in place."""

from __future__ import annotations

import json
import os
import stat
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import restore, route
from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.bundle import state_from_bundle
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical, state_hash
from ansible_collections.winnet.routing.plugins.plugin_utils._baseline import current_run, newest_restore_point, save_baseline
from ansible_collections.winnet.routing.tests.harness.render import render_bundle

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')
ROUTE = {'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 'Management', 'metric': 10}
OTHER_ROUTE = {'destination': '10.98.0.0/16', 'next_hop': '10.10.0.254', 'interface': 'Management', 'metric': 10}


def _state():
    with open(SNAPSHOT, encoding='utf-8') as handle:
        return HostState.from_dict(json.load(handle)).to_dict()


def _action(plugin, args, check_mode=False, name='a task'):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = False
    task.action = 'winnet.routing.' + plugin.__name__.rpartition('.')[2]
    task.get_name.return_value = name
    loader = DataLoader()
    return plugin.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                               templar=Templar(loader=loader), shared_loader_obj=None)


class Play:
    """The variables of one host through a play: each task's facts are kept, as Ansible does."""

    def __init__(self, tmp_path, **variables):
        self.vars = dict({'inventory_hostname': 'web25-01', 'winnet_baseline_dir': str(tmp_path / 'baselines')}, **variables)

    def run(self, plugin, args, check_mode=False, live=None, name='a task'):
        action = _action(plugin, args, check_mode, name)
        task_vars = dict(self.vars)
        if live is None:
            result = action.run(task_vars=task_vars)
        else:
            with mock.patch.object(action, '_execute_module', side_effect=live):
                result = action.run(task_vars=task_vars)
        self.vars.update(result.get('ansible_facts') or {})
        return result


class LiveHost:
    """A mocked Windows host: net_info returns its raw reads, net_apply runs the plan on it (with the
    applier, checking the plan's base as the module does)."""

    def __init__(self, state):
        # the host as the controller reads it (its raw reads, normalised)
        self.state = HostState.from_dict(state_from_bundle(render_bundle(state)))
        self.calls = []

    def __call__(self, module_name, module_args, task_vars):  # pylint: disable=unused-argument
        self.calls.append(module_name)
        if module_name == 'winnet.routing.net_info':
            return {'changed': False, 'bundle': render_bundle(self.state.to_dict())}
        plan = module_args['plan']
        if plan.get('base') is not None and plan['base'] != state_hash(self.state):
            return {'failed': True, 'msg': 'plan.base: the host has changed since the plan was made', 'applied': [],
                    'bundle': render_bundle(self.state.to_dict())}
        self.state = apply(self.state, plan['operations'])
        return {'changed': bool(plan['operations']), 'applied': plan['operations'], 'bundle': render_bundle(self.state.to_dict())}


# ------------------------------------------------------------------------------ check mode
def test_snapshot_host_a_checked_task_then_the_same_task_for_real_makes_the_change(tmp_path):
    play = Play(tmp_path, winnet_snapshot=SNAPSHOT)
    checked = play.run(route, ROUTE, check_mode=True)
    assert checked['changed'] and play.vars['winnet_state_actual'] == _state()
    real = play.run(route, ROUTE)
    assert real['changed'], 'the real run planned on the prediction'
    assert real['operations'] == checked['operations'] and real['state'] == checked['state']
    assert play.vars['winnet_state'] == real['state'] and play.vars['winnet_state_actual'] is None
    assert os.path.exists(real['baseline'])
    again = play.run(route, ROUTE)
    assert not again['changed']


def test_live_host_a_checked_task_then_the_same_task_for_real_makes_the_change(tmp_path):
    host = LiveHost(_state())
    play = Play(tmp_path)
    checked = play.run(route, ROUTE, check_mode=True, live=host)
    assert checked['changed'] and host.calls == ['winnet.routing.net_info']
    real = play.run(route, ROUTE, live=host)
    assert real['changed'] and host.calls == ['winnet.routing.net_info', 'winnet.routing.net_apply']
    assert canonical(host.state) == canonical(HostState.from_dict(checked['state']))
    assert real['round_trips'] == 1, 'the actual state was known: no second gather'
    again = play.run(route, ROUTE, live=host)
    assert not again['changed'] and len(host.calls) == 2


def test_a_whole_check_run_chains_its_predictions(tmp_path):
    play = Play(tmp_path, winnet_snapshot=SNAPSHOT)
    first = play.run(route, ROUTE, check_mode=True)
    second = play.run(route, OTHER_ROUTE, check_mode=True)
    assert HostState.from_dict(second['state']).to_dict() == apply(HostState.from_dict(first['state']), second['operations']).to_dict()
    assert play.vars['winnet_state_actual'] == _state()
    repeated = play.run(route, ROUTE, check_mode=True)
    assert not repeated['changed'], 'a check-mode task plans on the predictions before it'


def test_a_real_task_after_a_prediction_plans_on_the_real_changes_before_it(tmp_path):
    play = Play(tmp_path, winnet_snapshot=SNAPSHOT)
    play.run(route, OTHER_ROUTE)
    actual = play.vars['winnet_state']
    play.run(route, ROUTE, check_mode=True)
    assert play.vars['winnet_state_actual'] == actual
    real = play.run(route, ROUTE)
    assert real['changed']
    assert {r['destination'] for r in real['state']['routes']} >= {'10.98.0.0/16', '10.99.0.0/16'}


def test_a_saved_plan_from_check_mode_applies_with_net_apply(tmp_path):
    from ansible_collections.winnet.routing.plugins.action import net_apply  # pylint: disable=import-outside-toplevel
    play = Play(tmp_path, winnet_snapshot=SNAPSHOT)
    planned = play.run(route, ROUTE, check_mode=True)
    applied = play.run(net_apply, {'plan': planned['plan']})
    assert applied['changed'] and applied['state'] == planned['state']


def test_check_mode_without_changes_leaves_no_actual_state(tmp_path):
    play = Play(tmp_path, winnet_snapshot=SNAPSHOT)
    play.run(route, {'destination': '0.0.0.0/0', 'next_hop': '10.10.0.254', 'interface': 'Management', 'metric': 0}, check_mode=True)
    assert play.vars['winnet_state_actual'] is None


# ------------------------------------------------------------------------------ restore points
def test_the_first_baseline_of_a_run_is_its_restore_point(tmp_path):
    directory = str(tmp_path)
    state = _state()
    first, first_point = save_baseline(directory, 'web25-01', state, [], 'one', run='run-1')
    second, second_point = save_baseline(directory, 'web25-01', state, [], 'two', run='run-1')
    third, third_point = save_baseline(directory, 'web25-01', state, [], 'three', run='run-2')
    assert (first_point, second_point, third_point) == (True, False, True)
    for path, marked in ((first, True), (second, False), (third, True)):
        with open(path, encoding='utf-8') as handle:
            assert json.load(handle)['restore_point'] is marked
    assert newest_restore_point(directory, 'web25-01') == third
    assert first < second < third


def test_no_restore_point_is_an_error_naming_the_folder(tmp_path):
    with pytest.raises(AnsibleActionFail, match=r'baseline: no restore point for web25-01 in .*web25-01 \(0 baseline\(s\) there'):
        newest_restore_point(str(tmp_path), 'web25-01')


def test_restore_without_baseline_undoes_the_whole_run(tmp_path):
    play = Play(tmp_path, winnet_snapshot=SNAPSHOT)
    before = _state()
    first = play.run(route, ROUTE)
    second = play.run(route, OTHER_ROUTE)
    assert first['restore_point'] and not second['restore_point']
    undo = play.run(restore, {})
    assert undo['restore']['source'] == first['baseline'] and undo['restore']['restore_point']
    assert canonical(HostState.from_dict(undo['state'])) == canonical(HostState.from_dict(before))


def test_damaged_baseline_files_are_skipped_when_looking_for_the_restore_point(tmp_path):
    directory = str(tmp_path)
    saved, _point = save_baseline(directory, 'web25-01', _state(), [], 'one', run='run-1')
    folder = tmp_path / 'web25-01'
    (folder / '99991231T235959.000000Z.json').write_text('{"schema": "winnet.routing/baseline-v1", "host": "web2', encoding='utf-8')
    (folder / '99991231T235958.000000Z.json').write_bytes(b'\xff\xfe not UTF-8')
    (folder / '99991231T235957.000000Z.json').write_text('{"schema": "winnet.routing/v1"}', encoding='utf-8')   # a state, not a baseline
    assert newest_restore_point(directory, 'web25-01') == saved
    # the next change of another run is a restore point of its own: the damaged files are no baselines of a run
    assert save_baseline(directory, 'web25-01', _state(), [], 'two', run='run-2')[1] is True


def test_the_run_id_is_the_parent_process_and_its_start_time_or_the_parent_alone():
    pid, _at, started = current_run().partition('@')
    assert int(pid) == os.getppid() and started.isdigit()
    assert current_run() == current_run()
    with mock.patch('os.getppid', return_value=2 ** 31 - 1):       # no such process: no start time to read
        assert current_run() == str(2 ** 31 - 1)


def _restore(tmp_path, baseline, **variables):
    return Play(tmp_path, winnet_snapshot=SNAPSHOT, **variables).run(restore, {'baseline': baseline})


def _baseline_document(**changes):
    document = {'schema': 'winnet.routing/baseline-v1', 'host': 'web25-01', 'saved_at': '2026-01-02T03:04:05.000000Z', 'task': 'one',
                'operations': [], 'state': _state(), 'run': 'run-1', 'restore_point': True}
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


def _failure(tmp_path, baseline):
    with pytest.raises(AnsibleActionFail) as failed:
        _restore(tmp_path, baseline)
    return str(failed.value)


def test_restore_from_a_baseline_given_relative_to_the_playbook(tmp_path):
    (tmp_path / 'saved.json').write_text(json.dumps(_baseline_document()), encoding='utf-8')
    result = _restore(tmp_path, 'saved.json', playbook_dir=str(tmp_path))
    assert result['restore']['source'] == str(tmp_path / 'saved.json')
    assert (result['restore']['saved_at'], result['restore']['restore_point']) == ('2026-01-02T03:04:05.000000Z', True)
    assert not result['changed']


def test_restore_from_a_hoststate_file_goes_back_to_it(tmp_path):
    # the baseline: web25-01 without the default gateway of Management (4)
    removals = [{'op': 'remove_route', 'family': 'ipv4', 'destination': '0.0.0.0/0', 'next_hop': '10.10.0.254', 'interface': 4, 'store': store}
                for store in ('persistent', 'active')]
    target = apply(HostState.from_dict(_state()), removals).to_dict()
    (tmp_path / 'web25-01.state.json').write_text(json.dumps(target), encoding='utf-8')
    result = _restore(tmp_path, str(tmp_path / 'web25-01.state.json'))
    assert result['changed'] and result['restore']['saved_at'] is None and result['restore']['restore_point'] is False
    assert canonical(HostState.from_dict(result['state'])) == canonical(HostState.from_dict(target))


def test_restore_refuses_a_missing_baseline_file_naming_it(tmp_path):
    path = str(tmp_path / 'gone.json')
    assert _failure(tmp_path, path) == 'baseline: cannot read %s: No such file or directory' % path


def test_restore_refuses_a_damaged_baseline_file_naming_it(tmp_path):
    path = tmp_path / 'cut.json'
    path.write_text(json.dumps(_baseline_document())[:200], encoding='utf-8')
    assert _failure(tmp_path, str(path)).startswith('baseline: %s is not JSON: ' % path)


@pytest.mark.parametrize('document, message', [
    (_baseline_document(host='db01'), "baseline: {path} was saved for host 'db01', not for 'web25-01'"),
    (_baseline_document(state=None), 'baseline: {path} has no state'),
    ({'schema': 'winnet.routing/v0'}, "baseline: {path} is neither a baseline (schema winnet.routing/baseline-v1) nor a HostState "
                                      "(schema winnet.routing/v1): schema 'winnet.routing/v0'"),
])
def test_restore_refuses_a_baseline_file_that_does_not_fit(tmp_path, document, message):
    path = tmp_path / 'baseline.json'
    path.write_text(json.dumps(document), encoding='utf-8')
    assert _failure(tmp_path, str(path)) == message.format(path=path)


def test_restore_refuses_a_baseline_that_is_neither_a_path_nor_a_state(tmp_path):
    assert _failure(tmp_path, ['saved.json']) == 'baseline: must be the path of a baseline or HostState file, or a state (a mapping), got list'
    assert _failure(tmp_path, {'interfaces': []}).startswith("baseline: the baseline option is neither a baseline")


# ------------------------------------------------------------------------------ snapshot in place
def test_a_snapshot_updated_in_place_keeps_its_changes_for_the_next_run(tmp_path):
    snapshot = tmp_path / 'web25-01.json'
    snapshot.write_text(json.dumps(_state()), encoding='utf-8')
    os.chmod(snapshot, 0o640)
    first = Play(tmp_path, winnet_snapshot=str(snapshot), winnet_snapshot_out=str(snapshot)).run(route, ROUTE)
    assert first['changed'] and first['snapshot_out'] == str(snapshot)
    assert json.loads(snapshot.read_text(encoding='utf-8')) == first['state']
    assert stat.S_IMODE(os.stat(snapshot).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ['baselines', 'web25-01.json'], 'no temporary file is left'
    second = Play(tmp_path, winnet_snapshot=str(snapshot), winnet_snapshot_out=str(snapshot)).run(route, ROUTE)
    assert not second['changed']


def test_a_failed_write_leaves_the_snapshot_whole(tmp_path):
    snapshot = tmp_path / 'web25-01.json'
    text = json.dumps(_state())
    snapshot.write_text(text, encoding='utf-8')
    play = Play(tmp_path, winnet_snapshot=str(snapshot), winnet_snapshot_out=str(snapshot))
    real_dump = json.dump

    def dump(value, stream, **options):
        if not isinstance(stream.name, str):      # the temporary file, opened from its descriptor
            stream.write('{"schema": "winnet.routing/v1", "interf')      # half written when the disk is full
            raise OSError(28, 'No space left on device')
        return real_dump(value, stream, **options)

    with mock.patch('json.dump', side_effect=dump):
        with pytest.raises(AnsibleActionFail, match='winnet_snapshot_out: cannot write .*web25-01.json: No space left on device'):
            play.run(route, ROUTE)
    assert snapshot.read_text(encoding='utf-8') == text
    assert sorted(os.listdir(tmp_path)) == ['baselines', 'web25-01.json']
