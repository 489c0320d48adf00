# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile-input corpus (tests/hostile/) through the real entry points.

Each case states its expectation: ``error`` (a fragment the message must contain, naming the
path or the argument) or the correct answer (``expect`` / ``ops``). The error must be the entry
point's own error type (StateError, ParseError, AnsibleFilterError, ArgumentError); any other
exception, and a case that raises nothing, fails the test.

* ``states/``: HostState documents through ``HostState.from_dict`` and the route_lookup filter.
* ``exports/``: route print text and Get-NetRoute JSON through the parsers and their filters.
* ``filters/``: filter calls, importing each filter plugin as Ansible does.
* ``modules/``: module options through ``desired.plan(host, {module: [options]})``, which plans them
  with the planner function each module's action plugin calls. Cases in ``modules/pending_planner.yml``
  are skipped with the reason.
"""

from __future__ import annotations

import copy
import glob
import importlib
import json
import os
import re
import traceback

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, ParseError, StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print
from ansible_collections.winnet.routing.plugins.module_utils.desired import plan

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'hostile')
TARGETS = ('states', 'exports', 'filters', 'modules')
PENDING_FILE = 'pending_planner.yml'
PENDING_REASON = 'planner bug recorded in the corpus, not fixed yet (see the case comment)'
EXPECTATIONS = ('error', 'expect', 'ops')


def _read_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


HOSTS = _read_yaml(os.path.join(CORPUS, 'hosts.yml'))


# ------------------------------------------------------------------------------ collection
def _cases():
    """pytest params (target, file, case) for every case of the corpus, in file order."""
    params = []
    for target in TARGETS:
        for path in sorted(glob.glob(os.path.join(CORPUS, target, '*.yml'))):
            name = os.path.basename(path)
            doc = _read_yaml(path)
            if target == 'modules':
                host = doc.get('host', 'small')
                items = [dict(case, module=module, host=case.get('host', host)) for module, cases in doc.items() if module != 'host' for case in cases]
            else:
                items = doc['cases']
            for case in items:
                params.append(pytest.param(target, name, case, id='%s/%s::%s' % (target, name, case['name'])))
    return params


CASES = _cases()


def test_corpus_is_large_and_names_are_unique():
    ids = [param.id for param in CASES]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for target in TARGETS:
        assert sum(1 for param in CASES if param.values[0] == target) >= 20, target


# ------------------------------------------------------------------------------ case helpers
_STEP = re.compile(r'([^.\[\]]+)|\[(\d+)\]')


def _steps(path):
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def _set(doc, path, value, delete=False):
    """Set (or delete) ``a.b[2].c`` in a nested document; every step but the last must exist."""
    steps = _steps(path)
    node = doc
    for step in steps[:-1]:
        node = node[step]
    if delete:
        del node[steps[-1]]
    elif isinstance(node, list) and steps[-1] == len(node):
        node.append(value)
    else:
        node[steps[-1]] = value


def _generated_routes(count, interface=3, next_hop='192.0.2.1'):
    """``count`` distinct /24 routes under 10.0.0.0/8 and up."""
    return [{'destination': '%d.%d.%d.0/24' % (10 + (i >> 16), (i >> 8) & 255, i & 255), 'next_hop': next_hop,
             'interface': interface, 'route_metric': 1 + i % 9000, 'protocol': 'netmgmt'} for i in range(count)]


def _generated_interfaces(count, first=100):
    return [{'index': first + i, 'alias': 'if-%d' % i, 'kind': 'ethernet', 'ipv4': {'metric': i % 10000}} for i in range(count)]


def _generated_state(spec):
    """A HostState document grown by ``generate`` (routes, interfaces, duplicate_last_route)."""
    doc = copy.deepcopy(HOSTS[spec.get('base', 'small')])
    if spec.get('interfaces'):
        doc['interfaces'] += _generated_interfaces(spec['interfaces'])
    if spec.get('routes'):
        doc['routes'] += _generated_routes(spec['routes'])
    if spec.get('duplicate_last_route'):
        doc['routes'].append(dict(doc['routes'][-1]))
    return doc


def build_state(case):
    """The document a states/filters case describes: ``state``, or ``base`` + ``generate`` + edits."""
    if 'state' in case:
        doc = copy.deepcopy(case['state'])
    elif 'generate' in case:
        doc = _generated_state(case['generate'])
    else:
        doc = copy.deepcopy(HOSTS[case.get('base', 'small')])
    for path in case.get('delete', ()):
        _set(doc, path, None, delete=True)
    for path, value in (case.get('set') or {}).items():
        _set(doc, path, value)
    return doc


def _route_print_rows(count):
    lines = ['===========================================================================',
             'Interface List', '  4...00 15 5d 0a 14 02 ......Microsoft Hyper-V Network Adapter',
             '  1...........................Software Loopback Interface 1',
             '===========================================================================', '',
             'IPv4 Route Table', '===========================================================================',
             'Active Routes:', 'Network Destination        Netmask          Gateway       Interface  Metric',
             '          0.0.0.0          0.0.0.0        192.0.2.1       192.0.2.20     15',
             '        192.0.2.0    255.255.255.0         On-link        192.0.2.20    271',
             '       192.0.2.20  255.255.255.255         On-link        192.0.2.20    271',
             '      192.0.2.255  255.255.255.255         On-link        192.0.2.20    271',
             '        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331',
             '        127.0.0.1  255.255.255.255         On-link         127.0.0.1    331']
    for i in range(count):
        network = '%d.%d.%d.0' % (10 + (i >> 16), (i >> 8) & 255, i & 255)
        lines.append('%17s    255.255.255.0        192.0.2.1       192.0.2.20     %d' % (network, 16 + i % 9000))
    lines += ['===========================================================================', 'Persistent Routes:', '  None', '']
    return '\n'.join(lines)


def _netroute_rows(count):
    return [{'DestinationPrefix': '%d.%d.%d.0/24' % (10 + (i >> 16), (i >> 8) & 255, i & 255), 'NextHop': '192.0.2.1',
             'InterfaceIndex': 4, 'InterfaceAlias': 'Ethernet', 'InterfaceMetric': 15, 'RouteMetric': i % 9000,
             'AddressFamily': 2, 'Store': 1, 'Protocol': 3} for i in range(count)]


def export_input(case, edited=True):
    """The text (or bytes, or parsed data) an exports/filters case feeds to a parser."""
    if 'data' in case:
        return copy.deepcopy(case['data'])
    if 'generate' in case:
        spec = case['generate']
        if spec['kind'] == 'route_print':
            value = _route_print_rows(spec['rows'])
        else:
            value = json.dumps(_netroute_rows(spec['rows']))
    elif 'file' in case:
        with open(os.path.join(CORPUS, 'exports', 'files', case['file']), encoding='utf-8') as handle:
            value = handle.read()
    else:
        value = case['text']
    if not edited:
        return value
    for old, new in case.get('replace', ()):
        assert old in value, 'case edit %r does not match the input' % old
        value = value.replace(old, new, 1)
    if 'cut_lines' in case:
        value = '\n'.join(value.split('\n')[:case['cut_lines']])
    if 'cut_chars' in case:
        value = value[:case['cut_chars']]
    if case.get('line_endings') == 'crlf':
        value = value.replace('\n', '\r\n')
    elif case.get('line_endings') == 'cr':
        value = value.replace('\n', '\r')
    if case.get('bom'):
        value = '\ufeff' + value
    if 'encode' in case:
        value = value.encode(case['encode'])
        if 'decode' in case:
            value = value.decode(case['decode'])
    if 'mixed_encoding' in case:
        # the first lines in one encoding, the rest in UTF-8: two pastes from two consoles
        lines = value.split('\n')
        cut = case['mixed_encoding']['first_lines']
        value = '\n'.join(lines[:cut]).encode(case['mixed_encoding']['encoding']) + b'\n' + '\n'.join(lines[cut:]).encode('utf-8')
    if case.get('wrap') == 'list':
        value = [value]
    return value


def subset(expected, actual, where='result'):
    """Assert that ``actual`` holds ``expected``: mappings key by key, lists item by item, else equal."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), '%s: expected a mapping, got %r' % (where, actual)
        for key, value in expected.items():
            assert key in actual, '%s.%s is missing from %r' % (where, key, actual)
            subset(value, actual[key], '%s.%s' % (where, key))
    elif isinstance(expected, list) and isinstance(actual, list):
        assert len(expected) == len(actual), '%s: expected %d items, got %d: %r' % (where, len(expected), len(actual), actual)
        for i, (want, got) in enumerate(zip(expected, actual)):
            subset(want, got, '%s[%d]' % (where, i))
    else:
        assert expected == actual, '%s: expected %r, got %r' % (where, expected, actual)


