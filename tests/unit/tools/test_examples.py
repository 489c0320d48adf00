"""The documentation examples' extractor (tests/tools/examples.py) and its comparison filter."""

from __future__ import annotations

import textwrap

import pytest
import yaml

HOSTS = {'web25-01': {'winnet_snapshot': '../snapshots/web25-01.json', 'winnet_controller_address': '10.20.0.15'},
         'dsr-ok-01': {'winnet_snapshot': '../snapshots/dsr-ok-01.json'}}


def rst(text):
    return textwrap.dedent(text).lstrip('\n')


def kinds(examples_module, blocks, hosts=None):
    return [(example.kind, example.block.line) for example in examples_module.classify(blocks, HOSTS if hosts is None else hosts)]


# -- reading ------------------------------------------------------------------------------------


def test_rst_code_blocks_markers_and_hidden_blocks(examples):
    text = rst('''
        Title
        =====

        .. winnet-example: on web25-01

        .. code-block:: yaml

            - name: Gather
              winnet.routing.net_info:

        .. winnet-example: vars

           base: {a: 1}

        .. code-block:: yaml+jinja

            "{{ base }}"

        .. code-block:: yaml

            a: 1

        Some text.

        .. code-block:: text

            not yaml
        ''')
    blocks = examples.read_rst(text, 'guide.rst')
    assert [(b.line, b.language, b.hidden, b.adjacent) for b in blocks] == [
        (8, 'yaml', False, False), (13, 'yaml+jinja', True, True), (17, 'yaml+jinja', False, True),
        (21, 'yaml', False, True), (27, 'text', False, False)]
    assert blocks[0].directives == [('on', 'web25-01')]
    assert blocks[0].text == '- name: Gather\n  winnet.routing.net_info:\n'
    assert blocks[1].text == 'base: {a: 1}\n'
    assert blocks[2].directives == []


def test_rst_code_block_options_are_not_content(examples):
    text = rst('''
        .. code-block:: yaml
           :caption: A caption

           - name: A task
             ansible.builtin.debug:
        ''')
    (block,) = examples.read_rst(text, 'g.rst')
    assert block.line == 4 and block.text.startswith('- name: A task')


def test_unknown_directive_and_dangling_marker_are_errors(examples):
    with pytest.raises(examples.ExampleError, match='g.rst:1: unknown winnet-example directive .skip.'):
        examples.read_rst('.. winnet-example: skip because\n', 'g.rst')
    with pytest.raises(examples.ExampleError, match='applies to no block'):
        examples.read_rst('Text.\n\n.. winnet-example: on web25-01\n', 'g.rst')
    with pytest.raises(examples.ExampleError, match='applies to no block'):
        examples.read_markdown('<!-- winnet-example: real -->\n', 'README.md')


def test_markdown_fences_and_comment_markers(examples):
    text = textwrap.dedent('''\
        # Title

        <!-- winnet-example: on dsr-ok-01; real -->
        ```yaml
        - name: A task
          ansible.builtin.debug:
        ```

        <!-- winnet-example: expression
        "{{ 1 + 1 }}"
        -->
        ```yaml
        2
        ```
        ''')
    blocks = examples.read_markdown(text, 'README.md')
    assert [(b.line, b.language, b.hidden, b.adjacent) for b in blocks] == [
        (5, 'yaml', False, False), (10, 'yaml+jinja', True, True), (13, 'yaml', False, True)]
    assert blocks[0].directives == [('on', 'dsr-ok-01'), ('real', '')]
    assert blocks[1].directives == [('expression', '')] and blocks[1].text == '"{{ 1 + 1 }}"\n'


def test_plugin_examples_split_at_marker_lines(examples, tmp_path):
    plugin = tmp_path / 'route.py'
    plugin.write_text(textwrap.dedent('''\
        DOCUMENTATION = "x"

        EXAMPLES = r"""
        # winnet-example: on web25-01
        # Before: something.
        - name: First
          ansible.builtin.debug:

        - name: Second
          ansible.builtin.debug:

        # winnet-example: on dsr-ok-01
        # winnet-example: real
        - name: Third
          ansible.builtin.debug:
        """
        '''), encoding='utf-8')
    blocks = examples.read_plugin(str(plugin), 'plugins/modules/route.py')
    assert [(b.line, b.directives) for b in blocks] == [(4, [('on', 'web25-01')]), (12, [('on', 'dsr-ok-01'), ('real', '')])]
    assert [task['name'] for task in yaml.safe_load(blocks[0].text)] == ['First', 'Second']


