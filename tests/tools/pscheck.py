"""Static checks for the collection's PowerShell, which cannot be run on the project's machines.

Checks, for every ``plugins/**/*.ps1``, ``plugins/**/*.psm1`` and ``tests/integration/**/*.ps1``:

* ``syntax``: the file parses with tree-sitter-powershell without ERROR or MISSING nodes.
* ``command``: every command is a cmdlet of the table (``cmdlet_parameters.yml``, read from
  Microsoft's cmdlet reference) or a function defined in the file or in a util it requires.
* ``parameter``: every parameter name given to a command (directly or through an ``@splat`` of
  a hashtable built in the same file) is a full parameter name of that command: no misspelling,
  no abbreviation, no alias; and the parameters given directly fit one parameter set.
* ``spec`` (modules under ``plugins/modules`` only): ``#AnsibleRequires -CSharpUtil Ansible.Basic``,
  one ``$spec = @{...}`` that is a static literal valid for Ansible.Basic, passed unchanged to
  ``[Ansible.Basic.AnsibleModule]::Create($args, $spec)``.
* ``injection``: nothing is run as text: no Invoke-Expression/iex, no ``[scriptblock]::Create`` or
  ``InvokeScript``/``NewScriptBlock``/``AddScript``, no ``&``/``.`` invocation of a string or variable,
  no ``Add-Type -TypeDefinition`` built from variables, and no interpolated string (``"$x"``,
  ``"$($op.field)"``) or variable handed to cmd, powershell, Start-Process or another program as
  its command line. Values reach cmdlets as parameter values only. A variable assigned once, from
  a string literal, counts as that literal.
* ``culture``: no format that follows the host's culture (time separator, calendar, digits):
  ``.ToString(FORMAT)`` without a culture argument, ``Get-Date -Format``/``-UFormat``, and ``-f``
  with a format item (``{0:yyyy}``), except the invariant standard formats ``o``, ``s``, ``u``, ``r``.
* ``wildcard``: no value from data handed to a parameter that selects objects by name and takes
  wildcard characters (the table's ``wildcards``: ``-Name``, ``-DisplayName``, ``-InterfaceAlias``,
  ``-InterfaceDescription``, ``-Group``...): a name holding ``*`` would select other objects. Read
  the objects and compare names as text, then pass the object (``-InputObject``).
* ``policystore``: a ``Remove-``/``Set-`` cmdlet acting on objects that live in policy stores
  (NetTCPIP, NetSecurity) names the store (``-PolicyStore``) or the object read from one
  (``-InputObject``): left to its default, it may change the ActiveStore only and leave a copy that
  comes back at the next boot.
* ``encoding``: ``Set-Content``, ``Add-Content``, ``Out-File`` and ``Get-Content`` give ``-Encoding``:
  the defaults differ between Windows PowerShell 5.1 (ANSI) and PowerShell 7 (UTF-8 without BOM).

Usage::

    python tests/tools/pscheck.py check [--root DIR] [PATH ...]
    python tests/tools/pscheck.py spec MODULE.ps1          # print the static spec as JSON
    python tests/tools/pscheck.py ps-argspec SCRIPT MANIFEST_JSON

``ps-argspec`` answers the single ``pwsh`` call ansible-test's validate-modules makes per
PowerShell module (``pwsh ps_argspec.ps1 MANIFEST``) with the module's static argument spec.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys

import tree_sitter
import tree_sitter_powershell
import yaml

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TABLE = os.path.join(TOOLS_DIR, 'cmdlet_parameters.yml')

_PARSER = None

# Nodes that only wrap a single child in tree-sitter-powershell's expression grammar.
_WRAPPERS = frozenset((
    'pipeline', 'pipeline_chain', 'logical_expression', 'bitwise_expression', 'comparison_expression',
    'additive_expression', 'multiplicative_expression', 'format_expression', 'range_expression',
    'array_literal_expression', 'unary_expression', 'statement_list', 'argument_expression',
    'logical_argument_expression', 'bitwise_argument_expression', 'comparison_argument_expression',
    'additive_argument_expression', 'multiplicative_argument_expression', 'format_argument_expression',
    'range_argument_expression', 'string_literal', 'integer_literal', 'key_expression', 'left_assignment_expression',
    'expression_with_unary_operator',
))

# Ansible.Basic.AnsibleModule argument spec keys and the shape of their values.
SPEC_KEYS = {
    'apply_defaults': 'bool', 'aliases': 'str_list', 'choices': 'list', 'default': 'any',
    'deprecated_aliases': 'dict_list', 'elements': 'type', 'mutually_exclusive': 'list_of_lists',
    'no_log': 'bool', 'options': 'options', 'removed_in_version': 'str', 'removed_at_date': 'date',
    'removed_from_collection': 'str', 'required': 'bool', 'required_by': 'dict',
    'required_if': 'list_of_lists', 'required_one_of': 'list_of_lists', 'required_together': 'list_of_lists',
    'supports_check_mode': 'bool', 'type': 'type',
}
OPTION_TYPES = frozenset(('bool', 'dict', 'float', 'int', 'json', 'list', 'path', 'raw', 'sid', 'str'))
# Casts allowed inside a static spec: they do not change what the literal means.
ALLOWED_CASTS = frozenset(('string', 'int', 'bool', 'string[]', 'object[]', 'array', 'hashtable', 'system.collections.hashtable'))


class NotStatic(Exception):
    """An expression that is not a static literal."""

    def __init__(self, node, reason):
        super().__init__(reason)
        self.node = node
        self.reason = reason


class Finding:
    """One problem found in a file."""

    def __init__(self, path, line, column, code, message):
        self.path = path
        self.line = line
        self.column = column
        self.code = code
        self.message = message

    def __str__(self):
        return '%s:%d:%d: %s: %s' % (self.path, self.line, self.column, self.code, self.message)

    def __repr__(self):
        return 'Finding(%r)' % str(self)


# ---------------------------------------------------------------------------------------------
# parsing helpers


def parser():
    """Return the shared tree-sitter parser for PowerShell."""
    global _PARSER  # pylint: disable=global-statement
    if _PARSER is None:
        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    return _PARSER


def parse(source):
    """Parse PowerShell source (str or bytes) and return the tree."""
    if isinstance(source, str):
        source = source.encode('utf-8')
    return parser().parse(source)


def text(node):
    """Source text of a node."""
    return node.text.decode('utf-8', errors='replace')


def position(node):
    """1-based (line, column) of a node."""
    return node.start_point[0] + 1, node.start_point[1] + 1


def walk(node):
    """Yield every node of the subtree, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def unwrap(node):
    """Descend through single-child wrapper nodes."""
    while node.type in _WRAPPERS and node.child_count == 1:
        node = node.children[0]
    return node


