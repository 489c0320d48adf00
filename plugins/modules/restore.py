# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: restore
short_description: Return a Windows host to a saved baseline of its network configuration
version_added: 0.1.0
description:
  - Every changing module of this collection saves the host's state on the controller before it changes
    anything (a baseline, C(<winnet_baseline_dir>/<inventory_hostname>/<UTC time>.json)). This module plans
    the operations that take the host from its state now back to such a baseline, and runs them like any
    changing module (through M(winnet.routing.net_apply) on a live host, in the same single round trip).
  - "What is restored: loopback adapters (removed when the baseline has none of that name, created again
    when it had one, matched by name), interface names, the IP interface settings of each family (metric or
    automatic metric, weak host send and receive, forwarding, ignore default routes, DHCP), DNS
    registration, configured addresses with SkipAsSource, the routes of both stores with their metrics, and
    firewall rules when the states list them."
  - "What is not, by design, and reported in the C(limits) of RV(restore): an adapter that is not a loopback adapter and
    is gone; an address family bound or unbound since; addresses and routes learned from DHCP or router
    advertisements, link-local and temporary addresses; a loopback adapter created again gets a new
    interface index; a re-added route is recorded by Windows as a static (C(netmgmt)) route; routes without
    an IP interface (C(unbound_routes))."
  - The baseline saved before the first change of a playbook run on a host is marked as that run's restore
    point (its JSON holds C(restore_point) true). Without O(baseline), the module returns the host to its
    newest restore point, undoing every change of the last run that changed it, however many tasks made them.
  - The operations come from the planner on the controller, so check mode and diff mode show exactly what
    the restore will do, and the connection guard refuses a restore that would cut the controller off.
    A restore saves a baseline too (the restore point of its own run), so it can be undone the same way.
author:
  - winnet.routing maintainers (@winnet)
