# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbook test's state files (tests/playbooks/files/vectors) equal the vectors in vectors.py."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import vectors as tv  # noqa: E402  pylint: disable=wrong-import-position

FILES = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'playbooks', 'files', 'vectors')

CASES = {
    'tv01': tv.tv01, 'tv02': tv.tv02, 'tv03': tv.tv03, 'tv04': tv.tv04, 'tv05': tv.tv05, 'tv06': tv.tv06,
    'tv08': tv.tv08, 'tv09': lambda: tv.tv08(ignore=True), 'tv10': tv.tv10, 'tv12': tv.tv12, 'tv13': tv.tv13,
    'tv14': lambda: tv.tv13(skip=('192.168.1.68',)), 'tv32': tv.tv32, 'tv32_no_temporary': lambda: tv.tv32(temporary=False),
    'host_h': tv.host_h, 'host_h_ws': lambda: tv.host_h(ws4=True), 'host_h_two_defaults': lambda: tv.host_h(default4=True),
    'host_h_forwarding': lambda: tv.host_h(fw3=True, extra_routes=[tv.rt('10.9.0.0/16', '172.16.1.254', 4, 256)]),
    'host_h_no_forwarding': lambda: tv.host_h(extra_routes=[tv.rt('10.9.0.0/16', '172.16.1.254', 4, 256)]),
    'host_d': tv.host_d, 'host_d_nic_no_wr': lambda: tv.host_d(nic_wr=False), 'host_d_lo_no_ws': lambda: tv.host_d(lo_ws=False), 'tv29': tv.tv29,
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_vector_file_matches(name):
    with open(os.path.join(FILES, name + '.json'), encoding='utf-8') as handle:
        assert json.load(handle) == CASES[name]()


def test_every_vector_file_is_checked():
    assert sorted(f[:-5] for f in os.listdir(FILES) if f.endswith('.json')) == sorted(CASES)