def test_plugin_examples_without_markers_are_one_block(examples, tmp_path):
    plugin = tmp_path / 'x.py'
    plugin.write_text('EXAMPLES = """\n- name: Only\n  ansible.builtin.debug:\n"""\n', encoding='utf-8')
    (block,) = examples.read_plugin(str(plugin), 'plugins/filter/x.py')
    assert block.line == 2 and block.directives == []
    sidecar = tmp_path / 'y.yml'
    sidecar.write_text('DOCUMENTATION: {}\nEXAMPLES: |\n  - name: Sidecar\n    ansible.builtin.debug:\n', encoding='utf-8')
    (block,) = examples.read_plugin(str(sidecar), 'plugins/filter/y.yml')
    assert block.line == 3


# -- classifying ----------------------------------------------------------------------------------


def block(examples, text, language='yaml', directives=(), hidden=False, adjacent=False, line=1):
    return examples.Block('doc.rst', line, language, textwrap.dedent(text), directives, hidden=hidden, adjacent=adjacent)


def test_kinds_follow_from_content(examples):
    blocks = [
        block(examples, '- hosts: all\n  tasks: []\n', line=1),
        block(examples, '- name: t\n  ansible.builtin.debug:\n', line=2),
        block(examples, 'all:\n  hosts:\n    web25-01: {}\n', line=3),
        block(examples, 'web25-01:\n  winnet_controller_address: 10.20.0.15\n', line=4),
        block(examples, 'state: {schema: winnet.routing/v1}\n', line=5),
        block(examples, '"{{ state }}"\n', 'yaml+jinja', line=6),
        block(examples, 'schema: winnet.routing/v1\n', adjacent=True, line=7),
        block(examples, 'lookup: "{{ state }}"\nflow: "{{ state }}"\n', 'yaml+jinja', line=8),
        block(examples, 'text, not an example\n', 'text', line=9),
        block(examples, 'lookup: {a: 1}\n', line=10),
    ]
    found = examples.classify(blocks, HOSTS)
    assert [(example.kind, example.block.line) for example in found] == [
        ('playbook', 1), ('tasks', 2), ('inventory', 3), ('inventory', 4), ('vars', 5), ('expression', 6), ('expression', 8),
        ('vars', 10)]
    assert found[5].expected[0].line == 7 and found[5].expected[1] == {'schema': 'winnet.routing/v1'}
    # Text between an expression and a block makes the block something else: here vars.
    assert found[6].expected is None


def test_a_result_must_be_right_under_its_expression(examples):
    blocks = [block(examples, '"{{ x }}"\n', 'yaml+jinja'), block(examples, '- {a: 1}\n', adjacent=False)]
    assert kinds(examples, blocks) == [('expression', 1), ('tasks', 1)]
    blocks = [block(examples, '"{{ x }}"\n', 'yaml+jinja'), block(examples, '- {a: 1}\n', adjacent=True)]
    found = examples.classify(blocks, HOSTS)
    assert len(found) == 1 and found[0].expected[1] == [{'a': 1}]


def test_fragments_files_and_hidden_blocks(examples):
    blocks = [
        block(examples, 'audit:\n  script: [x]\n', directives=[('fragment', 'a GitLab CI job')]),
        block(examples, 'route print text\n', 'text', directives=[('file', 'ticket/route-print.txt')]),
        block(examples, 'variant: "{{ base }}"\n', 'yaml+jinja', directives=[('vars', '')], hidden=True),
        block(examples, '"{{ variant }}"\n', 'yaml+jinja', directives=[('expression', '')], hidden=True),
        block(examples, 'a: 1\n', adjacent=True),
    ]
    found = examples.classify(blocks, HOSTS)
    assert [example.kind for example in found] == ['fragment', 'file', 'vars', 'expression']
    assert found[0].reason == 'a GitLab CI job' and found[1].reason == 'ticket/route-print.txt'
    assert found[3].expected[1] == {'a': 1}


