# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read ``ConvertTo-Json`` output of the NetTCPIP cmdlets into a partial HostState dictionary.

``Get-NetRoute``, ``Get-NetIPInterface`` and ``Get-NetIPAddress`` output is understood as Windows
PowerShell 5.1 writes it (numeric enums, CIM wrapper keys) and as PowerShell 7 writes it (enum
names). Malformed input raises ``ParseError`` naming the JSON element
(``[2].DestinationPrefix: ...``).
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

__all__ = ['parse_netroute_json', 'ParseError']


# ============================================================================ ConvertTo-Json: enum tables
# MSFT_NetRoute, MSFT_NetIPInterface, MSFT_NetIPAddress (ROOT/StandardCimv2, NetTCPIP provider):
# AddressFamily
ADDRESS_FAMILY = {2: V4, 23: V6, 'ipv4': V4, 'ipv6': V6}
# MSFT_NetRoute.Store, MSFT_NetIPInterface.Store, MSFT_NetIPAddress.Store (uint8)
_STORE = {0: 'persistent', 1: 'active', 'persistent': 'persistent', 'persistentstore': 'persistent',
          'active': 'active', 'activestore': 'active'}
# MSFT_NetRoute.Protocol (uint16): 1 Other, 2 Local, 3 NetMgmt, 4 Icmp, 5 Egp, 6 Ggp, 7 Hello, 8 Rip,
# 9 IsIs, 10 EsIs, 11 Igrp, 12 Bbn, 13 Ospf, 14 Bgp, 15 Idpr, 16 Eigrp, 17 Dvmrp, 18 Rpl, 19 Dhcp
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
# MSFT_NetIPAddress.AddressState (uint16)
_ADDRESS_STATE = {0: 'invalid', 1: 'tentative', 2: 'duplicate', 3: 'deprecated', 4: 'preferred',
                  'invalid': 'invalid', 'tentative': 'tentative', 'duplicate': 'duplicate',
                  'deprecated': 'deprecated', 'preferred': 'preferred'}
# MSFT_NetIPAddress.PrefixOrigin (uint16)
_PREFIX_ORIGIN = {0: 'other', 1: 'manual', 2: 'wellknown', 3: 'dhcp', 4: 'routeradvertisement'}
_PREFIX_ORIGIN.update((name, name) for name in list(_PREFIX_ORIGIN.values()))
# MSFT_NetIPAddress.SuffixOrigin (uint16)
_SUFFIX_ORIGIN = {0: 'other', 1: 'manual', 2: 'wellknown', 3: 'dhcp', 4: 'link', 5: 'random'}
_SUFFIX_ORIGIN.update((name, name) for name in list(_SUFFIX_ORIGIN.values()))
# MSFT_NetIPAddress.Type (uint8)
_ADDRESS_TYPE = {1: 'unicast', 2: 'anycast', 'unicast': 'unicast', 'anycast': 'anycast'}

# Property names that make a decoding of a ConvertTo-Json file credible.
_JSON_WORDS = ('DestinationPrefix', 'NextHop', 'RouteMetric', 'InterfaceAlias', 'InterfaceIndex', 'InterfaceMetric', 'IPAddress',
               'AddressFamily')

_CLASS_KIND = {'MSFT_NetRoute': 'route', 'MSFT_NetIPInterface': 'interface', 'MSFT_NetIPAddress': 'address'}

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
    key = value
    if isinstance(value, str):
        text = value.strip()
        key = int(text) if text.isascii() and text.isdigit() else text.lower()
    if isinstance(value, bool):
        # JSON true/false only stand for the two-valued switches, never for a state code
        key = int(value) if table is _DISABLED_ENABLED or table is _CONNECTION_STATE else repr(value)
    try:
        return table[key]
    except (KeyError, TypeError):
        names = sorted({str(k) for k in table if isinstance(k, str)})
        raise ParseError('%s: unknown value %r (expected one of %s, or its number)' % (path, value, ', '.join(names))) from None


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


