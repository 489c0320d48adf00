# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit report's comparisons and summary on small hand-written hosts: Find-NetRoute
disagreements one field at a time, audit_fail_on, and the severity kept per finding id."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.winnet.routing.plugins.module_utils import report
from ansible_collections.winnet.routing.plugins.module_utils.report_html import render_diagram, render_host

sys.path.insert(0, os.path.dirname(__file__))
from vectors import host, nic, rt  # noqa: E402  pylint: disable=wrong-import-position

GENERATED = '2026-01-02T03:04:05+00:00'


def state(mgmt_weak_send=False):
    """Management (3, 10.10.0.20/24) with the controller network 10.20.0.0/16, Data (4, 192.0.2.20/24) with the default route;
    the static routes in both stores, as New-NetRoute leaves them."""
    routes = [rt('10.20.0.0/16', '10.10.0.1', 3, 10), rt('0.0.0.0/0', '192.0.2.1', 4, 0)]
    return host(nic(3, 'Management', m=25, ws=mgmt_weak_send, addrs=['10.10.0.20/24']), nic(4, 'Data', m=25, addrs=['192.0.2.20/24']),
                routes=routes + [dict(route, store='persistent') for route in routes])


def probe(destination, interface=3, alias='Management', source='10.10.0.20', route=('10.20.0.0/16', '10.10.0.1'), requested=None,
          answered=True, error=None):
    """What net_info reports for one Find-NetRoute probe."""
    return {'destination': destination, 'requested_source': requested, 'answered': answered, 'error': error,
            'source': source if answered else None, 'interface': interface if answered else None,
            'interface_alias': alias if answered else None,
            'route': {'destination': route[0], 'next_hop': route[1]} if answered else None}


def disagreements(probes):
    record = report.evaluate_host('live', state(), probes=probes)
    return record, [f for f in record['findings'] if f['id'] == 'find_netroute_disagrees']


def test_a_probe_windows_answers_as_the_engine_does_agrees():
    record, found = disagreements([probe('10.20.0.15'), probe('10.20.0.15', requested='10.10.0.20')])
    assert found == []
    assert [p['agree'] for p in record['probes']] == [True, True]
    assert record['probes'][0]['engine'] == {'interface': 3, 'interface_alias': 'Management', 'source': '10.10.0.20',
                                             'route': {'destination': '10.20.0.0/16', 'next_hop': '10.10.0.1'}}


@pytest.mark.parametrize('windows, differences, described', [
    (probe('10.20.0.15', interface=4, alias='Data'), ['interface'],
     'Windows: interface 4 (Data), route 10.20.0.0/16 via 10.10.0.1, source 10.10.0.20'),
    (probe('10.20.0.15', route=('0.0.0.0/0', '192.0.2.1')), ['route'],
     'Windows: interface 3 (Management), route 0.0.0.0/0 via 192.0.2.1, source 10.10.0.20'),
    (probe('10.20.0.15', route=('10.20.0.0/16', '10.10.0.2')), ['route'],
     'Windows: interface 3 (Management), route 10.20.0.0/16 via 10.10.0.2, source 10.10.0.20'),
    (probe('10.20.0.15', source='10.10.0.21'), ['source'],
     'Windows: interface 3 (Management), route 10.20.0.0/16 via 10.10.0.1, source 10.10.0.21'),
    (probe('10.20.0.15', interface=4, alias='Data', source='192.0.2.20', route=('0.0.0.0/0', '192.0.2.1')), ['interface', 'source', 'route'],
     'Windows: interface 4 (Data), route 0.0.0.0/0 via 192.0.2.1, source 192.0.2.20'),
    (probe('10.20.0.15', answered=False, error='No matching route'), ['not answered'], 'Windows: no answer (No matching route)'),
])
def test_each_difference_with_find_netroute_is_named(windows, differences, described):
    record, found = disagreements([windows])
    assert record['probes'][0]['differences'] == differences and record['probes'][0]['agree'] is False
    assert len(found) == 1
    assert found[0]['message'] == (
        "Windows' Find-NetRoute and the engine disagree on 10.20.0.15 (%s). %s. Engine: interface 3 (Management), route 10.20.0.0/16 "
        "via 10.10.0.1, source 10.10.0.20." % (', '.join(differences), described))
    assert found[0]['remediation'].startswith("Compare on the host: Find-NetRoute -RemoteIPAddress '10.20.0.15'; then report")
    assert (found[0]['severity'], found[0]['check']) == ('warning', 'find_netroute')
    assert found[0]['interfaces'] == sorted({i for i in (windows['interface'], 3) if i is not None})


