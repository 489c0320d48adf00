# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test of benchmarks/bench_audit.py on a handful of hosts: valid inputs, complete figures, never times."""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
BENCH = os.path.join(ROOT, 'benchmarks', 'bench_audit.py')


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location('winnet_bench_audit', BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_generated_inventory_is_valid_and_varied(bench, tmp_path):
    path = bench.build_inventory(str(tmp_path), 12, seed=3)
    with open(path, encoding='utf-8') as handle:
        hosts = json.load(handle)['all']['hosts']
    assert len(hosts) == 12
    names = set()
    for name, hostvars in hosts.items():
        with open(os.path.join(str(tmp_path), hostvars['winnet_snapshot']), encoding='utf-8') as handle:
            state = HostState.from_dict(json.load(handle))
        names.add(state.hostname)
        assert 'audit_flows' in hostvars or 'winnet_flows' in hostvars or 'audit_dsr' in hostvars, name
    assert len(names) == 12
    assert bench.build_inventory(str(tmp_path / 'again'), 12, seed=3) and \
        json.loads((tmp_path / 'again' / 'hosts.json').read_text(encoding='utf-8'))['all']['hosts'] == hosts


def test_report_generation(bench, tmp_path):
    path = bench.build_inventory(str(tmp_path), 6, seed=1)
    figures = bench.report_generation(path, str(tmp_path / 'report'))
    assert figures['summary']['hosts'] == 6 and figures['total'] > 0
    assert sorted(os.listdir(tmp_path / 'report')) == ['fleet.json', 'hosts', 'junit.xml', 'report.html']


def test_measure_runs_both_playbooks(bench, tmp_path, capsys):
    out = tmp_path / 'figures.json'
    assert bench.main(['--hosts', '3', '--json', str(out)]) == 0
    printed = capsys.readouterr().out
    assert 'ratio audit / debug play' in printed and 'hosts reported 3 of 3' in printed
    result = json.loads(out.read_text(encoding='utf-8'))['result']
    assert result['audit_exit'] == 0 and result['debug_exit'] == 0
    assert result['audit_peak_mb'] > 0 and result['ratio'] > 0
    assert {'measure', 'value', 'goal', 'pass'} <= set(json.loads(out.read_text(encoding='utf-8'))['rows'][0])
