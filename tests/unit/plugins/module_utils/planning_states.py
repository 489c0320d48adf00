# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small host for the planner and applier tables, and hypothesis strategies for random hosts and
random desired settings, and random plans (used by test_planner.py, test_applier.py and
test_restore.py).

Random hosts keep to what an undo can restore exactly (see applier.canonical): routes other than
the system ones have protocol netmgmt, addresses are preferred and not temporary, an automatic
metric is the one the R7 table gives, and loopback adapters look like freshly created ones.
"""

from __future__ import annotations

from hypothesis import strategies as st

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.desired import plan

SCHEMA = 'winnet.routing/v1'


def base_dict():
    """NIC1 (index 3, 10 GbE, automatic metric, IPv4 + IPv6), NIC2 (index 4, DHCP, IPv4 only), and
    a KM-TEST loopback (index 7) holding a VIP, File and Printer Sharing and NetBIOS off on it."""
    return {
        'schema': SCHEMA,
        'hostname': 'web01',
        'interfaces': [
            {'index': 3, 'alias': 'NIC1', 'kind': 'ethernet', 'link_speed_bps': 10000000000, 'ipv4': {}, 'ipv6': {}},
            {'index': 4, 'alias': 'NIC2', 'kind': 'ethernet', 'ipv4': {'metric': 20, 'dhcp': True}},
            {'index': 7, 'alias': 'loopback', 'kind': 'loopback_adapter', 'description': 'Microsoft KM-TEST Loopback Adapter',
             'register_dns': False, 'bindings': {'ms_msclient': True, 'ms_server': False}, 'netbios': 'disabled',
             'ipv4': {'metric': 254, 'weak_host_send': True, 'weak_host_receive': True},
             'ipv6': {'metric': 254, 'weak_host_send': True, 'weak_host_receive': True}},
        ],
        'addresses': [
            {'address': '192.0.2.10', 'prefix_length': 24, 'interface': 3},
            {'address': '2001:db8:1::10', 'prefix_length': 64, 'interface': 3},
            {'address': '198.51.100.20', 'prefix_length': 24, 'interface': 4},
            {'address': '203.0.113.80', 'prefix_length': 32, 'interface': 7, 'skip_as_source': True},
        ],
        'routes': [
            {'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3, 'route_metric': 0, 'store': 'active', 'protocol': 'netmgmt'},
            {'destination': '0.0.0.0/0', 'next_hop': '192.0.2.1', 'interface': 3, 'route_metric': 0, 'store': 'persistent', 'protocol': 'netmgmt'},
            {'destination': '10.20.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4, 'route_metric': 5, 'store': 'active', 'protocol': 'netmgmt'},
            {'destination': '10.30.0.0/16', 'next_hop': '198.51.100.1', 'interface': 4, 'route_metric': 5, 'store': 'persistent', 'protocol': 'netmgmt'},
        ],
    }


def base():
    return HostState.from_dict(base_dict())


# ----------------------------------------------------------------------------- strategies
SPEEDS = (100000000, 1000000000, 10000000000, 40000000000)


def _v4(k, host):
    return '10.%d.0.%d' % (k, host)


def _v6(k, host):
    return '2001:db8:%x::%x' % (k, host)


@st.composite
def ip_settings(draw, kind, speed):
    settings = {flag: draw(st.booleans()) for flag in ('weak_host_send', 'weak_host_receive', 'forwarding', 'ignore_default_routes', 'dhcp')}
    if kind == 'loopback_adapter' or draw(st.booleans()):
        settings['metric'] = draw(st.sampled_from([5, 25, 254, 9999]))
    else:
        settings['automatic_metric'] = True
    if kind == 'loopback_adapter' and 'metric' in settings and draw(st.booleans()):
        settings['metric'], settings['automatic_metric'] = 25, True
    return settings


@st.composite
def hosts(draw):
    """A random host: 1-3 NICs (indexes 2-4), 0-2 loopback adapters (indexes 5-9)."""
    interfaces, addresses, routes = [], [], []
    for k in range(1, draw(st.integers(1, 3)) + 1):
        speed = draw(st.sampled_from(SPEEDS))
        iface = {'index': 1 + k, 'alias': 'NIC%d' % k, 'kind': 'ethernet', 'link_speed_bps': speed, 'connected': draw(st.booleans()),
                 'register_dns': draw(st.booleans()), 'ipv4': draw(ip_settings('ethernet', speed))}
        if draw(st.booleans()):
            iface['ipv6'] = draw(ip_settings('ethernet', speed))
        if draw(st.booleans()):
            iface.update(adapter_bindings(draw))
        interfaces.append(iface)
    for n in range(draw(st.integers(0, 2))):
        index = draw(st.sampled_from([5 + 2 * n, 6 + 2 * n]))
        # as gathered: a loopback adapter records its bindings (one without them is a known limit of a
        # re-creation), and both components, which a new adapter gets too
        interfaces.append(dict({'index': index, 'alias': 'loop%d' % n, 'kind': 'loopback_adapter',
                                'description': 'Microsoft KM-TEST Loopback Adapter', 'register_dns': draw(st.booleans()),
                                'ipv4': draw(ip_settings('loopback_adapter', None)), 'ipv6': draw(ip_settings('loopback_adapter', None))},
                               **adapter_bindings(draw, ['ms_msclient', 'ms_server'])))
    for iface in interfaces:
        k = iface['index']
        for host in draw(st.sets(st.sampled_from([1, 10, 11]), max_size=2)):
            addresses.append({'address': _v4(k, host), 'prefix_length': draw(st.sampled_from([24, 32])), 'interface': k,
                              'skip_as_source': draw(st.booleans())})
        if 'ipv6' in iface and draw(st.booleans()):
            addresses.append({'address': _v6(k, 10), 'prefix_length': 64, 'interface': k})
    seen = set()
    for _attempt in range(draw(st.integers(0, 6))):
        iface = draw(st.sampled_from(interfaces))
        item = draw(route_items(iface))
        hop = item['next_hop'] or ('::' if ':' in item['destination'] else '0.0.0.0')
        stores = ['active', 'persistent'] if item['store'] == 'both' else [item['store']]
        for store in stores:
            key = (item['destination'], hop, iface['index'], store)
            if key not in seen:
                seen.add(key)
                routes.append({'destination': item['destination'], 'next_hop': hop, 'interface': iface['index'], 'store': store,
                               'route_metric': item['metric'] or 256, 'protocol': 'netmgmt'})
    data = {'schema': SCHEMA, 'interfaces': interfaces, 'addresses': addresses, 'routes': routes}
    if draw(st.booleans()):
        data['firewall_rules'] = [{'name': 'vip-http', 'local_address': '203.0.113.80', 'protocol': 'TCP', 'local_port': '80'}]
    return HostState.from_dict(data)


def adapter_bindings(draw, installed=None):
    """Recorded bindings and NetBIOS setting (a component may be missing: not installed)."""
    components = installed or draw(st.sets(st.sampled_from(['ms_msclient', 'ms_server']), min_size=1))
    return {'bindings': {c: draw(st.booleans()) for c in sorted(components)},
            'netbios': draw(st.sampled_from(['default', 'enabled', 'disabled']))}


@st.composite
def route_items(draw, iface):
    """A desired route on ``iface`` (a HostState interface dictionary) from a small pool."""
    k = iface['index']
    if 'ipv6' in iface and draw(st.booleans()):
        destination = draw(st.sampled_from(['::/0', '2001:db8:99::/48', _v6(k, 0) + '/64']))
        hop = draw(st.sampled_from([None, '::', 'fe80::1', _v6(k, 1)]))
    else:
        destination = draw(st.sampled_from(['0.0.0.0/0', '172.16.0.0/12', '10.99.0.0/16', _v4(k, 0) + '/24']))
        hop = draw(st.sampled_from([None, '0.0.0.0', _v4(k, 1), _v4(k, 254)]))
    return {'destination': destination, 'next_hop': hop, 'metric': draw(st.sampled_from([None, 1, 256, 500])),
            'store': draw(st.sampled_from(['active', 'persistent', 'both'])), 'state': draw(st.sampled_from(['present', 'present', 'absent']))}


@st.composite
def desired_settings(draw, host):
    """Random desired settings for ``host``, shaped like desired.plan's argument."""
    data = host.to_dict()
    interfaces = data['interfaces']
    loopbacks = [i for i in interfaces if i['kind'] == 'loopback_adapter']
    desired = {}
    removed = set()
    entries = []
    for loop in loopbacks:
        if draw(st.booleans()):
            state = draw(st.sampled_from(['present', 'absent']))
            entries.append({'name': loop['alias'], 'state': state})
            if state == 'absent':
                removed.add(loop['index'])
    if draw(st.booleans()):
        entries.append({'name': 'vip%d' % draw(st.integers(0, 1)), 'state': draw(st.sampled_from(['present', 'absent']))})
    names = [e['name'] for e in entries]
    desired['loopback_adapter'] = [e for i, e in enumerate(entries) if e['name'] not in names[:i]]
    usable = [i for i in interfaces if i['index'] not in removed]
    settings = []
    for iface in draw(st.lists(st.sampled_from(usable), max_size=2, unique_by=lambda i: i['index'])) if usable else []:
        family = draw(st.sampled_from([f for f in ('ipv4', 'ipv6') if f in iface]))
        entry = {'interface': draw(st.sampled_from([iface['index'], iface['alias']])), 'family': family,
                 'metric': draw(st.sampled_from([None, 'automatic', 0, 15, 25, 9999]))}
        for flag in ('weak_host_send', 'weak_host_receive', 'forwarding', 'ignore_default_routes', 'register_dns'):
            entry[flag] = draw(st.sampled_from([None, True, False]))
        if isinstance(iface.get('bindings'), dict) and draw(st.booleans()):
            entry['bindings'] = {c: draw(st.sampled_from([None, True, False])) for c in iface['bindings']}
        if iface.get('netbios') is not None:
            entry['netbios'] = draw(st.sampled_from([None, 'default', 'enabled', 'disabled']))
        settings.append(entry)
    desired['ip_interface'] = settings
    addresses = []
    for iface in draw(st.lists(st.sampled_from(usable), max_size=2, unique_by=lambda i: i['index'])) if usable else []:
        k = iface['index']
        pool = ['%s/%d' % (_v4(k, h), p) for h in (10, 11, 12) for p in (24, 32)]
        if 'ipv6' in iface:
            pool += [_v6(k, 10) + '/64', _v6(k, 12) + '/128']
        pool += ['%s/%d' % (a['address'], a['prefix_length']) for a in data['addresses'] if a['interface'] == k]
        chosen = draw(st.lists(st.sampled_from(pool), max_size=3, unique_by=lambda a: a.split('/')[0]))
        addresses.append({'interface': k, 'addresses': [{'address': a, 'skip_as_source': draw(st.booleans())} for a in chosen],
                          'state': draw(st.sampled_from(['present', 'present', 'absent'])), 'purge': draw(st.booleans())})
    desired['ip_address'] = addresses
    if usable and draw(st.booleans()):
        iface = draw(st.sampled_from(usable))
        routes, seen = [], set()
        existing = [{'destination': r['destination'], 'next_hop': r['next_hop'], 'store': r['store'],
                     'metric': draw(st.sampled_from([None, 1, r['route_metric']])), 'state': draw(st.sampled_from(['present', 'absent']))}
                    for r in data['routes'] if r['interface'] == iface['index'] and r['protocol'] != 'local']
        candidates = route_items(iface) if not existing else st.one_of(route_items(iface), st.sampled_from(existing))
        for route in draw(st.lists(candidates, max_size=4)):
            key = (route['destination'], route['next_hop'] or ('::' if ':' in route['destination'] else '0.0.0.0'))
            if key not in seen:
                seen.add(key)
                routes.append(route)
        desired['route'] = [{'routes': routes, 'interface': iface['index'], 'purge': draw(st.booleans())}]
    if draw(st.booleans()):
        desired['firewall_rule'] = [{'rules': [{'name': 'vip-http', 'local_address': '203.0.113.80', 'protocol': 'TCP',
                                                'local_port': draw(st.sampled_from([80, 8080]))}],
                                     'state': draw(st.sampled_from(['present', 'absent']))}]
    return without_unreachable(host, desired)


# The refusals that depend on the addresses the host has once the plan ran, not on the options' form.
UNREACHABLE = ('is not on-link on interface', 'is not an address of this host')


def without_unreachable(host, desired):
    """``desired`` without the sections (route, firewall_rule) the planner refuses because a next hop
    is not on-link or a rule's address is not on the host after the plan: random settings stay
    valid settings."""
    while True:
        try:
            plan(host, desired)
            return desired
        except ArgumentError as exc:
            section = str(exc).split('[', 1)[0]
            if not any(text in str(exc) for text in UNREACHABLE) or section not in desired:
                raise
            del desired[section]


@st.composite
def hosts_and_operations(draw):
    """A random host and the plan for random desired settings (so every precondition holds)."""
    host = draw(hosts())
    return host, plan(host, draw(desired_settings(host)))