options:
  baseline:
    description:
      - The state to return to. A path (relative paths start at the playbook's directory; C(~) is expanded)
        to a baseline file saved by a changing module, or to a HostState file such as a
        M(winnet.routing.net_info) result saved earlier; or that state given as a mapping.
      - A baseline file saved for another host (its C(host) is not C(inventory_hostname)) is refused.
      - Left out, the newest restore point of the host in C(winnet_baseline_dir), the state before the last
        playbook run that changed it. The task fails when there is none (baselines saved before restore
        points existed are not marked).
      - The playbook C(winnet.routing.restore) does the same by default.
    type: raw
extends_documentation_fragment:
  - winnet.routing.change
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
notes:
  - On a live host the state is always gathered again first (one round trip), even when C(winnet_state) is
    set, so the restore starts from the host as it is now.
seealso:
  - module: winnet.routing.net_apply
  - ref: ansible_collections.winnet.routing.docsite.guide_changing_production_safely
    description: Baselines, restore, the connection guard and automatic rollback.
"""

EXAMPLES = r"""
# winnet-example: on web25-01
# Before: a change at 10:15 added a route 10.99.0.0/16 via 10.10.0.254 on web25-01 and pinned its Data
# NIC's metric to 5; the baseline saved just before that change has neither. The first two tasks are
# that change.
- name: The change of 10:15, a route
  winnet.routing.route:
    destination: 10.99.0.0/16
    next_hop: 10.10.0.254
    interface: Management
    metric: 10

- name: The change of 10:15, a metric
  winnet.routing.ip_interface:
    interface: Data
    metric: 5

- name: Show what a restore to the 10:15 baseline would do
  winnet.routing.restore:
    baseline: ~/.ansible/winnet_baselines/web25-01/20261123T101500.123456Z.json
  check_mode: true
  diff: true
  register: preview

# preview.operations: set_interface 6 ipv4 automatic_metric: true, remove_route 10.99.0.0/16 (persistent),
# remove_route (active); preview.restore.exact: true; nothing changed yet.
- name: The restore undoes exactly that change
  ansible.builtin.assert:
    that:
      - preview.restore.exact
      - preview.operations | map(attribute='op') | sort == ['remove_route', 'remove_route', 'set_interface']

- name: Restore it, with an automatic rollback in case the controller loses the host
  winnet.routing.restore:
    baseline: ~/.ansible/winnet_baselines/web25-01/20261123T101500.123456Z.json
    rollback_after: 300
# After: the host's routes and settings are those of the baseline; a new baseline (the state before the
# restore) was saved, so the restore itself can be undone.

- name: Restore a state captured earlier with net_info
  winnet.routing.restore:
    baseline: "{{ lookup('ansible.builtin.file', 'states/web25-01.json') | from_json }}"

# winnet-example: on web25-01
- name: Undo the last playbook run that changed the host (its restore point)
  winnet.routing.restore:
  check_mode: true
  register: undo

- name: The baseline it returns to is a restore point, the first baseline of that run
  ansible.builtin.assert:
    that:
      - undo.restore.restore_point
      - undo.restore.source is match('.*/winnet_baselines/web25-01/')
"""

RETURN = r"""
changed:
  description: Whether the plan had any operation (in check mode, whether the real run would change something).
  returned: always
  type: bool
operations:
  description:
    - The operations of the plan, in the order they run (empty when nothing changes). Each is a flat
      dictionary with the kind in C(op); see M(winnet.routing.net_apply) for every kind and field.
  returned: always
  type: list
  elements: dict
  sample: [{op: add_route, family: ipv4, destination: 10.99.0.0/16, next_hop: 10.10.0.254, interface: 4, route_metric: 10, store: both}]
plan:
  description:
    - The plan as M(winnet.routing.net_apply) takes it back. C(base) is the sha256 of the state it was
      made for, C(operations) the operations. Run the task in check mode, save this, review it, and apply it
      later with M(winnet.routing.net_apply).
  returned: always
  type: dict
  sample: {base: 3f1c0e..., operations: []}
guard:
  description:
    - The connection guard's evaluation. C(evaluated) is false when no controller address is known;
      otherwise C(before) and C(after) hold the reply path to the controller (C(interface),
      C(next_hop), C(disposition), C(trace)), C(cut) says whether the plan would break it and
      C(reason) why.
  returned: always
  type: dict
  sample: {evaluated: true, cut: false, reason: null, host_address: 10.10.0.20, controller_address: 10.20.0.15}
baseline:
  description: Path of the baseline saved on the controller before the change.
  returned: when the task changed something outside check mode
  type: str
  sample: /home/ops/.ansible/winnet_baselines/web25-01/20261123T101500.123456Z.json
restore_point:
  description:
    - Whether the baseline this task saved is the restore point of the playbook run, the first baseline the run
      saved for the host (its JSON holds C(restore_point) true). M(winnet.routing.restore) and the playbook
      C(winnet.routing.restore) return to the newest restore point by default, undoing the whole run.
  returned: when the task changed something outside check mode
  type: bool
  sample: true
snapshot_out:
  description: Path of the predicted state written for a snapshot host.
  returned: on a snapshot host with C(winnet_snapshot_out), when the task changed something outside check mode
  type: str
state:
  description:
    - The host's state after the task in HostState schema v1, as M(winnet.routing.net_info) returns
      it (gathered again by the same round trip that applied the operations on a live host; predicted
      on a snapshot host and in check mode).
  returned: always
  type: dict
restore:
  description:
    - What the restore planned against. C(source) is the baseline file (or "the baseline option" for a state given
      inline), C(saved_at) when the baseline was saved, C(restore_point) whether it is the restore point of a run,
      C(interfaces) maps each interface index of the baseline to the index on the host (a loopback adapter created
      again has a new one).
    - C(complete) is false when the plan creates a loopback adapter again; the operations for that adapter (its
      settings, addresses and routes) and everything after them are left for a second run of the task, planned on
      the state gathered after Windows has given the adapter its index. The playbook C(winnet.routing.restore)
      runs that second pass.
    - C(exact) is true when the operations give back exactly the baseline's interfaces, addresses, routes and
      firewall rules (as the collection's applier predicts them); C(limits) lists, one sentence each, what the
      restore cannot bring back and why. Each limit is also a warning.
  returned: always
  type: dict
  sample: {source: /home/ops/.ansible/winnet_baselines/web25-01/20261123T101500.123456Z.json, saved_at: '2026-11-23T10:15:00.123456Z',
           restore_point: true, exact: true, complete: true, limits: [], interfaces: {'1': 1, '4': 4, '6': 6}}
rollback:
  description: The automatic rollback, with O(rollback_after) (see M(winnet.routing.net_apply)).
  returned: when O(rollback_after) is set and the plan changes something
  type: dict
round_trips:
  description: The round trips to the host this task cost (a snapshot host counts those a live host would cost).
  returned: always
  type: int
  sample: 1
applied:
  description: On a live host, the operations that ran (see M(winnet.routing.net_apply)).
  returned: when operations ran on a live host
  type: list
  elements: dict
reboot_required:
  description: Whether Windows asked for a reboot to finish (creating or removing a loopback adapter, or a NetBIOS change).
  returned: when operations ran on a live host
  type: bool
"""
