# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner: desired settings + the current HostState -> an ordered list of operations (ops.py).

One function per module, taking the module's public option names:

* ``plan_routes(host, routes, interface=None, purge=False)`` (module ``route``),
* ``plan_interface(host, interface, family='ipv4', metric=None, ...)`` (``ip_interface``),
* ``plan_addresses(host, interface, addresses, state='present', purge=False)`` (``ip_address``),
* ``plan_loopback(host, name, state='present')`` (``loopback_adapter``),
* ``plan_firewall(host, rules, state='present')`` (``firewall_rule``).

``desired.plan`` plans several of them at once; ``diff.diff`` gives a module's diff.

Every argument is validated; errors are ``ArgumentError`` naming the argument path, for example
``routes[2].next_hop: 2001:db8::1 is IPv6 but destination 192.0.2.0/24 is IPv4``. An empty plan
means nothing changes.

Ordering rule (one rule everywhere): removals first, then everything else. Removals run in
reverse dependency order (firewall rules, routes, addresses, loopback adapters); the rest in
dependency order (loopback adapters, interface settings and DNS registration, addresses,
routes, firewall rules). Within a group, operations are sorted by identity (routes by family,
destination, next hop, interface, store; addresses by interface, family, address). A change of
identity (another next hop, another prefix length) is therefore always a remove followed later
by an add.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.checks import Checker, ascii_digits, join
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import (
    BINDINGS_KEY,
    FIREWALL_FIELDS,
    INTERFACE_METRIC_MAX,
    IPIF_FLAGS,
    NETBIOS_KEY,
    ROUTE_STORES,
    Address,
    address_sort_key,
    canonical_rule,
    find_address,
    find_firewall_rule,
    route_key,
)
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILY_BY_NAME,
    FAMILY_LABEL,
    FAMILY_NAME,
    V6,
    AddressSyntaxError,
    format_address,
    format_prefix,
    is_link_local,
    is_loopback,
    is_multicast,
    is_v4_mapped,
    mask,
    parse_address,
    parse_prefix,
)
from ansible_collections.winnet.routing.plugins.module_utils.ops import (
    COMPONENTS,
    NETBIOS,
    address_op,
    binding_op,
    dns_registration_op,
    firewall_rule_op,
    netbios_op,
    route_store_ops,
)

ROUTE_METRIC_MIN = 0
ROUTE_METRIC_MAX = 9999
DEFAULT_ROUTE_METRIC = 256
STORES = {'active': ('active',), 'persistent': ('persistent',), 'both': ('active', 'persistent')}
STATES = ('present', 'absent')
# The per-family flags ip_interface sets (DHCP is turned off by ip_address, for a static address).
INTERFACE_FLAGS = tuple(flag for flag in IPIF_FLAGS if flag != 'dhcp')
REMOVALS = ('remove_firewall_rule', 'remove_route', 'remove_address', 'remove_loopback')
FIREWALL_NAME_WILDCARDS = ('*', '?', '[', ']')


# ------------------------------------------------------------------------------ validation
CHECK = Checker(ArgumentError)


def _bound(iface, family, path):
    if iface.settings(family) is None:
        raise ArgumentError(path, 'interface %d (%s) has no %s settings' % (iface.index, iface.alias, FAMILY_NAME[family]))


# ---------------------------------------------------------------------------------- routes
class DesiredRoute:
    """One validated entry of ``routes``: identity without the store, metric, stores and state."""

    __slots__ = ('family', 'network', 'prefix_length', 'next_hop', 'interface', 'metric', 'stores', 'state', 'path')

    def __init__(self, family, network, prefix_length, next_hop, interface, metric, stores, state, path):
        self.family = family
        self.network = network
        self.prefix_length = prefix_length
        self.next_hop = next_hop
        self.interface = interface
        self.metric = metric
        self.stores = stores
        self.state = state
        self.path = path

    def identity(self, store):
        return (self.family, self.network, self.prefix_length, self.next_hop, self.interface, store)

    @property
    def label(self):
        return '%s via %s on interface %d' % (format_prefix(self.family, self.network, self.prefix_length),
                                              format_address(self.family, self.next_hop), self.interface)


ROUTE_OPTIONS = ('destination', 'next_hop', 'interface', 'metric', 'store', 'state')


