"""The mutation testing driver (tests/tools/mutation.py): its configuration, grouping, mutmut
settings, and how survivors are matched with the equivalent mutants listed in tests/mutation.yml."""

from __future__ import annotations

import textwrap

import pytest

DIFF = textwrap.dedent('''\
    --- plugins/module_utils/guard.py
    +++ plugins/module_utils/guard.py
    @@ -1,5 +1,5 @@
     def reply_path(state, host_address, controller_address):
         engine = Engine(state)
    -    interface = reply.get('interface') if reply['disposition'] != 'no_route' else None
    +    interface = reply.get('interface') if reply['disposition'] != 'NO_ROUTE' else None
         return interface''')


def test_the_repository_configuration_loads_and_covers_every_file(mutation):
    config = mutation.load_config()
    files = mutation.mutable_files(config)
    assert 'plugins/module_utils/guard.py' in files and 'plugins/plugin_utils/_change.py' in files
    assert not [f for f in files if f.endswith('__init__.py')]
    groups = mutation.files_by_group(config, files)
    assert groups['gate'] == ['plugins/module_utils/guard.py']
    assert sorted(f for names in groups.values() for f in names) == files
    assert config['groups']['gate']['floor'] == 100


def test_a_file_goes_to_the_first_group_that_names_it(mutation):
    config = {'groups': {'a': {'mutate': ['plugins/x/*.py']}, 'b': {'mutate': ['plugins/x/y.py']}, 'rest': {'mutate': ['*']}}}
    assert mutation.files_by_group(config, ['plugins/x/y.py', 'plugins/z.py']) == {'a': ['plugins/x/y.py'], 'b': [], 'rest': ['plugins/z.py']}


@pytest.mark.parametrize('text, message', [
    ('tests: [a]\ngroups: {g: {mutate: [x], tests: [y]}}\n', 'mutate is required'),
    ('mutate: [x]\ntests: [a]\ngroups: {g: {mutate: [x]}}\n', 'groups.g needs mutate and tests'),
    ('mutate: [x]\ntests: [a]\ngroups: {g: {mutate: [x], tests: [y]}}\nequivalent: [{file: f, function: g, line: a, mutated: b}]\n',
     r'equivalent\[0\]: reason is required'),
])
def test_a_bad_configuration_is_refused(mutation, tmp_path, text, message):
    path = tmp_path / 'mutation.yml'
    path.write_text(text, encoding='utf-8')
    with pytest.raises(mutation.ConfigError, match=message):
        mutation.load_config(str(path))


def test_mutmut_settings_keep_the_collection_importable(mutation, tmp_path):
    collection = tmp_path / 'ansible_collections' / 'winnet' / 'routing'
    for path in ('plugins/module_utils/guard.py', 'plugins/filter/route_lookup.py', 'tests/unit/test_a.py', 'tests/unit/test_b.py',
                 'galaxy.yml'):
        (collection / path).parent.mkdir(parents=True, exist_ok=True)
        (collection / path).write_text('', encoding='utf-8')
    config = {'groups': {'gate': {'mutate': ['*'], 'tests': ['tests/unit/test_*.py']}}, 'exclude_tests': ['tests/unit/tools'],
              'deselect_tests': ['tests/unit/test_b.py::test_playbook'], 'pytest_args': ['-k', 'not slow']}
    settings = mutation.mutmut_settings(config, 'gate', ['plugins/module_utils/guard.py'], {'namespace': 'winnet', 'name': 'routing'},
                                        str(collection))
    prefix = 'ansible_collections/winnet/routing/'
    assert settings['source_paths'] == [prefix + 'plugins/module_utils']
    assert settings['only_mutate'] == [prefix + 'plugins/module_utils/guard.py']
    assert settings['also_copy'] == [prefix + 'galaxy.yml', prefix + 'plugins/filter', prefix + 'tests']
    assert settings['pytest_add_cli_args_test_selection'] == [prefix + 'tests/unit/test_a.py', prefix + 'tests/unit/test_b.py',
                                                              '--ignore=' + prefix + 'tests/unit/tools',
                                                              '--deselect=' + prefix + 'tests/unit/test_b.py::test_playbook']
    assert settings['pytest_add_cli_args'][-2:] == ['-k', 'not slow']
    written = tmp_path / 'pyproject.toml'
    mutation.write_mutmut_config(str(tmp_path), settings)
    text = written.read_text(encoding='utf-8')
    assert text.startswith('[tool.mutmut]\n')
    assert 'use_git_change_detection = false\n' in text
    assert 'only_mutate = ["%splugins/module_utils/guard.py"]\n' % prefix in text


def test_a_test_glob_that_matches_nothing_is_an_error(mutation, tmp_path):
    collection = tmp_path / 'c'
    collection.mkdir()
    config = {'groups': {'g': {'mutate': ['*'], 'tests': ['tests/nothing*.py']}}, 'exclude_tests': []}
    with pytest.raises(mutation.ConfigError, match='groups.g.tests: tests/nothing'):
        mutation.mutmut_settings(config, 'g', ['plugins/a.py'], {'namespace': 'n', 'name': 'c'}, str(collection))


@pytest.mark.parametrize('name, function', [
    ('ansible_collections.winnet.routing.plugins.module_utils.guard.x_reply_path__mutmut_12', 'reply_path'),
    ('ansible_collections.winnet.routing.plugins.module_utils.engine.x\u01c1Engine\u01c1lookup__mutmut_3', 'Engine.lookup'),
    ('a.b.x__plain__mutmut_1', '_plain'),
])
def test_the_function_of_a_mutant(mutation, name, function):
    assert mutation.function_of(name) == function


