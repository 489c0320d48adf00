"""tests/tools/role_docs.py: the role READMEs' variables sections are generated from the argument specs."""

from __future__ import annotations

import importlib.util
import os

import pytest

_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'tools', 'role_docs.py')
_SPEC = importlib.util.spec_from_file_location('winnet_routing_gate_role_docs', _PATH)
role_docs = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(role_docs)

SPEC = {
    'main': {
        'short_description': 'Do a thing',
        'description': ['Uses O(thing_list[].name) and P(winnet.routing.dsr_check#filter).'],
        'options': {
            'thing_list': {
                'type': 'list', 'elements': 'dict', 'required': True, 'description': 'The things.',
                'options': {
                    'name': {'type': 'str', 'required': True, 'description': 'Name, like V(a|b).'},
                    'kind': {'type': 'str', 'choices': ['x', 'y'], 'default': 'x', 'description': ['Kind.', 'Second line.']},
                },
            },
            'thing_enabled': {'type': 'bool', 'default': True, 'description': 'Run it.'},
        },
    },
}


def test_every_generated_readme_section_is_current():
    assert role_docs.roles(), 'no role README carries the generated-section markers'
    assert role_docs.run(check=True) == []


def test_the_roles_of_this_issue_are_documented_from_their_specs():
    names = [name for name, _readme, _spec in role_docs.roles()]
    assert 'dsr_real_server' in names and 'nic_layout' in names


def test_render_rows_markup_and_nesting():
    text = role_docs.render(SPEC)
    lines = text.splitlines()
    assert lines[0] == '## Variables'
    assert 'Do a thing.' in lines
    assert 'Uses `thing_list[].name` and `winnet.routing.dsr_check`.' in lines
    rows = [line for line in lines if line.startswith('| `')]
    assert rows == [
        '| `thing_enabled` | bool | `true` | Run it. |',
        '| `thing_list` | list of dict | required | The things. |',
        '| `thing_list[].kind` | str | `x` | Kind. Second line. Choices: `x`, `y`. |',
        '| `thing_list[].name` | str | required | Name, like `a\\|b`. |',
    ]


def test_update_replaces_only_the_marked_block():
    readme = 'intro\n%s\nold text\n%s\noutro\n' % (role_docs.BEGIN, role_docs.END)
    assert role_docs.update(readme, 'new\n') == 'intro\n%s\nnew\n%s\noutro\n' % (role_docs.BEGIN, role_docs.END)


def test_update_refuses_a_readme_without_markers():
    with pytest.raises(ValueError, match='has no'):
        role_docs.update('no markers here\n', 'new\n')


def test_check_reports_a_stale_readme(tmp_path):
    role = tmp_path / 'roles' / 'demo'
    (role / 'meta').mkdir(parents=True)
    (role / 'meta' / 'argument_specs.yml').write_text('argument_specs:\n  main:\n    options:\n      demo_x: {type: int, description: X.}\n')
    (role / 'README.md').write_text('# demo\n%s\nstale\n%s\n' % (role_docs.BEGIN, role_docs.END))
    assert role_docs.run(check=True, root=str(tmp_path)) == [str(role / 'README.md')]
    assert role_docs.run(check=False, root=str(tmp_path)) == [str(role / 'README.md')]
    assert role_docs.run(check=True, root=str(tmp_path)) == []
    assert '| `demo_x` | int |  | X. |' in (role / 'README.md').read_text()
