# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: firewall_rule
short_description: Manage inbound allow rules scoped to a local address and port on a Windows host
version_added: 0.1.0
description:
  - Ensures inbound allow rules by name (C(New-NetFirewallRule) with the name as display name), each
    scoped to one local address (such as a DSR VIP), one protocol and one local port. A rule whose
    scope differs is replaced.
  - The rules are created in the firewall group C(winnet.routing), and only the rules of that group
    are gathered and managed; a rule of the same name created by other means is not seen (and
    creating it again fails on the host with the name already taken).
  - Rules live in the HostState as a top-level C(firewall_rules) list, so snapshot hosts and audits
    see them too. The role C(winnet.routing.dsr_real_server) uses this module for the VIPs' ports.
author:
  - winnet.routing maintainers (@winnet)
options:
  rules:
    description: The rules.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The rule's name (C(-Name) and C(-DisplayName)).
          - A name with a wildcard character (C(*), C(?), C([), C(])) is refused, as Windows would read it
            as a pattern matching other rules.
          - On the host a rule is found by its exact name among the rules of the group C(winnet.routing),
            never by a name pattern.
        type: str
        required: true
      local_address:
        description:
          - The local address the rule applies to (C(-LocalAddress)); required with O(state=present).
          - It must be an address of the host (or one an earlier task of the play assigns). A rule for
            an address the host does not have would never match, so it is refused, naming the host's addresses.
          - Compared with the rule on the host in canonical form, so an IPv6 address Windows writes
            another way (C(2001:DB8:0:0::10) for C(2001:db8::10)) does not make the rule change.
        type: str
      protocol:
        description: C(TCP) or C(UDP) (C(-Protocol)); required with O(state=present).
        type: str
        choices: [TCP, UDP, tcp, udp]
      local_port:
        description: The local port, 1 to 65535 (C(-LocalPort)); required with O(state=present).
        type: raw
  state:
    description: Whether the rules must exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - winnet.routing.change
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Let HTTPS in on the VIP only
  winnet.routing.firewall_rule:
    rules:
      - name: winnet-dsr-192.0.2.100-tcp-443
        local_address: 192.0.2.100
        protocol: TCP
        local_port: 443

- name: Remove it
  winnet.routing.firewall_rule:
    rules:
      - name: winnet-dsr-192.0.2.100-tcp-443
    state: absent
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
  description: Whether Windows asked for a reboot to finish (creating or removing a loopback adapter).
  returned: when operations ran on a live host
  type: bool
"""