def parse_route(host, item, path, default_interface=None, on_link=True):
    """Validate one desired route (module options ``destination``, ``next_hop``, ...); with ``on_link``,
    the next hop of a present route must be on-link on its interface in ``host``."""
    item = CHECK.mapping(item, path, ROUTE_OPTIONS)
    dest = item.get('destination')
    if dest is None:
        raise ArgumentError(join(path, 'destination'), 'required option is missing')
    if isinstance(dest, str) and '/' not in dest and _is_address(dest.strip()):
        # Without a prefix length the address would be read as a host route: say so instead.
        raise ArgumentError(join(path, 'destination'), '%r has no prefix length; give the prefix with it, such as %s/16 for a network '
                                                       'or %s/%d for this one address' % (dest, dest.strip(), dest.strip(), _host_length(dest)))
    try:
        family, network, plen = parse_prefix(dest.strip() if isinstance(dest, str) else dest)
    except AddressSyntaxError as exc:
        raise ArgumentError(join(path, 'destination'), str(exc)) from None
    if family == V6 and plen >= 96 and is_v4_mapped(family, network):
        raise ArgumentError(join(path, 'destination'), '%r is inside the IPv4-mapped range ::ffff:0:0/96; give the IPv4 prefix' % dest)
    value = item.get('interface', default_interface)
    if value is None:
        raise ArgumentError(join(path, 'interface'), 'required option is missing (the interface index or alias of the route)')
    iface = host.resolve_interface(value, join(path, 'interface'))
    hop_text = item.get('next_hop')
    hop = 0
    if hop_text is not None:
        try:
            hop_family, hop, zone = parse_address(hop_text.strip() if isinstance(hop_text, str) else hop_text)
        except AddressSyntaxError as exc:
            raise ArgumentError(join(path, 'next_hop'), str(exc)) from None
        if hop_family != family:
            if hop == 0:
                raise ArgumentError(join(path, 'next_hop'), '%s is the %s on-link next hop but destination %s is %s; omit next_hop for on-link'
                                    % (hop_text, FAMILY_LABEL[hop_family], dest, FAMILY_LABEL[family]))
            raise ArgumentError(join(path, 'next_hop'), '%s is %s but destination %s is %s'
                                % (hop_text, FAMILY_LABEL[hop_family], dest, FAMILY_LABEL[family]))
        if zone is not None and zone != str(iface.index):
            raise ArgumentError(join(path, 'next_hop'), 'zone %%%s does not match interface %d' % (zone, iface.index))
        if is_multicast(family, hop) or is_v4_mapped(family, hop):
            raise ArgumentError(join(path, 'next_hop'), '%s cannot be a next hop' % hop_text)
    _bound(iface, family, join(path, 'interface'))
    metric = item.get('metric')
    if metric is not None:
        metric = CHECK.integer(metric, join(path, 'metric'), ROUTE_METRIC_MIN, ROUTE_METRIC_MAX)
    store = CHECK.choice(item.get('store'), join(path, 'store'), tuple(STORES), 'both')
    state = CHECK.choice(item.get('state'), join(path, 'state'), STATES, 'present')
    if hop and state == 'present' and on_link:
        _check_on_link(host, iface, family, hop, hop_text, join(path, 'next_hop'))
    return DesiredRoute(family, network, plen, hop, iface.index, metric, STORES[store], state, path)


def _is_address(text):
    try:
        parse_address(text)
    except AddressSyntaxError:
        return False
    return True


def _host_length(text):
    """32 or 128: the prefix length of one address of the family ``text`` looks like."""
    return 128 if ':' in text else 32


def _check_on_link(host, iface, family, hop, hop_text, path):
    """A next hop must be reachable directly on the route's interface (Windows cannot send to it otherwise)."""
    if host.is_on_link(family, iface.index, hop):
        return
    prefixes = sorted(set(host.on_link_prefixes(family, iface.index)), key=lambda prefix: (prefix[1], prefix[0]))
    widest = []
    for net, plen in prefixes:      # each subnet once, without those inside a wider one
        if not any(net & mask(family, wplen) == wnet for wnet, wplen in widest):
            widest.append((net, plen))
    subnets = [format_prefix(family, net, plen) for net, plen in sorted(widest)]
    accepted = 'an address in %s' % ', '.join(subnets) if subnets else 'none: the interface has no %s subnet' % FAMILY_LABEL[family]
    if family == V6:
        accepted = ('an IPv6 link-local address (fe80::/10) or ' + accepted) if subnets else 'an IPv6 link-local address (fe80::/10)'
    raise ArgumentError(path, '%s is not on-link on interface %d (%s): it is in none of its %s subnets, so Windows cannot reach it; '
                              'a next hop there is %s' % (hop_text, iface.index, iface.alias, FAMILY_LABEL[family], accepted))


