"""Discovery and reporting helpers of the gate."""

from __future__ import annotations

import json
import textwrap


def write(path, content=''):
    """Write a file, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content), encoding='utf-8')


def test_discover_plugins_reads_filter_names_and_roles(gate, tmp_path):
    write(tmp_path / 'plugins' / 'filter' / 'routing.py', """
        class FilterModule:
            def filters(self):
                return {'route_lookup': len, 'flow_check': len}
        """)
    write(tmp_path / 'plugins' / 'filter' / 'route_lookup.yml', 'DOCUMENTATION: {}\n')
    write(tmp_path / 'plugins' / 'filter' / 'extra_only_doc.yml', 'DOCUMENTATION: {}\n')
    write(tmp_path / 'plugins' / 'modules' / 'net_info.ps1')
    write(tmp_path / 'plugins' / 'modules' / 'net_info.py')
    write(tmp_path / 'plugins' / 'modules' / 'route.py')
    write(tmp_path / 'plugins' / 'modules' / '__init__.py')
    write(tmp_path / 'plugins' / 'action' / 'route.py')
    write(tmp_path / 'plugins' / 'module_utils' / 'engine.py')
    write(tmp_path / 'roles' / 'audit' / 'tasks' / 'main.yml', '[]\n')
    found = gate.discover_plugins(str(tmp_path))
    assert found == {
        'filter': ['extra_only_doc', 'flow_check', 'route_lookup'],
        'module': ['net_info', 'route'],
        'role': ['audit'],
    }


def test_playbook_inventory_comment(gate, tmp_path):
    named = tmp_path / 'a.yml'
    write(named, '# inventory: examples/inventory/hosts.yml\n- hosts: all\n')
    plain = tmp_path / 'b.yml'
    write(plain, '---\n- hosts: localhost\n')
    assert gate.playbook_inventory(str(named)) == 'examples/inventory/hosts.yml'
    assert gate.playbook_inventory(str(plain)) is None


def junit(path, cases):
    """A junit file like ansible-test --junit writes (one suite); cases are (name, outcome, text)."""
    outcomes = {'pass': '', 'skip': '<skipped>%s</skipped>', 'fail': '<failure message="x">%s</failure>', 'error': '<error>%s</error>'}
    body = ''.join('<testcase classname="sanity" name="%s">%s</testcase>' % (name, outcomes[outcome].replace('%s', text))
                   for name, outcome, text in cases)
    write(path, '<?xml version="1.0" ?><testsuites><testsuite name="ansible-test">%s</testsuite></testsuites>' % body)
    return str(path)


def test_junit_results_sort_the_cases(gate, tmp_path):
    files = [junit(tmp_path / 'a.xml', [('pep8', 'fail', 'E303'), ('yamllint', 'pass', '')]),
             junit(tmp_path / 'b.xml', [('pslint', 'skip', 'No tests applicable.'), ('test_x', 'error', 'boom'), ('test_y', 'pass', '')])]
    assert gate.junit_results(files) == {'passed': ['yamllint', 'test_y'], 'failed': ['pep8', 'test_x'], 'skipped': ['pslint']}


def test_get_pip_standin_is_installed_once(gate, tmp_path):
    target = gate.ensure_get_pip_standin(str(tmp_path))
    assert target.startswith(str(tmp_path))
    assert target.endswith('get_pip_%s.py' % gate.ansible_test_pip_version().replace('.', '_'))
    with open(target, encoding='utf-8') as handle:
        assert 'ensurepip' in handle.read()
    with open(target, 'w', encoding='utf-8') as handle:
        handle.write('# kept\n')
    gate.ensure_get_pip_standin(str(tmp_path))
    with open(target, encoding='utf-8') as handle:
        assert handle.read() == '# kept\n'


def test_pwsh_standin_is_executable(gate, tmp_path):
    directory = gate.write_pwsh_standin(str(tmp_path))
    path = tmp_path / 'pwsh'
    assert directory == str(tmp_path)
    assert path.stat().st_mode & 0o111
    assert 'ps-argspec' in path.read_text(encoding='utf-8')
    gate.write_pwsh_standin(str(tmp_path), log=str(tmp_path / 'asked.log'))
    assert '--log' in path.read_text(encoding='utf-8')


def test_summary_counts(gate, capsys):
    runner = gate.Gate()
    runner.steps = [gate.Step('a', passed=3, failed=1), gate.Step('b', passed=1), gate.Step('c', skipped=True)]
    assert runner.summary() == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == '4 passed, 1 failed'
    assert lines[-4].startswith('FAIL a')
    assert lines[-2].startswith('SKIP c')


def test_sanity_step_counts_each_sanity_test(gate, tmp_path):
    files = [junit(tmp_path / ('ansible-test-sanity-%s.xml' % name), [(name, outcome, text)]) for name, outcome, text in
             [('pep8', 'pass', ''), ('pslint', 'skip', 'No tests applicable.'), ('pylint', 'fail', 'plugins/x.py:1:1: E0602'),
              ('yamllint', 'pass', '')]]
    step = gate.sanity_step('sanity', 1, files)
    assert (step.passed, step.failed) == (2, 1)
    assert step.detail == '1 of 3 sanity tests failed: pylint; skipped: pslint'
    clean = gate.sanity_step('sanity', 0, [files[0], files[3]])
    assert (clean.passed, clean.failed, clean.detail) == (2, 0, '')
    crashed = gate.sanity_step('sanity', 2, [])
    assert (crashed.passed, crashed.failed, crashed.detail) == (0, 1, '1 of 1 sanity tests failed: (ansible-test exit 2, no junit results)')


def test_lint_result_counts_the_sarif_findings(gate, tmp_path):
    sarif = tmp_path / 'lint.sarif'
    sarif.write_text(json.dumps({'runs': [{'results': [{'ruleId': 'yaml[line-length]'}, {'ruleId': 'name[casing]'},
                                                       {'ruleId': 'yaml[line-length]'}]}]}), encoding='utf-8')
    assert gate.lint_result(2, str(sarif)) == (False, '3 finding(s): name[casing] x1, yaml[line-length] x2')
    sarif.write_text(json.dumps({'runs': [{'results': []}]}), encoding='utf-8')
    assert gate.lint_result(0, str(sarif)) == (True, '')
    assert gate.lint_result(1, str(tmp_path / 'missing.sarif')) == (False, 'exit 1, no SARIF report')
