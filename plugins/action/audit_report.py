# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.audit_report.

Runs once, on the controller: reads every audited host's registered net_info result and what
is declared for it in hostvars (``audit_flows``, else ``winnet_flows``; ``audit_dsr``, else the
VIPs of the dsr_real_server role's variables; ``winnet_nic_roles``, else the roles of
``nic_layout_nics``), evaluates them all in this one call (module_utils/report.py), and writes
the report files. Nothing is sent to any host.
"""

from __future__ import annotations

import os
import time

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.winnet.routing.plugins.module_utils import report
from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.report_html import render_html
from ansible_collections.winnet.routing.plugins.modules.audit_report import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._argspec import argument_spec
from ansible_collections.winnet.routing.plugins.plugin_utils._state import SNAPSHOT_VAR, snapshot_of

ARGUMENT_SPEC = argument_spec(DOCUMENTATION)


def _plain(value):
    """Ansible's tagged containers and strings as plain Python values (what the engine and json expect)."""
    if isinstance(value, dict):
        return dict((_plain(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def declared_intent(variables):
    """(flows, dsr, nic_roles) declared for one host, each defaulting to what is declared once elsewhere:
    ``audit_flows`` to ``winnet_flows``; ``audit_dsr`` to ``dsr_real_server_vips`` on
    ``dsr_real_server_nic`` with ``dsr_real_server_clients``; ``winnet_nic_roles`` to the roles of
    ``nic_layout_nics``."""
    def get(name, default=None):
        return variables[name] if name in variables else default
    flows = get('audit_flows')
    if flows is None:
        flows = get('winnet_flows', [])
    dsr = get('audit_dsr')
    if dsr is None and get('dsr_real_server_vips') and get('dsr_real_server_nic') is not None and get('dsr_real_server_clients'):
        dsr = [{'vip': vip.get('address') if isinstance(vip, dict) else vip, 'nic': get('dsr_real_server_nic'),
                'clients': get('dsr_real_server_clients')} for vip in get('dsr_real_server_vips')]
    roles = get('winnet_nic_roles')
    if roles is None and isinstance(get('nic_layout_nics'), list):
        roles = dict((nic['interface'], nic['role']) for nic in get('nic_layout_nics')
                     if isinstance(nic, dict) and nic.get('role') and nic.get('interface') is not None) or None
    return flows, dsr, roles


class ActionModule(ActionBase):
    """Evaluate every audited host on the controller and write the report."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_async = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        hosts = args.get('hosts')
        if hosts is None:
            hosts = task_vars.get('ansible_play_hosts_all') or []
        if not args['report_dir']:
            raise AnsibleActionFail('report_dir: must name a directory')
        report_dir = os.path.abspath(os.path.expanduser(args['report_dir']))
        started = time.monotonic()
        hostvars = task_vars.get('hostvars') or {}
        records = [self._evaluate(name, hostvars, args['gathered_var'], task_vars.get('playbook_dir')) for name in hosts]
        evaluated = time.monotonic()
        try:
            fleet = report.build_fleet(records, fail_on=args['fail_on'], title=args['title'])
            html = render_html(fleet)
            paths = report.write_report(report_dir, fleet, html)
        except WinnetError as exc:
            raise AnsibleActionFail(to_native(exc))
        summary = fleet['summary']
        lines = report.summary_lines(fleet, args['summary_hosts'])
        lines.append('Report: %s (fleet.json, junit.xml, hosts/ beside it)' % paths['html'])
        result.update(changed=False, report_dir=report_dir, files=paths, summary=summary, summary_lines=lines,
                      threshold_reached=summary['threshold_reached'],
                      seconds={'evaluate': round(evaluated - started, 3), 'write': round(time.monotonic() - evaluated, 3)},
                      msg='\n'.join(lines))
        return result

    def _evaluate(self, name, hostvars, gathered_var, playbook_dir):
        """One host's record; a host without a usable state becomes an audit_gather_failed finding."""
        if name not in hostvars:
            return report.failed_host(name, 'the host is not in the inventory')
        variables = hostvars[name]
        try:
            snapshot = variables[SNAPSHOT_VAR] if SNAPSHOT_VAR in variables else None
            flows, dsr, roles = declared_intent(variables)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            return report.failed_host(name, 'cannot template winnet_snapshot, audit_flows, audit_dsr or the declared intent '
                                            '(winnet_flows, winnet_nic_roles): %s' % to_native(exc))
        flows, dsr, roles = _plain(flows), _plain(dsr), _plain(roles)
        inventory_dir = variables['inventory_dir'] if 'inventory_dir' in variables else None
        try:
            path = snapshot_of(snapshot, inventory_dir, playbook_dir)
        except AnsibleActionFail as exc:
            return report.failed_host(name, to_native(exc.message))
        if path is not None:
            # A snapshot host is read here, as net_info would read it, and never contacted.
            try:
                state = report.read_snapshot(path)
            except WinnetError as exc:
                return report.failed_host(name, to_native(exc), snapshot=path)
            return report.evaluate_host(name, state, flows=flows, dsr=dsr, snapshot=path, nic_roles=roles)
        gathered = variables[gathered_var] if gathered_var in variables else None
        if not isinstance(gathered, dict) or gathered.get('skipped'):
            return report.failed_host(name, 'no %s result (the gather task did not run on this host)' % gathered_var)
        if gathered.get('unreachable'):
            return report.failed_host(name, 'unreachable: %s' % gathered.get('msg', ''))
        if gathered.get('failed') or not isinstance(gathered.get('state'), dict):
            return report.failed_host(name, gathered.get('msg') or 'net_info returned no state')
        return report.evaluate_host(name, gathered['state'], flows=flows, dsr=dsr, probes=_plain(gathered.get('probes') or []),
                                    nic_roles=roles)
