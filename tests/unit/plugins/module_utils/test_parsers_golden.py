# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Golden tests: every export under fixtures/ against the HostState expected beside it.

A mismatch fails. To accept a deliberate change, run with WINNET_UPDATE_GOLDEN=1: the expected files
are rewritten and the test still fails, so that the new files are reviewed before they are committed.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
EXPECTED = '.expected.json'
ARGS = '.args.json'


def _groups(kind):
    folder = os.path.join(FIXTURES, kind)
    groups = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(EXPECTED) or name.endswith(ARGS):
            continue
        groups.setdefault(name.split('.')[0], []).append(os.path.join(folder, name))
    return sorted(groups.items())


def _read(path):
    with open(path, encoding='utf-8', newline='') as handle:
        return handle.read()


def _compare(result, expected_path):
    if os.environ.get('WINNET_UPDATE_GOLDEN') == '1':
        with open(expected_path, 'w', encoding='utf-8') as handle:
            json.dump(result, handle, indent=2, sort_keys=False)
            handle.write('\n')
        pytest.fail('%s rewritten: review it, then run the tests again without WINNET_UPDATE_GOLDEN' % os.path.basename(expected_path))
    assert os.path.exists(expected_path), 'no golden file %s (create it with WINNET_UPDATE_GOLDEN=1 and review it)' % expected_path
    with open(expected_path, encoding='utf-8') as handle:
        expected = json.load(handle)
    assert result == expected
    HostState.from_dict(result)


@pytest.mark.parametrize('name, paths', _groups('route_print'), ids=[g[0] for g in _groups('route_print')])
def test_route_print_golden(name, paths):
    (path,) = paths
    base = os.path.join(FIXTURES, 'route_print', name)
    kwargs = {}
    if os.path.exists(base + ARGS):
        with open(base + ARGS, encoding='utf-8') as handle:
            kwargs = json.load(handle)
    _compare(parse_route_print(_read(path), **kwargs), base + EXPECTED)


@pytest.mark.parametrize('name, paths', _groups('netroute_json'), ids=[g[0] for g in _groups('netroute_json')])
def test_netroute_json_golden(name, paths):
    texts = [_read(p) for p in paths]
    _compare(parse_netroute_json(texts if len(texts) > 1 else texts[0]), os.path.join(FIXTURES, 'netroute_json', name + EXPECTED))
