"""The collection's test gate: every check CI runs, each as a named step.

Run through the Makefile (``make test``, ``make sanity``, ...), which first builds ``.venv``.
Usage::

    python tests/tools/gate.py [test|sanity|units|lint|install|demo|fuzz|list|coverage-floor]

Every step runs even when an earlier one failed; the run ends with each step's PASS/FAIL line and
one line ``N passed, N failed`` (pytest tests count one each as pytest reports them, every
ansible-doc page and playbook test one each, every other step one), and exits non-zero on any
failure.

Layout under ``build/`` (all of it disposable):

* ``ansible_collections/<namespace>/<name>``: a physical copy of the working tree (ansible-test,
  antsibull-docs and the unit tests run there);
* ``dist/`` and ``collections/``: the collection built and installed with ansible-galaxy
  (ansible-doc, ansible-lint, playbook tests, molecule and the demo use it);
* ``gate/``: logs, junit files and the ``pwsh`` stand-in for validate-modules.
"""

from __future__ import annotations

import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
from xml.etree import ElementTree

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from get_pip_standin import ansible_test_pip_version, ensure_get_pip_standin  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from pwsh_standin import write_pwsh_standin  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, 'build')
GATE = os.path.join(BUILD, 'gate')
LOGS = os.path.join(GATE, 'logs')
INSTALL_ROOT = os.path.join(BUILD, 'collections')
DIST = os.path.join(BUILD, 'dist')
VENV_BIN = os.path.dirname(sys.executable)
PYTHON_VERSION = '%d.%d' % sys.version_info[:2]
STEP_TIMEOUT = 900
# The unit tests measured for branch coverage: the longest step, given room on a busy machine.
UNITS_TIMEOUT = 2400

# Never copied into the build copy (besides what .gitignore excludes).
COPY_EXCLUDES = ('.git', '.venv', 'build', 'collections', '.ansible', 'tests/output', '.pytest_cache', '.hypothesis')
COPY_EXCLUDE_NAMES = ('__pycache__', '.pytest_cache', '.hypothesis')

# plugins/<dir> -> ansible-doc plugin type (action plugins share their module's docs).
DOC_TYPES = {
    'modules': 'module', 'filter': 'filter', 'test': 'test', 'lookup': 'lookup', 'callback': 'callback',
    'connection': 'connection', 'inventory': 'inventory', 'become': 'become', 'cache': 'cache',
    'cliconf': 'cliconf', 'httpapi': 'httpapi', 'netconf': 'netconf', 'shell': 'shell', 'strategy': 'strategy',
    'vars': 'vars',
}
PLAYBOOK_TESTS = os.path.join('tests', 'playbooks')
MOLECULE_OPT_IN = 'OPT_IN'
DEMO_INVENTORY = os.path.join('examples', 'inventory', 'hosts.yml')
DEMO_PLAYBOOK = os.path.join('playbooks', 'audit.yml')
DEMO_REPORT_DIR = os.path.join('build', 'audit-report')
# Branch coverage of the unit tests: measured packages, the floor file (only ever raised), the data.
COVERAGE_SOURCES = ('plugins/module_utils', 'plugins/plugin_utils')
COVERAGE_FLOOR = os.path.join('tests', 'coverage_floor.json')
COVERAGE_DATA = os.path.join(GATE, 'coverage', 'units.coverage')


class Step:
    """The outcome of one named step."""

    def __init__(self, name, passed=0, failed=0, seconds=0.0, detail='', skipped=False):
        self.name = name
        self.passed = passed
        self.failed = failed
        self.seconds = seconds
        self.detail = detail
        self.skipped = skipped

    @property
    def status(self):
        """PASS, FAIL or SKIP."""
        if self.skipped:
            return 'SKIP'
        return 'FAIL' if self.failed else 'PASS'


