# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Audit of a fleet of HostStates: evaluation, summary, and the fleet JSON, JUnit XML and text outputs.

``evaluate_host`` runs everything the audit asks about one host through one ``Engine``: the
host-wide findings, the declared flows (``audit_flows``), the DSR checks (``audit_dsr``) and,
on a live host, the comparison of the engine's answers with Windows' ``Find-NetRoute``
(``probes`` of net_info). ``build_fleet`` adds the summary; ``write_report`` writes every file.
The HTML page is rendered by ``report_html``.

Every finding in a host record carries, besides the public finding keys, ``check``: the name of
the check that produced it (``route_findings``, ``flow ...``, ``dsr ...``, ``find_netroute``,
``gather``), which is also the JUnit test case it belongs to.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
from xml.sax.saxutils import escape as xml_escape, quoteattr

from ansible_collections.winnet.routing.plugins.module_utils import advice
from ansible_collections.winnet.routing.plugins.module_utils.coverage import coverage_table
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError, WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.findings import dedupe_findings, finding
from ansible_collections.winnet.routing.plugins.module_utils.netutil import AddressSyntaxError, format_address, parse_address
from ansible_collections.winnet.routing.plugins.module_utils.snapshot_file import read_snapshot as read_snapshot_document

SEVERITIES = ('error', 'warning', 'info')
RANK = {'error': 3, 'warning': 2, 'info': 1, 'clean': 0}
FAIL_ON = ('error', 'warning', 'never')
CHECK_HOST = 'route_findings'
CHECK_GATHER = 'gather'
CHECK_PROBES = 'find_netroute'
JUNIT_SUITE = 'winnet.routing.audit'


class ReportError(WinnetError):
    """An audit input or output problem; the message names the host or path."""


