"""The ``pwsh`` the gate puts on PATH for ansible-test's validate-modules, and only for it.

Why it exists: validate-modules asks ``pwsh ps_argspec.ps1 MANIFEST`` for the argument spec of each
PowerShell module, to compare it with the module's documentation, and crashes the whole run when
pwsh is missing. PowerShell cannot run on the project's machines, and every module's spec is a
static ``$spec = @{...}`` literal (pscheck.py checks that), so ``pscheck.py ps-argspec`` reads that
literal and answers as pwsh would. It answers nothing else; pslint, which needs a real pwsh, keeps
being skipped.

The stand-in is a two-line launcher: ansible-test passes only a few environment variables on, so
the Python and the checker are named by absolute path.
"""

from __future__ import annotations

import os
import sys

PSCHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pscheck.py')


def shell_quote(value):
    """Quote a value for /bin/sh."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def write_pwsh_standin(directory, log=None):
    """Write an executable ``pwsh`` that answers validate-modules from a module's static spec; return its directory.

    With ``log``, the stand-in appends the path of each module it was asked about to that file, so the
    gate can tell that every PowerShell module was compared with its docs.
    """
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, 'pwsh')
    log_option = ' --log %s' % shell_quote(log) if log else ''
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('#!/bin/sh\nexec %s %s ps-argspec%s "$@"\n' % (shell_quote(sys.executable), shell_quote(PSCHECK), log_option))
    os.chmod(path, 0o755)
    return directory
