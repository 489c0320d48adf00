# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HostState schema v1: value objects, the validating loader and the serialiser.

``HostState.from_dict`` validates a state (gathered by net_info, parsed from an export, or
written by hand), adds the routes Windows creates by itself when a hand-written state leaves
them out, and rejects malformed input with a ``StateError`` naming the path, for example
``routes[3].next_hop: '10.0.0.300' is not an IP address``. ``to_dict`` gives the canonical
dictionary back; ``from_dict(to_dict(s)) == s``.
"""

from __future__ import annotations

import hashlib
import json

from ansible_collections.winnet.routing.plugins.module_utils.checks import Checker, ascii_digits, join, nearest
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, StateError
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILY_NAME,
    V4,
    V6,
    AddressSyntaxError,
    format_address,
    format_prefix,
    is_link_local,
    is_multicast,
    is_v4_mapped,
    mask,
    parse_address,
    parse_prefix,
    type_name,
)

SCHEMA = 'winnet.routing/v1'

INTERFACE_KINDS = ('ethernet', 'wifi', 'loopback_adapter', 'loopback_pseudo', 'tunnel', 'other')
ADDRESS_STATES = ('preferred', 'deprecated', 'tentative', 'duplicate', 'invalid')
ROUTE_STORES = ('active', 'persistent')
# An address's store, like a route's: ``active`` (in force now; the default) or ``persistent``
# (restored at the next boot). A configured address is normally in both and is then listed twice.
ADDRESS_STORES = ('active', 'persistent')
ROUTE_PROTOCOLS = ('local', 'netmgmt', 'dhcp', 'router_advertisement', 'other')
PARTIAL_ITEMS = (
    'interfaces.index', 'interfaces.metric', 'interfaces.settings', 'interfaces.register_dns', 'interfaces.kind',
    'interfaces.link_speed', 'interfaces.bindings', 'interfaces.netbios', 'interfaces.discards', 'addresses',
    'addresses.persistent', 'routes.persistent', 'routes.ipv4', 'routes.ipv6', 'firewall_rules', 'nonpresent_adapters',
)

# Optional per-interface keys (kept with the interface's other unknown keys, validated when given):
# ``bindings`` maps a network component's ComponentID (Get-NetAdapterBinding) to whether it is
# bound to the adapter; ``netbios`` is the NetBIOS over TCP/IP setting of the adapter
# (Win32_NetworkAdapterConfiguration TcpipNetbiosOptions 0, 1, 2). Absent means not recorded.
BINDINGS_KEY = 'bindings'
NETBIOS_KEY = 'netbios'
NETBIOS_OPTIONS = ('default', 'enabled', 'disabled')
# Optional per-interface key of states read from exports: the interface stands for one whose index the
# export does not show (``route print`` names IPv4 interfaces by an address); the list holds the indexes
# it can be (empty: an interface the export does not list). Routes on it are real, its identity is not.
INDEX_CANDIDATES = 'index_candidates'
# Changes by itself (traffic counters): never part of the configuration (see ``canonical``).
VOLATILE_INTERFACE_KEYS = ('discards',)

INTERFACE_METRIC_MAX = 9999
ROUTE_METRIC_MAX = 65535
SYSTEM_ROUTE_METRIC = 256

# Server 2016 and later automatic interface metric (spec R7): (minimum bits per second, metric).
_WIRELESS_METRICS = (
    (2000000000, 25), (500000000, 30), (200000000, 35), (150000000, 40), (80000000, 45),
    (50000000, 50), (20000000, 55), (10000000, 60), (4000000, 65), (2000000, 70),
    (500000, 75), (200000, 80), (0, 85),
)
_WIRED_METRICS = (
    (100000000000, 5), (40000000000, 10), (10000000000, 15), (2000000000, 20), (200000000, 25),
    (80000000, 35), (20000000, 45), (4000000, 55), (500000, 65), (0, 75),
)

# The true/false settings of an address family on an interface (Get-NetIPInterface).
IPIF_FLAGS = ('weak_host_send', 'weak_host_receive', 'forwarding', 'ignore_default_routes', 'dhcp')
# Firewall rules of the collection's group live in a top-level list of the state (a key the
# loader keeps), each with these fields.
FIREWALL_KEY = 'firewall_rules'
FIREWALL_FIELDS = ('name', 'local_address', 'protocol', 'local_port')
STORE_ORDER = {'active': 0, 'persistent': 1}
# Every key of a state, level by level (net_info documents them with its return values): first the
# keys the value objects are made of, then the optional ones kept as they are (``extra``). Any other
# key is refused, naming the nearest known one: a typo never yields a clean host.
_IPIF_KEYS = ('metric', 'automatic_metric') + IPIF_FLAGS
_INTERFACE_KEYS = ('index', 'alias', 'description', 'kind', 'connected', 'link_speed_bps', 'register_dns', 'ipv4', 'ipv6')
_ADDRESS_KEYS = ('address', 'prefix_length', 'interface', 'skip_as_source', 'state', 'temporary', 'store')
_ROUTE_KEYS = ('destination', 'next_hop', 'interface', 'route_metric', 'store', 'protocol')
_STATE_KEYS = ('schema', 'hostname', 'interfaces', 'addresses', 'routes', 'partial')
# metric_unknown: an export does not tell the metric (it is 0 then).
IPIF_KEYS = _IPIF_KEYS + ('metric_unknown',)
# mac: Get-NetAdapter MacAddress; discards: traffic counters (DISCARDS_KEYS).
INTERFACE_KEYS = _INTERFACE_KEYS + ('mac', BINDINGS_KEY, NETBIOS_KEY, 'discards', INDEX_CANDIDATES)
DISCARDS_KEYS = ('received', 'outbound')
ADDRESS_KEYS = _ADDRESS_KEYS + ('prefix_origin', 'suffix_origin')
# metric_is_sum / metric_unspecified: how route print showed the metric (states read from exports).
ROUTE_KEYS = _ROUTE_KEYS + ('metric_is_sum', 'metric_unspecified')
# os_version: gathered; source and parse_notes: states read from exports; unbound_routes: routes whose
# interface has no IP interface (ROUTE_KEYS each); firewall rules (FIREWALL_FIELDS each);
# nonpresent_adapters: connection names held by adapters that are not present (NONPRESENT_KEYS each).
STATE_KEYS = _STATE_KEYS + ('os_version', 'source', 'parse_notes', 'unbound_routes', FIREWALL_KEY, 'nonpresent_adapters')
NONPRESENT_KEYS = ('name', 'instance_id')
# The sections every state has (an empty list is fine).
REQUIRED_SECTIONS = ('interfaces', 'addresses', 'routes')


CHECK = Checker(StateError)


def derive_metric(link_speed_bps, kind):
    """Automatic interface metric of Windows 10 / Server 2016 and later (spec R7)."""
    table = _WIRELESS_METRICS if kind == 'wifi' else _WIRED_METRICS
    for floor, metric in table:
        if link_speed_bps >= floor:
            return metric
    return table[-1][1]  # pragma: no cover - the last floor is 0


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _extra(data, known):
    return {k: v for k, v in data.items() if k not in known}


class IpSettings:
    """Per address family IP interface settings (Get-NetIPInterface)."""

    __slots__ = ('metric', 'automatic_metric', 'weak_host_send', 'weak_host_receive', 'forwarding',
                 'ignore_default_routes', 'dhcp', 'extra')

    def __init__(self, metric, automatic_metric=False, weak_host_send=False, weak_host_receive=False,
                 forwarding=False, ignore_default_routes=False, dhcp=False, extra=None):
        self.metric = metric
        self.automatic_metric = automatic_metric
        self.weak_host_send = weak_host_send
        self.weak_host_receive = weak_host_receive
        self.forwarding = forwarding
        self.ignore_default_routes = ignore_default_routes
        self.dhcp = dhcp
        self.extra = extra or {}

    def _key(self):
        return (self.metric, self.automatic_metric, self.weak_host_send, self.weak_host_receive,
                self.forwarding, self.ignore_default_routes, self.dhcp, self.extra)

    def __eq__(self, other):
        return isinstance(other, IpSettings) and self._key() == other._key()

    def __repr__(self):
        return 'IpSettings(%r)' % (self.to_dict(),)

    def to_dict(self):
        """The schema v1 dictionary, with the unknown keys it was read with."""
        data = dict(self.extra)
        data.update(metric=self.metric, automatic_metric=self.automatic_metric, weak_host_send=self.weak_host_send,
                    weak_host_receive=self.weak_host_receive, forwarding=self.forwarding,
                    ignore_default_routes=self.ignore_default_routes, dhcp=self.dhcp)
        return data


class Interface:
    """One interface (Get-NetAdapter + Get-NetIPInterface), identified by its index."""

    __slots__ = ('index', 'alias', 'description', 'kind', 'connected', 'link_speed_bps', 'register_dns', 'ipv4', 'ipv6', 'extra')

    def __init__(self, index, alias, description=None, kind='other', connected=True, link_speed_bps=None,
                 register_dns=True, ipv4=None, ipv6=None, extra=None):
        self.index = index
        self.alias = alias
        self.description = description
        self.kind = kind
        self.connected = connected
        self.link_speed_bps = link_speed_bps
        self.register_dns = register_dns
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.extra = extra or {}

    def settings(self, family):
        """The IpSettings of a family (4 or 6), or None when the family is not bound."""
        return self.ipv4 if family == V4 else self.ipv6

    def _key(self):
        return (self.index, self.alias, self.description, self.kind, self.connected, self.link_speed_bps,
                self.register_dns, self.ipv4, self.ipv6, self.extra)

    def __eq__(self, other):
        return isinstance(other, Interface) and self._key() == other._key()

    def __repr__(self):
        return 'Interface(%d, %r)' % (self.index, self.alias)

    def to_dict(self):
        """The schema v1 dictionary, with the unknown keys it was read with."""
        data = dict(self.extra)
        data.update(index=self.index, alias=self.alias, kind=self.kind, connected=self.connected, register_dns=self.register_dns)
        if self.description is not None:
            data['description'] = self.description
        if self.link_speed_bps is not None:
            data['link_speed_bps'] = self.link_speed_bps
        if self.ipv4 is not None:
            data['ipv4'] = self.ipv4.to_dict()
        if self.ipv6 is not None:
            data['ipv6'] = self.ipv6.to_dict()
        return data


class Address:
    """A unicast address assigned to an interface (Get-NetIPAddress), in one policy store.

    ``store`` is ``active`` (in force now) or ``persistent`` (the copy Windows restores at the next
    boot); only active addresses take part in routing and source selection (``HostState.addresses``).
    """

    __slots__ = ('address', 'family', 'value', 'prefix_length', 'interface', 'skip_as_source', 'state', 'temporary', 'store', 'extra')

    def __init__(self, family, value, prefix_length, interface, skip_as_source=False, state='preferred', temporary=False, extra=None,
                 store='active'):
        self.family = family
        self.value = value
        self.address = format_address(family, value)
        self.prefix_length = prefix_length
        self.interface = interface
        self.skip_as_source = skip_as_source
        self.state = state
        self.temporary = temporary
        self.store = store
        self.extra = extra or {}

    @property
    def usable(self):
        """Preferred or deprecated: the address is up and can be a connection's local end."""
        return self.state in ('preferred', 'deprecated')

    def _key(self):
        return (self.family, self.value, self.prefix_length, self.interface, self.skip_as_source, self.state, self.temporary, self.store,
                self.extra)

    def __eq__(self, other):
        return isinstance(other, Address) and self._key() == other._key()

    def __repr__(self):
        return 'Address(%s/%d@%d%s)' % (self.address, self.prefix_length, self.interface, '' if self.store == 'active' else ' persistent')

    def to_dict(self):
        """The schema v1 dictionary, with the unknown keys it was read with."""
        data = dict(self.extra)
        data.update(address=self.address, prefix_length=self.prefix_length, interface=self.interface,
                    skip_as_source=self.skip_as_source, state=self.state, temporary=self.temporary)
        if self.store != 'active':
            data['store'] = self.store
        return data


