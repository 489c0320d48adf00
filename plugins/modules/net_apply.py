# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: net_apply
short_description: Execute a list of explicit network operations on a Windows host
version_added: 0.1.0
description:
  - Applies a saved plan, that is the operations a changing module of this collection planned (returned as
    RV(winnet.routing.route#module:plan) by M(winnet.routing.route), M(winnet.routing.ip_interface),
    M(winnet.routing.ip_address), M(winnet.routing.loopback_adapter) and
    M(winnet.routing.firewall_rule), in check mode as in a real run). Plan in check mode, review
    the plan, apply it later with this module.
  - The host's state is gathered again first (one round trip, like M(winnet.routing.net_info)); a
    state that no longer hashes to O(plan.base) is refused, and so is a plan whose operations do not
    fit the state as it is now, before anything runs.
  - Each operation is one cmdlet call (C(New-NetRoute), C(Remove-NetRoute), C(Set-NetRoute),
    C(Set-NetIPInterface), C(New-NetIPAddress), C(Set-NetIPAddress), C(Remove-NetIPAddress),
    C(Set-DnsClient), C(Set-NetAdapterBinding), C(Rename-NetAdapter), C(New-NetFirewallRule),
    C(Remove-NetFirewallRule)), one CIM method call (C(SetTcpipNetbios) through C(Invoke-CimMethod)) or
    one in-process SetupAPI call that creates or removes a KM-TEST loopback adapter. The state after
    them is gathered in the same round trip and returned, normalised exactly as
    M(winnet.routing.net_info) does.
  - On the host, each operation's precondition is read just before it runs (for example, for
    C(add_route) that the route does not exist yet in the stores it writes). The run stops at the
    first operation whose precondition does not hold or whose call fails; the operations before it
    stay applied and are listed in RV(applied), the failed one in RV(failure), and the task fails.
  - The module takes no decision; which operations are needed, and their order, was worked out by
    the collection's planner on the controller. Every value travels as data into the cmdlet's
    parameters; nothing is evaluated as text.
author:
  - winnet.routing maintainers (@winnet)
