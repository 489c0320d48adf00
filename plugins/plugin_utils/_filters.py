# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared adapter of the collection's filters: arguments checked against the filter's own
DOCUMENTATION, and engine errors translated once.

``engine_filter(NAME, DOCUMENTATION)`` wraps a filter body. Before the body runs, the arguments
are bound as the documentation says (the options listed under ``positional`` may be given in that
order, every option by name; anything else is refused), Ansible's ``omit`` counts as not given,
an option that is not given takes its documented default, and a given value is checked against
the option's ``choices`` or, for ``type: bool``, for being true or false. What a value means (an
address, an interface of the host, a list of clients) is checked by the engine, which names the
argument and what is wrong; so is a missing required option. The body receives every option by
name.
"""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError
from ansible_collections.winnet.routing.plugins.module_utils.checks import Checker
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, WinnetError
from ansible_collections.winnet.routing.plugins.plugin_utils._argspec import documented_options

OMIT_PREFIX = '__omit_place_holder__'
CHECK = Checker(ArgumentError)


def unset(value):
    """None for None and for Ansible's ``omit`` (the 2.19 sentinel or the older placeholder string), else the value."""
    if value is None or type(value).__name__ == '_OmitType' or (isinstance(value, str) and value.startswith(OMIT_PREFIX)):
        return None
    return value


class FilterArguments:
    """The arguments of one filter, as its DOCUMENTATION declares them."""

    def __init__(self, documentation):
        doc, options = documented_options(documentation)
        self.options = {name: option for name, option in options.items() if name != '_input'}
        self.positional = [name.strip() for name in (doc.get('positional') or '').split(',') if name.strip()]

    def bind(self, args, kwargs):
        """{option: value} for every option, from a call's positional and keyword arguments.

        Raises:
            ArgumentError: too many positional arguments, an unknown option, an option given twice,
                a value outside the option's choices, or a bool option that is not true or false.
        """
        if len(args) > len(self.positional):
            raise ArgumentError('', 'takes at most %d positional argument%s (%s), got %d'
                                % (len(self.positional), '' if len(self.positional) == 1 else 's', ', '.join(self.positional) or 'none',
                                   len(args)))
        given = dict(zip(self.positional, args))
        for name, value in kwargs.items():
            if name not in self.options:
                raise ArgumentError(name, 'is not an option of this filter (expected one of %s)' % ', '.join(self.options))
            if name in given:
                raise ArgumentError(name, 'is given both by position and by name')
            given[name] = value
        return {name: self.value(name, unset(given.get(name))) for name in self.options}

    def value(self, name, value):
        """The value of one option: its default when not given, else the value checked."""
        option = self.options[name]
        if value is None:
            return option.get('default')
        if option.get('choices') is not None:
            return CHECK.choice(value, name, option['choices'])
        if option.get('type') == 'bool':
            return CHECK.boolean(value, name)
        return value


def engine_filter(name, documentation):
    """Decorate a filter body ``func(data, **options)``: arguments bound and checked from
    ``documentation``; engine errors become one AnsibleFilterError naming the filter."""
    arguments = FilterArguments(documentation)

    def decorate(func):
        @functools.wraps(func)
        def wrapper(data, *args, **kwargs):
            try:
                return func(data, **arguments.bind(args, kwargs))
            except WinnetError as exc:
                raise AnsibleFilterError('winnet.routing.%s: %s' % (name, exc)) from None
        wrapper.arguments = arguments
        return wrapper
    return decorate


def make_engine(state, **options):
    """The Engine of a filter's input (a HostState, a schema v1 dictionary or a net_info result)."""
    return Engine(state, **options)
