# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: route
short_description: Manage IPv4 and IPv6 routes on a Windows host, in the active and persistent stores
version_added: 0.1.0
description:
  - Makes one route, or the routes of one interface, as declared. A route's identity is its
    destination, next hop, interface and store; its metric is enforced. A change of next hop or
    destination is another route, so it is a removal and an addition.
  - O(state=absent) removes exactly the declared route (in the declared stores), never every route
    with that destination.
  - O(routes) with O(purge=true) makes the declared routes the only routes of O(interface); the
    routes Windows creates itself (protocol C(local), such as on-link subnets, host and broadcast routes,
    multicast) are never purged.
  - Windows writes a route to the PersistentStore only together with the ActiveStore, and changes
    a metric only in the ActiveStore. A persistent route that is missing or has another metric is
    therefore rewritten (removed and added for both stores, then its active copy removed or given
    its own metric); the plan in RV(operations) shows each step.
author:
  - winnet.routing maintainers (@winnet)
options:
  destination:
    description:
      - The destination prefix with its prefix length, such as C(10.99.0.0/16), C(0.0.0.0/0),
        C(2001:db8:99::/48), or C(10.99.0.7/32) for one address. Host bits must be zero.
      - A destination without prefix length (C(10.99.0.0)) is refused rather than read as a host route.
      - Mutually exclusive with O(routes); one of them is required.
    type: str
  next_hop:
    description:
      - The next hop, an address of the same family as O(destination). Leave it out (or give
        C(0.0.0.0) or C(::)) for an on-link route.
      - It must be on-link on O(interface), as Windows needs to reach it directly. That is, in one of
        the interface's subnets (those of its addresses and of its on-link routes), or, for IPv6, a
        link-local address (C(fe80::/10)). A route removed with O(state=absent) may name any next hop.
      - C(gateway) is an alias, as in the module C(ansible.windows.win_route).
    type: str
    aliases: [gateway]
  interface:
    description:
      - The interface, by index (C(12)) or alias (C(Management)). An alias matches as Windows matches
        it, exactly, else regardless of case when that names one interface only.
      - With O(routes), the interface of every entry that does not name its own, and the
        interface that O(purge) cleans.
    type: raw
  metric:
    description:
      - The route metric (0 to 9999; Windows' own default routes often have 0). Windows adds the
        interface metric to it when it compares routes.
      - Left out, an existing route keeps its metric and a new one takes the metric of its copy in
        the other store, else 256.
    type: int
  store:
    description:
      - The stores the route is declared in. C(both) when not given.
      - C(active) is the routing table in force (lost at reboot), C(persistent) the configuration
        copied into it at boot.
    type: str
    choices: [active, persistent, both]
  state:
    description: Whether the route must exist (C(present) when not given) or not.
    type: str
    choices: [present, absent]
  routes:
    description:
      - Several routes at once, each with the options above (O(routes[].interface) defaults to
        O(interface)).
    type: list
    elements: dict
    suboptions:
      destination:
        description: The destination prefix, with its prefix length.
        type: str
        required: true
      next_hop:
        description: The next hop, on-link on the entry's interface; left out for an on-link route.
        type: str
        aliases: [gateway]
      interface:
        description: The interface, by index or alias; O(interface) when left out.
        type: raw
      metric:
        description: The route metric (0 to 9999).
        type: int
      store:
        description: C(active), C(persistent) or C(both) (the default).
        type: str
        choices: [active, persistent, both]
      state:
        description: C(present) (the default) or C(absent).
        type: str
        choices: [present, absent]
  purge:
    description:
      - With O(routes) and O(interface), remove every other route of O(interface) (in both stores),
        except the routes Windows creates itself.
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
# Before: web25-01 reaches 10.99.0.0/16 through the data NIC's default gateway.
- name: Send the management networks through the management gateway
  winnet.routing.route:
    destination: 10.99.0.0/16
    next_hop: 10.10.0.254
    interface: Management
    metric: 10
# After: 10.99.0.0/16 via 10.10.0.254 on Management, route metric 10, in both stores
# (one New-NetRoute). Running the task again changes nothing.

# Before: the management NIC has its own default route (active and persistent).
- name: Remove the management NIC's default route, in both stores
  winnet.routing.route:
    destination: 0.0.0.0/0
    next_hop: 10.10.0.254
    interface: Management
    state: absent
# After: that one route is gone; the data NIC's default route is untouched.

# winnet-example: on hv-storage-01
# Before: the storage NIC of hv-storage-01 carries a default route left over from an old design.
- name: Make these the only routes of the storage NIC
  winnet.routing.route:
    interface: Storage
    purge: true
    routes:
      - destination: 10.50.0.0/16
        next_hop: 172.16.20.1
      - destination: 2001:db8:50::/48
        next_hop: fe80::1
        store: active
# After: the storage NIC has exactly these routes plus those Windows creates itself; its default
# route is gone from both stores.

# winnet-example: on web25-01
- name: Plan only (check mode), keep the plan for review
  winnet.routing.route:
    destination: 10.99.0.0/16
    next_hop: 10.10.0.254
    interface: Management
  check_mode: true
  register: planned
# planned.plan can be saved and applied later with winnet.routing.net_apply.
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
