# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated Windows host of the live-path harness (tests/harness/host.py), without a transport.

The payloads are built by Ansible's own PowerShell module wrapper (the code that builds what a
real Windows host receives), so the host is checked against what Ansible sends: it refuses a
payload that lacks a module util or carries another module text, fails arguments the module's
spec refuses, runs net_apply's operations with the collection's applier, and arms, fires and
confirms rollbacks on its own clock.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible.executor.powershell import module_manifest
from ansible.plugins.loader import shell_loader
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.tests.harness import exec_wrapper
from ansible_collections.winnet.routing.tests.harness.host import WindowsHost

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')
ROUTE = {'op': 'add_route', 'family': 'ipv4', 'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 4,
         'route_metric': 10, 'store': 'both'}
ADDRESS = {'op': 'add_address', 'family': 'ipv4', 'address': '198.51.100.31', 'prefix_length': 24, 'interface': 6, 'skip_as_source': False}


def _collections_root():
    parts = ROOT.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'winnet']:
        return os.sep.join(parts[:-3])
    return os.path.join(ROOT, 'tests', 'output', 'pytest')


def module_input(module, args, check_mode=False):
    """What Ansible pipes to the bootstrap wrapper to run ``module`` with ``args``, built by Ansible itself.

    Ansible reads the module utils through its collection loader: it is installed for the call only,
    with the collection's modules taken out of sys.modules meanwhile and put back afterwards.
    """
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split('.')[0] == 'ansible_collections'}
    finder = _AnsibleCollectionFinder(paths=[_collections_root()])
    finder._install()  # pylint: disable=protected-access
    try:
        path = os.path.join(ROOT, 'plugins', 'modules', module + '.ps1')
        with open(path, 'rb') as handle:
            data = handle.read()
        arguments = dict(args, _ansible_check_mode=check_mode, _ansible_diff=False, _ansible_tmpdir=None, _ansible_remote_tmp='%TEMP%')
        return module_manifest._create_powershell_wrapper(  # pylint: disable=protected-access
            name='ansible_collections.winnet.routing.plugins.modules.%s' % module, module_data=data, module_path=path,
            module_args=arguments, environment={}, async_timeout=0, become_plugin=None, substyle='powershell', task_vars={}, profile='legacy')
    finally:
        _AnsibleCollectionFinder._remove()  # pylint: disable=protected-access
        for name in [name for name in sys.modules if name.split('.')[0] == 'ansible_collections']:
            del sys.modules[name]
        sys.modules.update(saved)


def pipelined_command():
    """The command line of a pipelined module run (the bootstrap wrapper, encoded)."""
    shell = shell_loader.get('powershell')
    return shell.build_module_command('', '#!powershell', '')


def run(host, module, args, check_mode=False, data=None):
    answer = host.execute(pipelined_command(), data if data is not None else module_input(module, args, check_mode))
    result = json.loads(answer.stdout) if answer.stdout else None
    return answer, result


@pytest.fixture()
def host(tmp_path):
    with open(SNAPSHOT, encoding='utf-8') as handle:
        state = json.load(handle)
    return WindowsHost.create(str(tmp_path / 'web25-01'), state, 'numeric', controller_address='10.20.0.15', host_address='10.10.0.20')


def _tamper(data, change):
    head, _sep, tail = data.partition(exec_wrapper.SEPARATOR)
    manifest = json.loads(tail)
    change(manifest)
    return head + exec_wrapper.SEPARATOR + json.dumps(manifest).encode('utf-8')


# ------------------------------------------------------------------------------- net_info
def test_net_info_answers_with_the_raw_reads_of_the_host_state(host):
    answer, result = run(host, 'net_info', {'probes': [{'destination': '203.0.113.50'}]})
    assert answer.rc == 0 and answer.drop is None
    gathered = HostState.from_dict(parse_netroute_json(result['bundle']))
    assert canonical(gathered) == canonical(HostState.from_dict(host.state()))
    assert result['connection']['tcp'][0]['RemoteAddress'] == '10.20.0.15'
    assert result['probes'][0]['objects'][1]['DestinationPrefix'] == '0.0.0.0/0'
    (entry,) = [e for e in host.log() if e['kind'] == 'module']
    assert entry['module'] == 'net_info' and entry['utils'] == [
        'Ansible.Basic.cs', 'ansible_collections.winnet.routing.plugins.module_utils.WinnetState.psm1']


def test_a_payload_without_a_module_util_is_refused(host):
    def drop_util(manifest):
        name = 'ansible_collections.winnet.routing.plugins.module_utils.WinnetState.psm1'
        del manifest['scripts'][name]
        manifest['actions'][0]['params']['PowerShellModules'].remove(name)

    answer, _result = run(host, 'net_info', {}, data=_tamper(module_input('net_info', {}), drop_util))
    assert answer.rc == 1
    assert b'net_info requires ansible_collections.winnet.routing.plugins.module_utils.WinnetState.psm1' in answer.stderr


