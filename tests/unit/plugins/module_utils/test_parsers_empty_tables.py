# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A ``route print`` table whose lists hold no row: ``route print 0.0.0.0`` (a destination filter, as
gateway-finding tools run it) prints the IPv6 table as its title, ``Active Routes:`` and the word for
none. Such a table is read as a table with no rows shown, never as a host without routes of that family,
and anything else after a table title is still refused."""

from __future__ import annotations

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print

SEP = '=' * 75
IFLIST = [SEP, 'Interface List', '  7...00 50 56 9a 3e 71 ......vmxnet3 Ethernet Adapter',
          '  1...........................Software Loopback Interface 1', SEP, '']
V4_FILTERED = ['IPv4 Route Table', SEP, 'Active Routes:',
               'Network Destination        Netmask          Gateway       Interface  Metric',
               '          0.0.0.0          0.0.0.0      203.0.113.1     203.0.113.45     25',
               SEP, 'Persistent Routes:', '  None', '']
V6_EMPTY = ['IPv6 Route Table', SEP, 'Active Routes:', '  None', 'Persistent Routes:', '  None']


def parse(lines):
    state = parse_route_print('\n'.join(lines) + '\n')
    HostState.from_dict(state)
    return state


def test_route_print_of_one_destination_reads_the_empty_ipv6_table_as_a_part():
    state = parse(IFLIST + V4_FILTERED + V6_EMPTY)
    assert [(r['destination'], r['next_hop']) for r in state['routes']] == [('0.0.0.0/0', '203.0.113.1')]
    assert {'routes.ipv4', 'routes.ipv6'} <= set(state['partial'])
    assert 'routes.persistent' not in state['partial']
    assert any('IPv6 active route list says none' in note and '::1/128' in note for note in state['parse_notes'])


def test_the_word_for_none_in_another_language_and_case():
    spanish = ['IPv6 Tabla de enrutamiento', SEP, 'Rutas activas:', '  NINGUNO', 'Rutas persistentes:', '  Ninguno']
    state = parse(IFLIST + V4_FILTERED + spanish)
    assert 'routes.ipv6' in state['partial']
    assert all(':' not in r['destination'] for r in state['routes'])


def test_an_empty_ipv4_table_before_an_ipv6_table_with_rows():
    v4_empty = ['IPv4 Route Table', SEP, 'Active Routes:', '  None', 'Persistent Routes:', '  None', '']
    v6 = ['IPv6 Route Table', SEP, 'Active Routes:', ' If Metric Network Destination      Gateway',
          '  7    281 ::/0                     fe80::1', SEP, 'Persistent Routes:', '  None']
    state = parse(IFLIST + v4_empty + v6)
    assert [(r['destination'], r['interface']) for r in state['routes']] == [('::/0', 7)]
    assert 'routes.ipv4' in state['partial']
    assert any('IPv4 active route list says none' in note and '127.0.0.0/8' in note for note in state['parse_notes'])


def test_an_empty_table_without_its_persistent_list_marks_the_persistent_routes():
    state = parse(IFLIST + V4_FILTERED + V6_EMPTY[:4])
    assert {'routes.ipv6', 'routes.persistent'} <= set(state['partial'])


@pytest.mark.parametrize('after_title', [
    ['Active Routes:', '  three routes were here'],
    ['Active Routes:', 'Persistent Routes:', '  None'],
], ids=['not-the-word-for-none', 'label-without-its-word'])
def test_other_text_after_a_table_title_is_still_refused(after_title):
    with pytest.raises(ParseError, match=r'line \d+: unexpected text'):
        parse(IFLIST + V4_FILTERED + ['IPv6 Route Table', SEP] + after_title + ['garbage at the end'])


def test_a_second_empty_table_of_the_same_family_is_not_taken_for_one():
    with pytest.raises(ParseError, match=r"unexpected text 'IPv4 Route Table'"):
        parse(IFLIST + V4_FILTERED + ['IPv4 Route Table', SEP, 'Active Routes:', '  None', 'Persistent Routes:', '  None'])