def expect_error(case, call, kind, prefix=''):
    """Run ``call``; it must raise ``kind`` whose message starts with ``prefix`` and holds ``case['error']``."""
    try:
        result = call()
    except kind as exc:
        message = str(exc)
        assert message.startswith(prefix), 'message %r does not start with %r' % (message, prefix)
        assert case['error'] in message, 'message %r does not contain %r' % (message, case['error'])
        assert 'Traceback' not in message
        return message
    except Exception:  # pylint: disable=broad-exception-caught
        pytest.fail('expected %s containing %r, got an unexpected exception:\n%s' % (kind.__name__, case['error'], traceback.format_exc()))
    pytest.fail('expected %s containing %r, got a result: %r' % (kind.__name__, case['error'], result))
    return None  # pragma: no cover


def answer(case, call):
    """Run ``call`` for a case expecting an answer; any exception fails the test with its traceback."""
    try:
        return call()
    except Exception:  # pylint: disable=broad-exception-caught
        pytest.fail('expected an answer, got an exception:\n%s' % traceback.format_exc())
    return None  # pragma: no cover


def filter_function(name):
    """The filter as Ansible finds it: FilterModule().filters()[name] of plugins/filter/<name>.py."""
    module = importlib.import_module('ansible_collections.winnet.routing.plugins.filter.%s' % name)
    return module.FilterModule().filters()[name]