class Route:
    """A route in one policy store. Identity: (family, destination, next hop, interface, store)."""

    __slots__ = ('family', 'network', 'prefix_length', 'destination', 'next_hop_value', 'next_hop', 'interface',
                 'route_metric', 'store', 'protocol', 'extra')

    def __init__(self, family, network, prefix_length, next_hop_value, interface, route_metric, store='active', protocol='other', extra=None):
        self.family = family
        self.network = network
        self.prefix_length = prefix_length
        self.destination = format_prefix(family, network, prefix_length)
        self.next_hop_value = next_hop_value
        self.next_hop = format_address(family, next_hop_value)
        self.interface = interface
        self.route_metric = route_metric
        self.store = store
        self.protocol = protocol
        self.extra = extra or {}

    @property
    def on_link(self):
        """True when the next hop is the unspecified address (the destination is on the link)."""
        return self.next_hop_value == 0

    @property
    def is_default(self):
        """True for a default route (prefix length 0)."""
        return self.prefix_length == 0

    @property
    def identity(self):
        """(family, network, prefix length, next hop, interface, store): what makes a route this route."""
        return (self.family, self.network, self.prefix_length, self.next_hop_value, self.interface, self.store)

    def _key(self):
        return (self.identity, self.route_metric, self.protocol, self.extra)

    def __eq__(self, other):
        return isinstance(other, Route) and self._key() == other._key()

    def __hash__(self):
        return hash(self.identity)

    def __repr__(self):
        return 'Route(%s -> %s @%d rm=%d %s)' % (self.destination, self.next_hop, self.interface, self.route_metric, self.store)

    def to_dict(self):
        """The schema v1 dictionary, with the unknown keys it was read with."""
        data = dict(self.extra)
        data.update(destination=self.destination, next_hop=self.next_hop, interface=self.interface,
                    route_metric=self.route_metric, store=self.store, protocol=self.protocol)
        return data