def test_trace_blocks_belong_to_the_last_expression(examples):
    blocks = [
        block(examples, '"{{ state | winnet.routing.route_lookup(\'192.0.2.1\') }}"\n', 'yaml+jinja', line=1),
        block(examples, 'interface: 3\n', adjacent=True, line=3),
        block(examples, '  Line one.\n\n  Line two.\n', 'text', directives=[('trace', '')], line=5),
    ]
    (expression,) = examples.classify(blocks, HOSTS)
    assert [(trace.line, lines) for trace, lines in expression.traces] == [(5, ['Line one.', 'Line two.'])]
    _counts, plays, _alone, _files = examples.generate([expression], HOSTS)
    checks = plays[0]['tasks'][2]['block']
    assert [task['name'] for task in checks] == ['The result shown at doc.rst:3', 'The trace shown at doc.rst:5']
    assert checks[1]['vars']['lines'] == ['Line one.', 'Line two.']
    with pytest.raises(examples.ExampleError, match='a trace block needs an expression above it'):
        examples.classify([block(examples, 'x\n', 'text', directives=[('trace', '')], line=7)], HOSTS)


@pytest.mark.parametrize('text, directives, message', [
    ('a: [unclosed\n', [], 'does not parse'),
    ('just a string\n', [], 'cannot tell what this YAML block is'),
    ('x: 1\n', [('fragment', '')], 'must say why'),
    ('x: 1\n', [('file', '../outside')], 'relative path inside'),
    ('- hosts: all\n', [('on', 'web25-01')], '"on" applies to task lists and expressions'),
    ('- name: t\n  ansible.builtin.debug:\n', [('xfail', 'x'), ('fails', 'y')], 'exclude each other'),
    ('- name: t\n  ansible.builtin.debug:\n', [('expect', 'text')], '"expect" goes with'),
    ('x: "{{ a }}"\n', [('xfail', 'x')], 'apply to task lists and playbooks'),
])
def test_classification_errors_name_the_block(examples, text, directives, message):
    with pytest.raises(examples.ExampleError, match=message) as raised:
        examples.classify([block(examples, text, directives=directives, line=42)], HOSTS)
    assert 'doc.rst:42' in str(raised.value)


def test_flatten_inventory_applies_group_vars_then_host_vars(examples):
    data = {'all': {'vars': {'a': 1, 'b': 1}, 'children': {'g': {'vars': {'b': 2}, 'hosts': {'h1': {'c': 3}, 'h2': None}}},
                    'hosts': {'h3': {'a': 4}}}}
    assert examples.flatten_inventory(data) == {'h1': {'a': 1, 'b': 2, 'c': 3}, 'h2': {'a': 1, 'b': 2}, 'h3': {'a': 4, 'b': 1}}
    # What is not a mapping is left for ansible-inventory to refuse.
    assert examples.flatten_inventory({'all': {'hosts': ['h1'], 'children': 'x', 'vars': None}}) == {}


# -- generating ---------------------------------------------------------------------------------


def test_task_lists_run_in_check_mode_on_their_hosts_with_a_verdict(examples):
    tasks = block(examples, '- name: t\n  ansible.builtin.debug:\n', directives=[('on', 'web25-01')])
    real = block(examples, '- name: t\n  ansible.builtin.debug:\n', directives=[('real', '')], line=9)
    counts, plays, alone, _files = examples.generate(examples.classify([tasks, real], HOSTS), HOSTS)
    assert counts == {'doc.rst:1': 1, 'doc.rst:9': 1} and not alone
    assert plays[0]['hosts'] == 'web25-01' and plays[0]['check_mode'] is True
    assert plays[1]['hosts'] == 'localhost' and 'check_mode' not in plays[1]
    names = [task['name'] for task in plays[0]['tasks']]
    assert names[-1] == 'winnet-example doc.rst:1'
    guarded = plays[0]['tasks'][2]
    assert guarded['block'] == [{'name': 't', 'ansible.builtin.debug': None}] and guarded['rescue']


