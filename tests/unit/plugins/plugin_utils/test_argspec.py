# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins validate their tasks' arguments with the spec of their module's documentation."""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.template import Templar

from ansible_collections.winnet.routing.plugins.action import net_apply, net_info, route
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.plugin_utils._argspec import argument_spec, fragment_options, spec_from_options

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SNAPSHOT = os.path.join(ROOT, 'examples', 'snapshots', 'web25-01.json')
CHANGING = ('route', 'ip_interface', 'ip_address', 'loopback_adapter', 'firewall_rule', 'net_apply', 'restore')


def _action(module, name, args):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = True
    task.diff = False
    task.action = 'winnet.routing.%s' % name
    task.delegate_to = None
    loader = DataLoader()
    return module.ActionModule(task=task, connection=mock.MagicMock(), play_context=PlayContext(), loader=loader,
                               templar=Templar(loader=loader), shared_loader_obj=None)


def _state():
    with open(SNAPSHOT, encoding='utf-8') as handle:
        return HostState.from_dict(json.load(handle)).to_dict()


@pytest.mark.parametrize('name', CHANGING)
def test_every_changing_module_takes_the_common_options_from_the_change_fragment(name):
    action = __import__('ansible_collections.winnet.routing.plugins.action.%s' % name, fromlist=['ActionModule']).ActionModule
    spec = argument_spec(action.DOCUMENTATION, action.HIDDEN_OPTIONS, action.OPAQUE_OPTIONS)
    assert spec['allow_connection_loss'] == {'type': 'bool', 'default': False}
    assert spec['rollback_after'] == {'type': 'int'}


def test_route_spec_is_the_documented_options():
    spec = argument_spec(route.ActionModule.DOCUMENTATION)
    assert spec['store'] == {'type': 'str', 'choices': ['active', 'persistent', 'both']}
    assert spec['purge'] == {'type': 'bool', 'default': False}
    assert spec['routes']['type'] == 'list' and spec['routes']['elements'] == 'dict'
    assert spec['routes']['options']['destination'] == {'type': 'str', 'required': True}
    assert set(spec['routes']['options']) == {'destination', 'next_hop', 'interface', 'metric', 'store', 'state'}


def test_hidden_and_opaque_options():
    operations = {'type': 'list', 'elements': 'dict', 'suboptions': {'op': {'type': 'str', 'required': True}}}
    options = {'plan': {'type': 'dict', 'suboptions': {'operations': operations}},
               'rollback': {'type': 'dict', 'description': 'set by the plugin'}}
    assert spec_from_options(options) == {
        'plan': {'type': 'dict', 'options': {'operations': {'type': 'list', 'elements': 'dict', 'options': {'op': {'type': 'str', 'required': True}}}}},
        'rollback': {'type': 'dict'}}
    assert spec_from_options(options, hidden=('rollback',), opaque=('plan.operations',)) == {
        'plan': {'type': 'dict', 'options': {'operations': {'type': 'list', 'elements': 'dict'}}}}


def test_fragments_of_the_collection_are_merged_and_others_add_no_options():
    assert fragment_options('winnet.routing.engine.weak_send')['weak_send_flag']['choices'] == ['source_interface', 'outgoing_interface', 'both']
    assert set(fragment_options('winnet.routing.change')) == {'allow_connection_loss', 'rollback_after'}
    assert fragment_options('ansible.builtin.action_common_attributes') == {}


def test_net_apply_refuses_the_options_only_its_plugin_gives():
    action = _action(net_apply, 'net_apply', {'plan': {'operations': []}, 'rollback_confirm': 'winnet-rollback-0'})
    with pytest.raises(AnsibleActionFail, match='rollback_confirm'):
        action.run(task_vars={'inventory_hostname': 'web25-01', 'winnet_state': _state()})


def test_net_apply_operations_are_checked_by_the_operation_contract_naming_the_path():
    action = _action(net_apply, 'net_apply', {'plan': {'operations': [{'op': 'create_loopback', 'name': 'vip', 'command': 'x'}]}})
    with pytest.raises(AnsibleActionFail, match=r'^plan\.operations\[0\]\.command: is not a field of create_loopback'):
        action.run(task_vars={'inventory_hostname': 'web25-01', 'winnet_snapshot': SNAPSHOT})


def test_net_info_refuses_the_connection_ports_of_the_changing_modules():
    action = _action(net_info, 'net_info', {'connection_ports': [5986]})
    with pytest.raises(AnsibleActionFail, match='connection_ports'):
        action.run(task_vars={'inventory_hostname': 'web25-01'})


def test_route_arguments_are_converted_by_the_documented_types():
    action = _action(route, 'route', {'destination': '10.99.0.0/16', 'next_hop': '10.10.0.254', 'interface': 'Management',
                                      'metric': '10', 'store': 'active'})
    result = action.run(task_vars={'inventory_hostname': 'web25-01', 'winnet_state': _state()})
    assert result['operations'][0]['route_metric'] == 10
    action = _action(route, 'route', {'destination': '10.99.0.0/16', 'interface': 'Management', 'store': 'everywhere'})
    with pytest.raises(AnsibleActionFail, match='store'):
        action.run(task_vars={'inventory_hostname': 'web25-01', 'winnet_state': _state()})
