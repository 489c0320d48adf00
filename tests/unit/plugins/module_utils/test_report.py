# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit report: evaluation of the example hosts, probes, summary, JUnit (schema), files and HTML escaping."""

from __future__ import annotations

import copy
import html.parser
import json
import os

import pytest
import xmlschema
import yaml

from ansible_collections.winnet.routing.plugins.module_utils import report
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.report_html import render_diagram, render_html

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
INVENTORY = os.path.join(ROOT, 'examples', 'inventory', 'hosts.yml')
XSD = os.path.join(os.path.dirname(__file__), 'fixtures', 'junit', 'junit.xsd')

# Host by host, the findings (id, severity, check) the audit of the example inventory reports.
EXPECTED = {
    'web25-01': [('default_gateways_on_disjoint_interfaces', 'error', 'route_findings'),
                 ('multiple_default_routes', 'warning', 'route_findings')],
    'app-metric-01': [('default_gateways_on_disjoint_interfaces', 'error', 'route_findings'),
                      ('multiple_default_routes', 'warning', 'route_findings')],
    'hv-storage-01': [('default_gateways_on_disjoint_interfaces', 'error', 'route_findings'),
                      ('multiple_default_routes', 'warning', 'route_findings'),
                      ('route_tie', 'warning', 'route_findings'),
                      ('persistent_active_drift', 'warning', 'route_findings')],
    'dsr-ok-01': [('dsr_nic_weak_host_send', 'info', 'dsr 192.0.2.100 on Ethernet'),
                  ('dsr_nic_weak_host_send', 'info', 'dsr 2001:db8:100::100 on Ethernet')],
    'dsr-nows-01': [('dsr_loopback_weak_host_send', 'error', 'dsr 192.0.2.100 on Ethernet'),
                    ('dsr_reply_via_nic', 'error', 'dsr 192.0.2.100 on Ethernet'),
                    ('reply_unroutable_strong_host_send', 'error', 'dsr 192.0.2.100 on Ethernet'),
                    ('dsr_nic_weak_host_send', 'info', 'dsr 192.0.2.100 on Ethernet')],
    'dsr-vip24-01': [('vip_prefix_route_on_loopback_wins', 'error', 'route_findings'),
                     ('dsr_reply_via_nic', 'error', 'dsr 192.0.2.102 on Ethernet'),
                     ('dsr_vip_prefix', 'error', 'dsr 192.0.2.102 on Ethernet'),
                     ('asymmetric_reply', 'warning', 'dsr 192.0.2.102 on Ethernet'),
                     ('dsr_nic_weak_host_send', 'info', 'dsr 192.0.2.102 on Ethernet')],
}


