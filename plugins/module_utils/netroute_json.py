# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read ``ConvertTo-Json`` output of the Windows network cmdlets into a HostState dictionary.

This is the one normaliser of the collection: it reads what users export by hand
(``Get-NetRoute``, ``Get-NetIPInterface``, ``Get-NetIPAddress``, ``Get-NetAdapter``,
``Get-DnsClient``, ...) and the raw reads ``net_info`` and ``net_apply`` bring back from a live host
(the *bundle*, see ``BUNDLE_SCHEMA`` and ``BUNDLE_READS``), with the same code and the same enum
tables. PowerShell sends the objects as the cmdlets return them: enums are numbers under Windows
PowerShell 5.1 and some remoting paths and names under others, one object may come where an array
is expected, and link-local addresses carry their zone (``fe80::1%12``). Every decision about those
values (kinds, flags, stores, which rows belong to the state) is taken here.

Malformed input raises ``ParseError`` naming the JSON element (``[2].DestinationPrefix: ...``,
``reads.routes[3].NextHop: ...``). What an export does not tell is listed in the state's
``partial``; what was read but could not be placed is listed in ``parse_notes``.
"""

from __future__ import annotations

import difflib
import json

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.export_common import (
    PARTIAL_ORDER,
    SCHEMA,
    finish,
    kind_from_text,
    prefix_contains,
    unique_alias,
)
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILY_NAME,
    V4,
    V6,
    AddressSyntaxError,
    format_address,
    format_prefix,
    mask,
    parse_address,
    parse_prefix,
    type_name,
)
from ansible_collections.winnet.routing.plugins.module_utils.textcodec import decode

__all__ = ['parse_netroute_json', 'ParseError', 'BUNDLE_SCHEMA', 'BUNDLE_READS', 'BUNDLE_PROPERTIES', 'is_bundle']


# ============================================================================ the bundle of raw reads
# What net_info, net_apply and the stand-alone export (WinnetState.psm1 Export-WinnetBundle) send:
#   {"schema": BUNDLE_SCHEMA, "hostname": ..., "os_version": ..., "powershell_version": ...,
#    "reads": {READ: [objects] ...}, "errors": [{"read": READ, "category": ..., "message": ...}]}
BUNDLE_SCHEMA = 'winnet.routing/bundle-v1'
# read name -> (kind of its objects, policy store of its objects or None); the cmdlet each read runs
# is named in WinnetState.psm1 and in the guide "Auditing state you cannot reach".
BUNDLE_READS = {
    'ip_interfaces': ('interface', None),                 # Get-NetIPInterface -PolicyStore ActiveStore
    'adapters': ('adapter', None),                        # Get-NetAdapter -IncludeHidden
    'ip_addresses': ('address', 'active'),                # Get-NetIPAddress -PolicyStore ActiveStore
    'ip_addresses_persistent': ('address', 'persistent'),  # Get-NetIPAddress -PolicyStore PersistentStore
    'routes': ('route', 'active'),                        # Get-NetRoute -PolicyStore ActiveStore
    'routes_persistent': ('route', 'persistent'),         # Get-NetRoute -PolicyStore PersistentStore
    'dns_clients': ('dns_client', None),                  # Get-DnsClient
    'bindings': ('binding', None),                        # Get-NetAdapterBinding -ComponentID ms_msclient, ms_server -IncludeHidden
    'netbios': ('netbios', None),                         # Win32_NetworkAdapterConfiguration where IPEnabled
    'statistics': ('statistics', None),                   # Get-NetAdapterStatistics -IncludeHidden
    'firewall_rules': ('firewall_rule', None),            # Get-NetFirewallRule -Group winnet.routing -PolicyStore PersistentStore
    'firewall_address_filters': ('firewall_address', None),  # Get-NetFirewallAddressFilter of each of those rules
    'firewall_port_filters': ('firewall_port', None),     # Get-NetFirewallPortFilter of each of those rules
    'connection_names': ('connection_name', None),        # the registry's connection names, present adapters or not
}
# The properties each read keeps of its objects (WinnetState.psm1 selects exactly these; the
# firewall filters are read per rule, with the rule's Name as Rule).
BUNDLE_PROPERTIES = {
    'ip_interfaces': ('InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'InterfaceMetric', 'AutomaticMetric', 'WeakHostSend',
                      'WeakHostReceive', 'Forwarding', 'IgnoreDefaultRoutes', 'Dhcp', 'ConnectionState'),
    'adapters': ('InterfaceIndex', 'Name', 'InterfaceDescription', 'ComponentID', 'MacAddress', 'Speed', 'InterfaceType',
                 'NdisPhysicalMedium', 'PnPDeviceID', 'Status', 'Hidden'),
    'ip_addresses': ('IPAddress', 'InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'PrefixLength', 'Type', 'AddressState',
                     'PrefixOrigin', 'SuffixOrigin', 'SkipAsSource', 'Store'),
    'routes': ('DestinationPrefix', 'NextHop', 'InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'RouteMetric', 'Protocol', 'Store'),
    'dns_clients': ('InterfaceIndex', 'InterfaceAlias', 'RegisterThisConnectionsAddress'),
    'bindings': ('Name', 'InterfaceDescription', 'ComponentID', 'Enabled'),
    'netbios': ('InterfaceIndex', 'SettingID', 'IPEnabled', 'TcpipNetbiosOptions'),
    'statistics': ('Name', 'InterfaceDescription', 'ReceivedDiscardedPackets', 'OutboundDiscardedPackets'),
    'firewall_rules': ('Name', 'DisplayName', 'Group', 'Direction', 'Action', 'Enabled'),
    'firewall_address_filters': ('Rule', 'LocalAddress', 'RemoteAddress'),
    'firewall_port_filters': ('Rule', 'Protocol', 'LocalPort'),
    'connection_names': ('Key', 'Name', 'PnPInstanceId'),
}
BUNDLE_PROPERTIES['ip_addresses_persistent'] = BUNDLE_PROPERTIES['ip_addresses']
BUNDLE_PROPERTIES['routes_persistent'] = BUNDLE_PROPERTIES['routes']
# Without these a live state cannot be built; any other read that failed is left out and said so.
REQUIRED_READS = ('ip_interfaces', 'ip_addresses', 'routes')
# What a state lacks when a read failed (the other reads only add keys beyond the schema).
_PARTIAL_WHEN_MISSING = {
    'adapters': ('interfaces.kind', 'interfaces.link_speed'),
    'dns_clients': ('interfaces.register_dns',),
    'routes_persistent': ('routes.persistent',),
    'ip_addresses_persistent': ('addresses.persistent',),
    'bindings': ('interfaces.bindings',),
    'netbios': ('interfaces.netbios',),
    'statistics': ('interfaces.discards',),
    'connection_names': ('nonpresent_adapters',),
    # Without them the state cannot tell which rules of the group exist: firewall_rule and restore
    # must not read their absence as "no rules".
    'firewall_rules': ('firewall_rules',),
    'firewall_address_filters': ('firewall_rules',),
    'firewall_port_filters': ('firewall_rules',),
}
# The firewall group of the rules this collection manages (firewall_rule module, DSR role).
FIREWALL_GROUP = 'winnet.routing'
# The adapter bindings gathered (ops.COMPONENTS): Client for Microsoft Networks, File and Printer Sharing.
BINDING_COMPONENTS = ('ms_msclient', 'ms_server')
# An NDIS driver that cannot tell its link speed reports NDIS_LINK_SPEED_UNKNOWN, all bits set.
_SPEED_UNKNOWN_FLOOR = 2 ** 63


def is_bundle(data):
    """True for a bundle of raw reads (a mapping whose ``schema`` is ``BUNDLE_SCHEMA``)."""
    return isinstance(data, dict) and data.get('schema') == BUNDLE_SCHEMA


# ============================================================================ enum tables
# The CIM classes of the NetTCPIP, NetAdapter, DnsClient and NetSecurity providers
# (ROOT/StandardCimv2) and Win32_NetworkAdapterConfiguration (ROOT/cimv2). Each table maps the
# number and the name (lower case) of a value; names are matched case-insensitively.
# AddressFamily of MSFT_NetRoute, MSFT_NetIPInterface, MSFT_NetIPAddress
ADDRESS_FAMILY = {2: V4, 23: V6, 'ipv4': V4, 'ipv6': V6}
# Store of MSFT_NetRoute, MSFT_NetIPInterface, MSFT_NetIPAddress (uint8), or the PolicyStore name
_STORE = {0: 'persistent', 1: 'active', 'persistent': 'persistent', 'persistentstore': 'persistent',
          'active': 'active', 'activestore': 'active'}
# MSFT_NetRoute.Protocol (uint16, NL_ROUTE_PROTOCOL): 1 Other, 2 Local, 3 NetMgmt, 4 Icmp, 5 Egp, 6 Ggp,
# 7 Hello, 8 Rip, 9 IsIs, 10 EsIs, 11 Igrp, 12 Bbn, 13 Ospf, 14 Bgp, 15 Idpr, 16 Eigrp, 17 Dvmrp, 18 Rpl,
# 19 Dhcp. Windows' own routing service adds numbers beyond these: any value the schema does not
# name (local, netmgmt, dhcp, router_advertisement) is 'other'.
_ROUTE_PROTOCOL_NAMES = ('other', 'local', 'netmgmt', 'icmp', 'egp', 'ggp', 'hello', 'rip', 'isis', 'esis', 'igrp',
                         'bbn', 'ospf', 'bgp', 'idpr', 'eigrp', 'dvmrp', 'rpl', 'dhcp')
_ROUTE_PROTOCOL = dict((number, name) for number, name in enumerate(_ROUTE_PROTOCOL_NAMES, start=1))
_ROUTE_PROTOCOL.update((name, name) for name in _ROUTE_PROTOCOL_NAMES)
_ROUTE_PROTOCOL['routeradvertisement'] = 'router_advertisement'
_SCHEMA_PROTOCOL = {'local': 'local', 'netmgmt': 'netmgmt', 'dhcp': 'dhcp', 'router_advertisement': 'router_advertisement'}
# MSFT_NetIPInterface.ConnectionState (uint8)
_CONNECTION_STATE = {0: False, 1: True, 'disconnected': False, 'connected': True}
# MSFT_NetIPInterface Forwarding, WeakHostSend, WeakHostReceive, IgnoreDefaultRoutes, Dhcp, AutomaticMetric (uint8)
_DISABLED_ENABLED = {0: False, 1: True, 'disabled': False, 'enabled': True}  # JSON true/false count as 1/0
# MSFT_NetIPAddress.AddressState (uint16, NL_DAD_STATE)
_ADDRESS_STATE = {0: 'invalid', 1: 'tentative', 2: 'duplicate', 3: 'deprecated', 4: 'preferred',
                  'invalid': 'invalid', 'tentative': 'tentative', 'duplicate': 'duplicate',
                  'deprecated': 'deprecated', 'preferred': 'preferred'}
# MSFT_NetIPAddress.PrefixOrigin (uint16)
_PREFIX_ORIGIN = {0: 'other', 1: 'manual', 2: 'well_known', 3: 'dhcp', 4: 'router_advertisement',
                  'other': 'other', 'manual': 'manual', 'wellknown': 'well_known', 'dhcp': 'dhcp',
                  'routeradvertisement': 'router_advertisement'}
# MSFT_NetIPAddress.SuffixOrigin (uint16)
_SUFFIX_ORIGIN = {0: 'other', 1: 'manual', 2: 'well_known', 3: 'dhcp', 4: 'link', 5: 'random',
                  'other': 'other', 'manual': 'manual', 'wellknown': 'well_known', 'dhcp': 'dhcp', 'link': 'link',
                  'random': 'random'}
# MSFT_NetIPAddress.Type (uint8)
_ADDRESS_TYPE = {1: 'unicast', 2: 'anycast', 'unicast': 'unicast', 'anycast': 'anycast'}
# Win32_NetworkAdapterConfiguration.TcpipNetbiosOptions (uint32): NetBIOS over TCP/IP
_NETBIOS = {0: 'default', 1: 'enabled', 2: 'disabled'}
# MSFT_NetAdapter.InterfaceType is the IANA ifType: 6 ethernetCsmacd, 24 softwareLoopback,
# 71 ieee80211, 131 tunnel.
_IFTYPE_KIND = {6: 'ethernet', 24: 'loopback_pseudo', 71: 'wifi', 131: 'tunnel'}
# MSFT_NetAdapter.NdisPhysicalMedium (NDIS_PHYSICAL_MEDIUM) of wireless media: 1 WirelessLan,
# 8 WirelessWan, 9 Native802_11 (and their names).
_WIRELESS_MEDIA = {1, 8, 9, 'wirelesslan', 'wirelesswan', 'native802_11', 'native 802.11', 'wireless lan', 'wireless wan'}
# The KM-TEST loopback adapter's ComponentID (hardware id *MSLOOP); never its translated description.
LOOPBACK_COMPONENT_ID = '*msloop'
# Firewall protocols by IANA number.
_IP_PROTOCOL = {6: 'TCP', 17: 'UDP'}

# Property names that make a decoding of a ConvertTo-Json file credible.
_JSON_WORDS = ('DestinationPrefix', 'NextHop', 'RouteMetric', 'InterfaceAlias', 'InterfaceIndex', 'InterfaceMetric', 'IPAddress',
               'AddressFamily')

_CLASS_KIND = {
    'MSFT_NetRoute': 'route', 'MSFT_NetIPInterface': 'interface', 'MSFT_NetIPAddress': 'address',
    'MSFT_NetAdapter': 'adapter', 'MSFT_DNSClient': 'dns_client', 'MSFT_NetAdapterBindingSettingData': 'binding',
    'Win32_NetworkAdapterConfiguration': 'netbios', 'MSFT_NetAdapterStatisticsSettingData': 'statistics',
}
# The order kinds are read in: interfaces first (their metrics win over the copies route objects
# carry), adapters before anything placed on them by description.
_KIND_ORDER = ('interface', 'adapter', 'dns_client', 'binding', 'netbios', 'statistics', 'address', 'route',
               'firewall_rule', 'firewall_address', 'firewall_port', 'connection_name')

# The properties read from each kind of object (with the other names the same property has). Windows
# adds properties from one version to the next and they are ignored; but a property that is read
# and missing while the object holds a near miss of its name (a hand-edited export: ``Stor``,
# ``skipAsSource``) would be taken as absent and hide a fact, so that object is refused.
_READ = {
    'route': ('DestinationPrefix', 'NextHop', 'InterfaceIndex', 'RouteMetric', 'Store', 'Protocol', 'InterfaceAlias',
              'InterfaceMetric', 'AddressFamily'),
    'interface': ('InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'InterfaceMetric', 'AutomaticMetric', 'WeakHostSend',
                  'WeakHostReceive', 'Forwarding', 'IgnoreDefaultRoutes', 'Dhcp', 'ConnectionState'),
    'address': ('IPAddress', 'InterfaceIndex', 'InterfaceAlias', 'PrefixLength', 'Type', 'Store', 'SkipAsSource', 'AddressState',
                'PrefixOrigin', 'SuffixOrigin', 'AddressFamily'),
}
_OTHER_NAMES = {'InterfaceIndex': ('ifIndex',), 'InterfaceAlias': ('ifAlias',), 'Store': ('PolicyStore',)}
# Real properties of these classes whose names are close to a property that is read.
_REAL_NEIGHBOURS = frozenset(('IPv4Address', 'IPv6Address', 'State', 'TypeOfRoute', 'ifDesc', 'InterfaceDescription'))


def _folded(name):
    return ''.join(c for c in name.lower() if c.isalnum())


def check_near_misses(path, row, kind):
    """Refuse an object where a property that is read is missing and a near miss of its name is present.

    Raises:
        ParseError: ``PATH.NAME: unknown property; did you mean PROPERTY?``.
    """
    read = _READ[kind]
    spelled = set(read).union(*(_OTHER_NAMES.get(p, ()) for p in read)) | _REAL_NEIGHBOURS
    strangers = [k for k in row if isinstance(k, str) and k not in spelled]
    if not strangers:
        return
    for prop in read:
        if any(row.get(name) is not None for name in (prop,) + _OTHER_NAMES.get(prop, ())):
            continue
        for key in strangers:
            if _folded(key) == _folded(prop) or difflib.SequenceMatcher(None, _folded(key), _folded(prop)).ratio() >= 0.85:
                raise ParseError('%s.%s: unknown property; did you mean %s? (read as it is, %s would be missing)'
                                 % (path, key, prop, prop))


def enum_value(value, table, path):
    """Map a numeric (PowerShell 5.1) or named (PowerShell 7) enum value through a class table."""
    key = _enum_key(value, table)
    try:
        return table[key]
    except (KeyError, TypeError):
        names = sorted({str(k) for k in table if isinstance(k, str)})
        raise ParseError('%s: unknown value %r (expected one of %s, or its number)' % (path, value, ', '.join(names))) from None


def _enum_key(value, table):
    key = value
    if isinstance(value, str):
        text = value.strip()
        key = int(text) if text.isascii() and text.isdigit() else text.lower()
    if isinstance(value, bool):
        # JSON true/false only stand for the two-valued switches, never for a state code
        key = int(value) if table is _DISABLED_ENABLED or table is _CONNECTION_STATE else repr(value)
    return key


def _known(value, table):
    """The table's value for ``value``, or None when the table does not know it."""
    try:
        return table.get(_enum_key(value, table))
    except TypeError:
        return None


