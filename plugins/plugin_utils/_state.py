# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a host's state comes from on the controller: the snapshot file of a snapshot host (a
HostState or a bundle of raw reads), the bundle a live host's net_info or net_apply returns, and
the facts a play keeps (the state, the learned connection).

Shared by the action plugins (net_info, every changing module, audit_report): a snapshot host
(``winnet_snapshot``) is read here and never contacted; a state from any source goes through the
schema v1 loader before a plugin uses it.
"""

from __future__ import annotations

import json
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.winnet.routing.plugins.module_utils.bundle import state_document, state_from_bundle
from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.snapshot_file import read_snapshot

FACT_NAME = 'winnet_state'
# The round trips to the host the tasks of a play cost (snapshot hosts count what a live host would).
ROUND_TRIPS_FACT = 'winnet_round_trips'
# Set by a task run in check mode: the host's actual state while winnet_state holds a prediction
# (null when winnet_state is the actual state). A task that really runs plans on it.
ACTUAL_FACT = 'winnet_state_actual'
CONNECTION_FACT = 'winnet_connection'
SNAPSHOT_VAR = 'winnet_snapshot'
SNAPSHOT_OUT_VAR = 'winnet_snapshot_out'


def snapshot_path(path, inventory_dir, playbook_dir):
    """Resolve a winnet_snapshot value: relative paths start at the host's inventory directory."""
    path = os.path.expanduser(path)
    if os.path.isabs(path):
        return path
    base = inventory_dir or playbook_dir or os.getcwd()
    return os.path.normpath(os.path.join(base, path))


def snapshot_of(value, inventory_dir, playbook_dir):
    """The snapshot file of a host whose (templated) ``winnet_snapshot`` is ``value``; None for a live host.

    Raises:
        AnsibleActionFail: the value is not a path.
    """
    if not value:
        return None
    if not isinstance(value, str):
        raise AnsibleActionFail('winnet_snapshot must be a path to a snapshot file (HostState JSON or an export), got %r' % (value,))
    return snapshot_path(value, inventory_dir, playbook_dir)


def load_snapshot(path):
    """Read and validate a snapshot file (a HostState JSON file, a bundle of raw reads written by
    Export-WinnetBundle, or an export of the host, told apart by its content; a bundle or an export is
    normalised first); returns its canonical dictionary.

    Raises:
        AnsibleActionFail: the file cannot be read, is broken JSON, an export that cannot be read, not a
            valid bundle or not a valid HostState (the message names the path and the cause).
    """
    try:
        data = read_snapshot(path)
    except WinnetError as exc:
        raise AnsibleActionFail(to_native(exc)) from None
    try:
        data = state_document(data)
    except WinnetError as exc:
        raise AnsibleActionFail('winnet_snapshot %s: invalid bundle of raw reads: %s' % (path, to_native(exc))) from None
    return validate_state(data, 'winnet_snapshot %s' % path)


def gathered_state(result, origin):
    """The validated HostState of a net_info or net_apply result, normalised from its bundle of raw reads.

    Raises:
        AnsibleActionFail: ``origin: ...`` when the result has no bundle or the bundle or the state
            it gives is invalid.
    """
    if 'bundle' not in result:
        raise AnsibleActionFail('%s: no bundle of raw reads in the result' % origin)
    try:
        state = state_from_bundle(result['bundle'])
    except WinnetError as exc:
        raise AnsibleActionFail('%s: %s' % (origin, to_native(exc))) from None
    return validate_state(state, origin)


def validate_state(data, origin):
    """Run a state through the schema v1 loader and return its canonical dictionary.

    Raises:
        AnsibleActionFail: ``origin: invalid HostState: ...`` naming the path inside the state.
    """
    try:
        return HostState.from_dict(data).to_dict()
    except WinnetError as exc:
        raise AnsibleActionFail('%s: invalid HostState: %s' % (origin, to_native(exc))) from None


def write_snapshot_out(path, state):
    """Write a predicted state to ``path`` atomically: a temporary file in the same folder, renamed over
    the file, so that a failed run never leaves half a file. ``path`` may be the snapshot the state
    was read from: the simulated host then keeps its changes from one run to the next.

    Raises:
        AnsibleActionFail: the file cannot be written (the message names it and the cause).
    """
    path = os.path.realpath(path)     # through a symbolic link: the file it names is updated, the link kept
    folder = os.path.dirname(path)
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=folder)
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            json.dump(state, stream, indent=1, sort_keys=True)
            stream.write('\n')
            stream.flush()
            os.fsync(stream.fileno())
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise AnsibleActionFail('winnet_snapshot_out: cannot write %s: %s' % (path, exc.strerror or exc)) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


def round_trips_after(task_vars, round_trips):
    """The value of the winnet_round_trips fact after a task that cost ``round_trips``."""
    previous = task_vars.get(ROUND_TRIPS_FACT)
    return (previous if isinstance(previous, int) and not isinstance(previous, bool) else 0) + round_trips
