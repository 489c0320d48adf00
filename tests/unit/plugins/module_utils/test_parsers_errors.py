# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Malformed and truncated exports: each fails with a ParseError naming the line or the element."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError, WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')


def _fixture(*parts):
    with open(os.path.join(FIXTURES, *parts), encoding='utf-8') as handle:
        return handle.read()


GOOD = _fixture('route_print', 'server2016_single_nic.txt')
LINES = GOOD.split('\n')


def _edit(number, new):
    """The 2016 sample with line ``number`` (1-based) replaced, or removed when ``new`` is None."""
    lines = list(LINES)
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    return '\n'.join(lines)


def _cut(number):
    return '\n'.join(LINES[:number])


def test_sample_lines_are_where_the_table_expects_them():
    assert LINES[11].strip().startswith('0.0.0.0') and LINES[10].startswith('Network Destination')
    assert LINES[30].strip().startswith('1    331 ::1/128') and LINES[33].strip() == 'On-link'


ROUTE_PRINT_ERRORS = [
    ('empty', '', r'^expected the output of route print or netstat -rn: .*; found no text at all$'),
    ('ipconfig', 'Windows IP Configuration\n\n   Host Name . . . : web01\n', r'^expected the output of route print .*; found the output of ipconfig$'),
    ('linux route -n', 'Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n'
     '0.0.0.0         192.168.1.1     0.0.0.0         UG    101    0        0 ens33\n', r'; found the routing table of Linux'),
    ('bad interface line', _edit(3, '  4~~~00 15 5d 0a 14 02 ......Adapter'), r'^line 3: expected an interface line'),
    ('interface listed twice', _edit(4, '  4...........................Software Loopback Interface 1'), r'^line 4: interface 4 is listed twice'),
    ('interface list truncated', _cut(4), r'^line 4: expected the output of route print .*; found an Interface List that ends without its '
     r'closing ==== line and no route table \(the output looks cut off there\)$'),
    ('non-contiguous netmask', _edit(12, '          0.0.0.0      255.0.255.0        192.0.2.1       192.0.2.20     15'),
     r'^line 12: netmask 255\.0\.255\.0 is not contiguous'),
    ('bits outside mask', _edit(12, '        192.0.2.7    255.255.255.0        192.0.2.1       192.0.2.20     15'),
     r'^line 12: destination 192\.0\.2\.7 has bits set outside netmask 255\.255\.255\.0'),
    ('missing column', _edit(12, '          0.0.0.0          0.0.0.0        192.0.2.1       192.0.2.20'), r'^line 12: expected 5 columns'),
    ('bad gateway', _edit(12, '          0.0.0.0          0.0.0.0        192.0.2.x       192.0.2.20     15'),
     r"^line 12: gateway '192\.0\.2\.x' is not an IPv4 address"),
    ('bad metric', _edit(12, '          0.0.0.0          0.0.0.0        192.0.2.1       192.0.2.20    1x5'), r"^line 12: metric '1x5' is not a number"),
    ('ipv6 interface column', _edit(12, '          0.0.0.0          0.0.0.0        192.0.2.1       2001:db8::1    15'),
     r"^line 12: interface '2001:db8::1' is not an IPv4 address"),
    ('wrapped gateway missing', _edit(34, None), r'^line 33: the route to fe80::b1e7:3c2a:8d40:12f5/128 has no gateway'),
    ('bad ipv6 prefix', _edit(32, '  4    271 fe80::/64x                 On-link'), r"^line 32: destination 'fe80::/64x'"),
    ('ipv4 prefix in ipv6 table', _edit(32, '  4    271 192.0.2.0/24             On-link'), r'^line 32: destination 192\.0\.2\.0/24 is not an IPv6 prefix'),
    ('junk between sections', _edit(27, 'garbage here'), r"^line 27: unexpected text 'garbage here' between sections"),
    ('junk after the tables', GOOD + '\nIPv4 Route Table\n', r"^line 41: unexpected text 'IPv4 Route Table' after the route tables"),
    ('two outputs pasted together', GOOD + '\n' + GOOD, r'^line \d+: a second Interface List: two outputs were pasted together'),
    ('a second ipv4 list', GOOD.replace('Persistent Routes:\n  None\n\nIPv6', 'Persistent Routes:\n  None\n' + '\n'.join(LINES[6:21]) + '\n\nIPv6', 1),
     r'^line \d+: a second IPv4 active route list: two outputs were pasted together'),
    ('windows xp', 'IPv4 Route Table\n' + '=' * 75 + '\nInterface List\n0x1 ........................... MS TCP Loopback interface\n',
     r'route print of Windows XP or Server 2003'),
    ('not text', 42, r'^route print output must be text, got int'),
]