# --------------------------------------------------------------------------- inputs
def as_list(value):
    """``audit_dsr`` may be one mapping or a list of them; None means none."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _canon(text):
    """An address in canonical text form, or the text unchanged when it is not an address."""
    if not isinstance(text, str):
        return text
    try:
        family, value, _zone = parse_address(text.strip())
    except AddressSyntaxError:
        return text
    return format_address(family, value)


def _tag(items, check):
    out = []
    for item in items:
        item = dict(item)
        item['check'] = check
        out.append(item)
    return out


def _input_finding(check, path, reason):
    return finding('audit_input_invalid', 'error', '%s: %s' % (path, reason),
                   'Fix the host variable %s in the inventory.' % path.split('[')[0].split('.')[0])


def flow_name(flow):
    """The check name of a declared flow."""
    return 'flow %s -> %s on %s' % (flow.get('client'), flow.get('destination'), flow.get('arrival_interface'))


def dsr_name(dsr):
    """The check name of a DSR declaration."""
    return 'dsr %s on %s' % (dsr.get('vip'), dsr.get('nic'))


def _compact_flow(engine, result, client, destination, arrival):
    """What the report keeps of a flow_check result (the trace stays in the host file)."""
    arrival_if = engine.state.resolve_interface(arrival, 'arrival_interface')
    reply = result.get('reply') or {}
    forward = result.get('forward') or {}
    return {
        'client': _canon(client),
        'destination': _canon(destination),
        'arrival_interface': arrival_if.index,
        'arrival_alias': arrival_if.alias,
        'receive': result['receive'],
        'disposition': result['disposition'],
        'asymmetric': result['asymmetric'],
        'reply_interface': reply.get('interface'),
        'reply_alias': reply.get('interface_alias'),
        'reply_next_hop': reply.get('next_hop'),
        'reply_source': reply.get('source'),
        'forward_interface': forward.get('interface'),
        'findings': [f['id'] for f in result['findings']],
        'trace': result['trace'],
    }


def _evaluate_flows(engine, flows, out_findings):
    results = []
    if not isinstance(flows, (list, tuple)):
        out_findings.append(dict(_input_finding(CHECK_HOST, 'audit_flows', 'must be a list of {client, destination, arrival_interface}'),
                                 check=CHECK_HOST))
        return results
    partial = engine.state.is_partial('interfaces.settings')
    for i, flow in enumerate(flows):
        path = 'audit_flows[%d]' % i
        if not isinstance(flow, dict):
            out_findings.append(dict(_input_finding(CHECK_HOST, path, 'must be a mapping with client, destination and arrival_interface'),
                                     check=CHECK_HOST))
            continue
        check = flow_name(flow)
        missing = [k for k in ('client', 'destination', 'arrival_interface') if flow.get(k) is None]
        if missing:
            out_findings.append(dict(_input_finding(check, '%s.%s' % (path, missing[0]), 'required key is missing'), check=check))
            results.append({'check': check, 'client': flow.get('client'), 'destination': flow.get('destination'),
                            'arrival_interface': flow.get('arrival_interface'), 'disposition': 'invalid'})
            continue
        if partial:
            out_findings.append(dict(finding('partial_state', 'info', 'Flow %s -> %s was not evaluated: the weak host settings are not in this state.'
                                             % (flow['client'], flow['destination']), 'Gather the host with winnet.routing.net_info.'),
                                     check=check))
            results.append({'check': check, 'client': flow['client'], 'destination': flow['destination'],
                            'arrival_interface': flow['arrival_interface'], 'disposition': 'not_evaluated'})
            continue
        try:
            result = engine.flow_check_raw(flow['client'], flow['destination'], flow['arrival_interface'])
            item = _compact_flow(engine, result, flow['client'], flow['destination'], flow['arrival_interface'])
        except WinnetError as exc:
            argument = getattr(exc, 'argument', None)
            out_findings.append(dict(_input_finding(check, '%s.%s' % (path, argument) if argument else path, getattr(exc, 'reason', str(exc))),
                                     check=check))
            results.append({'check': check, 'client': flow['client'], 'destination': flow['destination'],
                            'arrival_interface': flow['arrival_interface'], 'disposition': 'invalid'})
            continue
        item['check'] = check
        results.append(item)
        out_findings.extend(_tag(result['findings'], check))
    return results


def _evaluate_dsr(engine, declared, out_findings):
    results = []
    for i, dsr in enumerate(as_list(declared)):
        path = 'audit_dsr[%d]' % i if isinstance(declared, (list, tuple)) else 'audit_dsr'
        if not isinstance(dsr, dict):
            out_findings.append(dict(_input_finding(CHECK_HOST, path, 'must be a mapping with vip, nic and clients'), check=CHECK_HOST))
            continue
        check = dsr_name(dsr)
        missing = [k for k in ('vip', 'nic', 'clients') if dsr.get(k) is None]
        if missing:
            out_findings.append(dict(_input_finding(check, '%s.%s' % (path, missing[0]), 'required key is missing'), check=check))
            results.append({'check': check, 'vip': dsr.get('vip'), 'nic': dsr.get('nic'), 'clients': dsr.get('clients'), 'ready': False,
                            'checks': [], 'flows': [], 'error': 'required key %s is missing' % missing[0]})
            continue
        try:
            result = engine.dsr_check(dsr['vip'], dsr['nic'], dsr['clients'], raw=True)
            nic = engine.state.resolve_interface(dsr['nic'], 'nic')
            flows = [_compact_flow(engine, flow, client, dsr['vip'], nic.index) for client, flow in zip(dsr['clients'], result['flows'])]
        except WinnetError as exc:
            argument = getattr(exc, 'argument', None)
            reason = getattr(exc, 'reason', str(exc))
            out_findings.append(dict(_input_finding(check, '%s.%s' % (path, argument) if argument else path, reason), check=check))
            results.append({'check': check, 'vip': dsr['vip'], 'nic': dsr['nic'], 'clients': dsr['clients'], 'ready': False,
                            'checks': [], 'flows': [], 'error': reason})
            continue
        vip = _canon(dsr['vip'])
        no_loopback = None
        for item in result['checks']:
            if item['status'] == 'pass':
                continue
            severity = 'error' if item['status'] == 'fail' else 'info'
            if item['id'] == 'vip_on_loopback':
                no_loopback = item['_cause']
            out_findings.append(dict(finding('dsr_' + item['id'], severity, 'DSR VIP %s on %s: %s.' % (vip, nic.alias, item['message']),
                                             item['remediation'], interfaces=[nic.index], cause=item['_cause'], ops=item['_ops'],
                                             key=('dsr_' + item['id'], vip, nic.index)), check=check, vip=vip))
            item.pop('_cause')
            item.pop('_ops')
        for client, flow in zip(dsr['clients'], result['flows']):
            # Without a loopback holding the VIP, what the flows find follows from that one cause.
            found = [dict(f, client=_canon(client), **({'cause': no_loopback} if no_loopback else {})) for f in flow['findings']]
            out_findings.extend(_tag(found, check))
        for flow in flows:
            flow['check'] = check
        results.append({'check': check, 'vip': vip, 'nic': nic.index, 'nic_alias': nic.alias, 'clients': [_canon(c) for c in dsr['clients']],
                        'ready': result['ready'], 'checks': result['checks'], 'flows': flows})
    return results


def _same(a, b):
    return _canon(a) == _canon(b)


def _describe(answer):
    if answer is None:
        return 'no route'
    route = answer.get('route') or {}
    return 'interface %s (%s), route %s via %s, source %s' % (
        answer.get('interface'), answer.get('interface_alias'), route.get('destination'), route.get('next_hop'), answer.get('source'))


def compare_probes(engine, probes):
    """Compare Windows' Find-NetRoute answers with the engine's; return (comparisons, findings)."""
    comparisons = []
    findings = []
    for probe in probes or []:
        if not isinstance(probe, dict) or not probe.get('destination'):
            continue
        destination = probe['destination']
        source = probe.get('requested_source')
        label = '%s%s' % (destination, ' from %s' % source if source else '')
        windows_answered = bool(probe.get('answered'))
        try:
            mine = engine.lookup(destination, source=source)
            engine_error = None
        except WinnetError as exc:
            mine, engine_error = None, getattr(exc, 'reason', str(exc))
        engine_routed = mine is not None and mine['disposition'] == 'route'
        windows = {'interface': probe.get('interface'), 'interface_alias': probe.get('interface_alias'), 'source': probe.get('source'),
                   'route': probe.get('route')} if windows_answered else None
        engine_answer = None
        if engine_routed:
            engine_answer = {'interface': mine['interface'], 'interface_alias': mine['interface_alias'], 'source': mine['source'],
                             'route': {'destination': mine['route']['destination'], 'next_hop': mine['route']['next_hop']}}
        differences = []
        if windows_answered != engine_routed:
            if mine is not None and mine['disposition'] == 'local' and not windows_answered:
                differences = []
            else:
                differences.append('answered' if windows_answered else 'not answered')
        elif windows_answered:
            w_route = windows['route'] or {}
            e_route = engine_answer['route']
            if windows['interface'] != engine_answer['interface']:
                differences.append('interface')
            if not _same(windows['source'], engine_answer['source']):
                differences.append('source')
            if not _same(w_route.get('destination'), e_route['destination']) or not _same(w_route.get('next_hop'), e_route['next_hop']):
                differences.append('route')
        entry = {'destination': destination, 'source': source, 'windows': windows, 'windows_error': probe.get('error'),
                 'engine': engine_answer, 'engine_error': engine_error, 'agree': not differences, 'differences': differences}
        if mine is not None and mine['disposition'] == 'local':
            entry['engine_disposition'] = 'local'
        comparisons.append(entry)
        if differences:
            w_text = _describe(windows) if windows_answered else 'no answer (%s)' % (probe.get('error') or 'no route')
            e_text = _describe(engine_answer) if engine_routed else (engine_error or 'no route')
            interfaces = [i for i in ((windows or {}).get('interface'), (engine_answer or {}).get('interface')) if isinstance(i, int)]
            findings.append(dict(finding(
                'find_netroute_disagrees', 'warning',
                "Windows' Find-NetRoute and the engine disagree on %s (%s). Windows: %s. Engine: %s."
                % (label, ', '.join(differences), w_text, e_text),
                "Compare on the host: Find-NetRoute -RemoteIPAddress '%s'%s; then report the state (net_info) and both answers to the "
                "winnet.routing maintainers: the engine's predictions for this path cannot be trusted until they agree."
                % (destination, " -LocalIPAddress '%s'" % source if source else ''),
                interfaces=interfaces), check=CHECK_PROBES))
    return comparisons, findings


def _winning_defaults(engine):
    """({(interface, next hop): True for the default route new outbound traffic uses, False for the
    other eligible default routes}, per family; the set of gateways tied at the best effective metric)."""
    out = {}
    tied = set()
    for family in (4, 6):
        defaults = sorted((e for e in engine.eligible[family] if e.route.is_default), key=lambda e: (e.effective_metric, e.order))
        for i, entry in enumerate(defaults):
            key = (entry.route.interface, entry.route.next_hop)
            out[key] = out.get(key, False) or i == 0
            if len(defaults) > 1 and entry.effective_metric == defaults[0].effective_metric:
                tied.add(key)
    return out, tied


def _diagram(engine, flows, dsr):
    """What the HTML diagram draws: NICs with their addresses, gateways (the winning default gateway of
    each family marked, the other default gateways as losers), and the evaluated flows. Gateways and
    clients follow the order of the NICs they belong to, so that no two lines cross needlessly."""
    state = engine.state
    addresses = {}
    for addr in state.addresses:
        if addr.family == 6 and addr.address.lower().startswith('fe80:'):
            continue
        addresses.setdefault(addr.interface, []).append('%s/%d' % (addr.address, addr.prefix_length))
    nics = []
    for iface in state.interfaces:
        if iface.kind == 'loopback_pseudo':
            continue
        settings = iface.ipv4 or iface.ipv6
        nics.append({'index': iface.index, 'alias': iface.alias, 'kind': iface.kind, 'connected': iface.connected,
                     'metric': settings.metric if settings is not None else None, 'addresses': addresses.get(iface.index, [])})
    row = dict((nic['index'], i) for i, nic in enumerate(nics))
    winners, tied = _winning_defaults(engine)
    gateways = {}
    for route in state.routes:
        if route.store != 'active' or route.on_link:
            continue
        key = (route.interface, route.next_hop)
        gateways.setdefault(key, []).append(route.destination)
    gw_list = []
    for (index, hop), dests in sorted(gateways.items(), key=lambda kv: (row.get(kv[0][0], len(row)), kv[0][1])):
        default = (index, hop) in winners
        gw_list.append({'interface': index, 'next_hop': hop, 'destinations': sorted(set(dests))[:4], 'routes': len(set(dests)),
                        'default': default, 'winner': default and winners[(index, hop)],
                        'loser': default and not winners[(index, hop)], 'tie': (index, hop) in tied})
    keys = ('check', 'client', 'destination', 'arrival_interface', 'receive', 'disposition', 'asymmetric', 'reply_interface', 'reply_next_hop')
    drawn = [dict((k, f.get(k)) for k in keys) for f in flows if f.get('receive')]
    for item in dsr:
        drawn.extend(dict((k, f.get(k)) for k in keys) for f in item.get('flows', ()))
    for flow in drawn:
        # Where the reply starts: the loopback adapter holding the destination (a DSR VIP), else the NIC.
        flow['source_interface'] = flow['arrival_interface']
        try:
            _family, value, _zone = parse_address(flow['destination'])
        except (AddressSyntaxError, AttributeError):
            continue
        holders = engine.local.get((_family, value)) or []
        loopbacks = [a.interface for a in holders if state.interface(a.interface).kind == 'loopback_adapter']
        if loopbacks:
            flow['source_interface'] = loopbacks[0]
        reply_if = flow.get('reply_interface')
        flow['black_holed'] = reply_if is not None and state.interface(reply_if) is not None and \
            state.interface(reply_if).kind in ('loopback_adapter', 'loopback_pseudo')
    drawn.sort(key=lambda f: row.get(f['arrival_interface'], len(row)))
    return {'nics': nics, 'gateways': gw_list, 'flows': drawn}


def _cause_counts(findings):
    """How many causes per severity (a cause counts at the severity of its worst finding)."""
    counts = dict((s, 0) for s in SEVERITIES)
    for group in advice.causes(findings):
        if group['severity'] in counts:
            counts[group['severity']] += 1
    return counts


def worst(findings):
    """The highest severity among findings, or ``clean``."""
    best = 'clean'
    for item in findings:
        if RANK.get(item.get('severity'), 0) > RANK[best]:
            best = item['severity']
    return best


def _counts(findings):
    counts = dict((s, 0) for s in SEVERITIES)
    for item in findings:
        if item.get('severity') in counts:
            counts[item['severity']] += 1
    return counts


def read_snapshot(path):
    """The document of a snapshot file (HostState JSON or an export, ``snapshot_file.read_snapshot``); the
    HostState loader validates it when the host is evaluated. Raises ReportError naming the path and the cause."""
    try:
        return read_snapshot_document(path)
    except StateError as exc:
        raise ReportError(str(exc)) from None


def _roles(engine, nic_roles, findings):
    """The declared roles as ``{index: role}``; a bad declaration becomes an audit_input_invalid finding."""
    try:
        return engine.nic_roles(nic_roles)
    except WinnetError as exc:
        argument = getattr(exc, 'argument', 'nic_roles')
        findings.append(dict(_input_finding(CHECK_HOST, argument.replace('nic_roles', 'winnet_nic_roles', 1), getattr(exc, 'reason', str(exc))),
                             check=CHECK_HOST))
        return None


def _collect(engine, flows, dsr, roles):
    """Everything evaluated on one state: (findings with unproven fixes, flow results, DSR results)."""
    declared = [f for f in flows if isinstance(f, dict)] if isinstance(flows, (list, tuple)) else []
    findings = _tag(engine.findings_raw(nic_roles=roles, keep_flows=declared), CHECK_HOST)
    flow_results = _evaluate_flows(engine, flows if flows is not None else [], findings)
    dsr_results = _evaluate_dsr(engine, dsr, findings)
    return findings, flow_results, dsr_results


def evaluate_host(name, state, flows=None, dsr=None, probes=None, snapshot=None, nic_roles=None):
    """Audit one host from its HostState (dict or HostState); never raises for bad host input.

    Each finding carries its cause and a fix proven on this state against everything audited here
    (host-wide checks with the declared ``nic_roles``, flows and DSR VIPs).
    """
    record = {'name': name, 'snapshot': snapshot, 'gathered': True, 'error': None}
    try:
        engine = Engine(state)
    except WinnetError as exc:
        origin = 'winnet_snapshot %s' % snapshot if snapshot else 'net_info result'
        return failed_host(name, '%s: invalid HostState: %s' % (origin, exc), snapshot=snapshot)
    host = engine.state
    input_findings = []
    roles = _roles(engine, nic_roles, input_findings)
    raw, flow_results, dsr_results = _collect(engine, flows, dsr, roles)
    findings = advice.advise(engine, raw, lambda changed: _collect(changed, flows, dsr, roles)[0])
    findings.extend(advice.public(f) for f in input_findings)
    comparisons, probe_findings = compare_probes(engine, probes) if probes and not snapshot else ([], [])
    findings.extend(probe_findings)
    findings = dedupe_findings(findings)
    findings.sort(key=lambda f: -RANK.get(f['severity'], 0))
    checks = [CHECK_HOST] + [f['check'] for f in flow_results] + [d['check'] for d in dsr_results]
    if comparisons:
        checks.append(CHECK_PROBES)
    record.update(hostname=host.hostname, findings=findings, flows=flow_results, dsr=dsr_results, probes=comparisons,
                  checks=list(dict.fromkeys(checks)), severity=worst(findings), counts=_counts(findings),
                  causes=_cause_counts(findings), nic_roles=dict((str(k), v) for k, v in (roles or {}).items()),
                  diagram=_diagram(engine, flow_results, dsr_results), coverage=coverage_table(engine), state=host.to_dict())
    return record


def failed_host(name, message, snapshot=None):
    """The record of a host whose state could not be gathered or read."""
    item = dict(finding('audit_gather_failed', 'error', 'The state of %s could not be gathered: %s' % (name, message),
                        'Fix the connection or the snapshot file, then run the audit again (net_info must succeed on the host).'),
                check=CHECK_GATHER)
    return {'name': name, 'snapshot': snapshot, 'gathered': False, 'error': message, 'hostname': None, 'findings': [item],
            'flows': [], 'dsr': [], 'probes': [], 'checks': [CHECK_GATHER], 'severity': 'error', 'counts': _counts([item]),
            'causes': _cause_counts([item]), 'nic_roles': {},
            'diagram': {'nics': [], 'gateways': [], 'flows': []}, 'coverage': {}, 'state': None}


# ---------------------------------------------------------------------------- fleet
def threshold_reached(summary_counts, fail_on):
    """True when findings reach the ``audit_fail_on`` severity."""
    if fail_on not in FAIL_ON:
        raise ReportError('audit_fail_on: %r is not one of %s' % (fail_on, ', '.join(FAIL_ON)))
    if fail_on == 'never':
        return False
    if fail_on == 'warning':
        return bool(summary_counts['error'] or summary_counts['warning'])
    return bool(summary_counts['error'])


def build_fleet(records, fail_on='error', title='winnet.routing audit', generated=None):
    """The fleet document: every host record and the summary."""
    if fail_on not in FAIL_ON:
        raise ReportError('audit_fail_on: %r is not one of %s' % (fail_on, ', '.join(FAIL_ON)))
    findings_total = dict((s, 0) for s in SEVERITIES)
    causes_total = dict((s, 0) for s in SEVERITIES)
    fixes_total = 0
    hosts_by = dict((s, 0) for s in SEVERITIES + ('clean',))
    hosts_with = dict((s, 0) for s in SEVERITIES)
    by_id = {}
    for rec in records:
        for sev, count in rec['counts'].items():
            findings_total[sev] += count
        for group in advice.causes(rec['findings']):
            if group['severity'] in causes_total:
                causes_total[group['severity']] += 1
            fixes_total += 1 if group['fix'] else 0
        hosts_by[rec['severity']] += 1
        for sev in SEVERITIES:
            hosts_with[sev] += 1 if rec['counts'][sev] else 0
        for item in rec['findings']:
            entry = by_id.setdefault(item['id'], {'severity': item['severity'], 'findings': 0, 'hosts': 0})
            entry['findings'] += 1
            if RANK[item['severity']] > RANK[entry['severity']]:
                entry['severity'] = item['severity']
        for fid in {item['id'] for item in rec['findings']}:
            by_id[fid]['hosts'] += 1
    generated = generated or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    summary = {
        'title': title,
        'generated': generated,
        'hosts': len(records),
        'hosts_not_gathered': sum(1 for r in records if not r['gathered']),
        'findings': findings_total,
        'causes': causes_total,
        'causes_with_fix': fixes_total,
        'hosts_by_severity': hosts_by,
        'hosts_with_severity': hosts_with,
        'finding_ids': dict(sorted(by_id.items(), key=lambda kv: (-RANK[kv[1]['severity']], -kv[1]['hosts'], kv[0]))),
        'flows': sum(len(r['flows']) for r in records),
        'flows_not_ok': sum(1 for r in records for f in r['flows'] if f.get('disposition') != 'ok'),
        'dsr_checks': sum(len(r['dsr']) for r in records),
        'dsr_not_ready': sum(1 for r in records for d in r['dsr'] if not d.get('ready')),
        'probe_disagreements': sum(1 for r in records for p in r['probes'] if not p['agree']),
        'fail_on': fail_on,
        'threshold_reached': threshold_reached(findings_total, fail_on),
    }
    return {'hosts': dict((r['name'], r) for r in records), 'summary': summary}


def _strip_trace(items):
    out = []
    for item in items:
        item = dict(item)
        item.pop('trace', None)
        if 'flows' in item:
            item['flows'] = _strip_trace(item['flows'])
        out.append(item)
    return out


def fleet_document(fleet):
    """fleet.json: per host its findings, DSR checks and flows (without traces), and the summary."""
    hosts = {}
    for name, rec in fleet['hosts'].items():
        hosts[name] = {'hostname': rec['hostname'], 'severity': rec['severity'], 'counts': rec['counts'], 'causes': rec.get('causes'),
                       'nic_roles': rec.get('nic_roles'), 'gathered': rec['gathered'],
                       'snapshot': rec['snapshot'], 'findings': rec['findings'], 'dsr': _strip_trace(rec['dsr']),
                       'flows': _strip_trace(rec['flows']), 'probes': rec['probes']}
    return {'hosts': hosts, 'summary': fleet['summary']}


def host_document(rec):
    """hosts/NAME.json: the host's state and everything evaluated on it, traces and route coverage included."""
    return dict((k, rec[k]) for k in ('name', 'hostname', 'snapshot', 'gathered', 'error', 'severity', 'counts', 'findings', 'flows', 'dsr',
                                      'probes', 'coverage', 'state'))


