# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared adapter of the collection's filters: argument clean-up and error translation."""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError

OMIT_PREFIX = '__omit_place_holder__'


def unset(value):
    """None for None and for Ansible's ``omit`` (the 2.19 sentinel or the older placeholder string), else the value."""
    if value is None or type(value).__name__ == '_OmitType' or (isinstance(value, str) and value.startswith(OMIT_PREFIX)):
        return None
    return value


def engine_filter(name):
    """Decorate a filter body: engine errors become one AnsibleFilterError naming the filter."""
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            args = args[:1] + tuple(unset(v) for v in args[1:])
            kwargs = {k: unset(v) for k, v in kwargs.items()}
            try:
                return func(*args, **kwargs)
            except WinnetError as exc:
                raise AnsibleFilterError('winnet.routing.%s: %s' % (name, exc)) from None
        return wrapper
    return decorate


def make_engine(state, weak_send_flag=None, forwarding_relaxes_receive=None):
    options = {}
    if weak_send_flag is not None:
        options['weak_send_flag'] = weak_send_flag
    if forwarding_relaxes_receive is not None:
        options['forwarding_relaxes_receive'] = forwarding_relaxes_receive
    return Engine(state, **options)
