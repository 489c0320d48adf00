# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The public test vectors of the routing specification (section 5), through the engine."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError

sys.path.insert(0, os.path.dirname(__file__))
import vectors as tv  # noqa: E402  pylint: disable=wrong-import-position


def lookup(state, destination, **kwargs):
    return Engine(state).lookup(destination, **kwargs)


# (id, state factory, destination, kwargs, expected subset of the result)
LOOKUPS = [
    ('TV-01 the sum wins', tv.tv01, '8.8.8.8', {},
     {'interface': 3, 'next_hop': '192.168.1.1', 'source': '192.168.1.20', 'tie': False, 'disposition': 'route'}),
    ('TV-02 longest prefix beats metric', tv.tv02, '10.20.5.5', {}, {'interface': 4, 'next_hop': '10.0.0.1', 'source': '10.0.0.20'}),
    ('TV-03 host route beats on-link /24', tv.tv03, '192.168.1.77', {}, {'interface': 4, 'next_hop': '10.0.0.1', 'source': '10.0.0.20'}),
    ('TV-03 on-link next hop is the destination', tv.tv03, '192.168.1.78', {}, {'interface': 3, 'next_hop': '192.168.1.78', 'source': '192.168.1.20'}),
    ('TV-05 equal interface metrics', tv.tv05, '8.8.8.8', {}, {'interface': 4}),
    ('TV-06 automatic metric', tv.tv06, '8.8.8.8', {}, {'interface': 3}),
    ('TV-08 disconnected interface ignored', tv.tv08, '8.8.8.8', {}, {'interface': 4}),
    ('TV-11 loopback range', tv.tv12, '127.0.0.5', {}, {'disposition': 'local', 'interface': 1, 'source': '127.0.0.1', 'next_hop': None, 'route': None}),
    ('TV-12 own address on another NIC', tv.tv12, '172.16.1.32', {}, {'disposition': 'local', 'interface': 4, 'source': '172.16.1.32'}),
    ('TV-13 longest match with the next hop', tv.tv13, '8.8.8.8', {}, {'source': '192.168.1.68', 'source_tie': False}),
    ('TV-14 SkipAsSource', lambda: tv.tv13(skip=('192.168.1.68',)), '8.8.8.8', {}, {'source': '192.168.1.14'}),
    ('TV-16 bound source is kept', tv.tv13, '8.8.8.8', {'source': '192.168.1.14'}, {'source': '192.168.1.14', 'interface': 3}),
    ('TV-19a unbound uses the lowest metric', lambda: tv.host_h(default4=True), '8.8.8.8', {}, {'interface': 3, 'source': '10.0.1.10'}),
    ('TV-29 multicast default egress', tv.tv29, '239.1.1.1', {}, {'interface': 3, 'source': '192.168.1.20', 'flags': ['default_only']}),
    ('TV-30 limited broadcast', tv.tv29, '255.255.255.255', {}, {'interface': 3, 'flags': ['default_only']}),
    ('TV-32 IPv6 route and temporary source', tv.tv32, '2001:db8:99::1', {}, {'interface': 7, 'next_hop': 'fe80::2', 'source': '2001:db8:7::beef'}),
    ('TV-32 without the temporary address', lambda: tv.tv32(temporary=False), '2001:db8:99::1', {}, {'source': '2001:db8:7::10'}),
    ('TV-34 link-local with zone', tv.tv32, 'fe80::99%7', {}, {'interface': 7, 'next_hop': 'fe80::99', 'source': 'fe80::a'}),
    ('TV-34 interface= is the zone', tv.tv32, 'fe80::99', {'interface': 'Ethernet'}, {'interface': 7, 'source': 'fe80::a', 'findings': []}),
]


@pytest.mark.parametrize('factory, destination, kwargs, expected', [v[1:] for v in LOOKUPS], ids=[v[0] for v in LOOKUPS])
def test_lookup_vectors(factory, destination, kwargs, expected):
    result = lookup(factory(), destination, **kwargs)
    assert {k: result[k] for k in expected} == expected, result['trace']


