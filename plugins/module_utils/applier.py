# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Python applier: the reference semantics of the operations in ops.py.

``apply(state, operations)`` returns the HostState Windows would end up with after running the
operations (snapshot hosts use it for what-if; net_apply.ps1 must agree with it). It never
mutates its input. Before each operation it checks the same precondition net_apply.ps1 checks
(``ops.PRECONDITION``) and raises ``StateError('operations[i]', ...)`` when it does not hold.

Windows' side effects reproduced here:

* ``add_address`` brings the routes Windows creates for an address (on-link subnet, host route,
  IPv4 subnet broadcast; ``hoststate.system_routes_for``: active store, route metric 256,
  protocol ``local``) unless a route with the same prefix already exists on that interface in
  the active store (the loader's rule); ``remove_address`` takes away those that no remaining
  address of the interface still brings. A new address is ``preferred`` and not temporary.
* ``add_route`` writes one store (the planner emits one operation per store for ``store: both``);
  the new route's protocol is ``netmgmt`` (what New-NetRoute records).
* ``set_interface`` with ``dhcp: false`` releases the lease: the addresses with prefix origin
  ``dhcp`` of that family (and an IPv4 APIPA address, 169.254.0.0/16) go, with their system routes, and so do the routes with protocol ``dhcp``
  (a default gateway learned from DHCP). Turning DHCP on again cannot be predicted (the lease comes
  from the server), so the inverse of such an operation does not bring them back.
* ``set_interface`` with ``metric`` turns the automatic metric off (spec R7); with
  ``automatic_metric: true`` the metric is re-derived: from ``link_speed_bps`` and ``kind`` with
  the R7 table when the speed is known, 25 for a loopback adapter of unknown speed (observed),
  otherwise the metric in force is kept (it cannot be predicted).
* ``create_loopback`` adds a KM-TEST adapter. Assumptions: it takes the index one above the
  highest index on the host (Windows hands out fresh interface indexes), description
  ``Microsoft KM-TEST Loopback Adapter``, connected, unknown link speed, DNS registration on, and
  both families bound with DHCP on, no address, automatic metric 25, every other flag off; it
  brings the per-interface routes (224.0.0.0/4, 255.255.255.255/32, ff00::/8).
  Its bindings are Windows' defaults: Client for Microsoft Networks and File and Printer Sharing
  bound, NetBIOS over TCP/IP ``default`` (as DHCP says).
* ``remove_loopback`` removes the adapter with its addresses and its routes in both stores.
* ``set_binding`` and ``set_netbios`` change the interface's ``bindings`` and ``netbios`` keys;
  they need those keys recorded in the state (net_info gathers them): the value before the change
  must be known, or the change could not be undone.
* Firewall rules live in a top-level ``firewall_rules`` list (a key the loader keeps), so that
  audits of snapshot hosts can see them.

``inverse(state, operations)`` gives the operations that undo ``operations`` (each computed from
the state just before it, returned in reverse order): ``apply(apply(s, ops), inverse(s, ops))``
equals ``s`` under ``hoststate.canonical`` (see there for what equality means and for the limits).
``rollback_for(state, operations, after)`` is what an automatic rollback (``rollback_after``) arms:
the inverse, and the inverse of each prefix of the plan for a run that stopped part way.
"""

from __future__ import annotations

import copy

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import (
    BINDINGS_KEY,
    FIREWALL_FIELDS,
    FIREWALL_KEY,
    IPIF_FLAGS,
    NETBIOS_KEY,
    ROUTE_STORES,
    SYSTEM_ROUTE_METRIC,
    Address,
    HostState,
    Interface,
    IpSettings,
    Route,
    address_sort_key,
    derive_metric,
    find_address,
    find_firewall_rule,
    find_route,
    route_copies,
    route_key,
    system_routes_for,
)
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILY_BY_NAME,
    V4,
    is_link_local,
    parse_address,
    parse_prefix,
)
from ansible_collections.winnet.routing.plugins.module_utils.ops import (
    ADAPTER_FIELD,
    COMPONENTS,
    ROUTE_KINDS,
    adapter_binding_ops,
    address_op,
    binding_op,
    dns_registration_op,
    firewall_rule_op,
    netbios_op,
    readd_address_op,
    route_store_ops,
    settings_op,
    validate,
)

LOOPBACK_DESCRIPTION = 'Microsoft KM-TEST Loopback Adapter'
LOOPBACK_METRIC = 25


# ---------------------------------------------------------------------------------- helpers
def route_label(family, destination, next_hop, interface, store):
    """A route as the applier's errors name it."""
    return 'route %s via %s on interface %d in the %s store' % (destination, next_hop, interface, store)


def automatic_metric(iface):
    """The metric Windows derives for an interface with AutomaticMetric on, or None when unknown."""
    if iface.link_speed_bps is not None:
        return derive_metric(iface.link_speed_bps, iface.kind)
    if iface.kind == 'loopback_adapter':
        return LOOPBACK_METRIC
    return None


def next_interface_index(state):
    """The index the applier gives the next adapter it creates."""
    return max([i.index for i in state.interfaces] + [0]) + 1


def _route_identity(op):
    """(family, network, prefix length, next hop value, interface, store) of a route operation."""
    family, network, plen = parse_prefix(op['destination'])
    hop_family, hop, _zone = parse_address(op['next_hop'])
    if FAMILY_BY_NAME[op['family']] != family or hop_family != family:
        raise ValueError('%s %s via %s mixes address families' % (op['family'], op['destination'], op['next_hop']))
    return (family, network, plen, hop, op['interface'], op['store'])


def _address_key(op):
    family, value, _zone = parse_address(op['address'])
    if FAMILY_BY_NAME[op['family']] != family:
        raise ValueError('%s is not an %s address' % (op['address'], op['family']))
    return family, value


def _leased(addr):
    """An address that exists because the interface uses DHCP (a lease, or IPv4 APIPA)."""
    return addr.extra.get('prefix_origin') == 'dhcp' or (addr.family == V4 and is_link_local(addr.family, addr.value))


class _Work:
    """A private, mutable deep copy of a HostState that operations are applied to."""

    def __init__(self, state):
        state = copy.deepcopy(state)
        self.hostname = state.hostname
        self.partial = list(state.partial)
        self.extra = state.extra
        self.interfaces = list(state.interfaces)
        self.addresses = list(state.addresses)
        self.persistent_addresses = list(state.persistent_addresses)
        self.routes = list(state.routes)

    def result(self):
        return HostState(self.interfaces, self.addresses, self.routes, hostname=self.hostname, partial=self.partial, extra=self.extra,
                         persistent_addresses=self.persistent_addresses)

    # -- lookups ---------------------------------------------------------------------------
    def interface(self, index):
        for iface in self.interfaces:
            if iface.index == index:
                return iface
        return None

    def find_route(self, identity):
        return find_route(self.routes, identity)

    def find_address(self, interface, family, value):
        return find_address(self.addresses, interface, family, value)

    def find_persistent_address(self, interface, family, value):
        return find_address(self.persistent_addresses, interface, family, value)

    def firewall_rules(self):
        return list(self.extra.get(FIREWALL_KEY) or [])

    def firewall_rule(self, name):
        return find_firewall_rule(self.extra, name)

    # -- system routes ---------------------------------------------------------------------
    def system_route_keys(self, iface):
        own = [a for a in self.addresses if a.interface == iface.index]
        return [(r.family, r.network, r.prefix_length, r.interface) for r in system_routes_for([iface], own)]

    def add_new_system_routes(self, iface, before):
        """Add the system routes of ``iface`` that were not brought before (keys in ``before``) and are missing."""
        present = {(r.family, r.network, r.prefix_length, r.interface) for r in self.routes if r.store == 'active'}
        present.update(before)
        for key in self.system_route_keys(iface):
            if key not in present:
                present.add(key)
                family, network, plen, index = key
                self.routes.append(Route(family, network, plen, 0, index, SYSTEM_ROUTE_METRIC, 'active', 'local'))

    def drop_stale_system_routes(self, iface, before):
        stale = set(before) - set(self.system_route_keys(iface))
        self.routes = [r for r in self.routes
                       if not (r.protocol == 'local' and r.store == 'active' and r.on_link
                               and (r.family, r.network, r.prefix_length, r.interface) in stale)]


# ---------------------------------------------------------------------------------- apply
class _Applier:
    """One method per operation kind: check the precondition, then change ``work``."""

    def __init__(self, work):
        self.work = work

    def fail(self, message):
        raise StateError(self.path, message)

    def adapter_index(self, name):
        """The index of the adapter named ``name`` (an operation's ``adapter``), as the host resolves it."""
        found = [iface.index for iface in self.work.interfaces if iface.alias == name]
        if not found:
            self.fail('no adapter is named %r (an adapter an earlier operation of the plan creates)' % name)
        return found[0]

    def iface(self, index, family=None):
        iface = self.work.interface(index)
        if iface is None:
            self.fail('interface %d does not exist' % index)
        if family is not None and iface.settings(FAMILY_BY_NAME[family]) is None:
            self.fail('interface %d (%s) has no %s settings' % (index, iface.alias, family))
        return iface

    def run(self, index, op):
        self.path = 'operations[%d]' % index
        op = validate(op, self.path)
        if ADAPTER_FIELD in op:
            op = dict(op, interface=self.adapter_index(op[ADAPTER_FIELD]))
        try:
            getattr(self, op['op'])(op)
        except ValueError as exc:
            self.fail(str(exc))

    # -- routes ----------------------------------------------------------------------------
    def add_route(self, op):
        identity = _route_identity(op)
        self.iface(op['interface'], op['family'])
        family, network, plen, hop, index, store = identity
        stores = ROUTE_STORES if store == 'both' else (store,)
        for one in stores:
            if self.work.find_route(identity[:5] + (one,)) is not None:
                self.fail('%s already exists' % route_label(**dict(_label_args(op), store=one)))
        for one in stores:
            self.work.routes.append(Route(family, network, plen, hop, index, op['route_metric'], one, 'netmgmt'))

    def remove_route(self, op):
        identity = _route_identity(op)
        route = self.work.find_route(identity)
        if route is None:
            self.fail('%s does not exist' % route_label(**_label_args(op)))
        self.work.routes = [r for r in self.work.routes if r.identity != identity]

    def set_route_metric(self, op):
        identity = _route_identity(op)
        route = self.work.find_route(identity)
        if route is None:
            self.fail('%s does not exist' % route_label(**_label_args(op)))
        route.route_metric = op['route_metric']

    # -- interfaces ------------------------------------------------------------------------
    def set_interface(self, op):
        iface = self.iface(op['interface'], op['family'])
        family = FAMILY_BY_NAME[op['family']]
        settings = iface.settings(family)
        if op.get('dhcp') is False and settings.dhcp:
            self.drop_dhcp_configuration(iface, family)
        for flag in IPIF_FLAGS:
            if flag in op:
                setattr(settings, flag, op[flag])
        if 'metric' in op:
            settings.metric = op['metric']
            settings.automatic_metric = False
        elif 'automatic_metric' in op:
            settings.automatic_metric = op['automatic_metric']
            derived = automatic_metric(iface)
            if op['automatic_metric'] and derived is not None:
                settings.metric = derived

    def drop_dhcp_configuration(self, iface, family):
        """Turning DHCP off releases the lease: the addresses DHCP gave the interface (prefix origin
        ``dhcp``) and the IPv4 APIPA address a DHCP interface without a lease configures itself
        (169.254.0.0/16) go with their system routes, and so do the routes DHCP installed (protocol
        ``dhcp``)."""
        before = self.work.system_route_keys(iface)
        self.work.addresses = [a for a in self.work.addresses if not (a.interface == iface.index and a.family == family and _leased(a))]
        self.work.drop_stale_system_routes(iface, before)
        self.work.routes = [r for r in self.work.routes
                            if not (r.interface == iface.index and r.family == family and r.protocol == 'dhcp')]

    def set_dns_registration(self, op):
        self.iface(op['interface']).register_dns = op['register_dns']

    def set_binding(self, op):
        iface = self.iface(op['interface'])
        bindings = iface.extra.get(BINDINGS_KEY)
        if not isinstance(bindings, dict):
            self.fail('interface %d (%s): its adapter bindings are not recorded in the state (net_info gathers them)'
                      % (iface.index, iface.alias))
        if op['component'] not in bindings:
            self.fail('interface %d (%s) has no %s binding' % (iface.index, iface.alias, op['component']))
        iface.extra[BINDINGS_KEY] = dict(bindings, **{op['component']: op['enabled']})

    def set_netbios(self, op):
        iface = self.iface(op['interface'])
        if iface.extra.get(NETBIOS_KEY) is None:
            self.fail('interface %d (%s): its NetBIOS over TCP/IP setting is not recorded in the state (net_info gathers it '
                      'for every adapter with IP enabled)' % (iface.index, iface.alias))
        iface.extra[NETBIOS_KEY] = op['netbios']

    # -- addresses -------------------------------------------------------------------------
    def add_address(self, op):
        iface = self.iface(op['interface'], op['family'])
        family, value = _address_key(op)
        if not 0 <= op['prefix_length'] <= BITS[family]:
            self.fail('prefix length %d is out of range for %s' % (op['prefix_length'], op['family']))
        if self.work.find_address(iface.index, family, value) is not None:
            self.fail('address %s already exists on interface %d' % (op['address'], iface.index))
        before = self.work.system_route_keys(iface)
        self.work.addresses.append(Address(family, value, op['prefix_length'], iface.index, op['skip_as_source']))
        if op.get('store', 'both') == 'both':
            # New-NetIPAddress without -PolicyStore writes the PersistentStore too (replacing a copy there).
            self.work.persistent_addresses = [a for a in self.work.persistent_addresses
                                              if not (a.interface == iface.index and a.family == family and a.value == value)]
            self.work.persistent_addresses.append(Address(family, value, op['prefix_length'], iface.index, op['skip_as_source'],
                                                          store='persistent'))
        self.work.add_new_system_routes(iface, before)

    def set_address(self, op):
        family, value = _address_key(op)
        addr = self.work.find_address(op['interface'], family, value)
        if addr is None:
            self.fail('address %s does not exist on interface %d' % (op['address'], op['interface']))
        addr.skip_as_source = op['skip_as_source']
        copy_ = self.work.find_persistent_address(op['interface'], family, value)
        if copy_ is not None:
            copy_.skip_as_source = op['skip_as_source']

    def remove_address(self, op):
        family, value = _address_key(op)
        addr = self.work.find_address(op['interface'], family, value)
        if addr is None:
            self.fail('address %s does not exist on interface %d' % (op['address'], op['interface']))
        iface = self.work.interface(op['interface'])
        before = self.work.system_route_keys(iface)
        self.work.addresses = [a for a in self.work.addresses if a is not addr]
        # Removed from both stores, so that it does not come back at the next boot.
        self.work.persistent_addresses = [a for a in self.work.persistent_addresses
                                          if not (a.interface == iface.index and a.family == family and a.value == value)]
        self.work.drop_stale_system_routes(iface, before)

    # -- adapters --------------------------------------------------------------------------
    def create_loopback(self, op):
        name = op['name']
        if not name.strip():
            self.fail('an adapter name must not be empty')
        for iface in self.work.interfaces:
            if iface.alias == name:
                self.fail('an adapter named %r already exists (interface %d)' % (name, iface.index))
        index = next_interface_index(self.work)
        iface = Interface(index, name, LOOPBACK_DESCRIPTION, 'loopback_adapter', True, None, True,
                          IpSettings(LOOPBACK_METRIC, automatic_metric=True, dhcp=True),
                          IpSettings(LOOPBACK_METRIC, automatic_metric=True, dhcp=True),
                          extra={BINDINGS_KEY: dict.fromkeys(COMPONENTS, True), NETBIOS_KEY: 'default'})
        self.work.interfaces.append(iface)
        self.work.add_new_system_routes(iface, ())

    def rename_adapter(self, op):
        iface = self.iface(op['interface'])
        for other in self.work.interfaces:
            if other.alias == op['name'] and other is not iface:
                self.fail('an adapter named %r already exists (interface %d)' % (op['name'], other.index))
        iface.alias = op['name']

    def remove_loopback(self, op):
        iface = self.iface(op['interface'])
        if iface.kind != 'loopback_adapter':
            self.fail('interface %d (%s) is a %s, not a loopback adapter; refusing to remove it' % (iface.index, iface.alias, iface.kind))
        self.work.interfaces = [i for i in self.work.interfaces if i is not iface]
        self.work.addresses = [a for a in self.work.addresses if a.interface != iface.index]
        self.work.persistent_addresses = [a for a in self.work.persistent_addresses if a.interface != iface.index]
        self.work.routes = [r for r in self.work.routes if r.interface != iface.index]

    # -- firewall --------------------------------------------------------------------------
    def add_firewall_rule(self, op):
        if self.work.firewall_rule(op['name']) is not None:
            self.fail('firewall rule %r already exists' % op['name'])
        rules = self.work.firewall_rules()
        rules.append({key: op[key] for key in FIREWALL_FIELDS})
        self.work.extra[FIREWALL_KEY] = rules

    def remove_firewall_rule(self, op):
        if self.work.firewall_rule(op['name']) is None:
            self.fail('firewall rule %r does not exist' % op['name'])
        rules = [r for r in self.work.firewall_rules() if not (isinstance(r, dict) and r.get('name') == op['name'])]
        if rules:
            self.work.extra[FIREWALL_KEY] = rules
        else:
            self.work.extra.pop(FIREWALL_KEY, None)


def _label_args(op):
    return {k: op[k] for k in ('family', 'destination', 'next_hop', 'interface', 'store')}


def apply(state, operations):
    """The HostState after ``operations`` (a list of ops.py operations); ``state`` is unchanged."""
    if not isinstance(operations, list):
        raise StateError('operations', 'must be a list of operations')
    work = _Work(state)
    applier = _Applier(work)
    for index, op in enumerate(operations):
        applier.run(index, op)
    return work.result()


# -------------------------------------------------------------------------------- inverse
def _inverse_one(before, op):
    """The operations that undo ``op`` on the state ``before`` (in the order they must run).

    Route operations and remove_loopback are left to ``inverse``, which knows the state the undo runs on.
    """
    kind = op['op']
    if kind == 'set_interface':
        iface = before.interface(op['interface'])
        old = iface.settings(FAMILY_BY_NAME[op['family']])
        new = apply(before, [op]).interface(op['interface']).settings(FAMILY_BY_NAME[op['family']])
        restore = settings_op(iface.index, op['family'], old, new)
        return [restore] if restore else []
    if kind == 'set_dns_registration':
        return [dns_registration_op(op['interface'], before.interface(op['interface']).register_dns)]
    if kind == 'set_binding':
        return [binding_op(op['interface'], op['component'], before.interface(op['interface']).extra[BINDINGS_KEY][op['component']])]
    if kind == 'set_netbios':
        return [netbios_op(op['interface'], before.interface(op['interface']).extra[NETBIOS_KEY])]
    if kind == 'add_address':
        return [{'op': 'remove_address', 'interface': op['interface'], 'family': op['family'], 'address': op['address']}]
    if kind in ('remove_address', 'set_address'):
        family, value = _address_key(op)
        addr = find_address(before.addresses, op['interface'], family, value)
        return [readd_address_op(before, addr) if kind == 'remove_address' else address_op('set_address', addr)]
    if kind == 'create_loopback':
        return [{'op': 'remove_loopback', 'interface': next_interface_index(before)}]
    if kind == 'rename_adapter':
        return [{'op': kind, 'interface': op['interface'], 'name': before.interface(op['interface']).alias}]
    if kind == 'add_firewall_rule':
        return [{'op': 'remove_firewall_rule', 'name': op['name']}]
    rule = find_firewall_rule(before.extra, op['name'])
    return [firewall_rule_op(rule)]


def _recreate_loopback(before, iface, undo_state):
    """Re-create a removed loopback adapter with its settings, addresses and routes.

    The new adapter gets the index the applier gives it on ``undo_state`` (Windows hands out a
    new index; see ``inverse``). Its addresses bring their own system routes back; every route is
    then taken to its copies before (a system route whose metric was changed gets that metric
    back, the other routes are re-added with their metrics and stores).
    """
    create = {'op': 'create_loopback', 'name': iface.alias}
    index = next_interface_index(undo_state)
    created = apply(undo_state, [create]).interface(index)
    ops = [create]
    for fam_name in ('ipv4', 'ipv6'):
        old, new = getattr(iface, fam_name), getattr(created, fam_name)
        if old is not None and new is not None:
            restore = settings_op(created.index, fam_name, old, new)
            if restore:
                ops.append(restore)
    if iface.register_dns != created.register_dns:
        ops.append(dns_registration_op(index, iface.register_dns))
    ops += adapter_binding_ops(index, iface, created)
    for addr in sorted((a for a in before.addresses if a.interface == iface.index), key=address_sort_key):
        ops.append(readd_address_op(before, addr, index))
    current = apply(undo_state, ops)
    keys = sorted({route_key(r) for r in before.routes if r.interface == iface.index})
    for key in keys:
        new_key = key[:4] + (index,)
        ops += route_store_ops(new_key, route_copies(current.routes, new_key), route_copies(before.routes, key))
    return ops


def _resolved(state, op):
    """``op`` with its ``interface`` taken from its ``adapter`` name on ``state`` (as the host resolves it)."""
    if ADAPTER_FIELD not in op:
        return op
    iface = state.interface_by_alias(op[ADAPTER_FIELD])
    return dict(op, interface=iface.index) if iface is not None else op


def _created_indexes(states, operations):
    """The interface indexes the create_loopback operations of a plan give their adapters (applier)."""
    return {next_interface_index(states[index]) for index, op in enumerate(operations) if op['op'] == 'create_loopback'}


def pin_created_adapters(state, operations):
    """``operations`` with ``adapter`` added to each operation on an adapter that an earlier operation
    of the list creates (its name at that point), so that the host finds the adapter by name whatever
    index Windows hands out. ``state`` is the state the operations start from."""
    created = set()
    result = []
    current = state
    for index, op in enumerate(operations):
        op = validate(op, 'operations[%d]' % index)
        if op['op'] == 'create_loopback':
            created.add(next_interface_index(current))
        elif 'interface' in op and ADAPTER_FIELD not in op and op['interface'] in created:
            op = dict(op, adapter=current.interface(op['interface']).alias)
        current = apply(current, [op])
        result.append(op)
    return result


def inverse(state, operations):
    """Operations undoing ``operations`` on ``state``: each operation's undo is computed from the
    state just before it, and the undos run in reverse order.

    A route undo is planned from the copies present in the undo state to the copies before the
    operation (``route_store_ops``), so a system route brought back by re-adding an address becomes a
    metric change or nothing. Undoing remove_loopback re-creates the adapter, which gets a new index (on Windows as in the
    applier); the undos that run after it (of earlier operations) are renumbered to that index.
    The undo is simulated with the applier as it is built, so the indexes are the ones the applier
    gives. On a live host the index Windows hands out may differ: net_apply must not run undo
    operations addressed to a re-created adapter by a predicted index (see the module docs).
    Undoing create_loopback removes the adapter it created; that undo, and the undo of every
    operation on an adapter the plan creates, names the adapter (``adapter``), so the host finds it
    by name whatever index Windows gave it.
    """
    if not isinstance(operations, list):
        raise StateError('operations', 'must be a list of operations')
    states = [state]
    clean = []
    for index, op in enumerate(operations):
        clean.append(validate(op, 'operations[%d]' % index))
        states.append(apply(states[-1], [clean[-1]]))
    clean = [_resolved(states[index], op) for index, op in enumerate(clean)]
    created = _created_indexes(states, clean)
    undo_state = states[-1]
    renumbered = {}
    result = []
    for index in reversed(range(len(clean))):
        op, before = clean[index], states[index]
        if op['op'] == 'remove_loopback':
            renumbered[op['interface']] = next_interface_index(undo_state)
            block = _recreate_loopback(before, before.interface(op['interface']), undo_state)
        elif op['op'] in ROUTE_KINDS:
            # The copies to reach are the ones before the operation; the copies present are read
            # from the undo state, which already has the side effects of the undos run so far.
            key = _route_identity(op)[:5]
            now = key[:4] + (renumbered.get(key[4], key[4]),)
            block = route_store_ops(now, route_copies(undo_state.routes, now), route_copies(before.routes, key))
        else:
            block = [dict(o, interface=renumbered.get(o['interface'], o['interface'])) if 'interface' in o else o
                     for o in _inverse_one(before, op)]
        block = [dict(o, adapter=undo_state.interface(o['interface']).alias)
                 if o.get('interface') in created and undo_state.interface(o['interface']) is not None else o
                 for o in block]
        undo_state = apply(undo_state, block)
        result.extend(block)
    return result


# ------------------------------------------------------------------------ automatic rollback
ROLLBACK_MIN_SECONDS = 30
ROLLBACK_MAX_SECONDS = 86400
# The undo of this addresses an adapter by an index Windows has not handed out yet (the one a
# removed adapter gets when it is created again). The undo of create_loopback names the adapter.
ROLLBACK_UNSUPPORTED = ('remove_loopback',)


def rollback_for(state, operations, after):
    """What an automatic rollback of ``operations`` on ``state`` runs, ``after`` seconds later.

    Returns ``{'after': seconds, 'operations': inverse(state, operations), 'partial': [{'applied':
    k, 'operations': inverse(state, operations[:k])}, ...]}``: ``partial`` holds, for each k from 1
    to len - 1, the undo of the first k operations, for a run that stopped after them. Raises
    ArgumentError (argument ``rollback_after``) for a delay out of range and for a plan that
    removes a loopback adapter (a plan that creates one is undone by removing it, named).
    """
    if isinstance(after, bool) or not isinstance(after, int) or not ROLLBACK_MIN_SECONDS <= after <= ROLLBACK_MAX_SECONDS:
        raise ArgumentError('rollback_after', '%r is out of range (%d to %d seconds)' % (after, ROLLBACK_MIN_SECONDS, ROLLBACK_MAX_SECONDS))
    for index, op in enumerate(operations):
        if op.get('op') in ROLLBACK_UNSUPPORTED:
            raise ArgumentError('rollback_after', 'operations[%d] (%s) removes a loopback adapter: its undo would address the '
                                'adapter created again by an interface index Windows has not handed out yet, so it cannot be armed '
                                'before the change; remove the adapter in a task of its own without rollback_after' % (index, op['op']))
    return {'after': after, 'operations': inverse(state, operations),
            'partial': [{'applied': count, 'operations': inverse(state, operations[:count])} for count in range(1, len(operations))]}


__all__ = ['apply', 'inverse', 'rollback_for', 'automatic_metric', 'next_interface_index', 'pin_created_adapters']
