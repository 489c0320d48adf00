"""The collection's documentation examples, run as tests.

Every YAML example of README.md, roles/*/README.md, the guides (docs/docsite/rst/*.rst) and the
EXAMPLES of the plugins (plugins/*/*.py, filter sidecars plugins/filter/*.yml) is found here,
turned into plays and run with ansible-playbook against the example inventory
(examples/inventory/hosts.yml) and the installed collection: one generated playbook per document.
An example passes when it runs without a failed task and its asserts hold; an example that
changes hosts runs in check mode.

What a code block is follows from its language and its content:

* a list of plays (items with ``hosts``) is a **playbook**, run as it is;
* any other list is a **task list**, run on ``localhost`` unless a marker names the hosts;
* a YAML+Jinja string ``"{{ ... }}"``, or a mapping of names to such strings, is an
  **expression**; the YAML block right under it (no text between the two) is its **result**,
  compared field by field with what the expression returns (see ``winnet_example_mismatches`` in
  tests/examples/filter_plugins/);
* a mapping with ``all``, or one keyed by hosts of the example inventory, is an **inventory**:
  every variable it gives a host must be the one the example inventory gives it; an inventory
  of live hosts (none of them a snapshot host or a host of the example inventory) must load with
  ``ansible-inventory`` and list its hosts;
* any other mapping is **vars** (host states, for instance), available to the expressions of
  the rest of the document.

Markers say what the content cannot. They are comments, invisible in the rendered page: an rst
comment ``.. winnet-example: DIRECTIVES``, a Markdown ``<!-- winnet-example: DIRECTIVES -->``, a
YAML comment line ``# winnet-example: DIRECTIVES`` inside a plugin's EXAMPLES (where it starts a
new example). A marker applies to the code block that follows it. Directives, separated by ``;``:

``on HOSTS``
    the hosts (an Ansible host pattern) a task list or an expression runs on;
``real``
    run outside check mode (the example inventory's hosts are snapshot hosts: a real run changes
    them on paper only, and baselines are written under the run's own home directory);
``fragment REASON``
    the block cannot run alone; it is counted and reported, never run;
``xfail REASON``
    the example shows a behaviour of the collection that is wrong today (REASON names it); it
    runs in a playbook of its own and must fail; when it passes, remove the marker;
``fails REASON``
    the example is meant to fail against the example inventory (an audit that finds errors
    there); it runs like an xfail example;
``expect TEXT``
    with xfail or fails: TEXT must appear in the failed run's output, so that the example fails
    for its reason and not for another;
``file PATH``
    the block's text is written to PATH (relative to the run's directory) before the run;
``trace``
    every line of the block (a text block) is a line of the ``trace`` of the last expression
    above it (of its first item, when the expression gives a list);
``vars`` and ``expression`` with an indented body (rst) or a body inside the comment (Markdown)
    a hidden block of that kind: a state an expression needs, or the expression whose result
    the next block shows.

Usage::

    python tests/tools/examples.py list [SOURCE...]
    python tests/tools/examples.py run [--results FILE] [SOURCE...]
"""

from __future__ import annotations

import argparse
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

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join('examples', 'inventory', 'hosts.yml')
PLUGINS_DIR = os.path.join('tests', 'examples')
WORK = os.path.join(ROOT, 'build', 'gate', 'examples')
MARKER = 'winnet-example:'
PREFIX = 'winnet-example'
YAML_LANGUAGES = ('yaml', 'yml', 'yaml+jinja')
DIRECTIVES = ('on', 'real', 'fragment', 'xfail', 'fails', 'expect', 'file', 'trace', 'vars', 'expression')
PLUGIN_DIRS = ('modules', 'filter', 'test', 'lookup', 'inventory', 'callback', 'connection')

# Files the plugins' EXAMPLES read, provided in the run's directory: PATH -> (kind, source).
# ``copy`` copies a file of the repository; ``baseline`` wraps a HostState file as a baseline.
FIXTURES = {
    'ticket-4711/route-print.txt': ('copy', 'tests/unit/plugins/module_utils/fixtures/route_print/server2019_two_gateways.txt'),
    'export/routes.json': ('copy', 'tests/unit/plugins/module_utils/fixtures/netroute_json/server2019_ps51.routes.json'),
    'export/interfaces.json': ('copy', 'tests/unit/plugins/module_utils/fixtures/netroute_json/server2019_ps51.interfaces.json'),
    'export/addresses.json': ('copy', 'tests/unit/plugins/module_utils/fixtures/netroute_json/server2019_ps51.addresses.json'),
    'ticket-4711/routes.json': ('copy', 'tests/unit/plugins/module_utils/fixtures/netroute_json/server2022_ps7.routes.json'),
    'ticket-4711/persistent.json': ('copy', 'tests/unit/plugins/module_utils/fixtures/netroute_json/server2022_ps7.routes.json'),
    'ticket-4711/interfaces.json': ('copy', 'tests/unit/plugins/module_utils/fixtures/netroute_json/server2022_ps7.interfaces.json'),
    'ticket-4711/addresses.json': ('copy', 'tests/unit/plugins/module_utils/fixtures/netroute_json/server2022_ps7.addresses.json'),
    'states/web25-01.json': ('copy', 'examples/snapshots/web25-01.json'),
    'home/.ansible/winnet_baselines/web25-01/20261123T101500.123456Z.json': ('baseline', 'examples/snapshots/web25-01.json'),
}