def as_int(value, path):
    if isinstance(value, bool):
        raise ParseError('%s: expected a number, got %r' % (path, value))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    raise ParseError('%s: expected a number, got %r' % (path, value))


def _as_bool(value, path):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ('true', 'false'):
        return value.strip().lower() == 'true'
    raise ParseError('%s: expected true or false, got %r' % (path, value))


def _text(value, path):
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError('%s: must be a string, got %r' % (path, value))
    return value


def _items(value):
    """A property that holds one value or an array of them (ConvertTo-Json unrolls single items)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def first_key(row, keys):
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    return None


def unwrap_cim(row):
    """Fill missing top-level properties from a dumped ``CimInstanceProperties`` list."""
    props = row.get('CimInstanceProperties')
    if not isinstance(props, list):
        return row
    merged = dict(row)
    for prop in props:
        if isinstance(prop, dict) and isinstance(prop.get('Name'), str):
            name, value = prop['Name'], prop.get('Value')
        elif isinstance(prop, str) and ' = ' in prop:
            name, value = prop.split(' = ', 1)
            value = value.strip('"')
        else:
            continue
        if merged.get(name) is None and value is not None:
            merged[name] = value
    return merged


def _load_texts(data, what):
    """[(prefix, parsed document)] for JSON text(s) or parsed data."""
    docs = data if isinstance(data, list) and data and all(isinstance(d, str) for d in data) else [data]
    multi = len(docs) > 1
    loaded = []
    for d_index, doc in enumerate(docs):
        prefix = '[%d]' % d_index if multi else ''
        if isinstance(doc, str):
            text = doc.lstrip('\ufeff')
            if not text.strip():
                raise ParseError('%s%s: empty text where ConvertTo-Json output was expected'
                                 % (('document %d of ' % (d_index + 1)) if multi else '', what))
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                where = ('document %d, ' % (d_index + 1)) if multi else ''
                raise ParseError('%sline %d, column %d: not valid JSON (%s); truncated output?' % (where, exc.lineno, exc.colno, exc.msg)) from None
        loaded.append((prefix, doc))
    return loaded


def _flatten(prefix, doc):
    rows = []
    items = doc if isinstance(doc, list) else [doc]
    for i, item in enumerate(items):
        path = '%s[%d]' % (prefix, i)
        if isinstance(item, list):
            rows.extend(('%s[%d]' % (path, j), sub) for j, sub in enumerate(item))
        else:
            rows.append((path, item))
    return rows


def _check_objects(rows):
    for path, item in rows:
        if not isinstance(item, dict):
            raise ParseError('%s: expected an object, got %s' % (path, type_name(item)))
    return rows


def documents(data, what):
    """Yield (path, mapping) for every object in JSON text(s) or parsed data, arrays flattened one level."""
    rows = []
    for prefix, doc in _load_texts(data, what):
        rows.extend(_flatten(prefix, doc))
    return _check_objects(rows)


def _classify(path, row):
    system = row.get('CimSystemProperties')
    if isinstance(system, dict) and system.get('ClassName') in _CLASS_KIND:
        return _CLASS_KIND[system['ClassName']]
    if 'DestinationPrefix' in row:
        return 'route'
    if 'IPAddress' in row:
        return 'address'
    if 'InterfaceMetric' in row and any(k in row for k in ('WeakHostSend', 'Forwarding', 'ConnectionState', 'AutomaticMetric')):
        return 'interface'
    if 'TcpipNetbiosOptions' in row:
        return 'netbios'
    if 'RegisterThisConnectionsAddress' in row:
        return 'dns_client'
    if 'ReceivedDiscardedPackets' in row:
        return 'statistics'
    if 'ComponentID' in row and 'Enabled' in row and 'MacAddress' not in row:
        return 'binding'
    if 'ComponentID' in row and any(k in row for k in ('MacAddress', 'NdisPhysicalMedium', 'InterfaceType')):
        return 'adapter'
    raise ParseError('%s: not a Get-NetRoute, Get-NetIPInterface, Get-NetIPAddress, Get-NetAdapter or Get-DnsClient object '
                     '(none of DestinationPrefix, IPAddress, InterfaceMetric with WeakHostSend, ComponentID, '
                     'RegisterThisConnectionsAddress is present)' % path)


def _bundle_rows(prefix, bundle, builder):
    """(path, row, kind, store) of every object of a bundle's reads; failed reads are recorded in ``builder``."""
    reads = bundle.get('reads')
    base = prefix + 'reads' if not prefix else prefix + '.reads'
    if not isinstance(reads, dict):
        raise ParseError('%s: must be a mapping of read name to objects, got %s' % (base, type_name(reads)))
    unknown = sorted(set(reads) - set(BUNDLE_READS))
    if unknown:
        raise ParseError('%s.%s: not a read of %s (expected one of %s)' % (base, unknown[0], BUNDLE_SCHEMA, ', '.join(BUNDLE_READS)))
    builder.note_bundle_errors(prefix, bundle.get('errors'))
    rows = []
    for name, (kind, store) in BUNDLE_READS.items():
        if name not in reads or reads[name] is None:
            builder.missing_read(name)
            continue
        builder.seen[kind] = True
        for path, row in _check_objects(_flatten('%s.%s' % (base, name), reads[name])):
            rows.append((path, unwrap_cim(row), kind, store))
    return rows