# ----------------------------------------------------------------------------- text
def worst_first(rec):
    """Sort key of host records: highest severity, then most errors, then most warnings, then name."""
    return (-RANK[rec['severity']], -rec['counts']['error'], -rec['counts']['warning'], rec['name'])


def summary_lines(fleet, limit=10):
    """The short console summary."""
    s = fleet['summary']
    hb = s['hosts_by_severity']
    lines = ['%d host%s audited: %d with errors, %d with warnings, %d with info only, %d clean%s.'
             % (s['hosts'], '' if s['hosts'] == 1 else 's', hb['error'], hb['warning'], hb['info'], hb['clean'],
                (' (%d not gathered)' % s['hosts_not_gathered']) if s['hosts_not_gathered'] else ''),
             'Causes: %d error, %d warning, %d info (%d with a proven fix); findings: %d error, %d warning, %d info; flows not ok: %d of %d; '
             'DSR VIPs not ready: %d of %d%s.'
             % (s['causes']['error'], s['causes']['warning'], s['causes']['info'], s['causes_with_fix'],
                s['findings']['error'], s['findings']['warning'], s['findings']['info'], s['flows_not_ok'], s['flows'], s['dsr_not_ready'],
                s['dsr_checks'], ('; Find-NetRoute disagreements: %d' % s['probe_disagreements']) if s['probe_disagreements'] else '')]
    ranked = sorted((r for r in fleet['hosts'].values() if r['severity'] != 'clean'), key=worst_first)
    for rec in ranked[:limit]:
        ids = list(dict.fromkeys(f['id'] for f in rec['findings'] if f['severity'] == rec['severity']))
        lines.append('%s %s: %s' % (rec['severity'].upper(), rec['name'], ', '.join(ids)))
    if len(ranked) > limit:
        lines.append('... and %d more hosts with findings (see the report).' % (len(ranked) - limit))
    return lines


