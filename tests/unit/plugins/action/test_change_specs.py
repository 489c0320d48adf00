# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec each changing action plugin validates is the one its module documents."""

from __future__ import annotations

import importlib

import pytest
import yaml

from ansible_collections.winnet.routing.plugins.doc_fragments.change import ModuleDocFragment
from ansible_collections.winnet.routing.plugins.plugin_utils._change import COMMON_SPEC

MODULES = ['route', 'ip_interface', 'ip_address', 'loopback_adapter', 'firewall_rule', 'net_apply', 'restore']
# Options of the PowerShell module that only its action plugin sets (a task giving them is refused).
INTERNAL = {'net_apply': ('rollback', 'rollback_confirm')}
KEYS = ('type', 'required', 'default', 'choices', 'elements')


def documented(name):
    doc = yaml.safe_load(importlib.import_module('ansible_collections.winnet.routing.plugins.modules.%s' % name).DOCUMENTATION)
    options = dict(doc['options'])
    if 'winnet.routing.change' in doc.get('extends_documentation_fragment', []):
        options.update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    return options


def normalise(options, from_docs, depth=0):
    out = {}
    for name, option in options.items():
        item = {key: option[key] for key in KEYS if option.get(key) not in (None, False)}
        item.setdefault('type', 'str')
        sub = option.get('suboptions' if from_docs else 'options')
        if sub and depth < 1:
            item['options'] = normalise(sub, from_docs, depth + 1)
        out[name] = item
    return out


@pytest.mark.parametrize('name', MODULES)
def test_action_spec_matches_the_documentation(name):
    action = importlib.import_module('ansible_collections.winnet.routing.plugins.action.%s' % name)
    spec = dict(action.ARGUMENT_SPEC, **COMMON_SPEC)
    docs = documented(name)
    if name == 'net_apply':
        # the operations' fields are checked by ops.validate_all (errors name the path) and, on
        # the host, by the PowerShell module's own spec, which validate-modules compares with the docs
        docs['plan']['suboptions']['operations'].pop('suboptions')
    for option in INTERNAL.get(name, ()):
        assert option not in spec, '%s must not be an option a task can give' % option
        docs.pop(option)
    assert normalise(spec, False) == normalise(docs, True)


def test_every_changing_module_takes_the_common_options():
    for name in MODULES:
        assert set(COMMON_SPEC) <= set(documented(name)), name
