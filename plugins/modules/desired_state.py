# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: desired_state
short_description: Make a Windows host's network match one desired state, in one plan and one round trip
version_added: 0.2.0
description:
  - Takes the desired state of the parts it is given - loopback adapters, interface settings,
    addresses, routes and firewall rules, in the words of the single-purpose modules
    (M(winnet.routing.loopback_adapter), M(winnet.routing.ip_interface),
    M(winnet.routing.ip_address), M(winnet.routing.route), M(winnet.routing.firewall_rule)) - and
    plans all of it at once with the same planner, against the state each earlier part leaves.
    What is not given is left alone.
  - The whole plan is judged once by the connection guard, on the state it ends in and on every
    state in between (the operations run one after the other, and a connection cut half way is
    cut), and then applied with one M(winnet.routing.net_apply) call - one gather and one apply per
    run (one round trip in check mode or when nothing changes), one baseline, one automatic
    rollback for the whole plan, one diff.
  - An entry may name a loopback adapter that O(loopback_adapters) creates in the same plan. Its
    index is known only once Windows has created it, so the operations on it carry its name and the
    host resolves the name just before each of them; the automatic rollback removes the adapter it
    created. A plan that creates a loopback adapter therefore applies in one round trip and can be
    rolled back.
  - The roles C(winnet.routing.dsr_real_server) and C(winnet.routing.nic_layout) build their desired
    state from their variables and call this module once.
author:
  - winnet.routing maintainers (@winnet)
options:
  loopback_adapters:
    description:
      - KM-TEST loopback adapters by name, as M(winnet.routing.loopback_adapter) takes them.
      - Planned first, so that every other part may name an adapter created or renamed here.
    type: list
    elements: dict
    suboptions:
      name:
        description: The adapter's name (alias).
        type: str
        required: true
      state:
        description: V(present) creates it when no adapter has the name; V(absent) removes it.
        type: str
        choices: [present, absent]
        default: present
      interface:
        description: An existing loopback adapter (index or alias) to rename to O(loopback_adapters[].name).
        type: raw
  interfaces:
    description:
      - Per interface and address family, the settings of M(winnet.routing.ip_interface); per adapter
        (with any family the adapter has), DNS registration, bindings and NetBIOS. An option left out
        is left alone.
      - One entry per interface and family.
    type: list
    elements: dict
    suboptions:
      interface:
        description: The interface, by index or alias (a loopback adapter of O(loopback_adapters) included).
        type: raw
        required: true
      family:
        description: The address family the per-family settings apply to.
        type: str
        choices: [ipv4, ipv6]
        default: ipv4
      metric:
        description: Interface metric 0 to 9999 (turns the automatic metric off), or V(automatic).
        type: raw
      weak_host_send:
        description: Weak host send.
        type: bool
      weak_host_receive:
        description: Weak host receive.
        type: bool
      forwarding:
        description: IP forwarding on the interface.
        type: bool
      ignore_default_routes:
        description: Ignore default routes on the interface.
        type: bool
      dhcp:
        description:
          - DHCP for the family. V(false) releases the lease (its addresses and the routes it installed
            go); a static address in O(addresses) turns it off by itself.
        type: bool
      register_dns:
        description: Register the adapter's addresses in DNS (per adapter).
        type: bool
      bindings:
        description: Components bound to the adapter (per adapter), as in M(winnet.routing.ip_interface).
        type: dict
        suboptions:
          ms_msclient:
            description: Client for Microsoft Networks.
            type: bool
          ms_server:
            description: File and Printer Sharing for Microsoft Networks.
            type: bool
      netbios:
        description: NetBIOS over TCP/IP (per adapter).
        type: str
        choices: [default, enabled, disabled]
  addresses:
    description: The addresses of an interface, as M(winnet.routing.ip_address) takes them; one entry per interface.
    type: list
    elements: dict
    suboptions:
      interface:
        description: The interface, by index or alias (a loopback adapter of O(loopback_adapters) included).
        type: raw
        required: true
      addresses:
        description: The addresses, each in CIDR form (V(192.0.2.100/32)).
        type: list
        elements: dict
        default: []
        suboptions:
          address:
            description: The address with its prefix length.
            type: str
            required: true
          skip_as_source:
            description: SkipAsSource.
            type: bool
            default: false
      state:
        description: V(present) adds them (an address with another prefix length is replaced); V(absent) removes them.
        type: str
        choices: [present, absent]
        default: present
      purge:
        description: Also remove the interface's other addresses (never link-local or temporary ones).
        type: bool
        default: false
  routes:
    description: The routes of an interface, as M(winnet.routing.route) takes them; one entry per interface.
    type: list
    elements: dict
    suboptions:
      interface:
        description: The interface, by index or alias (a loopback adapter of O(loopback_adapters) included).
        type: raw
        required: true
      routes:
        description: The routes.
        type: list
        elements: dict
        default: []
        suboptions:
          destination:
            description: Destination prefix (V(10.20.0.0/16), V(0.0.0.0/0)).
            type: str
            required: true
          next_hop:
            description: Next hop; omit for an on-link route.
            type: str
          metric:
            description: Route metric; omitted, an existing route keeps its metric and a new one takes 256.
            type: int
          store:
            description: The route stores.
            type: str
            choices: [active, persistent, both]
            default: both
          state:
            description: V(absent) removes the route from the given stores.
            type: str
            choices: [present, absent]
            default: present
      purge:
        description: Also remove the interface's other routes (never the ones Windows creates itself).
        type: bool
        default: false
  firewall_rules:
    description: Inbound allow rules by name, as M(winnet.routing.firewall_rule) takes them.
    type: list
    elements: dict
    suboptions:
      name:
        description: The rule's name.
        type: str
        required: true
      local_address:
        description: The local address the rule applies to; required with V(present).
        type: str
      protocol:
        description: C(TCP) or C(UDP); required with V(present).
        type: str
        choices: [TCP, UDP, tcp, udp]
      local_port:
        description: The local port, 1 to 65535; required with V(present).
        type: raw
      state:
        description: Whether the rule must exist.
        type: str
        choices: [present, absent]
        default: present
