"""Mutation testing of the collection's Python code with mutmut, configured by tests/mutation.yml.

Usage::

    python tests/tools/mutation.py [--group NAME ...] [--file PATH ...] [--max-children N] [--keep] [--report PATH]

For each group (all of them unless ``--group`` names some) the working tree is copied to
``build/mutation/<group>/ansible_collections/<namespace>/<name>`` (so the collection imports under
its real name, as mutmut's module names require), mutmut mutates the group's files there and runs
the group's tests against each mutant: only the tests that call the mutated function, fastest
first, stopping at the first failure. The result is one line per file::

    plugins/module_utils/guard.py   mutants 310  killed 297  equivalent 13  survived 0  no tests 0  score 100.0%

where the score is the share of killed mutants among those that are not listed as equivalent in
tests/mutation.yml. Every unexplained survivor is printed with its diff. The run fails (exit 1)
when a group with a ``floor`` scores under it, when an equivalent entry no longer matches any
mutant (stale), or when mutmut itself fails.

``--file`` narrows a run to some of the groups' files (a group too slow to measure at once is measured
file by file); such a run stages under ``build/mutation/<group>@<file stem>`` and checks no floor,
since a floor is about a whole group.

mutmut runs at the lowest CPU priority; its results stay under build/mutation/ (``--keep`` reuses
them: only mutants of changed functions and new tests run again).
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import yaml

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(TOOLS))
CONFIG = os.path.join(ROOT, 'tests', 'mutation.yml')
WORK = os.path.join(ROOT, 'build', 'mutation')
VENV_BIN = os.path.dirname(sys.executable)

sys.path.insert(0, TOOLS)
from gate import working_tree_files  # noqa: E402  pylint: disable=wrong-import-position

# mutmut's exit-code classes (mutmut/stats.py), folded into what the score needs.
KILLED = 'killed'
SURVIVED = 'survived'
NO_TESTS = 'no tests'
TIMEOUT = 'timeout'
OTHER = 'suspicious'
STATUS = {1: KILLED, 3: KILLED, 0: SURVIVED, 5: NO_TESTS, 33: NO_TESTS, 36: TIMEOUT, -24: TIMEOUT, 24: TIMEOUT, 152: TIMEOUT, 255: TIMEOUT,
          -11: TIMEOUT, -9: TIMEOUT}
DETECTED = (KILLED, TIMEOUT)


class ConfigError(Exception):
    """tests/mutation.yml is not as documented in its comments."""


# ------------------------------------------------------------------------------------- config


def load_config(path=CONFIG):
    """The mutation configuration, checked."""
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle) or {}
    for key in ('mutate', 'tests', 'groups'):
        if not data.get(key):
            raise ConfigError('%s: %s is required' % (path, key))
    data.setdefault('exclude_tests', [])
    data['equivalent'] = data.get('equivalent') or []
    for index, entry in enumerate(data['equivalent']):
        missing = [key for key in ('file', 'function', 'line', 'mutated', 'reason') if not entry.get(key)]
        if missing:
            raise ConfigError('%s: equivalent[%d]: %s is required' % (path, index, missing[0]))
    for name, group in data['groups'].items():
        if not group.get('mutate') or not group.get('tests'):
            raise ConfigError('%s: groups.%s needs mutate and tests' % (path, name))
    return data


def mutable_files(config, root=ROOT):
    """Relative paths of the files the ``mutate`` globs select (package __init__ files left out)."""
    found = set()
    for pattern in config['mutate']:
        for directory, _subdirs, names in os.walk(root):
            for name in names:
                relpath = os.path.relpath(os.path.join(directory, name), root).replace(os.sep, '/')
                if fnmatch.fnmatch(relpath, pattern) and name.endswith('.py') and name != '__init__.py':
                    found.add(relpath)
    return sorted(found)


def files_by_group(config, files):
    """{group: [files]}: each file goes to the first group one of whose globs matches it."""
    result = {name: [] for name in config['groups']}
    for relpath in files:
        for name, group in config['groups'].items():
            if any(fnmatch.fnmatch(relpath, pattern) for pattern in group['mutate']):
                result[name].append(relpath)
                break
    return result


# ------------------------------------------------------------------------------------- staging


def collection_dir(stage, galaxy):
    """Where the collection sits in a stage directory."""
    return os.path.join(stage, 'ansible_collections', galaxy['namespace'], galaxy['name'])


def stage_copy(stage, galaxy, root=ROOT):
    """Copy the working tree into ``stage``; return the collection's path there."""
    target_root = collection_dir(stage, galaxy)
    if os.path.lexists(target_root):
        shutil.rmtree(target_root)
    for name in working_tree_files(root):
        source = os.path.join(root, name)
        target = os.path.join(target_root, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        elif os.path.isfile(source):
            shutil.copy2(source, target)
    return target_root


def mutmut_settings(config, group, files, galaxy, collection):
    """The [tool.mutmut] table for one group, paths relative to the stage directory."""
    prefix = '/'.join(('ansible_collections', galaxy['namespace'], galaxy['name']))
    source_dirs = sorted({os.path.dirname(relpath) for relpath in files})
    also_copy = []
    for entry in sorted(os.listdir(collection)):
        relpath = entry
        if os.path.isdir(os.path.join(collection, entry)) and any(d == relpath or d.startswith(relpath + '/') for d in source_dirs):
            for sub in sorted(os.listdir(os.path.join(collection, entry))):
                subpath = relpath + '/' + sub
                if subpath not in source_dirs:
                    also_copy.append(prefix + '/' + subpath)
            continue
        also_copy.append(prefix + '/' + relpath)
    selection = []
    for pattern in config['groups'][group]['tests']:
        matches = sorted(glob.glob(os.path.join(collection, pattern)))
        if not matches:
            raise ConfigError('groups.%s.tests: %s matches nothing' % (group, pattern))
        selection.extend(prefix + '/' + os.path.relpath(path, collection).replace(os.sep, '/') for path in matches)
    selection += ['--ignore=' + prefix + '/' + path for path in config['exclude_tests']]
    selection += ['--deselect=' + prefix + '/' + nodeid for nodeid in config.get('deselect_tests') or []]
    return {
        'source_paths': [prefix + '/' + path for path in source_dirs],
        'only_mutate': [prefix + '/' + path for path in files],
        'also_copy': also_copy,
        'pytest_add_cli_args_test_selection': selection,
        'pytest_add_cli_args': ['-p', 'no:cacheprovider', '-p', 'no:xdist'] + [str(arg) for arg in config.get('pytest_args') or []],
        'use_git_change_detection': False,
        'use_setproctitle': False,
    }


def toml_value(value):
    """A TOML literal for a str, bool or list of str (all mutmut's settings need)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list):
        return '[%s]' % ', '.join(toml_value(item) for item in value)
    return json.dumps(value)


def write_mutmut_config(stage, settings):
    """stage/pyproject.toml with the [tool.mutmut] table."""
    lines = ['[tool.mutmut]'] + ['%s = %s' % (key, toml_value(value)) for key, value in settings.items()]
    with open(os.path.join(stage, 'pyproject.toml'), 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(lines) + '\n')


# ------------------------------------------------------------------------------------- results


def read_results(stage, galaxy, files):
    """{relpath: {mutant_name: exit_code}} from mutmut's .meta files."""
    collection = collection_dir(os.path.join(stage, 'mutants'), galaxy)
    results = {}
    for relpath in files:
        meta = os.path.join(collection, relpath + '.meta')
        if not os.path.exists(meta):
            results[relpath] = {}
            continue
        with open(meta, encoding='utf-8') as handle:
            results[relpath] = json.load(handle).get('exit_code_by_key', {})
    return results


def status_of(exit_code):
    """killed, survived, no tests, timeout or suspicious."""
    if exit_code is None:
        return 'not checked'
    return STATUS.get(exit_code, OTHER)


def function_of(mutant_name):
    """``Class.method`` or ``function`` from mutmut's mangled mutant name."""
    mangled = mutant_name.rpartition('.')[2].partition('__mutmut_')[0]
    if mangled.startswith('x\u01c1'):
        _x, klass, method = mangled.split('\u01c1')
        return '%s.%s' % (klass, method)
    return mangled[2:] if mangled.startswith('x_') else mangled


def changed_lines(diff):
    """(line as written, line as mutated, offset of the line in the function) of a unified diff
    of one function; several changed lines are joined with a newline."""
    removed, added, offset, position = [], [], None, 0
    for line in diff.splitlines():
        if line.startswith(('---', '+++')):
            continue
        match = re.match(r'@@ -(\d+)', line)
        if match:
            position = int(match.group(1)) - 1
            continue
        if line.startswith('-'):
            removed.append(line[1:].strip())
            offset = position if offset is None else offset
            position += 1
        elif line.startswith('+'):
            added.append(line[1:].strip())
        else:
            position += 1
    return '\n'.join(removed), '\n'.join(added), offset or 0


def function_lines(path):
    """{'function' or 'Class.method': first line} of a Python file."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    lines = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines[node.name] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines['%s.%s' % (node.name, item.name)] = item.lineno
    return lines


def survivor_diffs(stage, galaxy, survivors):
    """{mutant_name: diff} for the survivors of one stage, read with mutmut's own code."""
    if not survivors:
        return {}
    script = ('import json, sys\n'
              'from mutmut.mutation.diff_apply import get_diff_for_mutant\n'
              'out = {}\n'
              'for name, path in json.load(sys.stdin):\n'
              '    out[name] = get_diff_for_mutant(name, path=path)\n'
              'print(json.dumps(out))\n')
    prefix = '/'.join(('ansible_collections', galaxy['namespace'], galaxy['name']))
    payload = json.dumps([[name, prefix + '/' + relpath] for name, relpath in survivors])
    proc = subprocess.run([sys.executable, '-c', script], cwd=stage, input=payload, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise RuntimeError('cannot read the survivors\' diffs: %s' % proc.stderr.strip()[-500:])
    return json.loads(proc.stdout)


def normalise(text):
    """A line compared without its surrounding spaces."""
    return '\n'.join(part.strip() for part in (text or '').strip().splitlines())


def match_equivalent(equivalents, relpath, function, line, mutated):
    """The index of the equivalent entry that explains this survivor, or None."""
    for index, entry in enumerate(equivalents):
        if (entry['file'] == relpath and entry['function'] == function and normalise(entry['line']) == normalise(line)
                and normalise(entry['mutated']) == normalise(mutated)):
            return index
    return None


def score(counts):
    """Percent of the non-equivalent mutants that the tests detect (100 when there are none)."""
    relevant = counts['mutants'] - counts['equivalent']
    return 100.0 if relevant <= 0 else 100.0 * counts['killed'] / relevant


def summarise(config, results, diffs, root=ROOT):
    """Per-file counts, the unexplained survivors and the stale equivalent entries.

    ``results`` is {relpath: {mutant: exit_code}}, ``diffs`` {mutant: diff}.
    """
    used = set()
    per_file = {}
    unexplained = []
    for relpath, mutants in sorted(results.items()):
        counts = {'mutants': len(mutants), 'killed': 0, 'equivalent': 0, 'survived': 0, 'no tests': 0, 'other': 0}
        starts = function_lines(os.path.join(root, relpath))
        for name, exit_code in sorted(mutants.items(), key=lambda item: _mutant_order(item[0])):
            status = status_of(exit_code)
            if status in DETECTED:
                counts['killed'] += 1
                continue
            function = function_of(name)
            line, mutated, offset = changed_lines(diffs.get(name, ''))
            index = match_equivalent(config['equivalent'], relpath, function, line, mutated) if status == SURVIVED else None
            if index is not None:
                counts['equivalent'] += 1
                used.add(index)
                continue
            counts['survived' if status == SURVIVED else 'no tests' if status == NO_TESTS else 'other'] += 1
            unexplained.append({'file': relpath, 'function': function, 'status': status, 'mutant': name,
                                'lineno': starts.get(function, 0) + offset, 'line': line, 'mutated': mutated})
        counts['score'] = round(score(counts), 1)
        per_file[relpath] = counts
    stale = [entry for index, entry in enumerate(config['equivalent'])
             if index not in used and entry['file'] in results]
    return per_file, unexplained, stale


def _mutant_order(name):
    head, _sep, number = name.rpartition('__mutmut_')
    return (head, int(number) if number.isdigit() else 0)


def total(per_file):
    """The counts of several files added up, with their score."""
    counts = {'mutants': 0, 'killed': 0, 'equivalent': 0, 'survived': 0, 'no tests': 0, 'other': 0}
    for item in per_file.values():
        for key in counts:
            counts[key] += item[key]
    counts['score'] = round(score(counts), 1)
    return counts


def format_counts(label, counts, width):
    """One line of the score table."""
    return ('%-*s  mutants %5d  killed %5d  equivalent %3d  survived %4d  no tests %4d  other %3d  score %5.1f%%'
            % (width, label, counts['mutants'], counts['killed'], counts['equivalent'], counts['survived'], counts['no tests'],
               counts['other'], counts['score']))


# ------------------------------------------------------------------------------------- running


def stage_name(group, files, chosen_files=None):
    """The directory under build/mutation of a run of ``group``: the group's name, or with ``--file``
    the group's name and the stems of the chosen files."""
    if not chosen_files:
        return group
    return '%s@%s' % (group, '+'.join(os.path.splitext(os.path.basename(path))[0] for path in files))


def select_files(files, patterns):
    """The files matching one of the ``--file`` patterns (a path or a glob, relative to the root)."""
    if not patterns:
        return list(files)
    return [path for path in files if any(fnmatch.fnmatch(path, pattern) for pattern in patterns)]


def run_group(config, group, files, galaxy, max_children, keep, log, stage_dir=None):
    """Stage and run mutmut for one group; return (results, diffs, seconds)."""
    stage = os.path.join(WORK, stage_dir or group)
    if not keep and os.path.exists(stage):
        shutil.rmtree(stage)
    os.makedirs(stage, exist_ok=True)
    collection = stage_copy(stage, galaxy)
    write_mutmut_config(stage, mutmut_settings(config, group, files, galaxy, collection))
    env = dict(os.environ, HYPOTHESIS_PROFILE='mutation', PY_COLORS='0', NO_COLOR='1', PYTHONDONTWRITEBYTECODE='1',
               ANSIBLE_NOCOLOR='1', TERM='dumb')
    env.pop('PYTHONPATH', None)
    env['PATH'] = os.pathsep.join([VENV_BIN, env.get('PATH', '')])
    command = [os.path.join(VENV_BIN, 'mutmut'), 'run', '--max-children', str(max_children)]
    started = time.monotonic()
    with open(log, 'w', encoding='utf-8') as handle:
        runs = [command]
        if keep:
            # mutmut keeps a survivor's verdict until its function changes: test the previous
            # survivors again by name, after the new and changed mutants.
            previous = [name for mutants in read_results(stage, galaxy, files).values() for name, code in mutants.items()
                        if code is not None and status_of(code) not in DETECTED]
            if previous:
                runs.append(command + previous)
        for run in runs:
            proc = subprocess.run(run, cwd=stage, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
                                  preexec_fn=_lowest_priority, check=False)
            if proc.returncode:
                raise RuntimeError('mutmut failed for group %s (exit %d); see %s' % (group, proc.returncode, os.path.relpath(log, ROOT)))
    seconds = time.monotonic() - started
    results = read_results(stage, galaxy, files)
    survivors = [(name, relpath) for relpath, mutants in results.items() for name, code in mutants.items()
                 if status_of(code) not in DETECTED]
    return results, survivor_diffs(stage, galaxy, survivors), seconds


def _lowest_priority():
    try:
        os.nice(19)
    except OSError:
        pass


def report_text(per_file, unexplained, stale, groups, seconds):
    """The human-readable report."""
    width = max([len(path) for path in per_file] + [5])
    lines = []
    for relpath, counts in per_file.items():
        lines.append(format_counts(relpath, counts, width))
    lines.append(format_counts('total', total(per_file), width))
    for name, (files, floor, group_seconds) in groups.items():
        counts = total({relpath: per_file[relpath] for relpath in files})
        verdict = '' if floor is None else ('  floor %.1f%%: %s' % (floor, 'ok' if counts['score'] >= floor else 'UNDER THE FLOOR'))
        lines.append('group %s: %d file(s), score %.1f%%, %.0f s%s' % (name, len(files), counts['score'], group_seconds, verdict))
    lines.append('mutation testing took %.0f s' % seconds)
    if unexplained:
        lines.append('')
        lines.append('%d mutant(s) not killed and not listed as equivalent in tests/mutation.yml:' % len(unexplained))
        for item in unexplained:
            lines.append('  %s:%d %s (%s, %s)' % (item['file'], item['lineno'], item['function'], item['status'], item['mutant'].rpartition('.')[2]))
            lines.append('      - %s' % item['line'].replace('\n', '\n        '))
            lines.append('      + %s' % item['mutated'].replace('\n', '\n        '))
    if stale:
        lines.append('')
        lines.append('%d equivalent entr(y/ies) in tests/mutation.yml match no surviving mutant any more (remove them):' % len(stale))
        for entry in stale:
            lines.append('  %s %s: %s -> %s' % (entry['file'], entry['function'], entry['line'], entry['mutated']))
    return '\n'.join(lines)


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--group', action='append', help='run only this group (repeatable); default: every group')
    parser.add_argument('--file', action='append', help='mutate only the files matching this path or glob (repeatable); no floor is checked')
    parser.add_argument('--max-children', type=int, default=2, help='mutants tested at the same time (default 2)')
    parser.add_argument('--keep', action='store_true', help='reuse the previous run\'s results under build/mutation')
    parser.add_argument('--report', default=os.path.join(WORK, 'report.json'), help='where to write the JSON report')
    parser.add_argument('--report-only', action='store_true', help='run nothing: report the results under build/mutation as they are')
    args = parser.parse_args(argv)
    config = load_config()
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    by_group = files_by_group(config, mutable_files(config))
    if args.file:
        by_group = {name: select_files(files, args.file) for name, files in by_group.items()}
        if not any(by_group.values()):
            parser.error('--file %s matches no file that is mutated' % ', '.join(args.file))
    chosen = args.group or [name for name in config['groups'] if not args.file or by_group[name]]
    unknown = [name for name in chosen if name not in config['groups']]
    if unknown:
        parser.error('unknown group %s (tests/mutation.yml has %s)' % (unknown[0], ', '.join(config['groups'])))
    os.makedirs(WORK, exist_ok=True)
    started = time.monotonic()
    results, diffs, groups = {}, {}, {}
    for name in chosen:
        files = by_group[name]
        if not files:
            groups[name] = ([], None if args.file else config['groups'][name].get('floor'), 0.0)
            continue
        sys.stdout.write('mutation: group %s, %d file(s): %s\n' % (name, len(files), ', '.join(files)))
        sys.stdout.flush()
        stage_dir = stage_name(name, files, args.file)
        log = os.path.join(WORK, 'mutmut-%s.log' % stage_dir)
        if args.report_only:
            stage = os.path.join(WORK, stage_dir)
            group_results = read_results(stage, galaxy, files)
            group_diffs = survivor_diffs(stage, galaxy, [(mutant, relpath) for relpath, mutants in group_results.items()
                                                         for mutant, code in mutants.items() if code is not None and status_of(code) not in DETECTED])
            group_results = {relpath: {m: c for m, c in mutants.items() if c is not None} for relpath, mutants in group_results.items()}
            seconds = 0.0
        else:
            group_results, group_diffs, seconds = run_group(config, name, files, galaxy, args.max_children, args.keep, log, stage_dir)
        results.update(group_results)
        diffs.update(group_diffs)
        groups[name] = (files, None if args.file else config['groups'][name].get('floor'), seconds)
    per_file, unexplained, stale = summarise(config, results, diffs)
    seconds = time.monotonic() - started
    sys.stdout.write(report_text(per_file, unexplained, stale, groups, seconds) + '\n')
    with open(args.report, 'w', encoding='utf-8') as handle:
        json.dump({'files': per_file, 'total': total(per_file), 'unexplained': unexplained, 'stale_equivalent': stale,
                   'groups': {name: {'files': files, 'floor': floor, 'seconds': round(group_seconds, 1),
                                     'score': total({f: per_file[f] for f in files})['score']}
                              for name, (files, floor, group_seconds) in groups.items()},
                   'seconds': round(seconds, 1)}, handle, indent=1, sort_keys=True)
    under = [name for name, (files, floor, _s) in groups.items()
             if floor is not None and files and total({f: per_file[f] for f in files})['score'] < floor]
    return 1 if under or stale else 0


if __name__ == '__main__':
    sys.exit(main())
