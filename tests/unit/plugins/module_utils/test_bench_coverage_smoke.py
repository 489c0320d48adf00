# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test of benchmarks/bench_coverage.py on tiny sizes: shapes and agreement, never times."""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
BENCH = os.path.join(ROOT, 'benchmarks', 'bench_coverage.py')


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location('winnet_bench_coverage', BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_tiny_run_reports_every_measure(bench):
    rows = bench.run(sizes=(80, 320), interfaces=4, repeats=1, netaddr_sample=25)
    names = [r.measure for r in rows]
    assert len(names) == len(set(names))
    assert any(n.startswith('route_coverage filter, ipv4, 320 routes') for n in names)
    assert any(n.startswith('coverage cost per prefix') for n in names)
    assert any(n.startswith('netaddr IPRange.cidrs') for n in names)
    for row in rows:
        assert row.result in ('PASS', 'MISS', 'info', 'skipped')
        assert (row.goal is None) == (row.op is None)
        if row.value is not None:
            assert row.value >= 0
    assert [r.result for r in rows if r.unit == 'bool'] == ['PASS']  # netaddr writes the same CIDRs


def test_main_writes_json_and_exit_codes(bench, tmp_path, capsys):
    path = tmp_path / 'out.json'
    argv = ['--sizes', '50,100', '--repeats', '1', '--netaddr', '10', '--json', str(path)]
    assert bench.main(argv) == 0
    assert 'measure' in capsys.readouterr().out
    report = json.loads(path.read_text())
    assert report['sizes'] == [50, 100]
    assert {'measure', 'value', 'goal', 'ratio', 'result'} <= set(report['rows'][0])
    checked = tmp_path / 'checked.json'
    code = bench.main(argv[:-1] + [str(checked), '--check'])
    missed = [r for r in json.loads(checked.read_text())['rows'] if r['result'] == 'MISS']
    assert code == (1 if missed else 0)