def test_tv01_effective_metric_is_the_sum():
    route = lookup(tv.tv01(), '8.8.8.8')['route']
    assert route == {'destination': '0.0.0.0/0', 'next_hop': '192.168.1.1', 'interface': 3, 'route_metric': 10,
                     'interface_metric': 1, 'effective_metric': 11}


def test_tv04_exact_tie_is_reported_not_resolved():
    result = lookup(tv.tv04(), '8.8.8.8')
    assert result['tie'] is True
    assert result['tie_break'] == 'RouteOrder (undocumented)'
    assert [c['interface'] for c in result['candidates']] == [3, 4]
    assert 'heuristic' in result['flags']
    assert {c['effective_metric'] for c in result['candidates']} == {25}
    assert 'route_tie' in [f['id'] for f in result['findings']]
    assert not any('Reason: Metric' in line for line in result['trace'])


def test_tv04_bound_source_breaks_the_tie():
    result = lookup(tv.tv04(), '8.8.8.8', source='10.0.0.20')
    assert (result['tie'], result['tie_break'], result['interface']) == (False, 'source interface', 4)
    assert [c['interface'] for c in result['candidates']] == [3, 4]


def test_tv09_ignore_default_routes_with_manual_route_warns():
    result = lookup(tv.tv08(ignore=True), '8.8.8.8')
    assert result['interface'] == 4
    assert [f['id'] for f in result['findings']] == ['manual_default_route_ignored']
    assert any('Reason: IgnoreDefaultRoutes' in line for line in result['trace'])


def test_tv10_persistent_only_route_is_not_used():
    result = lookup(tv.tv10(), '10.99.1.1')
    assert result['interface'] == 4 and result['route']['destination'] == '0.0.0.0/0'
    assert [f['id'] for f in result['findings']] == ['persistent_active_drift']
    assert 'persistent_active_drift' in [f['id'] for f in Engine(tv.tv10()).findings()]


def test_tv34_link_local_without_zone_is_ambiguous():
    result = lookup(tv.tv32(), 'fe80::99')
    assert [f['id'] for f in result['findings']] == ['ambiguous_zone']
    assert result['findings'][0]['interfaces'] == [7, 10]


# ------------------------------------------------------------------ flows
FLOWS = [
    ('TV-17 strong host send: no route for the reply', tv.host_h, ('203.0.113.50', '172.16.1.32', 4),
     {'receive': 'accept', 'disposition': 'reply_no_route', 'asymmetric': False}, ['reply_unroutable_strong_host_send']),
    ('TV-18 weak host send: asymmetric reply', lambda: tv.host_h(ws4=True), ('203.0.113.50', '172.16.1.32', 4),
     {'receive': 'accept', 'disposition': 'asymmetric', 'asymmetric': True}, ['asymmetric_reply']),
    ('TV-19b each NIC answers through its own default route', lambda: tv.host_h(default4=True), ('203.0.113.50', '172.16.1.32', 4),
     {'receive': 'accept', 'disposition': 'ok', 'asymmetric': False}, []),
    ('TV-21 strong host receive drop', tv.host_h, ('10.0.1.50', '172.16.1.32', 3),
     {'receive': 'drop_strong_host_receive', 'disposition': 'drop_strong_host_receive', 'reply': None}, ['drop_strong_host_receive']),
    ('TV-21 weak host receive accepts', lambda: tv.host_h(wr3=True, ws4=True), ('10.0.1.50', '172.16.1.32', 3),
     {'receive': 'accept', 'disposition': 'ok'}, []),
    ('TV-23 forwarding off', lambda: tv.host_h(extra_routes=[tv.rt('10.9.0.0/16', '172.16.1.254', 4, 256)]), ('10.0.1.50', '10.9.9.9', 3),
     {'receive': 'drop_not_local', 'disposition': 'drop_not_local'}, ['drop_not_local']),
    ('TV-14 inbound to a SkipAsSource address', lambda: tv.tv13(skip=('192.168.1.68',)), ('203.0.113.9', '192.168.1.68', 3),
     {'receive': 'accept', 'disposition': 'ok'}, []),
    ('local client', tv.tv12, ('10.0.1.10', '172.16.1.32', 4), {'disposition': 'ok', 'asymmetric': False}, []),
]


