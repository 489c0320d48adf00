# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters bind and check their arguments as their own DOCUMENTATION declares them."""

from __future__ import annotations

import importlib
import inspect
import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FILTERS = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'filter')) if name.endswith('.py'))
STATE = os.path.join(ROOT, 'tests', 'playbooks', 'files', 'vectors', 'tv01.json')
OMIT = '__omit_place_holder__0123456789abcdef'


def _filter(name):
    return importlib.import_module('ansible_collections.winnet.routing.plugins.filter.%s' % name).FilterModule().filters()[name]


def _state():
    with open(STATE, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize('name', FILTERS)
def test_the_body_takes_every_documented_option(name):
    func = _filter(name)
    parameters = list(inspect.signature(func.__wrapped__).parameters)[1:]
    assert sorted(parameters) == sorted(func.arguments.options)
    assert set(func.arguments.positional) <= set(parameters)


def test_an_unknown_option_is_refused_by_name():
    with pytest.raises(AnsibleFilterError) as caught:
        _filter('route_lookup')(_state(), '10.0.0.1', sourc='10.0.0.20')
    assert str(caught.value) == ('winnet.routing.route_lookup: sourc: is not an option of this filter '
                                 '(expected one of destination, source, interface, weak_send_flag)')


def test_positional_arguments_are_the_documented_ones():
    with pytest.raises(AnsibleFilterError, match=r'^winnet.routing.route_lookup: takes at most 1 positional argument \(destination\), got 2$'):
        _filter('route_lookup')(_state(), '10.0.0.1', '10.0.0.20')
    with pytest.raises(AnsibleFilterError, match=r'^winnet.routing.effective_routes: family: is given both by position and by name$'):
        _filter('effective_routes')(_state(), 'ipv4', family='ipv6')
    with pytest.raises(AnsibleFilterError, match=r'^winnet.routing.route_findings: takes at most 0 positional arguments \(none\), got 1$'):
        _filter('route_findings')(_state(), [])


def test_documented_defaults_fill_what_is_not_given_or_omitted():
    effective_routes = _filter('effective_routes')
    ipv4 = effective_routes(_state(), 'ipv4')
    assert ipv4 and effective_routes(_state()) == ipv4 and effective_routes(_state(), OMIT) == ipv4 and effective_routes(_state(), None) == ipv4
    lookup = _filter('route_lookup')
    assert lookup(_state(), '10.0.0.1', weak_send_flag=OMIT) == lookup(_state(), '10.0.0.1', weak_send_flag='source_interface')


@pytest.mark.parametrize('name, kwargs, message', [
    ('route_lookup', {'destination': '10.0.0.1', 'weak_send_flag': 'strong'},
     "weak_send_flag: 'strong' is not one of source_interface, outgoing_interface, both"),
    ('effective_routes', {'family': 'IPv6'}, "family: 'IPv6' is not one of ipv4, ipv6"),
    ('order_destinations', {'destinations': ['10.0.0.1'], 'prefer_ipv4': 'yes'}, "prefer_ipv4: must be true or false, got 'yes'"),
    ('flow_check', {'client': '10.0.1.50', 'destination': '10.0.0.20', 'arrival_interface': 3, 'forwarding_relaxes_receive': 1},
     'forwarding_relaxes_receive: must be true or false, got 1'),
])
def test_choices_and_booleans_are_checked_from_the_documentation(name, kwargs, message):
    with pytest.raises(AnsibleFilterError) as caught:
        _filter(name)(_state(), **kwargs)
    assert str(caught.value) == 'winnet.routing.%s: %s' % (name, message)
