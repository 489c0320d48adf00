# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired states of the roles dsr_real_server and nic_layout, built from their variables.

Each role checks its variables against the host's state, builds the desired state it hands to
the module desired_state (``desired.plan_state`` options), and reports what a user must know
before it is applied. Refusals are ``ArgumentError`` naming the role variable.

* ``dsr_desired(host, vips, nic, clients, ...)``: the loopback adapter (created, or a KM-TEST
  adapter that already holds a VIP renamed), the VIPs as /32 (/128) with SkipAsSource, DHCP off,
  weak host receive on the NIC, weak host send and receive on the loopback, DNS registration
  off, the optional metric and unbinding, one firewall rule per VIP, protocol and port.
* ``layout_desired(host, nics)``: the addresses, the data NIC's default gateway, the other NICs'
  specific routes, the removal of every other default route of the declared NICs (both stores),
  the metrics and DNS registration.

Both return ``{'desired': {...}, 'changes': number of operations, ...}``: ``changes`` is the size
of the plan the desired state makes on this state, so a role knows before applying whether
anything changes.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.checks import Checker, join
from ansible_collections.winnet.routing.plugins.module_utils.desired import plan_state
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.netutil import V6, AddressSyntaxError, format_address, parse_address

CHECK = Checker(ArgumentError)
FAMILIES = ('ipv4', 'ipv6')
NOT_A_NIC = ('loopback_adapter', 'loopback_pseudo')
DEFAULTS = {'ipv4': '0.0.0.0/0', 'ipv6': '::/0'}
DNS_OFF_ROLES = ('storage', 'heartbeat')
LEARNED = ('dhcp', 'router_advertisement')


def _family(text, path):
    try:
        family, value, _zone = parse_address(text.strip() if isinstance(text, str) else text)
    except AddressSyntaxError as exc:
        raise ArgumentError(path, str(exc)) from None
    return ('ipv6' if family == V6 else 'ipv4'), format_address(family, value)


def _find(host, value):
    """The Interface a role variable names (index or alias), or None."""
    try:
        return host.resolve_interface(value)
    except ArgumentError:
        return None


# ------------------------------------------------------------------------ dsr_real_server
def dsr_desired(host, vips, nic, clients, loopback_name='loopback', skip_as_source=True, loopback_metric=None, unbind_components=False):
    """The desired state of a DSR real server; see the module docstring.

    Returns ``{'desired', 'changes', 'checks': [{vip, clients}], 'families'}``: ``checks`` lists
    each VIP with the clients of its family, for the verification with dsr_check.
    """
    vips = CHECK.list(vips, 'dsr_real_server_vips')
    if not vips:
        raise ArgumentError('dsr_real_server_vips', 'must list at least one VIP')
    parsed = []
    for i, vip in enumerate(vips):
        path = 'dsr_real_server_vips[%d]' % i
        vip = CHECK.mapping(vip, path, ('address', 'ports'))
        text = vip.get('address')
        if isinstance(text, str) and '/' in text:
            raise ArgumentError(join(path, 'address'), '%s: give the VIP as a bare address (the role assigns /32 or /128)' % text)
        family, address = _family(text, join(path, 'address'))
        parsed.append((family, address, vip.get('ports') or [], path))
    client_families = {}
    for i, client in enumerate(CHECK.list(clients, 'dsr_real_server_clients')):
        family, address = _family(client, 'dsr_real_server_clients[%d]' % i)
        client_families.setdefault(family, []).append(address)
    lacking = [address for family, address, _ports, _path in parsed if not client_families.get(family)]
    if lacking:
        raise ArgumentError('dsr_real_server_clients', 'has no address of the family of VIP(s) %s: give at least one client address per VIP '
                                                       'family (got %s)' % (', '.join(lacking), ', '.join(str(c) for c in clients) or 'none'))
    iface = _find(host, nic)
    if iface is None or iface.kind in NOT_A_NIC:
        nics = ', '.join(i.alias for i in host.interfaces if i.kind not in NOT_A_NIC)
        raise ArgumentError('dsr_real_server_nic', '%s is not a NIC of the host; its NICs are %s' % (nic, nics))
    engine = Engine(host)
    held = []
    for family, address, _ports, _path in parsed:
        check = next(c for c in engine.dsr_check(address, iface.index, client_families[family])['checks'] if c['id'] == 'vip_not_on_physical_nic')
        if check['status'] == 'fail':
            held.append(check['message'])
    if held:
        raise ArgumentError('dsr_real_server_vips', 'Refusing to configure the DSR real server: %s. A VIP must be held by the loopback adapter '
                            'only: the NIC that holds it answers the load balancer\'s ARP (IPv6: neighbor discovery) for it, so clients '
                            'reach this host directly and the load balancer is bypassed. Remove the VIP from that NIC first '
                            '(winnet.routing.ip_address with state absent), then run the role again.' % '; '.join(held))
    families = [family for family in FAMILIES if any(p[0] == family for p in parsed)]
    loopback = {'name': loopback_name}
    if host.interface_by_alias(loopback_name) is None:
        # A KM-TEST adapter that already holds one of the VIPs under another name is renamed.
        texts = {address for _family_name, address, _ports, _path in parsed}
        holders = sorted({a.interface for a in host.addresses
                          if a.address in texts and host.interface(a.interface).kind == 'loopback_adapter'})
        if holders:
            loopback['interface'] = holders[0]
    interfaces = [{'interface': iface.index, 'family': family, 'weak_host_receive': True} for family in families]
    for n, family in enumerate(families):
        entry = {'interface': loopback_name, 'family': family, 'weak_host_receive': True, 'weak_host_send': True, 'dhcp': False}
        if loopback_metric is not None:
            entry['metric'] = CHECK.integer(loopback_metric, 'dsr_real_server_loopback_metric', 0, 9999)
        if n == 0:
            entry['register_dns'] = False
            if CHECK.boolean(unbind_components, 'dsr_real_server_unbind_components', False):
                entry.update(bindings={'ms_msclient': False, 'ms_server': False}, netbios='disabled')
        interfaces.append(entry)
    skip = CHECK.boolean(skip_as_source, 'dsr_real_server_skip_as_source', True)
    addresses = [{'address': '%s/%d' % (address, 128 if family == 'ipv6' else 32), 'skip_as_source': skip}
                 for family, address, _ports, _path in parsed]
    rules = []
    for family, address, ports, path in parsed:
        for j, port in enumerate(CHECK.list(ports, join(path, 'ports'))):
            port = CHECK.mapping(port, '%s.ports[%d]' % (path, j), ('port', 'protocol'))
            protocol = (port.get('protocol') or 'tcp').lower()
            rules.append({'name': 'winnet-dsr-%s-%s-%s' % (address, protocol, port.get('port')), 'local_address': address,
                          'protocol': protocol.upper(), 'local_port': str(port.get('port'))})
    desired = {'loopback_adapters': [loopback], 'interfaces': interfaces,
               'addresses': [{'interface': loopback_name, 'addresses': addresses}], 'firewall_rules': rules}
    return {'desired': desired, 'changes': len(plan_state(host, desired)), 'families': families,
            'checks': [{'vip': address, 'clients': client_families[family]} for family, address, _ports, _path in parsed]}


