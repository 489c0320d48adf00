# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Type checks of input values, worded once, raising the error of whoever asks.

The HostState loader raises ``StateError``, the planner, the operations and the filters raise
``ArgumentError``: each makes a ``Checker(error)`` and every failure raises ``error(path,
message)``, for example ``routes[3].route_metric: 70000 is out of range (0 to 65535)``. A check
that passes returns the value.
"""

from __future__ import annotations

import difflib

from ansible_collections.winnet.routing.plugins.module_utils.netutil import type_name

REQUIRED = object()     # a default meaning: None is not allowed either


def ascii_digits(text):
    """True for a non-empty string of ASCII digits (str.isdigit also accepts superscripts and other scripts' digits)."""
    return text.isascii() and text.isdigit()


def join(path, key):
    """``path.key``, or ``key`` at the top level."""
    return '%s.%s' % (path, key) if path else key


def _folded(text):
    return ''.join(c for c in text.lower() if c not in '_- ')


def nearest(word, known):
    """The known word ``word`` is most likely a typo of, or None: the same word but for case, ``_``, ``-``
    and spaces first, then the closest spelling (``weakhostreceive`` -> ``weak_host_receive``)."""
    if not isinstance(word, str):
        return None
    folded = {_folded(k): k for k in known}
    if _folded(word) in folded:
        return folded[_folded(word)]
    close = difflib.get_close_matches(_folded(word), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


class Checker:
    """The checks, raising ``error(path, message)``."""

    __slots__ = ('error',)

    def __init__(self, error):
        self.error = error

    def fail(self, path, message):
        raise self.error(path, message)

    def mapping(self, value, path, known=None, unknown='is not an option here (expected one of {known})'):
        """A dict; with ``known``, a key outside it fails as ``path.KEY: unknown`` (``{known}`` lists them)."""
        if not isinstance(value, dict):
            self.fail(path, 'must be a mapping, got %s' % type_name(value))
        if known is not None:
            extra = sorted(set(value) - set(known))
            if extra:
                self.fail(join(path, extra[0]), unknown.format(known=', '.join(known)))
        return value

    def known_keys(self, value, path, known, inner=None):
        """A dict whose keys are all in ``known``; else ``path.KEY: unknown key; did you mean NEAREST?``
        (or the known keys listed, when none is near). ``inner`` maps a key of this level to the keys
        of the mapping it holds, so that a key one level too high is named where it belongs
        (``did you mean ipv4.metric or ipv6.metric?``)."""
        self.mapping(value, path)
        for key in value:
            if key in known:
                continue
            shown = key if isinstance(key, str) else repr(key)
            below = [(outer, nearest(key, keys)) for outer, keys in (inner or {}).items()]
            below = ['%s.%s' % (outer, near) for outer, near in below if near is not None and _folded(near) == _folded(shown)]
            near = nearest(key, known)
            if below:
                self.fail(join(path, shown), 'unknown key here; did you mean %s?' % ' or '.join(below))
            if near is not None:
                self.fail(join(path, shown), 'unknown key; did you mean %s?' % near)
            self.fail(join(path, shown), 'unknown key; the known keys here are %s' % ', '.join(known))
        return value

    def list(self, value, path):
        """A list."""
        if not isinstance(value, list):
            self.fail(path, 'must be a list, got %s' % type_name(value))
        return value

    def boolean(self, value, path, default=REQUIRED):
        """true or false; None gives ``default`` when one is given."""
        if value is None and default is not REQUIRED:
            return default
        if not isinstance(value, bool):
            self.fail(path, 'must be true or false, got %r' % (value,))
        return value

    def integer(self, value, path, low=None, high=None):
        """An integer (never a boolean), within ``low`` to ``high`` when they are given."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, 'must be an integer, got %r' % (value,))
        if low is not None and not low <= value <= high:
            self.fail(path, '%d is out of range (%d to %d)' % (value, low, high))
        return value

    def choice(self, value, path, choices, default=REQUIRED):
        """One of ``choices``; None gives ``default`` when one is given."""
        if value is None and default is not REQUIRED:
            return default
        if value not in choices:
            self.fail(path, '%r is not one of %s' % (value, ', '.join(choices)))
        return value

    def instance(self, value, path, kind):
        """An instance of ``kind`` (for int, see ``integer``)."""
        if not isinstance(value, kind):
            self.fail(path, 'must be a %s, got %r' % (kind.__name__, value))
        return value