class Gate:
    """Runs steps, records their outcomes and prints the summary."""

    def __init__(self):
        self.steps = []
        self.galaxy = self._galaxy()
        self.copy = os.path.join(BUILD, 'ansible_collections', self.galaxy['namespace'], self.galaxy['name'])
        self._copied = False
        self._installed = None

    @staticmethod
    def _galaxy():
        with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
            return yaml.safe_load(handle)

    @property
    def fqcn(self):
        """namespace.name of the collection."""
        return '%s.%s' % (self.galaxy['namespace'], self.galaxy['name'])

    # -- running things -----------------------------------------------------------------------

    def env(self, **extra):
        """Environment for the tools: the venv first on PATH, the installed collection, no colour."""
        env = dict(os.environ)
        env['PATH'] = os.pathsep.join([VENV_BIN, env.get('PATH', '')])
        env['VIRTUAL_ENV'] = os.path.dirname(VENV_BIN)
        env['ANSIBLE_COLLECTIONS_PATH'] = INSTALL_ROOT
        env['ANSIBLE_NOCOLOR'] = '1'
        env['ANSIBLE_FORCE_COLOR'] = '0'
        env['PY_COLORS'] = '0'
        env['NO_COLOR'] = '1'
        env['PYTHONDONTWRITEBYTECODE'] = '1'
        env['ANSIBLE_LOCAL_TEMP'] = os.path.join(GATE, 'tmp')
        env.pop('PYTHONPATH', None)
        env.update(extra)
        return env

    def run(self, name, command, cwd=ROOT, env=None, timeout=STEP_TIMEOUT):
        """Run a command, echo and log its output (stdout and stderr); return (returncode, output)."""
        log_path = log_file(name)
        sys.stdout.write('$ %s\n' % ' '.join(command))
        sys.stdout.flush()
        output = []
        with open(log_path, 'w', encoding='utf-8') as log:
            try:
                with subprocess.Popen(command, cwd=cwd, env=env or self.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, errors='replace') as process:
                    deadline = time.monotonic() + timeout
                    for line in process.stdout:
                        sys.stdout.write('    ' + line)
                        log.write(line)
                        output.append(line)
                        if time.monotonic() > deadline:
                            process.kill()
                            output.append('gate: timed out after %d s\n' % timeout)
                            break
                    returncode = process.wait()
            except OSError as ex:
                output.append('gate: cannot run %s: %s\n' % (command[0], ex))
                log.write(output[-1])
                returncode = 127
        sys.stdout.flush()
        return returncode, ''.join(output)

    def run_json(self, name, command, cwd=ROOT, env=None, timeout=STEP_TIMEOUT):
        """Run a command whose standard output is JSON; log both streams, echo only stderr.

        Returns (returncode, the parsed JSON or None when the output is not JSON)."""
        log_path = log_file(name)
        sys.stdout.write('$ %s\n' % ' '.join(command))
        try:
            proc = subprocess.run(command, cwd=cwd, env=env or self.env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  errors='replace', timeout=timeout, check=False)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except (OSError, subprocess.TimeoutExpired) as ex:
            code, out, err = 127, '', 'gate: cannot run %s: %s\n' % (command[0], ex)
        with open(log_path, 'w', encoding='utf-8') as log:
            log.write(err)
            log.write(out)
        for line in err.splitlines():
            sys.stdout.write('    %s\n' % line)
        try:
            return code, json.loads(out)
        except ValueError:
            return code, None

    def step(self, name, function, *args):
        """Run one step function (returning a Step, a list of Steps, or a (ok, detail) pair) and record it."""
        sys.stdout.write('\n=== %s\n' % name)
        sys.stdout.flush()
        started = time.monotonic()
        try:
            result = function(*args)
        except Exception as ex:  # pylint: disable=broad-exception-caught
            result = Step(name, failed=1, detail='gate error: %s: %s' % (type(ex).__name__, ex))
        seconds = time.monotonic() - started
        results = result if isinstance(result, list) else [result]
        for item in results:
            if isinstance(item, tuple):
                ok, detail = item
                item = Step(name, passed=1 if ok else 0, failed=0 if ok else 1, detail=detail)
            if not item.seconds:
                item.seconds = seconds if len(results) == 1 else 0.0
            self.steps.append(item)
            sys.stdout.write('--- %s %s%s\n' % (item.status, item.name, (': ' + item.detail) if item.detail else ''))
        sys.stdout.flush()
        return results

    def summary(self):
        """Print the step table and the final count line; return the exit code."""
        passed = sum(step.passed for step in self.steps)
        failed = sum(step.failed for step in self.steps)
        sys.stdout.write('\n=== summary\n')
        for step in self.steps:
            counts = ''
            if step.passed + step.failed > 1:
                counts = ' [%d passed, %d failed]' % (step.passed, step.failed)
            detail = (' - ' + step.detail) if step.detail and step.status != 'PASS' else ''
            sys.stdout.write('%s %-58s %7.1fs%s%s\n' % (step.status, step.name, step.seconds, counts, detail))
        sys.stdout.write('%d passed, %d failed\n' % (passed, failed))
        sys.stdout.flush()
        return 1 if failed else 0

    # -- preparation ----------------------------------------------------------------------------

    def working_tree_files(self):
        """Relative paths of the working tree's files, as git sees them (tracked plus untracked, not ignored)."""
        return working_tree_files(ROOT)

    def build_copy(self):
        """Copy the working tree to build/ansible_collections/<namespace>/<name> (once per run)."""
        if self._copied:
            return Step('build copy', passed=1)
        if os.path.lexists(self.copy):
            shutil.rmtree(self.copy)
        files = self.working_tree_files()
        for name in files:
            source = os.path.join(ROOT, name)
            target = os.path.join(self.copy, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.islink(source):
                os.symlink(os.readlink(source), target)
            elif os.path.isfile(source):
                shutil.copy2(source, target)
        # ansible-test lists a collection's files with git when a .git is found at or above the
        # collection; the checkout's own .git (which ignores build/) must not be the one it finds.
        if shutil.which('git'):
            subprocess.run(['git', 'init', '--quiet', self.copy], stdin=subprocess.DEVNULL, capture_output=True, check=True)
        self._copied = True
        return Step('build copy', passed=1, detail='%d files in %s' % (len(files), os.path.relpath(self.copy, ROOT)))

    def build_install(self):
        """ansible-galaxy collection build + install into build/collections."""
        if self._installed is not None:
            return self._installed
        shutil.rmtree(DIST, ignore_errors=True)
        os.makedirs(DIST)
        code, _out = self.run('galaxy build', ['ansible-galaxy', 'collection', 'build', '--force', '--output-path', DIST, self.copy])
        tarballs = glob.glob(os.path.join(DIST, '*.tar.gz'))
        if code or len(tarballs) != 1:
            self._installed = (False, 'ansible-galaxy collection build failed (exit %d)' % code)
            return self._installed
        shutil.rmtree(INSTALL_ROOT, ignore_errors=True)
        code, _out = self.run('galaxy install', ['ansible-galaxy', 'collection', 'install', '--force', '--offline', '-p', INSTALL_ROOT,
                                                 tarballs[0]])
        installed = os.path.join(INSTALL_ROOT, 'ansible_collections', self.galaxy['namespace'], self.galaxy['name'], 'MANIFEST.json')
        ok = code == 0 and os.path.isfile(installed)
        self._installed = (ok, 'installed %s into %s' % (os.path.basename(tarballs[0]), os.path.relpath(INSTALL_ROOT, ROOT)) if ok
                           else 'ansible-galaxy collection install failed (exit %d)' % code)
        return self._installed

    # -- pytest -----------------------------------------------------------------------------------

    def pytest(self, name, paths, extra=(), env=None, coverage_data=None, timeout=STEP_TIMEOUT):
        """Run pytest in the build copy; one count per test as reported in its junit file.

        With ``coverage_data`` the run is measured (branch coverage of COVERAGE_SOURCES) into that file."""
        junit = os.path.join(GATE, re.sub(r'\W+', '_', name) + '.xml')
        if os.path.exists(junit):
            os.remove(junit)
        command = [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rfE', '--junitxml', junit] + list(paths) + list(extra)
        if coverage_data:
            os.makedirs(os.path.dirname(coverage_data), exist_ok=True)
            for stale in glob.glob(coverage_data + '*'):
                os.remove(stale)
            command[1:3] = ['-m', 'coverage', 'run', '--branch', '--data-file', coverage_data, '--source', ','.join(COVERAGE_SOURCES), '-m', 'pytest']
        env = self.env(HYPOTHESIS_STORAGE_DIRECTORY=os.path.join(GATE, 'hypothesis'), **(env or {}))
        code, _out = self.run(name, command, cwd=self.copy, env=env, timeout=timeout)
        if code == 5:
            return Step(name, failed=1, detail='no tests collected (pytest exit code 5)')
        if not os.path.exists(junit):
            return Step(name, failed=1, detail='pytest exited %d without a junit report' % code)
        results = junit_results([junit])
        tests = sum(len(names) for names in results.values())
        passed, failures, skipped = len(results['passed']), len(results['failed']), len(results['skipped'])
        if code and not failures:
            failures = 1
        detail = '%d tests, %d skipped' % (tests, skipped) if skipped else '%d tests' % tests
        return Step(name, passed=passed, failed=failures, detail=detail if not code else 'pytest exited %d; %s' % (code, detail))

    def units(self):
        """Engine, filter, parser and plugin unit tests (hypothesis derandomized), measured for branch coverage."""
        return self.pytest('units (tests/unit)', ['tests/unit'], ['--ignore=tests/unit/tools'], env={'HYPOTHESIS_PROFILE': 'ci'},
                           coverage_data=COVERAGE_DATA, timeout=UNITS_TIMEOUT)

    def selftests(self):
        """Tests of the gate's own checkers."""
        return self.pytest('checker self-tests (tests/unit/tools)', ['tests/unit/tools'])

    def fuzz(self):
        """The hypothesis property tests with the random profile: FUZZ_SCALE (default 10) times their examples."""
        scale = os.environ.get('FUZZ_SCALE') or '10'
        return self.pytest('fuzz (hypothesis properties, random, x%s examples)' % scale, ['tests/unit'],
                           ['--ignore=tests/unit/tools', '-m', 'hypothesis'], env={'HYPOTHESIS_PROFILE': 'fuzz', 'FUZZ_SCALE': scale},
                           timeout=4 * 3600)

    # -- coverage and mutation --------------------------------------------------------------------

    def coverage_floor(self):
        """Branch coverage of the units run per package, against the floor in tests/coverage_floor.json."""
        if not os.path.exists(COVERAGE_DATA):
            return Step('coverage floor', failed=1, detail='no coverage data: the units step did not run')
        report = os.path.join(GATE, 'coverage', 'coverage.json')
        import coverage  # pylint: disable=import-outside-toplevel
        measured = coverage.Coverage(data_file=COVERAGE_DATA, branch=True)
        measured.load()
        measured.json_report(outfile=report, ignore_errors=True)
        with open(report, encoding='utf-8') as handle:
            files = coverage_files(json.load(handle), self.copy)
        summary = coverage_summary(files)
        with open(os.path.join(ROOT, COVERAGE_FLOOR), encoding='utf-8') as handle:
            floor = json.load(handle)
        problems, raisable = compare_with_floor(summary, floor)
        decisions = uncovered_decisions(files, self.copy)
        log = os.path.join(LOGS, 'coverage.log')
        lines = coverage_report_lines(summary, floor, decisions)
        with open(log, 'w', encoding='utf-8') as handle:
            handle.write('\n'.join(lines + [''] + decision_detail_lines(decisions)) + '\n')
        with open(os.path.join(GATE, 'coverage', 'summary.json'), 'w', encoding='utf-8') as handle:
            json.dump(summary, handle, indent=1, sort_keys=True)
        for line in lines + problems:
            sys.stdout.write(line + '\n')
        if raisable:
            sys.stdout.write('the floor can be raised (%s): make coverage-floor\n' % ', '.join(raisable))
        sys.stdout.write('decision lines not covered, with their source: %s\n' % os.path.relpath(log, ROOT))
        detail = ', '.join('%s branches %.1f%% (floor %.1f%%)' % (package, summary[package]['branches'], floor.get(package, {}).get('branches', 0))
                           for package in COVERAGE_SOURCES)
        return (not problems, '; '.join(problems) if problems else detail)

    def mutation_gate(self):
        """Mutation testing of the gate group of tests/mutation.yml (the connection guard) with the tests that cover it."""
        report = os.path.join(GATE, 'mutation-gate.json')
        if os.path.exists(report):
            os.remove(report)
        code, _out = self.run('mutation (gate group)', [sys.executable, os.path.join(ROOT, 'tests', 'tools', 'mutation.py'), '--group', 'gate',
                                                        '--report', report], timeout=1800)
        if not os.path.exists(report):
            return (False, 'mutation.py exited %d without a report' % code)
        with open(report, encoding='utf-8') as handle:
            data = json.load(handle)
        group = data['groups'].get('gate', {})
        counts = data['total']
        detail = '%s: score %.1f%% (floor %s%%): %d mutants, %d killed, %d equivalent, %d not killed' % (
            ', '.join(group.get('files', [])), group.get('score', 0), group.get('floor'), counts['mutants'], counts['killed'],
            counts['equivalent'], counts['survived'] + counts['no tests'] + counts['other'])
        if data.get('stale_equivalent'):
            detail += '; %d stale equivalent entr(y/ies)' % len(data['stale_equivalent'])
        return (code == 0, detail)

    # -- sanity -----------------------------------------------------------------------------------

    def ensure_get_pip(self):
        """Cache an offline get-pip stand-in where ansible-test --venv looks for the bootstrap script."""
        return ensure_get_pip_standin()

    def ansible_test_sanity(self, name, selection, env=None):
        """Run ansible-test sanity with --junit; one count per sanity test, read from its junit files."""
        self.ensure_get_pip()
        junit_dir = os.path.join(self.copy, 'tests', 'output', 'junit')
        shutil.rmtree(junit_dir, ignore_errors=True)
        command = ['ansible-test', 'sanity', '--venv', '--python', PYTHON_VERSION, '--color', 'no', '--junit'] + selection
        code, _out = self.run(name, command, cwd=self.copy, env=env)
        return sanity_step(name, code, glob.glob(os.path.join(junit_dir, 'ansible-test-sanity-*.xml')))

    def sanity(self):
        """ansible-test sanity, every test but validate-modules (which needs pwsh)."""
        return self.ansible_test_sanity('ansible-test sanity (all but validate-modules)', ['--skip-test', 'validate-modules'])

    def ignore_files(self):
        """Sanity ignore files stay empty: a problem is fixed, not ignored."""
        problems = []
        for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'sanity', 'ignore-*.txt'))):
            with open(path, encoding='utf-8') as handle:
                lines = [line.strip() for line in handle if line.strip()]
            if lines:
                problems.append('%s has %d line(s), e.g. %s' % (os.path.relpath(path, ROOT), len(lines), lines[0]))
        for problem in problems:
            sys.stdout.write(problem + '\n')
        return (not problems, '; '.join(problems))

    def validate_modules(self):
        """ansible-test sanity --test validate-modules with the static-spec pwsh stand-in on PATH."""
        self.ensure_get_pip()
        log = os.path.join(GATE, 'pwsh-standin.log')
        if os.path.exists(log):
            os.remove(log)
        bin_dir = write_pwsh_standin(os.path.join(GATE, 'pwsh-standin'), log)
        env = self.env(PATH=os.pathsep.join([bin_dir, VENV_BIN, os.environ.get('PATH', '')]))
        step = self.ansible_test_sanity('ansible-test sanity validate-modules (pwsh stand-in)', ['--test', 'validate-modules'], env)
        asked = set()
        if os.path.exists(log):
            with open(log, encoding='utf-8') as handle:
                asked = {os.path.basename(line.strip()) for line in handle if line.strip()}
        modules = {os.path.basename(path) for path in glob.glob(os.path.join(self.copy, 'plugins', 'modules', '*.ps1'))}
        unasked = sorted(modules - asked)
        if unasked:
            step.failed += 1
            step.detail = '; '.join(filter(None, [step.detail, 'the pwsh stand-in was never asked for %s' % ', '.join(unasked)]))
        elif modules:
            step.detail = '; '.join(filter(None, [step.detail, 'specs of %d PowerShell module(s) compared with their docs' % len(modules)]))
        return step

    # -- PowerShell -------------------------------------------------------------------------------

    def pscheck(self):
        """Static checks of every PowerShell file, one count per file."""
        return self._static_check('pscheck', discover_powershell(ROOT), 'no PowerShell files under plugins/ or tests/integration/')

    def cscheck(self):
        """Static checks of every C# module util (syntax, C# 5 subset, namespace), one count per file."""
        return self._static_check('cscheck', discover_csharp(ROOT), 'no C# files under plugins/')

    def _static_check(self, tool, files, none_detail):
        """Run tests/tools/<tool>.py on each file: one step per file."""
        if not files:
            return Step(tool, skipped=True, detail=none_detail)
        steps = []
        for relpath in files:
            started = time.monotonic()
            code, out = self.run('%s %s' % (tool, relpath),
                                 [sys.executable, os.path.join(ROOT, 'tests', 'tools', tool + '.py'), 'check', '--root', ROOT, relpath])
            problems = [line for line in out.splitlines() if line.startswith(relpath + ':')]
            steps.append(Step('%s %s' % (tool, relpath), passed=int(code == 0), failed=int(code != 0),
                              detail='%d problem(s)' % len(problems) if code else '', seconds=time.monotonic() - started))
        return steps

    # -- docs and lint ----------------------------------------------------------------------------

    def ansible_doc(self):
        """ansible-doc lists and renders every plugin and role of the installed collection; one count each.

        What ansible-doc lists (``--list --json``) and renders (``--json``) is read from its JSON output."""
        ok, detail = self.build_install()
        if not ok:
            return Step('ansible-doc', failed=1, detail='not installed: ' + detail)
        steps = []
        for doc_type, names in sorted(discover_plugins(ROOT).items()):
            if not names:
                continue
            fqcns = ['%s.%s' % (self.fqcn, name) for name in names]
            started = time.monotonic()
            _code, listed = self.run_json('ansible-doc --list ' + doc_type, ['ansible-doc', '-t', doc_type, '--list', '--json', self.fqcn])
            code, rendered = self.run_json('ansible-doc ' + doc_type, ['ansible-doc', '-t', doc_type, '--json'] + fqcns)
            share = (time.monotonic() - started) / len(fqcns)
            for fqcn in fqcns:
                entry = (rendered or {}).get(fqcn) or {}
                name = 'ansible-doc -t %s %s' % (doc_type, fqcn)
                if fqcn not in (listed or {}):
                    steps.append(Step(name, failed=1, detail='not listed by ansible-doc --list', seconds=share))
                elif not (entry.get('doc') or entry.get('entry_points')):
                    steps.append(Step(name, failed=1, detail='no documentation rendered (exit %d)' % code, seconds=share))
                else:
                    steps.append(Step(name, passed=1, seconds=share))
        if not steps:
            return Step('ansible-doc', skipped=True, detail='no plugins or roles found')
        return steps

    def ansible_lint(self):
        """ansible-lint, production profile (see .ansible-lint); the findings are read from its SARIF report."""
        ok, detail = self.build_install()
        if not ok:
            return Step('ansible-lint', failed=1, detail='not installed: ' + detail)
        # ansible-lint puts <ANSIBLE_HOME>/collections first on the collections path: a private
        # ANSIBLE_HOME keeps whatever ~/.ansible holds on the machine out of the lint run.
        home = os.path.join(GATE, 'ansible-lint-home')
        os.makedirs(home, exist_ok=True)
        sarif = os.path.join(GATE, 'ansible-lint.sarif')
        if os.path.exists(sarif):
            os.remove(sarif)
        code, _out = self.run('ansible-lint', ['ansible-lint', '--nocolor', '--sarif-file', sarif], cwd=ROOT, env=self.env(ANSIBLE_HOME=home))
        return lint_result(code, sarif)

    def docs_lint(self):
        """antsibull-docs lint-collection-docs --plugin-docs."""
        code, _out = self.run('antsibull-docs', ['antsibull-docs', 'lint-collection-docs', '--plugin-docs', '.'], cwd=self.copy)
        return (code == 0, '' if code == 0 else 'exit %d' % code)

    def changelog_lint(self):
        """antsibull-changelog lint (fragments) and lint-changelog-yaml."""
        code1, _out = self.run('changelog lint', ['antsibull-changelog', 'lint'], cwd=self.copy)
        code2, _out = self.run('changelog yaml', ['antsibull-changelog', 'lint-changelog-yaml', os.path.join('changelogs', 'changelog.yaml')],
                               cwd=self.copy)
        return (code1 == 0 and code2 == 0, '' if not (code1 or code2) else 'exit %d / %d' % (code1, code2))

    def docsite(self):
        """antsibull-docs sphinx-init --use-current and a Sphinx build to HTML, offline, warnings as errors (tests/tools/docsite.py)."""
        ok, detail = self.build_install()
        if not ok:
            return (False, 'not installed: ' + detail)
        code, out = self.run('docsite', [sys.executable, os.path.join(ROOT, 'tests', 'tools', 'docsite.py'), '--dest', os.path.join(BUILD, 'docsite'),
                                         '--collections-path', INSTALL_ROOT])
        summary = [line[len('docsite: '):] for line in out.splitlines() if line.startswith('docsite: ')]
        return (code == 0, summary[-1] if summary else 'exit %d' % code)

    # -- ansible runs -----------------------------------------------------------------------------

    def examples(self):
        """Every YAML example of the README, roles, guides and plugin docs, run against the example inventory
        (tests/tools/examples.py); one count per example."""
        ok, detail = self.build_install()
        if not ok:
            return Step('documentation examples', failed=1, detail='not installed: ' + detail)
        results = os.path.join(GATE, 'examples.json')
        if os.path.exists(results):
            os.remove(results)
        code, _out = self.run('documentation examples', [sys.executable, os.path.join(ROOT, 'tests', 'tools', 'examples.py'), 'run',
                                                         '--collections-path', INSTALL_ROOT, '--results', results])
        if not os.path.exists(results):
            return Step('documentation examples', failed=1, detail='exit %d without a results file' % code)
        with open(results, encoding='utf-8') as handle:
            groups = json.load(handle)
        steps = []
        for group in groups:
            if not (group['results'] or group['fragments'] or group['error']):
                continue
            failures = ['%s: %s' % (item['example'], item['detail']) for item in group['results'] if not item['passed']]
            failures = ([group['error']] if group['error'] else []) + failures
            marked = sum(1 for item in group['results'] if item['passed'] and item['detail'].startswith(('xfail', 'fails')))
            notes = (['%d failing as marked' % marked] if marked else []) + (['%d fragment(s)' % len(group['fragments'])] if group['fragments'] else [])
            steps.append(Step('examples ' + group['source'], passed=sum(1 for item in group['results'] if item['passed']),
                              failed=len(failures), detail='; '.join(failures)[:300] if failures else ', '.join(notes),
                              seconds=group['seconds']))
        return steps or Step('documentation examples', failed=1, detail='no documents with examples found')

    def playbook_tests(self):
        """Every tests/playbooks/*.yml with ansible-playbook against the installed collection; one count each."""
        playbooks = sorted(glob.glob(os.path.join(ROOT, PLAYBOOK_TESTS, '*.yml')))
        if not playbooks:
            return Step('playbook tests', skipped=True, detail='no %s/*.yml' % PLAYBOOK_TESTS)
        ok, detail = self.build_install()
        if not ok:
            return Step('playbook tests', failed=1, detail='not installed: ' + detail)
        local_inventory = write_local_inventory(os.path.join(GATE, 'localhost.yml'))
        steps = []
        for playbook in playbooks:
            relpath = os.path.relpath(playbook, ROOT)
            inventory = playbook_inventory(playbook)
            if inventory in (None, 'localhost'):
                inventory = local_inventory
            started = time.monotonic()
            code, _out = self.run('playbook ' + relpath, ['ansible-playbook', '-i', inventory, relpath], cwd=ROOT)
            steps.append(Step('playbook ' + relpath, passed=int(code == 0), failed=int(code != 0), detail='' if code == 0 else 'exit %d' % code,
                              seconds=time.monotonic() - started))
        return steps

    def molecule(self):
        """molecule test for every scenario under extensions/molecule/; one count each.

        A scenario holding a file named OPT_IN (one that needs a real Windows host) is listed as
        skipped, never run."""
        found = sorted(os.path.dirname(path) for path in glob.glob(os.path.join(ROOT, 'extensions', 'molecule', '*', 'molecule.yml')))
        opt_in = [os.path.basename(path) for path in found if os.path.exists(os.path.join(path, MOLECULE_OPT_IN))]
        scenarios = [os.path.basename(path) for path in found if os.path.basename(path) not in opt_in]
        if not scenarios:
            return Step('molecule', skipped=True, detail='0 scenarios under extensions/molecule/')
        ok, detail = self.build_install()
        if not ok:
            return Step('molecule', failed=1, detail='not installed: ' + detail)
        steps = [Step('molecule ' + scenario, skipped=True, detail='opt-in (%s): needs a Windows host' % MOLECULE_OPT_IN) for scenario in opt_in]
        env = self.env(MOLECULE_NO_LOG='false', ANSIBLE_COLLECTIONS_PATH=INSTALL_ROOT)
        for scenario in scenarios:
            started = time.monotonic()
            code, _out = self.run('molecule ' + scenario, ['molecule', 'test', '-s', scenario], cwd=os.path.join(ROOT, 'extensions'), env=env)
            steps.append(Step('molecule ' + scenario, passed=int(code == 0), failed=int(code != 0), detail='' if code == 0 else 'exit %d' % code,
                              seconds=time.monotonic() - started))
        return steps

    def demo(self):
        """The README's demo: playbooks/audit.yml over the example snapshot inventory, writing the report under build/audit-report."""
        missing = [path for path in (DEMO_INVENTORY, DEMO_PLAYBOOK) if not os.path.exists(os.path.join(ROOT, path))]
        if missing:
            return (False, 'missing %s' % ', '.join(missing))
        ok, detail = self.build_install()
        if not ok:
            return (False, 'not installed: ' + detail)
        report = os.path.join(ROOT, DEMO_REPORT_DIR, 'report.html')
        if os.path.exists(report):
            os.remove(report)
        code, _out = self.run('demo', ['ansible-playbook', '-i', DEMO_INVENTORY, DEMO_PLAYBOOK, '-e', 'audit_report_dir=' + DEMO_REPORT_DIR,
                                       '-e', 'audit_fail_on=never'], cwd=ROOT)
        if code == 0 and not os.path.exists(report):
            return (False, 'no report written to %s' % os.path.join(DEMO_REPORT_DIR, 'report.html'))
        return (code == 0, 'report: %s' % os.path.join(DEMO_REPORT_DIR, 'report.html') if code == 0 else 'exit %d' % code)


