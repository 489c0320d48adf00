# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Count the hostile-input cases the corpus runner tries and print the count after the run."""

from __future__ import annotations

import collections

import pytest

TARGETS = ('states', 'exports', 'filters', 'modules')
_TALLY = pytest.StashKey()


def _tally(config):
    tally = config.stash.get(_TALLY, None)
    if tally is None:
        tally = config.stash[_TALLY] = {'tried': collections.Counter(), 'pending': collections.Counter()}
    return tally


@pytest.fixture
def hostile_tally(request):
    """{'tried': Counter, 'pending': Counter} keyed by corpus target, shared by the whole run."""
    return _tally(request.config)


def pytest_terminal_summary(terminalreporter, config):
    tally = config.stash.get(_TALLY, None)
    if tally is None:
        return
    tried, pending = tally['tried'], tally['pending']
    parts = ', '.join('%s %d' % (target, tried[target]) for target in TARGETS)
    line = 'hostile-input corpus: %d cases tried (%s)' % (sum(tried.values()), parts)
    if pending:
        line += '; %d pending case(s) skipped (%s)' % (sum(pending.values()), ', '.join('%s %d' % item for item in sorted(pending.items())))
    terminalreporter.write_line(line)