def test_a_probe_the_engine_cannot_route_but_windows_can():
    lone = host(nic(3, 'Management', m=25, addrs=['10.10.0.20/24']), routes=[])
    record = report.evaluate_host('live', lone, probes=[probe('10.20.0.15', requested='10.10.0.20')])
    found = [f for f in record['findings'] if f['id'] == 'find_netroute_disagrees']
    assert record['probes'][0]['differences'] == ['answered']
    assert found[0]['message'].endswith('. Engine: no route.')
    assert "-LocalIPAddress '10.10.0.20'" in found[0]['remediation']


def test_a_local_destination_windows_does_not_answer_agrees():
    record, found = disagreements([probe('192.0.2.20', answered=False, error='local')])
    assert (found, record['probes'][0]['agree'], record['probes'][0]['engine_disposition']) == ([], True, 'local')


def test_a_probe_the_engine_refuses_is_a_disagreement_naming_the_reason():
    record, found = disagreements([probe('10.20.0.15', requested='192.0.2.99')])
    assert record['probes'][0]['engine_error'] == '192.0.2.99 is not a preferred or deprecated unicast address assigned on this host'
    assert found[0]['message'].endswith('Engine: 192.0.2.99 is not a preferred or deprecated unicast address assigned on this host.')


def test_malformed_probes_are_skipped():
    record, found = disagreements(['10.20.0.15', {'destination': ''}, {'answered': True}])
    assert (record['probes'], found) == ([], [])


# ------------------------------------------------------------------------------ summary


def _record(name, severities):
    """A host record whose findings are one ``asymmetric_reply`` per severity, in that order, each its own cause without a fix."""
    findings = [{'id': 'asymmetric_reply', 'severity': severity, 'message': 'm%d' % i, 'remediation': None, 'interfaces': [], 'routes': [],
                 'cause': 'm%d' % i, 'fix': None, 'check': 'flow'} for i, severity in enumerate(severities)]
    counts = {severity: sum(1 for s in severities if s == severity) for severity in report.SEVERITIES}
    return {'name': name, 'gathered': True, 'findings': findings, 'counts': counts, 'severity': report.worst(findings), 'flows': [],
            'dsr': [], 'probes': []}


@pytest.mark.parametrize('order', [('warning', 'error'), ('error', 'warning')])
def test_the_summary_keeps_the_highest_severity_of_an_id(order):
    records = [_record('a', [order[0]]), _record('b', [order[1]]), _record('c', ['info', order[0]])]
    summary = report.build_fleet(records, generated=GENERATED)['summary']
    assert summary['finding_ids'] == {'asymmetric_reply': {'severity': 'error', 'findings': 4, 'hosts': 3}}


def test_the_summary_orders_ids_by_severity_then_hosts_then_name():
    records = [_record('a', ['warning']), _record('b', ['warning'])]
    records[0]['findings'].append(dict(records[0]['findings'][0], id='route_tie'))
    records[1]['findings'].append(dict(records[1]['findings'][0], id='zeta', severity='error'))
    records[1]['counts']['error'] = 1
    records[0]['findings'].append(dict(records[0]['findings'][0], id='alpha', severity='info'))
    summary = report.build_fleet(records, generated=GENERATED)['summary']
    assert list(summary['finding_ids']) == ['zeta', 'asymmetric_reply', 'route_tie', 'alpha']


@pytest.mark.parametrize('fail_on, severities, reached', [
    ('warning', ['error'], True),
    ('warning', ['warning'], True),
    ('warning', ['info'], False),
    ('error', ['warning'], False),
    ('error', ['error'], True),
    ('never', ['error'], False),
])
def test_audit_fail_on(fail_on, severities, reached):
    fleet = report.build_fleet([_record('a', severities)], fail_on=fail_on, generated=GENERATED)
    assert fleet['summary']['threshold_reached'] is reached
    assert report.threshold_reached(fleet['summary']['findings'], fail_on) is reached