# ---------------------------------------------------------------------------------------------
# helpers (also used by the checker self-tests)


def log_file(name):
    """The log file of a named command under build/gate/logs (the directory is created)."""
    os.makedirs(LOGS, exist_ok=True)
    return os.path.join(LOGS, re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_') + '.log')


def working_tree_files(root):
    """Relative paths of the working tree's files, as git sees them (tracked plus untracked, not ignored)."""
    files = None
    if os.path.exists(os.path.join(root, '.git')) and shutil.which('git'):
        proc = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=root,
                              stdin=subprocess.DEVNULL, capture_output=True, check=False)
        if proc.returncode == 0:
            files = [name for name in proc.stdout.decode('utf-8', errors='surrogateescape').split('\0') if name]
    if files is None:
        files = []
        for directory, subdirs, names in os.walk(root):
            subdirs[:] = [d for d in subdirs if d not in COPY_EXCLUDE_NAMES]
            files.extend(os.path.relpath(os.path.join(directory, name), root) for name in names)
    kept = []
    for name in sorted(set(files)):
        parts = name.split('/')
        if any(name == excluded or name.startswith(excluded + '/') for excluded in COPY_EXCLUDES):
            continue
        if any(part in COPY_EXCLUDE_NAMES for part in parts) or name.endswith('.pyc'):
            continue
        if os.path.lexists(os.path.join(root, name)):
            kept.append(name)
    return kept