@pytest.mark.parametrize('text, pattern', [c[1:] for c in ROUTE_PRINT_ERRORS], ids=[c[0] for c in ROUTE_PRINT_ERRORS])
def test_route_print_errors(text, pattern):
    with pytest.raises(ParseError, match=pattern):
        parse_route_print(text)


# What the reader used to refuse and now reads: headings are hints, a cut-off list keeps its rows.
ROUTE_PRINT_READINGS = [
    ('misspelt active routes heading', _edit(10, 'Active Routs:'), set(), None),
    ('other column header', _edit(11, 'Destination Mask Gateway'), set(), None),
    ('blank line inside a list', _edit(15, ''), set(), 'line 15: a blank line inside a route list was ignored'),
    ('cut after an active row', _cut(20), {'routes.ipv4', 'routes.ipv6', 'routes.persistent'},
     'line 20: the IPv4 active route list ends without its closing ==== line; the output looks cut off there'),
]


@pytest.mark.parametrize('text, partial, note', [c[1:] for c in ROUTE_PRINT_READINGS], ids=[c[0] for c in ROUTE_PRINT_READINGS])
def test_route_print_reads_what_it_used_to_refuse(text, partial, note):
    plain = parse_route_print(GOOD)
    state = parse_route_print(text)
    assert partial <= set(state['partial'])
    if note is None:
        assert state == plain
    else:
        assert note in state['parse_notes']


def test_route_print_unresolvable_interface_gets_a_marked_stand_in():
    text = _fixture('route_print', 'server2025_tv31.txt')
    state = parse_route_print(text)
    standins = [i for i in state['interfaces'] if 'index_candidates' in i]
    assert 'interfaces.index' in state['partial'] and standins
    held = {a['address']: a['interface'] for a in state['addresses']}
    assert any(held.get('192.168.0.124') == i['index'] for i in standins)
    assert any(note.startswith('line 12: route print does not tell which interface holds 192.168.0.124') for note in state['parse_notes'])


def test_parse_error_is_a_winnet_error():
    assert issubclass(ParseError, WinnetError)


ROUTE = {'DestinationPrefix': '0.0.0.0/0', 'NextHop': '192.0.2.1', 'InterfaceIndex': 4, 'InterfaceAlias': 'Ethernet',
         'AddressFamily': 2, 'RouteMetric': 0, 'InterfaceMetric': 15, 'Protocol': 3, 'Store': 1}
IFACE = {'InterfaceIndex': 4, 'InterfaceAlias': 'Ethernet', 'AddressFamily': 2, 'InterfaceMetric': 15, 'WeakHostSend': 0,
         'WeakHostReceive': 0, 'Forwarding': 0, 'IgnoreDefaultRoutes': 0, 'Dhcp': 0, 'AutomaticMetric': 1, 'ConnectionState': 1}
ADDR = {'IPAddress': '192.0.2.20', 'InterfaceIndex': 4, 'PrefixLength': 24, 'AddressFamily': 2, 'AddressState': 4}


def _with(base, **changes):
    item = dict(base)
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return item


TRUNCATED = json.dumps([ROUTE, IFACE], indent=4)[:-40]

