# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""net_info returns raw reads, and its PowerShell holds no value maps and takes no decision.

``fixtures/net_info_*.json`` is what net_info.ps1 returns for a realistic host: the bundle of raw
reads (WinnetState.psm1), the raw Find-NetRoute objects of each probe, and the raw connection
facts. The controller normalises them (plugins/module_utils/bundle.py, tested with the action
plugin); here the result's shape is checked, and the PowerShell is read statically: each read keeps
exactly the properties the normaliser documents (``netroute_json.BUNDLE_PROPERTIES``), no
hashtable maps values, and the module and its util compare nothing to schema words. The same
result then runs through the net_info action plugin (the module call mocked to return it): the
state it gives is canonical schema v1 with schema words only, and the engine answers the probes
as Windows' Find-NetRoute did.
"""

from __future__ import annotations

import copy
import glob
import importlib.util
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
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import BUNDLE_PROPERTIES, BUNDLE_READS, BUNDLE_SCHEMA
from ansible_collections.winnet.routing.plugins.module_utils.ops import COMPONENTS

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = sorted(glob.glob(os.path.join(HERE, 'fixtures', 'net_info_*.json')))
COLLECTION = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
MODULE = os.path.join(COLLECTION, 'plugins', 'modules', 'net_info.ps1')
READS = os.path.join(COLLECTION, 'plugins', 'module_utils', 'WinnetState.psm1')
APPLY = os.path.join(COLLECTION, 'plugins', 'modules', 'net_apply.ps1')
PSCHECK_PY = os.path.join(COLLECTION, 'tests', 'tools', 'pscheck.py')
# WinnetState.psm1 variable -> the reads that keep its properties
PROPERTY_LISTS = {
    '$ipInterfaceProperties': ('ip_interfaces',), '$adapterProperties': ('adapters',),
    '$addressProperties': ('ip_addresses', 'ip_addresses_persistent'), '$routeProperties': ('routes', 'routes_persistent'),
    '$dnsClientProperties': ('dns_clients',), '$bindingProperties': ('bindings',), '$netbiosProperties': ('netbios',),
    '$statisticsProperties': ('statistics',), '$firewallRuleProperties': ('firewall_rules',),
}


def _load_pscheck():
    spec = importlib.util.spec_from_file_location('winnet_routing_pscheck_for_net_info', PSCHECK_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PSCHECK = _load_pscheck()


def _parse(path):
    with open(path, 'rb') as handle:
        tree = PSCHECK.parse(handle.read())
    assert not PSCHECK.syntax_errors(tree, path)
    return tree


def _assignments(tree):
    found = {}
    for node in PSCHECK.walk(tree.root_node):
        if node.type == 'assignment_expression':
            target = PSCHECK.unwrap(node.children[0])
            if target.type == 'variable':
                found.setdefault(PSCHECK.text(target).lower(), []).append(node.children[-1])
    return found


def test_there_is_a_fixture():
    assert FIXTURES


@pytest.fixture(params=FIXTURES, ids=[os.path.basename(p) for p in FIXTURES])
def result(request):
    with open(request.param, encoding='utf-8') as handle:
        return json.load(handle)


def test_result_holds_raw_reads(result):
    assert result['changed'] is False
    assert set(result) == {'changed', 'invocation', 'bundle', 'probes', 'connection'}
    bundle = result['bundle']
    assert bundle['schema'] == BUNDLE_SCHEMA
    assert set(bundle['reads']) == set(BUNDLE_READS)
    for read, objects in bundle['reads'].items():
        for row in objects if isinstance(objects, list) else [objects]:
            assert set(row) == set(BUNDLE_PROPERTIES[read]), read
    asked = result['invocation']['module_args']['probes']
    assert [p['destination'] for p in result['probes']] == [p['destination'] for p in asked]
    assert set(result['connection']) == {'ssh_connection', 'tcp', 'errors'}


def test_each_read_keeps_the_documented_properties():
    assigned = _assignments(_parse(READS))
    for variable, reads in PROPERTY_LISTS.items():
        (value,) = assigned[variable.lower()]
        for read in reads:
            assert PSCHECK.static_value(value) == list(BUNDLE_PROPERTIES[read]), (variable, read)


def test_the_bundle_names_every_read_once():
    text = open(READS, encoding='utf-8').read()
    named = re.findall(r"-Read '(\w+)'", text)
    assert sorted(named) == sorted(BUNDLE_READS)
    assert re.search(r"^\$bindingComponents = @\(([^)]*)\)$", text, re.M).group(1) == ', '.join("'%s'" % c for c in COMPONENTS)


GUIDE = os.path.join(COLLECTION, 'docs', 'docsite', 'rst', 'guide_exported_state.rst')


def test_the_guide_documents_every_read_and_property():
    # The bundle's shape is documented for people who hand over a file written by
    # Export-WinnetBundle: the table lists each read with the properties it keeps.
    text = open(GUIDE, encoding='utf-8').read()
    table = text[text.index('The shape of the bundle'):]
    rows = re.split(r'\n   \* - ', table)[1:]
    documented = {}
    for row in rows:
        row = row.split('\n\n')[0]
        cells = [' '.join(cell.split()) for cell in re.split(r'\n     - ', row)]
        properties = re.split(r'[,;] ', re.sub(r'\s*\(the rule\'s Name\)', '', cells[2]))
        for read in re.findall(r'``(\w+)``', cells[0]):
            documented[read] = properties
    assert sorted(documented) == sorted(BUNDLE_READS)
    for read, properties in documented.items():
        assert set(BUNDLE_PROPERTIES[read]) <= set(properties), read
    assert 'Export-WinnetBundle -Path' in text and BUNDLE_SCHEMA in text


# The words of the HostState schema that a normaliser would produce from Windows' values.
SCHEMA_WORDS = (set(INTERFACE_KINDS) | set(NETBIOS_OPTIONS) | set(ROUTE_PROTOCOLS) | set(ADDRESS_STATES)
                | {'ipv4', 'ipv6', 'well_known', 'router_advertisement', 'active', 'persistent', 'random', 'link', 'manual'})


@pytest.mark.parametrize('path', [MODULE, READS], ids=os.path.basename)
def test_the_reads_hold_no_value_map_and_no_schema_word(path):
    # Every schema word comes from the controller's normaliser: a literal such as 'ipv4' or
    # 'loopback_pseudo' in the reads would be a value map or a classification in PowerShell.
    tree = _parse(path)
    for node in PSCHECK.walk(tree.root_node):
        if node.type == 'verbatim_string_characters':
            assert PSCHECK.static_value(node) not in SCHEMA_WORDS, PSCHECK.text(node)
        if node.type == 'hash_literal_expression':
            try:
                value = PSCHECK.static_value(node)
            except PSCHECK.NotStatic:
                continue
            literal_pairs = [k for k, v in value.items() if isinstance(v, (str, bool)) and not isinstance(v, dict)]
            assert len(literal_pairs) < 2 or path == MODULE, 'a hashtable of literals (a value map?): %s' % PSCHECK.text(node)[:80]


# ------------------------------------------------------------------------- through the action plugin
# The host-wide findings of each golden host, as its administrator would read its state:
# SQL22-07's static default route (netmgmt) is in force but not in the PersistentStore, so a reboot drops it.
EXPECTED_FINDINGS = {
    'SQL22-07': {'persistent_active_drift'},
}
PROBE_KEYS = {'destination', 'requested_source', 'answered', 'error', 'source', 'interface', 'interface_alias', 'route'}


def gather(module_result):
    """Run the net_info action plugin on a live host whose module returns ``module_result``.

    Returns (the action's result, the mock of the module call)."""
    task = mock.MagicMock()
    task.args = {'probes': copy.deepcopy(module_result['invocation']['module_args']['probes'])}
    task.async_val = 0
    task.check_mode = False
    task.action = 'winnet.routing.net_info'
    loader = DataLoader()
    action = net_info.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                                   templar=Templar(loader=loader), shared_loader_obj=None)
    with mock.patch.object(action, '_execute_module', return_value=copy.deepcopy(module_result)) as execute:
        gathered = action.run(task_vars={'inventory_hostname': module_result['bundle']['hostname'].lower()})
    return gathered, execute


