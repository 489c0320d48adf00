"""Make ``ansible_collections.winnet.routing`` importable when pytest runs from a checkout.

When the checkout already sits at ``.../ansible_collections/winnet/routing`` (as the CI gate
arranges), its grandparent's parent is put on ``sys.path``. Otherwise a symlink to the
checkout is created under ``tests/output/pytest`` and that directory is used instead.

It also loads the hypothesis profile (see ``hypothesis_profiles.py``): derandomized unless
``HYPOTHESIS_PROFILE`` says otherwise.
"""

from __future__ import annotations

import os
import sys

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collections_path():
    parts = COLLECTION_ROOT.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'winnet'] and parts[-1] == 'routing':
        return os.sep.join(parts[:-3])
    base = os.path.join(COLLECTION_ROOT, 'tests', 'output', 'pytest')
    link = os.path.join(base, 'ansible_collections', 'winnet', 'routing')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(COLLECTION_ROOT, link)
    return base


_PATH = _collections_path()
if _PATH not in sys.path:
    sys.path.insert(0, _PATH)

_UNIT = os.path.dirname(os.path.abspath(__file__))
if _UNIT not in sys.path:
    sys.path.insert(0, _UNIT)

import hypothesis_profiles  # noqa: E402  pylint: disable=wrong-import-position

HYPOTHESIS_PROFILE = hypothesis_profiles.load()


def pytest_report_header(config):  # pylint: disable=unused-argument
    """Say which hypothesis profile the run uses."""
    return 'hypothesis profile: %s (examples x%g)' % (HYPOTHESIS_PROFILE, hypothesis_profiles.scale())
