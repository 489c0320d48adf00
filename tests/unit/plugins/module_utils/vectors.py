# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The public test vectors of the routing specification, as HostState dictionaries.

Written in the spec's notation: ``nic(3, 'NIC1', m=25, addrs=['192.168.1.20/24'])`` and
``rt('0.0.0.0/0', '192.168.1.1', 3, 10)``. Each host gets Loopback Pseudo-Interface 1 (metric 75)
and the loader adds the system routes (route metric 256), as section 5.0 of the spec says.
"""

from __future__ import annotations

import copy


def nic(index, alias, m=25, ws=False, wr=False, fw=False, st=True, kind='ethernet', addrs=(), v6=None, ignore_default=False,
        register_dns=True, skip=(), temporary=(), deprecated=()):
    """An interface with IPv4 settings (and IPv6 settings when ``v6`` is a metric), plus its addresses."""
    iface = {'index': index, 'alias': alias, 'kind': kind, 'connected': st, 'register_dns': register_dns,
             'ipv4': {'metric': m, 'weak_host_send': ws, 'weak_host_receive': wr, 'forwarding': fw, 'ignore_default_routes': ignore_default}}
    if v6 is not None:
        iface['ipv6'] = {'metric': v6, 'weak_host_send': ws, 'weak_host_receive': wr, 'forwarding': fw, 'ignore_default_routes': ignore_default}
    addresses = []
    for text in addrs:
        address, plen = text.split('/')
        addresses.append({'address': address, 'prefix_length': int(plen), 'interface': index, 'skip_as_source': address in skip,
                          'temporary': address in temporary, 'state': 'deprecated' if address in deprecated else 'preferred'})
    return iface, addresses


def rt(destination, next_hop, interface, rm, store='active', protocol='netmgmt'):
    return {'destination': destination, 'next_hop': next_hop, 'interface': interface, 'route_metric': rm, 'store': store, 'protocol': protocol}


def host(*nics, routes=(), loopback=True):
    interfaces, addresses = [], []
    if loopback:
        lo, lo_addrs = nic(1, 'Loopback Pseudo-Interface 1', m=75, kind='loopback_pseudo', addrs=['127.0.0.1/8'], v6=75)
        lo_addrs.append({'address': '::1', 'prefix_length': 128, 'interface': 1})
        interfaces.append(lo)
        addresses.extend(lo_addrs)
    for iface, addrs in nics:
        interfaces.append(iface)
        addresses.extend(addrs)
    return {'schema': 'winnet.routing/v1', 'hostname': 'tv', 'interfaces': interfaces, 'addresses': addresses, 'routes': list(routes)}


def tv01():
    return host(nic(3, 'NIC1', m=1, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=50, addrs=['10.0.0.20/24']),
                routes=[rt('0.0.0.0/0', '192.168.1.1', 3, 10), rt('0.0.0.0/0', '10.0.0.1', 4, 5)])


def tv02():
    return host(nic(3, 'NIC1', m=5, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=50, addrs=['10.0.0.20/24']),
                routes=[rt('0.0.0.0/0', '192.168.1.1', 3, 0), rt('10.20.0.0/16', '10.0.0.1', 4, 9000)])


def tv03():
    return host(nic(3, 'NIC1', m=25, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=50, addrs=['10.0.0.20/24']),
                routes=[rt('192.168.1.77/32', '10.0.0.1', 4, 500)])


def tv04():
    return host(nic(3, 'NIC1', m=25, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=5, addrs=['10.0.0.20/24']),
                routes=[rt('0.0.0.0/0', '192.168.1.1', 3, 0), rt('0.0.0.0/0', '10.0.0.1', 4, 20)])


def tv05():
    return host(nic(3, 'NIC1', m=25, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=25, addrs=['10.0.0.20/24']),
                routes=[rt('0.0.0.0/0', '192.168.1.1', 3, 10), rt('0.0.0.0/0', '10.0.0.1', 4, 5)])


def tv06():
    state = host(nic(3, 'NIC1', addrs=['192.168.1.20/24']), nic(4, 'NIC2', addrs=['10.0.0.20/24']),
                 routes=[rt('0.0.0.0/0', '192.168.1.1', 3, 0, protocol='dhcp'), rt('0.0.0.0/0', '10.0.0.1', 4, 0, protocol='dhcp')])
    for iface, speed in zip(state['interfaces'][1:], (10000000000, 1000000000)):
        del iface['ipv4']['metric']
        iface['link_speed_bps'] = speed
        iface['ipv4']['automatic_metric'] = True
    return state


def tv08(ignore=False):
    return host(nic(3, 'NIC1', m=5, st=ignore, ignore_default=ignore, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=50, addrs=['10.0.0.20/24']),
                routes=[rt('0.0.0.0/0', '192.168.1.1', 3, 0), rt('0.0.0.0/0', '10.0.0.1', 4, 0)])


def tv10():
    return host(nic(3, 'NIC1', m=25, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=25, addrs=['10.0.0.20/24']),
                routes=[rt('10.99.0.0/16', '192.168.1.254', 3, 1, store='persistent'), rt('0.0.0.0/0', '10.0.0.1', 4, 0)])


def tv12():
    return host(nic(3, 'NIC1', addrs=['10.0.1.10/24']), nic(4, 'NIC2', addrs=['172.16.1.32/24']),
                routes=[rt('0.0.0.0/0', '10.0.1.1', 3, 0)])


def tv13(skip=()):
    return host(nic(3, 'NIC1', addrs=['192.168.1.14/24', '192.168.1.68/24'], skip=skip),
                routes=[rt('0.0.0.0/0', '192.168.1.127', 3, 256)])


def tv32(temporary=True):
    state = host(nic(7, 'Ethernet', m=25, v6=25, addrs=['fe80::a/64', '2001:db8:7::10/64'] + (['2001:db8:7::beef/64'] if temporary else []),
                     temporary=('2001:db8:7::beef',)),
                 nic(10, 'Wi-Fi', m=50, v6=50, kind='wifi', addrs=['fe80::b/64']),
                 routes=[rt('::/0', 'fe80::2', 7, 256, protocol='router_advertisement'), rt('::/0', 'fe80::1', 10, 256, protocol='router_advertisement')])
    return state


def host_h(ws4=False, wr3=False, fw3=False, default4=False, extra_routes=()):
    routes = [rt('0.0.0.0/0', '10.0.1.1', 3, 0)]
    if default4:
        routes.append(rt('0.0.0.0/0', '172.16.1.1', 4, 100))
    routes.extend(extra_routes)
    return host(nic(3, 'NIC1', m=25, wr=wr3, fw=fw3, addrs=['10.0.1.10/24']), nic(4, 'NIC2', m=25, ws=ws4, addrs=['172.16.1.32/24']), routes=routes)


def host_d(nic_wr=True, lo_ws=True, lo_wr=True, vip='10.0.0.100/32', lo_metric=25, nic_ws=False, skip=True, register_dns=False):
    return host(nic(6, 'Ethernet', m=10, wr=nic_wr, ws=nic_ws, addrs=['10.0.0.4/24']),
                nic(11, 'Loopback', m=lo_metric, ws=lo_ws, wr=lo_wr, kind='loopback_adapter', addrs=[vip], register_dns=register_dns,
                    skip=(vip.split('/')[0],) if skip else ()),
                routes=[rt('0.0.0.0/0', '10.0.0.1', 6, 0)])


def tv29():
    return host(nic(3, 'NIC1', m=25, addrs=['192.168.1.20/24']), nic(4, 'NIC2', m=35, addrs=['10.0.0.20/24']))


def clone(state):
    return copy.deepcopy(state)
