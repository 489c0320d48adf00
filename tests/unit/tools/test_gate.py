"""Discovery and reporting helpers of the gate."""

from __future__ import annotations

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


def test_sanity_detail_names_failed_tests(gate):
    output = ('ERROR: Found 1 pep8 issue(s)\n'
              'FATAL: The 2 sanity test(s) listed below (out of 23) failed. See error output above for details.\n'
              'pep8\npylint\nTraceback (most recent call last):\n')
    assert gate.sanity_detail(1, output) == '2 of 23 sanity tests failed: pep8, pylint'
    assert gate.sanity_detail(0, output) == ''


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


def test_sanity_step_counts_each_sanity_test(gate):
    output = ('Running sanity test "pep8"\nRunning sanity test "pslint"\nWARNING: Required program "pwsh" not found.\n'
              'Running sanity test "pylint"\nRunning sanity test "yamllint"\n'
              'FATAL: The 1 sanity test(s) listed below (out of 4) failed. See error output above for details.\npylint\n')
    step = gate.sanity_step('sanity', 1, output)
    assert (step.passed, step.failed) == (2, 1)
    assert 'pylint' in step.detail and 'pslint skipped' in step.detail
    clean = gate.sanity_step('sanity', 0, 'Running sanity test "pep8"\nRunning sanity test "yamllint"\n')
    assert (clean.passed, clean.failed, clean.detail) == (2, 0, '')
    crashed = gate.sanity_step('sanity', 2, 'Traceback\n')
    assert (crashed.passed, crashed.failed) == (0, 1)