def floor_percent(covered, total):
    """A percentage rounded down to one decimal (100 for nothing to cover), so a floor is never met by rounding up."""
    if not total:
        return 100.0
    return int(1000 * covered / total) / 10.0


def coverage_files(report, copy):
    """{relative path: coverage.py JSON entry} for the files of COVERAGE_SOURCES in a JSON report (whose
    relative names are relative to the directory it was written from)."""
    files = {}
    for name, entry in report.get('files', {}).items():
        path = os.path.abspath(name)
        relpath = os.path.relpath(path, copy).replace(os.sep, '/')
        if any(relpath.startswith(source + '/') for source in COVERAGE_SOURCES):
            files[relpath] = entry
    return files


def coverage_summary(files):
    """{package (and 'total'): {lines, branches (percent), statements, covered_lines, num_branches, covered_branches}}."""
    sums = {package: [0, 0, 0, 0] for package in COVERAGE_SOURCES + ('total',)}
    for relpath, entry in files.items():
        numbers = entry['summary']
        values = (numbers['num_statements'], numbers['covered_lines'], numbers.get('num_branches', 0), numbers.get('covered_branches', 0))
        for package in COVERAGE_SOURCES + ('total',):
            if package == 'total' or relpath.startswith(package + '/'):
                sums[package] = [a + b for a, b in zip(sums[package], values)]
    return {package: {'statements': n, 'covered_lines': c, 'num_branches': b, 'covered_branches': cb,
                      'lines': floor_percent(c, n), 'branches': floor_percent(cb, b)}
            for package, (n, c, b, cb) in sums.items()}


