# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The route print corpus: real outputs from public sources and outputs written here, fact by fact.

Each ``fixtures/route_print_corpus/NAME.bin`` is read, as the bytes of the file, by the
``winnet.routing.parse_route_print`` filter and compared with ``NAME.facts.yml``, checked by hand:
the interfaces (index and description), the stand-ins for IPv4 interface addresses route print does
not tie to an index (keyed ``@address``, with their candidates), the interface metrics, every route
(``destination next-hop interface route-metric store``; ``sum<N>`` where the printed sum is kept),
and the partial items beyond what route print never tells. ``NAME.source.yml`` says where the text
comes from: ``origin: found`` (URL, commit, lines, date seen) or ``origin: written here``.

Every passing ``test_corpus_output_is_read_faithfully`` case is one output read faithfully.
"""

from __future__ import annotations

import collections
import importlib
import os

import pytest
import yaml

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'route_print_corpus')
NAMES = sorted(name[:-4] for name in os.listdir(CORPUS) if name.endswith('.bin'))
NEVER_TOLD = {'interfaces.settings', 'interfaces.register_dns', 'interfaces.kind', 'interfaces.link_speed', 'addresses'}


def _yaml(name, suffix):
    with open(os.path.join(CORPUS, name + suffix), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def _bytes(name):
    with open(os.path.join(CORPUS, name + '.bin'), 'rb') as handle:
        return handle.read()


def _filter():
    module = importlib.import_module('ansible_collections.winnet.routing.plugins.filter.parse_route_print')
    return module.FilterModule().filters()['parse_route_print']


def facts_of(state):
    """The facts of a parsed state, in the form of the .facts.yml files."""
    standin_key = {}
    for iface in state['interfaces']:
        if 'index_candidates' not in iface:
            continue
        held = [a['address'] for a in state['addresses'] if a['interface'] == iface['index']]
        if held:
            standin_key[iface['index']] = held[0]
        else:
            families = {'6' if ':' in r['destination'] else '4' for r in state['routes'] if r['interface'] == iface['index']}
            standin_key[iface['index']] = 'persistent' + ''.join(sorted(families))

    def ref(index):
        return '@' + standin_key[index] if index in standin_key else index

    interfaces, standins, metrics = {}, {}, {'ipv4': {}, 'ipv6': {}}
    for iface in state['interfaces']:
        if iface['index'] in standin_key:
            standins[standin_key[iface['index']]] = iface['index_candidates']
        else:
            interfaces[iface['index']] = iface.get('description')
        for family in ('ipv4', 'ipv6'):
            settings = iface.get(family)
            if settings and not settings.get('metric_unknown'):
                metrics[family][ref(iface['index'])] = settings['metric']
    routes = ['%s %s %s %s %s' % (r['destination'], r['next_hop'], ref(r['interface']),
                                  'sum%d' % r['route_metric'] if r.get('metric_is_sum') else r['route_metric'], r['store'])
              for r in state['routes']]
    partial = sorted(set(state['partial']) - NEVER_TOLD)
    return {'interfaces': interfaces, 'standins': standins, 'metrics': metrics, 'routes': routes, 'partial': partial}


@pytest.mark.parametrize('name', NAMES)
def test_corpus_output_is_read_faithfully(name):
    state = _filter()(_bytes(name))
    HostState.from_dict(state)
    got = facts_of(state)
    want = _yaml(name, '.facts.yml')
    assert got['interfaces'] == want['interfaces'], 'interfaces'
    assert got['standins'] == {str(k): sorted(v) for k, v in (want.get('standins') or {}).items()}, 'stand-ins and their candidates'
    for family in ('ipv4', 'ipv6'):
        wanted = {k if isinstance(k, int) else str(k): v for k, v in (want['metrics'].get(family) or {}).items()}
        assert got['metrics'][family] == wanted, '%s interface metrics' % family
    missing = collections.Counter(want['routes']) - collections.Counter(got['routes'])
    extra = collections.Counter(got['routes']) - collections.Counter(want['routes'])
    assert not missing and not extra, 'routes missing: %s; routes not expected: %s' % (sorted(missing), sorted(extra))
    assert got['partial'] == sorted(want.get('partial') or []), 'partial'


@pytest.mark.parametrize('name', NAMES)
def test_corpus_output_has_its_source_noted(name):
    source = _yaml(name, '.source.yml')
    assert source['origin'] in ('found', 'written here')
    for key in ('language', 'windows', 'command'):
        assert source.get(key), key
    if source['origin'] == 'found':
        assert source['url'].startswith('https://github.com/') and source.get('seen')
    else:
        assert source.get('note')


def test_corpus_is_large_and_varied():
    sources = [_yaml(name, '.source.yml') for name in NAMES]
    languages = {s['language'] for s in sources}
    assert len(NAMES) >= 40
    assert len([s for s in sources if s['origin'] == 'found']) >= 41
    assert languages >= {'en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ru', 'cs', 'tr', 'ja', 'zh-CN', 'zh-TW', 'ko'}
