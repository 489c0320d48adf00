# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Golden results of the net_info module, run through the collection's code.

Each ``fixtures/net_info_*.json`` is what net_info.ps1 returns for a realistic host. The tests
run it through the net_info action plugin (the module call mocked to return the golden result),
which is what turns the gathered data into the HostState a playbook gets, and check that result:
the state is canonical schema v1 (loading and dumping it again changes nothing, and the loader
has no system route to add, since a gathered state lists every route), the fact is set, the
probes are kept, and the engine answers on the gathered state as Windows' Find-NetRoute did.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
from unittest import mock

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import net_info
from ansible_collections.winnet.routing.plugins.filter.route_findings import route_findings
from ansible_collections.winnet.routing.plugins.module_utils import report
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import (
    ADDRESS_STATES,
    INTERFACE_KINDS,
    NETBIOS_OPTIONS,
    ROUTE_PROTOCOLS,
    HostState,
)
from ansible_collections.winnet.routing.plugins.module_utils.ops import COMPONENTS

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = sorted(glob.glob(os.path.join(HERE, 'fixtures', 'net_info_*.json')))
COLLECTION = os.path.join(HERE, '..', '..', '..', '..')
# net_info.ps1 and the state gathering it shares with net_apply.ps1.
MODULE_SOURCES = (
    os.path.join(COLLECTION, 'plugins', 'modules', 'net_info.ps1'),
    os.path.join(COLLECTION, 'plugins', 'module_utils', 'WinnetState.psm1'),
)
# The host-wide findings of each golden host, as its administrator would read its state: SQL22-07's
# static default route (netmgmt) is in force but not in the PersistentStore, so a reboot drops it.
EXPECTED_FINDINGS = {
    'SQL22-07': {'persistent_active_drift'},
}
PROBE_KEYS = {'destination', 'requested_source', 'answered', 'error', 'source', 'interface', 'interface_alias', 'route'}


def _load(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def test_there_is_a_golden_fixture():
    assert FIXTURES


def gather(module_result):
    """Run the net_info action plugin on a live host whose module returns ``module_result``.

    Returns (the action's result, the mock of the module call)."""
    task = mock.MagicMock()
    task.args = copy.deepcopy(module_result['invocation']['module_args'])
    task.async_val = 0
    task.check_mode = False
    task.action = 'winnet.routing.net_info'
    loader = DataLoader()
    action = net_info.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                                   templar=Templar(loader=loader), shared_loader_obj=None)
    with mock.patch.object(action, '_execute_module', return_value=copy.deepcopy(module_result)) as execute:
        result = action.run(task_vars={'inventory_hostname': module_result['state']['hostname'].lower()})
    return result, execute


@pytest.fixture(params=FIXTURES, ids=[os.path.basename(p) for p in FIXTURES])
def golden(request):
    """(what the module returns, what the action plugin makes of it)."""
    module_result = _load(request.param)
    return module_result, gather(module_result)[0]


@pytest.fixture
def result(golden):
    return golden[1]


def test_the_module_is_called_with_the_task_arguments(golden):
    module_result, _result = golden
    _result, execute = gather(module_result)
    assert execute.call_count == 1
    assert execute.call_args.kwargs['module_name'] == 'winnet.routing.net_info'
    asked = module_result['invocation']['module_args']['probes']
    assert execute.call_args.kwargs['module_args'] == {'probes': [{'destination': p['destination'], 'source': p['source']} for p in asked],
                                                       'connection_ports': [5985, 5986]}


def test_result_shape(result):
    assert result['changed'] is False
    assert set(result) >= {'changed', 'state', 'probes', 'ansible_facts'}
    assert result['state']['schema'] == 'winnet.routing/v1'
    assert result['ansible_facts'] == {'winnet_state': result['state'], 'winnet_round_trips': 1, 'winnet_state_actual': None}


def test_state_is_canonical_schema_v1(golden):
    module_result, result = golden
    # the action's loader gives back exactly what the module gathered: it was canonical already
    assert result['state'] == module_result['state']
    loaded = HostState.from_dict(result['state'])
    assert loaded.to_dict() == result['state']
    assert HostState.from_dict(loaded.to_dict()) == loaded


def test_the_probes_are_returned_as_gathered(golden):
    module_result, result = golden
    assert result['probes'] == module_result['probes']


def test_the_engine_answers_the_probes_as_find_netroute_did(result):
    record = report.evaluate_host(result['state']['hostname'], result['state'], probes=result['probes'])
    for comparison, probe in zip(record['probes'], result['probes']):
        if probe['answered']:
            # Windows found a route: the engine finds the same interface, route and source
            assert (comparison['agree'], comparison['differences']) == (True, []), comparison
        else:
            # Windows gave no answer (the golden result records a failed probe): the audit reports it
            assert comparison['differences'] == ['not answered'], comparison
    disagreements = [f for f in record['findings'] if f['id'] == 'find_netroute_disagrees']
    assert len(disagreements) == sum(1 for p in result['probes'] if not p['answered'])


