# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only filter of the documentation examples (tests/tools/examples.py): compare a result with the one a document shows.

A document shows the fields of a result that matter for its point, so the comparison is by
the fields shown:

* a mapping matches when every key shown matches (a dotted key such as ``route.metric`` walks
  into nested mappings); keys not shown are not compared;
* a list of mappings matches when its shown items appear in the result in the same order, each
  matching one item of the result (items in between are not compared);
* any other list (``flags: [heuristic]``, ``[]``) must be equal item for item;
* scalars must be equal, and a boolean is never equal to a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def _is_list(value):
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _short(value, limit=160):
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def mismatches(actual, expected, path='value'):
    """The differences between ``actual`` and the ``expected`` fields, one message each (empty when they match)."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return ['%s: expected a mapping, got %s' % (path, _short(actual))]
        found = []
        for key, value in expected.items():
            if key in actual:
                found.extend(mismatches(actual[key], value, '%s.%s' % (path, key)))
                continue
            current, walked = actual, path
            for part in str(key).split('.'):
                walked = '%s.%s' % (walked, part)
                if not isinstance(current, Mapping) or part not in current:
                    found.append('%s: missing' % walked)
                    break
                current = current[part]
            else:
                found.extend(mismatches(current, value, walked))
        return found
    if _is_list(expected):
        if not _is_list(actual):
            return ['%s: expected a list, got %s' % (path, _short(actual))]
        if expected and all(isinstance(item, Mapping) for item in expected):
            found = []
            position = 0
            for index, item in enumerate(expected):
                for candidate in range(position, len(actual)):
                    if not mismatches(actual[candidate], item, '%s[%d]' % (path, candidate)):
                        position = candidate + 1
                        break
                else:
                    closest = [mismatches(actual[candidate], item, '%s[%d]' % (path, candidate)) for candidate in range(position, len(actual))]
                    closest = min(closest, key=len) if closest else ['no item left to compare']
                    found.append('%s: the item shown as number %d (%s) is not in the result after item %d; closest: %s'
                                 % (path, index + 1, _short(dict(item)), position, '; '.join(closest[:3])))
                    break
            return found
        if len(actual) != len(expected):
            return ['%s: expected %s, got %s' % (path, _short(list(expected)), _short(list(actual)))]
        found = []
        for index, (got, want) in enumerate(zip(actual, expected)):
            found.extend(mismatches(got, want, '%s[%d]' % (path, index)))
        return found
    if isinstance(expected, bool) != isinstance(actual, bool) or actual != expected:
        return ['%s: expected %s, got %s' % (path, _short(expected), _short(actual))]
    return []


def winnet_example_mismatches(actual, expected):
    """Filter: the differences between a result and the fields a document shows of it."""
    return mismatches(actual, expected)


class FilterModule:
    """The examples' comparison filter."""

    def filters(self):
        return {'winnet_example_mismatches': winnet_example_mismatches}
