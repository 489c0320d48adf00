# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dsr_desired_state
short_description: The desired state of a DSR real server, for winnet.routing.desired_state
version_added: 0.2.0
author: winnet.routing maintainers
description:
  - Checks the variables of the role C(winnet.routing.dsr_real_server) against a host's state and builds the desired state
    the role hands to M(winnet.routing.desired_state) - the loopback adapter (created, or a KM-TEST adapter that already
    holds one of the VIPs renamed), each VIP on it as /32 (/128) with SkipAsSource, DHCP off on it, weak host receive on
    the NIC, weak host send and receive on the loopback, DNS registration off, the optional metric and unbinding, and one
    inbound allow rule per VIP, protocol and port.
  - Refuses a VIP that a physical NIC holds (the ARP problem), a VIP given with a prefix length, a VIP family without
    clients, and a NIC the host does not have, naming the variable.
positional: vips, nic, clients
options:
  vips:
    description: The VIPs, as C(dsr_real_server_vips) (C(address), C(ports) of C(port) and C(protocol)).
    type: list
    elements: dict
    required: true
  nic:
    description: The NIC that receives the VIP traffic (index or alias).
    type: raw
    required: true
  clients:
    description: Client addresses, at least one of each family the VIPs use.
    type: list
    elements: str
    required: true
  loopback_name:
    description: The loopback adapter's name.
    type: str
    default: loopback
  skip_as_source:
    description: SkipAsSource on the VIPs.
    type: bool
    default: true
  loopback_metric:
    description: Interface metric of the loopback for each family in use; unset leaves it alone.
    type: int
  unbind_components:
    description: Unbind the client and server components from the loopback and turn NetBIOS over TCP/IP off on it.
    type: bool
    default: false
extends_documentation_fragment:
  - winnet.routing.engine
seealso:
  - module: winnet.routing.desired_state
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: Build the desired state of the real server
  ansible.builtin.set_fact:
    dsr: "{{ winnet_state | winnet.routing.dsr_desired_state([{'address': '192.0.2.100', 'ports': [{'port': 443}]}], 'Ethernet',
                                                             ['203.0.113.50']) }}"

- name: Apply it in one plan
  winnet.routing.desired_state:
    loopback_adapters: "{{ dsr.desired.loopback_adapters }}"
    interfaces: "{{ dsr.desired.interfaces }}"
    addresses: "{{ dsr.desired.addresses }}"
    firewall_rules: "{{ dsr.desired.firewall_rules }}"
"""

RETURN = r"""
_value:
  description: The desired state and what the role verifies afterwards.
  type: dict
  contains:
    desired:
      description: The options of M(winnet.routing.desired_state) (C(loopback_adapters), C(interfaces), C(addresses), C(firewall_rules)).
      type: dict
    changes:
      description: The number of operations the desired state plans on this state (0 when the host is already right).
      type: int
    families:
      description: The address families the VIPs use (C(ipv4), C(ipv6)).
      type: list
      elements: str
    checks:
      description: Each VIP with the clients of its family (C(vip), C(clients)), for P(winnet.routing.dsr_check#filter).
      type: list
      elements: dict
"""

from ansible_collections.winnet.routing.plugins.module_utils.role_states import dsr_desired
from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('dsr_desired_state', DOCUMENTATION)
def dsr_desired_state(state, vips, nic, clients, loopback_name, skip_as_source, loopback_metric, unbind_components):
    return dsr_desired(make_engine(state).state, vips, nic, clients, loopback_name, skip_as_source, loopback_metric, unbind_components)


class FilterModule:
    def filters(self):
        return {'dsr_desired_state': dsr_desired_state}