def syntax_errors(tree, path):
    """Findings for ERROR and MISSING nodes."""
    findings = []
    if not tree.root_node.has_error:
        return findings
    for node in walk(tree.root_node):
        if node.is_missing:
            line, column = position(node)
            findings.append(Finding(path, line, column, 'syntax', 'missing %r' % node.type))
        elif node.type == 'ERROR':
            line, column = position(node)
            snippet = text(node).strip().splitlines()[0][:60] if text(node).strip() else ''
            findings.append(Finding(path, line, column, 'syntax', 'cannot parse near %r' % snippet))
    if not findings:
        findings.append(Finding(path, 1, 1, 'syntax', 'the file does not parse'))
    return findings


# ---------------------------------------------------------------------------------------------
# static literals


def _string_value(node):
    value = text(node)
    if node.type in ('verbatim_string_characters',):
        return value[1:-1].replace("''", "'")
    if node.type == 'verbatim_here_string_characters':
        return value[2:-2].strip('\r\n')
    if node.type in ('expandable_string_literal', 'expandable_here_string_literal'):
        if node.named_child_count or '`' in value or '$' in value:
            raise NotStatic(node, 'expandable string with variables, subexpressions or escapes: %s' % value)
        if node.type == 'expandable_here_string_literal':
            return value[2:-2].strip('\r\n')
        return value[1:-1]
    raise NotStatic(node, 'not a string literal: %s' % value)


def _number_value(node):
    value = text(node)
    try:
        if node.type == 'real_literal':
            return float(value)
        return int(value, 0)
    except ValueError:
        raise NotStatic(node, 'number with a type suffix or multiplier: %s' % value) from None


def _array_items(node):
    """Value of an expression as the items it contributes to @(...)."""
    inner = unwrap(node)
    value = static_value(inner)
    if inner.type in ('array_literal_expression', 'array_expression', 'expression_with_unary_operator') and isinstance(value, list):
        return value
    return [value]


def _hash_key(entry):
    key_node = None
    for child in entry.children:
        if child.type == 'key_expression':
            key_node = child
            break
    if key_node is None:
        raise NotStatic(entry, 'hashtable entry without a key')
    inner = unwrap(key_node)
    if inner.type == 'simple_name':
        return text(inner), key_node
    value = static_value(inner)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise NotStatic(key_node, 'hashtable key is not a name or string: %s' % text(key_node))
    return str(value), key_node


def _hash_value_node(entry):
    seen_key = False
    for child in entry.children:
        if child.type == 'key_expression':
            seen_key = True
        elif seen_key and child.is_named:
            return child
    raise NotStatic(entry, 'hashtable entry without a value')


def hash_entries(node):
    """(key, key_node, value_node) for each entry of a hash_literal_expression."""
    entries = []
    for body in node.children:
        if body.type != 'hash_literal_body':
            continue
        for entry in body.children:
            if entry.type == 'hash_entry':
                key, key_node = _hash_key(entry)
                entries.append((key, key_node, _hash_value_node(entry)))
    return entries


def static_value(node):
    """Evaluate a static PowerShell literal to Python data, or raise NotStatic."""
    node = unwrap(node)
    kind = node.type
    if kind == 'hash_literal_expression':
        result = {}
        lowered = {}
        for key, key_node, value_node in hash_entries(node):
            if key.lower() in lowered:
                raise NotStatic(key_node, 'duplicate hashtable key %r' % key)
            lowered[key.lower()] = key
            result[key] = static_value(value_node)
        return result
    if kind in ('verbatim_string_characters', 'verbatim_here_string_characters', 'expandable_string_literal',
                'expandable_here_string_literal'):
        return _string_value(node)
    if kind in ('decimal_integer_literal', 'hexadecimal_integer_literal', 'real_literal'):
        return _number_value(node)
    if kind == 'variable':
        name = text(node).lower()
        constants = {'$true': True, '$false': False, '$null': None}
        if name in constants:
            return constants[name]
        raise NotStatic(node, 'variable %s' % text(node))
    if kind == 'array_literal_expression':
        return [static_value(child) for child in node.children if child.is_named]
    if kind == 'array_expression':
        items = []
        for child in node.children:
            if child.type == 'statement_list':
                for statement in child.children:
                    if statement.is_named:
                        items.extend(_array_items(statement))
            elif child.is_named:
                items.extend(_array_items(child))
        return items
    if kind == 'expression_with_unary_operator':
        operator = node.children[0].type
        operand = node.children[-1]
        if operator == ',':
            return [static_value(operand)]
        if operator in ('-', '+'):
            value = static_value(operand)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return -value if operator == '-' else value
        raise NotStatic(node, 'operator expression: %s' % text(node))
    if kind == 'cast_expression':
        type_node = node.children[0]
        type_name = text(type_node)[1:-1].strip().lower()
        if type_name not in ALLOWED_CASTS:
            raise NotStatic(node, 'cast to %s (allowed: %s)' % (text(type_node), ', '.join(sorted(ALLOWED_CASTS))))
        value = static_value(node.children[-1])
        if type_name.endswith('[]') or type_name == 'array':
            return value if isinstance(value, list) else [value]
        if type_name == 'string':
            return value if isinstance(value, str) else json.dumps(value)
        if type_name == 'int' and not isinstance(value, int):
            raise NotStatic(node, 'cast of a non-integer to [int]: %s' % text(node))
        if type_name == 'bool' and not isinstance(value, bool):
            raise NotStatic(node, 'cast of a non-boolean to [bool]: %s' % text(node))
        return value
    if kind == 'parenthesized_expression':
        raise NotStatic(node, 'parenthesized expression: %s' % text(node)[:60])
    if kind in ('sub_expression', 'array_expression_with_subexpression'):
        raise NotStatic(node, 'subexpression: %s' % text(node)[:60])
    if kind in ('command', 'invokation_expression', 'member_access', 'element_access'):
        raise NotStatic(node, 'call or member access: %s' % text(node)[:60])
    raise NotStatic(node, '%s is not a static literal: %s' % (kind, text(node)[:60]))


