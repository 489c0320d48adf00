# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit_report action plugin: hosts from hostvars (live results, snapshot files, failures), files and threshold."""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import audit_report
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
INVENTORY_DIR = os.path.join(ROOT, 'examples', 'inventory')
SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')


def _action(args):
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = True
    task.action = 'winnet.routing.audit_report'
    connection = mock.MagicMock()
    loader = DataLoader()
    action = audit_report.ActionModule(task=task, connection=connection, play_context=PlayContext(), loader=loader,
                                       templar=Templar(loader=loader), shared_loader_obj=None)
    return action, connection


def _live_result(probe_interface_shift=False):
    with open(SNAPSHOT, encoding='utf-8') as handle:
        state = json.load(handle)
    engine = Engine(state)
    answer = engine.lookup('203.0.113.50')
    interface = answer['interface']
    if probe_interface_shift:
        interface = next(i['index'] for i in state['interfaces'] if i['index'] not in (interface, 1))
    probe = {'destination': '203.0.113.50', 'requested_source': None, 'answered': True, 'error': None, 'source': answer['source'],
             'interface': interface, 'interface_alias': 'x', 'route': {'destination': answer['route']['destination'],
                                                                       'next_hop': answer['route']['next_hop'],
                                                                       'interface': interface, 'route_metric': 0}}
    return {'changed': False, 'state': state, 'probes': [probe]}


def _hostvars():
    return {
        'agree': {'audit_net_info': _live_result(), 'inventory_dir': INVENTORY_DIR},
        'differ': {'audit_net_info': _live_result(probe_interface_shift=True), 'inventory_dir': INVENTORY_DIR},
        'snap': {'winnet_snapshot': '../snapshots/dsr-nows-01.json', 'inventory_dir': INVENTORY_DIR,
                 'audit_net_info': {'skipped': True, 'changed': False},
                 'audit_dsr': {'vip': '192.0.2.100', 'nic': 'Ethernet', 'clients': ['203.0.113.50']}},
        'failed': {'audit_net_info': {'failed': True, 'msg': 'WinRM: connection refused'}},
        'unreachable': {'audit_net_info': {'unreachable': True, 'msg': 'timed out'}},
        'skipped': {'audit_net_info': {'skipped': True}},
    }


def test_run_writes_the_report_and_never_contacts_a_host(tmp_path):
    action, connection = _action({'report_dir': str(tmp_path / 'r'), 'fail_on': 'warning'})
    task_vars = {'hostvars': _hostvars(), 'ansible_play_hosts_all': list(_hostvars()), 'playbook_dir': '/nowhere'}
    result = action.run(task_vars=task_vars)
    assert not connection.exec_command.called and not connection._connect.called
    assert result['changed'] is False and result['threshold_reached'] is True
    fleet = json.loads((tmp_path / 'r' / 'fleet.json').read_text(encoding='utf-8'))
    hosts = fleet['hosts']
    assert list(hosts) == ['agree', 'differ', 'snap', 'failed', 'unreachable', 'skipped']
    assert [p['agree'] for p in hosts['agree']['probes']] == [True]
    assert not [f for f in hosts['agree']['findings'] if f['id'] == 'find_netroute_disagrees']
    differ = [f for f in hosts['differ']['findings'] if f['id'] == 'find_netroute_disagrees']
    assert len(differ) == 1 and differ[0]['severity'] == 'warning' and 'interface' in differ[0]['message']
    assert hosts['snap']['snapshot'] == os.path.join(ROOT, 'examples', 'snapshots', 'dsr-nows-01.json')
    assert hosts['snap']['dsr'][0]['ready'] is False and hosts['snap']['probes'] == []
    assert hosts['failed']['findings'][0]['message'].endswith('WinRM: connection refused')
    assert 'unreachable: timed out' in hosts['unreachable']['findings'][0]['message']
    assert 'did not run on this host' in hosts['skipped']['findings'][0]['message']
    assert fleet['summary']['hosts_not_gathered'] == 3 and fleet['summary']['probe_disagreements'] == 1
    assert result['summary_lines'][0] == '6 hosts audited: 6 with errors, 0 with warnings, 0 with info only, 0 clean (3 not gathered).'
    assert result['msg'].endswith('report.html (fleet.json, junit.xml, hosts/ beside it)')
    assert sorted(os.listdir(tmp_path / 'r' / 'hosts')) == sorted(n + '.json' for n in hosts)


def test_hosts_argument_selects_and_orders(tmp_path):
    action, _connection = _action({'report_dir': str(tmp_path), 'hosts': ['snap', 'nobody'], 'fail_on': 'never'})
    result = action.run(task_vars={'hostvars': _hostvars(), 'playbook_dir': '/nowhere'})
    fleet = json.loads((tmp_path / 'fleet.json').read_text(encoding='utf-8'))
    assert list(fleet['hosts']) == ['snap', 'nobody']
    assert 'not in the inventory' in fleet['hosts']['nobody']['findings'][0]['message']
    assert result['threshold_reached'] is False


def test_bad_fail_on_is_refused(tmp_path):
    action, _connection = _action({'report_dir': str(tmp_path), 'fail_on': 'sometimes'})
    with pytest.raises(AnsibleActionFail, match='value of fail_on must be one of: error, warning, never'):
        action.run(task_vars={'hostvars': {}})


def test_unwritable_report_dir_names_it(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x', encoding='utf-8')
    action, _connection = _action({'report_dir': str(blocker / 'sub')})
    with pytest.raises(AnsibleActionFail, match='audit_report_dir .*sub: cannot write the report'):
        action.run(task_vars={'hostvars': _hostvars(), 'ansible_play_hosts_all': ['snap'], 'playbook_dir': '/nowhere'})