# ============================================================================ building
class _JsonBuilder:

    def __init__(self):
        self.interfaces = {}      # index -> dict
        self.ipif = {}            # index -> set of families read from Get-NetIPInterface
        self.adapters = {}        # index -> adapter row
        self.addresses = []
        self.persistent = []
        self.routes = []
        self.unbound = []
        self.route_keys = set()
        self.notes = []
        self.partial = set()
        self.seen = dict.fromkeys(_KIND_ORDER, False)
        self.route_families = set()
        self.route_stores = set()
        self.dns = {}
        self.bindings = {}        # adapter description -> {component: bound}
        self.netbios = {}
        self.statistics = {}      # adapter description or name -> row
        self.rules = []
        self.rule_filters = {'firewall_address': {}, 'firewall_port': {}}
        self.connection_names = []
        self.bundle = None        # the bundle's own keys (hostname, os_version) when reading one
        self.failed_reads = set()

    # ------------------------------------------------------------------ bundle bookkeeping
    def note_bundle_errors(self, prefix, errors):
        for i, error in enumerate(_items(errors)):
            path = '%serrors[%d]' % (prefix + '.' if prefix else '', i)
            if not isinstance(error, dict) or not isinstance(error.get('read'), str):
                raise ParseError('%s: expected {read, category, message}, got %r' % (path, error))
            if str(error.get('category') or '') == 'ObjectNotFound':
                continue        # a store or a component with nothing in it: no object of that read
            read, message = error['read'], str(error.get('message') or 'no message')
            if read in REQUIRED_READS:
                raise ParseError('%s: the host could not run the read %s: %s' % (path, read, message))
            self.failed_reads.add(read)
            self.partial.update(_PARTIAL_WHEN_MISSING.get(read, ()))
            self.notes.append('the read %s failed on the host (%s): what it gathers is not in this state' % (read, message))

    def missing_read(self, name):
        if name in self.failed_reads:
            return
        if name in REQUIRED_READS:
            raise ParseError('reads.%s: required read is missing' % name)
        self.failed_reads.add(name)
        self.partial.update(_PARTIAL_WHEN_MISSING.get(name, ()))

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def required(row, path, keys):
        value = first_key(row, keys)
        if value is None:
            raise ParseError('%s.%s: required property is missing' % (path, keys[0]))
        return value

    def iface(self, index, alias, path):
        item = self.interfaces.get(index)
        if item is None:
            item = self.interfaces[index] = {'index': index}
        if alias is not None:
            if not isinstance(alias, str):
                raise ParseError('%s.InterfaceAlias: must be a string, got %r' % (path, alias))
            if item.get('alias') not in (None, alias):
                raise ParseError('%s.InterfaceAlias: interface %d is called %r here but %r elsewhere' % (path, index, alias, item['alias']))
            item['alias'] = alias
        return item

    def family_of(self, row, path, text_family):
        raw = row.get('AddressFamily')
        if raw is None:
            return text_family
        family = enum_value(raw, ADDRESS_FAMILY, path + '.AddressFamily')
        if text_family is not None and family != text_family:
            raise ParseError('%s.AddressFamily: %s does not match the address family of the data' % (path, raw))
        return family

    def store_of(self, row, path, store):
        """The row's policy store: the read's own store, which a Store or PolicyStore property must agree with."""
        raw = first_key(row, ('Store', 'PolicyStore'))
        if raw is None:
            return store or 'active'
        found = enum_value(raw, _STORE, path + '.Store')
        if store is not None and found != store:
            raise ParseError('%s.Store: %s in a read of the %s store' % (path, raw, store))
        return found

    def bound(self, index, fam):
        """False when Get-NetIPInterface was read and lists no interface ``index`` of family ``fam``."""
        return not self.seen['interface'] or fam in self.ipif.get(index, ())

    @staticmethod
    def zoneless(text, index, path, prop):
        """(family, value) of an address as the host reports it; a zone (``%12``) must name the row's interface."""
        if not isinstance(text, str):
            raise ParseError('%s.%s: %r is not an IP address' % (path, prop, text))
        try:
            family, value, zone = parse_address(text)
        except AddressSyntaxError:
            raise ParseError('%s.%s: %r is not an IP address' % (path, prop, text)) from None
        if zone is not None and index is not None and zone != str(index):
            raise ParseError('%s.%s: zone %%%s of %s does not match InterfaceIndex %d' % (path, prop, zone, text, index))
        return family, value

    # ------------------------------------------------------------------ one method per kind
    def add_interface(self, path, row, _store):
        index = as_int(self.required(row, path, ('InterfaceIndex', 'ifIndex')), path + '.InterfaceIndex')
        item = self.iface(index, first_key(row, ('InterfaceAlias', 'ifAlias')), path)
        family = self.family_of(row, path, None)
        if family is None:
            raise ParseError('%s.AddressFamily: required property is missing' % path)
        fam = FAMILY_NAME[family]
        if fam in item and item[fam].get('_from') == 'interface':
            raise ParseError('%s: interface %d %s is listed twice' % (path, index, fam.replace('ip', 'IP')))
        settings = {'_from': 'interface',
                    'metric': as_int(self.required(row, path, ('InterfaceMetric',)), path + '.InterfaceMetric')}
        for key, name in (('AutomaticMetric', 'automatic_metric'), ('WeakHostSend', 'weak_host_send'),
                          ('WeakHostReceive', 'weak_host_receive'), ('Forwarding', 'forwarding'),
                          ('IgnoreDefaultRoutes', 'ignore_default_routes'), ('Dhcp', 'dhcp')):
            if row.get(key) is not None:
                settings[name] = enum_value(row[key], _DISABLED_ENABLED, '%s.%s' % (path, key))
            else:
                self.partial.add('interfaces.settings')
        if row.get('ConnectionState') is not None:
            connected = enum_value(row['ConnectionState'], _CONNECTION_STATE, path + '.ConnectionState')
            item['connected'] = item.get('connected', False) or connected
        item[fam] = settings
        self.ipif.setdefault(index, set()).add(fam)

    def add_adapter(self, path, row, _store):
        index = as_int(self.required(row, path, ('InterfaceIndex', 'ifIndex')), path + '.InterfaceIndex')
        for key in ('Name', 'InterfaceDescription', 'ComponentID', 'MacAddress', 'PnPDeviceID'):
            _text(row.get(key), '%s.%s' % (path, key))
        if index in self.adapters:
            raise ParseError('%s: interface %d has two adapters' % (path, index))
        self.adapters[index] = row

    def add_dns_client(self, path, row, _store):
        index = as_int(self.required(row, path, ('InterfaceIndex', 'ifIndex')), path + '.InterfaceIndex')
        value = row.get('RegisterThisConnectionsAddress')
        if value is not None:
            self.dns[index] = _as_bool(value, path + '.RegisterThisConnectionsAddress')

    def add_binding(self, path, row, _store):
        description = _text(self.required(row, path, ('InterfaceDescription',)), path + '.InterfaceDescription')
        component = _text(self.required(row, path, ('ComponentID',)), path + '.ComponentID').lower()
        bound = _as_bool(self.required(row, path, ('Enabled',)), path + '.Enabled')
        if component in BINDING_COMPONENTS:
            self.bindings.setdefault(description, {})[component] = bound

    def add_netbios(self, path, row, _store):
        index = as_int(self.required(row, path, ('InterfaceIndex',)), path + '.InterfaceIndex')
        if row.get('IPEnabled') is not None and not _as_bool(row['IPEnabled'], path + '.IPEnabled'):
            return
        option = row.get('TcpipNetbiosOptions')
        value = _known(option, _NETBIOS) if option is not None else None
        if value is None:
            self.notes.append('%s.TcpipNetbiosOptions: %r is not a NetBIOS over TCP/IP setting (0, 1 or 2): the setting of '
                              'interface %d is not recorded' % (path, option, index))
            return
        self.netbios[index] = value

    def add_statistics(self, path, row, _store):
        key = first_key(row, ('InterfaceDescription', 'Name'))
        if key is None:
            raise ParseError('%s.InterfaceDescription: required property is missing' % path)
        self.statistics[_text(key, path + '.InterfaceDescription')] = (path, row)

    def add_address(self, path, row, store):
        text = self.required(row, path, ('IPAddress',))
        index = as_int(self.required(row, path, ('InterfaceIndex', 'ifIndex')), path + '.InterfaceIndex')
        family, value = self.zoneless(text, index, path, 'IPAddress')
        family = self.family_of(row, path, family)
        plen = as_int(self.required(row, path, ('PrefixLength',)), path + '.PrefixLength')
        if plen > BITS[family]:
            raise ParseError('%s.PrefixLength: %d is too long for %s' % (path, plen, text))
        store = self.store_of(row, path, store)
        if row.get('Type') is not None:
            kind = _known(row['Type'], _ADDRESS_TYPE)
            if kind != 'unicast':
                self.notes.append('%s: %s address %s left out (it is never a source address)'
                                  % (path, kind or 'type %r' % (row['Type'],), text))
                return
        fam = FAMILY_NAME[family]
        if not self.bound(index, fam):
            self.notes.append('%s: address %s (%s store) is on interface %d, which has no %s interface: left out'
                              % (path, format_address(family, value), store, index, fam.replace('ip', 'IP')))
            return
        self.iface(index, first_key(row, ('InterfaceAlias', 'ifAlias')), path)
        item = {'address': format_address(family, value), 'prefix_length': plen, 'interface': index}
        if row.get('SkipAsSource') is not None:
            item['skip_as_source'] = _as_bool(row['SkipAsSource'], path + '.SkipAsSource')
        if store == 'active' and row.get('AddressState') is not None:
            item['state'] = enum_value(row['AddressState'], _ADDRESS_STATE, path + '.AddressState')
        origins = {}
        for key, name, table in (('PrefixOrigin', 'prefix_origin', _PREFIX_ORIGIN), ('SuffixOrigin', 'suffix_origin', _SUFFIX_ORIGIN)):
            if row.get(key) is not None:
                origins[name] = _known(row[key], table)
                if origins[name] is None:
                    self.notes.append('%s.%s: unknown value %r, recorded as other' % (path, key, row[key]))
                    origins[name] = 'other'
                item[name] = origins[name]
        if store == 'active' and len(origins) == 2:
            item['temporary'] = (family == V6 and origins['prefix_origin'] == 'router_advertisement' and origins['suffix_origin'] == 'random')
        if store != 'active':
            item['store'] = store
        target = self.addresses if store == 'active' else self.persistent
        if any(a['address'] == item['address'] and a['interface'] == index for a in target):
            return
        target.append(item)

    def add_route(self, path, row, store):
        text = self.required(row, path, ('DestinationPrefix',))
        try:
            family, network, plen = parse_prefix(text)
        except (AddressSyntaxError, TypeError) as exc:
            raise ParseError('%s.DestinationPrefix: %s' % (path, exc)) from None
        family = self.family_of(row, path, family)
        hop_text = self.required(row, path, ('NextHop',))
        index = as_int(self.required(row, path, ('InterfaceIndex', 'ifIndex')), path + '.InterfaceIndex')
        hop_family, hop = self.zoneless(hop_text, index, path, 'NextHop')
        if hop_family != family:
            raise ParseError('%s.NextHop: %s is %s but %s is %s' % (path, hop_text, FAMILY_NAME[hop_family], text, FAMILY_NAME[family]))
        metric = as_int(self.required(row, path, ('RouteMetric',)), path + '.RouteMetric')
        store = self.store_of(row, path, store)
        protocol = 'other'
        if row.get('Protocol') is not None:
            protocol = _SCHEMA_PROTOCOL.get(_known(row['Protocol'], _ROUTE_PROTOCOL), 'other')
        route = {'destination': format_prefix(family, network, plen), 'next_hop': format_address(family, hop),
                 'interface': index, 'route_metric': metric, 'store': store, 'protocol': protocol}
        fam = FAMILY_NAME[family]
        if not self.bound(index, fam):
            # No IP interface of that family (a persistent route a removed adapter left behind):
            # no cmdlet can act on it, and it cannot be part of the state.
            self.unbound.append(route)
            return
        item = self.iface(index, first_key(row, ('InterfaceAlias', 'ifAlias')), path)
        if_metric = row.get('InterfaceMetric')
        if if_metric is not None and store == 'active':
            if_metric = as_int(if_metric, path + '.InterfaceMetric')
            settings = item.setdefault(fam, {'_from': 'route', 'metric': if_metric})
            if settings['metric'] != if_metric and settings['_from'] == 'route':
                raise ParseError('%s.InterfaceMetric: %d differs from %d given with another route on interface %d'
                                 % (path, if_metric, settings['metric'], index))
        else:
            item.setdefault(fam, {'_from': 'route', 'metric': None})
        self.route_families.add(family)
        self.route_stores.add(store)
        key = (route['destination'], route['next_hop'], index, store)
        if key in self.route_keys:
            return
        self.route_keys.add(key)
        self.routes.append(route)

    def add_firewall_rule(self, path, row, _store):
        name = _text(self.required(row, path, ('Name',)), path + '.Name')
        group = _text(row.get('Group'), path + '.Group')
        if group is not None and group != FIREWALL_GROUP:
            self.notes.append('%s: firewall rule %r is not in the group %s: left out' % (path, name, FIREWALL_GROUP))
            return
        self.rules.append((path, name))

    def _add_rule_filter(self, kind, path, row):
        rule = _text(self.required(row, path, ('Rule',)), path + '.Rule')
        self.rule_filters[kind][rule] = (path, row)

    def add_firewall_address(self, path, row, _store):
        self._add_rule_filter('firewall_address', path, row)

    def add_firewall_port(self, path, row, _store):
        self._add_rule_filter('firewall_port', path, row)

    def add_connection_name(self, path, row, _store):
        name = _text(self.required(row, path, ('Name',)), path + '.Name')
        self.connection_names.append((name, _text(row.get('PnPInstanceId'), path + '.PnPInstanceId')))

    # ------------------------------------------------------------------ derived parts
    def derive_addresses(self):
        """Without Get-NetIPAddress, read the addresses off the routes Windows creates for them."""
        local = [r for r in self.routes if r['protocol'] == 'local' and r['store'] == 'active'
                 and r['next_hop'] in ('0.0.0.0', '::')]
        parsed = []
        for r in local:
            family, network, plen = parse_prefix(r['destination'])
            parsed.append((family, network, plen, r['interface']))
        subnets = [p for p in parsed if 0 < p[2] < BITS[p[0]]]
        for family, value, plen, index in parsed:
            if plen != BITS[family] or (family == V4 and value == 0xFFFFFFFF):
                continue
            holders = [s[2] for s in subnets if s[3] == index and s[0] == family and prefix_contains(family, s[1], s[2], value)]
            best = max(holders) if holders else BITS[family]
            if family == V4 and best < 31:
                host = value & ~mask(V4, best) & 0xFFFFFFFF
                if host in (0, (1 << (32 - best)) - 1):
                    continue  # the subnet broadcast route, not an address
            self.addresses.append({'address': format_address(family, value), 'prefix_length': best, 'interface': index})

    def adapter_details(self, item, adapter, path):
        """Kind, description, link speed, MAC address, bindings and discard counters of an interface's adapter."""
        component = (adapter.get('ComponentID') or '').lower()
        if_type = _known(adapter.get('InterfaceType'), {k: k for k in _IFTYPE_KIND}) if adapter.get('InterfaceType') is not None else None
        medium = _enum_key(adapter.get('NdisPhysicalMedium'), {}) if adapter.get('NdisPhysicalMedium') is not None else None
        if component == LOOPBACK_COMPONENT_ID:
            kind = 'loopback_adapter'
        elif if_type == 24:
            kind = 'loopback_pseudo'
        elif medium in _WIRELESS_MEDIA or if_type == 71:
            kind = 'wifi'
        else:
            kind = _IFTYPE_KIND.get(if_type, 'other')
        item['kind'] = kind
        description = adapter.get('InterfaceDescription')
        if description is not None:
            item['description'] = description
        if adapter.get('MacAddress'):
            item['mac'] = adapter['MacAddress']
        speed = adapter.get('Speed')
        if speed is not None:
            speed = as_int(speed, path + '.Speed')
            if speed < _SPEED_UNKNOWN_FLOOR:
                item['link_speed_bps'] = speed
        if 'bindings' not in self.failed_reads:
            # Every adapter records its bindings, an empty mapping when it has none of the components.
            item['bindings'] = dict(sorted(self.bindings.get(description, {}).items()))
        stat = self.statistics.get(description) or self.statistics.get(adapter.get('Name'))
        if stat is not None:
            spath, row = stat
            item['discards'] = {'received': as_int(row.get('ReceivedDiscardedPackets') or 0, spath + '.ReceivedDiscardedPackets'),
                                'outbound': as_int(row.get('OutboundDiscardedPackets') or 0, spath + '.OutboundDiscardedPackets')}

    def firewall_rules(self):
        rules = []
        for path, name in self.rules:
            address = self.rule_filters['firewall_address'].get(name)
            port = self.rule_filters['firewall_port'].get(name)
            if address is None or port is None:
                self.notes.append('%s: firewall rule %r has no %s filter in the bundle: left out'
                                  % (path, name, 'address' if address is None else 'port'))
                self.partial.add('firewall_rules')
                continue
            apath, arow = address
            ppath, prow = port
            rules.append({'name': name,
                          'local_address': _rule_addresses(arow.get('LocalAddress'), apath + '.LocalAddress'),
                          'protocol': _rule_protocol(prow.get('Protocol'), ppath + '.Protocol'),
                          'local_port': ','.join(str(p) for p in _items(prow.get('LocalPort')))})
        return rules

    def nonpresent_adapters(self):
        """Connection names held by adapters Windows lists as not present (a name they keep, which a
        new or renamed adapter cannot take)."""
        present = {(row.get('PnPDeviceID') or '').lower() for row in self.adapters.values()}
        found = []
        for name, instance in self.connection_names:
            if instance is not None and instance.lower() not in present:
                found.append({'name': name, 'instance_id': instance})
        return found

    # ------------------------------------------------------------------ the state
    def build(self):
        if not self.seen['interface']:
            self.partial.add('interfaces.settings')
        if not self.seen['address']:
            self.partial.add('addresses')
            self.derive_addresses()
        for family in (V4, V6):
            if family not in self.route_families and self.bundle is None:
                self.partial.add('routes.%s' % FAMILY_NAME[family])
        if 'persistent' not in self.route_stores and (self.bundle is None or 'routes_persistent' in self.failed_reads):
            self.partial.add('routes.persistent')
        for addr in self.addresses + self.persistent:
            fam = 'ipv6' if ':' in addr['address'] else 'ipv4'
            self.interfaces[addr['interface']].setdefault(fam, {'_from': 'address', 'metric': None})
        loopback_holders = {a['interface'] for a in self.addresses if a['address'] in ('127.0.0.1', '::1')}
        interfaces, taken = [], set()
        for index in sorted(self.interfaces):
            item = self.interfaces[index]
            item['alias'] = unique_alias(item.get('alias'), index, taken)
            if index in self.adapters:
                self.adapter_details(item, self.adapters[index], 'adapters[%d]' % index)
            elif self.seen['adapter'] or self.bundle is not None:
                item['kind'] = 'loopback_pseudo' if index in loopback_holders else 'other'
            else:
                kind = kind_from_text(item['alias'])
                if kind:
                    item['kind'] = kind
            if index in self.dns:
                item['register_dns'] = self.dns[index]
            if index in self.netbios:
                item['netbios'] = self.netbios[index]
            for fam in ('ipv4', 'ipv6'):
                if fam in item:
                    settings = item.pop(fam)
                    settings.pop('_from')
                    if settings['metric'] is None:
                        settings.update(metric=0, metric_unknown=True)
                        self.partial.add('interfaces.metric')
                    item[fam] = settings
            interfaces.append(item)
        if self.bundle is None:
            if not self.seen['dns_client']:
                self.partial.add('interfaces.register_dns')
            if not self.seen['adapter']:
                self.partial.update(('interfaces.kind', 'interfaces.link_speed'))
        state = {'schema': SCHEMA}
        if self.bundle is None:
            state['source'] = 'netroute_json'
        else:
            for key in ('hostname', 'os_version'):
                if isinstance(self.bundle.get(key), str) and self.bundle[key]:
                    state[key] = self.bundle[key]
        state.update(interfaces=interfaces, addresses=self.addresses + self.persistent, routes=self.routes)
        if self.unbound:
            state['unbound_routes'] = self.unbound
        rules = self.firewall_rules()
        if rules:
            state['firewall_rules'] = rules
        nonpresent = self.nonpresent_adapters()
        if nonpresent:
            state['nonpresent_adapters'] = nonpresent
        state['partial'] = [p for p in PARTIAL_ORDER if p in self.partial]
        if self.bundle is not None and not state['partial']:
            del state['partial']
        if self.notes:
            state['parse_notes'] = self.notes
        return state


