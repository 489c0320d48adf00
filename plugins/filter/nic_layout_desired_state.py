# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: nic_layout_desired_state
short_description: The desired state of a NIC layout, for winnet.routing.desired_state
version_added: 0.2.0
author: winnet.routing maintainers
description:
  - Checks the variable C(nic_layout_nics) of the role C(winnet.routing.nic_layout) against a host's state and builds the
    desired state the role hands to M(winnet.routing.desired_state) - the declared addresses, the data NIC's default
    gateway, the other NICs' specific routes, the removal of every default route of the other declared NICs and of the
    data NIC's default routes of the gateway's family through another next hop (each in the stores it is in), the
    interface metrics (per bound family) and DNS registration (off on storage and heartbeat NICs unless declared).
  - Refuses a declaration without exactly one data NIC, with a gateway on another NIC, naming an interface twice, or
    naming an interface the host does not have.
positional: nics
options:
  nics:
    description: The NICs, as C(nic_layout_nics).
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - winnet.routing.engine
seealso:
  - module: winnet.routing.desired_state
"""

EXAMPLES = r"""
# winnet-example: on web25-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: The layout's desired state
  ansible.builtin.debug:
    msg: "{{ winnet_state | winnet.routing.nic_layout_desired_state([{'interface': 'Data', 'role': 'data', 'gateway': '198.51.100.1'},
                                                                    {'interface': 'Management', 'role': 'management'}]) }}"
"""

RETURN = r"""
_value:
  description: The desired state and what the role reports.
  type: dict
  contains:
    desired:
      description: The options of M(winnet.routing.desired_state) (C(addresses), C(routes), C(interfaces)).
      type: dict
    changes:
      description: The number of operations the desired state plans on this state (0 when the host is already right).
      type: int
    data:
      description: The alias of the data NIC.
      type: str
    learned_gateways:
      description:
        - The default routes of non-data NICs that DHCP or router advertisements install (C(interface), C(role),
          C(destination), C(next_hop), C(protocol)); removing them lasts until the next lease renewal or advertisement.
      type: list
      elements: dict
"""

from ansible_collections.winnet.routing.plugins.module_utils.role_states import layout_desired
from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('nic_layout_desired_state', DOCUMENTATION)
def nic_layout_desired_state(state, nics):
    return layout_desired(make_engine(state).state, nics)


class FilterModule:
    def filters(self):
        return {'nic_layout_desired_state': nic_layout_desired_state}
