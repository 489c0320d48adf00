"""Regenerate ``cmdlet_parameters.yml`` from Microsoft's cmdlet reference (platyPS markdown).

Usage::

    python tests/tools/update_cmdlet_table.py \\
        --windows-docs PATH/TO/windows-powershell-docs \\
        --powershell-docs PATH/TO/PowerShell-Docs \\
        [--windows-docs-commit SHA] [--powershell-docs-commit SHA]

``windows-powershell-docs`` (MicrosoftDocs) holds the Windows Server modules (NetTCPIP,
NetAdapter, DnsClient, NetSecurity, ScheduledTasks, ...), ``PowerShell-Docs`` holds the
Windows PowerShell 5.1 core modules. Each cmdlet page lists its parameter sets under
``## SYNTAX`` and every parameter (with its aliases) under ``## PARAMETERS``; both are read.

A parameter is listed under ``wildcards`` when its page says it takes wildcard characters: its
``Accept wildcard characters: True`` field, a sentence of its description ("Wildcard characters are
accepted"), or an example of the page passing it a ``*`` or ``?``. The field alone is not enough:
the pages of the CDXML cmdlets (NetSecurity, NetAdapter) say ``False`` there for parameters whose
description, or whose examples, show that they match patterns.

To cover another module, add it to WINDOWS_MODULES or POWERSHELL_MODULES and rerun. The
table is data for ``pscheck.py``; it is not rebuilt in CI.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import yaml

WINDOWS_DOCSET = 'docset/winserver2022-ps'
WINDOWS_MODULES = ('NetTCPIP', 'NetAdapter', 'DnsClient', 'NetSecurity', 'ScheduledTasks', 'NetConnection')
POWERSHELL_REFERENCE = 'reference/5.1'
POWERSHELL_MODULES = (
    'CimCmdlets',
    'Microsoft.PowerShell.Core',
    'Microsoft.PowerShell.Management',
    'Microsoft.PowerShell.Security',
    'Microsoft.PowerShell.Utility',
)

# Listed on every page as "[<CommonParameters>]" (Windows PowerShell 5.1 set).
COMMON_PARAMETERS = (
    'Debug', 'ErrorAction', 'ErrorVariable', 'InformationAction', 'InformationVariable',
    'OutBuffer', 'OutVariable', 'PipelineVariable', 'Verbose', 'WarningAction', 'WarningVariable',
)
COMMON_ALIASES = {
    'db': 'Debug', 'ea': 'ErrorAction', 'ev': 'ErrorVariable', 'infa': 'InformationAction',
    'iv': 'InformationVariable', 'ob': 'OutBuffer', 'ov': 'OutVariable', 'pv': 'PipelineVariable',
    'vb': 'Verbose', 'wa': 'WarningAction', 'wv': 'WarningVariable', 'wi': 'WhatIf', 'cf': 'Confirm',
}

ALL_SETS = '__AllParameterSets'
_SECTION = re.compile(r'^## (\S.*)$', re.M)
_SUBSECTION = re.compile(r'^### (\S.*)$', re.M)
_FENCE = re.compile(r'^```[^\n]*\n(.*?)^```', re.M | re.S)
_SYNTAX_PARAM = re.compile(r'(?<![\w-])-([A-Za-z][A-Za-z0-9_]*)')
_WILDCARD_SENTENCE = re.compile(r'(?i)\bwildcard(?: characters?)? (?:are|is) (?:accepted|permitted|supported|allowed)\b'
                                r'|\b(?:supports|accepts) (?:the use of )?wildcard|\bwildcards are (?:accepted|permitted|supported|allowed)\b')
_EXAMPLE_WILDCARD = re.compile(r'(?<![\w-])-([A-Za-z][A-Za-z0-9_]*)[ :]+["\']?[^\s"\'|;]*[*?][^\s"\'|;]*')


def _sections(text, pattern):
    """Split markdown text into {heading: body} at the given heading pattern."""
    result = {}
    matches = list(pattern.finditer(text))
    for pos, match in enumerate(matches):
        end = matches[pos + 1].start() if pos + 1 < len(matches) else len(text)
        result[match.group(1).strip()] = text[match.end():end]
    return result


def _front_matter(text):
    if not text.startswith('---'):
        return {}
    end = text.find('\n---', 3)
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _yaml_field(block, name):
    for line in block.splitlines():
        if line.startswith(name + ':'):
            return [item.strip() for item in line.split(':', 1)[1].split(',') if item.strip()]
    return []


def parse_cmdlet_page(text):
    """Return (name, entry) for one cmdlet page, or None when the page is not a cmdlet."""
    meta = _front_matter(text)
    sections = _sections(text, _SECTION)
    if 'SYNTAX' not in sections or 'PARAMETERS' not in sections:
        return None
    title = str(meta.get('title') or '').strip()
    heading = re.search(r'^# (\S+)\s*$', text, re.M)
    name = title or (heading.group(1) if heading else '')
    if not re.match(r'^[A-Za-z]+-[A-Za-z0-9]+$', name):
        return None

    parameter_sets = {}
    syntax_parts = _sections(sections['SYNTAX'], _SUBSECTION) or {ALL_SETS: sections['SYNTAX']}
    for set_name, body in syntax_parts.items():
        set_name = re.sub(r'\s*\(Default\)$', '', set_name)
        names = []
        for block in _FENCE.findall(body):
            for found in _SYNTAX_PARAM.findall(block):
                if found not in names:
                    names.append(found)
        parameter_sets[set_name] = names

    parameters = {found for names in parameter_sets.values() for found in names}
    aliases = {}
    wildcards = set()
    for block in _FENCE.findall(sections.get('EXAMPLES', '')):
        for line in block.splitlines():
            if name.lower() in line.lower():
                wildcards.update(_EXAMPLE_WILDCARD.findall(line.split(name, 1)[-1] if name in line else line))
    for heading_text, body in _sections(sections['PARAMETERS'], _SUBSECTION).items():
        if not heading_text.startswith('-'):
            continue
        param = heading_text[1:].strip()
        parameters.add(param)
        description = body.split('```')[0]
        if _WILDCARD_SENTENCE.search(description) or re.search(r'(?im)^Accept wildcard characters:\s*True\s*$', body):
            wildcards.add(param)
        for block in _FENCE.findall(body):
            for alias in _yaml_field(block, 'Aliases'):
                if alias.lower() != param.lower():
                    aliases[alias] = param
            sets = _yaml_field(block, 'Parameter Sets')
            if '(All)' in sets:
                for names in parameter_sets.values():
                    if param not in names:
                        names.append(param)
            else:
                for set_name in sets:
                    if set_name in parameter_sets and param not in parameter_sets[set_name]:
                        parameter_sets[set_name].append(param)

    entry = {
        'module': str(meta.get('Module Name') or ''),
        'parameters': sorted(parameters, key=lambda item: (item.lower(), item)),
    }
    if aliases:
        entry['aliases'] = dict(sorted(aliases.items(), key=lambda item: item[0].lower()))
    if len(parameter_sets) > 1:
        entry['parameter_sets'] = {
            key: sorted(value, key=str.lower) for key, value in sorted(parameter_sets.items())
        }
    canonical = {param.lower(): param for param in parameters}
    wildcards = sorted({canonical[found.lower()] for found in wildcards if found.lower() in canonical}, key=str.lower)
    if wildcards:
        entry['wildcards'] = wildcards
    return name, entry


def collect(root, subdir, modules):
    """Parse every cmdlet page of the given modules."""
    table = {}
    for module in modules:
        directory = os.path.join(root, subdir, module)
        if not os.path.isdir(directory):
            raise SystemExit('missing module directory: %s' % directory)
        for file_name in sorted(os.listdir(directory)):
            if not file_name.endswith('.md'):
                continue
            with open(os.path.join(directory, file_name), encoding='utf-8') as handle:
                parsed = parse_cmdlet_page(handle.read())
            if parsed:
                table[parsed[0]] = parsed[1]
    return table


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--windows-docs', required=True)
    parser.add_argument('--powershell-docs', required=True)
    parser.add_argument('--windows-docs-commit', default='')
    parser.add_argument('--powershell-docs-commit', default='')
    parser.add_argument('--output', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cmdlet_parameters.yml'))
    args = parser.parse_args(argv)

    cmdlets = collect(args.windows_docs, WINDOWS_DOCSET, WINDOWS_MODULES)
    cmdlets.update(collect(args.powershell_docs, POWERSHELL_REFERENCE, POWERSHELL_MODULES))
    data = {
        'sources': [
            {'repository': 'https://github.com/MicrosoftDocs/windows-powershell-docs', 'commit': args.windows_docs_commit,
             'path': WINDOWS_DOCSET, 'modules': list(WINDOWS_MODULES)},
            {'repository': 'https://github.com/MicrosoftDocs/PowerShell-Docs', 'commit': args.powershell_docs_commit,
             'path': POWERSHELL_REFERENCE, 'modules': list(POWERSHELL_MODULES)},
        ],
        'common_parameters': list(COMMON_PARAMETERS),
        'common_aliases': COMMON_ALIASES,
        'cmdlets': dict(sorted(cmdlets.items(), key=lambda item: item[0].lower())),
    }
    header = (
        '# Parameter names of the cmdlets the collection\'s PowerShell may call, read from Microsoft\'s\n'
        '# cmdlet reference (see "sources"). Regenerate with tests/tools/update_cmdlet_table.py;\n'
        '# do not edit by hand. Used by tests/tools/pscheck.py.\n'
    )
    with open(args.output, 'w', encoding='utf-8') as handle:
        handle.write(header)
        yaml.safe_dump(data, handle, default_flow_style=None, sort_keys=False, width=150)
    sys.stdout.write('%d cmdlets written to %s\n' % (len(cmdlets), args.output))


if __name__ == '__main__':
    main()
