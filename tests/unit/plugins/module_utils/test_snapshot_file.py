# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The file of a snapshot host is read by its content: a HostState, a ConvertTo-Json export or route print text."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.snapshot_file import READERS, SnapshotFileError, read_snapshot_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE))))


def _bytes(*parts):
    with open(os.path.join(*parts), 'rb') as handle:
        return handle.read()


CASES = [
    ('HostState as UTF-8', _bytes(ROOT, 'examples', 'snapshots', 'web25-01.json'), 'HostState', None),
    ('HostState as UTF-16', _bytes(ROOT, 'examples', 'snapshots', 'web25-01.json').decode('utf-8').encode('utf-16'), 'HostState', None),
    ('ConvertTo-Json in UTF-16', _bytes(ROOT, 'tests', 'hostile', 'exports', 'files', 'netroute_small.json').decode('utf-8').encode('utf-16'),
     'ConvertTo-Json export', 'netroute_json'),
    ('route print in code page 850', _bytes(HERE, 'fixtures', 'route_print_corpus', 'de-server2016-two-gateways-cp850.bin'),
     'route print', 'route_print'),
    ('route print named .json', _bytes(HERE, 'fixtures', 'route_print', 'server2016_single_nic.txt'), 'route print', 'route_print'),
]


@pytest.mark.parametrize('data, kind, source', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_content_decides(tmp_path, data, kind, source):
    path = tmp_path / 'host.json'
    path.write_bytes(data)
    document, found = read_snapshot_file(str(path))
    assert found == kind
    assert document.get('source') == source
    HostState.from_dict(document)


def test_a_misspelt_hoststate_is_given_to_the_loader_not_to_the_export_readers(tmp_path):
    path = tmp_path / 'host.json'
    path.write_text(json.dumps({'interfaces': [], 'route': []}), encoding='utf-8')
    document, found = read_snapshot_file(str(path))
    assert found == 'HostState' and document == {'interfaces': [], 'route': []}


@pytest.mark.parametrize('content, error, pattern', [
    (None, SnapshotFileError, r'^cannot read the file: No such file or directory$'),
    (b'{"schema": ', SnapshotFileError, r'^not valid JSON: '),
    (b'', ParseError, r'; found no text at all$'),
    (b'Windows IP Configuration\r\n\r\n   Host Name . . . : web01\r\n', ParseError, r'; found the output of ipconfig$'),
    ('[{"DestinationPrefix": 5}]'.encode('utf-16'), ParseError, r'^\[0\]\.DestinationPrefix'),
])
def test_errors_say_why(tmp_path, content, error, pattern):
    path = tmp_path / 'host.txt'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=pattern):
        read_snapshot_file(str(path))


def test_readers_are_tried_in_order_and_each_has_a_name():
    assert [name for name, _accepts, _read in READERS] == ['HostState', 'ConvertTo-Json export', 'route print']