class HostState:
    """A whole host: interfaces, addresses and routes of both stores."""

    __slots__ = ('hostname', 'interfaces', 'addresses', 'persistent_addresses', 'routes', 'partial', 'extra', '_by_index', '_by_alias',
                 '_on_link')

    def __init__(self, interfaces, addresses, routes, hostname=None, partial=(), extra=None, persistent_addresses=()):
        self.hostname = hostname
        self.interfaces = list(interfaces)
        # The addresses in force (ActiveStore); the PersistentStore copies are kept apart.
        self.addresses = list(addresses)
        self.persistent_addresses = list(persistent_addresses)
        self.routes = list(routes)
        self.partial = list(partial)
        self.extra = extra or {}
        self._by_index = {i.index: i for i in self.interfaces}
        self._by_alias = {i.alias: i for i in self.interfaces}
        self._on_link = None

    # ------------------------------------------------------------------ access
    def interface(self, index):
        """The Interface with this index, or None."""
        return self._by_index.get(index)

    def interface_by_alias(self, alias):
        """The Interface with this alias, or None (also for a value that is not a string)."""
        return self._by_alias.get(alias) if isinstance(alias, str) else None

    def interfaces_by_alias_ignoring_case(self, alias):
        """The interfaces whose alias equals ``alias`` when case is ignored, as Windows compares them
        (character by character: lower() keeps 'ß' apart from 'SS', as Windows does, casefold() would not)."""
        wanted = alias.lower()
        return [i for i in self.interfaces if isinstance(i.alias, str) and i.alias.lower() == wanted]

    def on_link_prefixes(self, family, index):
        """The subnets of interface ``index`` in ``family``, as ``(network, prefix length)``: those of its
        usable addresses and of its active on-link routes (not default, not multicast)."""
        if self._on_link is None:
            on_link = {}
            for addr in self.addresses:
                if addr.usable:
                    on_link.setdefault((addr.family, addr.interface), []).append(
                        (addr.value & mask(addr.family, addr.prefix_length), addr.prefix_length))
            for route in self.routes:
                if route.store == 'active' and route.on_link and route.prefix_length > 0 and not is_multicast(route.family, route.network):
                    on_link.setdefault((route.family, route.interface), []).append((route.network, route.prefix_length))
            self._on_link = on_link
        return self._on_link.get((family, index), [])

    def is_on_link(self, family, index, value):
        """Whether a next hop ``value`` can be reached directly on interface ``index``: it is in one of the
        interface's subnets, or it is an IPv6 link-local address."""
        if family == V6 and is_link_local(V6, value):
            return True
        return any((value & mask(family, plen)) == net for net, plen in self.on_link_prefixes(family, index))

    def resolve_interface(self, value, argument='interface'):
        """The Interface an argument names: its index (an int, or a string of ASCII digits) or its alias
        (exactly, else regardless of case when that names one interface, as Windows matches aliases).

        Raises:
            ArgumentError: ``argument: ...`` for a value that is not an index or alias, or names no
                interface of this host (the message lists the host's interfaces).
        """
        if isinstance(value, bool) or value is None:
            raise ArgumentError(argument, 'must be an interface index or alias, got %r' % (value,))
        if isinstance(value, int):
            iface = self.interface(value)
        elif isinstance(value, str):
            iface = self.interface_by_alias(value)
            if iface is None and ascii_digits(value.strip()):
                iface = self.interface(int(value.strip()))
            if iface is None:
                # Windows matches aliases regardless of case: an alias that differs only by case
                # names the interface when it names one only.
                matches = self.interfaces_by_alias_ignoring_case(value)
                if len(matches) > 1:
                    raise ArgumentError(argument, '%r matches the aliases %s when case is ignored; give the exact alias or the index'
                                        % (value, ', '.join('%r (interface %d)' % (i.alias, i.index) for i in matches)))
                iface = matches[0] if matches else None
        else:
            raise ArgumentError(argument, 'must be an interface index or alias, got %s' % type_name(value))
        if iface is None:
            known = ', '.join('%d (%s)' % (i.index, i.alias) for i in self.interfaces)
            raise ArgumentError(argument, 'unknown interface %r; this host has %s' % (value, known))
        return iface

    def is_partial(self, item):
        """True when the state does not carry ``item`` (one of PARTIAL_ITEMS)."""
        return item in self.partial

    def __eq__(self, other):
        return (isinstance(other, HostState) and self.hostname == other.hostname and self.interfaces == other.interfaces
                and self.addresses == other.addresses and self.persistent_addresses == other.persistent_addresses
                and self.routes == other.routes and self.partial == other.partial
                and self.extra == other.extra)

    def __repr__(self):
        return 'HostState(%r, %d interfaces, %d addresses, %d routes)' % (self.hostname, len(self.interfaces), len(self.addresses), len(self.routes))

    # ------------------------------------------------------------- serialise
    def to_dict(self):
        """The schema v1 dictionary, with the unknown keys it was read with."""
        data = dict(self.extra)
        data['schema'] = SCHEMA
        if self.hostname is not None:
            data['hostname'] = self.hostname
        data['interfaces'] = [i.to_dict() for i in self.interfaces]
        data['addresses'] = [a.to_dict() for a in self.addresses + self.persistent_addresses]
        data['routes'] = [r.to_dict() for r in self.routes]
        if self.partial:
            data['partial'] = list(self.partial)
        return data

    @classmethod
    def from_dict(cls, data, add_system_routes=True):
        """Validate a schema v1 dictionary and build the HostState (see the module docstring)."""
        return _Loader().load(data, add_system_routes)