@pytest.fixture(params=FIXTURES, ids=[os.path.basename(p) for p in FIXTURES])
def golden(request):
    """(what the module returns, what the action plugin makes of it)."""
    with open(request.param, encoding='utf-8') as handle:
        module_result = json.load(handle)
    return module_result, gather(module_result)[0]


def test_the_module_is_called_with_the_task_arguments(golden):
    module_result, _gathered = golden
    _gathered, execute = gather(module_result)
    assert execute.call_count == 1
    assert execute.call_args.kwargs['module_name'] == 'winnet.routing.net_info'
    asked = module_result['invocation']['module_args']['probes']
    assert execute.call_args.kwargs['module_args'] == {'probes': [{'destination': p['destination'], 'source': p['source']} for p in asked],
                                                       'connection_ports': [5985, 5986]}


def test_the_action_result_holds_the_normalised_state(golden):
    _module_result, gathered = golden
    assert gathered['changed'] is False
    assert set(gathered) >= {'changed', 'state', 'probes', 'ansible_facts', 'connection'}
    assert gathered['state']['schema'] == 'winnet.routing/v1'
    assert gathered['ansible_facts']['winnet_state'] == gathered['state']
    assert gathered['ansible_facts']['winnet_round_trips'] == 1
    # canonical schema v1: loading and dumping again changes nothing
    loaded = HostState.from_dict(gathered['state'])
    assert loaded.to_dict() == gathered['state']
    assert HostState.from_dict(loaded.to_dict()) == loaded


