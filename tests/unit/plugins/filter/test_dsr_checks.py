# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every check of dsr_check, whole, on five real servers written out by hand.

The statuses are what each state means for a DSR real server (a VIP nowhere, on the NIC, on a
loopback missing the advisory settings, on a loopback without weak host send, with a /24 prefix
that pulls a client subnet into the loopback); the messages and remediations are pinned as they
are written, since an administrator acts on them.
"""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.filter.dsr_check import dsr_check

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'module_utils'))
from vectors import host, nic, rt  # noqa: E402  pylint: disable=wrong-import-position

NO_LOOP = 'no KM-TEST loopback adapter holds 192.0.2.80'
CREATE = 'Create the loopback adapter and assign the VIP first (winnet.routing.dsr_real_server).'
# no loopback adapter to give the VIP to: nothing to paste names an adapter the host does not have
NO_ADAPTER = ('Create a KM-TEST loopback adapter and assign 192.0.2.80/32 to it with SkipAsSource (the role winnet.routing.dsr_real_server '
              'with dsr_real_server_vips does both).')
HOST_PREFIX = ("Remove-NetIPAddress -InterfaceIndex 9 -IPAddress '192.0.2.80' -Confirm:$false; New-NetIPAddress -InterfaceIndex 9 "
               "-IPAddress '192.0.2.80' -PrefixLength 32 -SkipAsSource $true")
NIC_WS = ('advisory', 'interface 4 (Data) lacks weak host send (suggested for hairpin traffic on Server 2016)',
          'Set-NetIPInterface -InterfaceIndex 4 -AddressFamily IPv4 -WeakHostSend Enabled')
NIC_WR_FAIL = ('fail', 'interface 4 (Data) lacks weak host receive for IPv4',
               'Set-NetIPInterface -InterfaceIndex 4 -AddressFamily IPv4 -WeakHostReceive Enabled')


def server(data=None, loopback=None):
    """Management (3) and Data (4: 192.0.2.20/24, the default route), and a loopback adapter 'lb' (9) when given."""
    d = dict({'index': 4, 'alias': 'Data', 'm': 25, 'addrs': ['192.0.2.20/24']}, **(data or {}))
    extra = [nic(9, 'lb', kind='loopback_adapter', **loopback)] if loopback else []
    return host(nic(3, 'Management', m=25, addrs=['10.10.0.20/24']), nic(**d), *extra, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])


CASES = {
    'no-vip': (server(), {
        'vip_on_loopback': ('fail', NO_LOOP, NO_ADAPTER),
        'nic_weak_host_receive': NIC_WR_FAIL,
        'loopback_weak_host_send': ('fail', NO_LOOP, CREATE),
        'loopback_weak_host_receive': ('fail', NO_LOOP, CREATE),
        'nic_weak_host_send': NIC_WS,
        'reply_via_nic': ('fail', '192.0.2.80 is not assigned on this host, so no reply can be sent from it',
                          'Assign 192.0.2.80 to a loopback adapter with weak host send enabled.'),
        'vip_prefix': ('fail', NO_LOOP, CREATE),
        'loopback_routes': ('fail', NO_LOOP, CREATE),
        'vip_not_on_physical_nic': ('pass', 'VIP 192.0.2.80 is not assigned to any physical interface', None),
        'vip_skip_as_source': ('fail', NO_LOOP, CREATE),
        'loopback_dns_registration': ('fail', NO_LOOP, CREATE),
    }),
    'vip-on-the-nic': (server(data={'addrs': ['192.0.2.20/24', '192.0.2.80/32']}), {
        'vip_on_loopback': ('fail', NO_LOOP, NO_ADAPTER),
        'nic_weak_host_receive': NIC_WR_FAIL,
        'loopback_weak_host_send': ('fail', NO_LOOP, CREATE),
        'loopback_weak_host_receive': ('fail', NO_LOOP, CREATE),
        'nic_weak_host_send': NIC_WS,
        'reply_via_nic': ('pass', 'replies from 192.0.2.80 to every client leave interface 4', None),
        'vip_prefix': ('fail', NO_LOOP, CREATE),
        'loopback_routes': ('fail', NO_LOOP, CREATE),
        'vip_not_on_physical_nic': ('fail', 'VIP 192.0.2.80 is assigned to physical interface 4: it answers ARP/ND for the VIP and '
                                            'conflicts with the load balancer',
                                    "Remove-NetIPAddress -InterfaceIndex 4 -IPAddress '192.0.2.80' -Confirm:$false"),
        'vip_skip_as_source': ('fail', NO_LOOP, CREATE),
        'loopback_dns_registration': ('fail', NO_LOOP, CREATE),
    }),
    'advisories-missing': (server(loopback={'m': 254, 'ws': True, 'addrs': ['192.0.2.80/32']}), {
        'vip_on_loopback': ('pass', 'VIP 192.0.2.80 is on loopback adapter 9 (lb)', None),
        'nic_weak_host_receive': NIC_WR_FAIL,
        'loopback_weak_host_send': ('pass', 'loopback lb has weak host send, so replies from the VIP may leave by the NIC', None),
        'loopback_weak_host_receive': ('advisory', 'loopback lb lacks weak host receive (the Azure and vendor procedures enable it)',
                                       'Set-NetIPInterface -InterfaceIndex 9 -AddressFamily IPv4 -WeakHostReceive Enabled'),
        'nic_weak_host_send': NIC_WS,
        'reply_via_nic': ('pass', 'replies from 192.0.2.80 to every client leave interface 4', None),
        'vip_prefix': ('pass', 'VIP 192.0.2.80/32 is a host prefix', None),
        'loopback_routes': ('pass', 'no route on loopback lb wins for the clients', None),
        'vip_not_on_physical_nic': ('pass', 'VIP 192.0.2.80 is not assigned to any physical interface', None),
        'vip_skip_as_source': ('advisory', 'VIP 192.0.2.80 lacks SkipAsSource: outbound connections may originate from the VIP and fail',
                               "Set-NetIPAddress -InterfaceIndex 9 -IPAddress '192.0.2.80' -SkipAsSource $true"),
        'loopback_dns_registration': ('advisory', "loopback lb registers its addresses in DNS: the VIP may be published as this server's "
                                                  "address", 'Set-DnsClient -InterfaceIndex 9 -RegisterThisConnectionsAddress $false'),
    }),
    'loopback-without-weak-send': (server(data={'wr': True, 'ws': True},
                                          loopback={'m': 254, 'wr': True, 'addrs': ['192.0.2.80/32'], 'skip': ['192.0.2.80'],
                                                    'register_dns': False}), {
        'vip_on_loopback': ('pass', 'VIP 192.0.2.80 is on loopback adapter 9 (lb)', None),
        'nic_weak_host_receive': ('pass', 'interface 4 (Data) has weak host receive for IPv4', None),
        'loopback_weak_host_send': ('fail', 'loopback lb lacks weak host send: replies from 192.0.2.80 are restricted to the loopback and '
                                            'find no route', 'Set-NetIPInterface -InterfaceIndex 9 -AddressFamily IPv4 -WeakHostSend Enabled'),
        'loopback_weak_host_receive': ('pass', 'loopback lb has weak host receive', None),
        'nic_weak_host_send': ('pass', 'interface 4 (Data) has weak host send (suggested for hairpin traffic on Server 2016)', None),
        'reply_via_nic': ('fail', 'replies from 192.0.2.80 do not leave interface 4: 203.0.113.50 -> no route; 192.0.2.50 -> no route',
                          'Set-NetIPInterface -InterfaceIndex 9 -AddressFamily IPv4 -WeakHostSend Enabled'),
        'vip_prefix': ('pass', 'VIP 192.0.2.80/32 is a host prefix', None),
        'loopback_routes': ('pass', 'no route on loopback lb wins for the clients', None),
        'vip_not_on_physical_nic': ('pass', 'VIP 192.0.2.80 is not assigned to any physical interface', None),
        'vip_skip_as_source': ('pass', 'VIP 192.0.2.80 has SkipAsSource: outbound connections never originate from it', None),
        'loopback_dns_registration': ('pass', 'loopback lb does not register its addresses in DNS', None),
    }),
    'vip-prefix-24': (server(data={'wr': True},
                             loopback={'m': 5, 'ws': True, 'wr': True, 'addrs': ['192.0.2.80/24'], 'skip': ['192.0.2.80'], 'register_dns': False}), {
        'vip_on_loopback': ('pass', 'VIP 192.0.2.80 is on loopback adapter 9 (lb)', None),
        'nic_weak_host_receive': ('pass', 'interface 4 (Data) has weak host receive for IPv4', None),
        'loopback_weak_host_send': ('pass', 'loopback lb has weak host send, so replies from the VIP may leave by the NIC', None),
        'loopback_weak_host_receive': ('pass', 'loopback lb has weak host receive', None),
        'nic_weak_host_send': NIC_WS,
        'reply_via_nic': ('fail', 'replies from 192.0.2.80 do not leave interface 4: 192.0.2.50 -> interface 9', HOST_PREFIX),
        'vip_prefix': ('fail', 'the VIP prefix 192.0.2.80/24 on the loopback wins for clients 192.0.2.50 (192.0.2.0/24): their replies '
                               'are black-holed into the loopback', HOST_PREFIX),
        'loopback_routes': ('pass', 'no route on loopback lb wins for the clients', None),
        'vip_not_on_physical_nic': ('pass', 'VIP 192.0.2.80 is not assigned to any physical interface', None),
        'vip_skip_as_source': ('pass', 'VIP 192.0.2.80 has SkipAsSource: outbound connections never originate from it', None),
        'loopback_dns_registration': ('pass', 'loopback lb does not register its addresses in DNS', None),
    }),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_every_check_of_a_real_server(name):
    state, expected = CASES[name]
    result = dsr_check(state, vip='192.0.2.80', nic='Data', clients=['203.0.113.50', '192.0.2.50'])
    assert [c['id'] for c in result['checks']] == list(expected)
    assert {c['id']: (c['status'], c['message'], c['remediation']) for c in result['checks']} == expected
    assert result['ready'] is all(status != 'fail' for status, _message, _remediation in expected.values())
    # the request to the VIP: not local anywhere, or on a loopback while the NIC lacks weak host receive, or accepted
    receive = {'no-vip': 'drop_not_local', 'advisories-missing': 'drop_strong_host_receive'}.get(name, 'accept')
    assert [f['receive'] for f in result['flows']] == [receive] * 2
    assert result['trace'][1:] == ['%s: %s (%s)' % (c['id'], c['status'], c['message']) for c in result['checks']]


def test_a_dns_registration_the_state_does_not_record_is_advisory():
    state = server(data={'wr': True}, loopback={'m': 254, 'ws': True, 'wr': True, 'addrs': ['192.0.2.80/32'], 'skip': ['192.0.2.80'],
                                                'register_dns': False})
    state['partial'] = ['interfaces.register_dns']
    check = [c for c in dsr_check(state, vip='192.0.2.80', nic='Data', clients=['203.0.113.50'])['checks']
             if c['id'] == 'loopback_dns_registration'][0]
    assert (check['status'], check['message']) == ('advisory', 'DNS registration of loopback lb is not in this state: check it with Get-DnsClient')


def _check(result, cid):
    return [c for c in result['checks'] if c['id'] == cid][0]


def test_a_vip_prefix_that_ties_with_the_nic_says_so():
    # loopback metric 25 = Data's metric: the two 192.0.2.0/24 routes tie for 192.0.2.50
    state = server(data={'wr': True}, loopback={'m': 25, 'ws': True, 'wr': True, 'addrs': ['192.0.2.80/24'], 'skip': ['192.0.2.80'],
                                                'register_dns': False})
    result = dsr_check(state, vip='192.0.2.80', nic='Data', clients=['192.0.2.50'])
    assert _check(result, 'vip_prefix')['message'] == ('the VIP prefix 192.0.2.80/24 on the loopback wins for clients 192.0.2.50 '
                                                       '(192.0.2.0/24, tie): their replies are black-holed into the loopback')


def test_a_vip_prefix_that_never_wins_for_the_clients_is_advisory():
    state = server(data={'wr': True}, loopback={'m': 254, 'ws': True, 'wr': True, 'addrs': ['192.0.2.80/24'], 'skip': ['192.0.2.80'],
                                                'register_dns': False})
    check = _check(dsr_check(state, vip='192.0.2.80', nic='Data', clients=['203.0.113.50']), 'vip_prefix')
    assert (check['status'], check['message']) == (
        'advisory', 'VIP 192.0.2.80 has prefix /24; its loopback prefix route does not win for the given clients, but /32 is safer')
    assert check['remediation'] == HOST_PREFIX


def test_routes_on_the_loopback_are_judged_client_by_client():
    # a host route to one client sits on the loopback; the first client has no route at all
    state = server(data={'wr': True}, loopback={'m': 5, 'ws': True, 'wr': True, 'addrs': ['192.0.2.80/32'], 'skip': ['192.0.2.80'],
                                                'register_dns': False})
    state['routes'] = [rt('198.51.100.0/24', '192.0.2.1', 4, 0), rt('198.51.100.60/32', '0.0.0.0', 9, 0)]
    result = dsr_check(state, vip='192.0.2.80', nic='Data', clients=['203.0.113.50', '198.51.100.60', '198.51.100.61'])
    check = _check(result, 'loopback_routes')
    assert (check['status'], check['message']) == ('fail', 'routes on loopback lb win for clients 198.51.100.60 (198.51.100.60/32 via 0.0.0.0)')
    assert _check(result, 'vip_prefix')['status'] == 'pass'
    assert _check(result, 'reply_via_nic')['message'] == ('replies from 192.0.2.80 do not leave interface 4: 203.0.113.50 -> no route; '
                                                          '198.51.100.60 -> interface 9')
