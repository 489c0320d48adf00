# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: net_apply
short_description: Execute a list of explicit network operations on a Windows host
version_added: 0.1.0
description:
  - Runs the operations it is given, in the order given, each as one cmdlet call
    (C(New-NetRoute), C(Remove-NetRoute), C(Set-NetRoute), C(Set-NetIPInterface),
    C(New-NetIPAddress), C(Set-NetIPAddress), C(Remove-NetIPAddress), C(Set-DnsClient),
    C(Rename-NetAdapter), C(New-NetFirewallRule), C(Remove-NetFirewallRule)) or one in-process
    SetupAPI call that creates or removes a KM-TEST loopback adapter, and returns the host's state
    gathered afterwards in the same round trip, normalised exactly as M(winnet.routing.net_info)
    does.
  - Before each operation its precondition is read from the host (for example, for C(add_route)
    that the route with this destination, next hop, interface and store does not exist yet). The
    run stops at the first operation whose precondition does not hold or whose call fails; the
    operations before it stay applied and are listed in RV(applied), the failed one in
    RV(failure), and the task fails.
  - The module takes no decision. Which operations are needed, and their order, is worked out
    on the controller by the collection's planner, which also fills every field; the changing
    modules and roles of this collection call it. Use it directly only with an operation list
    you have checked yourself.
  - Every value travels as data into the cmdlet's parameters; nothing is evaluated as text.
author:
  - winnet.routing maintainers (@winnet)
options:
  operations:
    description:
      - The operations, run in this order. Each is a flat dictionary with the kind in O(operations[].op)
        and that kind's fields; a field a kind does not use must be left out.
      - "Fields of each kind (all required unless marked optional):
        C(add_route): family, destination, next_hop, interface, route_metric, store;
        C(remove_route): family, destination, next_hop, interface, store;
        C(set_route_metric): family, destination, next_hop, interface, store, route_metric;
        C(set_interface): interface, family, and at least one of the optional metric,
        automatic_metric, weak_host_send, weak_host_receive, forwarding, ignore_default_routes, dhcp;
        C(add_address): interface, family, address, prefix_length, skip_as_source;
        C(set_address): interface, family, address, skip_as_source;
        C(remove_address): interface, family, address;
        C(set_dns_registration): interface, register_dns;
        C(create_loopback): name;
        C(rename_adapter): interface, name;
        C(remove_loopback): interface;
        C(add_firewall_rule): name, local_address, protocol, local_port;
        C(remove_firewall_rule): name."
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
          - C(add_address) (address absent on the interface), C(set_address) and
            C(remove_address) (address present on the interface).
          - C(set_dns_registration) (the interface has DNS client settings).
          - C(create_loopback) (no adapter has the name yet) installs a KM-TEST loopback adapter
            (hardware id C(*MSLOOP)) in-process through SetupAPI, waits until Windows shows its
            network adapter and renames it to O(operations[].name). The new adapter has DHCP on
            and an APIPA address, registers in DNS and so on until later operations of the plan
            change that.
          - C(rename_adapter) (the interface has a network adapter).
          - C(remove_loopback) (the interface's adapter is a KM-TEST loopback adapter, component
            id C(*msloop)); any other adapter is refused, whatever the plan says.
          - C(add_firewall_rule) (no rule has the name) adds an inbound allow rule whose display
            name is its name. C(remove_firewall_rule) (a rule has the name).
        type: str
        required: true
        choices: [add_route, remove_route, set_route_metric, set_interface, add_address, set_address, remove_address,
                  set_dns_registration, create_loopback, rename_adapter, remove_loopback, add_firewall_rule, remove_firewall_rule]
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
          - Policy store of the route (C(-PolicyStore) ActiveStore or PersistentStore); one
            store per operation.
          - Microsoft documents that C(New-NetRoute) and C(Set-NetRoute) accept only
            C(ActiveStore); C(persistent) is passed through as given and Windows' answer is
            reported.
        type: str
        choices: [active, persistent]
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
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode no operation runs. Each precondition is checked against the host as it is,
        and RV(applied) lists the operations that would run, up to the first whose precondition
        does not hold.
      - An operation that depends on an earlier one of the same list (such as C(add_address) of
        an address that an earlier C(remove_address) takes away) fails its precondition in check
        mode; the collection's modules predict such plans on the controller instead.
  diff_mode:
    support: partial
    details: The diff lists the operations applied (or, in check mode, those that would be), one per line.
  platform:
    platforms: windows
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
# Before: interface 12 has no route to 203.0.113.0/24.
- name: Add a route and pin the interface metric
  winnet.routing.net_apply:
    operations:
      - op: add_route
        family: ipv4
        destination: 203.0.113.0/24
        next_hop: 192.0.2.1
        interface: 12
        route_metric: 10
        store: active
      - op: set_interface
        interface: 12
        family: ipv4
        automatic_metric: false
        metric: 25
  register: applied
# After: applied.applied lists both operations, applied.state.routes holds
# {destination: 203.0.113.0/24, next_hop: 192.0.2.1, interface: 12, route_metric: 10, store: active}.

- name: Create a loopback adapter named loopback
  winnet.routing.net_apply:
    operations:
      - op: create_loopback
        name: loopback
  register: created

- name: Give the VIP to the new loopback adapter and turn off DHCP and DNS registration on it
  winnet.routing.net_apply:
    operations:
      - op: set_interface
        interface: "{{ created.applied[0].result.interface }}"
        family: ipv4
        dhcp: false
      - op: add_address
        interface: "{{ created.applied[0].result.interface }}"
        family: ipv4
        address: 198.51.100.80
        prefix_length: 32
        skip_as_source: true
      - op: set_dns_registration
        interface: "{{ created.applied[0].result.interface }}"
        register_dns: false
"""

RETURN = r"""
applied:
  description:
    - The operations that ran (in check mode, that would run), in order.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: Position of the operation in O(operations), from 0.
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
        - What a loopback operation produced, null for every other operation and in check mode.
        - C(instance_id) is the device's PnP instance id (C(ROOT\NET\0000)), C(interface) the
          adapter's interface index, C(reboot_required) whether Windows asked for a reboot.
      type: dict
      returned: always
      sample: {instance_id: ROOT\NET\0001, interface: 27, reboot_required: false}
failure:
  description:
    - The operation that stopped the run, or null when every operation ran.
    - C(precondition) names the precondition that did not hold (or could not be read); it is null
      when the cmdlet call itself failed.
  returned: always
  type: dict
  contains:
    index:
      description: Position of the operation in O(operations).
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
reboot_required:
  description: True when creating or removing a loopback adapter needs a reboot to complete.
  returned: always
  type: bool
  sample: false
state:
  description:
    - The host's state after the operations, gathered in the same call, in HostState schema v1
      with exactly the keys and normalisation of RV(winnet.routing.net_info#module:state).
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
