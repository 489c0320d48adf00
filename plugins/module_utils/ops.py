# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Explicit change operations: the contract between the planner, the appliers and net_apply.ps1.

An operation is a flat dictionary with an ``op`` kind and the fields listed in ``OPERATIONS``;
every value is a string, an integer or a boolean, so it travels to PowerShell as data and is
never interpreted as text. Each kind maps to exactly one cmdlet call in net_apply.ps1 (named in
``CMDLET``), whose parameters are the fields' ``PARAMETER`` names. Whether an operation is
needed, and in which order, is decided by the planner in Python; PowerShell only checks the
operation's precondition (``PRECONDITION``) and executes it.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.checks import Checker, join
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import BINDINGS_KEY, FIREWALL_FIELDS, IPIF_FLAGS, NETBIOS_KEY, find_address
from ansible_collections.winnet.routing.plugins.module_utils.netutil import FAMILY_NAME, format_address, format_prefix

CHECK = Checker(ArgumentError)

# kind -> ((field, type, required), ...)
OPERATIONS = {
    'add_route': (('family', str, True), ('destination', str, True), ('next_hop', str, True), ('interface', int, True),
                  ('route_metric', int, True), ('store', str, True)),
    'remove_route': (('family', str, True), ('destination', str, True), ('next_hop', str, True), ('interface', int, True),
                     ('store', str, True)),
    'set_route_metric': (('family', str, True), ('destination', str, True), ('next_hop', str, True), ('interface', int, True),
                         ('store', str, True), ('route_metric', int, True)),
    'set_interface': (('interface', int, True), ('family', str, True), ('metric', int, False), ('automatic_metric', bool, False),
                      ('weak_host_send', bool, False), ('weak_host_receive', bool, False), ('forwarding', bool, False),
                      ('ignore_default_routes', bool, False), ('dhcp', bool, False)),
    'add_address': (('interface', int, True), ('family', str, True), ('address', str, True), ('prefix_length', int, True),
                    ('skip_as_source', bool, True), ('store', str, False)),
    'set_address': (('interface', int, True), ('family', str, True), ('address', str, True), ('skip_as_source', bool, True)),
    'remove_address': (('interface', int, True), ('family', str, True), ('address', str, True)),
    'set_dns_registration': (('interface', int, True), ('register_dns', bool, True)),
    'set_binding': (('interface', int, True), ('component', str, True), ('enabled', bool, True)),
    'set_netbios': (('interface', int, True), ('netbios', str, True)),
    'create_loopback': (('name', str, True),),
    'rename_adapter': (('interface', int, True), ('name', str, True)),
    'remove_loopback': (('interface', int, True),),
    'add_firewall_rule': (('name', str, True), ('local_address', str, True), ('protocol', str, True), ('local_port', str, True)),
    'remove_firewall_rule': (('name', str, True),),
}

# The one cmdlet (or C# util call) each kind runs in net_apply.ps1.
CMDLET = {
    'add_route': 'New-NetRoute',
    'remove_route': 'Remove-NetRoute',
    'set_route_metric': 'Set-NetRoute',
    'set_interface': 'Set-NetIPInterface',
    'add_address': 'New-NetIPAddress',
    'set_address': 'Set-NetIPAddress',
    'remove_address': 'Remove-NetIPAddress',
    'set_dns_registration': 'Set-DnsClient',
    'set_binding': 'Set-NetAdapterBinding',
    'set_netbios': 'Invoke-CimMethod',
    'create_loopback': 'LoopbackAdapter.Create',
    'rename_adapter': 'Rename-NetAdapter',
    'remove_loopback': 'LoopbackAdapter.Remove',
    'add_firewall_rule': 'New-NetFirewallRule',
    'remove_firewall_rule': 'Remove-NetFirewallRule',
}

