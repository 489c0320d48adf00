# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers the corpus found raising TypeError or ValueError on hostile values now answer cleanly."""

from __future__ import annotations

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netutil import AddressSyntaxError, parse_address, parse_prefix, type_name

STATE = {'schema': 'winnet.routing/v1', 'interfaces': [{'index': 3, 'alias': 'NIC1', 'ipv4': {'metric': 5}}], 'addresses': [], 'routes': []}


@pytest.mark.parametrize('value', [['NIC1'], {'alias': 'NIC1'}, {'NIC1'}, 3, None])
def test_interface_by_alias_of_a_non_string_is_none(value):
    assert HostState.from_dict(STATE).interface_by_alias(value) is None


@pytest.mark.parametrize('value', [['192.0.2.1'], {'a': 1}, {'192.0.2.1'}, 3232235777, None, b'192.0.2.1'])
def test_parse_address_of_a_non_string_is_a_syntax_error(value):
    with pytest.raises(AddressSyntaxError, match='expected a string'):
        parse_address(value)


@pytest.mark.parametrize('text', ['10.0.0.0/\u00b9\u2076', '10.0.0.0/\u0661\u0666', '10.0.0.0/\uff11\uff16'])
def test_prefix_length_takes_ascii_digits_only(text):
    with pytest.raises(AddressSyntaxError, match='invalid prefix length'):
        parse_prefix(text)


class _TaggedStr(str):
    """Stands in for Ansible 2.19's _AnsibleTaggedStr (a str subclass carrying template origin)."""


class _TaggedList(list):
    """Stands in for _AnsibleTaggedList."""


class _TaggedDict(dict):
    """Stands in for _AnsibleTaggedDict."""


def test_messages_name_the_builtin_type_of_tagged_values():
    assert type_name(_TaggedStr('x')) == 'str'
    assert type_name(_TaggedList()) == 'list'
    assert type_name(None) == 'NoneType'
    assert type_name(HostState.from_dict(STATE)) == 'HostState'
    with pytest.raises(StateError, match='^a HostState must be a mapping, got str$'):
        HostState.from_dict(_TaggedStr('{}'))
    with pytest.raises(StateError, match='^interfaces: must be a list, got dict$'):
        HostState.from_dict(dict(STATE, interfaces=_TaggedDict()))
