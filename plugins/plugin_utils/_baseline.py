# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Baselines: the state a change starts from, saved on the controller before the change, and read
back by winnet.routing.restore.

A baseline is ``DIRECTORY/HOST/TIME.json`` holding ``{schema: winnet.routing/baseline-v1, host,
saved_at, task, operations, state, run, restore_point}``.

The baseline saved before the first change of a playbook run on a host is that run's restore
point (``restore_point: true``): returning to it undoes every change the run made. A run is one
``ansible-playbook`` (or ``ansible``) process; the workers that run the tasks are forked from it, so
``run`` identifies it by the worker's parent process (its id, and its start time where the system
tells it, so that a reused process id is another run). A baseline is a restore point when the
newest baseline of the host was saved by another run (or there is none).
"""

from __future__ import annotations

import datetime
import json
import os

from ansible.errors import AnsibleActionFail

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import SCHEMA
from ansible_collections.winnet.routing.plugins.plugin_utils._state import validate_state

BASELINE_SCHEMA = 'winnet.routing/baseline-v1'
BASELINE_DIR_VAR = 'winnet_baseline_dir'
DEFAULT_BASELINE_DIR = '~/.ansible/winnet_baselines'


def baseline_name(now):
    """File name of a baseline saved at ``now`` (UTC): sortable, no characters Windows forbids."""
    return now.strftime('%Y%m%dT%H%M%S.%fZ') + '.json'


def current_run():
    """The id of the playbook run this process belongs to: its parent process (see the module docstring)."""
    parent = os.getppid()
    try:
        with open('/proc/%d/stat' % parent, encoding='ascii') as handle:
            # field 22, the start time; the fields after the command name, which ends with ')'
            started = handle.read().rpartition(')')[2].split()[19]
    except (OSError, IndexError, UnicodeDecodeError):
        started = None
    return '%d@%s' % (parent, started) if started else str(parent)


def _documents(folder):
    """The baselines of one host folder, newest first, as (path, document); unreadable files are skipped."""
    try:
        names = sorted((name for name in os.listdir(folder) if name.endswith('.json')), reverse=True)
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        try:
            with open(path, encoding='utf-8') as handle:
                document = json.load(handle)
        except (OSError, ValueError):
            continue
        if isinstance(document, dict) and document.get('schema') == BASELINE_SCHEMA:
            yield path, document


def save_baseline(directory, host, state, operations, task_name, now=None, run=None):
    """Write the state a change starts from as ``DIRECTORY/HOST/TIME.json``; returns (the path, whether
    it is the run's restore point)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    run = run or current_run()
    folder = os.path.join(os.path.expanduser(directory), host)
    os.makedirs(folder, exist_ok=True)
    newest = next(_documents(folder), None)
    restore_point = newest is None or newest[1].get('run') != run
    path = os.path.join(folder, baseline_name(now))
    document = {'schema': BASELINE_SCHEMA, 'host': host, 'saved_at': now.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
                'task': task_name, 'operations': operations, 'state': state, 'run': run, 'restore_point': restore_point}
    with open(path, 'x', encoding='utf-8') as handle:
        json.dump(document, handle, indent=1, sort_keys=True)
        handle.write('\n')
    return path, restore_point


def newest_restore_point(directory, host):
    """The path of the newest restore point among the baselines of ``host``.

    Raises:
        AnsibleActionFail: there is none (no baseline, or only baselines saved before restore points existed).
    """
    folder = os.path.join(os.path.expanduser(directory), host)
    count = 0
    for path, document in _documents(folder):
        count += 1
        if document.get('restore_point') is True and document.get('host') == host:
            return path
    raise AnsibleActionFail('baseline: no restore point for %s in %s (%d baseline(s) there, none marked restore_point); give the '
                            'baseline to return to (with the playbook winnet.routing.restore: restore_baseline, or restore_steps_back)'
                            % (host, folder, count))


def read_baseline(value, hostname, playbook_dir=None):
    """What restore's ``baseline`` option names: a baseline file, a HostState file, or a state.

    Returns:
        (state dict, where it came from, the baseline document or None).

    Raises:
        AnsibleActionFail: unreadable, not JSON, saved for another host, or not a valid state.
    """
    source = 'the baseline option'
    if isinstance(value, str):
        path = os.path.expanduser(value)
        if not os.path.isabs(path) and playbook_dir:
            path = os.path.join(playbook_dir, path)
        try:
            with open(path, encoding='utf-8') as handle:
                value = json.load(handle)
        except OSError as exc:
            raise AnsibleActionFail('baseline: cannot read %s: %s' % (path, exc.strerror or exc)) from None
        except ValueError as exc:
            raise AnsibleActionFail('baseline: %s is not JSON: %s' % (path, exc)) from None
        source = path
    if not isinstance(value, dict):
        raise AnsibleActionFail('baseline: must be the path of a baseline or HostState file, or a state (a mapping), got %s'
                                % type(value).__name__)
    schema = value.get('schema')
    if schema == BASELINE_SCHEMA:
        saved_for = value.get('host')
        if saved_for != hostname:
            raise AnsibleActionFail('baseline: %s was saved for host %r, not for %r' % (source, saved_for, hostname))
        if 'state' not in value:
            raise AnsibleActionFail('baseline: %s has no state' % source)
        return validate_state(value['state'], 'baseline %s' % source), source, value
    if schema == SCHEMA:
        return validate_state(value, 'baseline %s' % source), source, None
    raise AnsibleActionFail('baseline: %s is neither a baseline (schema %s) nor a HostState (schema %s): schema %r'
                            % (source, BASELINE_SCHEMA, SCHEMA, schema))
