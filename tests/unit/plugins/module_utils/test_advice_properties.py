# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every fix the collection shows is proven, on every example state, test state and 1,000 generated states.

For each finding with a ``fix``, independently of how the engine proved it:

* the plan is what ``winnet.routing.net_apply`` accepts on that host: its operations validate, its
  ``base`` is the hash of that state, and the applier runs them (every precondition holds);
* evaluating the state the plan leads to (the same audit: host-wide checks with the declared roles,
  flows, DSR VIPs) no longer reports the finding, and reports no error that was not there before;
* every ``powershell`` line parses (tree-sitter-powershell), uses only cmdlets and parameters of
  Microsoft's reference (tests/tools/cmdlet_parameters.yml), and names only interfaces, addresses
  and next hops the state has (an address may be one the state holds under another prefix).

A finding is recognised across the change by its id, the check that made it (and the client, for
the flows of a DSR VIP), and, for host-wide findings, the interfaces and routes it names.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import random
import re

import pytest
import yaml

from ansible_collections.winnet.routing.plugins.module_utils import report
from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, state_hash
from ansible_collections.winnet.routing.plugins.module_utils.ops import validate_all

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
PSCHECK_PY = os.path.join(ROOT, 'tests', 'tools', 'pscheck.py')
INVENTORY = os.path.join(ROOT, 'examples', 'inventory', 'hosts.yml')
GENERATED = 1000


