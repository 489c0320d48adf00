"""The gate's coverage floor: per-package figures from coverage.py's JSON report, the floor check,
the floor that is only ever raised, and the decision lines not covered."""

from __future__ import annotations


def entry(statements, covered, branches, covered_branches, missing_branches=()):
    return {'summary': {'num_statements': statements, 'covered_lines': covered, 'num_branches': branches,
                        'covered_branches': covered_branches}, 'missing_branches': [list(arc) for arc in missing_branches]}


def test_floor_percent_rounds_down(gate):
    assert gate.floor_percent(2, 3) == 66.6
    assert gate.floor_percent(999, 1000) == 99.9
    assert gate.floor_percent(0, 0) == 100.0
    assert gate.floor_percent(5, 5) == 100.0


def test_coverage_files_keeps_the_measured_packages(gate, tmp_path, monkeypatch):
    copy = tmp_path / 'ansible_collections' / 'winnet' / 'routing'
    monkeypatch.chdir(tmp_path)
    report = {'files': {
        'ansible_collections/winnet/routing/plugins/module_utils/engine.py': entry(10, 9, 4, 3),
        str(copy / 'plugins' / 'plugin_utils' / 'change.py'): entry(5, 5, 2, 2),
        'ansible_collections/winnet/routing/tests/unit/conftest.py': entry(3, 3, 0, 0),
    }}
    assert sorted(gate.coverage_files(report, str(copy))) == ['plugins/module_utils/engine.py', 'plugins/plugin_utils/change.py']


def test_summary_per_package_and_total(gate):
    files = {'plugins/module_utils/a.py': entry(10, 9, 4, 3), 'plugins/module_utils/b.py': entry(10, 10, 6, 6),
             'plugins/plugin_utils/c.py': entry(4, 2, 2, 1)}
    summary = gate.coverage_summary(files)
    assert summary['plugins/module_utils'] == {'statements': 20, 'covered_lines': 19, 'num_branches': 10, 'covered_branches': 9,
                                               'lines': 95.0, 'branches': 90.0}
    assert summary['plugins/plugin_utils'] == {'statements': 4, 'covered_lines': 2, 'num_branches': 2, 'covered_branches': 1,
                                               'lines': 50.0, 'branches': 50.0}
    assert (summary['total']['lines'], summary['total']['branches']) == (87.5, 83.3)


def test_the_floor_fails_under_and_says_when_it_can_be_raised(gate):
    summary = {'plugins/module_utils': {'lines': 95.0, 'branches': 90.0}, 'total': {'lines': 90.0, 'branches': 85.0}}
    problems, raisable = gate.compare_with_floor(summary, {'plugins/module_utils': {'lines': 95.0, 'branches': 90.1},
                                                           'total': {'lines': 89.0}})
    assert problems == ['plugins/module_utils branches coverage 90.0% is under the floor 90.1% (tests/coverage_floor.json)']
    assert raisable == ['total lines 90.0% > 89.0%']
    problems, _raisable = gate.compare_with_floor(summary, {'plugins/gone': {'lines': 1.0}})
    assert problems == ['plugins/gone: in tests/coverage_floor.json but not measured']


def test_the_floor_is_only_ever_raised(gate):
    summary = {'plugins/module_utils': {'lines': 95.0, 'branches': 91.0}, 'plugins/plugin_utils': {'lines': 80.0, 'branches': 70.0},
               'total': {'lines': 94.0, 'branches': 90.0}}
    floor = {'plugins/module_utils': {'lines': 96.0, 'branches': 90.0}, 'plugins/plugin_utils': {'lines': 70.0, 'branches': 75.0}}
    assert gate.raised_floor(summary, floor) == {
        'plugins/module_utils': {'lines': 96.0, 'branches': 91.0}, 'plugins/plugin_utils': {'lines': 80.0, 'branches': 75.0},
        'total': {'lines': 94.0, 'branches': 90.0}}


def test_uncovered_decisions_name_the_line_its_targets_and_source(gate, tmp_path):
    source = tmp_path / 'plugins' / 'module_utils' / 'a.py'
    source.parent.mkdir(parents=True)
    source.write_text('def f(x):\n    if x:\n        return 1\n    for i in x:\n        pass\n    return 2\n', encoding='utf-8')
    files = {'plugins/module_utils/a.py': entry(6, 5, 4, 1, missing_branches=[(2, 3), (4, 5), (4, -1)]),
             'plugins/module_utils/b.py': entry(1, 1, 0, 0)}
    decisions = gate.uncovered_decisions(files, str(tmp_path))
    assert decisions == {'plugins/module_utils/a.py': [(2, ['3'], 'if x:'), (4, ['5', 'exit'], 'for i in x:')]}
    assert gate.decision_detail_lines(decisions) == ['plugins/module_utils/a.py:2: never to 3: if x:',
                                                     'plugins/module_utils/a.py:4: never to 5, exit: for i in x:']
    lines = gate.coverage_report_lines(gate.coverage_summary(files), {}, decisions)
    assert lines[-2:] == ['2 decision line(s) with a branch never taken:', '  plugins/module_utils/a.py: 2 (->3), 4 (->5,exit)']
