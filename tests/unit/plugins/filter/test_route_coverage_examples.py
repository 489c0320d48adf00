# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The route_coverage filter's documented EXAMPLES run as they are, with ansible-playbook, and their assertions hold."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible_collections.winnet.routing.plugins.filter import route_coverage


def test_the_documented_examples_run(tmp_path):
    playbook = shutil.which('ansible-playbook') or os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(playbook):
        pytest.skip('ansible-playbook is not installed')
    tasks = yaml.safe_load(route_coverage.EXAMPLES)
    assert len(tasks) >= 5
    play = tmp_path / 'examples.yml'
    play.write_text(json.dumps([{'name': 'route_coverage examples', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]),
                    encoding='utf-8')
    collections = [p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'winnet', 'routing'))]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(collections), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False')
    run = subprocess.run([playbook, '-i', 'localhost,', '-c', 'local', str(play)], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'ok=%d' % len(tasks) in run.stdout and 'failed=0' in run.stdout, run.stdout
