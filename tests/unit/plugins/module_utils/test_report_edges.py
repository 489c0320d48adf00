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

sys.path.insert(0, os.path.dirname(__file__))
from vectors import host, nic, rt  # noqa: E402  pylint: disable=wrong-import-position

GENERATED = '2026-01-02T03:04:05+00:00'


def state(mgmt_weak_send=False):
    """Management (3, 10.10.0.20/24) with the controller network 10.20.0.0/16, Data (4, 192.0.2.20/24) with the default route."""
    return host(nic(3, 'Management', m=25, ws=mgmt_weak_send, addrs=['10.10.0.20/24']), nic(4, 'Data', m=25, addrs=['192.0.2.20/24']),
                routes=[rt('10.20.0.0/16', '10.10.0.1', 3, 10), rt('0.0.0.0/0', '192.0.2.1', 4, 0)])


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
    """A host record whose findings are one ``asymmetric_reply`` per severity, in that order."""
    findings = [{'id': 'asymmetric_reply', 'severity': severity, 'message': 'm%d' % i, 'remediation': None, 'interfaces': [], 'routes': [],
                 'check': 'flow'} for i, severity in enumerate(severities)]
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
