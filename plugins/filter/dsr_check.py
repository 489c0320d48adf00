# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dsr_check
short_description: Check whether a Windows host is a working DSR (direct server return) real server for a VIP
version_added: 0.1.0
author: winnet.routing maintainers
description:
  - Judges every requirement of a DSR real server independently, so one run lists everything that is missing.
  - Required checks are C(pass) or C(fail); advisory checks are C(pass) or C(advisory). The host is C(ready) when no check fails.
  - "Checks: C(vip_on_loopback), C(nic_weak_host_receive), C(loopback_weak_host_send), C(loopback_weak_host_receive) (advisory),
    C(nic_weak_host_send) (advisory), C(reply_via_nic), C(vip_prefix), C(loopback_routes), C(vip_not_on_physical_nic),
    C(vip_skip_as_source) (advisory), C(loopback_dns_registration) (advisory)."
positional: vip, nic, clients
options:
  vip:
    description: The virtual IP address the load balancer forwards (IPv4 or IPv6).
    type: str
    required: true
  nic:
    description: The interface (index or alias) that receives the VIP traffic from the load balancer.
    type: raw
    required: true
  clients:
    description: Client addresses whose return path is verified (at least one, same family as the VIP).
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - winnet.routing.engine
  - winnet.routing.engine.weak_send
seealso:
  - name: How Windows chooses a route
    description: The DSR section explains each check.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_route_selection.rst
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: Fail with every missing step and its remediation
  ansible.builtin.assert:
    that: dsr.ready
    fail_msg: "{{ dsr.checks | rejectattr('status', 'eq', 'pass') | map(attribute='remediation') | list }}"
  vars:
    dsr: "{{ winnet_state | winnet.routing.dsr_check(vip='192.0.2.100', nic='Ethernet', clients=['203.0.113.50']) }}"
"""

RETURN = r"""
_value:
  description: The readiness verdict.
  type: dict
  contains:
    ready:
      description: True when no check has status C(fail).
      type: bool
    checks:
      description: One entry per check, with C(id), C(status) (C(pass), C(fail) or C(advisory)), C(message) and C(remediation) (null when passing).
      type: list
      elements: dict
    flows:
      description: One P(winnet.routing.flow_check#filter) result per client, for the flow client -> VIP arriving on the NIC.
      type: list
      elements: dict
    trace:
      description: A line per check.
      type: list
      elements: str
"""

from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('dsr_check', DOCUMENTATION)
def dsr_check(state, vip, nic, clients, weak_send_flag):
    return make_engine(state, weak_send_flag=weak_send_flag).dsr_check(vip, nic, clients)


class FilterModule:
    def filters(self):
        return {'dsr_check': dsr_check}
