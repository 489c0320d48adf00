# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The route-evaluation engine: what the Windows TCP/IP stack does with a HostState.

Rules R1-R27 of the collection's routing specification (docs/docsite/rst/guide_route_selection.rst
explains them with examples). The engine is pure Python and never imports Ansible; it raises
``ArgumentError`` / ``StateError`` and the filters translate them.

``Engine(state)`` compiles a state once: which routes can be chosen (and why the others cannot),
with their effective metrics, in longest-prefix tables per family; the addresses that are local
and the source candidates of each interface. It then answers the questions, each in its own file:

* ``lookup`` / ``lookup_many`` (lookup.py): route, interface and source for a destination;
* ``receive`` / ``flow_check`` (flows.py): a client's packet to a local address, and the reply;
* ``dsr_check`` (dsr.py): DSR real server readiness;
* ``findings`` (findings.py): host-wide findings, plus declared flows;
* ``order_destinations`` (destinations.py): the order Windows tries a name's addresses in;
* ``route_coverage`` (coverage.py): the interface every destination of a family leaves by, and
  the routes that win for none;
* ``effective_routes`` (here): the active table with interface and effective metrics.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils import advice as _advice
from ansible_collections.winnet.routing.plugins.module_utils import coverage as _coverage
from ansible_collections.winnet.routing.plugins.module_utils import destinations as _destinations
from ansible_collections.winnet.routing.plugins.module_utils import dsr as _dsr
from ansible_collections.winnet.routing.plugins.module_utils import findings as _findings
from ansible_collections.winnet.routing.plugins.module_utils import flows as _flows
from ansible_collections.winnet.routing.plugins.module_utils import lookup as _lookup
from ansible_collections.winnet.routing.plugins.module_utils.checks import Checker
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    FAMILY_BY_NAME,
    V4,
    V6,
    AddressSyntaxError,
    format_address,
    is_v4_mapped,
    parse_address,
)
from ansible_collections.winnet.routing.plugins.module_utils.routetable import PrefixTable

WEAK_SEND_FLAGS = ('source_interface', 'outgoing_interface', 'both')
CHECK = Checker(ArgumentError)


def route_label(route, interface_metric):
    """A route as the trace names it (the fields of Get-NetRoute)."""
    return '[DestinationPrefix: %s NextHop: %s InterfaceIndex: %d InterfaceMetric: %d RouteMetric: %d]' % (
        route.destination, route.next_hop, route.interface, interface_metric, route.route_metric)


class RouteEntry:
    """An active route with the interface metric of its interface and family, its effective metric
    (route metric + interface metric, the number Windows compares) and its position in the table."""

    __slots__ = ('route', 'interface_metric', 'effective_metric', 'order')

    def __init__(self, route, interface_metric, order):
        self.route = route
        self.interface_metric = interface_metric
        self.effective_metric = route.route_metric + interface_metric
        self.order = order

    def as_dict(self):
        r = self.route
        return {'destination': r.destination, 'next_hop': r.next_hop, 'interface': r.interface,
                'route_metric': r.route_metric, 'interface_metric': self.interface_metric, 'effective_metric': self.effective_metric}

    @property
    def label(self):
        return route_label(self.route, self.interface_metric)


def as_state(state):
    """A HostState from a HostState or a schema v1 dictionary (or a net_info result holding one)."""
    if isinstance(state, HostState):
        return state
    if isinstance(state, dict) and 'schema' not in state and isinstance(state.get('state'), dict):
        state = state['state']
    return HostState.from_dict(state)


