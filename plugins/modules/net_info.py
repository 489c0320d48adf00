# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: net_info
short_description: Gather the routing state of a Windows host as one HostState
version_added: 0.1.0
description:
  - Returns the whole network state of a Windows host that decides how it routes, in HostState
    schema v1, in one round trip. It covers interfaces (adapter, kind, link speed, per address family
    metric, automatic metric, weak host send and receive, forwarding, ignored default routes,
    DHCP), DNS registration, addresses (prefix length, SkipAsSource, state, temporary) and every
    route of both the ActiveStore and the PersistentStore, IPv4 and IPv6.
  - The same state is set as the fact C(winnet_state), which the filters of this collection and
    its other modules read.
  - On a snapshot host (one with the variable C(winnet_snapshot)) the state is read from that
    file on the controller instead, and the host is never contacted. A relative path is resolved
    from the directory of the inventory file that defines the host (from the playbook directory
    when the host has no inventory file).
  - The snapshot file may be a HostState JSON file, or an export of the host that someone without
    Ansible handed over - C(ConvertTo-Json) output of C(Get-NetRoute), C(Get-NetIPInterface) and
    C(Get-NetIPAddress), or C(route print) / C(netstat -rn) text in any display language - read as
    the filters P(winnet.routing.parse_netroute_json#filter) and P(winnet.routing.parse_route_print#filter)
    read them. The kind is told by the content; UTF-8, UTF-16 and the console code pages are
    decoded by detection. The inventory plugin P(winnet.routing.snapshots#inventory) makes a
    snapshot host of every such file in a folder.
  - Either way the state is validated by the collection's schema v1 loader, which also adds the
    routes Windows creates by itself when a hand-written snapshot leaves them out; an invalid
    state fails the task with a message that names the file (or host) and the offending element.
  - Optional O(probes) are answered by Windows' own C(Find-NetRoute), so its choice can be
    compared with the collection's offline evaluation.
  - The module only reads. On the host it runs the cmdlets listed in the guide "Auditing state you
    cannot reach" and sends back their objects with a fixed list of properties, as the cmdlets give
    them (the bundle of raw reads); the controller turns them into the HostState with the same code
    that reads exported C(ConvertTo-Json) output (P(winnet.routing.parse_netroute_json#filter)).
    Enumerations that Windows reports either as names or as numbers become the schema's lower-case
    words there (see RV(state)), and link-local addresses lose the zone Windows writes after them.
  - The same bundle can be written on a host that Ansible does not reach, with the command
    C(Export-WinnetBundle) of the module util this module runs (C(plugins/module_utils/WinnetState.psm1));
    a bundle file can then be a snapshot host's C(winnet_snapshot). See the guide.
  - A read that fails on the host (for example adapter statistics without the right to read them)
    leaves its part out of the state and says so in C(state.parse_notes); the IP interfaces, the
    addresses and the routes of the ActiveStore are required, and the task fails without them.
author:
  - winnet.routing maintainers (@winnet)
options:
  probes:
    description:
      - Destinations for which Windows itself chooses the route and the source address with
        C(Find-NetRoute), answered in the same round trip and returned as RV(probes).
      - A probe Windows cannot answer (no route, an address the host does not own) is returned
        with RV(probes[].answered=false) and the error; it does not fail the task.
      - On a snapshot host every probe is returned unanswered.
    type: list
    elements: dict
    suboptions:
      destination:
        description:
          - The remote address (C(Find-NetRoute -RemoteIPAddress)).
        type: str
        required: true
      source:
        description:
          - A local address the answer must use (C(Find-NetRoute -LocalIPAddress)); it constrains
            the route to that address's interface unless weak host send allows otherwise.
        type: str
  connection_ports:
    description:
      - The local TCP ports whose established connections are reported in RV(connection) (the
        connection guard of the changing modules learns the controller's address from them). The
        changing modules pass the port their connection uses (C(ansible_port), else 5985 and 5986
        for WinRM and PSRP, 22 for SSH).
    type: list
    elements: int
    default: [5985, 5986]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: The module only reads; check mode returns exactly what a normal run returns.
  diff_mode:
    support: none
    details: Nothing is changed, so there is no diff.
  facts:
    support: full
  platform:
    platforms: windows
notes:
  - Works with Windows PowerShell 5.1 and PowerShell 7, on Windows Server 2016, 2019, 2022 and
    2025 (the NetTCPIP, NetAdapter and DnsClient modules).
  - The KM-TEST loopback adapter is recognised by its component id C(*MSLOOP), never by its
    description, which Windows translates.
  - A route whose interface, or whose address family on that interface, has no IP interface
    (for example a persistent route left by a removed adapter) is returned under
    C(state.unbound_routes) instead of C(state.routes).
seealso:
  - name: Snapshot hosts
    description: What snapshot hosts are and how to make one from a live host.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_snapshot_hosts.rst
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Gather the routing state (also sets the winnet_state fact)
  winnet.routing.net_info:
  register: net

- name: Show the default routes Windows has in force
  ansible.builtin.debug:
    msg: "{{ net.state.routes | selectattr('destination', 'in', ['0.0.0.0/0', '::/0'])
             | selectattr('store', 'equalto', 'active') | list }}"

- name: Ask Windows which route and source it uses for two destinations
  winnet.routing.net_info:
    probes:
      - destination: 203.0.113.50
      - destination: 198.51.100.7
        source: 192.0.2.21
  register: net

- name: Save the state as a snapshot, to evaluate it later without contacting the host
  ansible.builtin.copy:
    content: "{{ net.state | to_nice_json }}"
    dest: "snapshots/{{ inventory_hostname }}.json"
    mode: '0644'
  delegate_to: localhost

# An inventory host with winnet_snapshot is read from the file and never contacted
# (a HostState JSON file, or an export: ConvertTo-Json output or route print text):
#   dsr-ok-01:
#     winnet_snapshot: ../snapshots/dsr-ok-01.json
- name: Read a snapshot host (no connection is made)
  winnet.routing.net_info:
"""

RETURN = r"""
state:
  description:
    - The host's state in HostState schema v1, validated by the collection's loader. The keys below
      are all the keys a state may hold; every reader of a state (snapshot files, the C(winnet_state)
      fact, the filters' input) refuses any other key, naming its path and the nearest known key.
      C(interfaces), C(addresses) and C(routes) are required (an empty list is fine).
  returned: always
  type: dict
  contains:
    schema:
      description: Schema identifier.
      returned: always
      type: str
      sample: winnet.routing/v1
    source:
      description: C(route_print) or C(netroute_json) for a state read from an export of the host.
      returned: when read from an export
      type: str
      sample: route_print
    partial:
      description:
        - What the state does not carry, for a state read from an export. C(interfaces.index) means
          some interfaces are stand-ins (see RV(state.interfaces[].index_candidates)),
          C(interfaces.metric) that some interface metrics are unknown, C(interfaces.settings),
          C(interfaces.register_dns), C(interfaces.kind) and C(interfaces.link_speed) that those
          settings are not in the export, C(addresses) that the addresses were read off the host
          routes, C(routes.ipv4), C(routes.ipv6) and C(routes.persistent) that those routes are
          missing from the export (left out or cut off).
        - On a live host, the parts a failed read left out; the guide "Connecting to Windows hosts" lists
          them by read. C(interfaces.kind) and C(interfaces.link_speed) (Get-NetAdapter),
          C(interfaces.register_dns) (Get-DnsClient), C(interfaces.bindings) (Get-NetAdapterBinding),
          C(interfaces.netbios) (Win32_NetworkAdapterConfiguration), C(interfaces.discards)
          (Get-NetAdapterStatistics), C(addresses.persistent) and C(routes.persistent) (the
          PersistentStore), C(firewall_rules) (Get-NetFirewallRule and its filters),
          C(nonpresent_adapters) (the connection names).
        - The engine skips the findings that need a missing part and says so (C(partial_state));
          the changing modules refuse to plan on it.
      returned: when read from an export, or when a read on the host failed
      type: list
      elements: str
      sample: [interfaces.index, interfaces.settings, interfaces.register_dns, interfaces.kind, interfaces.link_speed, addresses]
    parse_notes:
      description: One sentence per thing the export reader decided or could not place (how the file was decoded,
        how an interface address was tied to its interface, why an interface is a stand-in); on a live host, what was
        read but is not in the state (a read that failed, a value not understood).
      returned: when there is something to say
      type: list
      elements: str
    hostname:
      description: Computer name of the host (C($env:COMPUTERNAME)), or the name recorded in the snapshot.
      returned: when known
      type: str
      sample: WEB25-01
    os_version:
      description: Windows version (C([Environment]::OSVersion.Version)) of a gathered host.
      returned: when gathered from a live host
      type: str
      sample: 10.0.26100.0
    interfaces:
      description: One entry per interface index that has an IP interface (C(Get-NetIPInterface)).
      returned: always
      type: list
      elements: dict
      contains:
        index:
          description: Interface index.
          type: int
          returned: always
          sample: 6
        alias:
          description: Interface alias (the connection name).
          type: str
          returned: always
          sample: Data
        description:
          description: Adapter description (C(Get-NetAdapter) C(InterfaceDescription)).
          type: str
          returned: when the interface has an adapter
          sample: Intel(R) Ethernet Controller X710 for 10GbE SFP+
        kind:
          description:
            - C(loopback_adapter) for a KM-TEST loopback adapter (component id C(*MSLOOP)).
            - C(loopback_pseudo) for the software loopback pseudo-interface (interface type 24, which
              C(Get-NetAdapter -IncludeHidden) lists), or an interface without adapter that holds
              127.0.0.1 or ::1.
            - C(wifi) for wireless media (C(NdisPhysicalMedium) WirelessLan, WirelessWan or
              Native802_11, or interface type 71).
            - C(tunnel) for interface type 131, C(ethernet) for interface type 6.
            - C(other) for anything else.
          type: str
          returned: always
          choices: [ethernet, wifi, loopback_adapter, loopback_pseudo, tunnel, other]
        connected:
          description: True when C(Get-NetIPInterface) reports C(Connected) for either address family.
          type: bool
          returned: always
        link_speed_bps:
          description: Adapter speed in bits per second (C(Get-NetAdapter) C(Speed)).
          type: int
          returned: when the interface has an adapter whose driver knows its speed (not the NDIS unknown speed, 2^64 - 1)
          sample: 10000000000
        mac:
          description: Adapter MAC address as Windows prints it.
          type: str
          returned: when the interface has an adapter with a MAC address
          sample: 3C-FD-FE-A1-52-10
        register_dns:
          description: C(Get-DnsClient) C(RegisterThisConnectionsAddress).
          type: bool
          returned: always
        bindings:
          description:
            - The adapter's bindings of the components the collection can change
              (C(Get-NetAdapterBinding)), ComponentID to bound. C(ms_msclient) is the Client for
              Microsoft Networks, C(ms_server) File and Printer Sharing for Microsoft Networks; a
              component that is not installed for the adapter is left out.
          type: dict
          returned: when the interface has an adapter
          sample: {ms_msclient: true, ms_server: false}
        netbios:
          description:
            - NetBIOS over TCP/IP (C(Win32_NetworkAdapterConfiguration) C(TcpipNetbiosOptions)) as
              C(default) (0, the DHCP server's setting), C(enabled) (1) or C(disabled) (2).
          type: str
          returned: when the adapter has IP enabled
          choices: [default, enabled, disabled]
          sample: disabled
        discards:
          description: C(Get-NetAdapterStatistics) counters, as C(received) (ReceivedDiscardedPackets)
            and C(outbound) (OutboundDiscardedPackets).
          type: dict
          returned: when the adapter reports statistics
          sample: {received: 1873, outbound: 0}
        index_candidates:
          description:
            - Only in a state read from an export. The interface is a stand-in for an interface whose
              index the export does not show (C(route print) names IPv4 interfaces by an address);
              its index is a placeholder counted down from 2147483647, and the list holds the indexes
              it can be (empty when no listed interface can be it). Its routes and addresses are real,
              its identity is not, so every RV(state.routes) answer through it is flagged
              C(interface_unpinned) and P(winnet.routing.route_findings#filter) reports
              C(interface_not_pinned).
          type: list
          elements: int
          returned: when the interface is a stand-in
          sample: [11, 14]
        ipv4:
          description:
            - IPv4 settings (C(Get-NetIPInterface -AddressFamily IPv4)); absent when IPv4 is not
              bound. Keys C(metric) (InterfaceMetric in force), C(automatic_metric),
              C(weak_host_send), C(weak_host_receive), C(forwarding), C(ignore_default_routes)
              and C(dhcp), the switches as booleans.
            - In a state read from an export, C(metric_unknown=true) marks a metric the export does
              not tell (then C(metric) is 0 and the routes keep their printed sums).
          type: dict
          returned: when IPv4 is bound
          sample: {metric: 15, automatic_metric: true, weak_host_send: false, weak_host_receive: false,
                   forwarding: false, ignore_default_routes: false, dhcp: false}
        ipv6:
          description: IPv6 settings, same keys as RV(state.interfaces[].ipv4).
          type: dict
          returned: when IPv6 is bound
    addresses:
      description:
        - Unicast addresses (C(Get-NetIPAddress)) of the ActiveStore (in force), then those of the
          PersistentStore (what Windows restores at the next boot), which have C(store=persistent), so
          a configured address is normally listed twice. A link-local address has no C(%zone)
          suffix.
      returned: always
      type: list
      elements: dict
      contains:
        address:
          description: The address.
          type: str
          returned: always
          sample: 192.0.2.21
        prefix_length:
          description: Prefix length.
          type: int
          returned: always
          sample: 24
        interface:
          description: Index of the interface holding the address.
          type: int
          returned: always
          sample: 6
        skip_as_source:
          description: SkipAsSource.
          type: bool
          returned: always
        state:
          description: Duplicate address detection state.
          type: str
          returned: always
          choices: [preferred, deprecated, tentative, duplicate, invalid]
        temporary:
          description: An IPv6 privacy address (suffix origin C(random) with prefix origin C(router_advertisement)).
          type: bool
          returned: always
        store:
          description:
            - C(persistent) for the PersistentStore copy of an address; absent (meaning C(active)) for the
              addresses in force. Only the addresses in force take part in routing and source selection.
          type: str
          returned: for persistent copies
          choices: [active, persistent]
        prefix_origin:
          description:
            - C(PrefixOrigin) as C(other), C(manual), C(well_known), C(dhcp) or C(router_advertisement); a value
              the collection does not know is C(other) (and noted in RV(state.parse_notes)).
          type: str
          returned: when gathered from a live host
          sample: manual
        suffix_origin:
          description: C(SuffixOrigin) as C(other), C(manual), C(well_known), C(dhcp), C(link) or C(random).
          type: str
          returned: when gathered from a live host
          sample: manual
    routes:
      description:
        - Every route of the ActiveStore, then every route of the PersistentStore, both address
          families, in the order Windows lists them; a route present in both stores appears twice.
      returned: always
      type: list
      elements: dict
      contains:
        destination:
          description: Destination prefix.
          type: str
          returned: always
          sample: 0.0.0.0/0
        next_hop:
          description: Next hop; C(0.0.0.0) or C(::) means on-link.
          type: str
          returned: always
          sample: 198.51.100.1
        interface:
          description: Interface index.
          type: int
          returned: always
          sample: 6
        route_metric:
          description: The route's own metric (C(Get-NetRoute) C(RouteMetric)), not the sum C(route print) shows.
          type: int
          returned: always
          sample: 0
        store:
          description: Policy store.
          type: str
          returned: always
          choices: [active, persistent]
        protocol:
          description:
            - C(Protocol) of the route. C(NetMgmt) (static routes and DHCP-learned gateways) is
              C(netmgmt), C(Local) is C(local), C(Dhcp) is C(dhcp); any other routing protocol is C(other).
          type: str
          returned: always
          choices: [local, netmgmt, dhcp, router_advertisement, other]
        metric_is_sum:
          description: Only in a state read from C(route print) - true when the interface metric is unknown, so
            RV(state.routes[].route_metric) is the printed sum of route and interface metric.
          type: bool
          returned: when true
        metric_unspecified:
          description: Only in a state read from C(route print) - true for a persistent route printed without a
            metric of its own (C(Default) or the word of the display language).
          type: bool
          returned: when true
    unbound_routes:
      description: Routes whose interface or address family has no IP interface, same keys as RV(state.routes).
      returned: when gathered from a live host
      type: list
      elements: dict
    firewall_rules:
      description:
        - The inbound allow rules this collection manages (firewall group C(winnet.routing), created
          by M(winnet.routing.firewall_rule)), each with C(name), C(local_address), C(protocol) and
          C(local_port). Other firewall rules are not gathered. C(local_address) is in canonical form
          (an IPv6 address compressed and in lower case).
      returned: when the host has such rules
      type: list
      elements: dict
      sample: [{name: winnet-dsr-192.0.2.100-tcp-443, local_address: 192.0.2.100, protocol: TCP, local_port: '443'}]
    nonpresent_adapters:
      description:
        - Connection names held by network adapters that are not present (a removed or hidden device
          keeps its name, and no other adapter can take it), each with C(name) and C(instance_id).
      returned: when the host has such adapters
      type: list
      elements: dict
      sample: [{name: loopback, instance_id: ROOT\NET\0000}]
connection:
  description:
    - Where connections to the host come from, as the host sees them, for the connection guard.
      C(ssh) is the SSH server's C(SSH_CONNECTION) of this session (C(client_address),
      C(client_port), C(server_address), C(server_port)) or null; C(tcp) lists the established TCP
      connections on O(connection_ports) (C(local_address), C(local_port), C(remote_address),
      C(remote_port)); C(error) says why they could not be read, or is null.
    - WinRM does not tell a module which of those connections carries it; see the guide
      "Changing production safely" for how the guard uses them.
  returned: on a live host
  type: dict
  sample: {ssh: null, error: null, tcp: [{local_address: 10.10.0.20, local_port: 5986, remote_address: 10.20.0.15, remote_port: 50122}]}
probes:
  description: Windows' answers to O(probes), in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    destination:
      description: The probed destination.
      type: str
      returned: always
      sample: 203.0.113.50
    requested_source:
      description: The source given in the probe, or null.
      type: str
      returned: always
    answered:
      description: True when C(Find-NetRoute) returned a route.
      type: bool
      returned: always
    error:
      description: Why the probe was not answered, or null.
      type: str
      returned: always
    source:
      description: The local address Windows selected (or was given).
      type: str
      returned: always
      sample: 198.51.100.20
    interface:
      description: Index of the interface of the selected route.
      type: int
      returned: always
      sample: 6
    interface_alias:
      description: Alias of that interface.
      type: str
      returned: always
      sample: Data
    route:
      description: The selected route, with C(destination), C(next_hop), C(interface) and C(route_metric).
      type: dict
      returned: always
      sample: {destination: 0.0.0.0/0, next_hop: 198.51.100.1, interface: 6, route_metric: 0}
snapshot:
  description: The snapshot file that was read.
  returned: on a snapshot host
  type: str
  sample: /srv/ansible/examples/snapshots/web25-01.json
ansible_facts:
  description: The state as a fact.
  returned: always
  type: dict
  contains:
    winnet_state:
      description: Same value as RV(state).
      type: dict
      returned: always
    winnet_round_trips:
      description:
        - The round trips to the host the play's tasks have cost so far, this gather included (a snapshot host counts
          the one a live host would cost), as the changing modules count them.
      type: int
      returned: always
    winnet_state_actual:
      description:
        - Null, since RV(state) is the host's actual state. A changing module run in check mode sets this fact to the
          actual state while C(winnet_state) holds its prediction; outside check mode this module clears it, in check
          mode it leaves it as it is.
      type: dict
      returned: outside check mode
"""
