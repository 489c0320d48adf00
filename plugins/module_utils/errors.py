# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions raised by the winnet.routing engine.

The engine never imports Ansible. Filters and action plugins translate these exceptions once,
into AnsibleFilterError or AnsibleActionFail, keeping the message unchanged.
"""

from __future__ import annotations


class WinnetError(Exception):
    """Base class of every error the engine raises on purpose."""


class StateError(WinnetError):
    """A HostState (or a part of one) is malformed; ``path`` names the offending element."""

    def __init__(self, path, message):
        self.path = path
        self.reason = message
        super().__init__('%s: %s' % (path, message) if path else message)


class ArgumentError(WinnetError):
    """An argument given to an engine entry point is invalid; ``argument`` names it."""

    def __init__(self, argument, message):
        self.argument = argument
        self.reason = message
        super().__init__('%s: %s' % (argument, message) if argument else message)


class ParseError(WinnetError):
    """Exported text (route print, ConvertTo-Json) cannot be read; the message names the line or element."""
