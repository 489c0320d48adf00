# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell side of the automatic rollback, read statically (PowerShell cannot run here).

The scheduled task runs the same handlers as net_apply: WinnetOperations.psm1 holds them, net_apply
requires it, and the task imports a copy of it written by net_apply; the inverse operations travel
as JSON data, and the task's command line is a literal. These tests read both files with the gate's
tree-sitter helpers (tests/tools/pscheck.py).
"""

from __future__ import annotations

import importlib.util
import os
import re

import pytest

from ansible_collections.winnet.routing.plugins.module_utils import ops
from ansible_collections.winnet.routing.plugins.module_utils.applier import ROLLBACK_UNSUPPORTED

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
UTIL = os.path.join(ROOT, 'plugins', 'module_utils', 'WinnetOperations.psm1')
MODULE = os.path.join(ROOT, 'plugins', 'modules', 'net_apply.ps1')
PSCHECK_PY = os.path.join(ROOT, 'tests', 'tools', 'pscheck.py')


def _load_pscheck():
    spec = importlib.util.spec_from_file_location('winnet_routing_pscheck_for_rollback', PSCHECK_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PSCHECK = _load_pscheck()


def _parse(path):
    with open(path, 'rb') as handle:
        tree = PSCHECK.parse(handle.read())
    assert not PSCHECK.syntax_errors(tree, path)
    return tree


@pytest.fixture(scope='module')
def util():
    return _parse(UTIL)


@pytest.fixture(scope='module')
def module():
    return _parse(MODULE)


def _functions(tree):
    return {PSCHECK.text(node.children[1]).lower(): node for node in PSCHECK.walk(tree.root_node) if node.type == 'function_statement'}


def _calls(node):
    """[(command lower-case, [parameter names], node)] of the commands below ``node``."""
    calls = []
    for sub in PSCHECK.walk(node):
        if sub.type == 'command':
            uses = PSCHECK.command_uses(sub)
            assert uses is not None, 'dynamic command: %s' % PSCHECK.text(sub)
            name_node, parameters, _splats = uses
            calls.append((PSCHECK.text(name_node).lower(), [p for p, _n in parameters], sub))
    return calls


def _called(tree, function):
    return [name for name, _parameters, _node in _calls(_functions(tree)[function.lower()])]


def _switch_labels(function_node):
    labels = set()
    for node in PSCHECK.walk(function_node):
        if node.type == 'switch_clause':
            for literal in PSCHECK.walk(node.children[0]):
                if literal.type == 'verbatim_string_characters':
                    labels.add(PSCHECK.static_value(literal))
    return labels


def test_the_task_runs_the_handlers_net_apply_runs(util, module):  # pylint: disable=redefined-outer-name
    assert 'invoke-winnetoperationlist' in _called(util, 'Invoke-WinnetRollback')
    called = _called(util, 'Invoke-WinnetOperationList')
    assert 'test-winnetprecondition' in called and 'invoke-winnetoperation' in called
    assert 'invoke-winnetoperationlist' in [name for name, _p, _n in _calls(module.root_node)]


def test_every_kind_a_rollback_can_hold_has_a_handler(util):  # pylint: disable=redefined-outer-name
    handled = _switch_labels(_functions(util)['invoke-winnetoperation'])
    rollback_kinds = set(ops.OPERATIONS) - set(ROLLBACK_UNSUPPORTED)
    assert rollback_kinds <= handled
    assert set(ROLLBACK_UNSUPPORTED) <= set(ops.OPERATIONS)


def test_the_task_is_registered_with_the_scheduled_tasks_cmdlets(util):  # pylint: disable=redefined-outer-name
    calls = {name: parameters for name, parameters, _node in _calls(_functions(util)['register-winnetrollback'])}
    assert {'-once', '-at'} <= {('-' + p).lower() for p in calls['new-scheduledtasktrigger']}
    assert {'UserId', 'LogonType', 'RunLevel'} <= set(calls['new-scheduledtaskprincipal'])
    assert {'Execute', 'Argument', 'WorkingDirectory'} <= set(calls['new-scheduledtaskaction'])
    assert 'register-scheduledtask' in calls
    text = PSCHECK.text(_functions(util)['register-winnetrollback'])
    assert "-UserId 'SYSTEM'" in text
    # the directory is protected before anything is written into it
    assert text.index('New-WinnetRollbackDirectory') < text.index('Write-WinnetJson')
    assert 'unregister-scheduledtask' in _called(util, 'Confirm-WinnetRollback')
    assert 'unregister-scheduledtask' in _called(util, 'Invoke-WinnetRollback')


def test_the_command_line_is_a_literal_and_the_data_is_json(util):  # pylint: disable=redefined-outer-name
    action = [node for name, _p, node in _calls(_functions(util)['register-winnetrollback']) if name == 'new-scheduledtaskaction'][0]
    argument = [node for node in PSCHECK.walk(action) if PSCHECK.text(node) == '$rollbackArgument']
    assert argument, 'the task argument is the $rollbackArgument literal'
    assignments = [node for node in PSCHECK.walk(util.root_node) if node.type == 'assignment_expression'
                   and PSCHECK.text(PSCHECK.unwrap(node.children[0])).lower() == '$rollbackargument']
    assert len(assignments) == 1
    value = PSCHECK.unwrap(assignments[0].children[-1])
    assert value.type == 'verbatim_string_characters' and not PSCHECK.interpolated(value)
    command = PSCHECK.static_value(value)
    assert 'Invoke-WinnetRollback -Directory (Get-Location).Path' in command
    # the copy is loaded from its text, read as UTF-8: an execution policy set by Group Policy
    # (AllSigned) stops an unsigned .psm1 file from being imported, not a command line
    assert "[System.IO.File]::ReadAllText('WinnetOperations.psm1', [System.Text.Encoding]::UTF8)" in command
    assert 'Import-Module -Name' not in command and '-ExecutionPolicy' not in command
    # the self-test runs the very same command line, with the function that changes nothing
    checks = [node for node in PSCHECK.walk(util.root_node) if node.type == 'assignment_expression'
              and PSCHECK.text(PSCHECK.unwrap(node.children[0])).lower() == '$rollbackcheckargument']
    assert len(checks) == 1
    assert PSCHECK.static_value(checks[0].children[-1]) == command.replace('Invoke-WinnetRollback', 'Test-WinnetRollback')
    assert 'convertfrom-json' in _called(util, 'Read-WinnetJson')
    assert 'convertto-json' in _called(util, 'Write-WinnetJson')
    # nothing is run as text anywhere in the util
    assert PSCHECK.check_injection(util, UTIL) == []


def test_net_apply_arms_before_it_changes_anything(module):  # pylint: disable=redefined-outer-name
    text = PSCHECK.text(module.root_node)
    assert text.index('Register-WinnetRollback') < text.index('Invoke-WinnetOperationList')
    # a rollback whose command line failed its self-test stops the plan, and its task is removed
    assert text.index('$armed.self_test.exit_code -ne 0') < text.index('Remove-WinnetRollback') < text.index('Invoke-WinnetOperationList')
    assert re.search(r'-ProgressPath \$progressPath', text)
    assert text.index('Confirm-WinnetRollback') < text.index('Invoke-WinnetOperationList')


def test_the_util_exports_what_net_apply_and_the_task_call(util, module):  # pylint: disable=redefined-outer-name
    exported = set()
    for name, _parameters, node in _calls(util.root_node):
        if name == 'export-modulemember':
            exported.update(value.lower() for value in re.findall(r"'([\w-]+)'", PSCHECK.text(node)))
    defined = set(_functions(util))
    used = {name for name, _p, _n in _calls(module.root_node)} & defined
    assert used <= exported
    assert {'invoke-winnetrollback', 'get-winnetoperationssource', 'test-winnetrollback', 'remove-winnetrollback'} <= exported


def test_the_self_test_runs_the_task_command_line_in_the_rollback_directory(util):  # pylint: disable=redefined-outer-name
    register = _functions(util)['register-winnetrollback']
    splats = PSCHECK.splat_values(util)
    started = {key: PSCHECK.text(value) for key, value in splats['check']}
    assert started['FilePath'] == "'powershell.exe'" and started['ArgumentList'] == '$rollbackCheckArgument'
    assert started['WorkingDirectory'] == '$directory' and started['Wait'] == '$true'
    assert 'start-process' in [name for name, _p, _n in _calls(register)]
    text = PSCHECK.text(register)
    assert text.index('Register-ScheduledTask') < text.index('Start-Process')
    assert 'selftest.json' in text and 'selftest.json' in PSCHECK.text(_functions(util)['test-winnetrollback'])


def test_rollback_files_are_written_and_read_as_utf8(util):  # pylint: disable=redefined-outer-name
    # net_apply may run in PowerShell 7 (UTF-8 without BOM by default) and the task in Windows
    # PowerShell 5.1 (the ANSI code page by default): both sides name the encoding.
    for function in ('write-winnetjson', 'read-winnetjson', 'register-winnetrollback'):
        for name, parameters, _node in _calls(_functions(util)[function]):
            if name in ('set-content', 'get-content'):
                assert 'Encoding' in parameters, (function, name)
    table = PSCHECK.CmdletTable.load()
    assert [f for f in PSCHECK.check_parameters_that_bite(util, UTIL, table) if f.code == 'encoding'] == []
