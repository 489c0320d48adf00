# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The loader's system routes and the two route stores: a route in the persistent store is not in
force, so it never stands in for the route Windows creates in the active store."""

from __future__ import annotations

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState


def state(routes):
    return {'schema': 'winnet.routing/v1', 'hostname': 'h',
            'interfaces': [{'index': 3, 'alias': 'NIC1', 'ipv4': {'metric': 25}}],
            'addresses': [{'address': '192.0.2.10', 'prefix_length': 24, 'interface': 3}], 'routes': routes}


def on_link(destination, metric, store, protocol='netmgmt', interface=3):
    return {'destination': destination, 'next_hop': '0.0.0.0', 'interface': interface, 'route_metric': metric, 'store': store, 'protocol': protocol}


def subnet_routes(data):
    return [(r['route_metric'], r['store'], r['protocol']) for r in HostState.from_dict(data).to_dict()['routes']
            if r['destination'] == '192.0.2.0/24']


def test_a_persistent_only_route_on_a_system_prefix_does_not_replace_the_system_route():
    assert subnet_routes(state([on_link('192.0.2.0/24', 5, 'persistent')])) == [(5, 'persistent', 'netmgmt'), (256, 'active', 'local')]


def test_an_active_route_on_a_system_prefix_is_the_system_route():
    assert subnet_routes(state([on_link('192.0.2.0/24', 5, 'active')])) == [(5, 'active', 'netmgmt')]


@pytest.mark.parametrize('store', ['active', 'persistent'])
def test_a_route_on_another_interface_does_not_count(store):
    data = state([on_link('192.0.2.0/24', 5, store, interface=4)])
    data['interfaces'].append({'index': 4, 'alias': 'NIC2', 'ipv4': {'metric': 25}})
    routes = [(r['interface'], r['store']) for r in HostState.from_dict(data).to_dict()['routes'] if r['destination'] == '192.0.2.0/24']
    assert routes == [(4, store), (3, 'active')]


def test_without_system_routes_only_the_listed_routes_load():
    loaded = HostState.from_dict(state([on_link('192.0.2.0/24', 5, 'persistent')]), add_system_routes=False)
    assert [(r.destination, r.store) for r in loaded.routes] == [('192.0.2.0/24', 'persistent')]


def test_the_value_objects_say_what_they_are():
    # what a failing test or a debugger prints
    loaded = HostState.from_dict(state([on_link('192.0.2.0/24', 5, 'persistent')]))
    assert repr(loaded) == "HostState('h', 1 interfaces, 1 addresses, 6 routes)"
    assert repr(loaded.interfaces[0]) == "Interface(3, 'NIC1')"
    assert repr(loaded.interfaces[0].ipv4).startswith("IpSettings({'metric': 25, ")
    assert repr(loaded.addresses[0]) == 'Address(192.0.2.10/24@3)'
    assert repr(loaded.routes[0]) == 'Route(192.0.2.0/24 -> 0.0.0.0 @3 rm=5 persistent)'


def test_routes_hash_by_identity():
    one = HostState.from_dict(state([on_link('192.0.2.0/24', 5, 'persistent')])).routes[0]
    other = HostState.from_dict(state([on_link('192.0.2.0/24', 9, 'persistent')])).routes[0]
    again = HostState.from_dict(state([on_link('192.0.2.0/24', 5, 'persistent')])).routes[0]
    # the hash is the identity's (the metric is an attribute); equality compares the metric too
    assert hash(one) == hash(other) and one != other
    assert len({one, other, again}) == 2