def _load_pscheck():
    spec = importlib.util.spec_from_file_location('winnet_routing_pscheck_for_advice', PSCHECK_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PSCHECK = _load_pscheck()
TABLE = PSCHECK.CmdletTable.load()


# ----------------------------------------------------------------------------- the states
def example_hosts():
    """(name, state, flows, dsr, roles) of every host of the example inventory."""
    with open(INVENTORY, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    out = []

    def walk(group):
        for name, hv in (group.get('hosts') or {}).items():
            path = os.path.normpath(os.path.join(os.path.dirname(INVENTORY), hv['winnet_snapshot']))
            with open(path, encoding='utf-8') as handle:
                state = json.load(handle)
            out.append((name, state, hv.get('audit_flows') or hv.get('winnet_flows'), hv.get('audit_dsr'), hv.get('winnet_nic_roles')))
        for child in (group.get('children') or {}).values():
            walk(child or {})
    walk(data['all'])
    return out


def fixture_states():
    """(name, state, None, None, None) of every HostState JSON file among the tests' fixtures."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', '**', '*.json'), recursive=True)):
        if '/output/' in path:
            continue
        try:
            with open(path, encoding='utf-8') as handle:
                data = json.load(handle)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and data.get('schema') == 'winnet.routing/v1':
            try:
                HostState.from_dict(data)
            except WinnetError:
                continue
            out.append((os.path.relpath(path, ROOT), data, None, None, None))
    return out


def _settings(rng, metric):
    return {'metric': metric, 'automatic_metric': False, 'weak_host_send': rng.random() < 0.2, 'weak_host_receive': rng.random() < 0.3,
            'forwarding': False, 'ignore_default_routes': rng.random() < 0.1, 'dhcp': False}


def generated_host(seed):
    """A multi-NIC host, sometimes a DSR real server: random gateways, stores, metrics, static routes,
    weak host settings, a loopback VIP of a random prefix, declared roles, flows and VIPs."""
    rng = random.Random(seed)
    n = rng.randint(2, 4)
    interfaces, addresses, routes = [], [], []
    roles_pool = ['data', 'management', 'storage', 'heartbeat']
    rng.shuffle(roles_pool)
    roles = {}
    for k in range(n):
        index = 3 + 2 * k
        interfaces.append({'index': index, 'alias': 'NIC%d' % (k + 1), 'kind': 'ethernet', 'connected': rng.random() < 0.95,
                           'register_dns': True, 'ipv4': _settings(rng, rng.choice([5, 15, 25, 35]))})
        addresses.append({'address': '10.%d.0.%d' % (k + 1, 10 + k), 'prefix_length': 24, 'interface': index})
        roles['NIC%d' % (k + 1)] = roles_pool[k]
        gateway = '10.%d.0.1' % (k + 1)
        if rng.random() < 0.6:
            store = rng.choice(['both', 'both', 'active', 'persistent'])
            metric = rng.choice([0, 0, 5, 10])
            for copy in (['active', 'persistent'] if store == 'both' else [store]):
                routes.append({'destination': '0.0.0.0/0', 'next_hop': gateway, 'interface': index, 'route_metric': metric, 'store': copy,
                               'protocol': 'netmgmt'})
        for _count in range(rng.randint(0, 2)):
            dest = rng.choice(['172.16.%d.0/24' % rng.randint(0, 3), '192.168.%d.0/24' % rng.randint(0, 3), '203.0.113.0/24'])
            store = rng.choice(['both', 'active', 'persistent'])
            metric = rng.choice([0, 10, 256])
            hop = gateway if rng.random() < 0.85 else '10.99.0.1'
            for copy in (['active', 'persistent'] if store == 'both' else [store]):
                routes.append({'destination': dest, 'next_hop': hop, 'interface': index, 'route_metric': metric, 'store': copy,
                               'protocol': 'netmgmt'})
            if store == 'both' and rng.random() < 0.15:
                routes[-1]['route_metric'] += 7
    dsr = None
    if rng.random() < 0.45:
        loop = 3 + 2 * n
        vip = '10.1.0.%d' % rng.randint(100, 200) if rng.random() < 0.5 else '192.0.2.%d' % rng.randint(100, 200)
        interfaces.append({'index': loop, 'alias': 'loopback', 'kind': 'loopback_adapter', 'connected': True,
                           'register_dns': rng.random() < 0.3, 'ipv4': _settings(rng, 25)})
        if rng.random() < 0.85:
            addresses.append({'address': vip, 'prefix_length': rng.choice([32, 32, 24]), 'interface': loop,
                              'skip_as_source': rng.random() < 0.8})
        dsr = {'vip': vip, 'nic': 'NIC1', 'clients': rng.sample(['203.0.113.50', '10.1.0.77', '198.51.100.9'], rng.randint(1, 2))}
    flows = []
    for _count in range(rng.randint(0, 2)):
        k = rng.randrange(n)
        flows.append({'client': rng.choice(['203.0.113.50', '10.%d.0.99' % (k + 1), '172.16.1.5', '10.20.0.15']),
                      'destination': '10.%d.0.%d' % (k + 1, 10 + k), 'arrival_interface': 'NIC%d' % (rng.randrange(n) + 1)})
    seen = set()
    unique = []
    for route in routes:
        key = (route['destination'], route['next_hop'], route['interface'], route['store'])
        if key not in seen:
            seen.add(key)
            unique.append(route)
    routes = unique
    declared_roles = roles if rng.random() < 0.7 else None
    state = {'schema': 'winnet.routing/v1', 'hostname': 'gen%d' % seed, 'interfaces': interfaces, 'addresses': addresses, 'routes': routes}
    return ('generated %d' % seed, state, flows, dsr, declared_roles)


# ----------------------------------------------------------------------------- the oracle
def identity(item):
    """How a finding is recognised after a change, from its public fields only."""
    if item.get('check') != report.CHECK_HOST:
        return (item['id'], item.get('check'), item.get('client'))
    routes = tuple(sorted((r['destination'], r['next_hop'], r['interface']) for r in item.get('routes') or ()))
    return (item['id'], tuple(item['interfaces']), routes)


def facts(state):
    """The interface indexes, addresses and next hops a state names."""
    host = HostState.from_dict(state)
    return ({i.index for i in host.interfaces}, {a.address for a in host.addresses}, {r.next_hop for r in host.routes})


def check_powershell(lines, state):
    indexes, addresses, hops = facts(state)
    for line in lines:
        tree = PSCHECK.parse(line)
        assert not PSCHECK.syntax_errors(tree, 'fix'), line
        assert not PSCHECK.check_commands(tree, line, 'fix', TABLE, ROOT), line
        assert '<' not in line.split('#')[0], line
        for index in re.findall(r'-InterfaceIndex (\d+)', line):
            assert int(index) in indexes, line
        for address in re.findall(r"-IPAddress '([^']+)'", line):
            assert address in addresses, line
        for hop in re.findall(r"-NextHop '([^']+)'", line):
            assert hop in hops or hop in ('0.0.0.0', '::'), line


def audit(name, state, flows, dsr, roles):
    return report.evaluate_host(name, state, flows=flows, dsr=dsr, nic_roles=roles, snapshot='generated')


def check_host(name, state, flows, dsr, roles):
    """Check every shown fix of one host; returns how many were checked."""
    record = audit(name, state, flows, dsr, roles)
    assert record['gathered'], record['error']
    before_errors = {identity(f) for f in record['findings'] if f['severity'] == 'error'}
    checked = 0
    proven = {}
    for item in record['findings']:
        assert 'cause' in item and 'fix' in item, item
        fix = item['fix']
        if fix is None:
            continue
        plan = fix['plan']
        assert plan['base'] == state_hash(HostState.from_dict(state))
        assert len(fix['powershell']) == len(plan['operations'])
        check_powershell(fix['powershell'], state)
        key = json.dumps(plan, sort_keys=True)
        if key not in proven:
            after_state = apply(HostState.from_dict(state), validate_all(plan['operations'], 'plan.operations')).to_dict()
            after = audit(name, after_state, flows, dsr, roles)
            proven[key] = ({identity(f) for f in after['findings']},
                           [f for f in after['findings'] if f['severity'] == 'error' and identity(f) not in before_errors])
        after_ids, new_errors = proven[key]
        assert identity(item) not in after_ids, (name, item['id'], item['message'], fix['powershell'])
        assert not new_errors, (name, item['id'], fix['powershell'], [(f['id'], f['message']) for f in new_errors])
        checked += 1
    return checked


@pytest.mark.parametrize('host', example_hosts(), ids=lambda h: h[0])
def test_every_fix_on_the_example_inventory_is_proven(host):
    name, state, flows, dsr, roles = host
    check_host(name, state, flows, dsr, roles)
    check_host(name, state, flows, dsr, None)


def test_every_fix_on_the_test_states_is_proven():
    hosts = fixture_states()
    assert len(hosts) > 5
    for name, state, flows, dsr, roles in hosts:
        check_host(name, state, flows, dsr, roles)


CHUNK = 100


@pytest.mark.parametrize('first', range(0, GENERATED, CHUNK))
def test_every_fix_on_generated_states_is_proven(first):
    checked = 0
    with_fix = 0
    for seed in range(first, first + CHUNK):
        count = check_host(*generated_host(seed))
        checked += count
        with_fix += 1 if count else 0
    # The generator must exercise the advice, not only states without findings.
    assert with_fix > CHUNK // 4, with_fix
    assert checked > CHUNK
