# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The raw reads a Windows host would send for a HostState: the bundle of WinnetState.psm1.

Test tooling, not part of the collection's product: the simulated host of the live-path harness
answers net_info and net_apply with these bundles, and the unit tests use them to check that
the controller's normaliser reads them back. Two styles are rendered, as the host's PowerShell
serialises them: ``numeric`` (enums as numbers, what ConvertTo-Json writes in Windows PowerShell
5.1) and ``named`` (enums as their names, what arrives through other paths, such as remoting).

Only what the state records is rendered: an address without ``prefix_origin`` gets no
``PrefixOrigin``, an adapter without a known link speed reports NDIS_LINK_SPEED_UNKNOWN, and so
on, so that reading a rendered bundle gives the state back exactly.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import BUNDLE_SCHEMA

STYLES = ('numeric', 'named')
NDIS_LINK_SPEED_UNKNOWN = 2 ** 64 - 1

_FAMILY = {'ipv4': (2, 'IPv4'), 'ipv6': (23, 'IPv6')}
_SWITCH = {False: (0, 'Disabled'), True: (1, 'Enabled')}
_CONNECTION = {False: (0, 'Disconnected'), True: (1, 'Connected')}
_STORE = {'active': (1, 'ActiveStore'), 'persistent': (0, 'PersistentStore')}
_ADDRESS_STATE = {'invalid': (0, 'Invalid'), 'tentative': (1, 'Tentative'), 'duplicate': (2, 'Duplicate'),
                  'deprecated': (3, 'Deprecated'), 'preferred': (4, 'Preferred')}
_PREFIX_ORIGIN = {'other': (0, 'Other'), 'manual': (1, 'Manual'), 'well_known': (2, 'WellKnown'), 'dhcp': (3, 'Dhcp'),
                  'router_advertisement': (4, 'RouterAdvertisement')}
_SUFFIX_ORIGIN = {'other': (0, 'Other'), 'manual': (1, 'Manual'), 'well_known': (2, 'WellKnown'), 'dhcp': (3, 'Dhcp'),
                  'link': (4, 'Link'), 'random': (5, 'Random')}
_PROTOCOL = {'other': (1, 'Other'), 'local': (2, 'Local'), 'netmgmt': (3, 'NetMgmt'), 'dhcp': (19, 'Dhcp'),
             'router_advertisement': (24, 'RouterAdvertisement')}
_NETBIOS = {'default': 0, 'enabled': 1, 'disabled': 2}
# IANA ifType and NDIS physical medium of each interface kind.
_KIND_ADAPTER = {
    'ethernet': {'InterfaceType': 6, 'NdisPhysicalMedium': 14, 'ComponentID': 'pci\\ven_15ad&dev_07b0'},
    'wifi': {'InterfaceType': 71, 'NdisPhysicalMedium': 9, 'ComponentID': 'pci\\ven_8086&dev_2723'},
    'loopback_adapter': {'InterfaceType': 6, 'NdisPhysicalMedium': 0, 'ComponentID': '*msloop'},
    'loopback_pseudo': {'InterfaceType': 24, 'NdisPhysicalMedium': 0, 'ComponentID': None},
    'tunnel': {'InterfaceType': 131, 'NdisPhysicalMedium': 0, 'ComponentID': 'ms_tunnel'},
    'other': {'InterfaceType': 1, 'NdisPhysicalMedium': 0, 'ComponentID': 'other'},
}


def _enum(table, key, style):
    number, name = table[key]
    return number if style == 'numeric' else name


def instance_id(iface):
    """The PnP instance id the simulated host gives an interface's device."""
    if iface.get('instance_id'):
        return iface['instance_id']
    if iface.get('kind') == 'loopback_adapter':
        return 'ROOT\\NET\\%04d' % iface['index']
    return 'PCI\\VEN_15AD&DEV_07B0\\%08X' % iface['index']


def setting_id(iface):
    """The adapter GUID (Win32_NetworkAdapterConfiguration SettingID) of an interface."""
    return '{%08X-0000-4000-8000-%012X}' % (iface['index'], iface['index'])


def _has_adapter(iface):
    return iface.get('kind') not in ('other', 'loopback_pseudo') or iface.get('description') is not None