# The routes Windows creates by itself (active store, route metric 256, protocol local): for each
# usable address of a connected interface, ``address_routes``; for each bound family of a connected
# interface, these (multicast, and the IPv4 limited broadcast).
INTERFACE_ROUTES = {V4: ((0xE0000000, 4), (0xFFFFFFFF, 32)), V6: ((0xFF << 120, 8),)}


def address_routes(family, value, prefix_length):
    """(network, prefix length) of each route Windows creates for an address, in Windows' order: the
    on-link subnet (unless the prefix is a host prefix), the host route, and for IPv4 prefixes up to
    /30 the subnet broadcast."""
    bits = BITS[family]
    routes = []
    if prefix_length < bits:
        routes.append((value & mask(family, prefix_length), prefix_length))
    routes.append((value, bits))
    if family == V4 and prefix_length < 31:
        routes.append((value | ((1 << (bits - prefix_length)) - 1), bits))
    return routes


def index_candidates(iface):
    """The indexes a stand-in interface can be (a list, maybe empty), or None for an interface whose index is known."""
    value = iface.extra.get(INDEX_CANDIDATES)
    return list(value) if isinstance(value, list) else None


def system_routes_for(state_interfaces, addresses):
    """The routes Windows creates by itself for these interfaces and addresses, in Windows' order."""
    routes = []
    for iface in state_interfaces:
        if not iface.connected:
            continue
        for addr in addresses:
            if addr.interface != iface.index or not addr.usable or iface.settings(addr.family) is None:
                continue
            routes.extend((addr.family, network, plen, iface.index) for network, plen in address_routes(addr.family, addr.value, addr.prefix_length))
        for family in (V4, V6):
            if iface.settings(family) is not None:
                routes.extend((family, network, plen, iface.index) for network, plen in INTERFACE_ROUTES[family])
    return [Route(fam, net, plen, 0, index, SYSTEM_ROUTE_METRIC, 'active', 'local') for fam, net, plen, index in routes]