def compare_with_floor(summary, floor):
    """(problems, raisable): measures under their floor, and measures above it (the floor can be raised)."""
    problems, raisable = [], []
    for package, floors in sorted(floor.items()):
        measured = summary.get(package)
        if measured is None:
            problems.append('%s: in %s but not measured' % (package, COVERAGE_FLOOR))
            continue
        for measure in ('lines', 'branches'):
            if measure not in floors:
                continue
            if measured[measure] < floors[measure]:
                problems.append('%s %s coverage %.1f%% is under the floor %.1f%% (%s)'
                                % (package, measure, measured[measure], floors[measure], COVERAGE_FLOOR))
            elif measured[measure] > floors[measure]:
                raisable.append('%s %s %.1f%% > %.1f%%' % (package, measure, measured[measure], floors[measure]))
    return problems, raisable


def raised_floor(summary, floor):
    """The floor after a measurement: each value raised to the measure when that is higher, never lowered."""
    raised = {}
    for package in sorted(set(floor) | set(COVERAGE_SOURCES) | {'total'}):
        old = floor.get(package, {})
        measured = summary.get(package, {})
        raised[package] = {measure: max(old.get(measure, 0.0), measured.get(measure, 0.0)) for measure in ('lines', 'branches')}
    return raised


def uncovered_decisions(files, copy):
    """{relpath: [(line, [targets], source)]}: the decision lines with a branch the tests never took
    (a target is the line the branch goes to, or 'exit')."""
    found = {}
    for relpath, entry in sorted(files.items()):
        targets = {}
        for start, end in entry.get('missing_branches', []):
            targets.setdefault(start, []).append('exit' if end < 0 else str(end))
        if not targets:
            continue
        try:
            with open(os.path.join(copy, relpath), encoding='utf-8') as handle:
                source = handle.read().splitlines()
        except OSError:
            source = []
        found[relpath] = [(line, ends, source[line - 1].strip() if 0 < line <= len(source) else '') for line, ends in sorted(targets.items())]
    return found