def test_a_host_that_failed_to_gather_reaches_warning_and_error():
    record = report.failed_host('web', 'unreachable: timed out')
    assert record['findings'][0]['message'] == 'The state of web could not be gathered: unreachable: timed out'
    for fail_on in ('warning', 'error'):
        assert report.build_fleet([record], fail_on=fail_on, generated=GENERATED)['summary']['threshold_reached'] is True
    summary = report.build_fleet([record], generated=GENERATED)['summary']
    assert (summary['hosts_not_gathered'], summary['hosts_by_severity']['error']) == (1, 1)


def test_unknown_fail_on_is_refused():
    with pytest.raises(report.ReportError) as err:
        report.threshold_reached({'error': 0, 'warning': 0, 'info': 0}, 'critical')
    assert str(err.value) == "audit_fail_on: 'critical' is not one of error, warning, never"


# ------------------------------------------------------------------------------ declarations


def test_flows_of_a_partial_state_are_not_evaluated_and_say_why():
    data = state()
    data['partial'] = ['interfaces.settings']
    record = report.evaluate_host('exported', data, flows=[{'client': '203.0.113.50', 'destination': '10.10.0.20',
                                                            'arrival_interface': 'Management'}])
    assert record['flows'] == [{'check': 'flow 203.0.113.50 -> 10.10.0.20 on Management', 'client': '203.0.113.50',
                                'destination': '10.10.0.20', 'arrival_interface': 'Management', 'disposition': 'not_evaluated'}]
    assert [(f['id'], f['severity'], f['check'], f['message']) for f in record['findings']] == [
        ('partial_state', 'info', 'flow 203.0.113.50 -> 10.10.0.20 on Management',
         'Flow 203.0.113.50 -> 10.10.0.20 was not evaluated: the weak host settings are not in this state.')]


@pytest.mark.parametrize('dsr, path, reason', [
    (['not a mapping'], 'audit_dsr[0]', 'must be a mapping with vip, nic and clients'),
    ({'vip': '192.0.2.80', 'nic': 'Data'}, 'audit_dsr.clients', 'required key is missing'),
    ([{'vip': '192.0.2.80', 'clients': ['203.0.113.50']}], 'audit_dsr[0].nic', 'required key is missing'),
])
def test_bad_dsr_declarations_name_the_variable(dsr, path, reason):
    record = report.evaluate_host('web', state(), dsr=dsr)
    found = [f for f in record['findings'] if f['id'] == 'audit_input_invalid']
    assert [(f['message'], f['remediation']) for f in found] == [('%s: %s' % (path, reason), 'Fix the host variable audit_dsr in the inventory.')]
    assert [d.get('error') for d in record['dsr']] == ([] if path == 'audit_dsr[0]' else ['required key %s is missing' % path.rpartition('.')[2]])


def test_a_dsr_declaration_the_engine_refuses_is_reported_with_its_argument():
    record = report.evaluate_host('web', state(), dsr={'vip': '192.0.2.80', 'nic': 'Data', 'clients': ['2001:db8::50']})
    found = [f['message'] for f in record['findings'] if f['id'] == 'audit_input_invalid']
    assert found == ['audit_dsr.clients[0]: 2001:db8::50 is ipv6 but the VIP 192.0.2.80 is ipv4']
    assert record['dsr'][0]['ready'] is False


# ------------------------------------------------------------------------------ files


def test_two_hosts_with_one_file_name_are_refused(tmp_path):
    records = [report.failed_host('web/01', 'x'), report.failed_host('web:01', 'y')]
    fleet = report.build_fleet(records, generated=GENERATED)
    with pytest.raises(report.ReportError) as err:
        report.write_report(str(tmp_path / 'out'), fleet, '<html></html>')
    assert str(err.value) == ("audit_report_dir %s: hosts 'web:01' and another host map to the same file name web_01.json"
                              % (tmp_path / 'out'))


def test_a_report_write_leaves_no_temporary_file(tmp_path):
    fleet = report.build_fleet([report.failed_host('web', 'x')], generated=GENERATED)
    report.write_report(str(tmp_path), fleet, '<html></html>')
    assert sorted(os.listdir(tmp_path)) == ['fleet.json', 'hosts', 'junit.xml', 'report.html']
    assert os.listdir(tmp_path / 'hosts') == ['web.json']


