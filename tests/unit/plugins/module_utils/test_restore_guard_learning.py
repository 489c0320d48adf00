# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection guard learns the controller's address from the live connection when
winnet_controller_address is not set (net_info reports SSH_CONNECTION and the established TCP
connections on the connection's port); the action plugin uses it, the host mocked."""

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
from ansible_collections.winnet.routing.plugins.module_utils.guard import connection_ports, learn_controller
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.tests.harness.render import render_bundle

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')


def tcp(remote, local='10.10.0.20', port=5986):
    return {'local_address': local, 'local_port': port, 'remote_address': remote, 'remote_port': 50122}


@pytest.mark.parametrize('connection, expected', [
    ({'ssh': {'client_address': '10.20.0.15', 'client_port': 50122, 'server_address': '10.10.0.20', 'server_port': 22}, 'tcp': []},
     ('10.20.0.15', '10.10.0.20', 'SSH_CONNECTION', None)),
    ({'ssh': None, 'tcp': [tcp('10.20.0.15'), tcp('10.20.0.15')]}, ('10.20.0.15', '10.10.0.20', 'established connections', None)),
    ({'ssh': None, 'tcp': [tcp('::ffff:10.20.0.15', '::ffff:10.10.0.20')]}, ('10.20.0.15', '10.10.0.20', 'established connections', None)),
    ({'ssh': None, 'tcp': [tcp('10.20.0.15'), tcp('127.0.0.1', '127.0.0.1')]}, ('10.20.0.15', '10.10.0.20', 'established connections', None)),
    ({'ssh': None, 'tcp': [tcp('10.20.0.15'), tcp('10.20.0.16')]},
     (None, None, 'established connections', "connections from several addresses (10.20.0.15, 10.20.0.16) on the connection's port: "
                                             "which one is this controller cannot be told")),
    ({'ssh': None, 'tcp': [], 'error': 'Get-NetTCPConnection: access denied'},
     (None, None, 'established connections', "no established connection on the connection's port (Get-NetTCPConnection: access denied)")),
    (None, (None, None, 'established connections', "no established connection on the connection's port")),
])
def test_learn_controller(connection, expected):
    learned = learn_controller(connection)
    assert (learned['controller_address'], learned['host_address'], learned['source'], learned['reason']) == expected


@pytest.mark.parametrize('connection, port, expected', [
    ('ansible.builtin.winrm', None, [5985, 5986]),
    ('psrp', None, [5985, 5986]),
    ('ssh', None, [22]),
    ('ansible.builtin.ssh', '2222', [2222]),
    ('winrm', 15986, [15986]),
])
def test_connection_ports(connection, port, expected):
    assert connection_ports(connection, port) == expected


def _action(args, tmp_path):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = True
    task.diff = False
    loader = DataLoader()
    action = route.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                                templar=Templar(loader=loader), shared_loader_obj=None)
    # a live host whose connection name is a DNS name: the host address is learned too
    task_vars = {'inventory_hostname': 'web25-01', 'ansible_host': 'web25-01.example.net', 'ansible_connection': 'winrm',
                 'ansible_port': 5986, 'winnet_baseline_dir': str(tmp_path)}
    return action, task_vars


def _gathered(connection):
    """net_info's raw result: the bundle of the snapshot's state and the raw connection facts."""
    with open(SNAPSHOT, encoding='utf-8') as handle:
        state = HostState.from_dict(json.load(handle)).to_dict()
    raw = {'ssh_connection': '', 'errors': [],
           'tcp': [{'LocalAddress': row['local_address'], 'LocalPort': row['local_port'], 'RemoteAddress': row['remote_address'],
                    'RemotePort': row['remote_port'], 'State': 5} for row in connection['tcp']]}
    return {'changed': False, 'bundle': render_bundle(state), 'connection': raw}


CUT = {'destination': '0.0.0.0/0', 'next_hop': '10.10.0.254', 'interface': 'Management', 'state': 'absent'}


def test_a_live_host_guard_uses_the_learned_controller(tmp_path):
    action, task_vars = _action(CUT, tmp_path)
    execute = mock.MagicMock(return_value=_gathered({'ssh': None, 'tcp': [tcp('10.20.0.15')], 'error': None}))
    with mock.patch.object(action, '_execute_module', execute):
        with pytest.raises(AnsibleActionFail) as caught:
            action.run(task_vars=task_vars)
    assert execute.call_args.kwargs['module_args'] == {'connection_ports': [5986]}
    guard = caught.value.result['guard']
    assert guard['controller_from'] == 'learned from the connection (established connections)'
    assert (guard['host_address'], guard['controller_address']) == ('10.10.0.20', '10.20.0.15')
    assert guard['cut'] and guard['before']['interface'] == 4 and guard['after']['interface'] is None


def test_the_learned_controller_is_kept_for_the_next_tasks(tmp_path):
    action, task_vars = _action({'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 'Management'}, tmp_path)
    with mock.patch.object(action, '_execute_module', return_value=_gathered({'ssh': None, 'tcp': [tcp('10.20.0.15')], 'error': None})):
        result = action.run(task_vars=task_vars)
    learned = result['ansible_facts']['winnet_connection']
    assert learned['controller_address'] == '10.20.0.15'
    # the next task uses the cached state and the learned controller, without contacting the host
    action, task_vars = _action(CUT, tmp_path)
    task_vars.update(winnet_state=result['state'], winnet_connection=learned)
    with mock.patch.object(action, '_execute_module', side_effect=AssertionError('contacted')):
        with pytest.raises(AnsibleActionFail, match='refusing to apply the plan: it would cut the controller off the host'):
            action.run(task_vars=task_vars)


def test_an_ambiguous_connection_leaves_the_guard_unevaluated_and_says_why(tmp_path):
    action, task_vars = _action(CUT, tmp_path)
    connection = {'ssh': None, 'tcp': [tcp('10.20.0.15'), tcp('10.20.0.99')], 'error': None}
    with mock.patch.object(action, '_execute_module', return_value=_gathered(connection)):
        result = action.run(task_vars=task_vars)
    assert not result['guard']['evaluated']
    assert result['guard']['reason'] == (
        'no controller address known (set winnet_controller_address to the controller address the host sees); it could not be '
        "learned from the connection: connections from several addresses (10.20.0.15, 10.20.0.99) on the connection's port: "
        'which one is this controller cannot be told')


def test_the_variable_wins_over_the_connection(tmp_path):
    action, task_vars = _action(CUT, tmp_path)
    task_vars['winnet_controller_address'] = '203.0.113.50'
    with mock.patch.object(action, '_execute_module', return_value=_gathered({'ssh': None, 'tcp': [tcp('10.20.0.15')], 'error': None})):
        result = action.run(task_vars=task_vars)
    assert result['guard']['controller_from'] == 'winnet_controller_address'
    assert result['guard']['controller_address'] == '203.0.113.50'