def plan_routes(host, routes, interface=None, purge=False, path='routes', on_link=True):
    """Operations making ``routes`` (a list of desired routes) true.

    ``interface`` is the default interface of the listed routes and, with ``purge``, the
    interface whose other routes are removed (except the ones Windows creates itself, protocol
    ``local``). A route without ``metric`` keeps the metric it has; a new one takes the metric of
    its copy in the other store, else 256. ``absent`` removes the declared route in the declared
    stores only, never the other routes of the prefix. A present route's next hop must be on-link on
    its interface (``on_link=False`` leaves that to a later pass, when the addresses are there).
    """
    items = [(item, '%s[%d]' % (path, i)) for i, item in enumerate(CHECK.list(routes, path))]
    return _plan_routes(host, items, interface, purge, join(path.rpartition('.')[0], 'interface'), join(path.rpartition('.')[0], 'purge'),
                        on_link)


def plan_route(host, path='', on_link=True, **options):
    """The single-route form of the route module (options ``destination``, ``next_hop``, ...)."""
    return _plan_routes(host, [(options, path)], None, False, 'interface', 'purge', on_link)


def _plan_routes(host, items, interface, purge, interface_path, purge_path, on_link):
    purge = CHECK.boolean(purge, purge_path, None)
    purged = None
    if interface is not None:
        purged = host.resolve_interface(interface, interface_path)
    if purge and purged is None:
        raise ArgumentError(purge_path, 'needs interface: the interface whose other routes are removed')
    desired = [parse_route(host, item, ipath, interface, on_link) for item, ipath in items]
    for route in desired:
        if 'persistent' in route.stores or purge:
            _refuse_partial(host, 'routes.persistent', join(route.path, 'store'),
                            'the routes of the PersistentStore (Get-NetRoute -PolicyStore PersistentStore)')
    seen = {}
    for route in desired:
        for store in route.stores:
            other = seen.get(route.identity(store))
            if other is not None:
                raise ArgumentError(route.path or 'destination', 'duplicates %s (%s in the %s store)' % (other.path, route.label, store))
            seen[route.identity(store)] = route
    # The copies each route has now, read in one pass: {route key: {store: metric}}.
    copies = {}
    for current in host.routes:
        copies.setdefault(route_key(current), {})[current.store] = current.route_metric
    keys = {}
    for route in desired:
        key = route.identity(None)[:5]
        now = copies.get(key, {})
        target = keys.setdefault(key, dict(now))
        for store in route.stores:
            if route.state == 'absent':
                target.pop(store, None)
            elif route.metric is not None:
                target[store] = route.metric
            elif store not in target:
                target[store] = next((now[s] for s in ROUTE_STORES if s in now), DEFAULT_ROUTE_METRIC)
    if purge:
        keep = {identity for identity, route in seen.items() if route.state == 'present'}
        for current in host.routes:
            if current.interface == purged.index and current.protocol != 'local' and current.identity not in keep:
                keys.setdefault(route_key(current), dict(copies[route_key(current)])).pop(current.store, None)
    removes, changes = [], []
    for key in sorted(keys):
        ops = route_store_ops(key, copies.get(key, {}), keys[key])
        lead = len(leading_removals(ops))
        removes += ops[:lead]
        changes += ops[lead:]
    return removes + changes


