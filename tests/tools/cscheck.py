"""Static checks for the collection's C# module utils, which no compiler here builds.

Windows PowerShell 5.1 compiles ``plugins/module_utils/*.cs`` with Add-Type, whose compiler knows
C# 5 only. For every such file:

* ``syntax``: it parses with tree-sitter-c-sharp without ERROR or MISSING nodes;
* ``csharp5``: it uses none of the common C# 6+ constructs (interpolated strings, ``?.``,
  ``=>`` members, ``out var``, tuples, patterns, throw expressions, local functions,
  ``nameof``, property initializers, the ``default`` literal);
* ``namespace``: its code sits in ``ansible_collections.<namespace>.<name>.plugins.module_utils.<file name>``,
  the name modules give to ``#AnsibleRequires -CSharpUtil``.

Usage::

    python tests/tools/cscheck.py check [--root DIR] [PATH ...]
"""

from __future__ import annotations

import argparse
import os
import sys

import tree_sitter
import tree_sitter_c_sharp
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pscheck import Finding  # noqa: E402  pylint: disable=wrong-import-position

_PARSER = None

# tree-sitter-c-sharp node types of constructs newer than C# 5.
NEWER_THAN_CSHARP5 = {
    'interpolated_string_expression': 'interpolated string (C# 6): use String.Format',
    'conditional_access_expression': 'null-conditional operator ?. (C# 6)',
    'arrow_expression_clause': 'expression-bodied member => (C# 6)',
    'declaration_expression': 'out variable declaration (C# 7): declare the variable first',
    'tuple_expression': 'tuple (C# 7)',
    'tuple_type': 'tuple type (C# 7)',
    'is_pattern_expression': 'pattern matching (C# 7)',
    'declaration_pattern': 'pattern matching (C# 7)',
    'switch_expression': 'switch expression (C# 8)',
    'throw_expression': 'throw expression (C# 7)',
    'local_function_statement': 'local function (C# 7)',
    'implicit_object_creation_expression': 'target-typed new() (C# 9)',
    'file_scoped_namespace_declaration': 'file-scoped namespace (C# 10)',
    'record_declaration': 'record (C# 9)',
}


def parser():
    """The shared tree-sitter parser for C#."""
    global _PARSER  # pylint: disable=global-statement
    if _PARSER is None:
        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))
    return _PARSER


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _text(node):
    return node.text.decode('utf-8', errors='replace')


def _newer_construct(node):
    """Why a node is newer than C# 5, or None."""
    if node.type in NEWER_THAN_CSHARP5:
        return NEWER_THAN_CSHARP5[node.type]
    if node.type == 'invocation_expression' and node.children and _text(node.children[0]) == 'nameof':
        return 'nameof (C# 6)'
    if node.type == 'property_declaration' and any(child.type == '=' for child in node.children):
        return 'auto-property initializer (C# 6)'
    if node.type == 'default_expression' and not any(child.type == '(' for child in node.children):
        return 'default literal (C# 7.1): write default(T)'
    if node.type == 'using_directive' and any(child.type == 'static' for child in node.children):
        return 'using static (C# 6)'
    return None


def check_source(source, path, expected_namespace=None):
    """Findings for one C# source (bytes)."""
    tree = parser().parse(source)
    findings = []
    for node in _walk(tree.root_node):
        line, column = node.start_point[0] + 1, node.start_point[1] + 1
        if node.is_missing:
            findings.append(Finding(path, line, column, 'syntax', 'missing %r' % node.type))
        elif node.type == 'ERROR':
            snippet = _text(node).strip().splitlines()[0][:60] if _text(node).strip() else ''
            findings.append(Finding(path, line, column, 'syntax', 'cannot parse near %r' % snippet))
        else:
            reason = _newer_construct(node)
            if reason:
                findings.append(Finding(path, line, column, 'csharp5', '%s; Add-Type in Windows PowerShell 5.1 compiles C# 5' % reason))
    if expected_namespace:
        namespaces = [node for node in _walk(tree.root_node) if node.type == 'namespace_declaration']
        names = [_text(node.child_by_field_name('name')) for node in namespaces if node.child_by_field_name('name') is not None]
        if names != [expected_namespace]:
            findings.append(Finding(path, 1, 1, 'namespace', 'expected exactly one namespace %s, found %s'
                                    % (expected_namespace, ', '.join(names) or 'none')))
    return findings


def expected_namespace(root, relpath):
    """The namespace a module util must use: from galaxy.yml and the file's path under plugins/module_utils."""
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    parts = relpath.replace(os.sep, '/').split('/')
    if parts[:2] != ['plugins', 'module_utils']:
        return None
    stem = os.path.splitext('.'.join(parts[2:]))[0]
    return 'ansible_collections.%s.%s.plugins.module_utils.%s' % (galaxy['namespace'], galaxy['name'], stem)


def discover(root):
    """The C# files the gate checks, relative to root, sorted."""
    found = []
    base = os.path.join(root, 'plugins')
    for directory, subdirs, files in os.walk(base):
        subdirs[:] = sorted(d for d in subdirs if d != '__pycache__')
        found.extend(os.path.relpath(os.path.join(directory, name), root) for name in files if name.endswith('.cs'))
    return sorted(found)


def command_check(args):
    """`check`: print findings, return the exit code."""
    root = os.path.abspath(args.root)
    paths = args.paths or discover(root)
    findings = []
    for relpath in paths:
        path = relpath if os.path.isabs(relpath) else os.path.join(root, relpath)
        display = os.path.relpath(path, root)
        with open(path, 'rb') as handle:
            findings.extend(check_source(handle.read(), display, expected_namespace(root, display)))
    for finding in findings:
        sys.stdout.write('%s\n' % finding)
    sys.stdout.write('cscheck: %d file(s) checked, %d problem(s)\n' % (len(paths), len(findings)))
    return 1 if findings else 0


def main(argv=None):
    """Command line entry point."""
    parser_ = argparse.ArgumentParser(description="Static checks for the collection's C# module utils.")
    commands = parser_.add_subparsers(dest='command', required=True)
    check = commands.add_parser('check', help='check C# files (default: every plugins/**/*.cs under --root)')
    check.add_argument('--root', default='.')
    check.add_argument('paths', nargs='*')
    check.set_defaults(func=command_check)
    args = parser_.parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
