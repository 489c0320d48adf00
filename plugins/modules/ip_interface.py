# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ip_interface
short_description: Manage the IP settings of a Windows interface (metric, weak host, forwarding, DNS registration, bindings)
version_added: 0.1.0
description:
  - Sets what C(Set-NetIPInterface) and C(Set-DnsClient) set, for one interface and one address
    family, and the adapter's bindings (C(Set-NetAdapterBinding)) and NetBIOS over TCP/IP. Only the
    options given are managed; the others are left as they are.
  - Setting O(metric) to a number turns the automatic metric off (as Windows does); O(metric=automatic)
    turns it back on, and Windows derives the metric from the link speed again.
author:
  - winnet.routing maintainers (@winnet)
options:
  interface:
    description: The interface, by index (C(12)) or alias (C(Data)).
    type: raw
    required: true
  family:
    description:
      - The address family whose settings are managed.
      - A task that sets only O(register_dns), O(bindings) or O(netbios) (per adapter) works whether
        or not this family is bound on the interface.
    type: str
    choices: [ipv4, ipv6]
    default: ipv4
  metric:
    description:
      - The interface metric, a number from 0 to 9999 (which turns the automatic metric off), or
        C(automatic).
      - Windows adds it to each route's own metric when it compares routes.
    type: raw
  weak_host_send:
    description: Whether the interface may send packets whose source address belongs to another interface (C(WeakHostSend)).
    type: bool
  weak_host_receive:
    description: Whether the interface accepts packets for addresses of other interfaces (C(WeakHostReceive)).
    type: bool
  forwarding:
    description: Whether the interface forwards packets not addressed to the host (C(Forwarding)).
    type: bool
  ignore_default_routes:
    description: Whether the stack ignores the interface's default routes (C(IgnoreDefaultRoutes)).
    type: bool
  register_dns:
    description:
      - Whether the interface registers its addresses in DNS (C(Set-DnsClient
        -RegisterThisConnectionsAddress)). This setting is per interface, not per family.
    type: bool
  bindings:
    description:
      - Which network components are bound to the interface's adapter (C(Set-NetAdapterBinding
        -Enabled)). A component left out, or null, is left as it is. Per adapter, not per family.
      - A DSR real server unbinds both from its loopback adapter, which then offers no file sharing
        and makes no Microsoft network client connections on the VIP.
      - The state must record the adapter's bindings; M(winnet.routing.net_info) gathers them on a
        live host, and a snapshot host needs a C(bindings) mapping on the interface.
    type: dict
    suboptions:
      ms_msclient:
        description: Client for Microsoft Networks.
        type: bool
      ms_server:
        description: File and Printer Sharing for Microsoft Networks.
        type: bool
  netbios:
    description:
      - NetBIOS over TCP/IP on the interface's adapter (the C(SetTcpipNetbios) method of
        C(Win32_NetworkAdapterConfiguration)). C(default) takes the setting a DHCP server hands out.
        Per adapter, not per family; the adapter needs IP enabled.
      - Windows may ask for a reboot to finish the change (RV(reboot_required)).
    type: str
    choices: [default, enabled, disabled]
extends_documentation_fragment:
  - winnet.routing.change
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.facts
"""

EXAMPLES = r"""
# winnet-example: on app-metric-01
# Before (app-metric-01): NIC1 metric 1 with a default route metric 10, NIC2 metric 50 with a
# default route metric 5; Windows compares 1+10=11 with 50+5=55 and sends through NIC1.
- name: Prefer NIC2 for default traffic
  winnet.routing.ip_interface:
    interface: NIC2
    metric: 1
# After: NIC2 has metric 1 (automatic metric off); 1+5=6 < 11, so NIC2 wins.

# winnet-example: on dsr-nows-01
- name: DSR real server, the NIC that receives the VIP traffic
  winnet.routing.ip_interface:
    interface: Ethernet
    weak_host_receive: true

# winnet-example: on hv-storage-01
- name: Storage NIC, no DNS registration and no default routes
  winnet.routing.ip_interface:
    interface: Storage
    register_dns: false
    ignore_default_routes: true

# winnet-example: on dsr-nows-01
# Before: the DSR loopback has Client for Microsoft Networks, File and Printer Sharing and NetBIOS
# over TCP/IP as Windows installs them on a new adapter.
- name: DSR real server, nothing but the VIPs on the loopback
  winnet.routing.ip_interface:
    interface: loopback
    bindings:
      ms_msclient: false
      ms_server: false
    netbios: disabled
# After: both components unbound from the loopback only, NetBIOS over TCP/IP disabled on it.

# winnet-example: on web25-01
- name: Give the IPv6 metric back to Windows
  winnet.routing.ip_interface:
    interface: Data
    family: ipv6
    metric: automatic
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
  description: Whether Windows asked for a reboot to finish (a NetBIOS over TCP/IP change can ask for one).
  returned: when operations ran on a live host
  type: bool
"""