def test_a_module_text_that_is_not_the_collections_is_refused(host):
    def edit(manifest):
        entry = manifest['scripts']['ansible_collections.winnet.routing.plugins.modules.net_info.ps1']
        entry['script'] = exec_wrapper.base64.b64encode(b'$module.ExitJson()').decode()

    answer, _result = run(host, 'net_info', {}, data=_tamper(module_input('net_info', {}), edit))
    assert answer.rc == 1 and b"is not the collection's plugins/modules/net_info.ps1" in answer.stderr


def test_arguments_the_spec_refuses_fail_the_module(host):
    answer, result = run(host, 'net_info', {'probe': []})
    assert answer.rc == 1 and result['failed']
    assert result['msg'].startswith('Unsupported parameters for (net_info) module: probe.')


def test_other_commands_are_refused(host):
    shell = shell_loader.get('powershell')
    answer = host.execute(shell._encode_script('Get-Process'), None)  # pylint: disable=protected-access
    assert answer.rc == 1 and b'a script the simulated host does not run' in answer.stderr
    assert host.execute('cmd.exe /c dir', None).rc == 1


def test_a_temporary_directory_is_made_as_powershell_mkdtemp_does(host):
    shell = shell_loader.get('powershell')
    made = shell._mkdtemp2(basefile='ansible-tmp-1', tmpdir='%TEMP%')  # pylint: disable=protected-access
    answer = host.execute(made.command, made.input_data)
    assert answer.rc == 0 and answer.stdout == b'C:\\Users\\ansible\\AppData\\Local\\Temp\\ansible-tmp-1\r\n'


# ------------------------------------------------------------------------------- net_apply
def test_net_apply_runs_the_operations_with_the_applier(host):
    answer, result = run(host, 'net_apply', {'plan': {'operations': [ROUTE]}})
    assert answer.rc == 0 and result['changed']
    assert [entry['operation']['op'] for entry in result['applied']] == ['add_route']
    stores = [r['store'] for r in host.state()['routes'] if r['destination'] == '10.99.0.0/16']
    assert sorted(stores) == ['active', 'persistent']
    assert canonical(HostState.from_dict(parse_netroute_json(result['bundle']))) == canonical(HostState.from_dict(host.state()))


def test_a_precondition_that_does_not_hold_stops_the_run_and_reports_what_ran(host):
    answer, result = run(host, 'net_apply', {'plan': {'operations': [ADDRESS, ADDRESS]}})
    assert answer.rc == 1 and result['failed']
    assert [entry['index'] for entry in result['applied']] == [0]
    assert result['failure']['index'] == 1 and result['failure']['precondition'] == 'address_absent'
    assert result['msg'].endswith('(1 of 2 operation(s) applied before it)')


def test_check_mode_reads_the_preconditions_only(host):
    before = host.state()
    answer, result = run(host, 'net_apply', {'plan': {'operations': [ROUTE]}}, check_mode=True)
    assert answer.rc == 0 and result['applied'] and host.state() == before


def test_a_dropped_connection_leaves_the_operations_that_ran(host):
    host.set_faults(drop_after_operations=1)
    answer, _result = run(host, 'net_apply', {'plan': {'operations': [ROUTE, ADDRESS]}})
    assert answer.drop == 'the connection dropped after 1 operation(s) of the plan'
    state = host.state()
    assert [r for r in state['routes'] if r['destination'] == '10.99.0.0/16']
    assert not [a for a in state['addresses'] if a['address'] == '198.51.100.31']


def test_a_rollback_left_unconfirmed_runs_when_due_and_a_confirmed_one_never_does(host):
    before = canonical(HostState.from_dict(host.state()))
    rollback = {'name': 'winnet-rollback-' + '1' * 32, 'after': 60,
                'operations': [dict(ROUTE, op='remove_route', store='persistent'), dict(ROUTE, op='remove_route', store='active')],
                'partial': []}
    for key in ('route_metric',):
        for op in rollback['operations']:
            op.pop(key)
    answer, result = run(host, 'net_apply', {'plan': {'operations': [ROUTE]}, 'rollback': rollback})
    assert answer.rc == 0 and result['rollback']['self_test']['exit_code'] == 0
    assert host.rollbacks()[rollback['name']]['started'] is None
    host.advance(30)
    run(host, 'net_info', {})
    assert host.rollbacks()[rollback['name']]['started'] is None          # not due yet
    host.advance(31)
    run(host, 'net_info', {})
    assert canonical(HostState.from_dict(host.state())) == before          # the rollback ran
    _answer, late = run(host, 'net_apply', {'plan': {'operations': []}, 'rollback_confirm': rollback['name']})
    assert late['confirmation']['confirmed'] is False and late['confirmation']['started']


def test_a_rollback_policy_would_stop_changes_nothing(host):
    host.set_faults(rollback_blocked=True)
    before = host.state()
    rollback = {'name': 'winnet-rollback-' + '2' * 32, 'after': 60, 'operations': [], 'partial': []}
    answer, result = run(host, 'net_apply', {'plan': {'operations': [ROUTE]}, 'rollback': rollback})
    assert answer.rc == 1 and result['msg'].startswith('The automatic rollback cannot run on this host')
    assert host.state() == before and host.rollbacks() == {}