# ---------------------------------------------------------------------------------------------
# argument spec (Ansible.Basic)


def _spec_error(problems, context, message):
    problems.append('%s%s' % ('%s: ' % context if context else '', message))


def validate_spec(spec, context='', problems=None):
    """Check a spec dictionary as Ansible.Basic.AnsibleModule would; return (normalised, problems)."""
    if problems is None:
        problems = []
    if not isinstance(spec, dict):
        _spec_error(problems, context, 'argument spec must be a hashtable')
        return spec, problems
    normalised = {}
    for key, value in spec.items():
        shape = SPEC_KEYS.get(key)
        if shape is None:
            _spec_error(problems, context, 'invalid argument spec key %r (valid: %s)' % (key, ', '.join(sorted(SPEC_KEYS))))
            continue
        if shape == 'bool' and not isinstance(value, bool):
            _spec_error(problems, context, '%s must be $true or $false' % key)
        elif shape == 'str' and not isinstance(value, str):
            _spec_error(problems, context, '%s must be a string' % key)
        elif shape == 'type':
            if value is not None and value not in OPTION_TYPES:
                _spec_error(problems, context, "%s '%s' is unsupported (valid: %s)" % (key, value, ', '.join(sorted(OPTION_TYPES))))
        elif shape == 'str_list':
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                _spec_error(problems, context, '%s must be a list of strings' % key)
        elif shape == 'list' and not isinstance(value, list):
            _spec_error(problems, context, "%s must be a list (write @('a') for one item)" % key)
        elif shape == 'list_of_lists':
            if not isinstance(value, list) or not all(isinstance(item, list) for item in value):
                _spec_error(problems, context, "%s must be a list of lists (write @(, @('a', 'b')) for one group)" % key)
        elif shape == 'dict' and not isinstance(value, dict):
            _spec_error(problems, context, '%s must be a hashtable' % key)
        elif shape == 'dict_list':
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                _spec_error(problems, context, '%s must be a list of hashtables' % key)
        elif shape == 'date':
            _spec_error(problems, context, '%s needs a [DateTime], which a static spec cannot hold: use removed_in_version' % key)
        elif shape == 'options':
            if not isinstance(value, dict):
                _spec_error(problems, context, 'options must be a hashtable')
            else:
                options = {}
                for name, option in value.items():
                    sub_context = '%s.%s' % (context, name) if context else name
                    options[name] = validate_spec(option, sub_context, problems)[0]
                value = options
        normalised[key] = value
    return normalised, problems


def _is_spec_variable(node):
    return node is not None and node.type == 'variable' and text(node).lower() == '$spec'


def _access_root(node):
    while node.type in ('member_access', 'element_access', 'invokation_expression') and node.children:
        node = unwrap(node.children[0])
    return node


def find_spec(tree, path):
    """Return (spec, findings) for a module: the static $spec literal and any problems."""
    findings = []
    assignments = []
    creates = []
    for node in walk(tree.root_node):
        if node.type == 'assignment_expression':
            target = unwrap(node.children[0])
            if _is_spec_variable(target):
                assignments.append(node)
            elif target.type in ('member_access', 'element_access') and _is_spec_variable(_access_root(target)):
                line, column = position(node)
                findings.append(Finding(path, line, column, 'spec', '$spec is changed after its literal: %s' % text(node)[:60]))
        elif node.type == 'invokation_expression':
            head = node.children[0]
            member = [child for child in node.children if child.type == 'member_name']
            if head.type == 'type_literal' and 'ansible.basic.ansiblemodule' in text(head).lower() and member \
                    and text(member[0]).lower() == 'create':
                creates.append(node)
            elif _is_spec_variable(_access_root(head)) and member and text(member[0]).lower() in ('add', 'remove', 'clear', 'set_item'):
                line, column = position(node)
                findings.append(Finding(path, line, column, 'spec', '$spec is changed after its literal: %s' % text(node)[:60]))
    if len(assignments) != 1:
        findings.append(Finding(path, 1, 1, 'spec', 'a module needs exactly one "$spec = @{ ... }" assignment, found %d' % len(assignments)))
        return None, findings
    assignment = assignments[0]
    if assignment.parent is None or assignment.parent.type != 'pipeline' or assignment.parent.parent is None \
            or assignment.parent.parent.type != 'statement_list' or assignment.parent.parent.parent != tree.root_node:
        line, column = position(assignment)
        findings.append(Finding(path, line, column, 'spec', '$spec must be assigned at the top level of the module'))
    operator = [child for child in assignment.children if child.type == 'assignement_operator']
    if operator and text(operator[0]) != '=':
        line, column = position(assignment)
        findings.append(Finding(path, line, column, 'spec', '$spec must be assigned with "="'))
    spec = None
    try:
        spec = static_value(assignment.children[-1])
    except NotStatic as ex:
        line, column = position(ex.node)
        findings.append(Finding(path, line, column, 'spec', '$spec is not a static literal: %s' % ex.reason))
    if spec is not None:
        if not isinstance(spec, dict):
            line, column = position(assignment)
            findings.append(Finding(path, line, column, 'spec', '$spec must be a hashtable literal'))
            spec = None
        else:
            spec, problems = validate_spec(spec)
            line, column = position(assignment)
            findings.extend(Finding(path, line, column, 'spec', problem) for problem in problems)
    if len(creates) != 1:
        findings.append(Finding(path, 1, 1, 'spec', 'a module needs exactly one [Ansible.Basic.AnsibleModule]::Create($args, $spec), found %d'
                                % len(creates)))
    else:
        arguments = [child for child in walk(creates[0]) if child.type == 'argument_expression_list']
        values = [unwrap(child) for child in arguments[0].children if child.is_named] if arguments else []
        if len(values) != 2 or text(values[0]).lower() != '$args' or not _is_spec_variable(values[1]):
            line, column = position(creates[0])
            findings.append(Finding(path, line, column, 'spec', 'call [Ansible.Basic.AnsibleModule]::Create($args, $spec) with exactly these two '
                                    'arguments (fragments cannot be read statically)'))
    return spec, findings


def module_directives(source):
    """The #AnsibleRequires / #Requires lines of a file as (kind, value) pairs, lower-cased kind."""
    directives = []
    for line in source.splitlines():
        match = re.match(r'(?i)^#\s*(ansiblerequires|requires)\s+-(\w+)\s*(.*?)\s*$', line)
        if match:
            directives.append((match.group(1).lower(), match.group(2).lower(), match.group(3)))
    return directives