# ---------------------------------------------------------------------------- JUnit
def _junit_failure_level(fail_on):
    return 'warning' if fail_on == 'warning' else 'error'


def render_junit(fleet):
    """JUnit XML (the Ant/Jenkins dialect): one testsuite per host, one testcase per host and check.

    A test case fails when its findings reach ``error`` (or ``warning`` when ``audit_fail_on`` is
    ``warning``); lower findings are listed in its ``system-out``.
    """
    level = RANK[_junit_failure_level(fleet['summary']['fail_on'])]
    suites = []
    total_tests = total_failures = 0
    for name, rec in fleet['hosts'].items():
        by_check = {}
        for item in rec['findings']:
            by_check.setdefault(item['check'], []).append(item)
        cases = []
        failures = 0
        for check in rec['checks']:
            items = by_check.get(check, [])
            failing = [f for f in items if RANK[f['severity']] >= level]
            other = [f for f in items if RANK[f['severity']] < level]
            body = ''
            if failing:
                failures += 1
                text = '\n\n'.join('[%s] %s: %s\nRemediation: %s' % (f['severity'], f['id'], f['message'], f['remediation'] or '-')
                                   for f in failing)
                body += '<failure message=%s type=%s>%s</failure>' % (
                    quoteattr(_xml_text('%d finding(s): %s' % (len(failing), ', '.join(dict.fromkeys(f['id'] for f in failing))))),
                    quoteattr(worst(failing)), xml_escape(_xml_text(text)))
            if other:
                lines = '\n'.join('[%s] %s: %s' % (f['severity'], f['id'], f['message']) for f in other)
                body += '<system-out>%s</system-out>' % xml_escape(_xml_text(lines))
            cases.append('<testcase classname=%s name=%s time="0">%s</testcase>' % (quoteattr(_xml_text(name)), quoteattr(_xml_text(check)), body))
        total_tests += len(cases)
        total_failures += failures
        suites.append('<testsuite name=%s tests="%d" failures="%d" errors="0" skipped="0" time="0" timestamp=%s>\n%s\n</testsuite>'
                      % (quoteattr(_xml_text(name)), len(cases), failures, quoteattr(fleet['summary']['generated'][:19]), '\n'.join(cases)))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name=%s tests="%d" failures="%d" errors="0" time="0">\n%s\n</testsuites>\n'
            % (quoteattr(JUNIT_SUITE), total_tests, total_failures, '\n'.join(suites)))