class Engine:
    """Evaluates one HostState. Compile once, ask many questions.

    Args:
        state: a HostState, a schema v1 dictionary, or a net_info result holding one.
        weak_send_flag: which interface's WeakHostSend lifts the strong host send restriction
            (``source_interface``, ``outgoing_interface`` or ``both``).
        forwarding_relaxes_receive: assume Forwarding on the arrival interface relaxes strong host receive.

    Raises:
        ArgumentError: an option is not one of its values.
        StateError: the state is malformed (the message names the path).
    """

    def __init__(self, state, weak_send_flag='source_interface', forwarding_relaxes_receive=False):
        self.weak_send_flag = CHECK.choice(weak_send_flag, 'weak_send_flag', WEAK_SEND_FLAGS)
        self.forwarding_relaxes_receive = CHECK.boolean(forwarding_relaxes_receive, 'forwarding_relaxes_receive')
        self.state = as_state(state)
        self._index_addresses()
        self._classify_routes()
        self._tables = {}
        self._blocked_tables = {}

    # ------------------------------------------------------------------ compiling
    def _index_addresses(self):
        """``local``: usable addresses by (family, value); ``any_address``: every address by (family, value);
        ``sources_by_if``: the source candidates (usable, not SkipAsSource) by (family, interface)."""
        self.local = {}
        self.any_address = {}
        self.sources_by_if = {}
        for addr in self.state.addresses:
            key = (addr.family, addr.value)
            self.any_address.setdefault(key, []).append(addr)
            if addr.usable:
                self.local.setdefault(key, []).append(addr)
                if not addr.skip_as_source:
                    self.sources_by_if.setdefault((addr.family, addr.interface), []).append(addr)

    def _classify_routes(self):
        """``eligible``: the routes a lookup may choose, per family; ``blocked``: (entry, reason) of the
        others (PersistentStoreOnly, InterfaceDisconnected, IgnoreDefaultRoutes)."""
        state = self.state
        self.eligible = {V4: [], V6: []}
        self.blocked = {V4: [], V6: []}
        active = {route.identity[:5] for route in state.routes if route.store == 'active'}
        for order, route in enumerate(state.routes):
            iface = state.interface(route.interface)
            settings = iface.settings(route.family)
            if route.store != 'active':
                if route.identity[:5] not in active:
                    self.blocked[route.family].append((RouteEntry(route, settings.metric, order), 'PersistentStoreOnly'))
                continue
            entry = RouteEntry(route, settings.metric, order)
            if not iface.connected:
                self.blocked[route.family].append((entry, 'InterfaceDisconnected'))
            elif route.is_default and settings.ignore_default_routes:
                self.blocked[route.family].append((entry, 'IgnoreDefaultRoutes'))
            else:
                self.eligible[route.family].append(entry)

    def _table(self, family, allowed):
        key = (family, allowed)
        table = self._tables.get(key)
        if table is None:
            buckets = {}
            for entry in self.eligible[family]:
                if allowed is not None and entry.route.interface not in allowed:
                    continue
                r = entry.route
                buckets.setdefault((r.network, r.prefix_length), []).append(entry)
            table = PrefixTable(family, ((net, plen, tuple(sorted(b, key=lambda e: (e.effective_metric, e.order))))
                                         for (net, plen), b in buckets.items()))
            self._tables[key] = table
        return table

    def select(self, family, value, allowed=None):
        """The winning bucket for a destination: the routes of the longest matching prefix sorted by
        (effective metric, order), or None; ``allowed`` restricts them to a frozenset of interfaces."""
        return self._table(family, allowed).lookup(value)

    def blocked_match(self, family, value):
        """The blocked (entry, reason) pairs of the longest blocked prefix holding ``value``, or None."""
        table = self._blocked_tables.get(family)
        if table is None:
            buckets = {}
            for entry, reason in self.blocked[family]:
                buckets.setdefault((entry.route.network, entry.route.prefix_length), []).append((entry, reason))
            table = self._blocked_tables[family] = PrefixTable(family, ((n, p, tuple(b)) for (n, p), b in buckets.items()))
        return table.lookup(value)

    def allowed_for_source(self, family, owners):
        """The interfaces a source held by ``owners`` may send from (R13/R14); None = no constraint."""
        weak = [self.state.interface(i).settings(family).weak_host_send for i in owners]
        if self.weak_send_flag == 'source_interface':
            return None if any(weak) else frozenset(owners)
        others = frozenset(i.index for i in self.state.interfaces
                           if i.settings(family) is not None and i.settings(family).weak_host_send)
        if self.weak_send_flag == 'outgoing_interface' or any(weak):
            return frozenset(owners) | others
        return frozenset(owners)

    # ------------------------------------------------------------------ arguments
    def require(self, caller, *items):
        """Refuse to judge what a partial state does not carry (never guess strong host).

        Raises:
            ArgumentError: one of ``items`` is in the state's ``partial`` list.
        """
        missing = [item for item in items if self.state.is_partial(item)]
        if missing:
            raise ArgumentError('state', '%s needs data this state does not carry (partial: %s); gather the host with '
                                'winnet.routing.net_info, or add Get-NetIPInterface and Get-NetAdapter output to the export'
                                % (caller, ', '.join(missing)))

    @staticmethod
    def address_argument(value, argument):
        """(family, value, zone) of an address argument.

        Raises:
            ArgumentError: not a string, not an address, or an IPv4-mapped IPv6 address (naming ``argument``).
        """
        if not isinstance(value, str):
            raise ArgumentError(argument, '%r is not an IP address (expected a string)' % (value,))
        try:
            family, number, zone = parse_address(value.strip())
        except AddressSyntaxError:
            raise ArgumentError(argument, '%r is not an IP address' % value) from None
        if is_v4_mapped(family, number):
            raise ArgumentError(argument, '%r is an IPv4-mapped IPv6 address; use %s' % (value, format_address(V4, number & 0xFFFFFFFF)))
        return family, number, zone

    # ------------------------------------------------------------------ the questions
    def lookup(self, destination, source=None, interface=None):
        """Route, interface and source for ``destination`` (see lookup.lookup)."""
        return _lookup.lookup(self, destination, source=source, interface=interface)

    def lookup_many(self, destinations, source=None, interface=None):
        """``lookup`` of each destination of a list, in order (see lookup.lookup_many)."""
        return _lookup.lookup_many(self, destinations, source=source, interface=interface)

    def receive(self, family, value, in_iface):
        """Receive verdict for a packet to ``value`` arriving on ``in_iface`` (see flows.receive)."""
        return _flows.receive(self, family, value, in_iface)

    def flow_check_raw(self, client, destination, arrival_interface):
        """``flow_check`` with its findings' fixes not yet proven (for callers that prove them together)."""
        return _flows.flow_check(self, client, destination, arrival_interface)

    def flow_check(self, client, destination, arrival_interface):
        """A client -> local address flow and its reply (see flows.flow_check), each finding with its
        cause and proven fix (see advice.advise)."""
        result = _flows.flow_check(self, client, destination, arrival_interface)
        result['findings'] = _advice.advise(
            self, result['findings'], lambda engine: _flows.flow_check(engine, client, destination, arrival_interface)['findings'])
        return result

    def dsr_check(self, vip, nic, clients, raw=False):
        """DSR real server readiness (see dsr.dsr_check); ``raw`` keeps each check's candidate fix
        (``_ops``, ``_cause``) and the flows' unproven findings."""
        return _dsr.dsr_check(self, vip, nic, clients, raw=raw)

    def nic_roles(self, nic_roles):
        """``{interface index: role}`` of a ``nic_roles`` argument (see findings.nic_roles_argument)."""
        return _findings.nic_roles_argument(self.state, nic_roles)

    def findings_raw(self, flows=None, nic_roles=None, keep_flows=None):
        """``findings`` with the fixes not yet proven; ``nic_roles`` as ``{index: role}``; ``keep_flows``
        (default ``flows``): the flows a fix must keep working."""
        return _findings.host_findings(self, flows, nic_roles, keep_flows)

    def findings(self, flows=None, nic_roles=None):
        """Host-wide findings, plus those of the declared flows (see findings.host_findings), each with
        its cause and a fix proven on this state (see advice.advise).

        Args:
            flows: list of ``{client, destination, arrival_interface}``, or None.
            nic_roles: mapping of interface (alias or index) to role, or None when not declared.
        """
        roles = self.nic_roles(nic_roles)
        raw = _findings.host_findings(self, flows, roles)
        return _advice.advise(self, raw, lambda engine: _findings.host_findings(engine, flows, roles))

    def order_destinations(self, destinations, prefer_ipv4=False):
        """A name's addresses in the order Windows tries them (see destinations.order_destinations)."""
        return _destinations.order_destinations(self, destinations, prefer_ipv4=prefer_ipv4)

    def route_coverage(self, family='ipv4'):
        """Per interface the destination ranges that leave by it, the unrouted ranges and the routes
        that win for no destination, for ``family`` (``ipv4``/``ipv6``) (see coverage.route_coverage).

        Raises:
            ArgumentError: ``family`` is not ipv4 or ipv6, or the state does not carry its routes.
        """
        return _coverage.route_coverage(self, FAMILY_BY_NAME[CHECK.choice(family, 'family', tuple(FAMILY_BY_NAME))])

    def effective_routes(self, family='ipv4'):
        """The active routes of ``family`` (``ipv4``/``ipv6``) sorted like route print, with their interface
        metric, effective metric, and whether they can be chosen (else the reason).

        Raises:
            ArgumentError: ``family`` is not ipv4 or ipv6.
        """
        fam = FAMILY_BY_NAME[CHECK.choice(family, 'family', tuple(FAMILY_BY_NAME))]
        rows = [(entry, True, None) for entry in self.eligible[fam]]
        rows.extend((entry, False, reason) for entry, reason in self.blocked[fam] if entry.route.store == 'active')
        rows.sort(key=lambda row: (row[0].route.network, row[0].route.prefix_length, row[0].effective_metric, row[0].route.interface))
        out = []
        for entry, eligible, reason in rows:
            item = entry.as_dict()
            iface = self.state.interface(entry.route.interface)
            item.update(interface_alias=iface.alias, protocol=entry.route.protocol, store=entry.route.store,
                        eligible=eligible, ineligible_reason=reason)
            out.append(item)
        return out


__all__ = ['Engine', 'RouteEntry', 'as_state', 'route_label', 'WEAK_SEND_FLAGS']
