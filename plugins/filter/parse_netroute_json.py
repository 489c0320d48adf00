# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: parse_netroute_json
short_description: Merge ConvertTo-Json output of the Windows network cmdlets, or a bundle of raw reads, into a HostState
version_added: 0.1.0
author: winnet.routing maintainers (@winnet)
description:
  - Reads C(ConvertTo-Json) output of C(Get-NetRoute), C(Get-NetIPInterface) and C(Get-NetIPAddress) and merges it into one
    HostState (schema v1). Each object is recognised by its CIM class (C(CimSystemProperties.ClassName)) or its properties,
    so the outputs may come as separate texts, one array, or already parsed data. The output of C(Get-NetAdapter -IncludeHidden)
    (kinds, link speeds, descriptions), C(Get-DnsClient) (DNS registration), C(Get-NetAdapterBinding), C(Get-NetAdapterStatistics)
    and C(Win32_NetworkAdapterConfiguration) (NetBIOS over TCP/IP) is read too when given.
  - A bundle of raw reads (C(schema=winnet.routing/bundle-v1)), which M(winnet.routing.net_info) gathers and the PowerShell
    command C(Export-WinnetBundle) writes on a host without Ansible, gives the whole state of its host; it is read on its own.
    This is the code M(winnet.routing.net_info) itself uses, so what a user exports and what the module gathers are read alike.
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
  - Link-local addresses lose the zone Windows writes after them (C(fe80::1%12) on interface 12). Persistent copies of
    addresses (C(Store) 0, C(PersistentStore)) are listed with C(store=persistent). A route protocol the schema does not
    name is C(other); a prefix or suffix origin it does not know is C(other) and noted in C(parse_notes).
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
      C(source=netroute_json) (for a bundle, C(hostname), C(os_version) and no C(source)); C(parse_notes) lists what
      was read but left out (anycast addresses, a read that failed on the host). Routes whose interface has no IP
      interface of their family are listed apart in C(unbound_routes) when C(Get-NetIPInterface) output is given.
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