class ExampleError(Exception):
    """A document whose examples cannot be read: the message names the file and line."""


class Block:
    """One code block (or hidden marker block) of a document."""

    def __init__(self, source, line, language, text, directives=(), hidden=False, adjacent=False):
        self.source = source
        self.line = line
        self.language = (language or '').lower()
        self.text = text
        self.directives = list(directives)
        self.hidden = hidden
        self.adjacent = adjacent    # directly under the previous block, no text between

    @property
    def ident(self):
        """``path:line`` of the block's first line."""
        return '%s:%d' % (self.source, self.line)

    def directive(self, name):
        """The argument of directive ``name`` ('' when given without one), or None."""
        for key, value in self.directives:
            if key == name:
                return value
        return None


class Example:
    """A classified block: what it is, and how it runs."""

    def __init__(self, block, kind, data=None, expected=None, reason=''):
        self.block = block
        self.kind = kind            # playbook, tasks, expression, inventory, vars, file, fragment
        self.data = data
        self.expected = expected    # result block under an expression: (block, data)
        self.traces = []            # text blocks whose lines its trace holds: [(block, lines)]
        self.reason = reason

    @property
    def ident(self):
        return self.block.ident

    @property
    def runs(self):
        """True for the kinds that are run (vars and files only feed the others)."""
        return self.kind in ('playbook', 'tasks', 'expression', 'inventory')


# ---------------------------------------------------------------------------------------------
# reading documents


def parse_directives(text, where):
    """``on web25-01; real`` -> [('on', 'web25-01'), ('real', '')]."""
    found = []
    for part in text.split(';'):
        part = part.strip()
        if not part:
            continue
        name, _sep, argument = part.partition(' ')
        if name not in DIRECTIVES:
            raise ExampleError('%s: unknown %s directive %r (known: %s)' % (where, PREFIX, name, ', '.join(DIRECTIVES)))
        found.append((name, argument.strip()))
    return found


def _indent(line):
    return len(line) - len(line.lstrip(' '))


def _dedent(lines):
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    width = min((_indent(line) for line in lines if line.strip()), default=0)
    return '\n'.join(line[width:] for line in lines) + ('\n' if lines else '')


def read_rst(text, source):
    """The ``code-block`` directives and ``winnet-example`` comments of an rst document."""
    lines = text.splitlines()
    blocks = []
    pending = []
    prose = True
    index = 0
    code = re.compile(r'^(\s*)\.\.\s+(?:code-block|code|sourcecode)::\s*(\S*)\s*$')
    marker = re.compile(r'^(\s*)\.\.\s+' + re.escape(MARKER) + r'\s*(.*)$')
    while index < len(lines):
        line = lines[index]
        match_code = code.match(line)
        match_marker = marker.match(line)
        if match_code or match_marker:
            base = len((match_code or match_marker).group(1))
            body_start = index + 1
            end = body_start
            while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > base):
                end += 1
            body = lines[body_start:end]
            if match_marker:
                directives = parse_directives(match_marker.group(2), '%s:%d' % (source, index + 1))
                content = _dedent(body)
                if content:
                    kinds = [name for name, _arg in directives if name in ('vars', 'expression')]
                    if len(kinds) != 1:
                        raise ExampleError('%s:%d: a %s comment with a body needs exactly one of vars, expression'
                                           % (source, index + 1, PREFIX))
                    first = body_start + next(i for i, item in enumerate(body) if item.strip())
                    blocks.append(Block(source, first + 1, 'yaml+jinja', content, directives, hidden=True, adjacent=not prose))
                    prose = False
                else:
                    pending.extend(directives)
            else:
                options = 0
                while options < len(body) and body[options].strip().startswith(':'):
                    options += 1
                content_lines = body[options:]
                first = body_start + options + next((i for i, item in enumerate(content_lines) if item.strip()), 0)
                blocks.append(Block(source, first + 1, match_code.group(2), _dedent(content_lines), pending, adjacent=not prose))
                pending = []
                prose = False
            index = end
            continue
        if line.strip():
            prose = True
        index += 1
    if pending:
        raise ExampleError('%s: a %s marker at the end of the document applies to no block' % (source, PREFIX))
    return blocks


