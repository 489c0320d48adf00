"""Offline replacement for the get-pip bootstrap script that ``ansible-test --venv`` downloads.

ansible-test runs ``python get_pip_<version>.py [pip options] pip==<version>`` inside each new
virtual environment. The download server is not reachable from the project's machines, so the
gate copies this file to ``~/.ansible/test/cache/get_pip_<version>.py`` (only when no script is
cached there). It bootstraps pip from the interpreter's bundled ``ensurepip`` and then lets that
pip install the requested packages from the package index.
"""

from __future__ import annotations

import subprocess
import sys

# Options understood by get-pip.py itself, not by ``pip install``.
GET_PIP_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    """Bootstrap pip, then install what was asked for."""
    arguments = sys.argv[1:]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + [arg for arg in arguments if arg not in GET_PIP_OPTIONS])
    if '--no-setuptools' in arguments:
        subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'setuptools'])


if __name__ == '__main__':
    main()