def check_module_header(source, path):
    """A module uses Ansible.Basic and never the legacy util."""
    findings = []
    directives = module_directives(source)
    if ('ansiblerequires', 'csharputil', 'Ansible.Basic') not in directives:
        findings.append(Finding(path, 1, 1, 'spec', 'a module must declare "#AnsibleRequires -CSharpUtil Ansible.Basic"'))
    for _kind, _option, value in directives:
        if value.lower().startswith('ansible.moduleutils.legacy'):
            findings.append(Finding(path, 1, 1, 'spec', 'Ansible.ModuleUtils.Legacy (Parse-Args) is not allowed: use Ansible.Basic'))
    return findings


# ---------------------------------------------------------------------------------------------
# commands and parameters


class CmdletTable:
    """Cmdlet parameter names, aliases and parameter sets, looked up case-insensitively."""

    def __init__(self, data):
        self.common = {name.lower(): name for name in data.get('common_parameters', [])}
        self.common_aliases = {alias.lower(): name for alias, name in (data.get('common_aliases') or {}).items()}
        self.cmdlets = {}
        for name, entry in (data.get('cmdlets') or {}).items():
            self.cmdlets[name.lower()] = Command(
                name, entry.get('parameters', []), entry.get('aliases') or {}, entry.get('parameter_sets') or {}, self.common,
                entry.get('wildcards') or ())

    @classmethod
    def load(cls, path=DEFAULT_TABLE):
        """Load the YAML table."""
        with open(path, encoding='utf-8') as handle:
            return cls(yaml.safe_load(handle))


class Command:
    """What is known about one command's parameters."""

    def __init__(self, name, parameters, aliases, parameter_sets, common, wildcards=()):
        self.name = name
        self.parameters = {param.lower(): param for param in parameters}
        self.aliases = {alias.lower(): target for alias, target in aliases.items()}
        self.parameter_sets = {set_name: {param.lower() for param in params} for set_name, params in parameter_sets.items()}
        self.common = common
        self.wildcards = {param.lower() for param in wildcards}

    def canonical(self, used):
        """The full parameter name ``used`` stands for (the name itself or an alias), lower case; None when unknown."""
        lowered = used.lower()
        if lowered in self.parameters or lowered in self.common:
            return lowered
        target = self.aliases.get(lowered)
        return target.lower() if target else None

    def all_names(self):
        """Canonical names accepted for this command."""
        names = dict(self.common)
        names.update(self.parameters)
        return names

    def problem(self, used, common_aliases):
        """None when ``used`` is a full parameter name of this command, else a message."""
        lowered = used.lower()
        names = self.all_names()
        if lowered in names:
            return None
        alias_target = self.aliases.get(lowered) or common_aliases.get(lowered)
        if alias_target:
            return '-%s is an alias of -%s on %s: use the full parameter name' % (used, alias_target, self.name)
        prefixed = sorted(name for key, name in names.items() if key.startswith(lowered))
        if prefixed:
            return '-%s abbreviates -%s on %s: use the full parameter name' % (used, ' or -'.join(prefixed), self.name)
        close = difflib.get_close_matches(lowered, list(names), n=1, cutoff=0.75)
        hint = ' (did you mean -%s?)' % names[close[0]] if close else ''
        return '-%s is not a parameter of %s%s' % (used, self.name, hint)

    def set_problem(self, used):
        """None when the parameters can be used together in one parameter set, else a message."""
        if len(self.parameter_sets) < 2:
            return None
        wanted = {name.lower() for name in used if name.lower() in self.parameters and name.lower() not in self.common}
        if any(wanted <= members for members in self.parameter_sets.values()):
            return None
        shown = ', '.join('-' + self.parameters[name] for name in sorted(wanted))
        return '%s takes no parameter set with all of %s (sets: %s)' % (self.name, shown, ', '.join(sorted(self.parameter_sets)))


def _function_command(node, common):
    """Command description of a function_statement from its param block."""
    name = text(node.children[1]) if node.child_count > 1 else ''
    parameters = []
    advanced = False
    should_process = False
    for child in walk(node):
        if child.type == 'function_statement' and child is not node:
            continue
        if child.type == 'script_parameter' and _belongs_to(child, node):
            for part in child.children:
                if part.type == 'variable':
                    parameters.append(text(part)[1:])
        elif child.type == 'attribute' and _belongs_to(child, node):
            attribute_name = text(child).lower()
            if attribute_name.startswith('[cmdletbinding') or attribute_name.startswith('[parameter'):
                advanced = True
            if attribute_name.startswith('[cmdletbinding') and re.search(r'(?i)supportsshouldprocess\s*(=\s*\$true)?\s*[,)]', text(child)):
                should_process = True
    if should_process:
        parameters.extend(['WhatIf', 'Confirm'])
    return Command(name, parameters, {}, {}, common if advanced else {})


def _belongs_to(node, function_node):
    parent = node.parent
    while parent is not None and parent.type != 'function_statement':
        parent = parent.parent
    return parent == function_node


def defined_functions(tree, common):
    """{lower-case name: Command} for the functions defined in a tree."""
    functions = {}
    for node in walk(tree.root_node):
        if node.type == 'function_statement':
            command = _function_command(node, common)
            if command.name:
                functions[command.name.lower()] = command
    return functions


def _record_splat_key(keys, name, node):
    """Record a key added to splat hashtable ``name``; a key that is not a static string makes the splat unknown."""
    try:
        key = static_value(node) if node is not None else None
    except NotStatic:
        key = None
    if isinstance(key, str):
        keys[name][key.lower()] = key
    else:
        keys[name] = None


