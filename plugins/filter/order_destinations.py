# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: order_destinations
short_description: Order a name's addresses the way Windows tries them (dual stack)
version_added: 0.1.0
author: winnet.routing maintainers
description:
  - When a name resolves to several addresses, Windows sorts them (RFC 6724 destination address selection with its
    prefix policy table) before connecting. This filter predicts that order for a host.
  - Unreachable destinations (no route) go last; then matching scope and label, then precedence (native IPv6 40 before
    IPv4 35 by default), then the longest matching prefix with the source.
positional: destinations
options:
  destinations:
    description: The addresses a name resolves to.
    type: list
    elements: str
    required: true
  prefer_ipv4:
    description: Model C(DisabledComponents) bit C(0x20) ("prefer IPv4 over IPv6 in prefix policies").
    type: bool
    default: false
extends_documentation_fragment:
  - winnet.routing.engine
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: Which address of a dual-stack name is tried first?
  ansible.builtin.debug:
    msg: "{{ (winnet_state | winnet.routing.order_destinations(['2001:db8::1', '203.0.113.1']) | first).address }}"
"""

RETURN = r"""
_value:
  description: The destinations in the order Windows tries them.
  type: list
  elements: dict
  contains:
    address:
      description: The destination address.
      type: str
    reachable:
      description: Whether the host has a route to it.
      type: bool
    source:
      description: The source address Windows would use for it.
      type: str
    precedence:
      description: The precedence from the prefix policy table.
      type: int
    label:
      description: The label from the prefix policy table.
      type: int
"""

from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('order_destinations', DOCUMENTATION)
def order_destinations(state, destinations, prefer_ipv4):
    return make_engine(state).order_destinations(destinations, prefer_ipv4=prefer_ipv4)


class FilterModule:
    def filters(self):
        return {'order_destinations': order_destinations}