def coverage_report_lines(summary, floor, decisions):
    """The coverage table and one line per file listing its decision lines not fully covered."""
    lines = []
    for package in COVERAGE_SOURCES + ('total',):
        numbers = summary[package]
        floors = floor.get(package, {})
        lines.append('%-22s lines %5.1f%% (%d/%d, floor %.1f%%)  branches %5.1f%% (%d/%d, floor %.1f%%)' % (
            package, numbers['lines'], numbers['covered_lines'], numbers['statements'], floors.get('lines', 0.0),
            numbers['branches'], numbers['covered_branches'], numbers['num_branches'], floors.get('branches', 0.0)))
    count = sum(len(items) for items in decisions.values())
    lines.append('%d decision line(s) with a branch never taken:' % count)
    for relpath, items in decisions.items():
        lines.append('  %s: %s' % (relpath, ', '.join('%d (->%s)' % (line, ','.join(ends)) for line, ends, _text in items)))
    return lines


def decision_detail_lines(decisions):
    """Each decision line not fully covered with its source text."""
    lines = []
    for relpath, items in decisions.items():
        for line, ends, text in items:
            lines.append('%s:%d: never to %s: %s' % (relpath, line, ', '.join(ends), text))
    return lines


def junit_results(paths):
    """{'passed': [...], 'failed': [...], 'skipped': [...]}: the test case names of junit XML files
    (pytest's --junitxml, ansible-test's --junit), each case counted once; a case with a failure or
    an error failed."""
    results = {'passed': [], 'failed': [], 'skipped': []}
    for path in sorted(paths):
        for case in ElementTree.parse(path).getroot().iter('testcase'):
            name = case.get('name', '')
            if case.find('failure') is not None or case.find('error') is not None:
                results['failed'].append(name)
            elif case.find('skipped') is not None:
                results['skipped'].append(name)
            else:
                results['passed'].append(name)
    return results