@pytest.mark.parametrize('factory, args, expected, finding_ids', [v[1:] for v in FLOWS], ids=[v[0] for v in FLOWS])
def test_flow_vectors(factory, args, expected, finding_ids):
    result = Engine(factory()).flow_check(*args)
    assert {k: result[k] for k in expected} == expected, result['trace']
    assert [f['id'] for f in result['findings']] == finding_ids


def test_tv18_source_outside_the_egress_subnet_is_an_error():
    result = Engine(tv.host_h(ws4=True)).flow_check('203.0.113.50', '172.16.1.32', 'NIC2')
    assert result['reply']['interface'] == 3 and result['reply']['source'] == '172.16.1.32'
    assert result['findings'][0]['severity'] == 'error'
    assert 'weak_host_send' in result['reply']['flags']


def test_tv14_reply_from_skip_as_source_address_uses_it():
    result = Engine(tv.tv13(skip=('192.168.1.68',))).flow_check('203.0.113.9', '192.168.1.68', 3)
    assert result['reply']['source'] == '192.168.1.68'


def test_tv19_findings_multiple_default_routes():
    findings = Engine(tv.host_h(default4=True)).findings()
    ids = [f['id'] for f in findings]
    assert ids[:2] == ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces']
    # The vector's static routes are in the ActiveStore only: each is drift (gone after a reboot).
    drift = [f for f in findings[2:] if f['id'] == 'persistent_active_drift']
    assert len(drift) == len(ids) - 2 and all('exists only in the ActiveStore' in f['message'] for f in drift)


def test_tv23_forwarding_on():
    state = tv.host_h(fw3=True, extra_routes=[tv.rt('10.9.0.0/16', '172.16.1.254', 4, 256)])
    result = Engine(state).flow_check('10.0.1.50', '10.9.9.9', 3)
    assert (result['receive'], result['disposition'], result['reply']) == ('forward', 'forward', None)
    assert (result['forward']['interface'], result['forward']['next_hop']) == (4, '172.16.1.254')
    assert [f['id'] for f in result['findings']] == ['forwarding_assumption']


def test_forwarding_relaxes_receive_knob():
    state = tv.host_h(fw3=True)
    assert Engine(state).flow_check('10.0.1.50', '172.16.1.32', 3)['receive'] == 'drop_strong_host_receive'
    assert Engine(state, forwarding_relaxes_receive=True).flow_check('10.0.1.50', '172.16.1.32', 3)['receive'] == 'accept'


# -------------------------------------------------------------------- DSR
def dsr(state, vip='10.0.0.100', nic=6, clients=('192.168.2.1',)):
    result = Engine(state).dsr_check(vip, nic, list(clients))
    return result, {c['id']: c['status'] for c in result['checks']}


def test_tv24_ready():
    result, status = dsr(tv.host_d())
    assert result['ready'] is True
    assert status == {'vip_on_loopback': 'pass', 'nic_weak_host_receive': 'pass', 'loopback_weak_host_send': 'pass',
                      'loopback_weak_host_receive': 'pass', 'nic_weak_host_send': 'advisory', 'reply_via_nic': 'pass',
                      'vip_prefix': 'pass', 'loopback_routes': 'pass', 'vip_not_on_physical_nic': 'pass',
                      'vip_skip_as_source': 'pass', 'loopback_dns_registration': 'pass'}
    flow = result['flows'][0]
    assert (flow['receive'], flow['asymmetric'], flow['disposition'], flow['reply']['interface']) == ('accept', False, 'ok', 6)


def test_tv25_nic_weak_receive_missing():
    result, status = dsr(tv.host_d(nic_wr=False))
    assert result['ready'] is False
    assert result['flows'][0]['disposition'] == 'drop_strong_host_receive'
    assert [k for k, v in status.items() if v == 'fail'] == ['nic_weak_host_receive']
    assert status['reply_via_nic'] == 'pass'


