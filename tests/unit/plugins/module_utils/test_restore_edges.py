# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore when one interface of the baseline cannot be handled: the others are still matched,
set back and created again (a loopback listed first, a physical adapter gone, a loopback whose
name is taken), and the limit that names a physical adapter gone."""

from __future__ import annotations

import os
import sys

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.restore import plan_restore

sys.path.insert(0, os.path.dirname(__file__))
from planning_states import base_dict  # noqa: E402  pylint: disable=wrong-import-position


def without_interface(data, index):
    data['interfaces'] = [i for i in data['interfaces'] if i['index'] != index]
    data['addresses'] = [a for a in data['addresses'] if a['interface'] != index]
    data['routes'] = [r for r in data['routes'] if r['interface'] != index]
    return data


def test_interfaces_after_a_loopback_matched_by_name_are_matched_by_index():
    data = base_dict()
    data['interfaces'].insert(0, data['interfaces'].pop(2))      # the loopback (7) listed first
    target = HostState.from_dict(data)
    data['interfaces'][1]['ipv4']['metric'] = 40                  # NIC1's IPv4 metric set since the baseline
    result = plan_restore(HostState.from_dict(data), target)
    assert result['interfaces'] == {3: 3, 4: 4, 7: 7}
    assert result['operations'] == [{'op': 'set_interface', 'interface': 3, 'family': 'ipv4', 'automatic_metric': True}]
    assert result['limits'] == [] and result['exact']


def test_a_physical_adapter_gone_leaves_the_settings_of_the_others_restored():
    target = HostState.from_dict(base_dict())
    data = without_interface(base_dict(), 4)
    data['interfaces'][1]['ipv4']['metric'] = 100                 # the loopback (7), after the missing NIC2 (4)
    result = plan_restore(HostState.from_dict(data), target)
    assert result['operations'] == [{'op': 'set_interface', 'interface': 7, 'family': 'ipv4', 'metric': 254}]
    assert result['limits'][0] == ('interface 4 (NIC2, ethernet) of the baseline no longer exists: restore cannot bring back an adapter '
                                   'that is not a loopback adapter; its settings, addresses and routes are not restored')


def test_a_loopback_whose_name_is_taken_does_not_stop_the_next_one():
    data = base_dict()
    data['interfaces'].append({'index': 8, 'alias': 'vip2', 'kind': 'loopback_adapter', 'ipv4': {'metric': 254}})
    target = HostState.from_dict(data)
    data = without_interface(without_interface(base_dict(), 7), 8)
    data['interfaces'].append({'index': 11, 'alias': 'loopback', 'kind': 'ethernet', 'ipv4': {'metric': 30}})
    result = plan_restore(HostState.from_dict(data), target)
    assert "loopback adapter 'loopback' cannot be created again: interface 11 has its name" in result['limits']
    assert {'op': 'create_loopback', 'name': 'vip2'} in result['operations']
    assert result['interfaces'][8] == 12                          # one above the highest index on the host (11)