# Field -> cmdlet parameter (fields not listed here select the object and are passed as shown).
PARAMETER = {
    'family': 'AddressFamily',
    'destination': 'DestinationPrefix',
    'next_hop': 'NextHop',
    'interface': 'InterfaceIndex',
    'route_metric': 'RouteMetric',
    'store': 'PolicyStore',
    'metric': 'InterfaceMetric',
    'automatic_metric': 'AutomaticMetric',
    'weak_host_send': 'WeakHostSend',
    'weak_host_receive': 'WeakHostReceive',
    'forwarding': 'Forwarding',
    'ignore_default_routes': 'IgnoreDefaultRoutes',
    'dhcp': 'Dhcp',
    'address': 'IPAddress',
    'prefix_length': 'PrefixLength',
    'skip_as_source': 'SkipAsSource',
    'register_dns': 'RegisterThisConnectionsAddress',
    'component': 'ComponentID',
    'enabled': 'Enabled',
    'netbios': 'Arguments',
    'name': 'Name',
    'local_address': 'LocalAddress',
    'protocol': 'Protocol',
    'local_port': 'LocalPort',
}

# What must hold on the host just before the operation runs (checked by net_apply.ps1, which
# stops at the first operation whose precondition fails).
PRECONDITION = {
    'add_route': 'route_absent',
    'remove_route': 'route_present',
    'set_route_metric': 'route_present',
    'set_interface': 'interface_family_present',
    'add_address': 'address_absent',
    'set_address': 'address_present',
    'remove_address': 'address_present',
    'set_dns_registration': 'interface_present',
    'set_binding': 'binding_present',
    'set_netbios': 'netbios_configurable',
    'create_loopback': 'adapter_name_free',
    'rename_adapter': 'interface_present',
    'remove_loopback': 'loopback_adapter',
    'add_firewall_rule': 'firewall_rule_absent',
    'remove_firewall_rule': 'firewall_rule_present',
}

# An operation on an adapter that an earlier operation of the same plan creates (create_loopback)
# also names it: ``adapter`` is that name. Its ``interface`` is then the index the applier predicts,
# and the host resolves the name to the index Windows handed out just before the operation runs
# (and uses that index instead). The undo of create_loopback is remove_loopback naming the adapter,
# so a plan that creates an adapter can be rolled back.
ADAPTER_FIELD = 'adapter'

FAMILIES = ('ipv4', 'ipv6')
# The stores each route operation can address, as Windows allows them: New-NetRoute writes both
# stores when -PolicyStore is left out and only the ActiveStore with -PolicyStore ActiveStore (it
# cannot write the PersistentStore alone); Set-NetRoute changes the ActiveStore only;
# Remove-NetRoute removes from either store. A persistent-only route or a persistent metric
# change is therefore planned as remove + add (both) + remove or change of the active copy.
# add_address is New-NetIPAddress: without ``store`` (or with ``both``) it writes both stores, as
# Windows does without -PolicyStore; ``store: active`` writes the ActiveStore only (an undo bringing
# back an address that was never persistent). remove_address and set_address act on the address
# in both stores (remove_address leaves no persistent copy behind to come back at the next boot).
STORES = {'add_route': ('active', 'both'), 'remove_route': ('active', 'persistent'), 'set_route_metric': ('active',),
          'add_address': ('active', 'both')}
PROTOCOLS = ('TCP', 'UDP')
# The adapter bindings set_binding changes (Get-NetAdapterBinding ComponentID): Client for
# Microsoft Networks and File and Printer Sharing for Microsoft Networks. The IP protocols
# (ms_tcpip, ms_tcpip6) are not among them: unbinding one takes the address family away.
COMPONENTS = ('ms_msclient', 'ms_server')
# NetBIOS over TCP/IP (set_netbios) -> Win32_NetworkAdapterConfiguration TcpipNetbiosOptions.
NETBIOS = {'default': 0, 'enabled': 1, 'disabled': 2}

