# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: audit_report
short_description: Evaluate the gathered routing state of every audited host and write the audit report
version_added: 0.1.0
description:
  - Runs on the controller, once for the whole play (use it with C(run_once) and
    C(delegate_to=localhost), as the role C(winnet.routing.audit) does). It reads, for every
    host in O(hosts), the result of M(winnet.routing.net_info) registered under O(gathered_var)
    and the host variables C(audit_flows) and C(audit_dsr), and evaluates all of them in this one
    call with the collection's route engine.
  - For each host it reports the host-wide findings (as the filter
    P(winnet.routing.route_findings#filter) does), every declared flow of C(audit_flows)
    (P(winnet.routing.flow_check#filter)), every DSR VIP of C(audit_dsr)
    (P(winnet.routing.dsr_check#filter); a failed requirement is an C(error) finding
    C(dsr_<check id>), an advisory one an C(info) finding), and, on a live host whose gather
    ran C(Find-NetRoute) probes, one C(find_netroute_disagrees) warning for every probe where
    Windows and the engine choose a different interface, route or source address.
  - A host whose gather failed or was unreachable is reported with an C(audit_gather_failed)
    error; a flow or VIP that cannot be evaluated (an unknown interface, an address that is not
    an address) with an C(audit_input_invalid) error that names the host variable.
  - "It writes under O(report_dir): C(fleet.json) (C({\"hosts\": {NAME: {\"findings\": [...], \"dsr\": [...],
    \"flows\": [...], ...}}, \"summary\": {...}})), C(report.html) (one self-contained page), C(junit.xml)
    (one test case per host and check) and C(hosts/NAME.json) (the host's state, findings, flows
    with their traces, DSR checks and probe comparisons). Host files of hosts no longer audited are removed."
  - It changes nothing on any host and reports C(changed=false); it never fails because of
    findings. Compare RV(threshold_reached) with your own limit, as the role does with
    C(audit_fail_on).
author:
  - winnet.routing maintainers (@winnet)
options:
  report_dir:
    description:
      - Directory on the controller that receives the report; created when missing. A relative
        path starts at the current directory of C(ansible-playbook).
    type: path
    required: true
  fail_on:
    description:
      - The severity from which RV(threshold_reached) is true; C(never) keeps it false.
      - Also the severity from which a JUnit test case fails (C(error) when this is C(never)).
    type: str
    choices: [error, warning, never]
    default: error
  hosts:
    description:
      - Inventory names of the hosts to report on, in this order.
      - Defaults to C(ansible_play_hosts_all), every host of the play, including hosts whose
        gather failed.
    type: list
    elements: str
  gathered_var:
    description:
      - Name of the variable under which each host registered its M(winnet.routing.net_info)
        result.
    type: str
    default: audit_net_info
  title:
    description:
      - Title of the HTML page and of the summary.
    type: str
    default: winnet.routing audit
  summary_hosts:
    description:
      - How many of the worst hosts RV(summary_lines) names.
    type: int
    default: 10
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
    details: Run it with C(run_once); it reports on every host of O(hosts) at once.
  check_mode:
    support: full
    details: The module only reads host data and writes the report on the controller, in check mode as well.
  diff_mode:
    support: none
  platform:
    platforms: posix
    details: Runs on the controller.
notes:
  - The per-host work of an audit is the one M(winnet.routing.net_info) task; everything else
    happens in this single task, which is why an audit of 1,000 snapshot hosts costs little more
    than one task per host (see the performance guide).
seealso:
  - name: Auditing an inventory
    description: What the audit reports and how to read the report.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_audit.rst
  - module: winnet.routing.net_info
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Gather (snapshot hosts are read from their file)
  winnet.routing.net_info:
  register: audit_net_info

- name: Evaluate every host and write the report
  winnet.routing.audit_report:
    report_dir: "{{ playbook_dir }}/audit-report"
    fail_on: warning
  run_once: true
  delegate_to: localhost
  register: audit

- name: Fail when findings reached a warning
  ansible.builtin.fail:
    msg: "{{ audit.msg }}"
  run_once: true
  when: audit.threshold_reached
"""

RETURN = r"""
report_dir:
  description: Absolute path of the report directory.
  returned: always
  type: str
  sample: /srv/audit/audit-report
files:
  description: Paths of the files written.
  returned: always
  type: dict
  contains:
    fleet:
      description: The fleet JSON.
      type: str
      returned: always
    html:
      description: The HTML report.
      type: str
      returned: always
    junit:
      description: The JUnit XML.
      type: str
      returned: always
    hosts:
      description: The directory of the per-host JSON files.
      type: str
      returned: always
summary:
  description: The summary of C(fleet.json).
  returned: always
  type: dict
  contains:
    hosts:
      description: Number of hosts reported.
      type: int
      returned: always
    hosts_not_gathered:
      description: Hosts whose state could not be gathered or read.
      type: int
      returned: always
    findings:
      description: Number of findings per severity (C(error), C(warning), C(info)).
      type: dict
      returned: always
      sample: {error: 9, warning: 6, info: 4}
    hosts_by_severity:
      description: Number of hosts per highest severity (C(error), C(warning), C(info), C(clean)).
      type: dict
      returned: always
    hosts_with_severity:
      description: Number of hosts with at least one finding of each severity.
      type: dict
      returned: always
    finding_ids:
      description: Per finding id, its highest severity, the number of hosts with it and the number of findings.
      type: dict
      returned: always
      sample: {multiple_default_routes: {severity: warning, hosts: 3, findings: 3}}
    flows:
      description: Number of declared flows evaluated.
      type: int
      returned: always
    flows_not_ok:
      description: Declared flows whose disposition is not C(ok).
      type: int
      returned: always
    dsr_checks:
      description: Number of DSR VIPs checked.
      type: int
      returned: always
    dsr_not_ready:
      description: DSR VIPs that are not ready.
      type: int
      returned: always
    probe_disagreements:
      description: Find-NetRoute probes whose answer differs from the engine's.
      type: int
      returned: always
    fail_on:
      description: The O(fail_on) in force.
      type: str
      returned: always
    threshold_reached:
      description: Same as RV(threshold_reached).
      type: bool
      returned: always
    title:
      description: The report title.
      type: str
      returned: always
    generated:
      description: When the report was generated (UTC, ISO 8601).
      type: str
      returned: always
threshold_reached:
  description: True when a finding reaches O(fail_on).
  returned: always
  type: bool
summary_lines:
  description: The short text summary (totals, then the worst hosts), as printed by the role.
  returned: always
  type: list
  elements: str
  sample:
    - "6 hosts audited: 5 with errors, 0 with warnings, 1 with info only, 0 clean."
    - "ERROR dsr-nows-01: dsr_loopback_weak_host_send, dsr_reply_via_nic, reply_unroutable_strong_host_send"
seconds:
  description: Time spent evaluating the hosts (C(evaluate)) and writing the files (C(write)).
  returned: always
  type: dict
  sample: {evaluate: 1.52, write: 0.81}
msg:
  description: RV(summary_lines) joined by new lines.
  returned: always
  type: str
"""