# ------------------------------------------------------------------------------ interfaces
def plan_interface(host, interface, family='ipv4', metric=None, weak_host_send=None, weak_host_receive=None, forwarding=None,
                   ignore_default_routes=None, register_dns=None, bindings=None, netbios=None, path='', dhcp=None):
    """Operations setting one interface's per-family settings; ``None`` leaves a setting alone.

    ``dhcp`` (the module desired_state only) turns DHCP on or off for the family; off releases the
    lease (see the applier).

    ``metric`` is a number (0 to 9999, which turns the automatic metric off) or ``automatic``.
    ``register_dns``, ``bindings`` (component ID -> bound, for the components of ``ops.COMPONENTS``)
    and ``netbios`` (``default``, ``enabled``, ``disabled``) belong to the adapter, not to a family.
    """
    iface = host.resolve_interface(interface, join(path, 'interface'))
    fam_name = CHECK.choice(family, join(path, 'family'), tuple(FAMILY_BY_NAME), 'ipv4')
    fam = FAMILY_BY_NAME[fam_name]
    wanted = {'weak_host_send': weak_host_send, 'weak_host_receive': weak_host_receive, 'forwarding': forwarding,
              'ignore_default_routes': ignore_default_routes}
    if dhcp is not None:
        wanted['dhcp'] = dhcp
    ops = []
    per_family = metric is not None or any(value is not None for value in wanted.values())
    # DNS registration, bindings and NetBIOS belong to the adapter: a task asking only for them
    # does not need the family bound (an adapter without IPv4 takes them without family: ipv6).
    if per_family or (register_dns is None and bindings is None and netbios is None):
        _bound(iface, fam, join(path, 'family'))
    if per_family:
        ops = _plan_family_settings(iface, fam_name, metric, wanted, path)
    if CHECK.boolean(register_dns, join(path, 'register_dns'), None) is not None and iface.register_dns != register_dns:
        ops.append(dns_registration_op(iface.index, register_dns))
    return ops + _plan_bindings(host, iface, bindings, netbios, path)


def _plan_family_settings(iface, fam_name, metric, wanted, path):
    """The set_interface operation (in a list, empty when nothing differs) for one bound family."""
    settings = iface.settings(FAMILY_BY_NAME[fam_name])
    op = {'op': 'set_interface', 'interface': iface.index, 'family': fam_name}
    if metric == 'automatic':
        if not settings.automatic_metric:
            op['automatic_metric'] = True
    elif metric is not None:
        metric = CHECK.integer(metric, join(path, 'metric'), 0, INTERFACE_METRIC_MAX)
        if settings.automatic_metric or settings.metric != metric:
            op['metric'] = metric
    for flag in INTERFACE_FLAGS + (('dhcp',) if 'dhcp' in wanted else ()):
        value = CHECK.boolean(wanted[flag], join(path, flag), None)
        if value is not None and getattr(settings, flag) != value:
            op[flag] = value
    return [op] if len(op) > 3 else []


def _refuse_partial(host, item, path, what):
    """Refuse to plan on a part of the state the gather could not read (the state is partial in ``item``):
    its absence is not the host's answer."""
    if host.is_partial(item):
        raise ArgumentError(path, 'the host state does not hold %s: the read failed when the host was gathered (the state is partial: '
                                  '%s; its parse_notes quote the error), so nothing can be planned on it' % (what, item))


def _not_recorded(iface, what, key):
    return ('interface %d (%s): the state does not record its %s; net_info gathers it on a live host, and a snapshot host '
            'needs the key %r on the interface' % (iface.index, iface.alias, what, key))


def _plan_bindings(host, iface, bindings, netbios, path):
    """set_binding for each component whose wanted state differs, then set_netbios."""
    ops = []
    bpath = join(path, 'bindings')
    if bindings is not None:
        bindings = CHECK.mapping(bindings, bpath, COMPONENTS)
        recorded = iface.extra.get(BINDINGS_KEY)
        for component in COMPONENTS:
            wanted = CHECK.boolean(bindings.get(component), join(bpath, component), None)
            if wanted is None:
                continue
            if not isinstance(recorded, dict):
                _refuse_partial(host, 'interfaces.bindings', bpath, 'the adapter bindings (Get-NetAdapterBinding)')
                raise ArgumentError(bpath, _not_recorded(iface, 'adapter bindings', BINDINGS_KEY))
            if component not in recorded:
                raise ArgumentError(join(bpath, component), 'interface %d (%s) has no %s binding (the component is not installed '
                                                            'for this adapter)' % (iface.index, iface.alias, component))
            if recorded[component] != wanted:
                ops.append(binding_op(iface.index, component, wanted))
    npath = join(path, 'netbios')
    netbios = CHECK.choice(netbios, npath, tuple(NETBIOS), None)
    if netbios is not None:
        recorded = iface.extra.get(NETBIOS_KEY)
        if recorded is None:
            _refuse_partial(host, 'interfaces.netbios', npath, 'the NetBIOS over TCP/IP settings (Win32_NetworkAdapterConfiguration)')
            raise ArgumentError(npath, _not_recorded(iface, 'NetBIOS over TCP/IP setting', NETBIOS_KEY))
        if recorded != netbios:
            ops.append(netbios_op(iface.index, netbios))
    return ops


