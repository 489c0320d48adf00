# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module arguments checked against a PowerShell module's static ``$spec``, as Ansible.Basic checks them.

The simulated host reads the ``$spec`` literal of the module it was sent (with the gate's
tree-sitter helper, tests/tools/pscheck.py) and refuses arguments the real module would refuse:
an unsupported option, a wrong type, a value outside ``choices``, a missing required option, a
``required_if`` not met. Defaults are filled in and sub-options nobody gave are set to null, so
that the values the simulation works with are those the PowerShell module would see. This is the
part of Ansible.Basic's validation the collection's specs use, not all of it.
"""

from __future__ import annotations

import importlib.util
import os

_PSCHECK = None
TRUE = ('yes', 'on', '1', 'true', 'y', 't')
FALSE = ('no', 'off', '0', 'false', 'n', 'f')


class SpecError(Exception):
    """The arguments are not what the module's spec accepts."""


def pscheck():
    """tests/tools/pscheck.py (a script, not a package), loaded once."""
    global _PSCHECK  # pylint: disable=global-statement
    if _PSCHECK is None:
        path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools', 'pscheck.py')
        spec = importlib.util.spec_from_file_location('winnet_routing_harness_pscheck', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _PSCHECK = module
    return _PSCHECK


def module_spec(path):
    """The static argument spec of a PowerShell module file."""
    return pscheck().extract_spec(path)


def _convert(value, kind, path):
    if value is None or kind in (None, 'raw'):
        return value
    if kind == 'str':
        if isinstance(value, (dict, list)):
            raise SpecError('argument for %s is of type %s and we were unable to convert to str' % (path, type(value).__name__))
        return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    if kind == 'int':
        if isinstance(value, bool):
            raise SpecError('argument for %s is of type bool and we were unable to convert to int' % path)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip('-').isdigit():
            return int(value.strip())
        raise SpecError('argument for %s is of type %s and we were unable to convert to int' % (path, type(value).__name__))
    if kind == 'bool':
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise SpecError('argument for %s is of type %s and we were unable to convert to bool' % (path, type(value).__name__))
    if kind == 'list':
        if isinstance(value, list):
            return value
        if isinstance(value, str):
            return [item.strip() for item in value.split(',')]
        return [value]
    if kind == 'dict':
        if isinstance(value, dict):
            return value
        raise SpecError('argument for %s is of type %s and we were unable to convert to dict' % (path, type(value).__name__))
    raise SpecError('%s: the harness does not check the type %s' % (path, kind))


def validate(spec, args, name, path=''):
    """The module's parameters (defaults filled in, sub-options nobody gave set to None); raises SpecError."""
    options = spec.get('options') or {}
    unknown = sorted(set(args) - set(options))
    if unknown:
        where = ('found in %s. ' % path) if path else ''
        raise SpecError('Unsupported parameters for (%s) module: %s. %sSupported parameters include: %s'
                        % (name, ', '.join(unknown), where, ', '.join(sorted(options))))
    params = {}
    for option, option_spec in options.items():
        here = '%s -> %s' % (path, option) if path else option
        value = args.get(option)
        if value is None:
            if option_spec.get('required'):
                raise SpecError('missing required arguments: %s%s' % (option, (' found in %s' % path) if path else ''))
            value = option_spec.get('default')
        value = _convert(value, option_spec.get('type', 'str'), here)
        if value is not None and option_spec.get('choices') is not None:
            values = value if isinstance(value, list) else [value]
            for item in values:
                if item not in option_spec['choices']:
                    raise SpecError('value of %s must be one of: %s, got: %s' % (here, ', '.join(str(c) for c in option_spec['choices']), item))
        if value is not None and option_spec.get('type') == 'list' and option_spec.get('elements'):
            items = []
            for index, item in enumerate(value):
                item_path = '%s[%d]' % (here, index)
                if option_spec['elements'] == 'dict' and option_spec.get('options'):
                    items.append(validate(option_spec, _convert(item, 'dict', item_path), name, item_path))
                else:
                    items.append(_convert(item, option_spec['elements'], item_path))
            value = items
        elif value is not None and option_spec.get('type') == 'dict' and option_spec.get('options'):
            value = validate(option_spec, value, name, here)
        params[option] = value
    for requirement in spec.get('required_if') or []:
        key, wanted, needed = requirement[0], requirement[1], requirement[2]
        if params.get(key) == wanted:
            missing = [item for item in needed if params.get(item) is None]
            if missing:
                raise SpecError('%s is %s but all of the following are missing: %s%s'
                                % (key, wanted, ', '.join(missing), (' found in %s' % path) if path else ''))
    return params