def test_changed_lines_of_a_diff(mutation):
    assert mutation.changed_lines(DIFF) == ("interface = reply.get('interface') if reply['disposition'] != 'no_route' else None",
                                            "interface = reply.get('interface') if reply['disposition'] != 'NO_ROUTE' else None", 2)


def test_statuses(mutation):
    assert [mutation.status_of(code) for code in (1, 3, 0, 33, 36, -9, 2, None)] == [
        'killed', 'killed', 'survived', 'no tests', 'timeout', 'timeout', 'suspicious', 'not checked']


def _config(equivalent):
    return {'equivalent': equivalent}


def test_survivors_are_matched_with_the_equivalent_list_and_stale_entries_reported(mutation, tmp_path):
    source = tmp_path / 'plugins' / 'module_utils' / 'guard.py'
    source.parent.mkdir(parents=True)
    source.write_text('import x\n\n\ndef reply_path(state, host_address, controller_address):\n    pass\n', encoding='utf-8')
    prefix = 'ansible_collections.winnet.routing.plugins.module_utils.guard.x_reply_path__mutmut_'
    results = {'plugins/module_utils/guard.py': {prefix + '1': 1, prefix + '2': 0, prefix + '3': 0, prefix + '4': 33, prefix + '5': 36}}
    equivalent = {'file': 'plugins/module_utils/guard.py', 'function': 'reply_path', 'reason': 'no_route has no interface',
                  'line': "  interface = reply.get('interface') if reply['disposition'] != 'no_route' else None",
                  'mutated': "interface = reply.get('interface') if reply['disposition'] != 'NO_ROUTE' else None  "}
    stale = dict(equivalent, mutated='something else')
    diffs = {prefix + '2': DIFF, prefix + '3': DIFF.replace("'NO_ROUTE'", "'XXno_routeXX'"), prefix + '4': DIFF}
    per_file, unexplained, stale_found = mutation.summarise(_config([equivalent, stale]), results, diffs, root=str(tmp_path))
    assert per_file['plugins/module_utils/guard.py'] == {'mutants': 5, 'killed': 2, 'equivalent': 1, 'survived': 1, 'no tests': 1,
                                                         'other': 0, 'score': 50.0}
    assert [(u['mutant'].rpartition('_')[2], u['status'], u['lineno']) for u in unexplained] == [('3', 'survived', 6), ('4', 'no tests', 6)]
    assert stale_found == [stale]
    assert mutation.total(per_file)['score'] == 50.0


def test_the_score_leaves_equivalent_mutants_out(mutation):
    assert mutation.score({'mutants': 10, 'killed': 9, 'equivalent': 1}) == 100.0
    assert mutation.score({'mutants': 3, 'killed': 0, 'equivalent': 3}) == 100.0
    assert mutation.score({'mutants': 4, 'killed': 3, 'equivalent': 0}) == 75.0


def test_the_report_lists_survivors_with_their_diff(mutation):
    per_file = {'plugins/module_utils/guard.py': {'mutants': 4, 'killed': 3, 'equivalent': 0, 'survived': 1, 'no tests': 0, 'other': 0,
                                                  'score': 75.0}}
    unexplained = [{'file': 'plugins/module_utils/guard.py', 'function': 'reply_path', 'status': 'survived', 'mutant': 'a.x_reply_path__mutmut_3',
                    'lineno': 60, 'line': 'a == b', 'mutated': 'a != b'}]
    text = mutation.report_text(per_file, unexplained, [], {'gate': (['plugins/module_utils/guard.py'], 100, 12.0)}, 13.0)
    lines = text.splitlines()
    assert lines[0].startswith('plugins/module_utils/guard.py  mutants     4  killed     3')
    assert lines[0].endswith('score  75.0%')
    assert 'group gate: 1 file(s), score 75.0%, 12 s  floor 100.0%: UNDER THE FLOOR' in lines
    assert lines[-3:] == ['  plugins/module_utils/guard.py:60 reply_path (survived, x_reply_path__mutmut_3)', '      - a == b', '      + a != b']


def test_file_selects_some_of_a_groups_files_and_stages_them_apart(mutation):
    files = ['plugins/module_utils/applier.py', 'plugins/module_utils/planner.py', 'plugins/module_utils/restore.py']
    assert mutation.select_files(files, None) == files
    assert mutation.select_files(files, ['plugins/module_utils/restore.py']) == ['plugins/module_utils/restore.py']
    assert mutation.select_files(files, ['plugins/module_utils/p*.py', 'plugins/module_utils/applier.py']) == files[:2]
    assert mutation.select_files(files, ['plugins/module_utils/guard.py']) == []
    assert mutation.stage_name('planning', files, None) == 'planning'
    assert mutation.stage_name('planning', files[:1], ['plugins/module_utils/applier.py']) == 'planning@applier'
    assert mutation.stage_name('planning', files[:2], ['plugins/module_utils/[ap]*.py']) == 'planning@applier+planner'


def test_file_matching_nothing_is_refused(mutation, capsys):
    with pytest.raises(SystemExit):
        mutation.main(['--file', 'plugins/nothing.py'])
    assert '--file plugins/nothing.py matches no file that is mutated' in capsys.readouterr().err