def read_markdown(text, source):
    """The fenced code blocks and ``<!-- winnet-example: -->`` comments of a Markdown document."""
    lines = text.splitlines()
    blocks = []
    pending = []
    prose = True
    index = 0
    fence = re.compile(r'^(\s*)(```+|~~~+)\s*([^\s`]*)')
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith('<!--') and MARKER in stripped.split('\n')[0]:
            end = index
            while '-->' not in lines[end]:
                end += 1
                if end >= len(lines):
                    raise ExampleError('%s:%d: unterminated comment' % (source, index + 1))
            comment = '\n'.join(lines[index:end + 1])
            inner = comment.split('<!--', 1)[1].rsplit('-->', 1)[0]
            head, _sep, body = inner.partition('\n')
            directives = parse_directives(head.split(MARKER, 1)[1], '%s:%d' % (source, index + 1))
            if body.strip():
                blocks.append(Block(source, index + 2, 'yaml+jinja', _dedent(body.splitlines()), directives, hidden=True,
                                    adjacent=not prose))
                prose = False
            else:
                pending.extend(directives)
            index = end + 1
            continue
        match = fence.match(line)
        if match:
            marks = match.group(2)
            end = index + 1
            while end < len(lines) and not lines[end].strip().startswith(marks):
                end += 1
            blocks.append(Block(source, index + 2, match.group(3), _dedent(lines[index + 1:end]) if end > index + 1 else '',
                                pending, adjacent=not prose))
            pending = []
            prose = False
            index = end + 1
            continue
        if stripped:
            prose = True
        index += 1
    if pending:
        raise ExampleError('%s: a %s marker at the end of the document applies to no block' % (source, PREFIX))
    return blocks


def plugin_examples_text(path):
    """(EXAMPLES text, line number of its first line) of a plugin file, or (None, 0)."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if path.endswith(('.yml', '.yaml')):
        data = yaml.safe_load(text) or {}
        examples = data.get('EXAMPLES') if isinstance(data, dict) else None
        if not examples:
            return None, 0
        match = re.search(r'^EXAMPLES:\s*\|[-+]?\s*$', text, re.M)
        return examples, (text[:match.end()].count('\n') + 2) if match else 1
    tree = ast.parse(text, path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id == 'EXAMPLES' for target in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value, node.value.lineno
    return None, 0


def read_plugin(path, source):
    """A plugin's EXAMPLES as task-list blocks; a ``# winnet-example:`` comment line starts a new block."""
    text, first_line = plugin_examples_text(path)
    if not text:
        return []

    def content(lines):
        return any(line.strip() and not line.lstrip().startswith('#') for _number, line in lines)

    blocks = []

    def close(lines, directives):
        if content(lines):
            start = next(number for number, line in lines if line.strip())
            blocks.append(Block(source, start, 'yaml', '\n'.join(line for _number, line in lines) + '\n', directives))

    lines, directives = [], []
    for offset, line in enumerate(text.split('\n')):
        number = first_line + offset
        if line.startswith('#') and MARKER in line:
            if content(lines):
                close(lines, directives)
                lines, directives = [], []
            directives = directives + parse_directives(line.split(MARKER, 1)[1], '%s:%d' % (source, number))
        lines.append((number, line))
    close(lines, directives)
    return blocks


def discover(root=ROOT):
    """Relative paths of every document that may hold examples."""
    found = []
    for pattern in ('README.md', 'roles/*/README.md', 'docs/docsite/rst/*.rst'):
        found.extend(sorted(glob.glob(os.path.join(root, pattern))))
    for directory in PLUGIN_DIRS:
        for path in sorted(glob.glob(os.path.join(root, 'plugins', directory, '*'))):
            name = os.path.basename(path)
            if name.startswith(('_', '.')) or not name.endswith(('.py', '.yml', '.yaml')):
                continue
            found.append(path)
    return [os.path.relpath(path, root) for path in found]


def read_document(source, root=ROOT):
    """The blocks of one document, by its kind (rst, Markdown, plugin)."""
    path = os.path.join(root, source)
    if source.startswith('plugins' + os.sep) or source.startswith('plugins/'):
        return read_plugin(path, source)
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if source.endswith('.rst'):
        return read_rst(text, source)
    return read_markdown(text, source)


# ---------------------------------------------------------------------------------------------
# classifying blocks


def is_expression_text(value):
    return isinstance(value, str) and '{{' in value