# ------------------------------------------------------------------ identity, order, lookups
def route_sort_key(route):
    """Identity order of a Route: family, destination, next hop, interface, store."""
    return (route.family, route.network, route.prefix_length, route.next_hop_value, route.interface, STORE_ORDER[route.store])


def address_sort_key(addr):
    """Identity order of an Address: interface, family, address."""
    return (addr.interface, addr.family, addr.value)


def route_key(route):
    """(family, network, prefix length, next hop value, interface): a route's identity without the store."""
    return route.identity[:5]


def route_ref(route):
    """A route as answers list it (a finding's ``routes``, route_coverage's ``shadowed``)."""
    return {'destination': route.destination, 'next_hop': route.next_hop, 'interface': route.interface,
            'route_metric': route.route_metric, 'store': route.store, 'protocol': route.protocol}


def route_copies(routes, key):
    """{store: route metric} of the copies of the route ``key`` (route_key) in ``routes``."""
    return {r.store: r.route_metric for r in routes if r.identity[:5] == key}


def find_route(routes, identity):
    """The route of ``routes`` with this identity (Route.identity), or None."""
    for route in routes:
        if route.identity == identity:
            return route
    return None


def find_address(addresses, interface, family, value):
    """The address ``value`` of ``family`` on interface ``interface`` among ``addresses``, or None."""
    for addr in addresses:
        if addr.interface == interface and addr.family == family and addr.value == value:
            return addr
    return None


def find_firewall_rule(extra, name):
    """The firewall rule named ``name`` in a state's extra keys (FIREWALL_KEY), or None."""
    for rule in extra.get(FIREWALL_KEY) or []:
        if isinstance(rule, dict) and rule.get('name') == name:
            return rule
    return None


def canonical_rule(rule):
    """A firewall rule's fields with its local address in canonical form (IPv6 compressed, lower
    case) and its protocol in upper case, so that a rule Windows reports as ``2001:DB8:0:0::10``
    equals the one planned as ``2001:db8::10``."""
    found = {k: rule.get(k) for k in FIREWALL_FIELDS}
    if isinstance(found.get('protocol'), str):
        found['protocol'] = found['protocol'].upper()
    try:
        family, value, _zone = parse_address(found['local_address'])
    except (AddressSyntaxError, TypeError, ValueError):
        return found
    found['local_address'] = format_address(family, value)
    return found