def test_playbooks_keep_their_plays_and_get_start_and_verdict(examples):
    playbook = block(examples, '- name: P\n  hosts: dsr\n  roles: [r]\n- hosts: web25-01\n  check_mode: false\n  tasks: []\n')
    counts, plays, _alone, _files = examples.generate(examples.classify([playbook], HOSTS), HOSTS)
    assert counts == {'doc.rst:1': 2}
    assert plays[0]['name'] == 'winnet-example doc.rst:1 P' and plays[0]['roles'] == ['r'] and plays[0]['check_mode'] is True
    assert plays[1]['check_mode'] is False
    assert plays[0]['pre_tasks'][0]['ansible.builtin.meta'] == 'clear_facts'
    assert all(play['post_tasks'][-1]['name'] == 'winnet-example doc.rst:1' for play in plays)


def test_expected_failures_run_alone_without_rescue(examples):
    failing = block(examples, '- name: t\n  ansible.builtin.fail:\n', directives=[('xfail', 'issue 16'), ('expect', 'boom')])
    counts, plays, alone, _files = examples.generate(examples.classify([failing], HOSTS), HOSTS)
    assert counts == {} and plays == []
    ((example, own),) = alone
    assert examples.expected_failure(example) == ('xfail', 'issue 16')
    assert [task.get('name') for task in own[0]['tasks']] == ['Start from the example inventory (forget facts of earlier examples)', 't']


def test_expressions_get_the_document_vars_and_compare_their_result(examples):
    blocks = [block(examples, 'state: {a: 1}\n'), block(examples, '"{{ state }}"\n', 'yaml+jinja', line=3),
              block(examples, 'a: 1\n', adjacent=True, line=5)]
    _counts, plays, _alone, _files = examples.generate(examples.classify(blocks, HOSTS), HOSTS)
    (play,) = plays
    assert play['vars'] == {'state': {'a': 1}} and play['hosts'] == 'localhost'
    check = play['tasks'][2]['block'][0]
    assert check['vars']['expected'] == {'a': 1} and check['vars']['value'] == '{{ state }}'
    assert check['ansible.builtin.assert']['that'] == ['mismatches | length == 0']


def test_inventory_examples_are_compared_with_the_example_inventory(examples):
    blocks = [block(examples, 'all:\n  hosts:\n    web25-01: {winnet_controller_address: 10.20.0.15}\n    web01: {}\n')]
    _counts, plays, _alone, _files = examples.generate(examples.classify(blocks, HOSTS), HOSTS)
    checks = plays[0]['tasks'][2]['block']
    assert [task['name'] for task in checks] == ['Host web01 is in the example inventory', 'web25-01: winnet_controller_address as in the example inventory']
    assert checks[1]['vars'] == {'host': 'web25-01', 'variable': 'winnet_controller_address', 'value': '10.20.0.15'}


def test_live_inventories_must_load_snapshot_inventories_must_agree(examples):
    live = block(examples, 'all:\n  hosts:\n    win01.example.com: {ansible_connection: winrm}\n', line=1)
    snapshot = block(examples, 'all:\n  hosts:\n    web01: {winnet_snapshot: ../snapshots/web01.json}\n', line=5)
    found = examples.classify([live, snapshot], HOSTS)
    assert [examples.is_live_inventory(example, HOSTS) for example in found] == [True, False]
    _counts, plays, _alone, files = examples.generate(found, HOSTS)
    assert files == {'inventories/doc.rst_1.yml': live.text}
    loads = plays[0]['tasks'][2]['block']
    assert loads[0]['ansible.builtin.command']['argv'] == ['ansible-inventory', '-i', 'inventories/doc.rst_1.yml', '--list']
    assert loads[1]['vars']['expected_hosts'] == ['win01.example.com']
    # A snapshot host that is not in the example inventory is an error of the example.
    assert plays[1]['tasks'][2]['block'][0]['ansible.builtin.fail']['msg'] == 'web01 is not a host of examples/inventory/hosts.yml'


def test_groups_batch_plugins_and_roles(examples):
    sources = ['README.md', 'roles/a/README.md', 'roles/b/README.md', 'docs/docsite/rst/g.rst', 'plugins/modules/route.py',
               'plugins/filter/flow_check.py']
    assert examples.groups(sources) == [('README.md', ['README.md']), ('roles', ['roles/a/README.md', 'roles/b/README.md']),
                                        ('guides', ['docs/docsite/rst/g.rst']),
                                        ('plugins', ['plugins/modules/route.py', 'plugins/filter/flow_check.py'])]