def inventory_hosts(root=ROOT, path=INVENTORY):
    """{host: {variable: value}} of a YAML inventory (group variables applied, host variables last)."""
    with open(os.path.join(root, path), encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    return flatten_inventory(data)


def flatten_inventory(data):
    """{host: vars} of a YAML inventory structure (parts that are not mappings are left to ansible-inventory to refuse)."""
    hosts = {}

    def mapping(value):
        return value if isinstance(value, dict) else {}

    def walk(group, inherited):
        group = mapping(group)
        merged = dict(inherited)
        merged.update(mapping(group.get('vars')))
        for name, variables in mapping(group.get('hosts')).items():
            entry = hosts.setdefault(name, {})
            entry.update(merged)
            entry.update(mapping(variables))
        for child in mapping(group.get('children')).values():
            walk(child, merged)

    for group in mapping(data).values():
        walk(group, {})
    return hosts


def classify(blocks, known_hosts):
    """Examples of one document, in order; raises ExampleError for a YAML block it cannot place."""
    examples = []
    previous = None
    expression = None
    for block in blocks:
        if block.directive('trace') is not None:
            if expression is None:
                raise ExampleError('%s: a trace block needs an expression above it' % block.ident)
            lines = [line.strip() for line in block.text.splitlines() if line.strip()]
            expression.traces.append((block, lines))
            previous = Example(block, 'trace')
            continue
        fragment = block.directive('fragment')
        if fragment is not None:
            if not fragment:
                raise ExampleError('%s: a fragment marker must say why the block cannot run' % block.ident)
            examples.append(Example(block, 'fragment', reason=fragment))
            previous = examples[-1]
            continue
        path = block.directive('file')
        if path is not None:
            if not path or os.path.isabs(path) or '..' in path.split('/'):
                raise ExampleError('%s: file needs a relative path inside the run directory, got %r' % (block.ident, path))
            examples.append(Example(block, 'file', data=block.text, reason=path))
            previous = examples[-1]
            continue
        if block.language not in YAML_LANGUAGES:
            previous = Example(block, 'other')
            continue
        try:
            data = yaml.safe_load(block.text)
        except yaml.YAMLError as exc:
            raise ExampleError('%s: the YAML does not parse: %s' % (block.ident, str(exc).replace('\n', ' '))) from None
        if block.hidden and block.directive('vars') is not None:
            if not isinstance(data, dict):
                raise ExampleError('%s: a vars block must be a mapping' % block.ident)
            examples.append(Example(block, 'vars', data=data))
        elif (previous is not None and previous.kind == 'expression' and previous.expected is None and block.adjacent
              and not block.hidden):
            previous.expected = (block, data)
            previous = Example(block, 'result')
            continue
        elif is_expression_text(data) or (isinstance(data, dict) and data and all(is_expression_text(v) for v in data.values())):
            examples.append(Example(block, 'expression', data=data))
        elif block.hidden:
            raise ExampleError('%s: a hidden expression must be a "{{ ... }}" string or a mapping of them' % block.ident)
        elif isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
            if all('hosts' in item or 'import_playbook' in item or 'ansible.builtin.import_playbook' in item for item in data):
                examples.append(Example(block, 'playbook', data=data))
            else:
                examples.append(Example(block, 'tasks', data=data))
        elif isinstance(data, dict) and data and ('all' in data or all(key in known_hosts for key in data)):
            examples.append(Example(block, 'inventory', data=data))
        elif isinstance(data, dict) and data:
            examples.append(Example(block, 'vars', data=data))
        else:
            raise ExampleError('%s: cannot tell what this YAML block is (a playbook, task list, expression, inventory or vars); '
                               'fix it or mark it "%s fragment REASON"' % (block.ident, MARKER))
        _check_directives(examples[-1])
        previous = examples[-1]
        if previous.kind == 'expression':
            expression = previous
    return examples


def _check_directives(example):
    block = example.block
    if block.directive('on') is not None and example.kind not in ('tasks', 'expression'):
        raise ExampleError('%s: "on" applies to task lists and expressions; a %s names its hosts itself' % (block.ident, example.kind))
    if block.directive('on') == '':
        raise ExampleError('%s: "on" needs a host pattern' % block.ident)
    if block.directive('real') is not None and example.kind not in ('tasks', 'playbook'):
        raise ExampleError('%s: "real" applies to task lists and playbooks' % block.ident)
    for name in ('xfail', 'fails', 'expect'):
        if block.directive(name) == '':
            raise ExampleError('%s: "%s" needs its reason or text' % (block.ident, name))
    if block.directive('xfail') is not None and block.directive('fails') is not None:
        raise ExampleError('%s: "xfail" and "fails" exclude each other' % block.ident)
    if block.directive('expect') is not None and expected_failure(example) is None:
        raise ExampleError('%s: "expect" goes with "xfail" or "fails"' % block.ident)
    if expected_failure(example) is not None and example.kind not in ('tasks', 'playbook'):
        raise ExampleError('%s: "xfail" and "fails" apply to task lists and playbooks' % block.ident)


def expected_failure(example):
    """('xfail' or 'fails', reason) when the example is meant to fail, else None."""
    for name in ('xfail', 'fails'):
        reason = example.block.directive(name)
        if reason is not None:
            return name, reason
    return None


# ---------------------------------------------------------------------------------------------
# generating the playbook of a document


def _verdict(ident):
    """The last task of an example's play: one junit test case, failed when the example failed on any host."""
    return {
        'name': '%s %s' % (PREFIX, ident),
        'ansible.builtin.assert': {'that': ['winnet_example_failures | length == 0'], 'fail_msg': '{{ winnet_example_failures }}',
                                   'quiet': True},
        'vars': {'winnet_example_failures': (
            "{{ (ansible_play_hosts_all | difference(ansible_play_hosts) | map('regex_replace', '$', ': failed') | list)"
            " + (ansible_play_hosts | map('extract', hostvars, 'winnet_example_failure') | select | list) }}")},
        'run_once': True,
        'ignore_errors': True,
    }


def _start():
    return [
        {'name': 'Start from the example inventory (forget facts of earlier examples)', 'ansible.builtin.meta': 'clear_facts'},
        {'name': 'No failure yet', 'ansible.builtin.set_fact': {'winnet_example_failure': ''}},
    ]


def _guarded(tasks, ident):
    """The example's tasks in a block whose failure is recorded, so that later examples still run on the host."""
    return {
        'name': 'Example %s' % ident,
        'block': tasks or [{'name': 'Nothing to compare', 'ansible.builtin.meta': 'noop'}],
        'rescue': [{
            'name': 'Record the failure',
            'ansible.builtin.set_fact': {'winnet_example_failure': (
                "{{ inventory_hostname }}: {{ ansible_failed_task.name | default('a task') }}: "
                "{{ ansible_failed_result.msg | default(ansible_failed_result) | string | truncate(2000) }}")},
        }],
    }


def _play(name, hosts, tasks, check, play_vars=None):
    play = {'name': name, 'hosts': hosts, 'gather_facts': False}
    if check:
        play['check_mode'] = True
    if play_vars:
        play['vars'] = play_vars
    play['tasks'] = tasks
    return play


def plays_for(example, doc_vars, known_hosts):
    """The plays that run one example.

    An example meant to fail (xfail, fails) gets plays of its own, without the rescue and the
    verdict: it runs alone, and fails the run."""
    block = example.block
    ident = example.ident
    alone = expected_failure(example) is not None
    check = block.directive('real') is None
    name = '%s %s' % (PREFIX, ident)

    def wrap(tasks):
        if alone:
            return _start()[:1] + tasks
        return _start() + [_guarded(tasks, ident), _verdict(ident)]

    if example.kind == 'tasks':
        return [_play(name, block.directive('on') or 'localhost', wrap(example.data), check)]
    if example.kind == 'expression':
        value = example.data
        if example.expected is None:
            check_task = {'name': 'The expression evaluates', 'ansible.builtin.assert': {'that': ['value is defined'], 'quiet': True},
                          'vars': {'value': value}}
        else:
            result_block, expected = example.expected
            check_task = {
                'name': 'The result shown at %s' % result_block.ident,
                'ansible.builtin.assert': {'that': ['mismatches | length == 0'], 'fail_msg': '{{ mismatches }}', 'quiet': True},
                'vars': {'value': value, 'expected': expected, 'mismatches': '{{ value | winnet_example_mismatches(expected) }}'},
            }
        trace_tasks = [{
            'name': 'The trace shown at %s' % trace_block.ident,
            'ansible.builtin.assert': {'that': ['missing | length == 0'], 'fail_msg': 'not in the trace: {{ missing }}', 'quiet': True},
            'vars': {'value': value, 'lines': lines,
                     'first': '{{ value | first if value is sequence and value is not mapping and value is not string else value }}',
                     'missing': "{{ lines | reject('in', first.trace) | list }}"},
        } for trace_block, lines in example.traces]
        return [_play(name, block.directive('on') or 'localhost', wrap([check_task] + trace_tasks), False, dict(doc_vars))]
    if example.kind == 'inventory':
        hosts = inventory_example_hosts(example)
        if is_live_inventory(example, known_hosts):
            return [_play(name, 'localhost', wrap(_inventory_loads(example, sorted(hosts))), False)]
        checks = []
        for host, variables in sorted(hosts.items()):
            if host not in known_hosts:
                checks.append({'name': 'Host %s is in the example inventory' % host,
                               'ansible.builtin.fail': {'msg': '%s is not a host of %s' % (host, INVENTORY)}})
                continue
            for variable, value in sorted(variables.items()):
                checks.append({
                    'name': '%s: %s as in the example inventory' % (host, variable),
                    'ansible.builtin.assert': {
                        'that': ["hostvars[host][variable] | default('(not set)') == value"],
                        'fail_msg': "{{ host }}: {{ variable }} is {{ value }} in the example but "
                                    "{{ hostvars[host][variable] | default('(not set)') }} in the example inventory",
                        'quiet': True},
                    'vars': {'host': host, 'variable': variable, 'value': value},
                })
        return [_play(name, 'localhost', wrap(checks), False)]
    if example.kind == 'playbook':
        plays = []
        for index, original in enumerate(example.data):
            play = dict(original)
            if 'hosts' not in play:
                raise ExampleError('%s: import_playbook is not supported in examples' % ident)
            play['name'] = ('%s %s' % (name, play.get('name', ''))).strip() if index == 0 else '%s (play %d)' % (name, index + 1)
            if check and 'check_mode' not in play:
                play['check_mode'] = True
            start = _start()[:1] if index == 0 else []
            if not alone:
                start = start + _start()[1:]
                play['post_tasks'] = list(play.get('post_tasks') or []) + [_verdict(ident)]
            play['pre_tasks'] = start + list(play.get('pre_tasks') or [])
            plays.append(play)
        return plays
    raise ExampleError('%s: nothing to run for a %s block' % (ident, example.kind))


def inventory_example_hosts(example):
    """{host: vars} of an inventory example (a whole inventory, or a mapping of hosts to their variables)."""
    data = example.data
    return flatten_inventory(data) if 'all' in data else {host: dict(variables or {}) for host, variables in data.items()}


def is_live_inventory(example, known_hosts):
    """True for an inventory of live hosts: none is a snapshot host, none is a host of the example inventory.

    Such an inventory cannot be compared with anything; it must load with ansible-inventory.
    Every other inventory example is about the example inventory and must agree with it."""
    hosts = inventory_example_hosts(example)
    return not any(host in known_hosts or 'winnet_snapshot' in variables for host, variables in hosts.items())


def live_inventory_path(example):
    """Where the runner writes a live inventory example, relative to the run directory."""
    return 'inventories/%s.yml' % slug(example.ident)


def _inventory_loads(example, hosts):
    path = live_inventory_path(example)
    return [
        {'name': 'ansible-inventory reads %s' % path,
         'ansible.builtin.command': {'argv': ['ansible-inventory', '-i', path, '--list']},
         'environment': {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true', 'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': 'true'},
         'changed_when': False,
         'register': 'winnet_example_inventory'},
        {'name': 'It lists every host of the example',
         'ansible.builtin.assert': {'that': ['missing | length == 0'], 'fail_msg': 'not listed: {{ missing }}', 'quiet': True},
         'vars': {'expected_hosts': hosts,
                  'missing': "{{ expected_hosts | difference((winnet_example_inventory.stdout | from_json)._meta.hostvars.keys()) }}"}},
    ]


def generate(examples, known_hosts):
    """What runs for a document: ({ident: number of plays}, plays, [(example, its own plays)], {path: text})."""
    plays = []
    alone = []
    files = {}
    counts = {}
    doc_vars = {}
    for example in examples:
        if example.kind == 'vars':
            doc_vars.update(example.data)
        elif example.kind == 'file':
            files[example.reason] = example.data
        elif example.kind == 'inventory' and is_live_inventory(example, known_hosts):
            files[live_inventory_path(example)] = example.block.text
    for example in examples:
        if not example.runs:
            continue
        generated = plays_for(example, doc_vars, known_hosts)
        if expected_failure(example) is not None:
            alone.append((example, generated))
            continue
        counts[example.ident] = len(generated)
        plays.extend(generated)
    return counts, plays, alone, files


# ---------------------------------------------------------------------------------------------
# running


def write_fixtures(directory, root=ROOT):
    """The files plugins' EXAMPLES read, under the run directory."""
    for relpath, (kind, source) in sorted(FIXTURES.items()):
        target = os.path.join(directory, relpath)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if kind == 'copy':
            shutil.copyfile(os.path.join(root, source), target)
        elif kind == 'baseline':
            with open(os.path.join(root, source), encoding='utf-8') as handle:
                state = json.load(handle)
            document = {'schema': 'winnet.routing/baseline-v1', 'host': os.path.basename(os.path.dirname(relpath)),
                        'saved_at': '2026-11-23T10:15:00.123456Z', 'task': 'the change of 10:15', 'operations': [], 'state': state,
                        'run': 'the run of 10:15', 'restore_point': True}
            with open(target, 'w', encoding='utf-8') as handle:
                json.dump(document, handle, indent=1, sort_keys=True)
                handle.write('\n')
        else:
            raise ValueError('unknown fixture kind %r' % kind)


def slug(source):
    return re.sub(r'[^A-Za-z0-9_.-]+', '_', source).strip('_')


def junit_verdicts(directory):
    """{ident: [(passed, message), ...]} from the junit files of a run."""
    verdicts = {}
    pattern = re.compile(r'%s (\S+)$' % re.escape(PREFIX))
    for path in glob.glob(os.path.join(directory, '*.xml')):
        for case in ElementTree.parse(path).getroot().iter('testcase'):
            match = pattern.search(case.get('name', ''))
            if not match:
                continue
            problems = [item.get('message') or (item.text or '').strip() for item in list(case.findall('failure')) + list(case.findall('error'))]
            verdicts.setdefault(match.group(1), []).append((not problems, '; '.join(problems)))
    return verdicts


class DocumentRun:
    """The outcome of one document: per example (ident, passed, detail), fragments, seconds."""

    def __init__(self, source):
        self.source = source
        self.results = []
        self.fragments = []
        self.error = ''
        self.seconds = 0.0

    @property
    def passed(self):
        return sum(1 for _ident, ok, _detail in self.results if ok)

    @property
    def expected_failures(self):
        """Examples that passed by failing as their xfail or fails marker says."""
        return sum(1 for _ident, ok, detail in self.results if ok and detail.startswith(('xfail', 'fails')))

    @property
    def failed(self):
        return sum(1 for _ident, ok, _detail in self.results if not ok) + (1 if self.error else 0)

    def as_dict(self):
        return {'source': self.source, 'results': [{'example': ident, 'passed': ok, 'detail': detail} for ident, ok, detail in self.results],
                'fragments': [{'example': ident, 'reason': reason} for ident, reason in self.fragments], 'error': self.error,
                'seconds': round(self.seconds, 1)}


def load_examples(source, root=ROOT, known_hosts=None):
    """The classified examples of one document."""
    known_hosts = inventory_hosts(root) if known_hosts is None else known_hosts
    return classify(read_document(source, root), known_hosts)


def environment(directory, collections_path, root=ROOT):
    """Environment of an example run: the installed collection, the no-contact connection, a private home."""
    env = dict(os.environ)
    env.update({
        'HOME': os.path.join(directory, 'home'),
        'PATH': os.pathsep.join([os.path.dirname(sys.executable), os.environ.get('PATH', '')]),
        'ANSIBLE_COLLECTIONS_PATH': collections_path,
        'ANSIBLE_CONNECTION_PLUGINS': os.path.join(root, 'tests', 'playbooks', 'connection_plugins'),
        'ANSIBLE_FILTER_PLUGINS': os.path.join(root, PLUGINS_DIR, 'filter_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'ansible.builtin.junit',
        'JUNIT_OUTPUT_DIR': os.path.join(directory, 'junit'),
        'JUNIT_TEST_CASE_PREFIX': PREFIX,
        'JUNIT_FAIL_ON_IGNORE': 'true',
        'JUNIT_HIDE_TASK_ARGUMENTS': 'true',
        'ANSIBLE_LOCAL_TEMP': os.path.join(directory, 'tmp'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
        'PYTHONDONTWRITEBYTECODE': '1',
    })
    env.pop('PYTHONPATH', None)
    return env


def no_contact_inventory(path, known_hosts):
    """An inventory source that gives every example host the connection refusing any contact."""
    data = {'all': {'hosts': {host: {'ansible_connection': 'winnet_no_contact'} for host in sorted(known_hosts)}}}
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=True)
    return path


def _write_playbook(path, plays, source):
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('# Generated from %s by tests/tools/examples.py\n' % source)
        yaml.safe_dump(plays, handle, sort_keys=False, width=1000, allow_unicode=True)


def _ansible_playbook(name, playbook, directory, env, root, extra, runner):
    command = ['ansible-playbook', '-i', os.path.join(root, INVENTORY), '-i', extra, playbook]
    if runner is not None:
        return runner(name, command, cwd=directory, env=env)
    proc = subprocess.run(command, cwd=directory, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors='replace', check=False)
    sys.stdout.write(proc.stdout)
    return proc.returncode, proc.stdout


def _last_error(output):
    lines = [line for line in output.splitlines() if line.startswith(('ERROR', '[ERROR]', 'fatal'))]
    return lines[-1][:300] if lines else ''


def groups(sources):
    """[(name, [source, ...])]: the documents whose examples share one generated playbook.

    The plugins' EXAMPLES run in one playbook, the roles' READMEs in another, the guides in a
    third, and every other document in its own."""
    grouped = {}
    for source in sources:
        parts = source.replace(os.sep, '/').split('/')
        name = {'plugins': 'plugins', 'roles': 'roles', 'docs': 'guides'}.get(parts[0], source) if len(parts) > 1 else source
        grouped.setdefault(name, []).append(source)
    return list(grouped.items())


def run_document(name, sources, collections_path, root=ROOT, work=WORK, runner=None, known_hosts=None):
    """Generate and run the playbook(s) of a group of documents; a DocumentRun.

    ``runner(name, command, cwd=, env=)`` runs a command and returns (exit code, output), as the
    gate's ``Gate.run`` does; by default the output is echoed."""
    started = time.monotonic()
    outcome = DocumentRun(name)
    known_hosts = inventory_hosts(root) if known_hosts is None else known_hosts
    counts, plays, alone, files, examples = {}, [], [], {}, []
    try:
        for source in sources:
            found = load_examples(source, root, known_hosts)
            more_counts, more_plays, more_alone, more_files = generate(found, known_hosts)
            examples.extend(found)
            counts.update(more_counts)
            plays.extend(more_plays)
            alone.extend(more_alone)
            for relpath, text in more_files.items():
                if files.get(relpath, text) != text:
                    raise ExampleError('%s: two documents of the group write %s with different text' % (source, relpath))
                files[relpath] = text
    except ExampleError as exc:
        outcome.error = str(exc)
        outcome.seconds = time.monotonic() - started
        return outcome
    outcome.fragments = [(example.ident, example.reason) for example in examples if example.kind == 'fragment']
    source = name
    if not plays and not alone:
        outcome.seconds = time.monotonic() - started
        return outcome
    directory = os.path.join(work, slug(source))
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(os.path.join(directory, 'home'))
    write_fixtures(directory, root)
    for relpath, text in files.items():
        target = os.path.join(directory, relpath)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'w', encoding='utf-8') as handle:
            handle.write(text)
    extra = no_contact_inventory(os.path.join(directory, 'no_contact.yml'), known_hosts)
    env = environment(directory, collections_path, root)
    if plays:
        playbook = os.path.join(directory, 'playbook.yml')
        _write_playbook(playbook, plays, source)
        code, output = _ansible_playbook('examples ' + source, playbook, directory, env, root, extra, runner)
        verdicts = junit_verdicts(os.path.join(directory, 'junit'))
        for ident, plays_expected in counts.items():
            found = verdicts.get(ident, [])
            if len(found) < plays_expected:
                outcome.results.append((ident, False, 'did not run to its end (ansible-playbook exit %d%s)'
                                        % (code, (': ' + _last_error(output)) if _last_error(output) else '')))
            else:
                problems = [message for ok, message in found if not ok]
                outcome.results.append((ident, not problems, '; '.join(problems)))
        # Exit 2 is "some host failed": the examples' own failures are rescued and reported above,
        # so any other exit code, or 2 with every example passed, is a failure of the run itself.
        if code not in (0, 2) or (code == 2 and all(ok for _ident, ok, _detail in outcome.results)):
            outcome.error = 'ansible-playbook exited %d%s' % (code, (': ' + _last_error(output)) if _last_error(output) else '')
    for number, (example, example_plays) in enumerate(alone, 1):
        kind, reason = expected_failure(example)
        playbook = os.path.join(directory, 'expected_failure_%d.yml' % number)
        _write_playbook(playbook, example_plays, source)
        code, output = _ansible_playbook('examples %s (%s)' % (example.ident, kind), playbook, directory, env, root, extra, runner)
        text = example.block.directive('expect')
        if code == 0:
            detail = ('%s: the example passed; the behaviour it marks (%s) is fixed: remove the marker' % (kind, reason) if kind == 'xfail'
                      else 'fails: the example was meant to fail against the example inventory (%s) but passed' % reason)
            outcome.results.append((example.ident, False, detail))
        elif text is not None and text not in output:
            outcome.results.append((example.ident, False, '%s: the run failed (exit %d) without "%s" in its output: %s'
                                    % (kind, code, text, _last_error(output))))
        else:
            outcome.results.append((example.ident, True, '%s (%s)' % (kind, reason)))
    outcome.seconds = time.monotonic() - started
    return outcome


# ---------------------------------------------------------------------------------------------
# command line


def _selected(sources, root):
    all_sources = discover(root)
    if not sources:
        return all_sources
    chosen = [os.path.relpath(os.path.abspath(item), root) if os.path.exists(item) else item for item in sources]
    unknown = [item for item in chosen if item not in all_sources]
    if unknown:
        raise SystemExit('not a document with examples: %s' % ', '.join(unknown))
    return chosen


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    listing = sub.add_parser('list', help='list every example with its kind')
    listing.add_argument('sources', nargs='*')
    running = sub.add_parser('run', help='run the examples against the example inventory')
    running.add_argument('--collections-path', default=os.path.join(ROOT, 'build', 'collections'))
    running.add_argument('--results', help='write the outcome as JSON to this file')
    running.add_argument('sources', nargs='*')
    args = parser.parse_args(argv)
    sources = _selected(args.sources, ROOT)
    known_hosts = inventory_hosts(ROOT)
    if args.command == 'list':
        status = 0
        for source in sources:
            try:
                examples = load_examples(source, ROOT, known_hosts)
            except ExampleError as exc:
                sys.stdout.write('ERROR %s\n' % exc)
                status = 1
                continue
            for example in examples:
                extra = example.reason or ''
                if example.expected is not None:
                    extra = 'result at line %d' % example.expected[0].line
                directives = '; '.join(('%s %s' % item).strip() for item in example.block.directives)
                sys.stdout.write('%-48s %-10s %s\n' % (example.ident, example.kind, ' '.join(filter(None, [directives, extra]))))
        return status
    outcomes = []
    for name, members in groups(sources):
        outcome = run_document(name, members, args.collections_path, ROOT, known_hosts=known_hosts)
        outcomes.append(outcome)
        sys.stdout.write('%s: %d passed, %d failed, %d fragments (%.1f s)%s\n' % (
            name, outcome.passed, outcome.failed, len(outcome.fragments), outcome.seconds, (' - ' + outcome.error) if outcome.error else ''))
        for ident, ok, detail in outcome.results:
            if not ok:
                sys.stdout.write('  FAIL %s: %s\n' % (ident, detail))
    if args.results:
        os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
        with open(args.results, 'w', encoding='utf-8') as handle:
            json.dump([outcome.as_dict() for outcome in outcomes], handle, indent=1)
    total = sum(outcome.passed for outcome in outcomes)
    failed = sum(outcome.failed for outcome in outcomes)
    fragments = sum(len(outcome.fragments) for outcome in outcomes)
    expected = sum(outcome.expected_failures for outcome in outcomes)
    sys.stdout.write('examples: %d passed (%d of them failing as marked), %d failed, %d fragments\n' % (total, expected, failed, fragments))
    for outcome in outcomes:
        for ident, reason in outcome.fragments:
            sys.stdout.write('  fragment %s: %s\n' % (ident, reason))
        for ident, ok, detail in outcome.results:
            if ok and detail:
                sys.stdout.write('  %s: %s\n' % (ident, detail))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