# The cmdlet values of the operations' words, which net_apply.ps1 passes on as they are
# (WinnetOperations.psm1 holds a copy of each table, which its contract test keeps equal to these):
# family -> -AddressFamily, store -> -PolicyStore, and the stores a store value names ('both' is
# New-NetRoute or New-NetIPAddress without -PolicyStore, which writes both).
FAMILY_PARAMETER = {'ipv4': 'IPv4', 'ipv6': 'IPv6'}
STORE_PARAMETER = {'active': 'ActiveStore', 'persistent': 'PersistentStore'}
STORE_COPIES = {'active': ['active'], 'persistent': ['persistent'], 'both': ['active', 'persistent']}


def validate(operation, path='operations[0]'):
    """Check one operation's shape; returns a clean copy. Raises ArgumentError naming the path."""
    CHECK.mapping(operation, path)
    kind = CHECK.choice(operation.get('op'), path + '.op', tuple(sorted(OPERATIONS)))
    fields = OPERATIONS[kind]
    names = ('op',) + tuple(name for name, _type, _required in fields)
    if 'interface' in names:
        names += (ADAPTER_FIELD,)
    CHECK.mapping(operation, path, names, unknown='is not a field of %s' % kind)
    clean = {'op': kind}
    for name, kind_type, required in fields:
        value = operation.get(name)
        field = join(path, name)
        if value is None:
            if required:
                raise ArgumentError(field, 'required field of %s is missing' % kind)
            continue
        clean[name] = CHECK.integer(value, field) if kind_type is int else CHECK.instance(value, field, kind_type)
    if operation.get(ADAPTER_FIELD) is not None:
        adapter = CHECK.instance(operation[ADAPTER_FIELD], join(path, ADAPTER_FIELD), str)
        if not adapter.strip():
            raise ArgumentError(join(path, ADAPTER_FIELD), 'must be a non-empty adapter name')
        clean[ADAPTER_FIELD] = adapter
    if clean.get('family') is not None:
        CHECK.choice(clean['family'], path + '.family', FAMILIES)
    if clean.get('store') is not None and clean['store'] not in STORES[kind]:
        raise ArgumentError(path + '.store', '%r is not one of %s for %s' % (clean['store'], ', '.join(STORES[kind]), kind))
    for name, choices in (('protocol', PROTOCOLS), ('component', COMPONENTS), ('netbios', tuple(NETBIOS))):
        if clean.get(name) is not None:
            CHECK.choice(clean[name], join(path, name), choices)
    if kind in ('add_firewall_rule', 'remove_firewall_rule') and set(clean['name']) & set('*?[]'):
        raise ArgumentError(path + '.name', '%r holds a wildcard character (* ? [ ]): Windows would read the rule name as a pattern'
                            % clean['name'])
    if kind == 'set_interface' and len(clean) <= 3:
        raise ArgumentError(path, 'set_interface changes nothing: give at least one setting')
    return clean


def validate_all(operations, path='operations'):
    """``validate`` for each operation of a list; errors name ``path[i]``."""
    if not isinstance(operations, list):
        raise ArgumentError(path, 'must be a list of operations')
    return [validate(op, '%s[%d]' % (path, i)) for i, op in enumerate(operations)]


# ------------------------------------------------------------------------------- builders
# The planner, the applier's inverse and restore build their operations here, so each kind is
# spelt in one place.
ROUTE_KINDS = ('add_route', 'remove_route', 'set_route_metric')


def route_op(kind, key, store, metric=None):
    """One route operation for the route ``key`` (hoststate.route_key) in ``store``."""
    family, network, plen, hop, index = key
    op = {'op': kind, 'family': FAMILY_NAME[family], 'destination': format_prefix(family, network, plen),
          'next_hop': format_address(family, hop), 'interface': index, 'store': store}
    if metric is not None:
        op['route_metric'] = metric
    return op