def test_tv26_loopback_weak_send_missing():
    result, status = dsr(tv.host_d(lo_ws=False))
    assert result['ready'] is False
    assert result['flows'][0]['receive'] == 'accept'
    assert result['flows'][0]['disposition'] == 'reply_no_route'
    assert [k for k, v in status.items() if v == 'fail'] == ['loopback_weak_host_send', 'reply_via_nic']


def test_dsr_vip_prefix_route_that_wins_fails():
    result, status = dsr(tv.host_d(vip='10.0.0.100/24', lo_metric=5), clients=('10.0.0.50', '192.168.2.1'))
    assert status['vip_prefix'] == 'fail' and result['ready'] is False
    assert 'vip_prefix_route_on_loopback_wins' in [f['id'] for f in Engine(tv.host_d(vip='10.0.0.100/24', lo_metric=5)).findings()]


def test_dsr_vip_prefix_route_that_loses_is_advisory():
    result, status = dsr(tv.host_d(vip='10.0.0.100/24', lo_metric=254), clients=('10.0.0.50', '192.168.2.1'))
    assert status['vip_prefix'] == 'advisory' and result['ready'] is True


def test_dsr_without_loopback_fails_every_loopback_check():
    state = tv.host_d()
    state['addresses'] = [a for a in state['addresses'] if a['interface'] != 11]
    result, status = dsr(state)
    assert result['ready'] is False
    for cid in ('vip_on_loopback', 'loopback_weak_host_send', 'loopback_weak_host_receive', 'vip_prefix', 'loopback_routes',
                'vip_skip_as_source', 'loopback_dns_registration', 'reply_via_nic'):
        assert status[cid] == 'fail', cid
    assert status['vip_not_on_physical_nic'] == 'pass'


def test_dsr_vip_on_physical_nic_fails():
    state = tv.host_d()
    state['addresses'].append({'address': '10.0.0.100', 'prefix_length': 32, 'interface': 6})
    _result, status = dsr(state)
    assert status['vip_not_on_physical_nic'] == 'fail'


def test_dsr_default_route_on_loopback_fails_loopback_routes():
    state = tv.host_d()
    state['routes'].append(tv.rt('0.0.0.0/0', '10.0.0.1', 11, 0))
    _result, status = dsr(state)
    assert status['loopback_routes'] == 'pass'  # effective 25 loses to the NIC's 10
    state = tv.host_d(lo_metric=5)
    state['routes'].append(tv.rt('0.0.0.0/0', '10.0.0.1', 11, 0))
    result, status = dsr(state)
    assert status['loopback_routes'] == 'fail' and result['ready'] is False


def test_dsr_advisories_and_remediation():
    result, status = dsr(tv.host_d(lo_wr=False, skip=False, register_dns=True))
    assert result['ready'] is True
    assert [k for k, v in status.items() if v == 'advisory'] == ['loopback_weak_host_receive', 'nic_weak_host_send', 'vip_skip_as_source',
                                                                 'loopback_dns_registration']
    remediation = {c['id']: c['remediation'] for c in result['checks']}
    assert remediation['loopback_dns_registration'] == 'Set-DnsClient -InterfaceIndex 11 -RegisterThisConnectionsAddress $false'
    assert remediation['vip_on_loopback'] is None


def test_dsr_ipv6_vip():
    state = tv.host_d()
    state['interfaces'][1]['ipv6'] = {'metric': 10, 'weak_host_receive': True}
    state['interfaces'][2]['ipv6'] = {'metric': 25, 'weak_host_send': True, 'weak_host_receive': True}
    state['addresses'] += [{'address': '2001:db8:6::4', 'prefix_length': 64, 'interface': 6},
                           {'address': '2001:db8:6::100', 'prefix_length': 128, 'interface': 11, 'skip_as_source': True}]
    state['routes'].append(tv.rt('::/0', 'fe80::1', 6, 256, protocol='router_advertisement'))
    result, status = dsr(state, vip='2001:db8:6::100', clients=('2001:db8:99::7',))
    assert result['ready'] is True, result['trace']
    assert status['vip_prefix'] == 'pass'