def test_the_gathered_state_evaluates_through_the_filters(result):
    findings = route_findings(result['state'])
    assert all(set(f) >= {'id', 'severity', 'message', 'remediation', 'interfaces', 'routes'} for f in findings)
    assert {f['id'] for f in findings} == EXPECTED_FINDINGS[result['state']['hostname']]


def test_gathered_state_lists_every_route(result):
    state = result['state']
    without = HostState.from_dict(state, add_system_routes=False)
    with_system = HostState.from_dict(state)
    assert len(with_system.routes) == len(without.routes) == len(state['routes'])


def test_enumerations_are_schema_words(result):
    state = result['state']
    assert {i['kind'] for i in state['interfaces']} <= set(INTERFACE_KINDS)
    assert {a['state'] for a in state['addresses']} <= set(ADDRESS_STATES)
    assert {r['protocol'] for r in state['routes']} <= set(ROUTE_PROTOCOLS)
    assert {r['store'] for r in state['routes']} == {'active', 'persistent'}
    for iface in state['interfaces']:
        for family in ('ipv4', 'ipv6'):
            settings = iface.get(family)
            if settings is None:
                continue
            for key in ('automatic_metric', 'weak_host_send', 'weak_host_receive', 'forwarding', 'ignore_default_routes', 'dhcp'):
                assert isinstance(settings[key], bool), (iface['alias'], family, key)


def test_addresses_have_no_zone_and_temporary_follows_origins(result):
    for addr in result['state']['addresses']:
        assert '%' not in addr['address']
        expected = addr.get('suffix_origin') == 'random' and addr.get('prefix_origin') == 'router_advertisement'
        assert addr['temporary'] is expected


def test_kinds_come_from_component_id_and_addresses(result):
    state = result['state']
    pseudo = [i for i in state['interfaces'] if i['kind'] == 'loopback_pseudo']
    assert [i['index'] for i in pseudo] == [1]
    assert 'mac' not in pseudo[0]
    holders = {a['interface'] for a in state['addresses'] if a['address'] in ('127.0.0.1', '::1')}
    assert holders == {1}


def test_every_adapter_records_its_bindings(result):
    # the components set_binding can change, for every interface that has a network adapter
    for iface in result['state']['interfaces']:
        if 'mac' in iface:
            assert set(iface['bindings']) <= set(COMPONENTS), iface['alias']
            assert iface['netbios'] in NETBIOS_OPTIONS, iface['alias']
        else:
            assert 'bindings' not in iface and 'netbios' not in iface


def test_module_gathers_exactly_the_contract_components():
    match = re.search(r"^\$bindingComponents = @\(([^)]*)\)$", _module_text(), re.M)
    assert match and re.findall(r"'(\w+)'", match.group(1)) == list(COMPONENTS)


def test_unbound_routes_are_kept_apart(result):
    state = result['state']
    indexes = {i['index'] for i in state['interfaces']}
    for route in state.get('unbound_routes', []):
        assert route['interface'] not in indexes


def test_probes(golden):
    module_result, result = golden
    probes = result['probes']
    asked = module_result['invocation']['module_args']['probes']
    assert [p['destination'] for p in probes] == [p['destination'] for p in asked]
    for probe in probes:
        assert set(probe) == PROBE_KEYS
        if probe['answered']:
            assert probe['error'] is None
            assert set(probe['route']) == {'destination', 'next_hop', 'interface', 'route_metric'}
            assert probe['interface'] == probe['route']['interface']
        else:
            assert probe['error'] and probe['route'] is None


def _module_text():
    texts = []
    for path in MODULE_SOURCES:
        with open(path, encoding='utf-8') as handle:
            texts.append(handle.read())
    return '\n'.join(texts)


def _ps_map(name):
    text = _module_text()
    match = re.search(r'^\$%s = @\{([^\n]*)\}$' % name, text, re.M) or re.search(r'^\$%s = @\{\n(.*?)^\}' % name, text, re.S | re.M)
    assert match, name
    body = match.group(1)
    return dict(re.findall(r"'(\w*)' = '(\w+)'", body))


@pytest.mark.parametrize('name, allowed', [
    ('protocolMap', ROUTE_PROTOCOLS),
    ('addressStateMap', ADDRESS_STATES),
    ('familyMap', ('ipv4', 'ipv6')),
    ('netbiosMap', NETBIOS_OPTIONS),
])
def test_module_maps_produce_schema_words(name, allowed):
    mapping = _ps_map(name)
    assert mapping
    assert set(mapping.values()) <= set(allowed)


def test_module_kinds_are_schema_kinds():
    kinds = set(re.findall(r"\$kind = '(\w+)'", _module_text()))
    assert kinds and kinds <= set(INTERFACE_KINDS)
