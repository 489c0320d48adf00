# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs read from the plugins' own documentation, so that the docs are the spec.

An action plugin validates its task's arguments with the spec of its module's DOCUMENTATION
(``argument_spec``); a filter checks its arguments against its own DOCUMENTATION (see
``_filters.py``). The collection's own doc fragments (``winnet.routing.*``) are merged here, as
ansible-doc merges them; the ansible.builtin fragments the modules list carry attributes only.
"""

from __future__ import annotations

import importlib

import yaml

COLLECTION = 'winnet.routing.'
FRAGMENTS = 'ansible_collections.winnet.routing.plugins.doc_fragments.'
# What an argument spec takes from a documented option (``suboptions`` become ``options``).
SPEC_KEYS = ('type', 'required', 'default', 'choices', 'elements', 'aliases', 'no_log')


def fragment_options(name):
    """The options a doc fragment named in ``extends_documentation_fragment`` adds.

    ``winnet.routing.NAME`` is ``ModuleDocFragment.DOCUMENTATION`` of doc_fragments/NAME.py,
    ``winnet.routing.NAME.PART`` its ``PART`` (upper case). Fragments of other collections add none.
    """
    if not name.startswith(COLLECTION):
        return {}
    module_name, _dot, part = name[len(COLLECTION):].partition('.')
    fragment = importlib.import_module(FRAGMENTS + module_name).ModuleDocFragment
    text = getattr(fragment, part.upper() if part else 'DOCUMENTATION')
    return (yaml.safe_load(text) or {}).get('options') or {}


def documented_options(documentation):
    """(the parsed DOCUMENTATION, its options with those of the collection's doc fragments merged in)."""
    doc = yaml.safe_load(documentation)
    options = dict(doc.get('options') or {})
    for name in doc.get('extends_documentation_fragment') or []:
        for option, value in fragment_options(name).items():
            options.setdefault(option, value)
    return doc, options


def spec_from_options(options, hidden=(), opaque=(), prefix=''):
    """An argument spec for ``ansible.module_utils.common.arg_spec`` from documented options.

    Args:
        options: documented options (``documented_options``).
        hidden: options the plugin sets itself and a task may not give (left out of the spec).
        opaque: dotted option paths whose suboptions the plugin checks itself, naming the path of a
            bad value (their documented suboptions are not turned into a spec).
    """
    spec = {}
    for name, option in options.items():
        path = prefix + name
        if path in hidden:
            continue
        entry = {key: option[key] for key in SPEC_KEYS if option.get(key) is not None}
        if option.get('suboptions') and path not in opaque:
            entry['options'] = spec_from_options(option['suboptions'], hidden, opaque, path + '.')
        spec[name] = entry
    return spec


def argument_spec(documentation, hidden=(), opaque=()):
    """The argument spec of a module's DOCUMENTATION (see ``spec_from_options``)."""
    return spec_from_options(documented_options(documentation)[1], hidden, opaque)