# ------------------------------------------------------------------------------- addresses
ADDRESS_OPTIONS = ('address', 'skip_as_source')


def parse_cidr(value, path, zone_of=None):
    """(family, value, prefix length) of an address in CIDR form (``192.0.2.10/32``).

    Windows lists a link-local address with its zone, the interface index (``fe80::10%12/64``):
    the address is taken with or without it, and a zone must be ``zone_of`` (the index of the
    interface the address is for).
    """
    if not isinstance(value, str) or '/' not in value:
        raise ArgumentError(path, '%r must be an address with its prefix length, like 192.0.2.10/32' % (value,))
    text, _sep, length = value.strip().partition('/')
    try:
        family, number, zone = parse_address(text)
    except AddressSyntaxError as exc:
        raise ArgumentError(path, str(exc)) from None
    if zone is not None and zone != zone_of:
        raise ArgumentError(path, '%r: zone %%%s is not the interface%s; give the address without a zone'
                            % (value, zone, '' if zone_of is None else ' (%s)' % zone_of))
    if not ascii_digits(length) or int(length) > BITS[family]:
        raise ArgumentError(path, '%r has an invalid prefix length (0 to %d)' % (value, BITS[family]))
    if number == 0 or is_multicast(family, number) or is_v4_mapped(family, number):
        raise ArgumentError(path, '%r is not a unicast address' % value)
    return family, number, int(length)


def _purgeable(addr):
    """Addresses ``purge`` may remove: not link-local (the stack's own) and not temporary (privacy)."""
    return not addr.temporary and not is_link_local(addr.family, addr.value)


def plan_addresses(host, interface, addresses, state='present', purge=False, path=''):
    """Operations for the addresses of one interface.

    ``addresses`` is a list of ``{address: CIDR, skip_as_source: bool}`` (or CIDR strings).
    ``present`` adds missing addresses, fixes skip_as_source, and replaces an address whose
    prefix length differs (remove + add); the first static address of a family on a DHCP
    interface first turns DHCP off. ``absent`` removes the listed addresses (whatever their
    prefix length). ``purge`` also removes the interface's other addresses, except link-local
    and temporary ones.
    """
    iface = host.resolve_interface(interface, join(path, 'interface'))
    state = CHECK.choice(state, join(path, 'state'), STATES, 'present')
    purge = CHECK.boolean(purge, join(path, 'purge'), None)
    desired = _desired_addresses(host, iface, addresses, state, join(path, 'addresses'))
    removes, dhcp_off, sets, adds = [], [], [], []
    for addr in desired:
        current = find_address(host.addresses, iface.index, addr.family, addr.value)
        if state == 'absent':
            if current is not None:
                removes.append(current)
            continue
        if current is not None and current.prefix_length != addr.prefix_length:
            removes.append(current)
            current = None
        if current is None:
            adds.append(address_op('add_address', addr))
            if iface.settings(addr.family).dhcp and addr.family not in dhcp_off:
                dhcp_off.append(addr.family)
        elif current.skip_as_source != addr.skip_as_source:
            sets.append(address_op('set_address', addr))
    if purge and state == 'present':
        listed = {(addr.family, addr.value) for addr in desired}
        removes.extend(addr for addr in host.addresses
                       if addr.interface == iface.index and (addr.family, addr.value) not in listed and _purgeable(addr))
    if removes:
        # A removal takes both copies and its undo brings back the copies there were: without the
        # PersistentStore read neither is known.
        needs = ('the addresses of the PersistentStore (Get-NetIPAddress -PolicyStore PersistentStore), which removing %s needs'
                 % removes[0].address)
        _refuse_partial(host, 'addresses.persistent', join(path, 'addresses'), needs)
    ops = [address_op('remove_address', a) for a in sorted(removes, key=address_sort_key)]
    ops += [{'op': 'set_interface', 'interface': iface.index, 'family': FAMILY_NAME[f], 'dhcp': False} for f in sorted(dhcp_off)]
    by_identity = sorted(sets + adds, key=lambda op: parse_address(op['address'])[:2])
    return ops + by_identity