def test_the_engine_answers_the_probes_as_find_netroute_did(golden):
    _module_result, gathered = golden
    record = report.evaluate_host(gathered['state']['hostname'], gathered['state'], probes=gathered['probes'])
    for comparison, probe in zip(record['probes'], gathered['probes']):
        if probe['answered']:
            # Windows found a route: the engine finds the same interface, route and source
            assert (comparison['agree'], comparison['differences']) == (True, []), comparison
        else:
            # Windows gave no answer (the golden result records a failed probe): the audit reports it
            assert comparison['differences'] == ['not answered'], comparison
    disagreements = [f for f in record['findings'] if f['id'] == 'find_netroute_disagrees']
    assert len(disagreements) == sum(1 for p in gathered['probes'] if not p['answered'])


def test_the_gathered_state_evaluates_through_the_filters(golden):
    state = golden[1]['state']
    findings = route_findings(state)
    assert all(set(f) >= {'id', 'severity', 'message', 'remediation', 'interfaces', 'routes'} for f in findings)
    assert {f['id'] for f in findings} == EXPECTED_FINDINGS[state['hostname']]


def test_the_gathered_state_lists_every_route(golden):
    state = golden[1]['state']
    without = HostState.from_dict(state, add_system_routes=False)
    with_system = HostState.from_dict(state)
    assert len(with_system.routes) == len(without.routes) == len(state['routes'])


def test_enumerations_are_schema_words(golden):
    state = golden[1]['state']
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


def test_addresses_have_no_zone_and_temporary_follows_origins(golden):
    for addr in golden[1]['state']['addresses']:
        assert '%' not in addr['address']
        expected = addr.get('suffix_origin') == 'random' and addr.get('prefix_origin') == 'router_advertisement'
        assert addr['temporary'] is expected


def test_the_pseudo_interface_holds_the_loopback_addresses(golden):
    state = golden[1]['state']
    pseudo = [i for i in state['interfaces'] if i['kind'] == 'loopback_pseudo']
    assert [i['index'] for i in pseudo] == [1]
    assert 'mac' not in pseudo[0]
    holders = {a['interface'] for a in state['addresses'] if a['address'] in ('127.0.0.1', '::1')}
    assert holders == {1}


def test_every_adapter_records_its_bindings(golden):
    # the components set_binding can change, for every interface that has a network adapter
    for iface in golden[1]['state']['interfaces']:
        if 'mac' in iface:
            assert set(iface['bindings']) <= set(COMPONENTS), iface['alias']
            assert iface['netbios'] in NETBIOS_OPTIONS, iface['alias']


def test_unbound_routes_are_kept_apart(golden):
    state = golden[1]['state']
    indexes = {i['index'] for i in state['interfaces']}
    for route in state.get('unbound_routes', []):
        assert route['interface'] not in indexes


def test_the_probes_are_answered_in_the_order_asked(golden):
    module_result, gathered = golden
    probes = gathered['probes']
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
