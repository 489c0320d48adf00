# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: parse_route_print
short_description: Read the output of Windows C(route print) or C(netstat -rn) into a (partial) HostState
version_added: 0.1.0
author: winnet.routing maintainers (@winnet)
description:
  - Reads the output of C(route print), C(route print -4), C(route print -6) or C(netstat -rn) (the C(Interface List), the
    IPv4 and the IPv6 route tables, each with its active and persistent routes) from Windows Vista / Server 2008 to Windows 11
    / Server 2025, and returns a HostState (schema v1) that every other filter of the collection accepts, so an export pasted
    in a ticket can be audited offline.
  - The output may be in any display language. Its parts are found by their shape (separator lines, rows of addresses, the
    order Windows prints them in), not by their English headings; the headings, the word for on-link in the gateway column
    (C(On-link), C(Auf Verbindung), C(En vínculo), C(在链路上)...) and the word for a persistent route without a metric
    (C(Default), C(Standard), C(Par défaut)...) of English, German, French, Spanish, Italian, Portuguese, Dutch, Polish,
    Russian, Czech, Turkish, Japanese, Chinese and Korean are known, as hints. A prompt line before the output and after it
    is ignored; indentation lost in a paste does not matter.
  - The text may also be given as the bytes of a file, or as text that went through the wrong decoding. UTF-8 (with or
    without byte order mark), UTF-16 LE and BE (with or without byte order mark, what C(route print > file) writes in
    Windows PowerShell 5.1) and the console code pages (437, 850, 852, 857, 866, 932, 936, 949, 950) and ANSI code pages
    are told apart by detection; C(parse_notes) says how the text was decoded.
  - The C(Metric) column of C(route print) is the route metric B(plus) the interface metric. The filter recovers each
    interface metric from the routes Windows creates by itself, whose route metric is always 256 (the printed metric of the
    interface's own host route minus 256), and stores the route metric alone, as C(Get-NetRoute) does.
    A metric given through O(interfaces) wins over the derived one.
  - When no interface metric can be known, the interface gets metric 0 with C(metric_unknown=true), its routes keep the
    printed sum as C(route_metric) and carry C(metric_is_sum=true), and C(partial) lists C(interfaces.metric); the
    effective metric stays right.
  - The IPv4 table names interfaces by an address. Each address is tied to its interface index through O(interfaces), the
    loopback address C(127.0.0.1), a metric that matches the interface's IPv6 metric and no other, or elimination. An address
    none of these ties gets a stand-in interface (an index counted down from 2147483647, with an alias naming the address)
    marked with C(index_candidates), the interfaces it can be; C(partial) lists C(interfaces.index) and C(parse_notes) says
    how to tie it. Its routes are kept; P(winnet.routing.route_lookup#filter) flags every answer through it with
    C(interface_unpinned) and P(winnet.routing.route_findings#filter) reports it as C(interface_not_pinned).
  - A persistent route takes its interface from the IPv6 table, from an identical active route, or from the interface whose
    subnet holds its gateway, else from a stand-in. An interface that holds routes but is missing from the Interface List is
    added. A list cut off after a complete row keeps its rows and marks the family's routes partial (C(routes.ipv4),
    C(routes.ipv6), C(routes.persistent)); so does an output that holds only some routes (C(route print -4), a destination
    filter, a part of the table).
  - C(route print) does not show aliases (the description stands in), protocols (system routes are C(local), the others
    C(netmgmt)), interface settings, DNS registration, link speeds or address prefix lengths (derived from the on-link
    subnet routes); C(partial) says so.
  - "Text that is not a route table is refused with a message that says what was expected and what was found (no text, the
    output of ipconfig, the routing table of Linux, macOS or another tool, the C(route print) of Windows XP, headings without
    rows, two outputs pasted together). A malformed row fails with a message naming the line, for example
    C(line 27: netmask 255.0.255.0 is not contiguous)."
positional: interfaces
options:
  _input:
    description: The complete output of C(route print) or C(netstat -rn), as text or as the bytes of a file.
    type: raw
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
    description: A worked example with a C(route print) pasted in a support ticket, and the export commands to run on a host.
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
    - C(parse_notes), when present, lists in one sentence each how the text was decoded, how an IPv4 interface address was
      matched to its interface when no argument said so, and what could not be placed (stand-ins, cut-off lists).
    - The keys of states read from exports (C(index_candidates), C(metric_unknown), C(metric_is_sum),
      C(metric_unspecified)) are described with the return values of M(winnet.routing.net_info).
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