def _desired_addresses(host, iface, addresses, state, path):
    """The validated ``addresses`` of interface ``iface`` as Address objects (each listed once; with
    ``present``, none assigned to another interface)."""
    desired = []
    seen = {}
    for i, item in enumerate(CHECK.list(addresses, path)):
        ipath = '%s[%d]' % (path, i)
        if isinstance(item, str):
            item = {'address': item}
        item = CHECK.mapping(item, ipath, ADDRESS_OPTIONS)
        family, value, plen = parse_cidr(item.get('address'), join(ipath, 'address'), str(iface.index))
        skip = CHECK.boolean(item.get('skip_as_source'), join(ipath, 'skip_as_source'), None)
        _bound(iface, family, join(ipath, 'address'))
        if (family, value) in seen:
            raise ArgumentError(join(ipath, 'address'), '%s is also listed in %s' % (format_address(family, value), seen[(family, value)]))
        seen[(family, value)] = ipath
        if state == 'present':
            for other in host.addresses:
                if other.family == family and other.value == value and other.interface != iface.index:
                    owner = host.interface(other.interface)
                    raise ArgumentError(join(ipath, 'address'), '%s is already assigned to interface %d (%s); remove it there first'
                                        % (other.address, owner.index, owner.alias))
        desired.append(Address(family, value, plen, iface.index, bool(skip)))
    return desired


# -------------------------------------------------------------------------------- loopback
def plan_loopback(host, name, state='present', path='', interface=None):
    """Create (``present``) or remove (``absent``) the loopback adapter whose alias is ``name``.

    With ``interface`` (``present`` only), that existing loopback adapter is renamed to ``name``;
    when no interface answers to ``interface`` any more but a loopback adapter is named ``name``,
    the rename has happened and nothing is planned.
    Only KM-TEST loopback adapters (kind ``loopback_adapter``, found by ``*MSLOOP``) are ever
    created, renamed or removed.
    """
    npath = join(path, 'name')
    if not isinstance(name, str) or not name.strip():
        raise ArgumentError(npath, 'must be a non-empty adapter name, got %r' % (name,))
    state = CHECK.choice(state, join(path, 'state'), STATES, 'present')
    iface = host.interface_by_alias(name)
    if iface is None:
        # Windows' adapter names are unique regardless of case: 'VIP' is the adapter 'vip'.
        same = host.interfaces_by_alias_ignoring_case(name)
        iface = same[0] if len(same) == 1 else None
    if interface is not None:
        ipath = join(path, 'interface')
        if state == 'absent':
            raise ArgumentError(ipath, 'names the adapter to rename; it goes with state=present only')
        try:
            target = host.resolve_interface(interface, ipath)
        except ArgumentError:
            if iface is not None and iface.kind == 'loopback_adapter':
                return []       # renamed already: the old name is gone and the adapter has the new one
            raise
        if target.kind != 'loopback_adapter':
            raise ArgumentError(ipath, 'refusing to rename interface %d (%s): it is a %s, not a loopback adapter'
                                % (target.index, target.alias, target.kind))
        if iface is not None and iface.index != target.index:
            raise ArgumentError(npath, '%r is already the name of interface %d' % (name, iface.index))
        return [] if target.alias == name else [{'op': 'rename_adapter', 'interface': target.index, 'name': name}]
    if iface is not None and iface.kind != 'loopback_adapter':
        action = 'remove' if state == 'absent' else 'use'
        raise ArgumentError(npath, 'refusing to %s %r: interface %d is a %s, not a loopback adapter'
                            % (action, name, iface.index, iface.kind))
    if state == 'present':
        return [] if iface is not None else [{'op': 'create_loopback', 'name': name}]
    return [{'op': 'remove_loopback', 'interface': iface.index}] if iface is not None else []


