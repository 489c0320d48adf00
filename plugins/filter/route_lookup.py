# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: route_lookup
short_description: Predict the route, interface and source address Windows picks for a destination
version_added: 0.1.0
author: winnet.routing maintainers
description:
  - Evaluates a HostState (schema v1, as returned by M(winnet.routing.net_info) or a parser) the way the Windows TCP/IP
    stack of Server 2016 to 2025 does, rule by rule.
  - Only ActiveStore routes on connected interfaces count; IgnoreDefaultRoutes removes an interface's default routes; the
    longest prefix wins; among equally long prefixes the lowest B(route metric + interface metric) of the route's own
    interface and address family wins. Exact ties are reported, never resolved silently.
  - The source address follows KB 969029 for IPv4 and RFC 6724 with the Windows policy table for IPv6. SkipAsSource,
    deprecated and tentative addresses are handled as Windows does.
  - A given O(source) fixes the source address and, under strong host send, restricts the lookup to the interfaces that
    own it; weak host send on the owning interface lifts that restriction.
  - O(destination) may be a list; the table is compiled once and the answers come back in the same order.
positional: destination
options:
  destination:
    description:
      - The destination address, or a list of them.
      - An IPv6 link-local destination may carry its zone, for example C(fe80::1%7).
    type: raw
    required: true
  source:
    description:
      - A source address the socket is bound to (or the local address of a reply). It must be assigned on the host.
    type: str
  interface:
    description:
      - Restrict routes and source addresses to this interface (index or alias), like C(Find-NetRoute -InterfaceIndex).
      - For an IPv6 link-local destination it is also the zone.
    type: raw
extends_documentation_fragment:
  - winnet.routing.engine
  - winnet.routing.engine.weak_send
seealso:
  - name: How Windows chooses a route
    description: The evaluation model with worked examples.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_route_selection.rst
"""

EXAMPLES = r"""
# winnet-example: on web25-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: Where does traffic to 198.51.100.10 leave, and from which source?
  ansible.builtin.debug:
    msg: "{{ winnet_state | winnet.routing.route_lookup('198.51.100.10') }}"

- name: Many destinations in one call (the table is compiled once)
  ansible.builtin.set_fact:
    egress: "{{ winnet_state | winnet.routing.route_lookup(['198.51.100.10', '203.0.113.7', '2001:db8::1']) }}"

- name: The reply of a service bound to the data address 198.51.100.20 (strong host send applies)
  ansible.builtin.assert:
    that:
      - (winnet_state | winnet.routing.route_lookup('203.0.113.50', source='198.51.100.20')).interface_alias == 'Data'
"""

RETURN = r"""
_value:
  description: The result for the destination, or a list of results in the order of the destinations.
  type: raw
  contains:
    disposition:
      description: C(route), C(local) (delivered on the host, never on the wire) or C(no_route).
      type: str
    interface:
      description: Index of the outgoing interface (for C(local), the interface holding the address).
      type: int
    interface_alias:
      description: Alias of that interface.
      type: str
    next_hop:
      description: The next hop; the destination itself for an on-link route; null when local or no route.
      type: str
    source:
      description: The selected source address, or the given one.
      type: str
    route:
      description: The winning route with C(destination), C(next_hop), C(interface), C(route_metric), C(interface_metric) and C(effective_metric).
      type: dict
    tie:
      description: True when two or more routes share the winning prefix length and effective metric and nothing documented breaks the tie.
      type: bool
    tie_break:
      description: C(RouteOrder (undocumented)) for an unbroken tie, C(source interface) when a bound source broke it, else null.
      type: str
    candidates:
      description: The routes tied at the winning prefix length and effective metric (the winner alone when there is no tie).
      type: list
      elements: dict
    source_tie:
      description: True when the source address rules leave several addresses equal.
      type: bool
    flags:
      description:
        - C(heuristic) (a single pick out of an unbroken tie), C(default_only) (multicast or limited broadcast; applications
          may choose another interface), C(weak_host_send) (the source's interface constraint was lifted by weak host send),
          C(interface_unpinned) (the interface is a stand-in of a state read from an export, which does not show the interface's
          index; see C(index_candidates) of the interface; the route and next hop are right, the interface is not known).
      type: list
      elements: str
    findings:
      description: Findings about this lookup (same shape as P(winnet.routing.route_findings#filter) results), e.g. C(ambiguous_zone).
      type: list
      elements: dict
    trace:
      description: Why, step by step, worded like the route and source selection events of C(Test-NetConnection -DiagnoseRouting).
      type: list
      elements: str
"""

from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('route_lookup', DOCUMENTATION)
def route_lookup(state, destination, source, interface, weak_send_flag):
    engine = make_engine(state, weak_send_flag=weak_send_flag)
    if isinstance(destination, (list, tuple)):
        return engine.lookup_many(list(destination), source=source, interface=interface)
    return engine.lookup(destination, source=source, interface=interface)


class FilterModule:
    def filters(self):
        return {'route_lookup': route_lookup}