# ----------------------------------------------------------------- errors
ERRORS = [
    ('lookup', ('not-an-ip',), {}, 'destination'),
    ('lookup', ('8.8.8.8',), {'source': '2001:db8::1'}, 'source'),
    ('lookup', ('8.8.8.8',), {'source': '192.0.2.99'}, 'source'),
    ('lookup', ('8.8.8.8',), {'interface': 'NoSuchNIC'}, 'interface'),
    ('lookup', ('8.8.8.8',), {'interface': 99}, 'interface'),
    ('lookup', ('::ffff:8.8.8.8',), {}, 'destination'),
    ('lookup', ('8.8.8.8%3',), {}, 'destination'),
    ('lookup', (['8.8.8.8', 'x'],), {}, 'destination[1]'),
    ('flow_check', ('203.0.113.5', '2001:db8::1', 3), {}, 'client'),
    ('flow_check', ('203.0.113.5', '10.0.1.10', 'Nope'), {}, 'arrival_interface'),
    ('flow_check', ('203.0.113.5', '239.0.0.1', 3), {}, 'destination'),
    ('dsr_check', ('10.0.1.99', 3, []), {}, 'clients'),
    ('dsr_check', ('10.0.1.99', 3, ['2001:db8::5']), {}, 'clients[0]'),
    ('dsr_check', ('10.0.1.99', 'Nope', ['192.0.2.5']), {}, 'nic'),
    ('dsr_check', ('10.0.1.999', 3, ['192.0.2.5']), {}, 'vip'),
    ('findings', ([{'client': '203.0.113.5'}],), {}, 'flows[0].destination'),
    ('findings', ([{'client': 'x', 'destination': '10.0.1.10', 'arrival_interface': 3}],), {}, 'flows[0].client'),
    ('effective_routes', ('ipv5',), {}, 'family'),
]


@pytest.mark.parametrize('method, args, kwargs, argument', ERRORS, ids=['%s-%s' % (e[0], e[3]) for e in ERRORS])
def test_bad_arguments_name_the_argument(method, args, kwargs, argument):
    engine = Engine(tv.host_h())
    call = getattr(engine, 'lookup_many' if method == 'lookup' and isinstance(args[0], list) else method)
    with pytest.raises(ArgumentError) as err:
        call(*args, **kwargs)
    assert err.value.argument == argument, str(err.value)
    assert str(err.value).startswith(argument + ': ')


def test_interfaces_by_index_or_alias_are_equivalent():
    engine = Engine(tv.host_h())
    by_index = engine.flow_check('203.0.113.50', '172.16.1.32', 4)
    by_alias = engine.flow_check('203.0.113.50', '172.16.1.32', 'NIC2')
    assert by_index == by_alias


def test_lookup_many_answers_in_order():
    engine = Engine(tv.tv03())
    many = engine.lookup_many(['192.168.1.77', '192.168.1.78', '127.0.0.1'])
    assert [r['interface'] for r in many] == [4, 3, 1]
    assert many == [engine.lookup(d) for d in ['192.168.1.77', '192.168.1.78', '127.0.0.1']]


def test_trace_names_the_reason():
    trace = lookup(tv.tv01(), '8.8.8.8')['trace']
    assert any('Reason: Metric (11 = 10 + 1 < 55 = 5 + 50)' in line for line in trace)
    trace = lookup(tv.host_h(default4=True), '203.0.113.50', source='172.16.1.32')['trace']
    assert any('Reason: InterfaceConstraint' in line for line in trace)


def test_weak_send_flag_knob():
    state = tv.host_h(default4=False)
    state['interfaces'][1]['ipv4']['weak_host_send'] = True  # NIC1 (the egress) has weak send, NIC2 (the source owner) has not
    source_model = Engine(state).lookup('203.0.113.50', source='172.16.1.32')
    egress_model = Engine(state, weak_send_flag='outgoing_interface').lookup('203.0.113.50', source='172.16.1.32')
    both_model = Engine(state, weak_send_flag='both').lookup('203.0.113.50', source='172.16.1.32')
    assert source_model['disposition'] == 'no_route'
    assert egress_model['interface'] == 3
    assert both_model['disposition'] == 'no_route'


