# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: parse_netroute_json
short_description: Merge ConvertTo-Json output of Get-NetRoute, Get-NetIPInterface and Get-NetIPAddress into a HostState
version_added: 0.1.0
author: winnet.routing maintainers (@winnet)
description:
  - Reads C(ConvertTo-Json) output of C(Get-NetRoute), C(Get-NetIPInterface) and C(Get-NetIPAddress) and merges it into one
    HostState (schema v1). Each object is recognised by its CIM class (C(CimSystemProperties.ClassName)) or its properties,
    so the three outputs may come as separate texts, one array, or already parsed data.
  - Understands Windows PowerShell 5.1 (numeric enums such as C(AddressFamily=2), C(Store=1), C(ConnectionState=1),
    C(AddressState=4), and the dumped C(CimClass), C(CimInstanceProperties) and C(CimSystemProperties) keys) and PowerShell 7
    (enum names such as C(IPv4), C(Enabled), C(Preferred), C(ActiveStore)). The numeric values follow the MSFT_NetRoute,
    MSFT_NetIPInterface and MSFT_NetIPAddress class documentation.
  - C(RouteMetric) is the route metric alone; the interface metric comes from C(Get-NetIPInterface), or from the
    C(InterfaceMetric) the route objects carry when only C(Get-NetRoute) is given.
  - Whatever was not given is listed in C(partial), for example C(interfaces.settings) without C(Get-NetIPInterface) and
    C(addresses) without C(Get-NetIPAddress) (the addresses are then read off the host routes Windows creates for them).
  - A text may also be given as the bytes of a file, or as text that went through the wrong decoding. UTF-8, UTF-16 LE
    and BE (what C(ConvertTo-Json > file) writes in Windows PowerShell 5.1) and the ANSI code pages (what C(Set-Content)
    writes) are told apart by detection; C(parse_notes) says how the text was decoded.
  - Malformed or truncated input fails with a message naming the element, for example C([2].DestinationPrefix) or
    C(line 40, column 5) of the JSON text.
options:
  _input:
    description: One C(ConvertTo-Json) text (or the bytes of a file), a list of such texts, or parsed objects and arrays.
    type: raw
    required: true
seealso:
  - name: Auditing state you cannot reach
    description: How to analyse exported state with the collection's filters.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_exported_state.rst
"""

EXAMPLES = r"""
# On the Windows host (PowerShell 5.1 or 7), written as UTF-8:
#   Get-NetRoute -PolicyStore ActiveStore | ConvertTo-Json | Out-File -Encoding utf8 routes.json
#   Get-NetIPInterface | ConvertTo-Json | Out-File -Encoding utf8 interfaces.json
#   Get-NetIPAddress | ConvertTo-Json | Out-File -Encoding utf8 addresses.json
- name: Build the state of a host from its exported cmdlet output
  ansible.builtin.set_fact:
    exported_state: >-
      {{ [lookup('ansible.builtin.file', 'export/routes.json'),
          lookup('ansible.builtin.file', 'export/interfaces.json'),
          lookup('ansible.builtin.file', 'export/addresses.json')] | winnet.routing.parse_netroute_json }}

- name: List what is wrong with it
  ansible.builtin.debug:
    msg: "{{ exported_state | winnet.routing.route_findings }}"
"""

RETURN = r"""
_value:
  description:
    - A HostState (schema C(winnet.routing/v1)) with C(interfaces), C(addresses), C(routes), C(partial) and
      C(source=netroute_json); C(parse_notes) lists objects that were read but left out (anycast addresses).
  type: dict
"""

from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json as _parse
from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter


@engine_filter('parse_netroute_json', DOCUMENTATION)
def parse_netroute_json(data):
    return _parse(data)


class FilterModule:
    def filters(self):
        return {'parse_netroute_json': parse_netroute_json}