def splat_tables(tree):
    """{lower-case variable name: set of keys or None when not statically known} for hashtables built in the file."""
    keys = {}
    for node in walk(tree.root_node):
        if node.type == 'assignment_expression':
            target = unwrap(node.children[0])
            value = unwrap(node.children[-1])
            if target.type == 'variable':
                name = text(target)[1:].lower()
                if value.type == 'cast_expression':
                    value = unwrap(value.children[-1])
                if value.type == 'hash_literal_expression':
                    try:
                        found = {key.lower(): key for key, _key_node, _value in hash_entries(value)}
                    except NotStatic:
                        keys[name] = None
                        continue
                    if keys.get(name, {}) is not None:
                        keys.setdefault(name, {}).update(found)
                elif value.type in ('array_expression', 'array_literal_expression'):
                    keys.setdefault(name, {})
                else:
                    keys[name] = None
            elif target.type == 'member_access' and target.children[0].type == 'variable':
                name = text(target.children[0])[1:].lower()
                member = [child for child in target.children if child.type == 'member_name']
                if member and isinstance(keys.get(name), dict):
                    keys[name][text(member[0]).lower()] = text(member[0])
            elif target.type == 'element_access' and target.children[0].type == 'variable':
                name = text(target.children[0])[1:].lower()
                index = [child for child in target.children if child.is_named][1:]
                if isinstance(keys.get(name), dict):
                    _record_splat_key(keys, name, index[0] if index else None)
        elif node.type == 'invokation_expression' and node.children[0].type == 'variable':
            name = text(node.children[0])[1:].lower()
            member = [child for child in node.children if child.type == 'member_name']
            if member and text(member[0]).lower() == 'add' and isinstance(keys.get(name), dict):
                arguments = [child for child in walk(node) if child.type == 'argument_expression_list']
                first = [child for child in arguments[0].children if child.is_named][:1] if arguments else []
                _record_splat_key(keys, name, first[0] if first else None)
    return keys


def command_uses(node):
    """(name node, [(parameter name, node)], [(splat variable, node)]) for a command node, or None when the name is dynamic."""
    name_node = None
    for child in node.children:
        if child.type == 'command_name':
            name_node = child
        elif child.type in ('command_name_expr', 'command_invokation_operator'):
            return None
    if name_node is None:
        return None
    parameters = []
    splats = []
    for child in node.children:
        if child.type != 'command_elements':
            continue
        for element in child.children:
            if element.type == 'command_parameter':
                raw = text(element)
                if raw in ('--', '--%'):
                    break
                parameters.append((raw.lstrip('-').rstrip(':'), element))
            elif element.is_named:
                inner = unwrap(element)
                if inner.type == 'variable' and text(inner).startswith('@'):
                    splats.append((text(inner)[1:], inner))
    return name_node, parameters, splats


def _required_utils(source, path, root):
    """Paths of the PowerShell module utils a file requires."""
    utils = []
    for kind, option, value in module_directives(source):
        if not ((kind == 'ansiblerequires' and option == 'powershell') or (kind == 'requires' and option in ('module', 'modules'))):
            continue
        name = value.split()[0] if value else ''
        if name.startswith('Ansible.ModuleUtils.'):
            import ansible  # pylint: disable=import-outside-toplevel
            utils.append(os.path.join(os.path.dirname(ansible.__file__), 'module_utils', 'powershell', name + '.psm1'))
        elif name.startswith('ansible_collections.'):
            parts = name.split('.')
            if len(parts) >= 6 and parts[3:5] == ['plugins', 'module_utils']:
                utils.append(os.path.join(root, 'plugins', 'module_utils', *parts[5:-1], parts[-1] + '.psm1'))
        elif name.startswith('..module_utils.'):
            utils.append(os.path.join(root, 'plugins', 'module_utils', name[len('..module_utils.'):] + '.psm1'))
        else:
            utils.append(os.path.join(os.path.dirname(path), name))
    return utils


def check_commands(tree, source, path, table, root, relpath=None):
    """Findings for unknown commands and wrong parameter names."""
    findings = []
    display = relpath or path
    functions = {}
    for util in _required_utils(source, path, root):
        if not os.path.isfile(util):
            findings.append(Finding(display, 1, 1, 'command', 'required util not found: %s' % os.path.relpath(util, root)))
            continue
        with open(util, 'rb') as handle:
            functions.update(defined_functions(parse(handle.read()), table.common))
    functions.update(defined_functions(tree, table.common))
    splats = splat_tables(tree)
    for node in walk(tree.root_node):
        if node.type != 'command':
            continue
        uses = command_uses(node)
        if uses is None:
            continue
        name_node, parameters, used_splats = uses
        name = text(name_node)
        if '\\' in name and not name.startswith('.'):
            name = name.rsplit('\\', 1)[1]
        command = functions.get(name.lower()) or table.cmdlets.get(name.lower())
        line, column = position(name_node)
        if command is None:
            findings.append(Finding(display, line, column, 'command', 'unknown command %s: not in tests/tools/cmdlet_parameters.yml and not a function '
                                    'defined in this file or a util it requires (aliases such as %% or ? are not allowed)' % name))
            continue
        used_names = []
        complete = True
        for parameter, parameter_node in parameters:
            problem = command.problem(parameter, table.common_aliases)
            if problem:
                p_line, p_column = position(parameter_node)
                findings.append(Finding(display, p_line, p_column, 'parameter', problem))
                complete = False
            else:
                used_names.append(parameter)
        for variable, splat_node in used_splats:
            s_line, s_column = position(splat_node)
            keys = splats.get(variable.lower())
            if keys is None:
                findings.append(Finding(display, s_line, s_column, 'parameter', 'cannot resolve splat @%s for %s: build it as a hashtable literal '
                                        '(and $%s.Name = ... additions) in this file' % (variable, command.name, variable)))
                complete = False
                continue
            for key in keys.values():
                problem = command.problem(key, table.common_aliases)
                if problem:
                    findings.append(Finding(display, s_line, s_column, 'parameter', '@%s: %s' % (variable, problem)))
                    complete = False
                else:
                    used_names.append(key)
        # Splats may gain keys in exclusive branches, so parameter sets are judged on direct calls only.
        if complete and not used_splats:
            problem = command.set_problem(used_names)
            if problem:
                findings.append(Finding(display, line, column, 'parameter', problem))
    return findings


# ---------------------------------------------------------------------------------------------
# injection: nothing reaches PowerShell as text to be interpreted

# Commands that run their argument as PowerShell code.
EVAL_COMMANDS = frozenset(('invoke-expression', 'iex'))
# Programs and cmdlets whose arguments become a command line another interpreter parses.
SHELL_COMMANDS = frozenset((
    'cmd', 'powershell', 'pwsh', 'start-process', 'saps', 'start', 'netsh', 'route', 'wmic', 'sc', 'reg', 'schtasks',
    'bash', 'sh', 'wsl', 'psexec', 'runas',
))
# Methods that compile or run a string as a script.
EVAL_METHODS = frozenset(('invokescript', 'newscriptblock', 'addscript'))
_EXPANDABLE = ('expandable_string_literal', 'expandable_here_string_literal')
_DYNAMIC = frozenset(('variable', 'sub_expression', 'member_access', 'invokation_expression', 'element_access',
                      'parenthesized_expression', 'cast_expression', 'array_expression'))