extends_documentation_fragment:
  - winnet.routing.change
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
notes:
  - "Order of the plan: the removals of every part first (firewall rules, routes, addresses, loopback
    adapters), then the rest (loopback adapters, interface settings, addresses, routes, firewall
    rules), as each single-purpose module orders its own; an entry about an adapter this plan creates
    or renames comes with the others of its part. Entries that contradict each other (one interface
    and family declared twice in O(interfaces), one interface twice in O(addresses) or O(routes), a
    firewall rule name twice) are refused, naming the path."
  - "Connection guard: the reply path to the controller is judged on the state after each operation,
    so a plan whose end state is fine but that cuts the connection on the way (a default route
    removed before its replacement is added) is refused too."
seealso:
  - module: winnet.routing.net_apply
  - ref: ansible_collections.winnet.routing.docsite.guide_plan_check_apply
    description: How planning, check mode, saved plans and the connection guard work together.
"""

EXAMPLES = r"""
# winnet-example: on web25-01
- name: A DSR real server from nothing, in one plan
  winnet.routing.desired_state:
    loopback_adapters:
      - name: dsr-loopback
    interfaces:
      - {interface: Data, family: ipv4, weak_host_receive: true}
      - interface: dsr-loopback
        family: ipv4
        weak_host_receive: true
        weak_host_send: true
        dhcp: false
        register_dns: false
    addresses:
      - interface: dsr-loopback
        addresses: [{address: 198.51.100.200/32, skip_as_source: true}]
    firewall_rules:
      - {name: winnet-dsr-198.51.100.200-tcp-443, local_address: 198.51.100.200, protocol: TCP, local_port: 443}

# winnet-example: on web25-01
- name: One default gateway, the management networks through the management NIC
  winnet.routing.desired_state:
    routes:
      - interface: Management
        routes:
          - {destination: 10.20.0.0/16, next_hop: 10.10.0.254}
          - {destination: 0.0.0.0/0, next_hop: 10.10.0.254, state: absent}
"""

RETURN = r"""
changed:
  description: Whether the plan had any operation (in check mode, whether the real run would change something).
  returned: always
  type: bool
operations:
  description:
    - The operations of the plan, in the order they run (empty when nothing changes); see
      M(winnet.routing.net_apply) for every kind and field. An operation on an adapter the plan
      creates carries its name in C(adapter) beside the index the controller predicts.
  returned: always
  type: list
  elements: dict
  sample: [{op: create_loopback, name: dsr-loopback}, {op: add_address, interface: 7, adapter: dsr-loopback, family: ipv4,
            address: 198.51.100.200, prefix_length: 32, skip_as_source: true}]
plan:
  description: The plan as M(winnet.routing.net_apply) takes it back (C(base), the sha256 of the state it was made for, and C(operations)).
  returned: always
  type: dict
guard:
  description:
    - The connection guard's evaluation of the end state (see M(winnet.routing.route)); C(steps) is the
      number of intermediate states judged as well, and C(cut_at) the index of the first operation
      after which the connection would be cut, when one is.
  returned: always
  type: dict
rollback:
  description: With O(rollback_after), the rollback armed for the whole plan (its operations, the task's name, whether it was confirmed).
  returned: with rollback_after, when something changes
  type: dict
baseline:
  description: Path of the baseline saved on the controller before the change.
  returned: when the task changed something outside check mode
  type: str
snapshot_out:
  description: Path of the predicted state written for a snapshot host.
  returned: on a snapshot host with C(winnet_snapshot_out), when the task changed something outside check mode
  type: str
state:
  description: The host's state after the task in HostState schema v1 (predicted on a snapshot host and in check mode).
  returned: always
  type: dict
round_trips:
  description: The round trips to the host this task cost (a snapshot host counts those a live host would cost).
  returned: always
  type: int
  sample: 2
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
