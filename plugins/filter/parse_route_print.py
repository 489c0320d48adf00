# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: parse_route_print
short_description: Read the output of Windows C(route print) into a (partial) HostState
version_added: 0.1.0
author: winnet.routing maintainers (@winnet)
description:
  - Reads the English output of C(route print) from Windows Server 2016, 2019, 2022 and 2025 (the C(Interface List), the
    C(IPv4 Route Table) and the C(IPv6 Route Table), each with its active and persistent routes) and returns a HostState
    (schema v1) that every other filter of the collection accepts, so an export pasted in a ticket can be audited offline.
  - The C(Metric) column of C(route print) is the route metric B(plus) the interface metric. The filter recovers each
    interface metric from the routes Windows creates by itself, whose route metric is always 256 (the printed metric of the
    interface's own host route minus 256), and stores the route metric alone, as C(Get-NetRoute) does.
    A metric given through O(interfaces) wins over the derived one.
  - When no interface metric can be known, the interface gets metric 0, its routes keep the printed sum as C(route_metric)
    and carry C(metric_is_sum=true), and C(partial) lists C(interfaces.metric); the effective metric stays right.
  - The IPv4 table names interfaces by an address. Each address is tied to its interface index through O(interfaces),
    the loopback address C(127.0.0.1), a metric that matches the interface's IPv6 metric and no other, or elimination; when
    none of these decides, the filter fails and asks for O(interfaces).
  - C(route print) does not show aliases (the description stands in), protocols (system routes are C(local), the others
    C(netmgmt)), interface settings, DNS registration, link speeds or address prefix lengths (derived from the on-link
    subnet routes); C(partial) says so. Persistent routes whose interface cannot be found are left out and explained in
    C(parse_notes).
  - "Malformed or truncated text fails with a message naming the line, for example C(line 27: netmask 255.0.255.0 is not contiguous)."
positional: interfaces
options:
  _input:
    description: The complete output of C(route print), as text.
    type: str
    required: true
  interfaces:
    description:
      - What C(route print) cannot show. A list of mappings (or one mapping, or C(ConvertTo-Json) text) with C(index) (or
        C(alias), matched against the interface descriptions), C(metric) (both families unless C(family) is given), and
        C(addresses) (the interface's addresses, ties IPv4 interface column addresses to the index).
      - C(Get-NetIPInterface) objects (C(InterfaceIndex), C(InterfaceAlias), C(AddressFamily), C(InterfaceMetric)) and
        C(Get-NetIPAddress) objects (C(IPAddress), C(InterfaceIndex)) are accepted as they are.
    type: raw
seealso:
  - name: Auditing state you cannot reach
    description: A worked example with a C(route print) pasted in a support ticket.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_exported_state.rst
"""

EXAMPLES = r"""
- name: Read a route print export attached to a ticket
  ansible.builtin.set_fact:
    ticket_state: "{{ lookup('ansible.builtin.file', 'ticket-4711/route-print.txt') | winnet.routing.parse_route_print }}"

- name: Which interface and gateway does the host use for 203.0.113.80?
  ansible.builtin.debug:
    msg: "{{ ticket_state | winnet.routing.route_lookup('203.0.113.80') }}"

- name: Give the interface metrics and addresses the customer also sent (Get-NetIPInterface)
  ansible.builtin.set_fact:
    ticket_state: >-
      {{ lookup('ansible.builtin.file', 'ticket-4711/route-print.txt')
         | winnet.routing.parse_route_print(interfaces=[{'index': 6, 'alias': 'Data', 'metric': 15, 'addresses': ['198.51.100.10']},
                                                         {'index': 3, 'alias': 'Management', 'metric': 25, 'addresses': ['203.0.113.10']}]) }}
"""

RETURN = r"""
_value:
  description:
    - A HostState (schema C(winnet.routing/v1)) with C(interfaces), C(addresses), C(routes) (active and persistent),
      C(partial) (what the export cannot tell) and C(source=route_print).
    - C(parse_notes), when present, lists in one sentence each what was read but could not be placed, and how an IPv4
      interface address was matched to its interface when no argument said so.
  type: dict
"""

from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print as _parse
from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter


@engine_filter('parse_route_print', DOCUMENTATION)
def parse_route_print(text, interfaces):
    return _parse(text, interfaces=interfaces)


class FilterModule:
    def filters(self):
        return {'parse_route_print': parse_route_print}
