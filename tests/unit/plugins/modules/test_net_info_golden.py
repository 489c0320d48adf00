# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""net_info returns raw reads, and its PowerShell holds no value maps and takes no decision.

``fixtures/net_info_*.json`` is what net_info.ps1 returns for a realistic host: the bundle of raw
reads (WinnetState.psm1), the raw Find-NetRoute objects of each probe, and the raw connection
facts. The controller normalises them (plugins/module_utils/bundle.py, tested with the action
plugin); here the result's shape is checked, and the PowerShell is read statically: each read keeps
exactly the properties the normaliser documents (``netroute_json.BUNDLE_PROPERTIES``), no
hashtable maps values, and the module and its util compare nothing to schema words.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import re

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import ADDRESS_STATES, INTERFACE_KINDS, NETBIOS_OPTIONS, ROUTE_PROTOCOLS
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
