"""Generate the variables section of a role's README.md from its meta/argument_specs.yml.

Usage::

    python tests/tools/role_docs.py            # rewrite the generated sections
    python tests/tools/role_docs.py --check    # exit 1 when a README is not current

Every role whose README.md holds the two marker lines below gets, between them, one section
per entry point: its description and a table of its variables (name, type, default, required,
description; suboptions indented under their option with a ``.`` path). The argument spec is
the single source: edit it, then run this tool.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN = '<!-- BEGIN generated from meta/argument_specs.yml by tests/tools/role_docs.py: do not edit -->'
END = '<!-- END generated from meta/argument_specs.yml -->'

# Ansible doc markup -> Markdown: C(x), O(x), V(x), RV(x), M(x), P(x#type) become code; I(x) italics.
_MARKUP = re.compile(r'\b(C|O|V|RV|M|P|I|B)\(([^()]*)\)')


def markdown(text):
    """One documentation string (Ansible markup) as Markdown, on one line."""
    def replace(match):
        kind, value = match.groups()
        if kind == 'P':
            value = value.split('#', 1)[0]
        if kind == 'I':
            return '*%s*' % value
        if kind == 'B':
            return '**%s**' % value
        return '`%s`' % value
    return _MARKUP.sub(replace, ' '.join(str(text).split())).replace('|', '\\|')


def _lines(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _type(spec):
    kind = spec.get('type', 'str')
    if kind == 'list' and spec.get('elements'):
        return 'list of %s' % spec['elements']
    return kind


def _default(spec):
    if spec.get('required'):
        return 'required'
    if 'default' not in spec or spec['default'] is None:
        return ''
    return '`%s`' % yaml.safe_dump(spec['default'], default_flow_style=True).strip().replace('\n...', '').replace('|', '\\|')


def _rows(options, prefix=''):
    rows = []
    for name in sorted(options):
        spec = options[name] or {}
        path = prefix + name
        description = ' '.join(markdown(line) for line in _lines(spec.get('description')))
        if spec.get('choices'):
            description += ' Choices: %s.' % ', '.join('`%s`' % c for c in spec['choices'])
        rows.append('| `%s` | %s | %s | %s |' % (path, _type(spec), _default(spec), description.strip()))
        if spec.get('options'):
            rows.extend(_rows(spec['options'], path + ('[].' if spec.get('type') == 'list' else '.')))
    return rows


def render(specs):
    """The generated Markdown for a role's ``argument_specs`` mapping."""
    out = []
    for entry in sorted(specs):
        spec = specs[entry] or {}
        title = 'Variables' if entry == 'main' else 'Variables of the entry point `%s`' % entry
        out.append('## %s' % title)
        out.append('')
        if spec.get('short_description'):
            out.append('%s.' % markdown(spec['short_description']).rstrip('.'))
            out.append('')
        for paragraph in _lines(spec.get('description')):
            out.append(markdown(paragraph))
            out.append('')
        out.append('| variable | type | default | description |')
        out.append('|---|---|---|---|')
        out.extend(_rows(spec.get('options') or {}))
        out.append('')
    return '\n'.join(out).rstrip('\n') + '\n'


def update(readme_text, generated):
    """``readme_text`` with the text between the markers replaced; ValueError without markers."""
    start = readme_text.find(BEGIN)
    stop = readme_text.find(END)
    if start < 0 or stop < start:
        raise ValueError('the README has no "%s" ... "%s" block' % (BEGIN, END))
    return readme_text[:start + len(BEGIN)] + '\n' + generated + readme_text[stop:]


def roles(root=ROOT):
    """(role name, README path, argument_specs path) of every role whose README has the markers."""
    found = []
    base = os.path.join(root, 'roles')
    for name in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        readme = os.path.join(base, name, 'README.md')
        spec = os.path.join(base, name, 'meta', 'argument_specs.yml')
        if os.path.exists(readme) and os.path.exists(spec):
            with open(readme, encoding='utf-8') as handle:
                if BEGIN in handle.read():
                    found.append((name, readme, spec))
    return found


def run(check, root=ROOT):
    """Rewrite (or, with ``check``, compare) every generated section; returns the stale README paths."""
    stale = []
    for _name, readme, spec_path in roles(root):
        with open(spec_path, encoding='utf-8') as handle:
            specs = (yaml.safe_load(handle) or {}).get('argument_specs') or {}
        with open(readme, encoding='utf-8') as handle:
            current = handle.read()
        wanted = update(current, render(specs))
        if wanted != current:
            stale.append(readme)
            if not check:
                with open(readme, 'w', encoding='utf-8') as handle:
                    handle.write(wanted)
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='report stale READMEs instead of rewriting them')
    args = parser.parse_args(argv)
    stale = run(args.check)
    for path in stale:
        print('%s: %s' % (os.path.relpath(path, ROOT), 'not current (run tests/tools/role_docs.py)' if args.check else 'rewritten'))
    return 1 if (stale and args.check) else 0


if __name__ == '__main__':
    sys.exit(main())