def constants(tree):
    """Names (lower case, without ``$``) of the variables assigned exactly once in the file, from a
    static string literal or array of them, and set in no other way (a parameter, a foreach
    variable, -ErrorVariable...): such a variable stands for its literal."""
    assigned = {}
    literal = set()
    other = set()
    for node in walk(tree.root_node):
        if node.type == 'assignment_expression':
            target = unwrap(node.children[0])
            if target.type != 'variable':
                continue
            name = text(target)[1:].lower()
            assigned[name] = assigned.get(name, 0) + 1
            try:
                value = static_value(node.children[-1])
            except NotStatic:
                continue
            if isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(item, str) for item in value)):
                literal.add(name)
        elif node.type in ('script_parameter', 'foreach_statement'):
            other.update(text(child)[1:].lower() for child in node.children if child.type == 'variable')
        elif node.type == 'command':
            for parameter, argument in _arguments(node):
                if (parameter or '').lower() in ('errorvariable', 'outvariable', 'pipelinevariable', 'warningvariable',
                                                 'informationvariable', 'ev', 'ov', 'pv', 'wv', 'iv') and argument is not None:
                    other.add(text(argument).lstrip('+$').lower())
    return frozenset(name for name in literal if assigned[name] == 1 and name not in other)


def interpolated(node):
    """True when an expandable string below ``node`` interpolates a variable or a ``$(...)``."""
    for sub in walk(node):
        if sub.type in _EXPANDABLE and any(inner.type in ('variable', 'sub_expression') for inner in walk(sub) if inner is not sub):
            return True
    return False


def dynamic(node, known=frozenset()):
    """True when an argument's value is computed at run time (a variable, a call, an interpolated
    string); the variables named in ``known`` (see ``constants``) stand for their literal."""
    inner = unwrap(node)
    if inner.type == 'array_literal_expression':
        return any(dynamic(item, known) for item in inner.named_children)
    if inner.type == 'variable' and text(inner)[1:].lower() in known:
        return False
    return inner.type in _DYNAMIC or interpolated(inner)


def splat_values(tree):
    """{lower-case variable: [(key, value node)]} of the hashtable literals assigned to a variable in
    the file and of the keys added to them (``$x.Key = ...``, ``$x['Key'] = ...``)."""
    values = {}
    for node in walk(tree.root_node):
        if node.type != 'assignment_expression':
            continue
        target = unwrap(node.children[0])
        value = unwrap(node.children[-1])
        if target.type == 'variable' and value.type == 'hash_literal_expression':
            try:
                entries = hash_entries(value)
            except NotStatic:
                continue
            values.setdefault(text(target)[1:].lower(), []).extend((key, value_node) for key, _key_node, value_node in entries)
        elif target.type == 'member_access' and target.children[0].type == 'variable':
            member = [child for child in target.children if child.type == 'member_name']
            if member:
                values.setdefault(text(target.children[0])[1:].lower(), []).append((text(member[0]), node.children[-1]))
    return values


def _splat_arguments(command, splats):
    """[(key, value node)] of the hashtables a command is splatted with; None for a splat not built in the file."""
    uses = command_uses(command)
    if uses is None:
        return []
    pairs = []
    for variable, _node in uses[2]:
        if variable.lower() not in splats:
            return None
        pairs.extend(splats[variable.lower()])
    return pairs


def _command_key(name):
    """Lower-case command name without its directory and .exe/.cmd/.bat extension."""
    base = re.split(r'[\\/]', name)[-1].lower()
    for suffix in ('.exe', '.cmd', '.bat', '.com'):
        if base.endswith(suffix):
            return base[:-len(suffix)], True
    return base, False


def _arguments(command):
    """[(parameter name or None, argument node)] of a command, in order."""
    pairs = []
    pending = None
    for child in command.children:
        if child.type != 'command_elements':
            continue
        for element in child.children:
            if element.type == 'command_parameter':
                if pending is not None:
                    pairs.append((pending, None))
                pending = text(element).lstrip('-').rstrip(':')
            elif element.is_named and element.type != 'command_argument_sep':
                pairs.append((pending, element))
                pending = None
    if pending is not None:
        pairs.append((pending, None))
    return pairs


# The parameters of Start-Process that become the command line of the process it starts.
_START_PROCESS_COMMAND_LINE = frozenset(('filepath', 'argumentlist', 'args', 'path', 'verb', None))


def _injection_in_command(node, display, known=frozenset(), splats=None):
    findings = []
    operator = [child for child in node.children if child.type == 'command_invokation_operator']
    name_expr = [child for child in node.children if child.type == 'command_name_expr']
    line, column = position(node)
    if operator and name_expr and not any(child.type == 'script_block_expression' for child in name_expr[0].children):
        findings.append(Finding(display, line, column, 'injection', "'%s %s' invokes a command named by a string or variable; "
                                "call the cmdlet by its name with its parameters" % (text(operator[0]), text(name_expr[0]))))
        return findings
    names = [child for child in node.children if child.type == 'command_name']
    if not names:
        return findings
    name, native = _command_key(text(names[0]))
    arguments = _arguments(node)
    if name in EVAL_COMMANDS:
        findings.append(Finding(display, line, column, 'injection', '%s runs text as PowerShell code; call the cmdlet with its '
                                'parameters (splat a hashtable) instead' % text(names[0])))
    elif name == 'add-type':
        for parameter, argument in arguments:
            if (parameter or '').lower() in ('typedefinition', 'memberdefinition') and argument is not None and dynamic(argument):
                findings.append(Finding(display, line, column, 'injection', 'Add-Type -%s is built from variables; compile a static '
                                        'C# module util (#AnsibleRequires -CSharpUtil) instead' % parameter))
    elif name in SHELL_COMMANDS or native:
        start_process = name in ('start-process', 'saps', 'start')
        splatted = _splat_arguments(node, splats or {})
        for parameter, argument in arguments:
            if argument is None:
                continue
            inner = unwrap(argument)
            if inner.type == 'variable' and text(inner).startswith('@') and splatted is not None:
                continue        # judged by its keys below
            if start_process and (parameter or '').lower() not in _START_PROCESS_COMMAND_LINE:
                continue
            if dynamic(argument, known):
                a_line, a_column = position(argument)
                findings.append(Finding(display, a_line, a_column, 'injection', '%s gets %s as part of a command line another interpreter '
                                        'parses; use a cmdlet with parameter values' % (text(names[0]), text(argument)[:60])))
        for key, value in splatted or []:
            if start_process and key.lower() not in _START_PROCESS_COMMAND_LINE:
                continue
            if dynamic(value, known):
                a_line, a_column = position(value)
                findings.append(Finding(display, a_line, a_column, 'injection', '%s gets %s (splatted as %s) as part of a command line '
                                        'another interpreter parses; use a cmdlet with parameter values'
                                        % (text(names[0]), text(value)[:60], key)))
    return findings