def sanity_step(name, code, junit_files):
    """One count per sanity test ansible-test reports in its junit files; a test it skipped (not
    applicable, or pslint without pwsh) is named in the detail, not counted."""
    results = junit_results(junit_files)
    failed = list(results['failed'])
    if code and not failed:
        failed = ['(ansible-test exit %d%s)' % (code, '' if junit_files else ', no junit results')]
    details = []
    if failed:
        details.append('%d of %d sanity tests failed: %s' % (len(failed), len(results['passed']) + len(failed), ', '.join(failed)))
    if results['skipped']:
        details.append('skipped: %s' % ', '.join(results['skipped']))
    return Step(name, passed=len(results['passed']), failed=len(failed), detail='; '.join(details))


def lint_result(code, sarif_path):
    """(passed, detail) of an ansible-lint run: its exit code decides, the detail counts the findings
    of its SARIF report per rule."""
    rules = {}
    if os.path.exists(sarif_path):
        with open(sarif_path, encoding='utf-8') as handle:
            report = json.load(handle)
        for run in report.get('runs') or []:
            for result in run.get('results') or []:
                rules[result.get('ruleId')] = rules.get(result.get('ruleId'), 0) + 1
    elif code:
        return (False, 'exit %d, no SARIF report' % code)
    detail = '%d finding(s): %s' % (sum(rules.values()), ', '.join('%s x%d' % item for item in sorted(rules.items()))) if rules else ''
    if code and not rules:
        detail = 'exit %d' % code
    return (code == 0, detail)