# -------------------------------------------------------------------------------- firewall


def plan_firewall(host, rules, state='present', path='', assigned=True):
    """Firewall rules by name: ``present`` adds (or replaces a differing rule), ``absent`` removes.

    A present rule's local address must be assigned on ``host`` (``assigned=False`` leaves that to a
    later pass, when the addresses are there).
    """
    state = CHECK.choice(state, join(path, 'state'), STATES, 'present')
    removes, adds, seen = [], [], {}
    rpath = join(path, 'rules')
    if 'firewall_rules' in (host.partial or ()):
        raise ArgumentError(rpath, "the host's firewall rules could not be read (the state is partial: firewall_rules; its parse_notes "
                            'quote the error): nothing can be planned for them')
    for i, item in enumerate(CHECK.list(rules, rpath)):
        ipath = '%s[%d]' % (rpath, i)
        item = CHECK.mapping(item, ipath, FIREWALL_FIELDS)
        name = item.get('name')
        if not isinstance(name, str) or not name.strip():
            raise ArgumentError(join(ipath, 'name'), 'must be a non-empty rule name, got %r' % (name,))
        wild = sorted(set(name) & set(FIREWALL_NAME_WILDCARDS))
        if wild:
            raise ArgumentError(join(ipath, 'name'), '%r contains %s: Windows reads a rule name with %s as a pattern that can match '
                                                     'other rules; give a name without them' % (name, ', '.join(wild), ' '.join(FIREWALL_NAME_WILDCARDS)))
        if name in seen:
            raise ArgumentError(join(ipath, 'name'), '%r is also listed in %s' % (name, seen[name]))
        seen[name] = ipath
        current = find_firewall_rule(host.extra, name)
        if state == 'absent':
            if current is not None:
                removes.append(name)
            continue
        rule = _firewall_rule(host if assigned else None, item, ipath)
        if current is not None and canonical_rule(current) != rule:
            removes.append(name)
            current = None
        if current is None:
            adds.append(firewall_rule_op(rule))
    return [{'op': 'remove_firewall_rule', 'name': n} for n in sorted(removes)] + sorted(adds, key=lambda op: op['name'])


def _firewall_rule(host, item, path):
    try:
        family, value, _zone = parse_address(item.get('local_address'))
    except AddressSyntaxError as exc:
        raise ArgumentError(join(path, 'local_address'), str(exc)) from None
    if is_v4_mapped(family, value):
        raise ArgumentError(join(path, 'local_address'), '%r is an IPv4-mapped IPv6 address; give the IPv4 address' % item.get('local_address'))
    if host is not None and not any(addr.family == family and addr.value == value for addr in host.addresses):
        assigned = sorted({addr.address for addr in host.addresses if addr.family == family and not is_link_local(family, addr.value)
                           and not is_loopback(family, addr.value)}, key=lambda text: parse_address(text)[1])
        raise ArgumentError(join(path, 'local_address'), '%s is not an address of this host, so the rule would never match; give one of '
                                                         'its %s addresses (%s), or assign it first (winnet.routing.ip_address)'
                            % (item.get('local_address'), FAMILY_LABEL[family], ', '.join(assigned) or 'none'))
    protocol = item.get('protocol')
    protocol = CHECK.choice(protocol.upper() if isinstance(protocol, str) else protocol, join(path, 'protocol'), ('TCP', 'UDP'), None)
    if protocol is None:
        raise ArgumentError(join(path, 'protocol'), 'required option is missing (TCP or UDP)')
    port = item.get('local_port')
    if isinstance(port, int) and not isinstance(port, bool):
        port = str(port)
    if not isinstance(port, str) or not ascii_digits(port) or not 1 <= int(port) <= 65535:
        raise ArgumentError(join(path, 'local_port'), 'must be a port number (1 to 65535), got %r' % (port,))
    return {'name': item['name'], 'local_address': format_address(family, value), 'protocol': protocol, 'local_port': str(int(port))}


def leading_removals(ops):
    """The removals an entry's plan starts with (a route rewritten for the PersistentStore may end
    with the removal of its active copy, which must stay after the add)."""
    lead = 0
    while lead < len(ops) and ops[lead]['op'] in REMOVALS:
        lead += 1
    return ops[:lead]
