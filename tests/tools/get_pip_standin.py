"""Offline replacement for the get-pip bootstrap script that ``ansible-test --venv`` downloads.

Why it exists: ansible-test runs ``python get_pip_<version>.py [pip options] pip==<version>`` inside
each new virtual environment, and the server it downloads that script from is not reachable from
the project's machines. The gate copies this file to ``~/.ansible/test/cache/get_pip_<version>.py``
(``ensure_get_pip_standin``, only when no script is cached there). It bootstraps pip from the
interpreter's bundled ``ensurepip`` and then lets that pip install the requested packages from the
package index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

# Options understood by get-pip.py itself, not by ``pip install``.
GET_PIP_OPTIONS = ('--no-setuptools', '--no-wheel')


def ansible_test_pip_version():
    """The pip version ansible-test bootstraps into its virtual environments (a constant in its source)."""
    import ansible_test  # pylint: disable=import-outside-toplevel
    path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(path, encoding='utf-8') as handle:
        match = re.search(r"default_packages\s*=\s*dict\(\s*pip='([^']+)'", handle.read())
    if not match:
        raise RuntimeError('cannot find the pip version ansible-test bootstraps in %s' % path)
    return match.group(1)


def ensure_get_pip_standin(cache_dir=None):
    """Put this file where ansible-test looks for its pip bootstrap script, unless one is there; returns that path."""
    version = ansible_test_pip_version()
    cache_dir = cache_dir or os.path.expanduser(os.path.join('~', '.ansible', 'test', 'cache'))
    target = os.path.join(cache_dir, 'get_pip_%s.py' % version.replace('.', '_'))
    if not os.path.exists(target):
        os.makedirs(cache_dir, exist_ok=True)
        shutil.copyfile(os.path.abspath(__file__), target)
    return target


def main():
    """Bootstrap pip, then install what was asked for."""
    arguments = sys.argv[1:]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + [arg for arg in arguments if arg not in GET_PIP_OPTIONS])
    if '--no-setuptools' in arguments:
        subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'setuptools'])


if __name__ == '__main__':
    main()