def render_bundle(state, style='numeric', hostname=None):
    """The bundle of raw reads (a dictionary, as ConvertTo-Json gives it) of a HostState dictionary."""
    if style not in STYLES:
        raise ValueError('style must be one of %s' % ', '.join(STYLES))
    reads = {name: [] for name in ('ip_interfaces', 'adapters', 'ip_addresses', 'ip_addresses_persistent', 'routes', 'routes_persistent',
                                   'dns_clients', 'bindings', 'netbios', 'statistics', 'firewall_rules', 'firewall_address_filters',
                                   'firewall_port_filters', 'connection_names')}
    for iface in state['interfaces']:
        for family in ('ipv4', 'ipv6'):
            settings = iface.get(family)
            if settings is None:
                continue
            reads['ip_interfaces'].append({
                'InterfaceIndex': iface['index'], 'InterfaceAlias': iface['alias'], 'AddressFamily': _enum(_FAMILY, family, style),
                'InterfaceMetric': settings['metric'], 'AutomaticMetric': _enum(_SWITCH, settings.get('automatic_metric', False), style),
                'WeakHostSend': _enum(_SWITCH, settings.get('weak_host_send', False), style),
                'WeakHostReceive': _enum(_SWITCH, settings.get('weak_host_receive', False), style),
                'Forwarding': _enum(_SWITCH, settings.get('forwarding', False), style),
                'IgnoreDefaultRoutes': _enum(_SWITCH, settings.get('ignore_default_routes', False), style),
                'Dhcp': _enum(_SWITCH, settings.get('dhcp', False), style),
                'ConnectionState': _enum(_CONNECTION, iface.get('connected', True), style)})
        if _has_adapter(iface):
            kind = _KIND_ADAPTER[iface.get('kind', 'other')]
            reads['adapters'].append(dict(kind, **{
                'InterfaceIndex': iface['index'], 'Name': iface['alias'], 'InterfaceDescription': iface.get('description'),
                'MacAddress': iface.get('mac', ''), 'Speed': iface.get('link_speed_bps', NDIS_LINK_SPEED_UNKNOWN),
                'PnPDeviceID': instance_id(iface), 'Status': 'Up' if iface.get('connected', True) else 'Disconnected', 'Hidden': False}))
            reads['connection_names'].append({'Key': setting_id(iface), 'Name': iface['alias'], 'PnPInstanceId': instance_id(iface)})
            # bindings and statistics name their adapter by its description (Windows always has one)
            for component, bound in sorted((iface.get('bindings') or {}).items() if iface.get('description') else ()):
                reads['bindings'].append({'Name': iface['alias'], 'InterfaceDescription': iface.get('description'),
                                          'ComponentID': component, 'Enabled': bound})
            if iface.get('discards') is not None and iface.get('description'):
                reads['statistics'].append({'Name': iface['alias'], 'InterfaceDescription': iface.get('description'),
                                            'ReceivedDiscardedPackets': iface['discards'].get('received', 0),
                                            'OutboundDiscardedPackets': iface['discards'].get('outbound', 0)})
        reads['dns_clients'].append({'InterfaceIndex': iface['index'], 'InterfaceAlias': iface['alias'],
                                     'RegisterThisConnectionsAddress': iface.get('register_dns', True)})
        if iface.get('netbios') is not None:
            reads['netbios'].append({'InterfaceIndex': iface['index'], 'SettingID': setting_id(iface), 'IPEnabled': True,
                                     'TcpipNetbiosOptions': _NETBIOS[iface['netbios']]})
    aliases = {iface['index']: iface['alias'] for iface in state['interfaces']}
    for addr in state['addresses']:
        store = addr.get('store', 'active')
        family = 'ipv6' if ':' in addr['address'] else 'ipv4'
        text = addr['address']
        if text.lower().startswith('fe80:'):
            text = '%s%%%d' % (text, addr['interface'])     # Windows writes the zone of a link-local address
        row = {'IPAddress': text, 'InterfaceIndex': addr['interface'], 'InterfaceAlias': aliases.get(addr['interface']),
               'AddressFamily': _enum(_FAMILY, family, style), 'PrefixLength': addr['prefix_length'], 'Type': 1 if style == 'numeric' else 'Unicast',
               'AddressState': _enum(_ADDRESS_STATE, addr.get('state', 'preferred'), style) if store == 'active' else None,
               'PrefixOrigin': _enum(_PREFIX_ORIGIN, addr['prefix_origin'], style) if addr.get('prefix_origin') else None,
               'SuffixOrigin': _enum(_SUFFIX_ORIGIN, addr['suffix_origin'], style) if addr.get('suffix_origin') else None,
               'SkipAsSource': addr.get('skip_as_source', False), 'Store': _enum(_STORE, store, style)}
        if addr.get('temporary') and not (addr.get('prefix_origin') and addr.get('suffix_origin')):
            row.update(PrefixOrigin=_enum(_PREFIX_ORIGIN, 'router_advertisement', style), SuffixOrigin=_enum(_SUFFIX_ORIGIN, 'random', style))
        reads['ip_addresses' if store == 'active' else 'ip_addresses_persistent'].append(row)
    for route in list(state['routes']) + list(state.get('unbound_routes') or []):
        family = 'ipv6' if ':' in route['destination'] else 'ipv4'
        store = route.get('store', 'active')
        reads['routes' if store == 'active' else 'routes_persistent'].append({
            'DestinationPrefix': route['destination'], 'NextHop': route['next_hop'], 'InterfaceIndex': route['interface'],
            'InterfaceAlias': aliases.get(route['interface']), 'AddressFamily': _enum(_FAMILY, family, style),
            'RouteMetric': route['route_metric'], 'Protocol': _enum(_PROTOCOL, route.get('protocol', 'other'), style),
            'Store': _enum(_STORE, store, style)})
    for rule in state.get('firewall_rules') or []:
        reads['firewall_rules'].append({'Name': rule['name'], 'DisplayName': rule['name'], 'Group': 'winnet.routing',
                                        'Direction': 1 if style == 'numeric' else 'Inbound', 'Action': 2 if style == 'numeric' else 'Allow',
                                        'Enabled': 1 if style == 'numeric' else 'True'})
        reads['firewall_address_filters'].append({'Rule': rule['name'], 'LocalAddress': rule['local_address'], 'RemoteAddress': 'Any'})
        reads['firewall_port_filters'].append({'Rule': rule['name'], 'Protocol': rule['protocol'], 'LocalPort': rule['local_port']})
    for ghost in state.get('nonpresent_adapters') or []:
        reads['connection_names'].append({'Key': '{00000000-0000-4000-8000-000000000000}', 'Name': ghost['name'],
                                          'PnPInstanceId': ghost['instance_id']})
    return {'schema': BUNDLE_SCHEMA, 'hostname': hostname or state.get('hostname') or '', 'os_version': state.get('os_version') or '',
            'powershell_version': '5.1.20348.2400' if style == 'numeric' else '7.4.6', 'reads': reads, 'errors': []}
