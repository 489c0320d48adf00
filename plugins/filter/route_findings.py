# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: route_findings
short_description: Find what is wrong with a Windows host's routing, each finding with its root cause and a proven fix
version_added: 0.1.0
author: winnet.routing maintainers
description:
  - Reports host-wide findings and those of the declared O(flows).
  - "Finding ids: C(multiple_default_routes), C(default_gateways_on_disjoint_interfaces), C(persistent_active_drift),
    C(route_tie), C(next_hop_not_on_link), C(vip_prefix_route_on_loopback_wins), C(manual_default_route_ignored),
    C(shadowed_route), C(interface_not_pinned), C(partial_state), and from
    flows C(reply_unroutable_strong_host_send), C(asymmetric_reply), C(reply_no_route), C(drop_strong_host_receive),
    C(drop_not_local), C(ambiguous_zone)."
  - "For states read from exports: C(interface_not_pinned) (warning) for each stand-in interface (one whose index the export
    does not show, marked with C(index_candidates)), and C(partial_state) (info) when route lists are missing from the
    export (C(routes.ipv4), C(routes.ipv6) or C(routes.persistent) in C(partial))"
  - The input may also be a list of states (the result is a list of finding lists, in order) or a mapping of host name to
    state (the result maps each name to its findings), so a whole fleet is evaluated in one call.
  - Findings that need data a partial state does not have (see its C(partial) list) are skipped.
  - C(shadowed_route) (warning) is a static route (protocol C(netmgmt)) of the ActiveStore that wins for no destination,
    whatever the source address; more specific routes take all of its destinations, or a route of the same prefix has a
    lower route metric + interface metric. A route that only loses for new connections but that replies from an address
    of its own interface still take (strong host send) is not reported, nor is a default route (a default route that never
    wins is a dead gateway detection candidate, reported by C(multiple_default_routes)). The finding's C(routes) are the route's copies in
    both stores, its remediation removes them; C(shadowed_by) lists the routes that take its destinations.
    P(winnet.routing.route_coverage#filter) shows the whole picture.
  - Every finding names its root C(cause); findings that one change clears together share it. Its C(fix), when the change
    needs no decision, is the plan M(winnet.routing.net_apply) accepts on that host and the same operations as PowerShell
    commands to paste. Before a fix is returned it is applied to the state with the collection's own applier and the host is
    evaluated again (with the same O(flows) and O(nic_roles)) - the finding must be gone and no new error may appear; a fix
    that fails this is not returned, and the remediation says what to decide.
  - Route commands always name the store they change (C(-PolicyStore ActiveStore) or C(PersistentStore)); a route removed
    from one store only would come back (or stay away) after the next reboot, so a removal covers every store that holds a copy.
  - "Static routes (C(protocol: netmgmt)) in one store only are C(persistent_active_drift) both ways: in the PersistentStore
    only (not in force now), and in the ActiveStore only (gone after the next reboot, as after C(route add) without C(-p))."
options:
  _input:
    description: A HostState (or M(winnet.routing.net_info) result), a list of them, or a mapping of names to them.
    type: raw
    required: true
  flows:
    description:
      - Flows to evaluate, each C({client, destination, arrival_interface}) as for P(winnet.routing.flow_check#filter).
      - A fix must keep each of them working; a default gateway removal adds a route that keeps a flow's reply on its NIC.
    type: list
    elements: dict
  nic_roles:
    description:
      - The role of each NIC, a mapping of interface (alias or index) to C(data), C(management), C(storage), C(heartbeat),
        C(cluster), C(backup) or C(other) (the host variable C(winnet_nic_roles)).
      - With roles, a default-gateway finding keeps the default gateway(s) of the C(data) NIC and its fix removes the others
        from both stores. Without them nothing is guessed - the finding has no fix and its remediation names the choice and
        the variable C(winnet_nic_roles).
    type: dict
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: Fail when the host has errors
  ansible.builtin.assert:
    that: findings | selectattr('severity', 'eq', 'error') | list | length == 0
    fail_msg: "{{ findings | map(attribute='remediation') | list }}"
  vars:
    findings: "{{ winnet_state | winnet.routing.route_findings(flows=flows, nic_roles={'Ethernet': 'data'}) }}"
    flows:
      - client: 203.0.113.50
        destination: 192.0.2.21
        arrival_interface: Ethernet

# winnet-example: on all
- name: Gather every host of the play
  winnet.routing.net_info:

- name: Evaluate every host of the play in one call
  ansible.builtin.set_fact:
    fleet_findings: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'winnet_state'))) | winnet.routing.route_findings }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The findings (or a list or mapping of finding lists, following the input's shape).
  type: raw
  contains:
    id:
      description: What was found.
      type: str
    severity:
      description: C(info), C(warning) or C(error).
      type: str
    message:
      description: What is wrong and why it matters.
      type: str
    remediation:
      description: What to do about it, in words; when there is no C(fix) below, the decision or the fact it needs.
      type: str
    cause:
      description: The root cause; findings that one change clears together share it.
      type: str
    fix:
      description: The proven fix, or null when the change needs a decision or a fact the state lacks.
      type: dict
      contains:
        plan:
          description: C({base, operations}), accepted as it is by M(winnet.routing.net_apply) on that host.
          type: dict
        powershell:
          description: The same operations as commands to paste, one per operation, with every value written out.
          type: list
          elements: str
    interfaces:
      description: Indexes of the interfaces involved.
      type: list
      elements: int
    routes:
      description: The routes involved.
      type: list
      elements: dict
    shadowed_by:
      description:
        - C(shadowed_route) only. The routes that take the shadowed route's destinations (at most 20; the message gives
          the total), each with its C(interface_metric) and C(effective_metric).
      type: list
      elements: dict
      returned: for shadowed_route
"""

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.findings import flows_argument
from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


def _one(state, flows, nic_roles, where):
    if where is None:
        return make_engine(state).findings(flows, nic_roles)
    try:
        return make_engine(state).findings(flows, nic_roles)
    except WinnetError as exc:
        raise ArgumentError(where, str(exc)) from None


@engine_filter('route_findings', DOCUMENTATION)
def route_findings(state, flows, nic_roles):
    flows = flows_argument(flows)
    if isinstance(state, list):
        return [_one(item, flows, nic_roles, '[%d]' % i) for i, item in enumerate(state)]
    if isinstance(state, dict) and 'schema' not in state and 'state' not in state:
        return {name: _one(item, flows, nic_roles, '[%s]' % name) for name, item in state.items()}
    return _one(state, flows, nic_roles, None)


class FilterModule:
    def filters(self):
        return {'route_findings': route_findings}
