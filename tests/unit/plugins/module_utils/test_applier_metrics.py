# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Interface metrics through apply and inverse: automatic on and off, and an automatic metric that
no longer matches the link speed (gathered before the link changed speed)."""

from __future__ import annotations

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, inverse
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState

SCHEMA = 'winnet.routing/v1'


def state(metric=15, automatic=True, speed=10000000000, kind='ethernet'):
    """One NIC (index 3) whose IPv4 metric is ``metric`` (automatic or not); IPv6 at 15 automatic."""
    iface = {'index': 3, 'alias': 'NIC1', 'kind': kind, 'ipv4': {'metric': metric, 'automatic_metric': automatic},
             'ipv6': {'metric': 15, 'automatic_metric': True}}
    if speed is not None:
        iface['link_speed_bps'] = speed
    return HostState.from_dict({'schema': SCHEMA, 'hostname': 'h', 'interfaces': [iface],
                                'addresses': [{'address': '192.0.2.10', 'prefix_length': 24, 'interface': 3}], 'routes': []})


def ipv4(host):
    settings = host.interface(3).ipv4
    return settings.metric, settings.automatic_metric


def op(**change):
    return dict({'op': 'set_interface', 'interface': 3, 'family': 'ipv4'}, **change)


@pytest.mark.parametrize('before, change, after', [
    # automatic off keeps the metric in force, now pinned; never the derived one
    ({'metric': 15, 'automatic': True}, {'automatic_metric': False}, (15, False)),
    ({'metric': 40, 'automatic': False}, {'automatic_metric': False}, (40, False)),
    ({'metric': 20, 'automatic': True}, {'automatic_metric': False}, (20, False)),
    # automatic on derives the metric from the link speed (10 GbE: 15)
    ({'metric': 40, 'automatic': False}, {'automatic_metric': True}, (15, True)),
    ({'metric': 20, 'automatic': True}, {'automatic_metric': True}, (15, True)),
    # unknown speed: the metric in force is kept
    ({'metric': 40, 'automatic': False, 'speed': None}, {'automatic_metric': True}, (40, True)),
    # a metric pins it
    ({'metric': 15, 'automatic': True}, {'metric': 15}, (15, False)),
    # other settings leave the metric alone, even one that no longer matches the speed
    ({'metric': 20, 'automatic': True}, {'weak_host_send': True}, (20, True)),
])
def test_set_interface_metric(before, change, after):
    host = state(**before)
    changed = apply(host, [op(**change)])
    assert ipv4(changed) == after
    assert changed.interface(3).ipv6 == host.interface(3).ipv6


@pytest.mark.parametrize('before, change, undo', [
    ({'metric': 40, 'automatic': False}, {'automatic_metric': True}, {'metric': 40}),
    ({'metric': 40, 'automatic': False}, {'metric': 10}, {'metric': 40}),
    ({'metric': 15, 'automatic': True}, {'metric': 10}, {'automatic_metric': True}),
    ({'metric': 15, 'automatic': True}, {'automatic_metric': False}, {'automatic_metric': True}),
    ({'metric': 15, 'automatic': True}, {'metric': 15}, {'automatic_metric': True}),
    ({'metric': 40, 'automatic': False}, {'automatic_metric': False}, None),
    ({'metric': 15, 'automatic': True}, {'weak_host_send': True}, {'weak_host_send': False}),
])
def test_the_inverse_of_a_metric_change(before, change, undo):
    host = state(**before)
    ops = [op(**change)]
    assert inverse(host, ops) == ([op(**undo)] if undo else [])
    assert ipv4(apply(apply(host, ops), inverse(host, ops))) == ipv4(host)


def test_an_automatic_metric_that_no_longer_matches_the_speed_is_derived_again_by_the_undo():
    # gathered at 20 when the link ran at 2 Gb/s; it runs at 10 Gb/s now. Windows derives the
    # metric from the speed in force, so the undo of a pinned metric gives 15, not 20.
    host = state(metric=20, automatic=True)
    ops = [op(metric=5)]
    undo = inverse(host, ops)
    assert undo == [op(automatic_metric=True)]
    assert ipv4(apply(apply(host, ops), undo)) == (15, True)
    # re-deriving it is itself a change, undone by deriving again
    assert inverse(host, [op(automatic_metric=True)]) == [op(automatic_metric=True)]


def test_a_loopback_adapter_of_unknown_speed_derives_25():
    host = state(metric=254, automatic=False, speed=None, kind='loopback_adapter')
    assert ipv4(apply(host, [op(automatic_metric=True)])) == (25, True)
    assert inverse(host, [op(automatic_metric=True)]) == [op(metric=254)]


@pytest.mark.parametrize('speed, kind, metric', [
    (100000000000, 'ethernet', 5), (40000000000, 'ethernet', 10), (2000000000, 'ethernet', 20), (1000000000, 'ethernet', 25),
    (100000000, 'ethernet', 35), (1000000000, 'wifi', 30), (54000000, 'wifi', 50), (0, 'ethernet', 75), (0, 'wifi', 85),
])
def test_the_automatic_metric_table(speed, kind, metric):
    assert ipv4(apply(state(metric=1, automatic=False, speed=speed, kind=kind), [op(automatic_metric=True)])) == (metric, True)