def test_junit_verdicts_read_the_verdict_cases_only(examples, tmp_path):
    (tmp_path / 'playbook-1.xml').write_text(textwrap.dedent('''\
        <testsuites><testsuite name="playbook">
          <testcase name="[web25-01] winnet-example doc.rst:1: winnet-example doc.rst:1" classname="x"/>
          <testcase name="[localhost] winnet-example doc.rst:9: winnet-example doc.rst:9" classname="x">
            <failure message="the result differs"/>
          </testcase>
          <testcase name="[localhost] winnet-example doc.rst:9: Gather" classname="x"><failure message="inner"/></testcase>
        </testsuite></testsuites>
        '''), encoding='utf-8')
    assert examples.junit_verdicts(str(tmp_path)) == {'doc.rst:1': [(True, '')], 'doc.rst:9': [(False, 'the result differs')]}


def test_every_document_of_the_collection_is_readable(examples):
    """Each example of the repository is placed (or marked); the gate runs them (tests/tools/examples.py run)."""
    known = examples.inventory_hosts()
    total = fragments = 0
    sources = examples.discover()
    assert 'README.md' in sources and 'plugins/modules/route.py' in sources and 'docs/docsite/rst/guide_route_selection.rst' in sources
    for source in sources:
        found = examples.load_examples(source, known_hosts=known)
        total += sum(1 for example in found if example.runs)
        fragments += sum(1 for example in found if example.kind == 'fragment')
    assert total >= 60
    assert fragments <= 3


# -- the comparison filter ------------------------------------------------------------------------


@pytest.mark.parametrize('actual, expected, problems', [
    ({'a': 1, 'b': 2}, {'a': 1}, []),
    ({'a': 1}, {'a': 2}, ['value.a: expected 2, got 1']),
    ({'a': 1}, {'b': 1}, ['value.b: missing']),
    ({'route': {'metric': 281}}, {'route.metric': 281}, []),
    ({'route': {'metric': 281}}, {'route.metric': 280}, ['value.route.metric: expected 280, got 281']),
    ({'route': None}, {'route.metric': 1}, ['value.route.metric: missing']),
    ({'flags': ['heuristic']}, {'flags': []}, ["value.flags: expected [], got ['heuristic']"]),
    ({'flags': ['a', 'b']}, {'flags': ['a', 'b']}, []),
    ({'flags': ['a', 'b']}, {'flags': ['b', 'a']}, ["value.flags[0]: expected 'b', got 'a'", "value.flags[1]: expected 'a', got 'b'"]),
    ({'ok': True}, {'ok': 1}, ['value.ok: expected 1, got True']),
    ({'n': 0}, {'n': False}, ['value.n: expected False, got 0']),
    ({'reply': None}, {'reply': None}, []),
    ('text', {'a': 1}, ["value: expected a mapping, got 'text'"]),
    ({'a': 1}, [{'a': 1}], ["value: expected a list, got {'a': 1}"]),
])
def test_fields_shown_must_match(example_filter, actual, expected, problems):
    assert example_filter.mismatches(actual, expected) == problems


def test_lists_of_mappings_match_in_order_with_items_between(example_filter):
    actual = [{'id': 'a', 'n': 1}, {'id': 'b', 'n': 2}, {'id': 'c', 'n': 3}]
    assert example_filter.mismatches(actual, [{'id': 'a'}, {'id': 'c'}]) == []
    assert example_filter.mismatches(actual, [{'id': 'b', 'n': 2}]) == []
    out_of_order = example_filter.mismatches(actual, [{'id': 'c'}, {'id': 'a'}])
    assert len(out_of_order) == 1 and 'the item shown as number 2' in out_of_order[0] and 'after item 3' in out_of_order[0]
    missing = example_filter.mismatches(actual, [{'id': 'b', 'n': 5}])
    assert len(missing) == 1 and "value[1].n: expected 5, got 2" in missing[0]


def test_filter_plugin_registers_its_name(example_filter):
    assert example_filter.FilterModule().filters() == {'winnet_example_mismatches': example_filter.winnet_example_mismatches}
