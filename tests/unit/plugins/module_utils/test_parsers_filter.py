# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parse_* filter plugins: registration, results, and one AnsibleFilterError per parse failure."""

from __future__ import annotations

import os

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.winnet.routing.plugins.filter import parse_netroute_json, parse_route_print

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')


def _read(*parts):
    with open(os.path.join(FIXTURES, *parts), encoding='utf-8') as handle:
        return handle.read()


def test_route_print_filter_returns_a_state():
    func = parse_route_print.FilterModule().filters()['parse_route_print']
    state = func(_read('route_print', 'server2022_dsr_loopback.txt'))
    assert state['schema'] == 'winnet.routing/v1'
    loopback = [i for i in state['interfaces'] if i['index'] == 11][0]
    assert loopback['kind'] == 'loopback_adapter' and loopback['ipv4'] == {'metric': 254}


def test_route_print_filter_passes_interfaces_and_ignores_omit():
    func = parse_route_print.FilterModule().filters()['parse_route_print']
    text = _read('route_print', 'server2025_tv31.txt')
    state = func(text, interfaces=[{'index': 10, 'metric': 35, 'addresses': ['192.168.0.124']},
                                   {'index': 14, 'addresses': ['172.30.16.1']}])
    assert [r['route_metric'] for r in state['routes'] if r['destination'] == '0.0.0.0/0'] == [0]
    omitted = func(_read('route_print', 'server2016_single_nic.txt'), interfaces='__omit_place_holder__abc')
    assert omitted['schema'] == 'winnet.routing/v1'


def test_route_print_filter_error_is_translated_once():
    func = parse_route_print.FilterModule().filters()['parse_route_print']
    with pytest.raises(AnsibleFilterError, match=r'^winnet\.routing\.parse_route_print: expected the output of route print .*; found no text at all$'):
        func('')


def test_netroute_json_filter():
    func = parse_netroute_json.FilterModule().filters()['parse_netroute_json']
    texts = [_read('netroute_json', 'server2022_ps7.%s.json' % part) for part in ('routes', 'interfaces', 'addresses')]
    state = func(texts)
    assert state['source'] == 'netroute_json'
    with pytest.raises(AnsibleFilterError, match=r'^winnet\.routing\.parse_netroute_json: \[0\]\[0\]: expected an object, got int'):
        func([[3]])


def test_route_print_with_crlf_line_ends_parses_like_lf():
    func = parse_route_print.FilterModule().filters()['parse_route_print']
    interfaces = [{'index': 10, 'metric': 35, 'addresses': ['192.168.0.124']}, {'index': 14, 'addresses': ['172.30.16.1']}]
    text = _read('route_print', 'server2025_tv31.txt')
    assert '\r' not in text
    assert func(text.replace('\n', '\r\n'), interfaces=interfaces) == func(text, interfaces=interfaces)


def _filter(name):
    module = {'route_lookup': 'route_lookup', 'route_findings': 'route_findings'}[name]
    plugin = __import__('ansible_collections.winnet.routing.plugins.filter.%s' % module, fromlist=['FilterModule'])
    return plugin.FilterModule().filters()[name]


def test_a_stand_in_is_never_a_definite_answer():
    """route print of tv31 does not tie 192.168.0.124 to an index: its routes are kept on a marked stand-in."""
    state = parse_route_print.FilterModule().filters()['parse_route_print'](_read('route_print', 'server2025_tv31.txt'))
    standin = [i for i in state['interfaces'] if 'index_candidates' in i]
    held = {a['address']: a['interface'] for a in state['addresses']}
    answer = _filter('route_lookup')(state, '8.8.8.8')
    assert answer['interface'] in [i['index'] for i in standin] and answer['interface'] == held['192.168.0.124']
    assert 'interface_unpinned' in answer['flags']
    assert any('stands for an interface the export does not identify' in step for step in answer['trace'])
    findings = _filter('route_findings')(state)
    unpinned = [f for f in findings if f['id'] == 'interface_not_pinned']
    assert len(unpinned) == len(standin)
    assert all(any(i['index'] in f['interfaces'] for f in unpinned) for i in standin)
    assert all(f['severity'] == 'warning' for f in unpinned)


def test_an_export_without_ipv6_routes_says_so():
    text = _read('route_print', 'server2016_single_nic.txt')
    state = parse_route_print.FilterModule().filters()['parse_route_print'](text[:text.index('\nIPv6 Route Table')])
    assert 'routes.ipv6' in state['partial']
    partial = [f for f in _filter('route_findings')(state) if f['id'] == 'partial_state']
    # one note for the routes the export lacks (besides the checks skipped without adapter kinds)
    routes = [f for f in partial if 'not carry all routes' in f['message']]
    assert len(routes) == 1 and 'routes.ipv6' in routes[0]['message'] and routes[0]['severity'] == 'info'
    assert all(f in routes or 'were not checked' in f['message'] for f in partial)
