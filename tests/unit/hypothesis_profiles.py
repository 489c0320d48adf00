# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis profiles of the unit tests, chosen with the environment variable ``HYPOTHESIS_PROFILE``.

* ``ci`` (the default, used by ``make test``): derandomized, no example database, so every run
  draws the same examples and a pass means the same thing each time.
* ``fuzz`` (``make fuzz``): random, ``FUZZ_SCALE`` (default 10) times as many examples, and an
  example database (under ``HYPOTHESIS_STORAGE_DIRECTORY``) so a failure found once is replayed
  first on the next run; a failure prints the blob that reproduces it.
* ``mutation`` (``make mutation``): derandomized with a fifth of the examples, because every
  surviving mutant runs its tests again.

A property test states its budget with ``examples(n)``: n examples in ``ci``, scaled in the others.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = ('ci', 'fuzz', 'mutation')
DEFAULT_PROFILE = 'ci'

_COMMON = {'deadline': None, 'suppress_health_check': [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile('ci', derandomize=True, database=None, print_blob=False, **_COMMON)
settings.register_profile('mutation', derandomize=True, database=None, print_blob=False, **_COMMON)
settings.register_profile('fuzz', derandomize=False, print_blob=True, **_COMMON)


def profile_name():
    """The profile named by ``HYPOTHESIS_PROFILE`` (``ci`` when unset); an unknown name is an error."""
    name = os.environ.get('HYPOTHESIS_PROFILE') or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ValueError('HYPOTHESIS_PROFILE=%s: choose one of %s' % (name, ', '.join(PROFILES)))
    return name


def scale():
    """How many times a test's stated budget the current profile runs."""
    name = profile_name()
    if name == 'fuzz':
        return float(os.environ.get('FUZZ_SCALE') or 10)
    if name == 'mutation':
        return 0.2
    return 1.0


def examples(budget):
    """The number of examples for a property whose ``ci`` budget is ``budget`` (at least 10)."""
    return max(10, int(round(budget * scale())))


def load():
    """Load the selected profile (called once by the unit tests' conftest)."""
    settings.load_profile(profile_name())
    return profile_name()