# --------------------------------------------------------------------- canonical form, hash
def canonical(state):
    """The schema v1 dictionary with interfaces, addresses, routes and firewall rules in identity order.

    Two states are equal for the planner, the applier and ``applier.inverse`` when their canonical
    dictionaries are equal: the order in which Windows lists routes (RouteOrder, which an undo
    cannot restore) and the interfaces' traffic counters (``discards``) are left out, everything
    else counts. Limits of ``applier.inverse``: a re-added route
    has protocol ``netmgmt`` and a re-added address is ``preferred`` and not temporary; an
    automatic metric is re-derived (R7); a re-created loopback adapter has a new index
    (``canonical`` does not hide that), both families bound, the created adapter's description and
    link speed, and Windows' default bindings when the removed adapter had none recorded.
    """
    data = state.to_dict()
    data['interfaces'] = sorted(({k: v for k, v in i.items() if k not in VOLATILE_INTERFACE_KEYS} for i in data['interfaces']),
                                key=lambda i: i['index'])
    data['addresses'] = [a.to_dict() for a in sorted(state.addresses, key=address_sort_key)
                         + sorted(state.persistent_addresses, key=address_sort_key)]
    data['routes'] = [r.to_dict() for r in sorted(state.routes, key=route_sort_key)]
    if isinstance(data.get(FIREWALL_KEY), list):
        data[FIREWALL_KEY] = sorted(data[FIREWALL_KEY], key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return data


HASH_SCOPES = ('interfaces', 'addresses', 'routes', FIREWALL_KEY)


def state_hash(state, scope=None):
    """sha256 (hex) of the canonical JSON of the state parts a plan depends on.

    ``scope`` is a list of ``interfaces``, ``addresses``, ``routes``, ``firewall_rules`` (default:
    all). Left out because they change without anyone changing the configuration: the hostname,
    link speed and connection state, traffic counters, address state (preferred, tentative, ...), IPv6 temporary
    addresses, and the order of routes.

    Raises:
        ArgumentError: ``scope[i]`` is not a scope.
    """
    scope = list(HASH_SCOPES) if scope is None else scope
    if isinstance(scope, str):
        scope = [scope]
    for i, part in enumerate(scope):
        if part not in HASH_SCOPES:
            raise ArgumentError('scope[%d]' % i, '%r is not one of %s' % (part, ', '.join(HASH_SCOPES)))
    data = canonical(state)
    relevant = {}
    if 'interfaces' in scope:
        relevant['interfaces'] = [{k: v for k, v in i.items() if k not in ('link_speed_bps', 'connected', 'description')}
                                  for i in data['interfaces']]
    if 'addresses' in scope:
        relevant['addresses'] = [{k: v for k, v in a.items() if k not in ('state', 'temporary')}
                                 for a in data['addresses'] if not a.get('temporary')]
    if 'routes' in scope:
        relevant['routes'] = data['routes']
    if FIREWALL_KEY in scope:
        relevant[FIREWALL_KEY] = data.get(FIREWALL_KEY) or []
    text = json.dumps(relevant, sort_keys=True, separators=(',', ':'), default=str)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


class _Loader:
    """Validation of a schema v1 dictionary; each check raises StateError with the path."""

    def load(self, data, add_system_routes):
        """The HostState of ``data``: the header, the interfaces, the addresses and routes that refer
        to them, then the routes Windows creates by itself that ``data`` leaves out."""
        if not isinstance(data, dict):
            raise StateError('', 'a HostState must be a mapping, got %s' % type_name(data))
        if 'schema' in data or any(nearest(key, ('schema',)) for key in data):
            CHECK.known_keys(data, '', STATE_KEYS)
        hostname, partial = self.header(data)
        CHECK.known_keys(data, '', STATE_KEYS)
        self.kept(data)
        interfaces = self.interfaces(data)
        by_index = {iface.index: iface for iface in interfaces}
        addresses, persistent_addresses = self.addresses(data, by_index)
        routes = self.routes(data, by_index)
        if add_system_routes:
            present = {(r.family, r.network, r.prefix_length, r.interface) for r in routes if r.store == 'active'}
            for route in system_routes_for(interfaces, addresses):
                key = (route.family, route.network, route.prefix_length, route.interface)
                if key not in present:
                    present.add(key)
                    routes.append(route)
        return HostState(interfaces, addresses, routes, hostname=hostname, partial=partial, extra=_extra(data, _STATE_KEYS),
                         persistent_addresses=persistent_addresses)

    @staticmethod
    def header(data):
        """(hostname, partial) after checking the schema name."""
        schema = data.get('schema')
        if schema is None:
            raise StateError('schema', "required key is missing (expected '%s')" % SCHEMA)
        if schema != SCHEMA:
            raise StateError('schema', "unsupported schema %r (expected '%s')" % (schema, SCHEMA))
        hostname = data.get('hostname')
        if hostname is not None and not isinstance(hostname, str):
            raise StateError('hostname', 'must be a string')
        partial = data.get('partial') or []
        if not isinstance(partial, list) or not all(isinstance(p, str) for p in partial):
            raise StateError('partial', 'must be a list of strings')
        for i, item in enumerate(partial):
            if item not in PARTIAL_ITEMS:
                raise StateError('partial[%d]' % i, '%r is not one of %s' % (item, ', '.join(PARTIAL_ITEMS)))
        return hostname, partial

    def kept(self, data):
        """The optional top-level keys, checked as they are kept."""
        for key in ('os_version', 'source'):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise StateError(key, 'must be a string, got %s' % type_name(data[key]))
        notes = data.get('parse_notes')
        if notes is not None and not (isinstance(notes, list) and all(isinstance(n, str) for n in notes)):
            raise StateError('parse_notes', 'must be a list of strings')
        for i, item in enumerate(self.listof(data, 'unbound_routes')):
            CHECK.known_keys(item, 'unbound_routes[%d]' % i, ROUTE_KEYS)
        for i, item in enumerate(self.listof(data, FIREWALL_KEY)):
            CHECK.known_keys(item, '%s[%d]' % (FIREWALL_KEY, i), FIREWALL_FIELDS)
        for i, item in enumerate(self.listof(data, 'nonpresent_adapters')):
            CHECK.known_keys(item, 'nonpresent_adapters[%d]' % i, NONPRESENT_KEYS)

    def interfaces(self, data):
        """The interfaces, each index and alias once."""
        interfaces = [self.interface(item, 'interfaces[%d]' % i) for i, item in enumerate(self.listof(data, 'interfaces', required=True))]
        by_index, by_alias = {}, {}
        for i, iface in enumerate(interfaces):
            if iface.index in by_index:
                raise StateError('interfaces[%d].index' % i, 'duplicate interface index %d' % iface.index)
            if iface.alias in by_alias:
                raise StateError('interfaces[%d].alias' % i, 'duplicate interface alias %r' % iface.alias)
            by_index[iface.index] = iface
            by_alias[iface.alias] = iface
        for i, iface in enumerate(interfaces):
            self.index_candidates(iface, 'interfaces[%d]' % i, by_index)
        return interfaces

    def addresses(self, data, by_index):
        """(active addresses, persistent addresses), each once per interface and store."""
        addresses, persistent_addresses = [], []
        seen = {}
        for i, item in enumerate(self.listof(data, 'addresses', required=True)):
            addr = self.address(item, 'addresses[%d]' % i, by_index)
            key = (addr.family, addr.value, addr.interface, addr.store)
            if key in seen:
                raise StateError('addresses[%d].address' % i, '%s is listed twice on interface %d%s (also addresses[%d])'
                                 % (addr.address, addr.interface, '' if addr.store == 'active' else ' in the persistent store',
                                    seen[key]))
            seen[key] = i
            (addresses if addr.store == 'active' else persistent_addresses).append(addr)
        return addresses, persistent_addresses

    def routes(self, data, by_index):
        """The routes, each identity once."""
        routes = []
        seen = {}
        for i, item in enumerate(self.listof(data, 'routes', required=True)):
            route = self.route(item, 'routes[%d]' % i, by_index)
            if route.identity in seen:
                raise StateError('routes[%d]' % i, 'duplicate route %s via %s on interface %d in the %s store (also routes[%d])'
                                 % (route.destination, route.next_hop, route.interface, route.store, seen[route.identity]))
            seen[route.identity] = i
            routes.append(route)
        return routes

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def listof(data, key, required=False):
        value = data.get(key)
        if value is None:
            if required:
                raise StateError(key, 'required key is missing (a list; an empty list is fine)')
            return []
        return CHECK.list(value, key)

    @staticmethod
    def mapping(item, path):
        return CHECK.mapping(item, path)

    @staticmethod
    def required(item, key, path):
        if key not in item or item[key] is None:
            raise StateError(join(path, key), 'required key is missing')
        return item[key]

    @staticmethod
    def boolean(item, key, path, default):
        return CHECK.boolean(item.get(key), join(path, key), default)

    @staticmethod
    def integer(value, path, low, high):
        return CHECK.integer(value, path, low, high)

    @staticmethod
    def choice(item, key, path, choices, default):
        return CHECK.choice(item.get(key), join(path, key), choices, default)

    def bindings(self, item, path):
        value = item.get(BINDINGS_KEY)
        if value is None:
            return
        bpath = '%s.%s' % (path, BINDINGS_KEY)
        self.mapping(value, bpath)
        for component, bound in value.items():
            if not isinstance(component, str) or not component.strip():
                raise StateError(bpath, 'component IDs must be non-empty strings, got %r' % (component,))
            CHECK.boolean(bound, join(bpath, component))

    def interface(self, item, path):
        item = CHECK.known_keys(item, path, INTERFACE_KEYS, inner={'ipv4': IPIF_KEYS, 'ipv6': IPIF_KEYS})
        index = self.integer(self.required(item, 'index', path), path + '.index', 0, 2 ** 31 - 1)
        alias = self.required(item, 'alias', path)
        if not isinstance(alias, str) or not alias.strip():
            raise StateError(path + '.alias', 'must be a non-empty string, got %r' % (alias,))
        description = item.get('description')
        if description is not None and not isinstance(description, str):
            raise StateError(path + '.description', 'must be a string')
        kind_given = item.get('kind') is not None
        kind = self.choice(item, 'kind', path, INTERFACE_KINDS, 'other')
        connected = self.boolean(item, 'connected', path, True)
        speed = item.get('link_speed_bps')
        if speed is not None:
            speed = self.integer(speed, path + '.link_speed_bps', 0, 2 ** 63 - 1)
        register_dns = self.boolean(item, 'register_dns', path, True)
        self.bindings(item, path)
        self.choice(item, NETBIOS_KEY, path, NETBIOS_OPTIONS, None)
        if item.get('mac') is not None and not isinstance(item['mac'], str):
            raise StateError(path + '.mac', 'must be a string, got %s' % type_name(item['mac']))
        if item.get('discards') is not None:
            dpath = path + '.discards'
            for key, count in CHECK.known_keys(item['discards'], dpath, DISCARDS_KEYS).items():
                CHECK.integer(count, join(dpath, key), 0, 2 ** 64 - 1)
        families = {}
        for fam_name in ('ipv4', 'ipv6'):
            raw = item.get(fam_name)
            if raw is None:
                families[fam_name] = None
                continue
            fpath = '%s.%s' % (path, fam_name)
            raw = CHECK.known_keys(raw, fpath, IPIF_KEYS)
            self.boolean(raw, 'metric_unknown', fpath, False)
            metric = raw.get('metric')
            if metric is None:
                if speed is None or not kind_given:
                    raise StateError(fpath + '.metric', 'required key is missing (it can be derived only when link_speed_bps and kind are given)')
                metric = derive_metric(speed, kind)
                automatic = self.boolean(raw, 'automatic_metric', fpath, True)
            else:
                metric = self.integer(metric, fpath + '.metric', 0, INTERFACE_METRIC_MAX)
                automatic = self.boolean(raw, 'automatic_metric', fpath, False)
            flags = {flag: self.boolean(raw, flag, fpath, False) for flag in IPIF_FLAGS}
            families[fam_name] = IpSettings(metric, automatic, extra=_extra(raw, _IPIF_KEYS), **flags)
        return Interface(index, alias, description, kind, connected, speed, register_dns, families['ipv4'], families['ipv6'],
                         extra=_extra(item, _INTERFACE_KEYS))

    @staticmethod
    def index_candidates(iface, path, by_index):
        """A stand-in's candidates are distinct indexes of other, listed interfaces that are no stand-ins themselves."""
        value = iface.extra.get(INDEX_CANDIDATES)
        if value is None:
            return
        cpath = '%s.%s' % (path, INDEX_CANDIDATES)
        if not isinstance(value, list):
            raise StateError(cpath, 'must be a list of interface indexes, got %s' % type_name(value))
        for j, index in enumerate(value):
            if not _is_int(index) or index not in by_index:
                raise StateError('%s[%d]' % (cpath, j), '%r is not the index of an interface listed in interfaces' % (index,))
            if index == iface.index or by_index[index].extra.get(INDEX_CANDIDATES) is not None:
                raise StateError('%s[%d]' % (cpath, j), 'interface %d is a stand-in itself; candidates are real interfaces' % index)
        if len(set(value)) != len(value):
            raise StateError(cpath, 'lists an index twice')

    def _interface_ref(self, item, path, by_index):
        value = self.required(item, 'interface', path)
        if not _is_int(value):
            raise StateError(path + '.interface', 'must be an interface index (integer), got %r' % (value,))
        if value not in by_index:
            raise StateError(path + '.interface', 'interface %d is not listed in interfaces' % value)
        return by_index[value]

    def address(self, item, path, by_index):
        item = CHECK.known_keys(item, path, ADDRESS_KEYS)
        for key in ('prefix_origin', 'suffix_origin'):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise StateError(join(path, key), 'must be a string, got %s' % type_name(item[key]))
        text = self.required(item, 'address', path)
        try:
            family, value, zone = parse_address(text)
        except AddressSyntaxError as exc:
            raise StateError(path + '.address', str(exc)) from None
        if is_v4_mapped(family, value):
            raise StateError(path + '.address', '%r is an IPv4-mapped IPv6 address; list the IPv4 address itself' % text)
        if is_multicast(family, value) or value == 0:
            raise StateError(path + '.address', '%r is not a unicast address' % text)
        plen = self.integer(self.required(item, 'prefix_length', path), path + '.prefix_length', 0, BITS[family])
        iface = self._interface_ref(item, path, by_index)
        if zone is not None and zone != str(iface.index):
            raise StateError(path + '.address', 'zone %%%s does not match interface %d' % (zone, iface.index))
        if iface.settings(family) is None:
            raise StateError(path + '.interface', 'interface %d (%s) has no %s settings, so it cannot hold %s'
                             % (iface.index, iface.alias, FAMILY_NAME[family], text))
        return Address(family, value, plen, iface.index,
                       skip_as_source=self.boolean(item, 'skip_as_source', path, False),
                       state=self.choice(item, 'state', path, ADDRESS_STATES, 'preferred'),
                       temporary=self.boolean(item, 'temporary', path, False),
                       extra=_extra(item, _ADDRESS_KEYS),
                       store=self.choice(item, 'store', path, ADDRESS_STORES, 'active'))

    def route(self, item, path, by_index):
        item = CHECK.known_keys(item, path, ROUTE_KEYS)
        for key in ('metric_is_sum', 'metric_unspecified'):
            self.boolean(item, key, path, False)
        text = self.required(item, 'destination', path)
        try:
            family, network, plen = parse_prefix(text)
        except AddressSyntaxError as exc:
            raise StateError(path + '.destination', str(exc)) from None
        hop = self.required(item, 'next_hop', path)
        try:
            hop_family, hop_value, zone = parse_address(hop)
        except AddressSyntaxError as exc:
            raise StateError(path + '.next_hop', str(exc)) from None
        if hop_family != family:
            raise StateError(path + '.next_hop', '%s is %s but destination %s is %s' % (hop, FAMILY_NAME[hop_family], text, FAMILY_NAME[family]))
        if plen >= 96 and is_v4_mapped(family, network):
            raise StateError(path + '.destination', '%r is inside the IPv4-mapped range ::ffff:0:0/96; list the IPv4 route itself' % text)
        if is_v4_mapped(family, hop_value):
            raise StateError(path + '.next_hop', '%r is an IPv4-mapped IPv6 address, not a next hop' % hop)
        iface = self._interface_ref(item, path, by_index)
        if zone is not None and zone != str(iface.index):
            raise StateError(path + '.next_hop', 'zone %%%s does not match interface %d' % (zone, iface.index))
        if iface.settings(family) is None:
            raise StateError(path + '.interface', 'interface %d (%s) has no %s settings, so it cannot hold a route to %s'
                             % (iface.index, iface.alias, FAMILY_NAME[family], text))
        metric = self.integer(self.required(item, 'route_metric', path), path + '.route_metric', 0, ROUTE_METRIC_MAX)
        store = self.choice(item, 'store', path, ROUTE_STORES, 'active')
        protocol = self.choice(item, 'protocol', path, ROUTE_PROTOCOLS, 'other')
        return Route(family, network, plen, hop_value, iface.index, metric, store, protocol, extra=_extra(item, _ROUTE_KEYS))