def _injection_in_call(node, display):
    members = [child for child in node.children if child.type == 'member_name']
    if not members:
        return []
    method = text(members[-1]).lower()
    types = [child for child in node.children if child.type == 'type_literal']
    line, column = position(node)
    if method == 'create' and types and text(types[0]).lower().replace(' ', '') in ('[scriptblock]', '[system.management.automation.scriptblock]'):
        return [Finding(display, line, column, 'injection', '[scriptblock]::Create compiles text as code; write the script block literally')]
    if method in EVAL_METHODS:
        return [Finding(display, line, column, 'injection', '.%s() runs text as code; call the cmdlet with its parameters' % text(members[-1]))]
    return []


def check_injection(tree, path):
    """Findings for every way a value could reach PowerShell or a shell as text to interpret."""
    findings = []
    known = constants(tree)
    splats = splat_values(tree)
    for node in walk(tree.root_node):
        if node.type == 'command':
            findings.extend(_injection_in_command(node, path, known, splats))
        elif node.type == 'invokation_expression':
            findings.extend(_injection_in_call(node, path))
    return findings


# ---------------------------------------------------------------------------------------------
# culture: formats that follow the host's culture

# Standard formats whose output is the same in every culture (round trip, sortable, universal, RFC 1123).
INVARIANT_FORMATS = frozenset(('o', 'O', 's', 'u', 'r', 'R'))
_FORMAT_ITEM = re.compile(r'\{\d+(,-?\d+)?:[^}]+\}')


def _call_arguments(node):
    """The argument expressions of a method call node (invokation_expression)."""
    for child in node.children:
        if child.type == 'argument_list':
            lists = [sub for sub in child.children if sub.type == 'argument_expression_list']
            return [sub for sub in lists[0].children if sub.is_named] if lists else []
    return []


def check_culture(tree, path):
    """Findings for dates and numbers formatted with the host's culture."""
    findings = []
    for node in walk(tree.root_node):
        line, column = position(node)
        if node.type == 'invokation_expression':
            members = [child for child in node.children if child.type == 'member_name']
            if not members or text(members[-1]).lower() != 'tostring':
                continue
            arguments = _call_arguments(node)
            if len(arguments) != 1:
                continue
            try:
                value = static_value(arguments[0])
            except NotStatic:
                value = None
            if not isinstance(value, str) or value not in INVARIANT_FORMATS:
                findings.append(Finding(path, line, column, 'culture', '.ToString(%s) formats with the host\'s culture (its time separator, '
                                        'calendar and digits): pass [System.Globalization.CultureInfo]::InvariantCulture as well, or use '
                                        "the round-trip format 'o'" % text(arguments[0])[:40]))
        elif node.type == 'command':
            uses = command_uses(node)
            if uses is None or text(uses[0]).lower() != 'get-date':
                continue
            for parameter, argument in _arguments(node):
                lowered = (parameter or '').lower()
                if lowered == 'uformat':
                    findings.append(Finding(path, line, column, 'culture', 'Get-Date -UFormat follows the host\'s culture; use '
                                            "(Get-Date).ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)"))
                elif lowered == 'format':
                    try:
                        value = static_value(argument) if argument is not None else None
                    except NotStatic:
                        # a bare word (-Format o) is its own text
                        value = text(argument) if argument is not None and unwrap(argument).type == 'generic_token' else None
                    if value not in INVARIANT_FORMATS:
                        findings.append(Finding(path, line, column, 'culture', 'Get-Date -Format %s follows the host\'s culture; use -Format o '
                                                '(round trip) or an invariant culture' % (text(argument)[:40] if argument is not None else '')))
        elif node.type == 'format_expression' and node.child_count > 1:
            left = unwrap(node.children[0])
            if left.type in ('verbatim_string_characters', 'expandable_string_literal') and _FORMAT_ITEM.search(text(left)):
                findings.append(Finding(path, line, column, 'culture', '-f with the format item in %s follows the host\'s culture; format with '
                                        'an invariant culture' % text(left)[:40]))
    return findings


# ---------------------------------------------------------------------------------------------
# wildcard, policystore, encoding: parameters whose omission or pattern matching bites

# Verbs whose -Name creates or describes the object instead of selecting existing ones.
_CREATING_VERBS = frozenset(('new', 'add', 'register', 'install', 'import', 'export', 'write'))
# Commands that write or read text files and take an encoding.
ENCODING_COMMANDS = frozenset(('set-content', 'add-content', 'out-file', 'get-content'))


def _selects_by_name(parameter):
    return parameter == 'name' or parameter.endswith('name') or parameter in ('interfacealias', 'interfacedescription', 'group', 'displaygroup')


def _uses(node, table, splats):
    """(Command, [(canonical parameter, argument node)]) of a command of the table, or None."""
    uses = command_uses(node)
    if uses is None:
        return None
    name = text(uses[0])
    if '\\' in name:
        name = name.rsplit('\\', 1)[1]
    command = table.cmdlets.get(name.lower())
    if command is None:
        return None
    pairs = []
    for parameter, argument in _arguments(node):
        if parameter is None:
            continue
        canonical = command.canonical(parameter)
        if canonical is not None:
            pairs.append((canonical, argument))
    for key, value in _splat_arguments(node, splats) or []:
        canonical = command.canonical(key)
        if canonical is not None:
            pairs.append((canonical, value))
    return command, pairs