options:
  plan:
    description:
      - The plan to apply, as the collection's changing modules return it in RV(winnet.routing.route#module:plan)
        (run them in check mode to get a plan without changing anything, review it, save it, and
        apply it later with this module).
      - On a live host the action plugin first gathers the host's state, like
        M(winnet.routing.net_info), and refuses the plan when the state no longer hashes to
        O(plan.base); then it runs the operations, and returns the state gathered after them. On a
        snapshot host the operations are applied on the controller to the snapshot state (or the
        state predicted by earlier tasks) and the predicted state is written to
        C(winnet_snapshot_out) when that variable is set.
    type: dict
    required: true
    suboptions:
      base:
        description:
          - sha256 of the state the plan was made for (of the parts a plan depends on, that is interfaces,
            addresses, routes and firewall rules; see the guide "Plan, check, apply").
          - When given, a host whose state has changed since is refused before anything runs.
        type: str
      operations:
        description:
          - The operations, run in this order. Each is a flat dictionary with the kind in O(plan.operations[].op)
            and that kind's fields; a field a kind does not use must be left out.
          - "Fields of each kind (all required unless marked optional):
            C(add_route): family, destination, next_hop, interface, route_metric, store;
            C(remove_route): family, destination, next_hop, interface, store;
            C(set_route_metric): family, destination, next_hop, interface, store, route_metric;
            C(set_interface): interface, family, and at least one of the optional metric,
            automatic_metric, weak_host_send, weak_host_receive, forwarding, ignore_default_routes, dhcp;
            C(add_address): interface, family, address, prefix_length, skip_as_source, and the optional store;
            C(set_address): interface, family, address, skip_as_source;
            C(remove_address): interface, family, address;
            C(set_dns_registration): interface, register_dns;
            C(set_binding): interface, component, enabled;
            C(set_netbios): interface, netbios;
            C(create_loopback): name;
            C(rename_adapter): interface, name;
            C(remove_loopback): interface;
            C(add_firewall_rule): name, local_address, protocol, local_port;
            C(remove_firewall_rule): name.
            Every kind with an interface also takes the optional adapter."
        type: list
        elements: dict
        required: true
        suboptions:
          op:
            description:
              - The kind of operation, and its precondition (checked just before it runs).
              - C(add_route) (route absent), C(remove_route) (route present), C(set_route_metric)
                (route present). The route is identified by family, destination, next hop, interface
                and store.
              - C(set_interface) (the interface has this address family) runs C(Set-NetIPInterface) with
                only the settings given.
              - C(add_address) (address absent on the interface) writes both policy stores, or the
                ActiveStore only with O(plan.operations[].store=active). C(set_address) and
                C(remove_address) (address in force on the interface) act on the address in both stores,
                so a removed address leaves no persistent copy to come back at the next boot. A link-local
                address is found with or without the zone Windows writes after it (C(fe80::1%12)).
              - C(set_dns_registration) (the interface has DNS client settings).
              - C(set_binding) (the interface's network adapter has a binding of the component) binds or
                unbinds a network component (C(Set-NetAdapterBinding -Enabled)) on that adapter only.
              - C(set_netbios) (the interface has an IP-enabled adapter configuration) sets NetBIOS over
                TCP/IP with the C(SetTcpipNetbios) method of C(Win32_NetworkAdapterConfiguration); a return
                value other than 0 or 1 (done, reboot needed) fails the operation. C(default) is written as
                C(NetbiosOptions) 0 under the adapter's NetBT interface key (C(Tcpip_<SettingID>)), where
                the method would write it (the method refuses 0 on an adapter without DHCP).
              - C(create_loopback) (no adapter has the name yet) installs a KM-TEST loopback adapter
                (hardware id C(*MSLOOP)) in-process through SetupAPI, waits until Windows shows its
                network adapter and renames it to O(plan.operations[].name). The driver is installed on the
                new device only, without any user interface; the loopback adapters already there are left
                alone. A name held by an adapter that is not present (a removed device keeps its connection
                name) is not free. When the adapter cannot be found or named, the new device is removed
                again and the error names its instance id. The new adapter has DHCP on and an APIPA
                address, registers in DNS and so on until later operations of the plan change that.
              - C(rename_adapter) (the interface has a network adapter).
              - C(remove_loopback) (the interface's adapter is a KM-TEST loopback adapter, component
                id C(*msloop)); any other adapter is refused, whatever the plan says.
              - C(add_firewall_rule) (no rule of the group C(winnet.routing) has the name) adds an inbound
                allow rule in that group whose display name is its name. C(remove_firewall_rule) (a rule
                of the group has exactly the name) removes that rule object. A name is never used as a
                pattern, and one with wildcard characters (C(*), C(?), C([), C(])) is refused.
            type: str
            required: true
            choices: [add_route, remove_route, set_route_metric, set_interface, add_address, set_address, remove_address,
                      set_dns_registration, set_binding, set_netbios, create_loopback, rename_adapter, remove_loopback,
                      add_firewall_rule, remove_firewall_rule]
          family:
            description: Address family (C(-AddressFamily) IPv4 or IPv6).
            type: str
            choices: [ipv4, ipv6]
          destination:
            description: Route destination prefix (C(-DestinationPrefix)), e.g. C(192.0.2.0/24).
            type: str
          next_hop:
            description: Route next hop (C(-NextHop)); C(0.0.0.0) or C(::) for on-link.
            type: str
          interface:
            description: Interface index (C(-InterfaceIndex)).
            type: int
          route_metric:
            description: The route's own metric (C(-RouteMetric)).
            type: int
          store:
            description:
              - Policy store of the route. C(both) (C(add_route) only) is C(New-NetRoute) without
                C(-PolicyStore), which writes the route to both stores; C(active) is
                C(-PolicyStore ActiveStore); C(persistent) (C(remove_route) only) is
                C(-PolicyStore PersistentStore).
              - For C(add_address), C(active) writes the address to the ActiveStore only (the undo of
                the removal of an address that was never persistent); C(both) or no value writes both
                stores.
              - Windows cannot write the PersistentStore alone nor change a metric there
                (Microsoft documents C(ActiveStore) as the only value C(New-NetRoute) and
                C(Set-NetRoute) accept), so the planner rewrites such a route with
                C(remove_route), C(add_route) C(both), and a change of its active copy.
            type: str
            choices: [active, persistent, both]
          metric:
            description: Interface metric (C(Set-NetIPInterface -InterfaceMetric)).
            type: int
          automatic_metric:
            description: C(-AutomaticMetric) Enabled or Disabled.
            type: bool
          weak_host_send:
            description: C(-WeakHostSend) Enabled or Disabled.
            type: bool
          weak_host_receive:
            description: C(-WeakHostReceive) Enabled or Disabled.
            type: bool
          forwarding:
            description: C(-Forwarding) Enabled or Disabled.
            type: bool
          ignore_default_routes:
            description: C(-IgnoreDefaultRoutes) Enabled or Disabled.
            type: bool
          dhcp:
            description: C(-Dhcp) Enabled or Disabled.
            type: bool
          address:
            description: IP address without prefix length (C(-IPAddress)).
            type: str
          prefix_length:
            description: Prefix length of a new address (C(-PrefixLength)).
            type: int
          skip_as_source:
            description: C(-SkipAsSource) of an address.
            type: bool
          register_dns:
            description: C(Set-DnsClient -RegisterThisConnectionsAddress).
            type: bool
          component:
            description:
              - ComponentID of the binding C(set_binding) changes (C(Get-NetAdapterBinding -ComponentID)).
                C(ms_msclient) is the Client for Microsoft Networks, C(ms_server) File and Printer Sharing for
                Microsoft Networks.
            type: str
            choices: [ms_msclient, ms_server]
          enabled:
            description: Whether the component is bound (C(Set-NetAdapterBinding -Enabled)).
            type: bool
          netbios:
            description:
              - NetBIOS over TCP/IP (C(TcpipNetbiosOptions) of C(SetTcpipNetbios)). C(default) (0) uses the
                setting a DHCP server hands out, C(enabled) is 1, C(disabled) is 2.
            type: str
            choices: [default, enabled, disabled]
          name:
            description:
              - Adapter name for C(create_loopback) and C(rename_adapter) (C(Rename-NetAdapter -NewName)).
              - Firewall rule name for C(add_firewall_rule) and C(remove_firewall_rule) (C(-Name)).
            type: str
          local_address:
            description: Local address a firewall rule applies to (C(New-NetFirewallRule -LocalAddress)).
            type: str
          protocol:
            description: Protocol of a firewall rule (C(-Protocol)).
            type: str
            choices: [TCP, UDP]
          local_port:
            description: Local port of a firewall rule (C(-LocalPort)), e.g. C(443).
            type: str
          adapter:
            description:
              - The name of an adapter that an earlier operation of the plan creates (C(create_loopback)). Its index is
                known only once Windows has created it, so just before the operation runs the host looks the name up
                (compared as text, never as a wildcard pattern) and uses the index it finds instead of O(plan.operations[].interface)
                (the index the controller predicts). M(winnet.routing.desired_state) sets it.
              - The automatic rollback of a plan that creates an adapter removes it this way, by name, then by its PnP
                instance id.
            type: str
  rollback:
    description:
      - Set by the action plugin from O(rollback_after); a task cannot give it (the action plugin
        refuses it). The module arms this rollback before running any operation.
    type: dict
    suboptions:
      name:
        description: Name of the scheduled task, C(winnet-rollback-) and 32 hexadecimal digits, under the task folder C(\winnet.routing\).
        type: str
        required: true
      after:
        description: Seconds from now until the task is due.
        type: int
        required: true
      operations:
        description: The inverse of all the plan's operations, as the planner computed them (same shape as O(plan.operations)).
        type: list
        elements: dict
        required: true
      partial:
        description:
          - For a run that stops early, the undo of the operations applied before it, as dictionaries
            with C(applied) (how many operations ran) and C(operations).
        type: list
        elements: dict
        default: []
  rollback_confirm:
    description:
      - Set by the action plugin only, in the call that confirms a change made with
        O(rollback_after), the name of the rollback task to remove. No operation runs in that call.
    type: str
extends_documentation_fragment:
  - winnet.routing.change
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
notes:
  - Works with Windows PowerShell 5.1 and PowerShell 7 on Windows Server 2016, 2019, 2022 and
    2025. Creating or removing a loopback adapter needs administrator (device installation)
    rights and no external binary; when Windows asks for a reboot to finish it, RV(reboot_required)
    is true.
  - Loopback adapters are identified by their component id C(*MSLOOP) and PnP instance id,
    never by their description, which Windows translates.
  - The whole state gathered after the run is returned even when an operation failed, so the
    caller can see where the host stands.
seealso:
  - module: winnet.routing.net_info
"""

EXAMPLES = r"""
# winnet-example: on web25-01; real
# Plan in check mode, save the plan for review.
- name: Plan the route change
  winnet.routing.route:
    destination: 10.99.0.0/16
    next_hop: 10.10.0.254
    interface: Management
    metric: 10
  check_mode: true
  register: planned

- name: A directory for the plans
  ansible.builtin.file:
    path: plans
    state: directory
    mode: "0755"
  delegate_to: localhost
  run_once: true

- name: Save the plan next to the change ticket
  ansible.builtin.copy:
    content: "{{ planned.plan | to_nice_json }}"
    dest: "plans/{{ inventory_hostname }}.json"
    mode: "0644"
  delegate_to: localhost

# Later, in the change window: the host must still be in the state the plan was made for.
- name: Apply the reviewed plan
  winnet.routing.net_apply:
    plan: "{{ lookup('ansible.builtin.file', 'plans/' ~ inventory_hostname ~ '.json') | from_json }}"
  register: applied
# After: applied.applied lists the operations that ran, applied.state is the state gathered after
# them. A host changed in between fails with "plan.base: the host has changed since the plan was made".
"""

RETURN = r"""
changed:
  description: Whether the plan had any operation (in check mode, whether the real run would change something).
  returned: always
  type: bool
operations:
  description:
    - The operations of the plan, in the order they run on the host (empty when nothing changes). Each is a flat
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
round_trips:
  description: The round trips to the host this task cost (a snapshot host counts those a live host would cost).
  returned: always
  type: int
  sample: 1
applied:
  description:
    - The operations that ran on the live host, in order.
  returned: when operations ran on a live host
  type: list
  elements: dict
  contains:
    index:
      description: Position of the operation in O(plan.operations), from 0.
      type: int
      returned: always
      sample: 0
    operation:
      description: The operation as given, without the fields it does not carry.
      type: dict
      returned: always
      sample: {op: add_route, family: ipv4, destination: 203.0.113.0/24, next_hop: 192.0.2.1, interface: 12,
               route_metric: 10, store: active}
    result:
      description:
        - What a loopback operation, C(set_interface) or C(set_netbios) produced, null for every other operation and in
          check mode.
        - For C(set_interface), C(persistent) says whether the interface had settings in the
          PersistentStore to change as well (the change is in force either way).
        - C(instance_id) is the device's PnP instance id (C(ROOT\NET\0000)), C(interface) the
          adapter's interface index, C(reboot_required) whether Windows asked for a reboot.
        - For C(set_netbios), C(return_value) is what C(SetTcpipNetbios) returned (0, or 1 when a reboot
          is needed) and C(reboot_required) whether it was 1; for C(default), C(registry) is the key written.
      type: dict
      returned: always
      sample: {instance_id: ROOT\NET\0001, interface: 27, reboot_required: false}
failure:
  description:
    - The operation that stopped the run on the host.
    - C(precondition) names the precondition that did not hold (or could not be read); it is null
      when the cmdlet call itself failed.
  returned: when an operation failed on a live host
  type: dict
  contains:
    index:
      description: Position of the operation in O(plan.operations).
      type: int
      returned: when an operation failed
      sample: 2
    operation:
      description: The operation as given.
      type: dict
      returned: when an operation failed
    precondition:
      description: The precondition that did not hold, or null.
      type: str
      returned: when an operation failed
      sample: route_absent
    message:
      description: What failed, on which object, and why.
      type: str
      returned: when an operation failed
      sample: "operations[2] (add_route): precondition route_absent does not hold: route 203.0.113.0/24 via 192.0.2.1
        on interface 12 (active) already exists"
rollback:
  description:
    - The automatic rollback (with O(rollback_after)). C(operations) is what the host runs if the change
      is not confirmed, C(task) the scheduled task, C(at) when it is due (UTC, from the host's clock),
      C(armed) and C(confirmed) whether it was registered and then removed after a new connection
      reached the host. C(armed) is true only when the host reported the task ready and its
      command line's self-test passed with these operations; otherwise C(not_armed) lists what
      was missing. On a snapshot host C(simulated) is true and C(restores_state) tells whether
      the rollback operations, applied to the predicted state, give back the state before the task.
  returned: when O(rollback_after) is set and the plan changes something
  type: dict
  sample: {name: winnet-rollback-5f0c..., task: '\winnet.routing\winnet-rollback-5f0c...', after: 300, armed: true, confirmed: true,
           at: '2026-11-23T10:20:00Z', operations: []}
reboot_required:
  description: True when creating or removing a loopback adapter, or a NetBIOS change, needs a reboot to complete.
  returned: when operations ran on a live host
  type: bool
  sample: false
state:
  description:
    - The host's state after the operations in HostState schema v1, with exactly the keys and
      normalisation of RV(winnet.routing.net_info#module:state). On a live host it is gathered in
      the same call that ran the operations; on a snapshot host and in check mode it is predicted.
  returned: always
  type: dict
  contains:
    schema:
      description: Schema identifier.
      returned: always
      type: str
      sample: winnet.routing/v1
    interfaces:
      description: Interfaces, as in M(winnet.routing.net_info).
      returned: always
      type: list
      elements: dict
    addresses:
      description: Unicast addresses, as in M(winnet.routing.net_info).
      returned: always
      type: list
      elements: dict
    routes:
      description: Routes of both stores, as in M(winnet.routing.net_info).
      returned: always
      type: list
      elements: dict
    unbound_routes:
      description: Routes whose interface or address family has no IP interface.
      returned: always
      type: list
      elements: dict
"""