def documents(data, what):
    """Yield (path, mapping) for every object in JSON text(s) or parsed data, arrays flattened one level."""
    docs = data if isinstance(data, list) and data and all(isinstance(d, str) for d in data) else [data]
    multi = len(docs) > 1
    rows = []
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
        items = doc if isinstance(doc, list) else [doc]
        for i, item in enumerate(items):
            path = '%s[%d]' % (prefix, i)
            if isinstance(item, list):
                rows.extend(('%s[%d]' % (path, j), sub) for j, sub in enumerate(item))
            else:
                rows.append((path, item))
    for path, item in rows:
        if not isinstance(item, dict):
            raise ParseError('%s: expected an object, got %s' % (path, type_name(item)))
    return rows


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
    raise ParseError('%s: not a Get-NetRoute, Get-NetIPInterface or Get-NetIPAddress object '
                     '(none of DestinationPrefix, IPAddress, InterfaceMetric with WeakHostSend is present)' % path)


# ============================================================================ ConvertTo-Json: building
class _JsonBuilder:

    def __init__(self):
        self.interfaces = {}      # index -> dict
        self.addresses = []
        self.routes = []
        self.route_keys = set()
        self.notes = []
        self.partial = set()
        self.seen = {'route': False, 'interface': False, 'address': False}
        self.route_families = set()
        self.route_stores = set()

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

    def add_interface(self, path, row):
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

    def add_address(self, path, row):
        text = self.required(row, path, ('IPAddress',))
        if not isinstance(text, str):
            raise ParseError('%s.IPAddress: %r is not an IP address' % (path, text))
        try:
            family, value, _zone = parse_address(text)
        except AddressSyntaxError:
            raise ParseError('%s.IPAddress: %r is not an IP address' % (path, text)) from None
        family = self.family_of(row, path, family)
        index = as_int(self.required(row, path, ('InterfaceIndex', 'ifIndex')), path + '.InterfaceIndex')
        plen = as_int(self.required(row, path, ('PrefixLength',)), path + '.PrefixLength')
        if plen > BITS[family]:
            raise ParseError('%s.PrefixLength: %d is too long for %s' % (path, plen, text))
        if row.get('Type') is not None and enum_value(row['Type'], _ADDRESS_TYPE, path + '.Type') == 'anycast':
            self.notes.append('%s: anycast address %s left out (it is never a source address)' % (path, text))
            return
        if row.get('Store') is not None and enum_value(row['Store'], _STORE, path + '.Store') == 'persistent':
            return  # the persistent copy of a configured address: the active one says what is in force
        self.iface(index, first_key(row, ('InterfaceAlias', 'ifAlias')), path)
        item = {'address': format_address(family, value), 'prefix_length': plen, 'interface': index}
        if row.get('SkipAsSource') is not None:
            item['skip_as_source'] = _as_bool(row['SkipAsSource'], path + '.SkipAsSource')
        if row.get('AddressState') is not None:
            item['state'] = enum_value(row['AddressState'], _ADDRESS_STATE, path + '.AddressState')
        prefix_origin = row.get('PrefixOrigin')
        suffix_origin = row.get('SuffixOrigin')
        if prefix_origin is not None and suffix_origin is not None:
            item['temporary'] = (family == V6 and enum_value(prefix_origin, _PREFIX_ORIGIN, path + '.PrefixOrigin') == 'routeradvertisement'
                                 and enum_value(suffix_origin, _SUFFIX_ORIGIN, path + '.SuffixOrigin') == 'random')
        if any(a['address'] == item['address'] and a['interface'] == index for a in self.addresses):
            return
        self.addresses.append(item)

    def add_route(self, path, row):
        text = self.required(row, path, ('DestinationPrefix',))
        try:
            family, network, plen = parse_prefix(text)
        except (AddressSyntaxError, TypeError) as exc:
            raise ParseError('%s.DestinationPrefix: %s' % (path, exc)) from None
        family = self.family_of(row, path, family)
        hop_text = self.required(row, path, ('NextHop',))
        try:
            hop_family, hop, _zone = parse_address(hop_text)
        except AddressSyntaxError:
            raise ParseError('%s.NextHop: %r is not an IP address' % (path, hop_text)) from None
        if hop_family != family:
            raise ParseError('%s.NextHop: %s is %s but %s is %s' % (path, hop_text, FAMILY_NAME[hop_family], text, FAMILY_NAME[family]))
        index = as_int(self.required(row, path, ('InterfaceIndex', 'ifIndex')), path + '.InterfaceIndex')
        metric = as_int(self.required(row, path, ('RouteMetric',)), path + '.RouteMetric')
        store_raw = first_key(row, ('Store', 'PolicyStore'))
        store = 'active' if store_raw is None else enum_value(store_raw, _STORE, path + '.Store')
        protocol = 'other'
        if row.get('Protocol') is not None:
            protocol = _SCHEMA_PROTOCOL.get(enum_value(row['Protocol'], _ROUTE_PROTOCOL, path + '.Protocol'), 'other')
        item = self.iface(index, first_key(row, ('InterfaceAlias', 'ifAlias')), path)
        fam = FAMILY_NAME[family]
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
        route = {'destination': format_prefix(family, network, plen), 'next_hop': format_address(family, hop),
                 'interface': index, 'route_metric': metric, 'store': store, 'protocol': protocol}
        key = (route['destination'], route['next_hop'], index, store)
        if key in self.route_keys:
            return
        self.route_keys.add(key)
        self.routes.append(route)

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

    def build(self):
        if not self.seen['interface']:
            self.partial.add('interfaces.settings')
        if not self.seen['address']:
            self.partial.add('addresses')
            self.derive_addresses()
        for family in (V4, V6):
            if family not in self.route_families:
                self.partial.add('routes.%s' % FAMILY_NAME[family])
        if 'persistent' not in self.route_stores:
            self.partial.add('routes.persistent')
        for addr in self.addresses:
            fam = 'ipv6' if ':' in addr['address'] else 'ipv4'
            self.interfaces[addr['interface']].setdefault(fam, {'_from': 'address', 'metric': None})
        interfaces, taken = [], set()
        for index in sorted(self.interfaces):
            item = self.interfaces[index]
            item['alias'] = unique_alias(item.get('alias'), index, taken)
            kind = kind_from_text(item['alias'])
            if kind:
                item['kind'] = kind
            for fam in ('ipv4', 'ipv6'):
                if fam in item:
                    settings = item.pop(fam)
                    settings.pop('_from')
                    if settings['metric'] is None:
                        settings.update(metric=0, metric_unknown=True)
                        self.partial.add('interfaces.metric')
                    item[fam] = settings
            interfaces.append(item)
        self.partial.update(('interfaces.register_dns', 'interfaces.kind', 'interfaces.link_speed'))
        state = {'schema': SCHEMA, 'source': 'netroute_json', 'interfaces': interfaces, 'addresses': self.addresses,
                 'routes': self.routes, 'partial': [p for p in PARTIAL_ORDER if p in self.partial]}
        if self.notes:
            state['parse_notes'] = self.notes
        return state


def parse_netroute_json(data):
    """Merge ``ConvertTo-Json`` output of Get-NetRoute, Get-NetIPInterface and Get-NetIPAddress into a HostState.

    ``data`` is one JSON text, a list of texts, or already parsed objects or arrays; every object is
    recognised by its class (``CimSystemProperties.ClassName``) or its properties. A text may also be
    the bytes of a file: UTF-8, UTF-16 (``ConvertTo-Json > file`` in Windows PowerShell 5.1) or an
    ANSI code page (``Set-Content``), detected; how it was decoded is said in ``parse_notes``.
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
    rows = [(path, unwrap_cim(row)) for path, row in documents(data, 'input')]
    if not rows:
        raise ParseError('no Get-NetRoute, Get-NetIPInterface or Get-NetIPAddress object found: the input holds only empty arrays')
    kinds = [(path, row, _classify(path, row)) for path, row in rows]
    for path, row, kind in kinds:
        check_near_misses(path, row, kind)
    # interfaces first, so that their metrics win over the copies carried by route objects
    for wanted in ('interface', 'address', 'route'):
        for path, row, kind in kinds:
            if kind == wanted:
                builder.seen[kind] = True
                getattr(builder, 'add_' + kind)(path, row)
    return finish(builder.build())