NETROUTE_ERRORS = [
    ('nothing', '', r'^no ConvertTo-Json output given'),
    ('wrong type', 42, r'^expected ConvertTo-Json text, a list of texts, or parsed objects; got int'),
    ('truncated json', TRUNCATED, r'^line \d+, column \d+: not valid JSON .*truncated output\?'),
    ('truncated second document', [json.dumps(ROUTE), TRUNCATED], r'^document 2, line \d+, column \d+: not valid JSON'),
    ('empty document', [json.dumps(ROUTE), '  '], r'^document 2 of input: empty text'),
    ('scalar element', [ROUTE, ROUTE, 7], r'^\[2\]: expected an object, got int'),
    ('unknown object', [ROUTE, {'Name': 'Ethernet', 'Status': 'Up'}],
     r'^\[1\]: not a Get-NetRoute, Get-NetIPInterface, Get-NetIPAddress, Get-NetAdapter or Get-DnsClient object'),
    ('bad prefix', [ROUTE, ROUTE, _with(ROUTE, DestinationPrefix='10.0.0.300/8')], r'^\[2\]\.DestinationPrefix: '),
    ('host bits in prefix', [_with(ROUTE, DestinationPrefix='192.0.2.7/24')], r'^\[0\]\.DestinationPrefix: '),
    ('missing next hop', [_with(ROUTE, NextHop=None)], r'^\[0\]\.NextHop: required property is missing'),
    ('family mismatch', [_with(ROUTE, NextHop='fe80::1')], r'^\[0\]\.NextHop: fe80::1 is ipv6 but 0\.0\.0\.0/0 is ipv4'),
    ('bad address family', [_with(ROUTE, AddressFamily=24)], r'^\[0\]\.AddressFamily: unknown value 24'),
    ('address family disagrees', [_with(ROUTE, AddressFamily='IPv6')], r'^\[0\]\.AddressFamily: IPv6 does not match'),
    ('bad store', [_with(ROUTE, Store='Sometimes')], r"^\[0\]\.Store: unknown value 'Sometimes'"),
    ('metric not a number', [_with(ROUTE, RouteMetric='low')], r"^\[0\]\.RouteMetric: expected a number, got 'low'"),
    ('interface index missing', [_with(ROUTE, InterfaceIndex=None)], r'^\[0\]\.InterfaceIndex: required property is missing'),
    ('bad weak host flag', [_with(IFACE, WeakHostSend='Maybe')], r"^\[0\]\.WeakHostSend: unknown value 'Maybe'"),
    ('bad connection state', [_with(IFACE, ConnectionState=7)], r'^\[0\]\.ConnectionState: unknown value 7'),
    ('interface twice', [IFACE, IFACE], r'^\[1\]: interface 4 IPv4 is listed twice'),
    ('alias disagrees', [IFACE, _with(ROUTE, InterfaceAlias='NIC2')], r"^\[1\]\.InterfaceAlias: interface 4 is called 'NIC2' here but 'Ethernet'"),
    ('bad address', [_with(ADDR, IPAddress='192.0.2.256')], r"^\[0\]\.IPAddress: '192\.0\.2\.256' is not an IP address"),
    ('prefix too long', [_with(ADDR, PrefixLength=33)], r'^\[0\]\.PrefixLength: 33 is too long for 192\.0\.2\.20'),
    ('bad address state', [_with(ADDR, AddressState=9)], r'^\[0\]\.AddressState: unknown value 9'),
    ('bad skip as source', [_with(ADDR, SkipAsSource='sometimes')], r"^\[0\]\.SkipAsSource: expected true or false"),
    ('route metric twice differs', [ROUTE, _with(ROUTE, NextHop='192.0.2.2', InterfaceMetric=20)],
     r'^\[1\]\.InterfaceMetric: 20 differs from 15'),
]


@pytest.mark.parametrize('data, pattern', [c[1:] for c in NETROUTE_ERRORS], ids=[c[0] for c in NETROUTE_ERRORS])
def test_netroute_json_errors(data, pattern):
    with pytest.raises(ParseError, match=pattern):
        parse_netroute_json(data)