def _rule_addresses(value, path):
    """A firewall filter's LocalAddress in canonical form: IPv6 compressed and lower case, a
    single-host subnet (``/32``, ``/128``, ``/255.255.255.255``) as its address; several are joined
    by commas, and anything that is not an address (``Any``, a range) is kept as Windows wrote it."""
    result = []
    for item in _items(value):
        text = _text(item, path).strip()
        address, _sep, length = text.partition('/')
        try:
            family, number, _zone = parse_address(address)
        except AddressSyntaxError:
            result.append(text)
            continue
        if length and length not in (str(BITS[family]), '255.255.255.255'):
            result.append('%s/%s' % (format_address(family, number), length))
        else:
            result.append(format_address(family, number))
    return ','.join(result)


def _rule_protocol(value, path):
    if value is None:
        return None
    known = _IP_PROTOCOL.get(_enum_key(value, {}))
    return known or _text(str(value), path).upper()


def parse_netroute_json(data):
    """Merge ``ConvertTo-Json`` output of the network cmdlets, or a bundle of raw reads, into a HostState.

    ``data`` is one JSON text, a list of texts, or already parsed objects or arrays; every object is
    recognised by its class (``CimSystemProperties.ClassName``) or its properties. A text may also be
    the bytes of a file: UTF-8, UTF-16 (``ConvertTo-Json > file`` in Windows PowerShell 5.1) or an
    ANSI code page (``Set-Content``), detected; how it was decoded is said in ``parse_notes``. A bundle
    (see ``BUNDLE_SCHEMA``) is read by its read names instead, and gives the whole state of the host.
    """
    notes = []

    def text_of(value):
        text, how = decode(value, _JSON_WORDS)
        if how:
            notes.append(how)
        return text

    if isinstance(data, (str, bytes, bytearray)):
        data = text_of(data)
    elif isinstance(data, list) and data and all(isinstance(d, (str, bytes, bytearray)) for d in data):
        data = [text_of(d) for d in data]
    if data is None or (isinstance(data, (list, str, dict)) and not data):
        raise ParseError('no ConvertTo-Json output given')
    if not isinstance(data, (list, str, dict)):
        raise ParseError('expected ConvertTo-Json text, a list of texts, or parsed objects; got %s' % type_name(data))
    builder = _JsonBuilder()
    builder.notes.extend(dict.fromkeys(notes))
    rows = []
    loaded = _load_texts(data, 'input')
    bundles = [doc for _prefix, doc in loaded if is_bundle(doc)]
    if bundles:
        if len(loaded) > 1:
            raise ParseError('a bundle of raw reads is read on its own, not together with other exports')
        builder.bundle = bundles[0]
        rows = _bundle_rows('', bundles[0], builder)
    else:
        found = []
        for prefix, doc in loaded:
            found.extend(_flatten(prefix, doc))
        for path, row in _check_objects(found):
            row = unwrap_cim(row)
            kind = _classify(path, row)
            if kind in _READ:
                check_near_misses(path, row, kind)
            rows.append((path, row, kind, None))
    if not rows:
        raise ParseError('no Get-NetRoute, Get-NetIPInterface or Get-NetIPAddress object found: the input holds only empty arrays')
    for wanted in _KIND_ORDER:
        for path, row, kind, store in rows:
            if kind == wanted:
                builder.seen[kind] = True
                getattr(builder, 'add_' + kind)(path, row, store)
    return finish(builder.build())
