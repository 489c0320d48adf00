# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The net_info action plugin: snapshot hosts are read and never contacted; live results are validated."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from unittest import mock

import pytest
import yaml

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import net_info
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.plugin_utils._state import load_snapshot, snapshot_path

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
INVENTORY = os.path.join(ROOT, 'examples', 'inventory', 'hosts.yml')
FIXTURE = os.path.join(ROOT, 'tests', 'unit', 'plugins', 'modules', 'fixtures', 'net_info_sql22-07.json')
NO_CONTACT = os.path.join(ROOT, 'tests', 'playbooks', 'connection_plugins')


def _inventory_hosts():
    with open(INVENTORY, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    hosts = {}

    def walk(group):
        for name, hostvars in (group.get('hosts') or {}).items():
            hosts[name] = hostvars or {}
        for child in (group.get('children') or {}).values():
            walk(child or {})
    walk(data['all'])
    return hosts


HOSTS = _inventory_hosts()


def _action(args=None, check_mode=False):
    task = mock.MagicMock()
    task.args = args or {}
    task.async_val = 0
    task.check_mode = check_mode
    task.action = 'winnet.routing.net_info'
    connection = mock.MagicMock()
    loader = DataLoader()
    action = net_info.ActionModule(task=task, connection=connection, play_context=PlayContext(), loader=loader,
                                   templar=Templar(loader=loader), shared_loader_obj=None)
    return action, connection


def _assert_not_contacted(connection):
    for name in ('_connect', 'exec_command', 'put_file', 'fetch_file'):
        assert not getattr(connection, name).called, name


# ----------------------------------------------------------------------------- paths
def test_relative_snapshot_path_starts_at_the_inventory_directory():
    assert snapshot_path('../snapshots/a.json', '/srv/inv', '/srv/play') == os.path.normpath('/srv/snapshots/a.json')


def test_absolute_snapshot_path_is_kept():
    assert snapshot_path('/data/a.json', '/srv/inv', '/srv/play') == '/data/a.json'


def test_without_inventory_directory_the_playbook_directory_is_used():
    assert snapshot_path('a.json', None, '/srv/play') == os.path.normpath('/srv/play/a.json')


@pytest.mark.parametrize('content, expected', [
    (None, 'cannot read the file'),
    ('{"schema": ', 'not valid JSON'),
    ('{"schema": "winnet.routing/v2", "interfaces": []}', 'schema: unsupported schema'),
    ('{"schema": "winnet.routing/v1", "interfaces": [{"index": 3}]}', 'interfaces[0].alias: required key is missing'),
    ('{"schema": "winnet.routing/bundle-v1", "reads": []}', 'invalid bundle of raw reads: reads: must be a mapping of read name to objects'),
])
def test_bad_snapshots_name_the_path_and_the_cause(tmp_path, content, expected):
    path = tmp_path / 'host.json'
    if content is not None:
        path.write_text(content, encoding='utf-8')
    with pytest.raises(AnsibleActionFail) as info:
        load_snapshot(str(path))
    message = str(info.value.message)
    assert str(path) in message
    assert expected in message


# ----------------------------------------------------------------------------- example hosts
@pytest.mark.parametrize('host', sorted(HOSTS))
def test_example_snapshot_is_complete_schema_v1(host):
    path = snapshot_path(HOSTS[host]['winnet_snapshot'], os.path.dirname(INVENTORY), None)
    with open(path, encoding='utf-8') as handle:
        data = json.load(handle)
    state = HostState.from_dict(data)
    assert len(state.routes) == len(data['routes']), 'a gathered snapshot lists every route'
    assert state.hostname.lower() == host
    pseudo = state.interface(1)
    assert pseudo.kind == 'loopback_pseudo' and pseudo.ipv4.metric == 75
    assert not HOSTS[host].get('ansible_host'), 'snapshot hosts name no reachable machine'


def test_example_seed_001_metrics():
    state = load_snapshot(os.path.join(ROOT, 'examples', 'snapshots', 'app-metric-01.json'))
    by_alias = {i['alias']: i for i in state['interfaces']}
    defaults = {r['interface']: r['route_metric'] for r in state['routes']
                if r['destination'] == '0.0.0.0/0' and r['store'] == 'active'}
    nic1, nic2 = by_alias['NIC1'], by_alias['NIC2']
    assert (nic1['ipv4']['metric'], defaults[nic1['index']]) == (1, 10)
    assert (nic2['ipv4']['metric'], defaults[nic2['index']]) == (50, 5)


# ----------------------------------------------------------------------------- run()
def test_snapshot_host_is_read_and_never_contacted():
    action, connection = _action({'probes': [{'destination': '203.0.113.50'}]})
    with mock.patch.object(action, '_execute_module') as execute:
        result = action.run(task_vars={'winnet_snapshot': HOSTS['dsr-ok-01']['winnet_snapshot'],
                                       'inventory_dir': os.path.dirname(INVENTORY), 'inventory_hostname': 'dsr-ok-01'})
    assert not execute.called
    _assert_not_contacted(connection)
    assert result['changed'] is False
    assert result['ansible_facts']['winnet_state'] == result['state']
    assert result['state']['hostname'] == 'DSR-OK-01'
    assert result['snapshot'].endswith(os.path.join('examples', 'snapshots', 'dsr-ok-01.json'))
    assert result['probes'][0]['answered'] is False


def test_snapshot_host_in_check_mode_returns_the_same():
    task_vars = {'winnet_snapshot': HOSTS['web25-01']['winnet_snapshot'], 'inventory_dir': os.path.dirname(INVENTORY)}
    normal = _action()[0].run(task_vars=dict(task_vars))
    checked = _action(check_mode=True)[0].run(task_vars=dict(task_vars))
    assert checked['state'] == normal['state'] and checked['changed'] is normal['changed'] is False
    # a real read is the actual state; in check mode the actual state a prediction kept stays
    assert normal['ansible_facts'] == {'winnet_state': normal['state'], 'winnet_state_actual': None, 'winnet_round_trips': 1}
    assert checked['ansible_facts'] == {'winnet_state': normal['state'], 'winnet_round_trips': 1}


EXPECTED_STATE = os.path.join(ROOT, 'tests', 'unit', 'plugins', 'module_utils', 'fixtures', 'bundles', 'server2022_ps51_sql22-07.expected.json')
# What the raw Find-NetRoute objects of the fixture mean (net_info's RETURN).
EXPECTED_PROBES = [
    {'destination': '203.0.113.50', 'requested_source': None, 'answered': True, 'error': None, 'source': '198.51.100.37', 'interface': 12,
     'interface_alias': 'Ethernet', 'route': {'destination': '0.0.0.0/0', 'next_hop': '198.51.100.1', 'interface': 12, 'route_metric': 0}},
    {'destination': '10.20.4.8', 'requested_source': '198.51.100.37', 'answered': False,
     'error': 'Find-NetRoute -RemoteIPAddress 10.20.4.8: The network location cannot be reached.', 'source': None, 'interface': None,
     'interface_alias': None, 'route': None},
    {'destination': '2001:db8:ffff::50', 'requested_source': None, 'answered': True, 'error': None, 'source': '2001:db8:20:0:c93a:1e47:52bd:8f10',
     'interface': 12, 'interface_alias': 'Ethernet', 'route': {'destination': '::/0', 'next_hop': 'fe80::1', 'interface': 12, 'route_metric': 256}},
]


def test_live_host_runs_the_module_and_normalises_its_raw_reads():
    with open(FIXTURE, encoding='utf-8') as handle:
        gathered = json.load(handle)
    with open(EXPECTED_STATE, encoding='utf-8') as handle:
        expected = HostState.from_dict(json.load(handle)).to_dict()
    action, connection = _action({'probes': [{'destination': '203.0.113.50'}]})
    with mock.patch.object(action, '_execute_module', return_value=gathered) as execute:
        result = action.run(task_vars={'inventory_hostname': 'sql22-07'})
    assert execute.call_args.kwargs['module_name'] == 'winnet.routing.net_info'
    assert execute.call_args.kwargs['module_args'] == {'probes': [{'destination': '203.0.113.50', 'source': None}],
                                                       'connection_ports': [5985, 5986]}
    assert result['state'] == expected
    assert result['ansible_facts']['winnet_state'] == expected
    assert result['ansible_facts']['winnet_round_trips'] == 1
    assert result['ansible_facts']['winnet_state_actual'] is None
    assert result['probes'] == EXPECTED_PROBES
    assert result['connection'] == {'ssh': None, 'error': None, 'tcp': [{'local_address': '10.10.0.37', 'local_port': 5986,
                                                                        'remote_address': '10.20.0.15', 'remote_port': 50122}]}
    assert result['ansible_facts']['winnet_connection']['controller_address'] == '10.20.0.15'
    assert result['changed'] is False


def test_live_host_with_an_invalid_read_fails_naming_the_host_and_element():
    with open(FIXTURE, encoding='utf-8') as handle:
        gathered = json.load(handle)
    gathered['bundle']['reads']['routes'][3]['NextHop'] = '2001:db8::1'
    action = _action()[0]
    with mock.patch.object(action, '_execute_module', return_value=gathered):
        with pytest.raises(AnsibleActionFail) as info:
            action.run(task_vars={'inventory_hostname': 'sql22-07'})
    assert 'sql22-07' in info.value.message
    assert 'reads.routes[3].NextHop' in info.value.message


def test_live_host_without_a_bundle_fails():
    action = _action()[0]
    with mock.patch.object(action, '_execute_module', return_value={'changed': False, 'probes': []}):
        with pytest.raises(AnsibleActionFail, match='no bundle of raw reads'):
            action.run(task_vars={'inventory_hostname': 'sql22-07'})


def test_module_failure_is_passed_through():
    action = _action()[0]
    with mock.patch.object(action, '_execute_module', return_value={'failed': True, 'msg': 'Failed to read the IP interfaces'}):
        result = action.run(task_vars={'inventory_hostname': 'web01'})
    assert result['failed'] is True and 'IP interfaces' in result['msg']


@pytest.mark.parametrize('probe, path', [
    ({'destination': '203.0.113.500'}, 'probes[0].destination'),
    ({'destination': '203.0.113.5', 'source': 'nic1'}, 'probes[0].source'),
])
def test_bad_probe_addresses_fail_before_anything_runs(probe, path):
    action, connection = _action({'probes': [probe]})
    with mock.patch.object(action, '_execute_module') as execute:
        with pytest.raises(AnsibleActionFail) as info:
            action.run(task_vars={})
    assert path in info.value.message
    assert not execute.called
    _assert_not_contacted(connection)


# ----------------------------------------------------------------------------- whole playbook
def _playbook(*args, connection='winnet_no_contact'):
    playbook = shutil.which('ansible-playbook') or os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(playbook):
        pytest.skip('ansible-playbook is not installed')
    collections = [p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'winnet', 'routing'))]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(collections), ANSIBLE_CONNECTION_PLUGINS=NO_CONTACT,
               ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    command = [playbook, '-i', INVENTORY, '-e', 'ansible_connection=%s' % connection] + list(args)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_summary_playbook_contacts_no_snapshot_host():
    run = _playbook(os.path.join(ROOT, 'playbooks', 'summary.yml'))
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'was contacted' not in run.stdout
    for host in HOSTS:
        assert host in run.stdout
    assert 'route 10 + interface 1 = 11' in run.stdout
    assert 'route 5 + interface 50 = 55' in run.stdout


def test_the_no_contact_connection_does_catch_contact(tmp_path):
    play = tmp_path / 'contact.yml'
    play.write_text('- hosts: web25-01\n  gather_facts: false\n  tasks:\n    - ansible.builtin.raw: hostname\n', encoding='utf-8')
    run = _playbook(str(play))
    assert run.returncode != 0
    assert 'was contacted' in run.stdout


def test_live_gather_reports_the_connections_on_the_port_this_connection_uses():
    with open(FIXTURE, encoding='utf-8') as handle:
        gathered = json.load(handle)
    action, _connection = _action()
    with mock.patch.object(action, '_execute_module', return_value=gathered) as execute:
        result = action.run(task_vars={'inventory_hostname': 'sql22-07', 'ansible_connection': 'ssh', 'ansible_port': 2222,
                                       'winnet_round_trips': 3})
    assert execute.call_args.kwargs['module_args'] == {'connection_ports': [2222]}
    assert result['ansible_facts']['winnet_round_trips'] == 4
