# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore: the operations (ops.py) that take the state a host is in now to a saved state (the
undo of a plan just made, and the rollback it arms, are ``applier.inverse`` and
``applier.rollback_for``).

``plan_restore(current, target)`` compares two HostStates and plans, in this order:

1. interfaces are matched: a loopback adapter by its alias first (an adapter removed and created
   again has another index), then every interface by its index when the kind is the same;
2. loopback adapters the target does not have are removed;
3. matched interfaces get their target alias back (through a temporary name when two names are
   swapped);
4. loopback adapters the target has and the host has not are created; each gets a new index
   (the applier's prediction: one above the highest), and everything planned for it afterwards
   is addressed to that index;
5. per interface and family, the IP interface settings (metric or automatic metric, weak host
   send and receive, forwarding, ignore default routes, DHCP); per interface, the DNS
   registration, the adapter bindings and NetBIOS over TCP/IP where both states record them;
6. the configured addresses (not link-local, not temporary, not learned from DHCP or router
   advertisements): removals first, then additions, then SkipAsSource;
7. the routes of both stores, per route identity, with ``ops.route_store_ops`` (on the state
   after the address changes, so a system route an address brings back is not added twice);
8. the firewall rules, by name, when either state lists them.

Every step is simulated with the applier as it is planned, so each operation's precondition
holds on the state it runs on. The plan is then applied to ``current`` and compared with the
target (its indexes renumbered for re-created adapters) under ``hoststate.canonical``; whatever
still differs is listed in ``limits``, with what restore cannot bring back by design:

* a physical adapter that is gone, or an address family bound on one side only (its addresses
  and routes on that interface are left as they are);
* addresses and routes learned from DHCP or router advertisements (they come back from the
  server, not from a restore), link-local and temporary addresses;
* a re-created loopback adapter has a new index, and a re-added address or route loses what
  Windows records about its origin (a re-added route has protocol ``netmgmt``);
* routes listed in ``unbound_routes`` (no IP interface), which no cmdlet can re-create.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, automatic_metric, next_interface_index
from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import (
    BINDINGS_KEY,
    FIREWALL_KEY,
    NETBIOS_KEY,
    HostState,
    canonical,
    canonical_rule,
    find_address,
    route_copies,
    route_key,
    system_routes_for,
)
from ansible_collections.winnet.routing.plugins.module_utils.netutil import FAMILY_NAME, V4, V6, format_prefix, is_link_local
from ansible_collections.winnet.routing.plugins.module_utils.ops import (
    address_op,
    adapter_binding_ops,
    dns_registration_op,
    firewall_rule_op,
    readd_address_op,
    route_store_ops,
    settings_op,
)

LOOPBACK = 'loopback_adapter'
# Addresses and routes configured by someone (not handed out by a server or by the stack itself).
UNMANAGED_PREFIX_ORIGINS = ('dhcp', 'router_advertisement', 'well_known')
UNMANAGED_PROTOCOLS = ('dhcp', 'router_advertisement')
TEMPORARY_SUFFIX = ' (restore)'


def managed_address(addr):
    """True for an address a restore adds or removes: configured, not link-local, not temporary."""
    if addr.temporary or is_link_local(addr.family, addr.value):
        return False
    return addr.extra.get('prefix_origin') not in UNMANAGED_PREFIX_ORIGINS


def managed_route(route):
    """True for a route a restore adds or removes: not learned from DHCP or router advertisements."""
    return route.protocol not in UNMANAGED_PROTOCOLS


def renumber(state, mapping):
    """``state`` with its interface indexes replaced through ``mapping`` (others kept)."""
    data = state.to_dict()
    for key, field in (('interfaces', 'index'), ('addresses', 'interface'), ('routes', 'interface')):
        for item in data[key]:
            item[field] = mapping.get(item[field], item[field])
    return HostState.from_dict(data, add_system_routes=False)


class _Planner:
    """One restore: the working state, the operations so far, the index mapping and the limits."""

    def __init__(self, current, target):
        self.current = current
        self.target = target
        self.work = current
        self.ops = []
        self.mapping = {}          # target index -> index on the host
        self.limits = []
        self.unrestored = set()    # route keys (on the host's indexes) of the system routes of addresses not restored
        self.unbound = set()       # (index on the host, family) bound now or in the baseline, not both

    def emit(self, block):
        """Append operations and simulate them (the preconditions of the next ones hold on the result)."""
        if block:
            self.work = apply(self.work, block)
            self.ops.extend(block)

    def limit(self, message):
        if message not in self.limits:
            self.limits.append(message)

    def left_alone(self, index, family):
        """True for a family bound on one side only (the settings step reports it): its addresses and routes are left as they are."""
        return (index, family) in self.unbound

    # -------------------------------------------------------------------------- interfaces
    def match(self):
        taken = set()
        for t in self.target.interfaces:
            if t.kind == LOOPBACK:
                c = self.current.interface_by_alias(t.alias)
                if c is not None and c.kind == LOOPBACK:
                    self.mapping[t.index] = c.index
                    taken.add(c.index)
        for t in self.target.interfaces:
            if t.index in self.mapping:
                continue
            c = self.current.interface(t.index)
            if c is not None and c.index not in taken and c.kind == t.kind:
                self.mapping[t.index] = c.index
                taken.add(c.index)
        for t in self.target.interfaces:
            if t.index not in self.mapping and t.kind != LOOPBACK:
                self.limit('interface %d (%s, %s) of the baseline no longer exists: restore cannot bring back an adapter that is '
                           'not a loopback adapter; its settings, addresses and routes are not restored' % (t.index, t.alias, t.kind))
        for c in self.current.interfaces:
            if c.index not in taken and c.kind != LOOPBACK:
                self.limit('interface %d (%s) is not in the baseline: it is left as it is' % (c.index, c.alias))
        return taken

    def remove_loopbacks(self, taken):
        for c in sorted(self.current.interfaces, key=lambda i: i.index):
            if c.kind == LOOPBACK and c.index not in taken:
                self.emit([{'op': 'remove_loopback', 'interface': c.index}])

    def rename(self):
        pending = {}
        for t in self.target.interfaces:
            index = self.mapping.get(t.index)
            if index is not None and self.work.interface(index).alias != t.alias:
                pending[index] = t.alias
        while pending:
            progress = False
            for index in sorted(pending):
                holder = self.work.interface_by_alias(pending[index])
                if holder is None:
                    self.emit([{'op': 'rename_adapter', 'interface': index, 'name': pending.pop(index)}])
                    progress = True
                elif holder.index not in pending:
                    self.limit('interface %d cannot get its name %r back: interface %d, which is not in the baseline, has it'
                               % (index, pending.pop(index), holder.index))
                    progress = True
            if not progress:
                # Names swapped in a cycle: move one out of the way first.
                index = min(pending)
                alias = self.work.interface(index).alias
                temporary = alias + TEMPORARY_SUFFIX
                while self.work.interface_by_alias(temporary) is not None:
                    temporary += TEMPORARY_SUFFIX
                self.emit([{'op': 'rename_adapter', 'interface': index, 'name': temporary}])

    def create_loopbacks(self):
        for t in sorted(self.target.interfaces, key=lambda i: i.index):
            if t.index in self.mapping or t.kind != LOOPBACK:
                continue
            holder = self.work.interface_by_alias(t.alias)
            if holder is not None:
                self.limit('loopback adapter %r cannot be created again: interface %d has its name' % (t.alias, holder.index))
                continue
            index = next_interface_index(self.work)
            self.emit([{'op': 'create_loopback', 'name': t.alias}])
            self.mapping[t.index] = index
            self.limit('loopback adapter %r is created again: it gets a new interface index (%d in the prediction, whatever '
                       'Windows hands out on the host) instead of %d' % (t.alias, index, t.index))

    def settings(self):
        block = []
        for t in sorted(self.target.interfaces, key=lambda i: i.index):
            index = self.mapping.get(t.index)
            if index is None:
                continue
            for family in (V4, V6):
                now = self.work.interface(index).settings(family)
                wanted = t.settings(family)
                if wanted is None and now is None:
                    continue
                if wanted is None or now is None:
                    self.unbound.add((index, family))
                    self.limit('interface %d (%s): %s is %s now and %s in the baseline; restore does not bind or unbind a protocol'
                               % (index, t.alias, FAMILY_NAME[family], 'unbound' if now is None else 'bound',
                                  'unbound' if wanted is None else 'bound'))
                    continue
                if wanted.automatic_metric and automatic_metric(self.work.interface(index)) is None and now.metric != wanted.metric:
                    self.limit('interface %d (%s) %s: the automatic metric is turned back on; the value Windows derives cannot be '
                               'predicted (unknown link speed)' % (index, t.alias, FAMILY_NAME[family]))
                op = settings_op(index, FAMILY_NAME[family], wanted, now)
                if op is not None:
                    block.append(op)
            if self.work.interface(index).register_dns != t.register_dns:
                block.append(dns_registration_op(index, t.register_dns))
            block.extend(adapter_binding_ops(index, t, self.work.interface(index)))
        self.emit(block)

    # -------------------------------------------------------------------------- addresses
    def addresses(self):
        wanted = {}
        for addr in self.target.addresses:
            index = self.mapping.get(addr.interface)
            if index is None or self.left_alone(index, addr.family):
                continue
            if managed_address(addr):
                wanted[(index, addr.family, addr.value)] = addr
            elif not any(a.interface == index and a.family == addr.family and a.value == addr.value for a in self.work.addresses):
                self.limit('address %s of interface %d is not restored: it was %s' % (addr.address, index, _origin(addr)))
                # nor are the routes Windows creates for it
                iface = self.target.interface(addr.interface)
                own = {route_key(r) for r in system_routes_for([iface], [addr])} - {route_key(r) for r in system_routes_for([iface], [])}
                self.unrestored.update(key[:4] + (index,) for key in own)
        present = {(a.interface, a.family, a.value): a for a in self.work.addresses
                   if a.interface in self.mapping.values() and managed_address(a) and not self.left_alone(a.interface, a.family)}
        removals, additions, changes = [], [], []
        # The keys (interface, family, address) are the identity order of the addresses.
        for key, addr in sorted(present.items()):
            goal = wanted.get(key)
            if goal is None or goal.prefix_length != addr.prefix_length:
                removals.append(address_op('remove_address', addr))
        for key, goal in sorted(wanted.items()):
            addr = present.get(key)
            if addr is None or addr.prefix_length != goal.prefix_length:
                additions.append(readd_address_op(self.target, goal, key[0]))
            else:
                if addr.skip_as_source != goal.skip_as_source:
                    changes.append(address_op('set_address', goal, key[0]))
                if _persisted(self.work, addr) != _persisted(self.target, goal):
                    self.limit('address %s of interface %d is %s now and %s in the baseline: restore does not remove and add it again '
                               'for that' % (addr.address, key[0], _persistence(self.work, addr), _persistence(self.target, goal)))
        self.emit(removals)
        self.emit(additions)
        self.emit(changes)
        for copy_ in self.work.persistent_addresses:
            if copy_.interface in self.mapping.values() and managed_address(copy_) and \
                    find_address(self.work.addresses, copy_.interface, copy_.family, copy_.value) is None:
                self.limit('address %s of interface %d is only in the persistent store (it comes back at the next boot): restore '
                           'leaves it there' % (copy_.address, copy_.interface))

    # -------------------------------------------------------------------------- routes
    def routes(self):
        mapped = set(self.mapping.values())
        wanted = {}
        for route in self.target.routes:
            index = self.mapping.get(route.interface)
            if index is None or self.left_alone(index, route.family):
                continue
            key = route_key(route)[:4] + (index,)
            if not managed_route(route):
                if not any(route_key(r) == key and r.store == route.store for r in self.work.routes):
                    self.limit('route %s via %s on interface %d (%s store) is not restored: it was learned from %s'
                               % (route.destination, route.next_hop, index, route.store, route.protocol))
                continue
            wanted.setdefault(key, {})[route.store] = route.route_metric
        keys = set(wanted)
        keys.update(route_key(r) for r in self.work.routes if r.interface in mapped and managed_route(r) and not self.left_alone(r.interface, r.family))
        block = []
        for key in sorted(keys - self.unrestored):
            now = route_copies([r for r in self.work.routes if managed_route(r)], key)
            goal = wanted.get(key, {})
            if now != goal:
                if any(route_key(r) == key and not managed_route(r) for r in self.work.routes):
                    family, network, plen, _hop, index = key
                    self.limit('route %s on interface %d is also learned from DHCP or router advertisements: left as it is'
                               % (format_prefix(family, network, plen), index))
                    continue
                block.extend(route_store_ops(key, now, goal))
        self.emit(block)

    # -------------------------------------------------------------------------- firewall
    def firewall(self):
        if FIREWALL_KEY not in self.target.extra and FIREWALL_KEY not in self.work.extra:
            return
        # A rule without a name cannot be addressed by an operation: it is left out (and reported by compare).
        wanted = {r['name']: r for r in self.target.extra.get(FIREWALL_KEY) or [] if _named(r)}
        present = {r['name']: r for r in self.work.extra.get(FIREWALL_KEY) or [] if _named(r)}
        block = []
        for name in sorted(present):
            if name not in wanted or _rule(present[name]) != _rule(wanted[name]):
                block.append({'op': 'remove_firewall_rule', 'name': name})
        for name in sorted(wanted):
            if name not in present or _rule(present[name]) != _rule(wanted[name]):
                block.append(firewall_rule_op(_rule(wanted[name])))
        self.emit(block)

    # -------------------------------------------------------------------------- check
    def compare(self):
        """Whether the predicted result is the target under ``canonical`` (interfaces, addresses, routes,
        firewall rules; the hostname and other details Windows reports are not restored); what
        still differs is added to the limits."""
        expected = canonical(renumber(self.target, self.mapping))
        got = canonical(self.work)
        exact = True
        for section, noun in (('interfaces', 'interface'), ('addresses', 'address'), ('routes', 'route')):
            want = {_identity(section, item): item for item in expected.get(section) or []}
            have = {_identity(section, item): item for item in got.get(section) or []}
            if section == 'interfaces':
                # What the baseline does not record (bindings, NetBIOS) is not compared.
                for ident, item in have.items():
                    have[ident] = {k: v for k, v in item.items() if k not in (BINDINGS_KEY, NETBIOS_KEY) or k in want.get(ident, {})}
            for ident in sorted(set(want) | set(have)):
                if want.get(ident) != have.get(ident):
                    exact = False
                    self.limit('%s %s differs after the restore: baseline %s; restored %s'
                               % (noun, ident, _short(want.get(ident)), _short(have.get(ident))))
        if _rules_of(expected) != _rules_of(got):
            exact = False
            self.limit('firewall rules differ after the restore')
        return exact


def _identity(section, item):
    if section == 'interfaces':
        return item['index']
    if section == 'addresses':
        # A persistent copy is told apart from the address in force by its store.
        store = item.get('store', 'active')
        return (item['interface'], item['address']) if store == 'active' else (item['interface'], item['address'], store)
    return (item['destination'], item['next_hop'], item['interface'], item['store'])


def _persisted(state, addr):
    return find_address(state.persistent_addresses, addr.interface, addr.family, addr.value) is not None


def _persistence(state, addr):
    return 'in both stores' if _persisted(state, addr) else 'in the active store only'


def _short(item):
    if item is None:
        return 'absent'
    return ', '.join('%s=%s' % (k, item[k]) for k in sorted(item) if not isinstance(item[k], (dict, list)))


def _origin(addr):
    if addr.temporary:
        return 'a temporary address'
    if is_link_local(addr.family, addr.value):
        return 'a link-local address'
    return 'assigned by %s' % addr.extra.get('prefix_origin')


def _named(rule):
    return isinstance(rule, dict) and isinstance(rule.get('name'), str)


def _rule(rule):
    return canonical_rule(rule)


def _rules_of(data):
    """The firewall rules of a canonical state dictionary, each in canonical form (a rule Windows
    reports as ``udp`` or ``2001:DB8::10`` is the rule planned as ``UDP``, ``2001:db8::10``), in one order."""
    return sorted((_rule(r) for r in data.get(FIREWALL_KEY) or [] if isinstance(r, dict)), key=repr)


def plan_restore(current, target):
    """The operations taking ``current`` to ``target`` (HostState objects).

    Returns ``{'operations': [...], 'interfaces': {target index: index on the host}, 'limits':
    [str], 'exact': bool}``: ``exact`` is true when applying the operations to ``current`` gives
    ``target`` under ``hoststate.canonical`` (with the indexes of re-created loopback adapters
    renumbered), ``limits`` says what cannot be brought back and why. Raises StateError when the
    target is a partial state.
    """
    if target.partial:
        raise StateError('baseline', 'is a partial state (%s missing): restore needs a complete state' % ', '.join(target.partial))
    if current.partial:
        raise StateError('state', 'the host state is partial (%s missing): restore needs a complete state' % ', '.join(current.partial))
    planner = _Planner(current, target)
    taken = planner.match()
    planner.remove_loopbacks(taken)
    planner.rename()
    planner.create_loopbacks()
    planner.settings()
    planner.addresses()
    planner.routes()
    planner.firewall()
    if target.extra.get('unbound_routes'):
        planner.limit('the baseline lists %d route(s) without an IP interface (unbound_routes): they are not restored'
                      % len(target.extra['unbound_routes']))
    planner.work = apply(current, planner.ops)
    exact = planner.compare()
    return {'operations': planner.ops, 'interfaces': dict(sorted(planner.mapping.items())), 'limits': planner.limits, 'exact': exact}


__all__ = ['plan_restore', 'managed_address', 'managed_route', 'renumber']