def check_parameters_that_bite(tree, path, table):
    """Findings of the wildcard, policystore and encoding rules."""
    findings = []
    known = constants(tree)
    splats = splat_values(tree)
    for node in walk(tree.root_node):
        if node.type != 'command':
            continue
        found = _uses(node, table, splats)
        if found is None:
            continue
        command, pairs = found
        line, column = position(node)
        verb = command.name.split('-', 1)[0].lower()
        used = {parameter for parameter, _argument in pairs}
        if verb not in _CREATING_VERBS:
            for parameter, argument in pairs:
                if parameter in command.wildcards and _selects_by_name(parameter) and argument is not None and dynamic(argument, known):
                    a_line, a_column = position(argument)
                    message = ('%s -%s takes wildcard characters, and %s comes from data: a name holding * or ? would select other '
                               'objects. Read the objects, compare the names as text, and pass the one found (-InputObject)'
                               % (command.name, command.parameters[parameter], text(argument)[:40]))
                    findings.append(Finding(path, a_line, a_column, 'wildcard', message))
        if verb in ('remove', 'set') and 'policystore' in command.parameters and not used & {'policystore', 'inputobject'}:
            findings.append(Finding(path, line, column, 'policystore', '%s without -PolicyStore acts on whichever store its default is '
                                    '(the NetTCPIP cmdlets: the ActiveStore, so that a copy in the PersistentStore comes back at the next '
                                    'boot). Name the store, or pass the object read from one (-InputObject)' % command.name))
        if command.name.lower() in ENCODING_COMMANDS and 'encoding' not in used:
            findings.append(Finding(path, line, column, 'encoding', '%s without -Encoding: Windows PowerShell 5.1 uses the ANSI code page '
                                    'and PowerShell 7 UTF-8 without BOM, so a file written by one is misread by the other; give '
                                    '-Encoding UTF8' % command.name))
    return findings


# ---------------------------------------------------------------------------------------------
# driver


def discover(root):
    """The PowerShell files the gate checks, relative to root, sorted."""
    found = []
    for top, suffixes in (('plugins', ('.ps1', '.psm1')), (os.path.join('tests', 'integration'), ('.ps1', '.psm1'))):
        base = os.path.join(root, top)
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if d not in ('__pycache__', 'output'))
            for file_name in files:
                if file_name.endswith(suffixes):
                    found.append(os.path.relpath(os.path.join(directory, file_name), root))
    return sorted(found)


def is_module(relpath):
    """True for a module file under plugins/modules."""
    parts = relpath.replace(os.sep, '/').split('/')
    return len(parts) >= 3 and parts[0] == 'plugins' and parts[1] == 'modules' and relpath.endswith('.ps1')


def check_file(path, table, root, relpath=None):
    """All findings for one file."""
    relpath = relpath or os.path.relpath(path, root)
    with open(path, 'rb') as handle:
        raw = handle.read()
    try:
        source = raw.decode('utf-8-sig')
    except UnicodeDecodeError as ex:
        return [Finding(relpath, 1, 1, 'syntax', 'not UTF-8: %s' % ex)]
    tree = parse(raw)
    findings = syntax_errors(tree, relpath)
    findings.extend(check_commands(tree, source, path, table, root, relpath))
    findings.extend(check_injection(tree, relpath))
    findings.extend(check_culture(tree, relpath))
    findings.extend(check_parameters_that_bite(tree, relpath, table))
    if is_module(relpath):
        findings.extend(check_module_header(source, relpath))
        findings.extend(find_spec(tree, relpath)[1])
    return findings


def extract_spec(path):
    """The validated static spec of a module file; raises ValueError listing the problems."""
    with open(path, 'rb') as handle:
        raw = handle.read()
    tree = parse(raw)
    problems = syntax_errors(tree, path)
    spec, findings = find_spec(tree, path)
    problems.extend(findings)
    if problems or spec is None:
        raise ValueError('\n'.join(str(problem) for problem in problems) or '%s: no spec found' % path)
    return spec


def command_check(args):
    """`check`: run every check, print findings, return the exit code."""
    root = os.path.abspath(args.root)
    table = CmdletTable.load(args.table)
    paths = args.paths or discover(root)
    findings = []
    for relpath in paths:
        path = relpath if os.path.isabs(relpath) else os.path.join(root, relpath)
        findings.extend(check_file(path, table, root, os.path.relpath(path, root)))
    for finding in findings:
        sys.stdout.write('%s\n' % finding)
    sys.stdout.write('pscheck: %d file(s) checked, %d problem(s)\n' % (len(paths), len(findings)))
    return 1 if findings else 0


def command_spec(args):
    """`spec`: print a module's static spec as JSON."""
    try:
        spec = extract_spec(args.module)
    except ValueError as ex:
        sys.stderr.write('%s\n' % ex)
        return 1
    sys.stdout.write(json.dumps(spec, indent=2, sort_keys=True) + '\n')
    return 0


def command_ps_argspec(args):
    """`ps-argspec`: stand in for `pwsh ps_argspec.ps1 MANIFEST` as validate-modules runs it."""
    if os.path.basename(args.script).lower() != 'ps_argspec.ps1':
        sys.stderr.write('this pwsh stand-in only answers ansible-test\'s ps_argspec.ps1, not %s\n' % args.script)
        return 1
    manifest = json.loads(args.manifest)
    module_path = manifest.get('module_path')
    if args.log:
        with open(args.log, 'a', encoding='utf-8') as handle:
            handle.write('%s\n' % module_path)
    if not module_path or not os.path.isfile(module_path):
        sys.stdout.write("The module at '%s' does not exist.\n" % module_path)
        return 1
    try:
        spec = extract_spec(module_path)
    except ValueError as ex:
        sys.stdout.write('static argument spec could not be read:\n%s\n' % ex)
        return 1
    sys.stdout.write(json.dumps(spec, separators=(',', ':')) + '\n')
    return 0


def main(argv=None):
    """Command line entry point."""
    parser_ = argparse.ArgumentParser(description='Static checks for the collection\'s PowerShell.')
    commands = parser_.add_subparsers(dest='command', required=True)
    check = commands.add_parser('check', help='check PowerShell files (default: discover them under --root)')
    check.add_argument('--root', default='.')
    check.add_argument('--table', default=DEFAULT_TABLE)
    check.add_argument('paths', nargs='*')
    check.set_defaults(func=command_check)
    spec = commands.add_parser('spec', help='print the static argument spec of a module as JSON')
    spec.add_argument('module')
    spec.set_defaults(func=command_spec)
    argspec = commands.add_parser('ps-argspec', help='pwsh stand-in for validate-modules')
    argspec.add_argument('--log', help='append each module path asked for to this file')
    argspec.add_argument('script')
    argspec.add_argument('manifest')
    argspec.set_defaults(func=command_ps_argspec)
    args = parser_.parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