def check_state_answer(expect, state):
    """Counts, aliases and a round trip of a loaded HostState, then an optional lookup through the filter."""
    for key in ('interfaces', 'addresses', 'routes'):
        if key in expect:
            assert len(getattr(state, key)) == expect[key], '%s: %d, expected %d' % (key, len(getattr(state, key)), expect[key])
    for index, alias in (expect.get('aliases') or {}).items():
        assert state.interface(int(index)).alias == alias
    assert HostState.from_dict(state.to_dict()) == state, 'to_dict / from_dict does not round-trip'
    if 'lookup' in expect:
        args = dict(expect['lookup'])
        want = args.pop('result')
        subset(want, filter_function('route_lookup')(state, args.pop('destination'), **args), 'lookup')


# ------------------------------------------------------------------------------ targets
def run_state(case):
    doc = build_state(case)
    if 'error' in case:
        message = expect_error(case, lambda: HostState.from_dict(doc), StateError)
        # The same document through a filter: one AnsibleFilterError, same message.
        expect_error(dict(case, error=message), lambda: filter_function('route_lookup')(doc, '192.0.2.99'), AnsibleFilterError,
                     'winnet.routing.route_lookup: ')
        return
    check_state_answer(case['expect'], answer(case, lambda: HostState.from_dict(doc)))


def run_export(case):
    value = export_input(case)
    name = 'parse_route_print' if case['parser'] == 'route_print' else 'parse_netroute_json'
    kwargs = {'interfaces': case.get('interfaces')} if case['parser'] == 'route_print' else {}
    parser = parse_route_print if case['parser'] == 'route_print' else parse_netroute_json

    def call():
        return parser(value, **kwargs)

    def via_filter():
        return filter_function(name)(value, **kwargs)

    if 'error' in case:
        message = expect_error(case, call, ParseError)
        expect_error(dict(case, error=message), via_filter, AnsibleFilterError, 'winnet.routing.%s: ' % name)
        return
    result = answer(case, call)
    expect = dict(case['expect'])
    if expect.pop('same_as_plain', False):
        plain = export_input(dict((k, v) for k, v in case.items() if k not in ('line_endings', 'bom', 'wrap')))
        assert result == parser(plain, **kwargs), 'the edited export does not read like the plain one'
    if expect.pop('same_facts_as_plain', False):
        plain = parser(export_input({k: v for k, v in case.items() if k in ('file', 'text', 'generate')}), **kwargs)
        assert _without_notes(result) == _without_notes(plain), 'the edited export does not give the facts of the plain one'
    for note in expect.pop('notes_include', ()):
        assert any(note in text for text in result.get('parse_notes', ())), 'no parse note contains %r: %r' % (note, result.get('parse_notes'))
    partial = expect.pop('partial_includes', ())
    assert set(partial) <= set(result.get('partial', ())), result.get('partial')
    check_state_answer(expect, HostState.from_dict(result))


def _without_notes(state):
    return {key: value for key, value in state.items() if key != 'parse_notes'}


def run_filter(case):
    if 'value' in case:
        data = copy.deepcopy(case['value'])
    elif any(key in case for key in ('text', 'file', 'data')):
        data = export_input(case)
    else:
        data = build_state(case)
    func = filter_function(case['filter'])

    def call():
        return func(data, *case.get('args', ()), **(case.get('kwargs') or {}))

    if 'error' in case:
        expect_error(case, call, AnsibleFilterError, 'winnet.routing.%s: ' % case['filter'])
        return
    subset(case['expect'], answer(case, call))


def _plain_data(value, where='ops'):
    """Operations are plain data (str, int, bool, lists, mappings), so they reach PowerShell as JSON values."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), '%s: key %r' % (where, key)
            _plain_data(item, '%s.%s' % (where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _plain_data(item, '%s[%d]' % (where, i))
    else:
        assert value is None or isinstance(value, (str, int, bool)), '%s: %r is not plain data' % (where, value)


def run_module(case):
    host = HostState.from_dict(copy.deepcopy(HOSTS[case['host']]))
    desired = case['desired'] if 'desired' in case else {case['module']: [case['options']]}
    desired = copy.deepcopy(desired)
    if 'error' in case:
        expect_error(case, lambda: plan(host, desired), ArgumentError)
        return
    ops = answer(case, lambda: plan(host, desired))
    _plain_data(ops)
    assert json.loads(json.dumps(ops)) == ops
    assert ops == case['ops'], 'planned %r' % (ops,)


RUNNERS = {'states': run_state, 'exports': run_export, 'filters': run_filter, 'modules': run_module}


@pytest.mark.parametrize('target, file_name, case', CASES)
def test_hostile_case(target, file_name, case, hostile_tally):
    expectations = [key for key in EXPECTATIONS if key in case]
    assert len(expectations) == 1, 'a corpus case states exactly one expectation (error, expect or ops), got %r' % expectations
    if target == 'modules' and file_name == PENDING_FILE:
        hostile_tally['pending'][target] += 1
        pytest.skip(PENDING_REASON)
    hostile_tally['tried'][target] += 1
    RUNNERS[target](case)