def route_store_ops(key, current, target):
    """The route operations taking the copies ``current`` to ``target`` ({store: metric}; a store
    left out has no copy), with the cmdlets Windows offers (see STORES).

    Only the ActiveStore can be written alone, so a PersistentStore copy that must appear or change
    is (re)written with New-NetRoute for both stores after removing the copies in its way, and the
    active copy is then removed or set to its own metric.
    """
    ops = []
    active_now, persistent_now = current.get('active'), current.get('persistent')
    active_wanted, persistent_wanted = target.get('active'), target.get('persistent')
    if persistent_wanted != persistent_now:
        if persistent_now is not None:
            ops.append(route_op('remove_route', key, 'persistent'))
        if persistent_wanted is not None:
            if active_now is not None:
                ops.append(route_op('remove_route', key, 'active'))
            ops.append(route_op('add_route', key, 'both', persistent_wanted))
            active_now = persistent_wanted
    if active_wanted != active_now:
        if active_wanted is None:
            ops.append(route_op('remove_route', key, 'active'))
        elif active_now is None:
            ops.append(route_op('add_route', key, 'active', active_wanted))
        else:
            ops.append(route_op('set_route_metric', key, 'active', active_wanted))
    return ops


def address_op(kind, addr, interface=None):
    """add_address, set_address or remove_address of the Address ``addr`` (on ``interface`` when
    given, else on its own interface), with the fields that kind takes."""
    op = {'op': kind, 'interface': addr.interface if interface is None else interface, 'family': FAMILY_NAME[addr.family],
          'address': addr.address}
    if kind == 'add_address':
        op['prefix_length'] = addr.prefix_length
    if kind in ('add_address', 'set_address'):
        op['skip_as_source'] = addr.skip_as_source
    return op


def readd_address_op(state, addr, interface=None):
    """add_address bringing back ``addr`` (an active address of ``state``) as it was, on
    ``interface`` when given: in the ActiveStore only (``store: active``) when ``state`` holds no
    persistent copy of it, else in both stores (New-NetIPAddress without -PolicyStore)."""
    op = address_op('add_address', addr, interface)
    if find_address(state.persistent_addresses, addr.interface, addr.family, addr.value) is None:
        op['store'] = 'active'
    return op


def settings_op(index, fam_name, target, now):
    """set_interface on interface ``index`` that takes the settings ``now`` to ``target`` (IpSettings
    of family ``fam_name``); None when they are equal."""
    op = {'op': 'set_interface', 'interface': index, 'family': fam_name}
    for flag in IPIF_FLAGS:
        if getattr(target, flag) != getattr(now, flag):
            op[flag] = getattr(target, flag)
    if target.automatic_metric:
        if not now.automatic_metric or now.metric != target.metric:
            op['automatic_metric'] = True
    elif now.automatic_metric or now.metric != target.metric:
        op['metric'] = target.metric
    return op if len(op) > 3 else None


def dns_registration_op(index, register_dns):
    """set_dns_registration of interface ``index``."""
    return {'op': 'set_dns_registration', 'interface': index, 'register_dns': register_dns}


def binding_op(index, component, enabled):
    """set_binding of ``component`` on interface ``index``."""
    return {'op': 'set_binding', 'interface': index, 'component': component, 'enabled': enabled}


def netbios_op(index, netbios):
    """set_netbios of interface ``index``."""
    return {'op': 'set_netbios', 'interface': index, 'netbios': netbios}


def adapter_binding_ops(index, wanted, now):
    """set_binding and set_netbios operations that give interface ``index`` (now ``now``) the
    bindings and NetBIOS setting ``wanted`` records; what ``wanted`` does not record is left alone."""
    ops = []
    goal, present = wanted.extra.get(BINDINGS_KEY), now.extra.get(BINDINGS_KEY)
    if isinstance(goal, dict) and isinstance(present, dict):
        for component in sorted(goal):
            if component in COMPONENTS and component in present and present[component] != goal[component]:
                ops.append(binding_op(index, component, goal[component]))
    goal, present = wanted.extra.get(NETBIOS_KEY), now.extra.get(NETBIOS_KEY)
    if goal is not None and present is not None and goal != present:
        ops.append(netbios_op(index, goal))
    return ops


def firewall_rule_op(rule):
    """add_firewall_rule of a rule (a mapping with the FIREWALL_FIELDS)."""
    return dict({'op': 'add_firewall_rule'}, **{key: rule[key] for key in FIREWALL_FIELDS})
