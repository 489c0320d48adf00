# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: effective_routes
short_description: The active routes of a family with their interface metric and effective metric
version_added: 0.1.0
author: winnet.routing maintainers
description:
  - Lists the ActiveStore routes of one address family, sorted like C(route print) (by destination, then prefix length,
    then effective metric), each with the interface metric of its own interface and family and the effective metric
    (route metric + interface metric) that Windows compares.
  - Routes that are in the ActiveStore but cannot be chosen (disconnected interface, IgnoreDefaultRoutes) are listed with
    C(eligible=false) and the reason.
positional: family
options:
  family:
    description: The address family.
    type: str
    choices: [ipv4, ipv6]
    default: ipv4
extends_documentation_fragment:
  - winnet.routing.engine
"""

EXAMPLES = r"""
# winnet-example: on dsr-ok-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: Show the IPv6 table with effective metrics
  ansible.builtin.debug:
    msg: "{{ winnet_state | winnet.routing.effective_routes('ipv6') }}"
"""

RETURN = r"""
_value:
  description: The routes.
  type: list
  elements: dict
  contains:
    destination:
      description: The destination prefix.
      type: str
    next_hop:
      description: The next hop (C(0.0.0.0) or C(::) for on-link).
      type: str
    interface:
      description: Interface index.
      type: int
    interface_alias:
      description: Interface alias.
      type: str
    route_metric:
      description: The route's own metric (Get-NetRoute RouteMetric).
      type: int
    interface_metric:
      description: The interface metric of the route's interface and family.
      type: int
    effective_metric:
      description: route_metric + interface_metric, the number Windows compares (and C(route print) shows).
      type: int
    protocol:
      description: How the route was created.
      type: str
    store:
      description: Always C(active).
      type: str
    eligible:
      description: Whether the route can be chosen.
      type: bool
    ineligible_reason:
      description: C(InterfaceDisconnected) or C(IgnoreDefaultRoutes) when not eligible, else null.
      type: str
"""

from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('effective_routes', DOCUMENTATION)
def effective_routes(state, family):
    return make_engine(state).effective_routes(family)


class FilterModule:
    def filters(self):
        return {'effective_routes': effective_routes}
