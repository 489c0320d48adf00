# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WS-Management endpoint for tests (tests/harness/wsman.py) driven by pywinrm's own Protocol:
the messages Ansible's winrm connection plugin sends, answered with what the simulated host says."""

from __future__ import annotations

import base64
import json
import os
import sys
import threading

import pytest
import requests
import winrm
from winrm.exceptions import InvalidCredentialsError, WSManFaultError

from ansible.plugins.loader import shell_loader

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.tests.harness import wsman
from ansible_collections.winnet.routing.tests.harness.host import WindowsHost

sys.path.insert(0, os.path.dirname(__file__))
from test_windows_host import ADDRESS, SNAPSHOT, module_input, pipelined_command  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture()
def endpoint(tmp_path):
    with open(SNAPSHOT, encoding='utf-8') as handle:
        state = json.load(handle)
    host = WindowsHost.create(str(tmp_path / 'web25-01'), state, 'numeric', controller_address='10.20.0.15', host_address='10.10.0.20')
    server = wsman.Server(wsman.Endpoint(str(tmp_path), 'ansible', 'secret'))
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield host, 'http://127.0.0.1:%d/wsman/web25-01' % server.server_address[1]
    server.shutdown()
    server.server_close()


def protocol(url, password='secret'):
    return winrm.Protocol(url, transport='basic', username='ansible', password=password, operation_timeout_sec=5, read_timeout_sec=10)


def run(client, shell_id, data):
    """A pipelined module run as the winrm plugin makes it: the command, its input in chunks, the output until done."""
    parts = pipelined_command().split(' ')
    command_id = client.run_command(shell_id, parts[0], parts[1:], console_mode_stdin=False)
    chunk = 50000
    for start in range(0, len(data), chunk):
        client.send_command_input(shell_id, command_id, data[start:start + chunk], end=start + chunk >= len(data))
    stdout, stderr, code = client.get_command_output(shell_id, command_id)
    client.cleanup_command(shell_id, command_id)
    return stdout, stderr, code


def wire(host):
    with open(os.path.join(host.directory, 'wsman.jsonl'), encoding='utf-8') as handle:
        return [json.loads(line) for line in handle]


def test_a_module_runs_through_the_shell_and_its_output_comes_back_in_several_receives(endpoint):
    host, url = endpoint
    client = protocol(url)
    shell_id = client.open_shell(codepage=65001)
    stdout, stderr, code = run(client, shell_id, module_input('net_info', {}))
    client.close_shell(shell_id)
    assert code == 0 and stderr == b''
    result = json.loads(stdout)
    assert canonical(HostState.from_dict(parse_netroute_json(result['bundle']))) == canonical(HostState.from_dict(host.state()))
    actions = [entry['action'] for entry in wire(host)]
    assert actions[:2] == ['create', 'command'] and actions[-2:] == ['signal', 'delete']
    sends = [entry for entry in wire(host) if entry['action'] == 'send']
    assert len(sends) > 1 and [s['end'] for s in sends] == [False] * (len(sends) - 1) + [True]
    receives = [entry for entry in wire(host) if entry['action'] == 'receive']
    assert len(stdout) > wsman.RECEIVE_CHUNK and len(receives) == -(-len(stdout) // wsman.RECEIVE_CHUNK)
    assert [r['done'] for r in receives][-1] is True
    assert [e['kind'] for e in host.log()] == ['connect', 'module']


def test_a_command_the_host_does_not_run_exits_1_with_the_reason_on_stderr(endpoint):
    host, url = endpoint
    client = protocol(url)
    shell_id = client.open_shell()
    encoded = shell_loader.get('powershell')._encode_script('Get-Date', as_list=True)  # pylint: disable=protected-access
    command_id = client.run_command(shell_id, encoded[0], encoded[1:])
    stdout, stderr, code = client.get_command_output(shell_id, command_id)
    assert code == 1 and stdout == b''
    assert stderr.startswith(b'winnet_harness: a script the simulated host does not run')


def test_wrong_credentials_are_refused(endpoint):
    _host, url = endpoint
    with pytest.raises(InvalidCredentialsError):
        protocol(url, password='wrong').open_shell()


def test_an_unknown_host_and_an_unknown_shell_are_soap_faults(endpoint):
    _host, url = endpoint
    with pytest.raises(WSManFaultError) as unknown_host:
        protocol(url.replace('web25-01', 'web25-99')).open_shell()
    with pytest.raises(WSManFaultError) as unknown_shell:
        protocol(url).run_command('00000000-0000-0000-0000-000000000000', 'ipconfig')
    assert unknown_host.value.reason == "no simulated host 'web25-99' under this endpoint"
    assert unknown_shell.value.reason == 'no shell 00000000-0000-0000-0000-000000000000 on this host'
    assert unknown_shell.value.wsman_fault_code == wsman.FAULT_INVALID_SELECTORS


def test_a_host_that_drops_the_connection_closes_it_without_an_answer(endpoint):
    host, url = endpoint
    client = protocol(url)
    shell_id = client.open_shell()
    host.set_faults(drop_after_operations=1)
    plan = {'plan': {'operations': [ADDRESS, dict(ADDRESS, address='198.51.100.32')]}}
    with pytest.raises(requests.exceptions.ConnectionError):
        run(client, shell_id, module_input('net_apply', plan))
    # the shell is gone with the connection: every later message of it is dropped too
    with pytest.raises(requests.exceptions.ConnectionError):
        client.close_shell(shell_id)
    assert [a['address'] for a in host.state()['addresses'] if a['address'].startswith('198.51.100.3')] == ['198.51.100.31'] * 2
    host.set_faults(refuse_connections=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        protocol(url).open_shell()


def test_start_and_stop_run_the_endpoint_in_its_own_process(tmp_path):
    state_file = str(tmp_path / 'wsman.json')
    started = wsman.start(str(tmp_path / 'hosts'), state_file, 'ansible', 'secret', lifetime=30)
    try:
        answer = requests.post('http://127.0.0.1:%d/wsman/none' % started['port'], data=b'<x/>', timeout=5,
                               headers={'Authorization': 'Basic ' + base64.b64encode(b'ansible:secret').decode('ascii')})
        assert answer.status_code == 500 and b'not XML' not in answer.content and b'SOAP 1.2' in answer.content
    finally:
        assert wsman.stop(state_file) == {'stopped': True}
    assert wsman.stop(state_file) == {'stopped': False}
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post('http://127.0.0.1:%d/wsman/none' % started['port'], data=b'', timeout=5)
