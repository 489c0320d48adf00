"""Load the gate's tools (tests/tools/*.py, which are scripts, not a package) for their tests."""

from __future__ import annotations

import importlib.util
import os

import pytest

TOOLS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'tools')


def load_tool(name):
    """Import tests/tools/<name>.py under a private module name."""
    spec = importlib.util.spec_from_file_location('winnet_routing_gate_%s' % name, os.path.join(TOOLS_DIR, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def pscheck():
    """The PowerShell checker module."""
    return load_tool('pscheck')


@pytest.fixture(scope='session')
def cscheck():
    """The C# checker module."""
    return load_tool('cscheck')


@pytest.fixture(scope='session')
def gate():
    """The gate module."""
    return load_tool('gate')


@pytest.fixture(scope='session')
def examples():
    """The documentation examples' extractor and runner."""
    return load_tool('examples')


@pytest.fixture(scope='session')
def example_filter():
    """The examples' comparison filter (tests/examples/filter_plugins/winnet_example.py)."""
    path = os.path.join(os.path.dirname(TOOLS_DIR), 'examples', 'filter_plugins', 'winnet_example.py')
    spec = importlib.util.spec_from_file_location('winnet_routing_example_filter', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def mutation():
    """The mutation testing driver."""
    return load_tool('mutation')


@pytest.fixture(scope='session')
def table(pscheck):  # pylint: disable=redefined-outer-name
    """The cmdlet parameter table kept in the repository."""
    return pscheck.CmdletTable.load()