# -------------------------------------------------------- destination order
def tv36_state():
    state = tv.host(tv.nic(3, 'Ethernet', m=25, v6=25, addrs=['192.0.2.20/24', '2001:db8:1::20/64', 'fe80::20/64']),
                    routes=[tv.rt('0.0.0.0/0', '192.0.2.1', 3, 0), tv.rt('::/0', 'fe80::1', 3, 256, protocol='router_advertisement')])
    return state


def test_tv36_dual_stack_destination_order():
    engine = Engine(tv36_state())
    assert [d['address'] for d in engine.order_destinations(['203.0.113.1', '2001:db8::1'])] == ['2001:db8::1', '203.0.113.1']
    assert [d['address'] for d in engine.order_destinations(['2001:db8::1', '203.0.113.1'])] == ['2001:db8::1', '203.0.113.1']


def test_tv36_prefer_ipv4_over_ipv6():
    engine = Engine(tv36_state())
    assert [d['address'] for d in engine.order_destinations(['2001:db8::1', '203.0.113.1'], prefer_ipv4=True)] == ['203.0.113.1', '2001:db8::1']


def test_unreachable_destination_goes_last():
    state = tv36_state()
    state['routes'] = [r for r in state['routes'] if r['destination'] != '::/0']
    ordered = Engine(state).order_destinations(['2001:db8::1', '203.0.113.1'])
    assert [(d['address'], d['reachable']) for d in ordered] == [('203.0.113.1', True), ('2001:db8::1', False)]


def test_reply_into_the_loopback_is_remedied_by_a_host_prefix():
    result = Engine(tv.host_d(vip='10.0.0.100/24', lo_metric=5)).dsr_check('10.0.0.100', 6, ['10.0.0.50'])
    check = [c for c in result['checks'] if c['id'] == 'reply_via_nic'][0]
    assert check['status'] == 'fail'
    assert check['remediation'].endswith("-IPAddress '10.0.0.100' -PrefixLength 32 -SkipAsSource $true")


def test_trace_names_the_interface_whose_weak_send_lifts_the_constraint():
    state = tv.host_h()
    state['interfaces'][1]['ipv4']['weak_host_send'] = True
    trace = Engine(state, weak_send_flag='outgoing_interface').lookup('203.0.113.50', source='172.16.1.32')['trace']
    assert 'Weak host send on interface 3 lifts the source interface constraint (model: outgoing_interface).' in trace


# ---------------------------------------------------------- partial states
def test_partial_state_is_not_judged_on_missing_settings():
    state = tv.host_h(ws4=True)
    state['partial'] = ['interfaces.settings']
    engine = Engine(state)
    with pytest.raises(ArgumentError) as err:
        engine.flow_check('203.0.113.50', '172.16.1.32', 4)
    assert str(err.value).startswith('state: flow_check needs data this state does not carry (partial: interfaces.settings)')
    with pytest.raises(ArgumentError):
        engine.dsr_check('172.16.1.32', 4, ['203.0.113.50'])
    assert [f['id'] for f in engine.lookup('203.0.113.50', source='172.16.1.32')['findings']] == ['partial_state']
    assert engine.lookup('203.0.113.50')['findings'] == []
    flows = [{'client': '203.0.113.50', 'destination': '172.16.1.32', 'arrival_interface': 4}]
    assert [f['id'] for f in engine.findings(flows) if f['id'] != 'persistent_active_drift'] == ['partial_state']


def test_partial_state_without_persistent_routes_reports_no_drift():
    state = tv.tv10()
    assert 'persistent_active_drift' in [f['id'] for f in Engine(state).findings()]
    state['partial'] = ['routes.persistent']
    assert 'persistent_active_drift' not in [f['id'] for f in Engine(state).findings()]


def test_unknown_dns_registration_is_advisory_not_pass():
    state = tv.host_d()
    state['partial'] = ['interfaces.register_dns']
    result = Engine(state).dsr_check('10.0.0.100', 6, ['192.168.2.1'])
    check = [c for c in result['checks'] if c['id'] == 'loopback_dns_registration'][0]
    assert check['status'] == 'advisory' and 'not in this state' in check['message']