# ------------------------------------------------------------------------------ the page


def _flows(*flows):
    return [{'client': c, 'destination': d, 'arrival_interface': a} for c, d, a in flows]


def test_the_diagram_draws_each_kind_of_flow():
    data = host(nic(3, 'Management', m=25, fw=True, addrs=['10.10.0.20/24']), nic(4, 'Data', m=25, addrs=['192.0.2.20/24']),
                routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    record = report.evaluate_host('web', data, flows=_flows(
        ('192.0.2.50', '192.0.2.20', 'Data'),               # ok
        ('203.0.113.50', '192.0.2.20', 'Management'),       # dropped: strong host receive
        ('203.0.113.50', '198.51.100.7', 'Management'),     # forwarded
        ('203.0.113.50', '10.10.0.20', 'Management'),       # reply: no route under strong host send
    ))
    assert [f['disposition'] for f in record['flows']] == ['ok', 'drop_strong_host_receive', 'forward', 'reply_no_route']
    svg = render_diagram('web', record['diagram'])
    assert svg.count('(request)</title></path>') == 4
    assert svg.count('<path class="x"') == 2                      # the dropped request and the reply with no route
    assert '(reply: no route)' in svg and '>no route</text>' in svg
    assert 'flow 192.0.2.50 -&gt; 192.0.2.20 on Data: 192.0.2.50 -&gt; 192.0.2.20, receive accept, ok (reply by interface 4)' in svg
    assert 'forward (reply' not in svg
    page = render_host(record)
    # a row per flow and per interface (the Loopback Pseudo-Interface is not drawn)
    assert '<h3>Declared flows (audit_flows)</h3>' in page and page.count('<tr><td>') == 4 + 2


def test_a_host_section_shows_dsr_errors_probes_and_findings_without_remediation():
    record = report.evaluate_host('web', state(), dsr={'vip': '192.0.2.80', 'nic': 'Data', 'clients': ['2001:db8::50']},
                                  probes=[probe('10.20.0.15', interface=4, alias='Data')])
    page = render_host(record)
    assert '<h3>DSR VIP 192.0.2.80 on Data: ' in page and '<p>2001:db8::50 is ipv6 but the VIP 192.0.2.80 is ipv4</p>' in page
    assert "<h3>Engine vs Windows' Find-NetRoute</h3>" in page and 'differ: interface' in page
    bare = dict(record, findings=[{'id': 'forwarding_assumption', 'severity': 'info', 'message': 'm', 'remediation': None, 'cause': 'm',
                                   'fix': None, 'check': 'c'}])
    assert '<b>Remediation</b>' not in render_host(bare)
    clean = dict(record, findings=[], counts={'error': 0, 'warning': 0, 'info': 0}, severity='clean')
    assert '<p class="muted">No findings.</p>' in render_host(clean)
    failed = render_host(report.failed_host('gone', 'unreachable'))
    assert '<svg' not in failed and '<h3>Interfaces</h3>' not in failed


def test_a_route_on_the_loopback_that_takes_the_replies_is_the_cause_and_its_removal_the_proven_fix():
    """The VIP is a /32 on a loopback with weak host send; a route to the clients' network on the
    loopback wins over the default route of Data, so the replies go into the loopback."""
    routes = [rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('203.0.113.0/24', '0.0.0.0', 9, 0)]
    loop = nic(9, 'loopback', m=5, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.80/32'], skip=['192.0.2.80'], register_dns=False)
    dsr_host = host(nic(4, 'Data', m=25, wr=True, addrs=['192.0.2.20/24']), loop, routes=routes + [dict(r, store='persistent') for r in routes])
    record = report.evaluate_host('web', dsr_host, dsr={'vip': '192.0.2.80', 'nic': 'Data', 'clients': ['203.0.113.50']})
    cause = 'Routes on the loopback adapter loopback (9) win for the clients of VIP 192.0.2.80'
    removal = [{'op': 'remove_route', 'family': 'ipv4', 'destination': '203.0.113.0/24', 'next_hop': '0.0.0.0', 'interface': 9, 'store': store}
               for store in ('persistent', 'active')]
    by_id = {f['id']: f for f in record['findings']}
    assert by_id['dsr_loopback_routes']['message'] == ('DSR VIP 192.0.2.80 on Data: routes on loopback loopback win for clients 203.0.113.50 '
                                                       '(203.0.113.0/24 via 0.0.0.0).')
    for fid in ('dsr_loopback_routes', 'dsr_reply_via_nic', 'asymmetric_reply'):
        assert (by_id[fid]['cause'], by_id[fid]['fix']['plan']['operations']) == (cause, removal), fid
    assert by_id['dsr_loopback_routes']['fix']['powershell'] == [
        "Remove-NetRoute -AddressFamily IPv4 -InterfaceIndex 9 -DestinationPrefix '203.0.113.0/24' -NextHop '0.0.0.0' -PolicyStore %s -Confirm:$false"
        % store for store in ('PersistentStore', 'ActiveStore')]


def test_a_declared_flow_keeps_its_path_when_the_gateway_it_used_is_removed_and_bad_flows_are_skipped():
    """Management wins today (5 + 10 < 25 + 0) but Data is the data NIC: Management's gateway goes,
    and the controller 10.20.0.15, whose replies used it, gets a host route through it (both stores)."""
    routes = [rt('0.0.0.0/0', '192.0.2.1', 4, 0), rt('0.0.0.0/0', '10.10.0.1', 3, 10)]
    two = host(nic(3, 'Management', m=5, v6=5, addrs=['10.10.0.20/24', '2001:db8:10::20/64']), nic(4, 'Data', m=25, addrs=['192.0.2.20/24']),
               routes=routes + [dict(route, store='persistent') for route in routes])
    flows = [{'client': '10.20.0.15', 'destination': '10.10.0.20', 'arrival_interface': 'Management'},
             {'destination': '10.10.0.20', 'arrival_interface': 'Management'},
             {'client': 'controller', 'destination': '10.10.0.20', 'arrival_interface': 'Management'},
             {'client': '2001:db8:20::15', 'destination': '2001:db8:10::20', 'arrival_interface': 'Management'}]
    record = report.evaluate_host('web', two, flows=flows, nic_roles={'Data': 'data', 'Management': 'management'})
    assert [f['message'] for f in record['findings'] if f['id'] == 'audit_input_invalid'] == [
        'audit_flows[1].client: required key is missing', "audit_flows[2].client: 'controller' is not an IP address"]
    (disjoint,) = [f for f in record['findings'] if f['id'] == 'default_gateways_on_disjoint_interfaces']
    assert disjoint['cause'] == 'IPv4 default gateways outside the data NIC Data (4)'
    assert disjoint['fix']['plan']['operations'] == [
        {'op': 'add_route', 'family': 'ipv4', 'destination': '10.20.0.15/32', 'next_hop': '10.10.0.1', 'interface': 3, 'route_metric': 0,
         'store': 'both'}] + [
        {'op': 'remove_route', 'family': 'ipv4', 'destination': '0.0.0.0/0', 'next_hop': '10.10.0.1', 'interface': 3, 'store': store}
        for store in ('persistent', 'active')]


def test_a_dns_registration_the_state_does_not_hold_is_an_info_without_a_fix():
    """A state read without Get-DnsClient: whether the loopback registers the VIP in DNS is not known, so nothing is changed for it."""
    loop = nic(9, 'loopback', m=254, kind='loopback_adapter', ws=True, wr=True, addrs=['192.0.2.80/32'], skip=['192.0.2.80'])
    dsr_host = host(nic(4, 'Data', m=25, wr=True, ws=True, addrs=['192.0.2.20/24']), loop, routes=[rt('0.0.0.0/0', '192.0.2.1', 4, 0)])
    dsr_host['partial'] = ['interfaces.register_dns']
    record = report.evaluate_host('web', dsr_host, dsr={'vip': '192.0.2.80', 'nic': 'Data', 'clients': ['203.0.113.50']})
    (found,) = [f for f in record['findings'] if f['id'] == 'dsr_loopback_dns_registration']
    assert (found['severity'], found['fix']) == ('info', None)
    assert found['message'] == ('DSR VIP 192.0.2.80 on Data: DNS registration of loopback loopback is not in this state: check it with '
                                'Get-DnsClient.')
    assert record['dsr'][0]['ready'] is True
