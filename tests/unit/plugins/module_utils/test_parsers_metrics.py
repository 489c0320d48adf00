# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Interface metrics read from ``route print``: an IPv4 interface metric of 0 (the interface's own
host route printed at exactly 256), and IPv6 tables that lack ff00::/8 (or fe80::/64 too), from
which the metric is read off the next system route."""

from __future__ import annotations

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print

SEP = '=' * 75


def export(v4_metric=0, v6_rows=None):
    """route print of one vmxnet3 NIC (index 7, 203.0.113.45/26) whose IPv4 interface metric is ``v4_metric``."""
    system = 256 + v4_metric
    v6_rows = v6_rows if v6_rows is not None else [
        '  7    281 ::/0                     fe80::1',
        '  1    331 ::1/128                  On-link',
        '  7    281 2001:db8:7::/64          On-link',
        '  7    281 2001:db8:7::10/128       On-link',
        '  7    281 fe80::/64                On-link',
        '  7    281 fe80::1c4b:e2ff:fe93:a001/128',
        '                                    On-link',
    ]
    lines = [
        SEP, 'Interface List', '  7...00 50 56 9a 3e 71 ......vmxnet3 Ethernet Adapter', '  1...........................Software Loopback Interface 1',
        SEP, '', 'IPv4 Route Table', SEP, 'Active Routes:',
        'Network Destination        Netmask          Gateway       Interface  Metric',
        '          0.0.0.0          0.0.0.0      203.0.113.1     203.0.113.45  %5d' % v4_metric,
        '        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331',
        '        127.0.0.1  255.255.255.255         On-link         127.0.0.1    331',
        '      203.0.113.0  255.255.255.192         On-link      203.0.113.45  %5d' % system,
        '     203.0.113.45  255.255.255.255         On-link      203.0.113.45  %5d' % system,
        '     203.0.113.63  255.255.255.255         On-link      203.0.113.45  %5d' % system,
        '        224.0.0.0        240.0.0.0         On-link      203.0.113.45  %5d' % system,
        SEP, 'Persistent Routes:', '  None', '', 'IPv6 Route Table', SEP, 'Active Routes:',
        ' If Metric Network Destination      Gateway',
    ] + v6_rows + [SEP, 'Persistent Routes:', '  None', '']
    return '\n'.join(lines)


def metrics(state):
    return {i['index']: (i['ipv4'], i.get('ipv6')) for i in state['interfaces']}


def routes(state, family_prefix=''):
    return sorted((r['destination'], r['interface'], r['route_metric']) for r in state['routes'] if r['destination'].startswith(family_prefix))


@pytest.mark.parametrize('v4_metric', [0, 1, 25])
def test_an_ipv4_interface_metric_read_from_its_own_host_route(v4_metric):
    state = parse_route_print(export(v4_metric))
    assert metrics(state)[7][0] == {'metric': v4_metric}
    assert 'interfaces.metric' not in state['partial']
    assert not [r for r in state['routes'] if r.get('metric_is_sum')]
    # the printed sums come apart again: the default route's own metric is 0, the system routes' 256
    assert [(r['destination'], r['route_metric']) for r in state['routes'] if r['interface'] == 7 and '.' in r['destination']] == [
        ('0.0.0.0/0', 0), ('203.0.113.0/26', 256), ('203.0.113.45/32', 256), ('203.0.113.63/32', 256), ('224.0.0.0/4', 256)]
    loaded = HostState.from_dict(state)
    assert loaded.interface(7).ipv4.metric == v4_metric


def test_an_ipv6_table_without_ff00_reads_the_metric_off_fe80():
    state = parse_route_print(export())
    assert metrics(state)[7][1] == {'metric': 25}
    assert metrics(state)[1][1] == {'metric': 75}          # from ::1/128 (331 - 256)
    assert routes(state, '::/0') == [('::/0', 7, 256)]
    assert ('2001:db8:7::10', 64, 7) in {(a['address'], a['prefix_length'], a['interface']) for a in state['addresses']}


def test_an_ipv6_table_with_only_host_routes_reads_the_metric_off_them():
    rows = ['  7    291 2001:db8:7::10/128       On-link', '  7     40 2001:db8:99::/48         2001:db8:7::1', '  1    331 ::1/128                  On-link']
    state = parse_route_print(export(v6_rows=rows))
    assert metrics(state)[7][1] == {'metric': 35}
    assert routes(state, '2001:db8:99::') == [('2001:db8:99::/48', 7, 5)]


def test_ff00_wins_over_the_other_system_routes_when_they_disagree():
    rows = ['  7    300 fe80::/64                On-link', '  7    281 ff00::/8                 On-link', '  7    310 2001:db8:7::10/128       On-link',
            '  1    331 ::1/128                  On-link']
    assert metrics(parse_route_print(export(v6_rows=rows)))[7][1] == {'metric': 25}


def test_a_route_printed_under_256_says_nothing_about_the_interface_metric():
    # a manual /128 with a small printed metric is not a system route
    rows = ['  7     30 2001:db8:7::10/128       On-link', '  7    281 fe80::/64                On-link', '  1    331 ::1/128                  On-link']
    assert metrics(parse_route_print(export(v6_rows=rows)))[7][1] == {'metric': 25}
