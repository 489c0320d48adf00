# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Baselines: the state a change starts from, saved on the controller before the change, and read
back by winnet.routing.restore.

A baseline is ``DIRECTORY/HOST/TIME.json`` holding ``{schema: winnet.routing/baseline-v1, host,
saved_at, task, operations, state}``.
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


def save_baseline(directory, host, state, operations, task_name, now=None):
    """Write the state a change starts from as ``DIRECTORY/HOST/TIME.json``; returns the path."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    folder = os.path.join(os.path.expanduser(directory), host)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, baseline_name(now))
    document = {'schema': BASELINE_SCHEMA, 'host': host, 'saved_at': now.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
                'task': task_name, 'operations': operations, 'state': state}
    with open(path, 'x', encoding='utf-8') as handle:
        json.dump(document, handle, indent=1, sort_keys=True)
        handle.write('\n')
    return path


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
