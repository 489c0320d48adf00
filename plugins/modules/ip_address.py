# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ip_address
short_description: Manage the IPv4 and IPv6 addresses of a Windows interface, with SkipAsSource
version_added: 0.1.0
description:
  - Adds, changes and removes unicast addresses of one interface. An address is given with its
    prefix length (C(192.0.2.10/24)); an address whose prefix length differs is replaced (removed
    and added).
  - The first static address of a family on an interface that uses DHCP for that family turns DHCP
    off for it first (C(Set-NetIPInterface -Dhcp Disabled)).
  - Windows adds the on-link routes of an address by itself (subnet, host and broadcast routes) and
    removes them with it; the predicted state and the diff include them.
  - An address that another interface already has is refused (for a DSR VIP that would answer ARP
    for the VIP on the wrong NIC).
author:
  - winnet.routing maintainers (@winnet)
options:
  interface:
    description: The interface, by index (C(12)) or alias (C(loopback)).
    type: raw
    required: true
  address:
    description:
      - One address in CIDR form, such as C(198.51.100.80/32) or C(2001:db8:80::80/128).
      - Mutually exclusive with O(addresses).
    type: str
  skip_as_source:
    description:
      - With O(address), whether Windows must never choose the address as a source address
        (C(SkipAsSource)); false when not given.
    type: bool
  addresses:
    description: Several addresses of the interface.
    type: list
    elements: dict
    suboptions:
      address:
        description: The address in CIDR form.
        type: str
        required: true
      skip_as_source:
        description: Whether Windows must never choose the address as a source address.
        type: bool
        default: false
  state:
    description:
      - C(present) adds missing addresses and fixes their prefix length and SkipAsSource;
        C(absent) removes the listed addresses (whatever their prefix length).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove every other address of the interface, except link-local
        and temporary (privacy) addresses, which belong to the stack.
    type: bool
    default: false
extends_documentation_fragment:
  - winnet.routing.change
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
"""

EXAMPLES = r"""
# winnet-example: on web25-01
# Before: web25-01 gets a loopback adapter for a DSR VIP of its data network; a new adapter has DHCP
# on and no address.
- name: A loopback adapter for the VIP
  winnet.routing.loopback_adapter:
    name: loopback

- name: Put the VIP on the loopback adapter, never used as a source address
  winnet.routing.ip_address:
    interface: loopback
    address: 198.51.100.80/32
    skip_as_source: true
# After: DHCP off for IPv4 on the adapter, 198.51.100.80/32 with SkipAsSource, and its host route.

- name: Dual-stack VIPs
  winnet.routing.ip_address:
    interface: loopback
    addresses:
      - address: 198.51.100.80/32
        skip_as_source: true
      - address: 2001:db8:80::80/128
        skip_as_source: true

- name: Take the IPv6 VIP away again
  winnet.routing.ip_address:
    interface: loopback
    address: 2001:db8:80::80/128
    state: absent

# winnet-example: on hv-storage-01
- name: Exactly these addresses on the storage NIC
  winnet.routing.ip_address:
    interface: Storage
    addresses:
      - address: 172.16.20.31/24
    purge: true
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
