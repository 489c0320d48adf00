# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: route_coverage
short_description: Which interface every destination of an address family leaves by, and which routes never win
version_added: 0.1.0
author: winnet.routing maintainers
description:
  - Answers for the whole address space at once what P(winnet.routing.route_lookup#filter) answers for one destination
    (the ranges of destinations whose packets leave by each interface, the ranges no route reaches, and the active routes
    that win for no destination at all).
  - The choice is the engine's, rule for rule. Only routes of the ActiveStore on a connected interface compete, a default
    route on an interface with IgnoreDefaultRoutes does not; the longest matching prefix wins, then the lowest route metric
    + interface metric.
  - "Ties: when routes of one prefix tie at the best effective metric, Windows picks one by an undocumented order. The
    range goes to the route P(winnet.routing.route_lookup#filter) shows (the first in Get-NetRoute order), and none of the
    tied routes is listed as shadowed, since Windows may pick any of them. P(winnet.routing.route_findings#filter)
    reports such ties as C(route_tie)."
  - Destinations the host delivers to itself are listed under the interface the lookup names for them, as the lookup
    does; an address of the host under the interface that holds it, the loopback range (C(127.0.0.0/8), C(::1)) under
    the Loopback Pseudo-Interface. A state that does not list the Loopback Pseudo-Interface has no interface for the
    loopback range; its routes then decide where it is listed.
  - The coverage is that of an unbound sender (no source address, no interface constraint), the case of a new outbound
    connection. A socket bound to an address of an interface without weak host send sends only by that interface (strong
    host send), so replies may use a route listed here as shadowed; P(winnet.routing.route_findings#filter) reports a
    static route as C(shadowed_route) only when such traffic cannot use it either.
  - IPv6 link-local destinations (C(fe80::/10)) need a zone, which names the interface; without one, as here, the engine
    picks the link-local route of the lowest effective metric (and P(winnet.routing.route_lookup#filter) reports
    C(ambiguous_zone)). Multicast and the limited broadcast go by the interface shown unless the application chooses one.
  - The cost grows with the number of routes (one pass over the sorted prefixes), not with the size of the address space;
    the answer holds one CIDR per aligned block, so a table whose routes carve many holes out of shorter prefixes gives a
    long list. Loading a large state costs more than the coverage itself; the performance guide has the measurements.
positional: family
options:
  family:
    description: The address family.
    type: str
    choices: [ipv4, ipv6]
    default: ipv4
extends_documentation_fragment:
  - winnet.routing.engine
seealso:
  - ref: ansible_collections.winnet.routing.docsite.guide_route_selection
    description: How Windows chooses a route, rule by rule.
  - ref: ansible_collections.winnet.routing.docsite.guide_performance
    description: How fast the engine and route_coverage are, and how to measure it.
"""

EXAMPLES = r"""
# web01 has two NICs. NIC1 (index 3, interface metric 25) holds 192.0.2.10/24 and the default gateway.
# NIC2 (index 4, interface metric 35) holds 198.51.100.10/24, routes 10.0.0.0/8 through two gateways,
# and 203.0.113.0/24, which two more specific routes on NIC1 cover completely.
- name: A host state (what winnet.routing.net_info gathers, written out here)
  ansible.builtin.set_fact:
    web01:
      schema: winnet.routing/v1
      interfaces:
        - {index: 3, alias: NIC1, ipv4: {metric: 25}}
        - {index: 4, alias: NIC2, ipv4: {metric: 35}}
      addresses:
        - {address: 192.0.2.10, prefix_length: 24, interface: 3}
        - {address: 198.51.100.10, prefix_length: 24, interface: 4}
      routes:
        - {destination: 0.0.0.0/0, next_hop: 192.0.2.1, interface: 3, route_metric: 0, protocol: netmgmt}
        - {destination: 203.0.113.0/24, next_hop: 198.51.100.1, interface: 4, route_metric: 0, protocol: netmgmt}
        - {destination: 203.0.113.0/25, next_hop: 192.0.2.1, interface: 3, route_metric: 0, protocol: netmgmt}
        - {destination: 203.0.113.128/25, next_hop: 192.0.2.1, interface: 3, route_metric: 0, protocol: netmgmt}
        - {destination: 10.0.0.0/8, next_hop: 198.51.100.1, interface: 4, route_metric: 10, protocol: netmgmt}
        - {destination: 10.0.0.0/8, next_hop: 198.51.100.2, interface: 4, route_metric: 20, protocol: netmgmt}

- name: Where does traffic leave?
  ansible.builtin.set_fact:
    coverage: "{{ web01 | winnet.routing.route_coverage('ipv4') }}"

- name: NIC2 carries its subnet and 10.0.0.0/8, NIC1 everything else; nothing is unrouted
  ansible.builtin.assert:
    that:
      - coverage.by_interface.NIC2 == ['10.0.0.0/8', '198.51.100.0/24']
      - coverage.by_interface.NIC1[:3] == ['0.0.0.0/5', '8.0.0.0/7', '11.0.0.0/8']
      - coverage.by_interface.NIC1 | length == 30
      - coverage.unrouted == []

- name: >-
    Shadowed: NIC2's 203.0.113.0/24 (covered by the two /25 on NIC1), its second 10.0.0.0/8 (effective metric 55
    against 45), and NIC2's multicast and broadcast routes (NIC1's copies have the lower interface metric)
  ansible.builtin.assert:
    that:
      - >-
        coverage.shadowed | map(attribute='destination') | list
        == ['203.0.113.0/24', '10.0.0.0/8', '224.0.0.0/4', '255.255.255.255/32']

- name: >-
    route_findings reports only the dead static route: replies from 198.51.100.10 may only leave by NIC2 (strong host
    send) and still take 203.0.113.0/24 there, while 10.0.0.0/8 via 198.51.100.2 loses to 198.51.100.1 for them too
  ansible.builtin.assert:
    that: findings | map(attribute='routes') | map('first') | map(attribute='next_hop') | list == ['198.51.100.2']
  vars:
    findings: "{{ web01 | winnet.routing.route_findings | selectattr('id', 'eq', 'shadowed_route') | list }}"

- name: Fail when some IPv4 destinations have no route at all
  ansible.builtin.assert:
    that: (web01 | winnet.routing.route_coverage).unrouted | length == 0
    fail_msg: "No route to {{ (web01 | winnet.routing.route_coverage).unrouted | join(', ') }}"
"""

RETURN = r"""
_value:
  description:
    - The coverage of the family. The ranges of C(by_interface) and C(unrouted) are disjoint and together
      cover the whole address space of the family (C(0.0.0.0/0) or C(::/0)).
  type: dict
  contains:
    by_interface:
      description:
        - Per interface alias, the destinations whose packets leave by it, as the fewest CIDR blocks, in address order.
          Every interface bound to the family is listed, with an empty list when no destination leaves by it (for
          example a disconnected interface).
      type: dict
      sample: {NIC1: ["0.0.0.0/1", "128.0.0.0/2"], NIC2: ["198.51.100.0/24"]}
    unrouted:
      description: The destinations no route matches (route_lookup answers C(no_route)), as CIDR blocks in address order.
      type: list
      elements: str
    shadowed:
      description:
        - The eligible ActiveStore routes that win for no destination (for an unbound sender), in the state's route order,
          each in the shape of a finding's C(routes). A route is shadowed when more specific routes take every destination
          of its prefix, or when another route of the same prefix has a lower effective metric.
        - Routes that cannot compete at all (disconnected interface, IgnoreDefaultRoutes) are not listed; see
          P(winnet.routing.effective_routes#filter).
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
        route_metric:
          description: The route's own metric.
          type: int
        store:
          description: Always C(active).
          type: str
        protocol:
          description: How the route was created (C(netmgmt) for a static route, C(local) for a route Windows adds itself).
          type: str
"""

from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('route_coverage', DOCUMENTATION)
def route_coverage(state, family):
    return make_engine(state).route_coverage(family)


class FilterModule:
    def filters(self):
        return {'route_coverage': route_coverage}
