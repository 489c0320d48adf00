# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Advice proven before it is shown: each finding's root cause and its fix.

A check that can propose a change attaches it to its finding as candidate operations (ops.py),
with the finding's ``cause``. ``advise`` then, for each cause (errors first), applies the
candidate to the state with the collection's own applier and evaluates the state again with the
same checks: the fix is shown only when every finding of that cause is gone and no new error
appears. The findings the fix clears on the way are its consequences: they take its cause. A
candidate that fails the proof is dropped, and the finding's remediation says what to decide.

``powershell(op)`` renders one operation as the command a person can paste: the cmdlet
net_apply.ps1 runs for it, with every value written out and the route store always named.

The internal keys of a finding (``_ops``: candidate operations, ``_key``: what the finding is
about, so that the same problem is recognised in the re-evaluated state) never leave this module.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils import applier
from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import state_hash
from ansible_collections.winnet.routing.plugins.module_utils.ops import validate_all

PRIVATE_KEYS = ('_ops', '_key')
RANK = {'error': 3, 'warning': 2, 'info': 1}
FAMILY_PARAMETER = {'ipv4': 'IPv4', 'ipv6': 'IPv6'}
STORE_PARAMETER = {'active': 'ActiveStore', 'persistent': 'PersistentStore'}
# set_interface fields -> Set-NetIPInterface parameters that take Enabled / Disabled.
SWITCHES = (('weak_host_send', 'WeakHostSend'), ('weak_host_receive', 'WeakHostReceive'), ('forwarding', 'Forwarding'),
            ('ignore_default_routes', 'IgnoreDefaultRoutes'), ('dhcp', 'Dhcp'), ('automatic_metric', 'AutomaticMetric'))


def _quote(value):
    """A PowerShell single-quoted string."""
    return "'%s'" % ('%s' % value).replace("'", "''")


def _bool(value):
    return '$true' if value else '$false'


def _route_selector(op):
    return '-AddressFamily %s -InterfaceIndex %d -DestinationPrefix %s -NextHop %s' % (
        FAMILY_PARAMETER[op['family']], op['interface'], _quote(op['destination']), _quote(op['next_hop']))


def powershell(op):
    """The command a person pastes for one operation, or None for a kind not rendered here.

    Route commands always say which store they change: ``-PolicyStore`` for the ActiveStore or
    the PersistentStore, and for a route written to both stores (New-NetRoute without
    ``-PolicyStore``) a comment saying so.
    """
    kind = op['op']
    if kind == 'add_route':
        line = 'New-NetRoute %s -RouteMetric %d' % (_route_selector(op), op['route_metric'])
        if op['store'] == 'active':
            return line + ' -PolicyStore ActiveStore'
        return line + '  # no -PolicyStore: written to the ActiveStore and the PersistentStore'
    if kind == 'remove_route':
        return 'Remove-NetRoute %s -PolicyStore %s -Confirm:$false' % (_route_selector(op), STORE_PARAMETER[op['store']])
    if kind == 'set_route_metric':
        return 'Set-NetRoute %s -PolicyStore %s -RouteMetric %d' % (_route_selector(op), STORE_PARAMETER[op['store']], op['route_metric'])
    if kind == 'set_interface':
        parts = ['Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s' % (op['interface'], FAMILY_PARAMETER[op['family']])]
        for field, parameter in SWITCHES:
            if field in op:
                parts.append('-%s %s' % (parameter, 'Enabled' if op[field] else 'Disabled'))
        if 'metric' in op:
            parts.append('-InterfaceMetric %d' % op['metric'])
        return ' '.join(parts)
    if kind == 'add_address':
        return 'New-NetIPAddress -InterfaceIndex %d -AddressFamily %s -IPAddress %s -PrefixLength %d -SkipAsSource %s' % (
            op['interface'], FAMILY_PARAMETER[op['family']], _quote(op['address']), op['prefix_length'], _bool(op['skip_as_source']))
    if kind == 'set_address':
        return 'Set-NetIPAddress -InterfaceIndex %d -AddressFamily %s -IPAddress %s -SkipAsSource %s' % (
            op['interface'], FAMILY_PARAMETER[op['family']], _quote(op['address']), _bool(op['skip_as_source']))
    if kind == 'remove_address':
        return 'Remove-NetIPAddress -InterfaceIndex %d -AddressFamily %s -IPAddress %s -Confirm:$false' % (
            op['interface'], FAMILY_PARAMETER[op['family']], _quote(op['address']))
    if kind == 'set_dns_registration':
        return 'Set-DnsClient -InterfaceIndex %d -RegisterThisConnectionsAddress %s' % (op['interface'], _bool(op['register_dns']))
    return None


