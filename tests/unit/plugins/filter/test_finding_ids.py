# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every finding id the collection's documentation promises is produced by a test state.

The documented ids are read from the collection's own docs, so an id documented later is picked
up without touching this file (and fails here until a state below produces it):

* the "Finding reference" table of the guides (docs/docsite/rst/*.rst), with each id's severity;
* the plugin docs: a description that lists "Finding ids", and the description of a returned
  ``findings`` value (``C(id)`` items).

Each id is produced through the public surface: the filter plugins (as Ansible calls them), or
the audit's report functions for the audit's own ids. The states are written out by hand below.
"""

from __future__ import annotations

import ast
import functools
import glob
import importlib
import os
import re
import sys

import pytest
import yaml

from ansible_collections.winnet.routing.plugins.module_utils import report

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'unit', 'plugins', 'module_utils'))
from vectors import host, nic, rt  # noqa: E402  pylint: disable=wrong-import-position

LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
ID = re.compile(r'^[a-z][a-z0-9]*(?:_[a-z0-9<> ]+)+$')
CODE = re.compile(r'C\(([^)]+)\)')


# ------------------------------------------------------------------------------ the documented ids


@functools.lru_cache(maxsize=None)
def reference_table():
    """{id: set of severities} from every "Finding reference" section of the guides."""
    table = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'docs', 'docsite', 'rst', '*.rst'))):
        with open(path, encoding='utf-8') as handle:
            lines = handle.read().splitlines()
        inside = False
        for number, line in enumerate(lines):
            following = lines[number + 1] if number + 1 < len(lines) else ''
            if re.match(r'^[=\-~^]{3,}$', following) and line.strip():
                inside = line.strip() == 'Finding reference'
                continue
            if not inside:
                continue
            row = re.match(r'^\s+\* - ``([^`]+)``\s*$', line)
            if row:
                severity = re.match(r'^\s+- (.+)$', following)
                table[row.group(1)] = set(re.split(r'\s*(?:,|\bor\b)\s*', severity.group(1).strip())) if severity else set()
    return table


def _plugin_docs(path):
    """The DOCUMENTATION and RETURN mappings of a plugin (Python file or YAML sidecar)."""
    if path.endswith('.py'):
        with open(path, encoding='utf-8') as handle:
            tree = ast.parse(handle.read(), path)
        docs = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id in ('DOCUMENTATION', 'RETURN') and isinstance(node.value, ast.Constant):
                docs[node.targets[0].id] = yaml.load(node.value.value, Loader=LOADER) or {}
        return docs
    with open(path, encoding='utf-8') as handle:
        data = yaml.load(handle, Loader=LOADER) or {}
    return {key: data.get(key) or {} for key in ('DOCUMENTATION', 'RETURN')}


def _descriptions(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _walk_return(node, found):
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if isinstance(value, dict):
            if key == 'findings':
                for text in _descriptions(value.get('description')):
                    found.update(item for item in CODE.findall(text) if ID.match(item))
            _walk_return(value.get('contains'), found)


@functools.lru_cache(maxsize=None)
def plugin_doc_ids():
    """{id: plugin file} of the ids listed in the plugins' docs."""
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', 'filter', '*.*')) + glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))):
        if not path.endswith(('.py', '.yml', '.yaml')):
            continue
        docs = _plugin_docs(path)
        ids = set()
        for text in _descriptions((docs.get('DOCUMENTATION') or {}).get('description')):
            if 'Finding ids' in text:
                ids.update(item for item in CODE.findall(text) if ID.match(item))
        _walk_return(docs.get('RETURN') or {}, ids)
        for item in ids:
            found.setdefault(item, os.path.relpath(path, ROOT))
    return found


def dsr_check_ids():
    """The check ids the dsr_check filter documents."""
    docs = _plugin_docs(os.path.join(ROOT, 'plugins', 'filter', 'dsr_check.py'))
    ids = []
    for text in _descriptions(docs['DOCUMENTATION'].get('description')):
        if text.startswith('Checks:'):
            ids.extend(item for item in CODE.findall(text) if ID.match(item))
    return ids


def documented_ids():
    """{id: severities} of every documented finding id, patterns such as dsr_<check id> expanded."""
    table = reference_table()
    ids = {}
    for item, severities in table.items():
        if '<' in item:
            assert item == 'dsr_<check id>', 'unknown id pattern %s in the finding reference' % item
            for check in dsr_check_ids():
                ids['dsr_' + check] = severities
        else:
            ids[item] = severities
    for item in plugin_doc_ids():
        ids.setdefault(item, set())
    return ids


# ------------------------------------------------------------------------------ the public surface


def _filters():
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', 'filter', '*.py'))):
        name = os.path.splitext(os.path.basename(path))[0]
        module = importlib.import_module('ansible_collections.winnet.routing.plugins.filter.' + name)
        found.update(module.FilterModule().filters())
    return found


FILTERS = _filters()


def route_findings(state, **kwargs):
    return FILTERS['route_findings'](state, **kwargs)


def route_lookup(state, destination, **kwargs):
    return FILTERS['route_lookup'](state, destination, **kwargs)['findings']


def flow_check(state, client, destination, arrival_interface):
    return FILTERS['flow_check'](state, client=client, destination=destination, arrival_interface=arrival_interface)['findings']


# ------------------------------------------------------------------------------ the states


def two_nics(mgmt=None, data=None, routes=None, extra=()):
    """Management (3, 10.10.0.20/24) and Data (4, 192.0.2.20/24): the controller network 10.20.0.0/16
    via Management, the default route via Data, unless ``routes`` says otherwise."""
    m = dict({'index': 3, 'alias': 'Management', 'm': 25, 'addrs': ['10.10.0.20/24']}, **(mgmt or {}))
    d = dict({'index': 4, 'alias': 'Data', 'm': 25, 'addrs': ['192.0.2.20/24']}, **(data or {}))
    if routes is None:
        routes = [rt('10.20.0.0/16', '10.10.0.1', 3, 10), rt('0.0.0.0/0', '192.0.2.1', 4, 0)]
    return host(nic(**m), nic(**d), *extra, routes=routes)


def case_default_gateways():
    state = two_nics(routes=[rt('0.0.0.0/0', '10.10.0.1', 3, 0), rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    return route_findings(state)


def case_route_tie():
    state = two_nics(mgmt={'m': 25}, data={'m': 50},
                     routes=[rt('198.51.100.0/24', '10.10.0.1', 3, 25), rt('198.51.100.0/24', '192.0.2.1', 4, 0)])
    return route_findings(state) + route_lookup(state, '198.51.100.7')


def case_persistent_only_route():
    state = two_nics(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '10.10.0.1', 3, 10, store='persistent')])
    return route_findings(state) + route_lookup(state, '198.51.100.7')


def case_next_hop_off_link():
    state = two_nics(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '172.16.0.1', 3, 10)])
    return route_findings(state)


def case_loopback_vip_prefix():
    loop = nic(9, 'loopback', m=5, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.100/24'], skip=['192.0.2.100'])
    state = two_nics(data={'wr': True}, extra=[loop])
    return route_findings(state)


def case_manual_default_ignored():
    state = two_nics(data={'ignore_default': True})
    return route_findings(state) + route_lookup(state, '203.0.113.9')


def case_ambiguous_zone():
    state = two_nics(mgmt={'v6': 25, 'addrs': ['10.10.0.20/24', 'fe80::a/64']}, data={'v6': 25, 'addrs': ['192.0.2.20/24', 'fe80::b/64']})
    return route_lookup(state, 'fe80::99')


def case_bound_source_elsewhere():
    return route_lookup(two_nics(), '192.0.2.20', source='10.10.0.20')


def case_partial_state():
    state = two_nics()
    state['partial'] = ['interfaces.settings']
    flows = [{'client': '10.20.0.15', 'destination': '10.10.0.20', 'arrival_interface': 'Management'}]
    return route_lookup(state, '10.20.0.15', source='10.10.0.20') + route_findings(state, flows=flows)


def case_reply_unroutable():
    return flow_check(two_nics(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)]), '10.20.0.15', '10.10.0.20', 'Management')


def case_reply_no_route():
    return flow_check(two_nics(routes=[]), '10.20.0.15', '10.10.0.20', 'Management')


def case_asymmetric_reply():
    state = two_nics(mgmt={'ws': True}, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    return flow_check(state, '10.20.0.15', '10.10.0.20', 'Management')


def case_drop_strong_host_receive():
    return flow_check(two_nics(), '10.20.0.15', '10.10.0.20', 'Data')


def case_drop_not_local():
    return flow_check(two_nics(), '10.20.0.15', '10.10.0.99', 'Management')


def case_arrival_disconnected():
    return flow_check(two_nics(mgmt={'st': False}), '10.20.0.15', '10.10.0.20', 'Management')


def case_forwarding():
    return flow_check(two_nics(mgmt={'fw': True}), '10.20.0.15', '198.51.100.7', 'Management')


def case_dsr():
    clients = ['203.0.113.50']
    nothing = report.evaluate_host('web', two_nics(), dsr={'vip': '192.0.2.80', 'nic': 'Data', 'clients': clients})
    on_nic = report.evaluate_host('web', two_nics(data={'addrs': ['192.0.2.20/24', '192.0.2.80/24']}),
                                  dsr={'vip': '192.0.2.80', 'nic': 'Data', 'clients': clients})
    # a loopback that holds the VIP but misses the advisory settings
    loop = nic(9, 'loopback', m=254, kind='loopback_adapter', ws=True, addrs=['192.0.2.80/32'])
    advisory = report.evaluate_host('web', two_nics(data={'wr': True}, extra=[loop]), dsr={'vip': '192.0.2.80', 'nic': 'Data', 'clients': clients})
    return nothing['findings'] + on_nic['findings'] + advisory['findings']


def case_find_netroute():
    probe = {'destination': '10.20.0.15', 'answered': True, 'interface': 4, 'interface_alias': 'Data', 'source': '192.0.2.20',
             'route': {'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1'}}
    return report.evaluate_host('web', two_nics(), probes=[probe])['findings']


def case_audit_input():
    flows = [{'client': '10.20.0.15', 'destination': '10.10.0.20', 'arrival_interface': 'Storage'}]
    return report.evaluate_host('web', two_nics(), flows=flows)['findings']


def case_shadowed_route():
    # the /24 on Management is covered by the two /25s of the same interface: it wins for no destination
    state = two_nics(routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('198.51.100.0/24', '10.10.0.1', 3, 10),
                             rt('198.51.100.0/25', '10.10.0.1', 3, 10), rt('198.51.100.128/25', '10.10.0.1', 3, 10)])
    return route_findings(state)


def case_interface_not_pinned():
    # a state read from an export: a stand-in for the interface holding 203.0.113.7, which is Management or Data
    state = two_nics()
    state['interfaces'].append({'index': 2147483647, 'alias': '203.0.113.7', 'index_candidates': [3, 4], 'connected': True,
                                'ipv4': {'metric': 0, 'metric_unknown': True}})
    state['routes'].append(rt('203.0.113.0/24', '0.0.0.0', 2147483647, 281))
    state['partial'] = ['interfaces.index', 'interfaces.metric']
    return route_findings(state)


def case_gather_failed():
    return report.failed_host('web', 'unreachable')['findings']


# id -> the case that produces it, and the severity it has there
CASES = {
    'multiple_default_routes': (case_default_gateways, 'warning'),
    'default_gateways_on_disjoint_interfaces': (case_default_gateways, 'error'),
    'route_tie': (case_route_tie, 'warning'),
    'persistent_active_drift': (case_persistent_only_route, 'warning'),
    'next_hop_not_on_link': (case_next_hop_off_link, 'error'),
    'vip_prefix_route_on_loopback_wins': (case_loopback_vip_prefix, 'error'),
    'manual_default_route_ignored': (case_manual_default_ignored, 'warning'),
    'ambiguous_zone': (case_ambiguous_zone, 'warning'),
    'bound_source_to_other_local_interface': (case_bound_source_elsewhere, 'warning'),
    'partial_state': (case_partial_state, 'info'),
    'reply_unroutable_strong_host_send': (case_reply_unroutable, 'error'),
    'reply_no_route': (case_reply_no_route, 'error'),
    'asymmetric_reply': (case_asymmetric_reply, 'error'),
    'drop_strong_host_receive': (case_drop_strong_host_receive, 'error'),
    'drop_not_local': (case_drop_not_local, 'error'),
    'arrival_interface_disconnected': (case_arrival_disconnected, 'warning'),
    'forwarding_assumption': (case_forwarding, 'info'),
    'find_netroute_disagrees': (case_find_netroute, 'warning'),
    'audit_input_invalid': (case_audit_input, 'error'),
    'audit_gather_failed': (case_gather_failed, 'error'),
    'shadowed_route': (case_shadowed_route, 'warning'),
    'interface_not_pinned': (case_interface_not_pinned, 'warning'),
    'dsr_vip_on_loopback': (case_dsr, 'error'),
    'dsr_nic_weak_host_receive': (case_dsr, 'error'),
    'dsr_loopback_weak_host_send': (case_dsr, 'error'),
    'dsr_loopback_weak_host_receive': (case_dsr, 'info'),
    'dsr_nic_weak_host_send': (case_dsr, 'info'),
    'dsr_reply_via_nic': (case_dsr, 'error'),
    'dsr_vip_prefix': (case_dsr, 'error'),
    'dsr_loopback_routes': (case_dsr, 'error'),
    'dsr_vip_not_on_physical_nic': (case_dsr, 'error'),
    'dsr_vip_skip_as_source': (case_dsr, 'info'),
    'dsr_loopback_dns_registration': (case_dsr, 'info'),
}

DOCUMENTED = documented_ids()
_PRODUCED = {}


def produced_by(case):
    """The findings of a case (each case runs once per test session)."""
    if case not in _PRODUCED:
        _PRODUCED[case] = case()
    return _PRODUCED[case]


def test_the_docs_are_read():
    # the reference table and the plugin docs both list ids; an empty read would prove nothing
    table = reference_table()
    assert len(table) >= 20 and all(table.values()), table
    assert {'multiple_default_routes', 'reply_unroutable_strong_host_send', 'ambiguous_zone'} <= set(plugin_doc_ids())
    assert 'dsr_vip_on_loopback' in DOCUMENTED and 'dsr_loopback_dns_registration' in DOCUMENTED


def test_every_id_in_a_plugin_doc_is_in_the_finding_reference():
    table = reference_table()
    missing = {item: path for item, path in plugin_doc_ids().items() if item not in table}
    assert not missing, 'documented in a plugin but missing from the guides\' "Finding reference" table: %s' % missing


@pytest.mark.parametrize('finding_id', sorted(DOCUMENTED))
def test_a_documented_id_is_produced_by_a_test_state(finding_id):
    assert finding_id in CASES, '%s is documented but no state in %s produces it: add one to CASES' % (finding_id, __file__)
    case, severity = CASES[finding_id]
    produced = [item for item in produced_by(case) if item['id'] == finding_id]
    assert produced, '%s did not produce %s' % (case.__name__, finding_id)
    assert severity in {item['severity'] for item in produced}
    if DOCUMENTED[finding_id]:
        assert {item['severity'] for item in produced} <= DOCUMENTED[finding_id], 'severity differs from the finding reference'
    for item in produced:
        assert item['message'] and isinstance(item['interfaces'], list) and isinstance(item['routes'], list)
        # every finding names its root cause and carries its fix, or None when the change needs a decision
        assert item['cause'] and (item['fix'] is None or set(item['fix']) == {'plan', 'powershell'}), item


def test_every_id_the_states_produce_is_documented():
    produced = {}
    for case, _severity in CASES.values():
        for item in produced_by(case):
            produced.setdefault(item['id'], case.__name__)
    undocumented = {item: case for item, case in produced.items() if item not in DOCUMENTED}
    assert not undocumented, 'finding ids missing from the "Finding reference" table: %s' % undocumented


def test_no_case_is_left_over():
    # a case for an id the docs no longer list is a sign the reference table lost a row
    assert sorted(set(CASES) - set(DOCUMENTED)) == []