# ----------------------------------------------------------------------------- nic_layout
def _layout_nics(host, nics):
    """The declared NICs, checked: exactly one data NIC, a gateway on it only, each interface once and present."""
    nics = CHECK.list(nics, 'nic_layout_nics')
    data = [nic for nic in nics if isinstance(nic, dict) and nic.get('role') == 'data']
    gateways = [nic.get('interface') for nic in nics if isinstance(nic, dict) and nic.get('role') != 'data' and nic.get('gateway')]
    names = [str(nic.get('interface')) for nic in nics if isinstance(nic, dict)]
    if len(data) != 1 or gateways or len(set(names)) != len(names):
        raise ArgumentError('nic_layout_nics', 'must declare exactly one NIC with role data (got %s), give a gateway on the data NIC only '
                                               '(the other NICs get specific routes), and name each interface once (got %s)'
                            % ([nic.get('interface') for nic in data], names))
    missing = [name for nic, name in zip(nics, names) if _find(host, nic.get('interface')) is None]
    if missing:
        raise ArgumentError('nic_layout_nics', 'names interfaces that the host does not have: %s; its interfaces are %s'
                            % (', '.join(missing), ', '.join(i.alias for i in host.interfaces)))
    return [(nic, _find(host, nic.get('interface'))) for nic in nics]


def layout_desired(host, nics):
    """The desired state of a NIC layout; see the module docstring.

    Returns ``{'desired', 'changes', 'data' (the data NIC's alias), 'learned_gateways'}``:
    ``learned_gateways`` lists the default routes of non-data NICs that DHCP or router
    advertisements bring back after the role removes them.
    """
    declared = _layout_nics(host, nics)
    data_nic, data_iface = next((nic, iface) for nic, iface in declared if nic.get('role') == 'data')
    gateway = data_nic.get('gateway')
    gateway_family = None
    if gateway:
        gateway_family, gateway = _family(gateway, 'nic_layout_nics[%d].gateway' % [n for n, _i in declared].index(data_nic))
    desired = {'addresses': [], 'routes': [], 'interfaces': []}
    learned = []
    for nic, iface in declared:
        if nic.get('addresses'):
            desired['addresses'].append({'interface': iface.index, 'addresses': [{'address': a} for a in nic['addresses']]})
        routes = []
        if nic is data_nic and gateway:
            routes.append({'destination': DEFAULTS[gateway_family], 'next_hop': gateway})
        for route in nic.get('routes') or []:
            routes.append({key: route[key] for key in ('destination', 'next_hop', 'metric') if route.get(key) is not None})
        for route in host.routes:
            if route.interface != iface.index or route.destination not in DEFAULTS.values() or route.protocol == 'local':
                continue
            family = 'ipv6' if ':' in route.destination else 'ipv4'
            stale = nic is data_nic and gateway and family == gateway_family and route.next_hop != gateway
            if nic is not data_nic or stale:
                routes.append({'destination': route.destination, 'next_hop': route.next_hop, 'store': route.store, 'state': 'absent'})
            settings = getattr(iface, family)
            if nic is not data_nic and (route.protocol in LEARNED or (settings is not None and settings.dhcp)):
                item = {'interface': iface.alias, 'role': nic.get('role'), 'destination': route.destination, 'next_hop': route.next_hop,
                        'protocol': route.protocol}
                if item not in learned:
                    learned.append(item)
        if routes:
            desired['routes'].append({'interface': iface.index, 'routes': routes})
        dns = nic.get('register_dns')
        if dns is None and nic.get('role') in DNS_OFF_ROLES:
            dns = False
        first = True
        for family in FAMILIES:
            if getattr(iface, family) is None:
                continue
            entry = {'interface': iface.index, 'family': family}
            if nic.get('metric') is not None:
                entry['metric'] = nic['metric']
            if first and dns is not None:
                entry['register_dns'] = dns
            first = False
            if len(entry) > 2:
                desired['interfaces'].append(entry)
    desired = {key: value for key, value in desired.items() if value}
    return {'desired': desired, 'changes': len(plan_state(host, desired)), 'data': data_iface.alias, 'learned_gateways': learned}