def example_hosts():
    with open(INVENTORY, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    hosts = {}

    def walk(group):
        for name, hostvars in (group.get('hosts') or {}).items():
            hosts[name] = hostvars
        for child in (group.get('children') or {}).values():
            walk(child or {})
    walk(data['all'])
    out = {}
    for name, hostvars in hosts.items():
        path = os.path.normpath(os.path.join(os.path.dirname(INVENTORY), hostvars['winnet_snapshot']))
        out[name] = (report.read_snapshot(path), hostvars, path)
    return out


@pytest.fixture(scope='module')
def examples():
    return example_hosts()


@pytest.fixture(scope='module')
def records(examples):
    return [report.evaluate_host(name, state, hv.get('audit_flows', hv.get('winnet_flows')), hv.get('audit_dsr'), snapshot=path,
                                 nic_roles=hv.get('winnet_nic_roles'))
            for name, (state, hv, path) in examples.items()]


@pytest.fixture(scope='module')
def fleet(records):
    return report.build_fleet(records, fail_on='error', generated='2026-01-02T03:04:05+00:00')


# ------------------------------------------------------------------------ evaluation
@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_example_host_findings(records, name):
    rec = next(r for r in records if r['name'] == name)
    assert [(f['id'], f['severity'], f['check']) for f in rec['findings']] == EXPECTED[name]
    assert rec['severity'] == EXPECTED[name][0][1]
    assert rec['gathered'] is True and rec['state']['schema'] == 'winnet.routing/v1'
    for item in rec['findings']:
        assert set(item) >= {'id', 'severity', 'message', 'remediation', 'interfaces', 'routes', 'check'}


def test_example_flows_and_dsr(records):
    by_name = dict((r['name'], r) for r in records)
    web = by_name['web25-01']
    assert [f['disposition'] for f in web['flows']] == ['ok', 'ok']
    assert web['flows'][0]['check'] == 'flow 10.20.0.15 -> 10.10.0.20 on Management'
    assert web['flows'][0]['arrival_alias'] == 'Management' and web['flows'][0]['trace']
    assert [d['ready'] for d in by_name['dsr-ok-01']['dsr']] == [True, True]
    nows = by_name['dsr-nows-01']['dsr'][0]
    assert nows['ready'] is False
    assert [f['disposition'] for f in nows['flows']] == ['reply_no_route']
    vip24 = by_name['dsr-vip24-01']['dsr'][0]
    assert [(f['client'], f['disposition'], f['asymmetric']) for f in vip24['flows']] == [
        ('203.0.113.50', 'ok', False), ('192.0.2.50', 'asymmetric', True)]
    assert by_name['dsr-vip24-01']['checks'] == ['route_findings', 'dsr 192.0.2.102 on Ethernet']


def test_diagram_data(records):
    rec = next(r for r in records if r['name'] == 'app-metric-01')
    diagram = rec['diagram']
    assert [n['alias'] for n in diagram['nics']] == ['NIC1', 'NIC2', 'NIC3']
    assert {(g['next_hop'], '0.0.0.0/0' in g['destinations']) for g in diagram['gateways']} >= {('192.168.1.1', True), ('10.0.0.1', True)}
    assert [f['client'] for f in diagram['flows']] == ['203.0.113.50']


def test_invalid_declarations_are_findings_naming_the_variable(examples):
    state = examples['web25-01'][0]
    rec = report.evaluate_host('h', state, flows=[{'client': '203.0.113.5', 'destination': '198.51.100.20', 'arrival_interface': 'Nope'},
                                                  {'client': '203.0.113.5'}, 'text'],
                               dsr={'vip': 'not-an-ip', 'nic': 'Data', 'clients': ['203.0.113.5']})
    bad = [f for f in rec['findings'] if f['id'] == 'audit_input_invalid']
    messages = [f['message'] for f in bad]
    assert any(m.startswith('audit_flows[0].arrival_interface:') and 'Nope' in m for m in messages)
    assert any(m.startswith('audit_flows[1].destination: required key is missing') for m in messages)
    assert any(m.startswith('audit_flows[2]: must be a mapping') for m in messages)
    assert any(m.startswith('audit_dsr.vip:') and 'not-an-ip' in m for m in messages)
    assert all(f['severity'] == 'error' for f in bad)
    assert [f['disposition'] for f in rec['flows']] == ['invalid', 'invalid']
    assert rec['dsr'][0]['ready'] is False and rec['dsr'][0]['error']


def test_flows_must_be_a_list(examples):
    rec = report.evaluate_host('h', examples['web25-01'][0], flows={'client': 'x'})
    assert any(f['message'].startswith('audit_flows: must be a list') for f in rec['findings'])


def test_invalid_state_is_a_gather_failure():
    rec = report.evaluate_host('h', {'schema': 'winnet.routing/v1', 'interfaces': 'x'}, snapshot='/s/h.json')
    assert rec['gathered'] is False and rec['severity'] == 'error'
    assert rec['findings'][0]['id'] == 'audit_gather_failed'
    assert 'winnet_snapshot /s/h.json: invalid HostState: interfaces' in rec['error']


def test_read_snapshot_errors(tmp_path):
    with pytest.raises(report.ReportError, match='cannot read the file'):
        report.read_snapshot(str(tmp_path / 'missing.json'))
    broken = tmp_path / 'broken.json'
    broken.write_text('{"schema": ', encoding='utf-8')
    with pytest.raises(report.ReportError, match='broken.json: not valid JSON'):
        report.read_snapshot(str(broken))


# --------------------------------------------------------------------------- probes
def _windows_answer(engine, destination, source=None):
    """What net_info returns for a probe Windows answered the way the engine does."""
    mine = engine.lookup(destination, source=source)
    route = mine['route']
    return {'destination': destination, 'requested_source': source, 'answered': True, 'error': None, 'source': mine['source'],
            'interface': mine['interface'], 'interface_alias': mine['interface_alias'],
            'route': {'destination': route['destination'], 'next_hop': route['next_hop'], 'interface': route['interface'],
                      'route_metric': route['route_metric']}}


def test_probes_that_agree_give_no_finding(examples):
    state = examples['web25-01'][0]
    engine = Engine(state)
    probes = [_windows_answer(engine, '203.0.113.50'), _windows_answer(engine, '10.20.0.15', source='10.10.0.20')]
    rec = report.evaluate_host('live', state, probes=probes)
    assert [p['agree'] for p in rec['probes']] == [True, True]
    assert not [f for f in rec['findings'] if f['id'] == 'find_netroute_disagrees']
    assert 'find_netroute' in rec['checks']


def test_every_disagreement_is_a_finding(examples):
    state = examples['web25-01'][0]
    engine = Engine(state)
    other = _windows_answer(engine, '203.0.113.50')
    other_if = next(i for i in state['interfaces'] if i['index'] not in (other['interface'], 1))
    other.update(interface=other_if['index'], interface_alias=other_if['alias'])
    unanswered = {'destination': '198.51.100.77', 'requested_source': None, 'answered': False, 'error': 'No route', 'source': None,
                  'interface': None, 'interface_alias': None, 'route': None}
    upper = _windows_answer(engine, '2001:db8:99::1') if engine.lookup('2001:db8:99::1')['disposition'] == 'route' else None
    probes = [other, unanswered] + ([dict(upper, source=upper['source'].upper())] if upper else [])
    rec = report.evaluate_host('live', state, probes=probes)
    found = [f for f in rec['findings'] if f['id'] == 'find_netroute_disagrees']
    assert len(found) == 2
    assert '203.0.113.50 (interface)' in found[0]['message'] and found[0]['check'] == 'find_netroute'
    assert '198.51.100.77 (not answered)' in found[1]['message']
    assert [p['agree'] for p in rec['probes']] == [False, False] + ([True] if upper else [])
    assert fleet_of([rec])['summary']['probe_disagreements'] == 2


def test_probes_are_ignored_on_snapshot_hosts(examples):
    state, _hv, path = examples['web25-01']
    probes = [{'destination': '203.0.113.50', 'requested_source': None, 'answered': False, 'error': 'snapshot host', 'source': None,
               'interface': None, 'interface_alias': None, 'route': None}]
    rec = report.evaluate_host('snap', state, probes=probes, snapshot=path)
    assert rec['probes'] == [] and 'find_netroute' not in rec['checks']


def fleet_of(records, fail_on='error'):
    return report.build_fleet(records, fail_on=fail_on, generated='2026-01-02T03:04:05+00:00')


# -------------------------------------------------------------------------- summary
def test_summary(fleet):
    s = fleet['summary']
    assert s['hosts'] == 6 and s['hosts_not_gathered'] == 0
    assert s['findings'] == {'error': 9, 'warning': 6, 'info': 4}
    assert s['hosts_by_severity'] == {'error': 5, 'warning': 0, 'info': 1, 'clean': 0}
    assert s['hosts_with_severity'] == {'error': 5, 'warning': 4, 'info': 3}
    assert s['finding_ids']['multiple_default_routes'] == {'severity': 'warning', 'findings': 3, 'hosts': 3}
    assert list(s['finding_ids'])[0] == 'default_gateways_on_disjoint_interfaces'
    assert (s['flows'], s['flows_not_ok'], s['dsr_checks'], s['dsr_not_ready']) == (5, 0, 4, 2)
    assert s['threshold_reached'] is True


@pytest.mark.parametrize('fail_on, names, reached', [
    ('error', ['dsr-ok-01'], False),
    ('warning', ['dsr-ok-01'], False),
    ('never', ['dsr-nows-01'], False),
    ('error', ['dsr-nows-01'], True),
    ('warning', ['web25-01'], True),
])
def test_fail_on(records, fail_on, names, reached):
    chosen = [r for r in records if r['name'] in names]
    assert fleet_of(chosen, fail_on)['summary']['threshold_reached'] is reached


def test_fail_on_is_checked(records):
    with pytest.raises(report.ReportError, match='audit_fail_on'):
        report.build_fleet(records, fail_on='sometimes')


def test_summary_lines(fleet):
    lines = report.summary_lines(fleet, limit=2)
    assert lines[0] == '6 hosts audited: 5 with errors, 0 with warnings, 1 with info only, 0 clean.'
    assert lines[2].startswith('ERROR dsr-vip24-01: vip_prefix_route_on_loopback_wins')
    assert lines[-1] == '... and 4 more hosts with findings (see the report).'


# ---------------------------------------------------------------------------- JUnit
def test_junit_is_valid_against_the_schema(fleet):
    schema = xmlschema.XMLSchema(XSD)
    text = report.render_junit(fleet)
    schema.validate(text)
    doc = schema.to_dict(text)
    suites = dict((s['@name'], s) for s in doc['testsuite'])
    assert set(suites) == set(EXPECTED)
    nows = suites['dsr-nows-01']
    assert [c['@name'] for c in nows['testcase']] == ['route_findings', 'dsr 192.0.2.100 on Ethernet']
    assert (nows['@tests'], nows['@failures']) == (2, 1)
    failed = nows['testcase'][1]['failure']
    assert failed['@type'] == 'error' and 'dsr_loopback_weak_host_send' in failed['@message']
    assert 'Set-NetIPInterface' in failed['$']
    assert doc['@tests'] == sum(len(s['testcase']) for s in doc['testsuite'])
    ok = suites['dsr-ok-01']
    assert ok['@failures'] == 0 and 'dsr_nic_weak_host_send' in ok['testcase'][1]['system-out']


def test_junit_failure_level_follows_fail_on(records):
    chosen = [r for r in records if r['name'] == 'hv-storage-01']
    schema = xmlschema.XMLSchema(XSD)
    as_error = schema.to_dict(report.render_junit(fleet_of(chosen, 'never')))
    as_warning = schema.to_dict(report.render_junit(fleet_of(chosen, 'warning')))
    assert as_error['@failures'] == 1 and as_warning['@failures'] == 1
    assert as_error['testsuite'][0]['testcase'][0]['failure']['@type'] == 'error'
    assert 'route_tie' not in as_error['testsuite'][0]['testcase'][0]['failure']['$']
    assert 'route_tie' in as_warning['testsuite'][0]['testcase'][0]['failure']['$']


def test_junit_rejects_nothing_odd(records):
    """Names and messages with markup and control characters still give valid XML."""
    rec = copy.deepcopy(next(r for r in records if r['name'] == 'dsr-nows-01'))
    rec['name'] = 'evil"<host>&\x01'
    rec['findings'][0]['message'] += ' <b>"quoted"</b> & \x07'
    xmlschema.XMLSchema(XSD).validate(report.render_junit(fleet_of([rec])))


# ---------------------------------------------------------------------------- files
def test_write_report(tmp_path, fleet):
    out = tmp_path / 'report'
    (out / 'hosts').mkdir(parents=True)
    (out / 'hosts' / 'gone.json').write_text('{}', encoding='utf-8')
    paths = report.write_report(str(out), fleet, render_html(fleet))
    assert sorted(os.listdir(out)) == ['fleet.json', 'hosts', 'junit.xml', 'report.html']
    assert sorted(os.listdir(out / 'hosts')) == sorted(n + '.json' for n in EXPECTED)
    doc = json.loads((out / 'fleet.json').read_text(encoding='utf-8'))
    assert set(doc) == {'hosts', 'summary'}
    host = doc['hosts']['dsr-nows-01']
    assert {'findings', 'dsr', 'flows'} <= set(host)
    assert 'trace' not in host['dsr'][0]['flows'][0]
    one = json.loads((out / 'hosts' / 'dsr-nows-01.json').read_text(encoding='utf-8'))
    assert one['state']['hostname'] == 'DSR-NOWS-01' and one['dsr'][0]['flows'][0]['trace']
    assert paths['html'] == str(out / 'report.html')


def test_write_report_errors_name_the_directory(tmp_path, fleet):
    blocker = tmp_path / 'file'
    blocker.write_text('x', encoding='utf-8')
    with pytest.raises(report.ReportError, match='audit_report_dir .*file: cannot write the report'):
        report.write_report(str(blocker), fleet, '')


def test_safe_file_name():
    assert report.safe_file_name('web/01:a') == 'web_01_a'
    assert report.safe_file_name('..') == '_..'


def test_failed_host_in_fleet():
    rec = report.failed_host('down', 'unreachable: timeout')
    fleet = fleet_of([rec])
    assert fleet['summary']['hosts_not_gathered'] == 1
    assert report.summary_lines(fleet)[0].endswith('(1 not gathered).')
    xmlschema.XMLSchema(XSD).validate(report.render_junit(fleet))
    assert 'unreachable: timeout' in render_html(fleet)


# ----------------------------------------------------------------------------- HTML
class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_self_contained(fleet):
    page = render_html(fleet)
    parser = _Collector()
    parser.feed(page)
    for tag, attrs in parser.tags:
        for key in ('src', 'href'):
            value = attrs.get(key)
            assert value is None or value.startswith(('#', 'data:')), (tag, key, value)
        assert not (tag == 'link' and attrs.get('rel') == 'stylesheet')
    hosts = [attrs['id'] for tag, attrs in parser.tags if tag == 'details' and 'host' in attrs.get('class', '').split()]
    assert hosts[:2] == ['host-dsr-vip24-01', 'host-dsr-nows-01'] and len(hosts) == 6
    assert sum(1 for tag, _attrs in parser.tags if tag == 'svg') == 6
    assert [attrs['value'] for tag, attrs in parser.tags if tag == 'input' and attrs.get('class') == 'sevfilter'] == \
        ['error', 'warning', 'info', 'clean']


def test_html_escapes_everything(examples):
    state = copy.deepcopy(examples['web25-01'][0])
    evil = 'Data"><script>alert(1)</script>'
    for iface in state['interfaces']:
        if iface['alias'] == 'Data':
            iface['alias'] = evil
    flows = [{'client': '203.0.113.50', 'destination': '198.51.100.20', 'arrival_interface': evil}]
    rec = report.evaluate_host('<img src=x onerror=alert(2)>', state, flows=flows)
    page = render_html(fleet_of([rec]))
    assert '<script>alert' not in page and '<img src=x' not in page
    assert 'Data&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in page
    assert page.count('<script>') == 1


def test_diagram_marks_bad_paths(records):
    by_name = dict((r['name'], r) for r in records)
    asym = render_diagram('dsr-vip24-01', by_name['dsr-vip24-01']['diagram'])
    assert asym.count('class="bad"') >= 1 and 'asymmetric' in asym
    dropped = render_diagram('dsr-nows-01', by_name['dsr-nows-01']['diagram'])
    assert 'reply: no route' in dropped and 'class="x"' in dropped
    fine = render_diagram('web25-01', by_name['web25-01']['diagram'])
    assert 'class="bad" d=' not in fine and fine.count('class="rep"') == 3


# ---------------------------------------------------------------------- route coverage
def test_coverage_tells_where_traffic_leaves(records):
    by_name = dict((r['name'], r) for r in records)
    storage = by_name['hv-storage-01']['coverage']
    # the storage NIC's default gateway ties with the data NIC's and is first: it carries nearly all of IPv4
    first = storage['ipv4']['interfaces'][0]
    assert (first['alias'], first['routes'][0]) == ('Storage', {'prefix': '0.0.0.0/0', 'part': True, 'tie': ['Data']})
    assert 0.99 < first['share'] < 1
    assert [(row['alias'], row['ranges']) for row in storage['ipv4']['interfaces'][1:]] == [
        ('Loopback Pseudo-Interface 1', ['127.0.0.0/8']), ('Management', ['10.10.0.0/24', '10.20.0.0/16']), ('Data', ['10.1.10.0/24'])]
    assert storage['ipv4']['unrouted'] == [] and storage['ipv4']['unrouted_addresses'] == 0
    assert storage['ipv6']['unrouted'][0] == '::/128' and storage['ipv6']['unrouted_share'] > 0.99
    web = by_name['web25-01']['coverage']['ipv4']
    static = [r for r in web['shadowed'] if r['protocol'] == 'netmgmt']
    assert [(r['destination'], r['next_hop'], r['reason']) for r in static] == [('0.0.0.0/0', '10.10.0.254', 'metric')]


def test_host_file_carries_the_coverage(tmp_path, fleet):
    report.write_report(str(tmp_path), fleet, render_html(fleet))
    one = json.loads((tmp_path / 'hosts' / 'hv-storage-01.json').read_text(encoding='utf-8'))
    assert set(one['coverage']) == {'ipv4', 'ipv6'}
    assert one['coverage']['ipv4']['interfaces'][0]['ranges'][:2] == ['0.0.0.0/5', '8.0.0.0/7']
    doc = json.loads((tmp_path / 'fleet.json').read_text(encoding='utf-8'))
    assert 'coverage' not in doc['hosts']['hv-storage-01']


def test_html_shows_the_coverage_table(fleet):
    page = render_html(fleet)
    assert page.count('<h3>Where traffic leaves</h3>') == 6
    section = page[page.index('id="host-hv-storage-01"'):]
    section = section[section.index('<table class="leaves">'):section.index('</table>')]
    assert '<td>7 Storage</td><td class="num">99.6%</td><td><code>0.0.0.0/0 (part; tie with Data), 172.16.20.0/24' in section
    assert '<td>3 Management</td><td class="num">65,792 addresses</td>' in section
    assert '<span class="count">42 CIDRs</span>' in section
    # the ranges are shown in a scrolling box, not behind a disclosure element; the page's disclosure elements are
    # the hosts' sections and, under a fix, its plan for net_apply
    assert '<details' not in section
    assert page.count('<details class="host') == 6
    assert page.count('<details') == 6 + page.count('<summary>as a plan for winnet.routing.net_apply</summary>')


def test_coverage_of_a_failed_host_is_empty():
    assert report.failed_host('down', 'unreachable')['coverage'] == {}
