# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: loopback_adapter
short_description: Create, rename or remove a KM-TEST loopback adapter on a Windows host, with no external tool
version_added: 0.1.0
description:
  - Ensures that a Microsoft KM-TEST loopback adapter named O(name) exists, or that it does not.
  - The adapter is installed in-process through SetupAPI (no C(devcon), no package manager, no
    download), then found by its hardware id C(*MSLOOP) and its PnP instance id, never by its
    description, which Windows translates. Windows shows the new adapter through CIM a moment after
    the device is installed; the module waits for it (bounded) before renaming it.
  - A new adapter has DHCP on and registers in DNS, like any new adapter. Give it its addresses with
    M(winnet.routing.ip_address), which turns DHCP off (and with it the APIPA address), and its
    settings with M(winnet.routing.ip_interface); the role C(winnet.routing.dsr_real_server)
    does all of it.
  - Removal (O(state=absent)) refuses any adapter that is not a KM-TEST loopback adapter, on the
    controller from the gathered state and again on the host from the device's hardware id.
author:
  - winnet.routing maintainers (@winnet)
options:
  name:
    description: The adapter's name (its interface alias).
    type: str
    required: true
  interface:
    description:
      - An existing loopback adapter (index or alias) to rename to O(name), for an adapter created
        earlier under another name. Only with O(state=present).
    type: raw
  state:
    description: Whether the adapter must exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - winnet.routing.change
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
notes:
  - Creating or removing an adapter needs administrator rights; when Windows asks for a reboot to
    finish, RV(reboot_required) is true.
"""

EXAMPLES = r"""
# winnet-example: on web25-01
# Before: web25-01 has no loopback adapter.
- name: A loopback adapter for the VIPs
  winnet.routing.loopback_adapter:
    name: loopback
# After: a KM-TEST loopback adapter named loopback (one more interface, DHCP on, no address yet).

- name: Remove it
  winnet.routing.loopback_adapter:
    name: loopback
    state: absent

# winnet-example: on dsr-ok-01
# Before: the loopback adapter of dsr-ok-01 is named loopback; the build standard says vip.
- name: Rename the loopback adapter
  winnet.routing.loopback_adapter:
    name: vip
    interface: loopback
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
