# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a live host sends back, made into the collection's data (the controller side of net_info and net_apply).

The PowerShell modules only read and execute: they return raw values and this module decides
what they mean.

* The **bundle** of raw reads (``netroute_json.BUNDLE_SCHEMA``), which net_info returns and
  net_apply returns after its operations, and which ``Export-WinnetBundle`` writes on a host
  without Ansible, is normalised by ``netroute_json.parse_netroute_json``: the same code that
  reads users' ``ConvertTo-Json`` exports (``state_from_bundle``).
* The **probes**: the objects ``Find-NetRoute`` returned for each probe (``probe_answers``).
* The **connection**: ``SSH_CONNECTION`` as the SSH server set it and the established TCP
  connections on the connection's ports (``connection_report``), which the connection guard learns
  the controller's address from.
* The **rollback** arming facts net_apply reports (``rollback_evidence``): the controller decides
  from them whether the automatic rollback is armed, and never takes it on trust.

Addresses come back as the host writes them; a link-local address carries its zone
(``fe80::1%12``), which names the interface: it is matched with and without it.
"""

from __future__ import annotations

import datetime

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import (
    BUNDLE_SCHEMA,
    is_bundle,
    parse_netroute_json,
)
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    AddressSyntaxError,
    format_address,
    format_prefix,
    parse_address,
    parse_prefix,
)

__all__ = ['BUNDLE_SCHEMA', 'is_bundle', 'state_from_bundle', 'state_document', 'probe_answers', 'connection_report',
           'rollback_evidence', 'strip_zone']

# ScheduledTask State of a task that will run when its trigger fires (MSFT_ScheduledTask: 3 Ready).
_TASK_READY = ('Ready', '3', 3)


def strip_zone(text):
    """An address as the host wrote it, without its IPv6 zone (``fe80::1%12`` -> ``fe80::1``);
    anything that is not an address is returned as it is."""
    if not isinstance(text, str):
        return text
    try:
        parse_address(text.strip())
    except AddressSyntaxError:
        return text
    return text.strip().split('%', 1)[0]


def state_from_bundle(bundle):
    """The HostState dictionary of a bundle of raw reads. Raises ParseError naming the element."""
    if not is_bundle(bundle):
        raise ParseError('expected a bundle of raw reads (schema %s), got %s'
                         % (BUNDLE_SCHEMA, bundle.get('schema') if isinstance(bundle, dict) else type(bundle).__name__))
    return parse_netroute_json(bundle)


def state_document(data):
    """A HostState dictionary from a document that is either a HostState or a bundle of raw reads
    (a file written by Export-WinnetBundle can be used as a snapshot)."""
    return state_from_bundle(data) if is_bundle(data) else data


def _route_of(row):
    try:
        family, network, plen = parse_prefix(row['DestinationPrefix'])
        hop_family, hop, _zone = parse_address(row['NextHop'])
    except (AddressSyntaxError, KeyError, TypeError):
        return None
    if hop_family != family:
        return None
    return {'destination': format_prefix(family, network, plen), 'next_hop': format_address(family, hop),
            'interface': _int(row.get('InterfaceIndex')), 'route_metric': _int(row.get('RouteMetric'))}


def _int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _rows(value):
    if value is None:
        return []
    return [row for row in (value if isinstance(value, list) else [value]) if isinstance(row, dict)]


def probe_answers(raw):
    """Windows' answers to the probes: for each probe, the first route and the first address
    ``Find-NetRoute`` returned (it lists the selected source address, then the selected route)."""
    answers = []
    for probe in raw or []:
        if not isinstance(probe, dict):
            continue
        answer = {'destination': probe.get('destination'), 'requested_source': probe.get('source'), 'answered': False,
                  'error': None, 'source': None, 'interface': None, 'interface_alias': None, 'route': None}
        for row in _rows(probe.get('objects')):
            if row.get('DestinationPrefix') is not None:
                if answer['route'] is None:
                    route = _route_of(row)
                    if route is not None:
                        answer.update(route=route, interface=route['interface'], interface_alias=row.get('InterfaceAlias'))
            elif row.get('IPAddress') is not None and answer['source'] is None:
                answer['source'] = strip_zone(row['IPAddress'])
        answer['answered'] = answer['route'] is not None
        if probe.get('error'):
            answer['error'] = 'Find-NetRoute -RemoteIPAddress %s: %s' % (answer['destination'], probe['error'])
        elif not answer['answered']:
            answer['error'] = 'Find-NetRoute returned no route for %s' % answer['destination']
        answers.append(answer)
    return answers


def connection_report(raw):
    """``{ssh, tcp, error}`` (see net_info's RETURN) from the raw connection facts."""
    raw = raw if isinstance(raw, dict) else {}
    report = {'ssh': None, 'tcp': [], 'error': None}
    parts = str(raw.get('ssh_connection') or '').split()
    if len(parts) == 4 and parts[1].isdigit() and parts[3].isdigit():
        report['ssh'] = {'client_address': strip_zone(parts[0]), 'client_port': int(parts[1]),
                         'server_address': strip_zone(parts[2]), 'server_port': int(parts[3])}
    for row in _rows(raw.get('tcp')):
        report['tcp'].append({'local_address': strip_zone(row.get('LocalAddress')), 'local_port': _int(row.get('LocalPort')),
                              'remote_address': strip_zone(row.get('RemoteAddress')), 'remote_port': _int(row.get('RemotePort'))})
    errors = [error for error in _rows(raw.get('errors')) if str(error.get('category') or '') != 'ObjectNotFound']
    if errors:
        report['error'] = 'Get-NetTCPConnection: %s' % '; '.join(str(error.get('message') or 'no message') for error in errors)
    return report


def utc_text(value):
    """A host's round-trip timestamp (``2026-01-02T03:04:05.1234567Z``) as ``2026-01-02T03:04:05Z``;
    None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def rollback_evidence(raw, rollback):
    """Whether net_apply's report shows the automatic rollback armed for ``rollback`` (the name,
    operations and partial undos the controller sent).

    Armed means: the scheduled task of that name was registered and is ready, and the task's own
    command line, run on the host before anything changed, loaded the handlers and read the same
    rollback data. Returns ``{'armed': bool, 'at': str|None, 'reasons': [str]}``.
    """
    reasons = []
    if not isinstance(raw, dict):
        return {'armed': False, 'at': None, 'reasons': ['net_apply reported no rollback']}
    if raw.get('name') != rollback['name']:
        reasons.append('the host armed %r, not %r' % (raw.get('name'), rollback['name']))
    if raw.get('task_state') not in _TASK_READY:
        reasons.append('the scheduled task is %s, not Ready' % (raw.get('task_state') or 'not registered'))
    test = raw.get('self_test') if isinstance(raw.get('self_test'), dict) else {}
    report = test.get('report') if isinstance(test.get('report'), dict) else None
    if test.get('exit_code') != 0:
        reasons.append("the task's command line exited with %r on the host" % (test.get('exit_code'),))
    if report is None:
        reasons.append("the task's command line read no rollback data on the host (language mode %s)" % raw.get('language_mode'))
    else:
        if report.get('name') != rollback['name']:
            reasons.append('the rollback data on the host is for %r' % report.get('name'))
        if report.get('operations') != len(rollback['operations']):
            reasons.append('the rollback data on the host holds %r operation(s), not %d' % (report.get('operations'), len(rollback['operations'])))
        if report.get('partial') != len(rollback.get('partial') or []):
            reasons.append('the rollback data on the host holds %r partial undo(s), not %d'
                           % (report.get('partial'), len(rollback.get('partial') or [])))
        if report.get('language_mode') not in (None, 'FullLanguage'):
            reasons.append('the task would run in %s mode' % report['language_mode'])
    at = utc_text(raw.get('at'))
    if at is None:
        reasons.append('the task has no readable start time (%r)' % (raw.get('at'),))
    return {'armed': not reasons, 'at': at, 'reasons': reasons}
