# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test of benchmarks/bench_engine.py on tiny sizes: shapes and agreement, never times."""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
BENCH = os.path.join(ROOT, 'benchmarks', 'bench_engine.py')


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location('winnet_bench_engine', BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module's annotations through sys.modules
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope='module')
def col(bench):
    return bench.Collection()


@pytest.fixture(scope='module')
def tiny(bench):
    return bench.Config(sizes=(60, 120), interfaces=4, destinations=40, linear_destinations=10, fleet_hosts=3,
                        fleet_routes=60, fleet_interfaces=2, memory_hosts=2, repeats=1, seed=7)


def test_generated_state_is_valid_and_sized(bench, col):
    data = bench.make_state(150, interfaces=16, seed=3)
    assert len(data['routes']) == 150
    state = col.from_dict(data)
    assert len(state.interfaces) == 17
    assert 150 < len(state.routes) <= 150 + bench.system_route_count(16)
    lengths = {r.prefix_length for r in state.routes}
    assert {0, 24, 32, 128} <= lengths
    assert bench.make_state(150, interfaces=16, seed=3) == data


def test_fleet_hosts_have_the_requested_route_count(bench, col):
    fleet = bench.make_fleet(2, 80, 3, seed=1)
    assert all(75 <= len(col.from_dict(s).routes) <= 80 for s in fleet)


def test_source_address_is_on_a_strong_host_interface(bench, col):
    state = col.from_dict(bench.make_state(30, interfaces=4, seed=1))
    engine = col.Engine(state)
    for family, text in bench.source_addresses().items():
        result = engine.lookup('2001:db8::1' if family == 'ipv6' else '10.1.2.3', source=text)
        assert result['source'] == text
        assert 'weak_host_send' not in result['flags']


def test_baselines_pick_the_engine_winner(bench, col):
    data = bench.make_state(300, interfaces=6, seed=11)
    state = col.from_dict(data)
    destinations = bench.make_destinations(data, 60, seed=5)
    base = bench.measure_baselines(col, state, destinations, 60, 1)
    assert base['checked'] == 60
    assert base['agree'] is True


def test_tiny_run_reports_every_measure(bench, col, tiny):
    rows = bench.run(tiny, col, child=False)
    names = [r.measure for r in rows]
    assert len(names) == len(set(names))
    assert any(n.startswith('index build') for n in names)
    assert any(n.startswith('select vs linear') for n in names)
    assert any(n.startswith('findings: route_findings filter') for n in names)
    assert any(n.startswith('memory: per host') for n in names)
    for row in rows:
        assert row.result in ('PASS', 'MISS', 'info', 'skipped')
        assert (row.goal is None) == (row.op is None)
        if row.value is not None:
            assert row.value >= 0
    agree = [r for r in rows if r.unit == 'bool']
    assert [r.result for r in agree] == ['PASS']
    table = bench.format_table(rows)
    assert len(table.splitlines()) == len(rows) + 2


def test_memory_child_prints_json(bench, tiny):
    result = bench.memory_in_child(tiny, 'host')
    assert set(result) == {'per_host', 'peak'}
    assert result['per_host'] > 0


def test_main_writes_json_and_exit_codes(bench, tmp_path, capsys):
    path = tmp_path / 'out.json'
    argv = ['--sizes', '40,80', '--destinations', '30', '--linear', '5', '--hosts', '2', '--repeats', '1', '--no-memory', '--json', str(path)]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert 'measure' in out and 'result' in out
    report = json.loads(path.read_text())
    assert report['config']['sizes'] == [40, 80]
    assert {'measure', 'value', 'goal', 'ratio', 'result'} <= set(report['rows'][0])
    missed = [r for r in report['rows'] if r['result'] == 'MISS']
    assert bench.main(argv + ['--check']) == (1 if missed else 0)


def test_format_helpers(bench):
    row = bench.Row('x', 0.5, 's', 1.0, '<')
    assert (row.result, row.ratio) == ('PASS', 0.5)
    assert bench.Row('y', 50.0, 'x', 100.0, '>=').result == 'MISS'
    assert bench.Row('z', None, 'us').result == 'skipped'
    assert bench.format_value(0.0000015, 'us') == '1.50 us'
    assert bench.format_value(2.0, 's') == '2.000 s'