def discover_powershell(root):
    """PowerShell files the static checks cover."""
    found = []
    for pattern in ('plugins/**/*.ps1', 'plugins/**/*.psm1', 'tests/integration/**/*.ps1', 'tests/integration/**/*.psm1'):
        found.extend(os.path.relpath(path, root) for path in glob.glob(os.path.join(root, pattern), recursive=True))
    return sorted(set(found))


def discover_csharp(root):
    """C# files the static checks cover."""
    return sorted(os.path.relpath(path, root) for path in glob.glob(os.path.join(root, 'plugins', '**', '*.cs'), recursive=True))


def filter_names(path):
    """Names a filter (or test) plugin file registers, read from its filters()/tests() dict literal."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in ('filters', 'tests'):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Dict):
                    names.extend(key.value for key in inner.keys if isinstance(key, ast.Constant) and isinstance(key.value, str))
    return names


def discover_plugins(root):
    """{ansible-doc type: sorted names} for the collection's plugins and roles."""
    found = {}
    for directory, doc_type in DOC_TYPES.items():
        base = os.path.join(root, 'plugins', directory)
        if not os.path.isdir(base):
            continue
        names = set()
        for file_name in os.listdir(base):
            stem, extension = os.path.splitext(file_name)
            if stem.startswith('_') or stem.startswith('.'):
                continue
            if doc_type in ('filter', 'test'):
                if extension == '.py':
                    names.update(filter_names(os.path.join(base, file_name)))
                elif extension in ('.yml', '.yaml'):
                    names.add(stem)
            elif extension in ('.py', '.ps1'):
                names.add(stem)
        found[doc_type] = sorted(names)
    roles = os.path.join(root, 'roles')
    if os.path.isdir(roles):
        found['role'] = sorted(name for name in os.listdir(roles)
                               if os.path.isdir(os.path.join(roles, name)) and not name.startswith(('.', '_')))
    return found


def playbook_inventory(path):
    """The inventory named by a first-line comment ``# inventory: PATH`` (relative to the repository root; ``localhost`` means local)."""
    with open(path, encoding='utf-8') as handle:
        first = handle.readline()
    match = re.match(r'^#\s*inventory:\s*(\S+)\s*$', first)
    return match.group(1) if match else None


def write_local_inventory(path):
    """An inventory holding only localhost, run locally with the gate's Python."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = {'all': {'hosts': {'localhost': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle)
    return path


# ---------------------------------------------------------------------------------------------
# targets


def target_steps(gate, target):
    """The (name, function) pairs of a make target."""
    prepare = [('build copy', gate.build_copy), ('galaxy build + install', gate.build_install)]
    sanity = [('sanity ignore files are empty', gate.ignore_files),
              ('ansible-test sanity (all but validate-modules)', gate.sanity),
              ('ansible-test sanity validate-modules (pwsh stand-in)', gate.validate_modules)]
    units = [('units', gate.units), ('coverage floor', gate.coverage_floor), ('checker self-tests', gate.selftests)]
    lint = [('pscheck', gate.pscheck), ('cscheck', gate.cscheck), ('ansible-lint', gate.ansible_lint),
            ('antsibull-docs lint-collection-docs', gate.docs_lint), ('docsite (Sphinx, warnings as errors)', gate.docsite),
            ('antsibull-changelog lint', gate.changelog_lint)]
    targets = {
        'install': prepare,
        'sanity': prepare[:1] + sanity,
        'units': prepare[:1] + units,
        'lint': prepare + lint,
        'demo': prepare + [('demo', gate.demo)],
        'test': prepare + [('ansible-doc', gate.ansible_doc)] + sanity + lint[:2] + units + [('mutation (gate group)', gate.mutation_gate)]
        + lint[2:] + [('playbook tests', gate.playbook_tests), ('documentation examples', gate.examples), ('molecule', gate.molecule),
                      ('demo', gate.demo)],
        'fuzz': prepare[:1] + [('fuzz', gate.fuzz)],
    }
    return targets[target]


def write_raised_floor():
    """Raise tests/coverage_floor.json to the last measurement (make units or make test first); never lowers it."""
    summary_path = os.path.join(GATE, 'coverage', 'summary.json')
    if not os.path.exists(summary_path):
        sys.stderr.write('no coverage measurement: run make units (or make test) first\n')
        return 2
    with open(summary_path, encoding='utf-8') as handle:
        summary = json.load(handle)
    path = os.path.join(ROOT, COVERAGE_FLOOR)
    with open(path, encoding='utf-8') as handle:
        floor = json.load(handle)
    raised = raised_floor(summary, floor)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(raised, handle, indent=2, sort_keys=True)
        handle.write('\n')
    for package, values in raised.items():
        sys.stdout.write('%s: lines %.1f%%, branches %.1f%%\n' % (package, values['lines'], values['branches']))
    return 0


def main(argv=None):
    """Command line entry point."""
    argv = sys.argv[1:] if argv is None else argv
    target = argv[0] if argv else 'test'
    gate = Gate()
    names = ('install', 'sanity', 'units', 'lint', 'demo', 'test', 'fuzz')
    if target == 'coverage-floor':
        return write_raised_floor()
    if target == 'list':
        for name in names:
            sys.stdout.write('%s: %s\n' % (name, ', '.join(step for step, _function in target_steps(gate, name))))
        return 0
    if target not in names:
        sys.stderr.write('unknown target %r (choose from %s)\n' % (target, ', '.join(names + ('list', 'coverage-floor'))))
        return 2
    os.makedirs(GATE, exist_ok=True)
    started = time.monotonic()
    for name, function in target_steps(gate, target):
        gate.step(name, function)
    sys.stdout.write('\ngate %s: %.0f s\n' % (target, time.monotonic() - started))
    return gate.summary()


if __name__ == '__main__':
    sys.exit(main())