_XML_BAD = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _xml_text(text):
    """Drop the characters XML 1.0 cannot carry."""
    return _XML_BAD.sub('?', '%s' % text)


# ---------------------------------------------------------------------------- files
def safe_file_name(name):
    """A host name as a file name: path separators and control characters replaced."""
    cleaned = re.sub(r'[\x00-\x1f/\\:*?"<>|]', '_', name).strip()
    if cleaned in ('', '.', '..'):
        cleaned = '_' + cleaned
    return cleaned


def _atomic_write(path, text):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', dir=directory)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_report(report_dir, fleet, html):
    """Write fleet.json, report.html, junit.xml and hosts/NAME.json under ``report_dir``; return their paths."""
    hosts_dir = os.path.join(report_dir, 'hosts')
    try:
        os.makedirs(hosts_dir, exist_ok=True)
        written = set()
        for name, rec in fleet['hosts'].items():
            file_name = safe_file_name(name) + '.json'
            if file_name in written:
                raise ReportError('audit_report_dir %s: hosts %r and another host map to the same file name %s' % (report_dir, name, file_name))
            written.add(file_name)
            _atomic_write(os.path.join(hosts_dir, file_name), json.dumps(host_document(rec), indent=1, sort_keys=False))
        for stale in os.listdir(hosts_dir):
            if stale.endswith('.json') and stale not in written:
                os.remove(os.path.join(hosts_dir, stale))
        paths = {'fleet': os.path.join(report_dir, 'fleet.json'), 'html': os.path.join(report_dir, 'report.html'),
                 'junit': os.path.join(report_dir, 'junit.xml'), 'hosts': hosts_dir}
        _atomic_write(paths['fleet'], json.dumps(fleet_document(fleet), indent=1))
        _atomic_write(paths['junit'], render_junit(fleet))
        _atomic_write(paths['html'], html)
    except OSError as exc:
        raise ReportError('audit_report_dir %s: cannot write the report: %s' % (report_dir, exc.strerror or exc)) from None
    return paths
