# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The operation contract: shapes, and errors naming the path."""

from __future__ import annotations

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.ops import CMDLET, OPERATIONS, PARAMETER, PRECONDITION, validate, validate_all

ROUTE = {'op': 'add_route', 'family': 'ipv4', 'destination': '192.0.2.0/24', 'next_hop': '198.51.100.1', 'interface': 4,
         'route_metric': 256, 'store': 'active'}


def test_every_kind_has_a_cmdlet_a_precondition_and_named_parameters():
    assert set(CMDLET) == set(OPERATIONS) == set(PRECONDITION)
    for fields in OPERATIONS.values():
        for name, _type, _required in fields:
            assert name in PARAMETER


def test_valid_operation_is_returned_clean():
    assert validate(dict(ROUTE)) == ROUTE


@pytest.mark.parametrize('change, message', [
    ({'op': 'add_rout'}, "operations[0].op: 'add_rout' is not one of"),
    ({'interface': '4'}, "operations[0].interface: must be an integer, got '4'"),
    ({'interface': True}, 'operations[0].interface: must be an integer, got True'),
    ({'route_metric': None}, 'operations[0].route_metric: required field of add_route is missing'),
    ({'family': 'ipx'}, "operations[0].family: 'ipx' is not one of ipv4, ipv6"),
    ({'store': 'persistent'}, "operations[0].store: 'persistent' is not one of active, both for add_route"),
    ({'command': 'Remove-Item C:\\'}, 'operations[0].command: is not a field of add_route'),
    ({'op': 'set_binding', 'component': 'ms_tcpip', 'enabled': False, 'family': None, 'destination': None, 'next_hop': None,
      'route_metric': None, 'store': None}, "operations[0].component: 'ms_tcpip' is not one of ms_msclient, ms_server"),
    ({'op': 'set_binding', 'component': 'ms_server', 'enabled': 'no', 'family': None, 'destination': None, 'next_hop': None,
      'route_metric': None, 'store': None}, "operations[0].enabled: must be a bool, got 'no'"),
    ({'op': 'set_netbios', 'netbios': 'off', 'family': None, 'destination': None, 'next_hop': None, 'route_metric': None, 'store': None},
     "operations[0].netbios: 'off' is not one of default, enabled, disabled"),
])
def test_invalid_operation_names_the_path(change, message):
    op = dict(ROUTE)
    op.update(change)
    op = {k: v for k, v in op.items() if v is not None}
    with pytest.raises(ArgumentError) as err:
        validate(op)
    assert str(err.value).startswith(message)


def test_set_interface_needs_a_setting():
    with pytest.raises(ArgumentError, match='changes nothing'):
        validate({'op': 'set_interface', 'interface': 4, 'family': 'ipv4'})


def test_validate_all_names_the_index():
    with pytest.raises(ArgumentError) as err:
        validate_all([ROUTE, {'op': 'remove_address', 'interface': 4, 'family': 'ipv4'}])
    assert str(err.value).startswith('operations[1].address: required field')
    with pytest.raises(ArgumentError):
        validate_all(ROUTE)


DNS = {'op': 'set_dns_registration', 'interface': 3, 'register_dns': True}


@pytest.mark.parametrize('operations, message', [
    (['set_dns_registration'], 'operations[0]: must be a mapping, got str'),
    ('set_dns_registration', 'operations: must be a list of operations'),
    ({'op': 'set_dns_registration'}, 'operations: must be a list of operations'),
    ([DNS, dict(DNS, adapter=5)], 'operations[1].adapter: must be a str, got 5'),
    ([dict(DNS, adapter=' ')], 'operations[0].adapter: must be a non-empty adapter name'),
    ([{'op': 'add_firewall_rule', 'name': 'dns', 'local_address': '203.0.113.80', 'protocol': 'ICMP', 'local_port': '53'}],
     "operations[0].protocol: 'ICMP' is not one of TCP, UDP"),
    ([{'op': 'set_interface', 'interface': 3, 'family': 'ipv4'}], 'operations[0]: set_interface changes nothing: give at least one setting'),
])
def test_a_list_of_operations_is_refused_naming_the_path(operations, message):
    with pytest.raises(ArgumentError) as caught:
        validate_all(operations)
    assert str(caught.value) == message
