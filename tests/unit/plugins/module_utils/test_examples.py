# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example snapshot hosts answer the field reports: what the engine says about each."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine

SNAPSHOTS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'examples', 'snapshots')


def engine(name):
    with open(os.path.join(SNAPSHOTS, name + '.json'), encoding='utf-8') as handle:
        return Engine(json.load(handle))


@pytest.mark.parametrize('name, expected', [
    ('web25-01', ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces']),
    ('app-metric-01', ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces']),
    ('hv-storage-01', ['multiple_default_routes', 'default_gateways_on_disjoint_interfaces', 'route_tie', 'persistent_active_drift']),
    ('dsr-ok-01', []),
    ('dsr-nows-01', []),
    ('dsr-vip24-01', ['vip_prefix_route_on_loopback_wins']),
])
def test_host_findings(name, expected):
    assert [f['id'] for f in engine(name).findings()] == expected


def test_seed_001_windows_uses_nic1_not_nic2():
    result = engine('app-metric-01').lookup('203.0.113.50')
    assert (result['interface_alias'], result['route']['effective_metric']) == ('NIC1', 11)


def test_dsr_hosts():
    ok = engine('dsr-ok-01')
    assert ok.dsr_check('192.0.2.100', 'Ethernet', ['203.0.113.50', '198.51.100.77'])['ready'] is True
    assert ok.dsr_check('2001:db8:100::100', 'Ethernet', ['2001:db8:ffff::50'])['ready'] is True
    nows = engine('dsr-nows-01').dsr_check('192.0.2.100', 'Ethernet', ['203.0.113.50'])
    assert nows['ready'] is False
    assert [c['id'] for c in nows['checks'] if c['status'] == 'fail'] == ['loopback_weak_host_send', 'reply_via_nic']
    assert nows['flows'][0]['disposition'] == 'reply_no_route'
    vip24 = engine('dsr-vip24-01').dsr_check('192.0.2.102', 'Ethernet', ['203.0.113.50', '192.0.2.50'])
    assert vip24['ready'] is False
    assert [c['id'] for c in vip24['checks'] if c['status'] == 'fail'] == ['reply_via_nic', 'vip_prefix']
