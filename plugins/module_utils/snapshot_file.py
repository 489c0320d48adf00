# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the file of a snapshot host: a HostState JSON, or an export of the Windows host.

A snapshot host (``winnet_snapshot``) may point at a HostState JSON file (gathered by net_info,
written by a changing module, or by hand), at ``ConvertTo-Json`` output of the NetTCPIP cmdlets,
or at ``route print`` / ``netstat -rn`` text. The kind is told by the content, not by the file
name, and the bytes are decoded as Windows wrote them (UTF-8, UTF-16, a console code page).

``READERS`` lists the readers in the order they are tried: ``(name, accepts, read)``, where
``accepts(text, data)`` says whether the reader takes the file (``data`` is the parsed JSON, or
None when the text is not JSON) and ``read(text, data)`` returns the HostState dictionary. Reading
one more kind of export is one more line here.

This is the one place a snapshot file is read: the action plugins (through plugin_utils/_state.py)
and the audit report call ``read_snapshot``, which raises ``StateError`` naming ``winnet_snapshot
PATH`` and the cause. ``read_snapshot_file`` also says which reader took the file; its errors are
``SnapshotFileError`` (the file cannot be read, or is not valid JSON although it looks like JSON)
and ``ParseError`` (an export that cannot be read). The HostState loader validates the returned
document afterwards, as for any other state.
"""

from __future__ import annotations

import json

from ansible_collections.winnet.routing.plugins.module_utils.errors import StateError, WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.plugins.module_utils.route_print import parse_route_print
from ansible_collections.winnet.routing.plugins.module_utils.route_print_words import ALL_WORDS
from ansible_collections.winnet.routing.plugins.module_utils.textcodec import decode

__all__ = ['READERS', 'SNAPSHOT_EXTENSIONS', 'SnapshotFileError', 'read_snapshot', 'read_snapshot_file']

# The file names an inventory of exports turns into snapshot hosts.
SNAPSHOT_EXTENSIONS = ('.json', '.txt')

_HOSTSTATE_KEYS = ('schema', 'interfaces', 'addresses', 'routes')


class SnapshotFileError(WinnetError):
    """A snapshot file cannot be read, or is broken JSON."""


def _is_hoststate(_text, data):
    return isinstance(data, dict) and any(key in data for key in _HOSTSTATE_KEYS)


READERS = (
    ('HostState', _is_hoststate, lambda text, data: data),
    ('ConvertTo-Json export', lambda text, data: data is not None, lambda text, data: parse_netroute_json(data)),
    ('route print', lambda text, data: data is None, lambda text, data: parse_route_print(text)),
)


def read_snapshot_file(path):
    """(document, reader name) of the snapshot file at ``path``; see the module docstring for the errors."""
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except OSError as exc:
        raise SnapshotFileError('cannot read the file: %s' % (exc.strerror or exc)) from None
    text, _how = decode(raw, ALL_WORDS + ('"schema"', '"interfaces"', 'DestinationPrefix', 'InterfaceAlias'))
    data = None
    if text.lstrip()[:1] in ('{', '['):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SnapshotFileError('not valid JSON: %s' % exc) from None
    for name, accepts, read in READERS:
        if accepts(text, data):
            return read(raw if name == 'route print' else text, data), name
    raise SnapshotFileError('neither a HostState, nor ConvertTo-Json output, nor route print text')  # pragma: no cover


def read_snapshot(path):
    """The document of the snapshot file at ``path`` (a HostState dictionary, not validated yet:
    ``HostState.from_dict`` does that).

    Raises:
        StateError: ``winnet_snapshot PATH: cannot read the file: ...``, ``...: not valid JSON: ...``, or
            why the export cannot be read.
    """
    try:
        return read_snapshot_file(path)[0]
    except WinnetError as exc:
        raise StateError('winnet_snapshot %s' % path, str(exc)) from None