def finding_key(item):
    """What a finding is about (its id and subject), stable across a change of the state."""
    key = item.get('_key')
    if key is not None:
        return key
    routes = tuple(sorted((r['destination'], r['next_hop'], r['interface']) for r in item.get('routes') or ()))
    return (item['id'], tuple(item.get('interfaces') or ()), routes)


def public(item, cause=None, fix=None):
    """The finding in its public shape, without the internal keys."""
    out = dict((k, v) for k, v in item.items() if k not in PRIVATE_KEYS)
    if cause is not None:
        out['cause'] = cause
    out['fix'] = fix
    return out


def prove(engine, operations, keys, errors_before, evaluate):
    """Apply ``operations`` to the engine's state and evaluate again.

    Returns:
        (after, None) when none of ``keys`` is found any more and no error appears that was not
        there before (``after``: the keys of the findings of the changed state), else (None, why).
    """
    try:
        operations = validate_all(operations, 'fix.plan.operations')
        after_state = applier.apply(engine.state, operations)
        after_engine = type(engine)(after_state, weak_send_flag=engine.weak_send_flag,
                                    forwarding_relaxes_receive=engine.forwarding_relaxes_receive)
        after = evaluate(after_engine)
    except WinnetError as exc:
        return None, 'the change cannot be applied to this state (%s)' % exc
    after_keys = {finding_key(item) for item in after}
    remaining = [k for k in keys if k in after_keys]
    if remaining:
        return None, 'the change would not clear this finding'
    new_errors = [item for item in after if item['severity'] == 'error' and finding_key(item) not in errors_before]
    if new_errors:
        return None, 'the change would raise %s' % ', '.join(sorted({item['id'] for item in new_errors}))
    return after_keys, None


def fix_of(engine, operations):
    """The public fix: the plan net_apply accepts on this host and the same operations as commands."""
    return {'plan': {'base': state_hash(engine.state), 'operations': [dict(op) for op in operations]},
            'powershell': [powershell(op) for op in operations]}


def advise(engine, findings, evaluate):
    """The findings in their public shape, each with its ``cause`` and a proven ``fix`` (or None).

    Args:
        engine: the Engine of the state the findings were made on.
        findings: the findings as the checks made them (with candidate operations in ``_ops``).
        evaluate: ``(engine) -> findings``: the same checks, run on another state.

    A cause's candidate is proven once; the findings it clears that belong to a cause not yet
    settled become its consequences (they take its cause and its fix).
    """
    keys = [finding_key(item) for item in findings]
    errors_before = {key for key, item in zip(keys, findings) if item['severity'] == 'error'}
    order = []
    for i, item in enumerate(findings):
        if item['cause'] not in order:
            order.append(item['cause'])
    worst = {}
    for item in findings:
        worst[item['cause']] = max(worst.get(item['cause'], 0), RANK.get(item['severity'], 0))
    order.sort(key=lambda cause: -worst[cause])
    settled = {}
    for cause in order:
        members = [i for i, item in enumerate(findings) if item['cause'] == cause and i not in settled]
        if not members:
            continue
        candidate = next((findings[i].get('_ops') for i in members if findings[i].get('_ops')), None)
        fix, why, gone = None, None, set()
        if candidate and all(powershell(op) is not None for op in candidate):
            after, why = prove(engine, candidate, {keys[i] for i in members}, errors_before, evaluate)
            if after is not None:
                gone = set(keys) - after
                fix = fix_of(engine, candidate)
        for i in members:
            settled[i] = (cause, fix, why)
        if fix is not None:
            for i, key in enumerate(keys):
                if i not in settled and key in gone:
                    settled[i] = (cause, fix, None)
    out = []
    for i, item in enumerate(findings):
        cause, fix, why = settled[i]
        result = public(item, cause, fix)
        if fix is None and why:
            result['remediation'] = '%s (No change is offered: %s; decide how to fix it.)' % (result.get('remediation') or '', why)
        out.append(result)
    return out


def causes(findings):
    """The findings grouped by cause, in order: ``[{cause, severity, fix, findings: [...]}, ...]``."""
    groups = {}
    for item in findings:
        group = groups.get(item['cause'])
        if group is None:
            group = groups[item['cause']] = {'cause': item['cause'], 'severity': item['severity'], 'fix': item.get('fix'), 'findings': []}
        group['findings'].append(item)
        if RANK.get(item['severity'], 0) > RANK.get(group['severity'], 0):
            group['severity'] = item['severity']
    return sorted(groups.values(), key=lambda g: -RANK.get(g['severity'], 0))
