"""Build the collection's documentation site to HTML, offline, with every Sphinx warning an error.

The site is the one ``antsibull-docs sphinx-init --use-current`` sets up for the installed
collection: the plugin and role pages rendered from their documentation, the guides of
docs/docsite/rst/ (listed in docs/docsite/extra-docs.yml), built by Sphinx with
``-W --keep-going`` and ``nitpicky``, so a broken reference in a module's documentation or in a
guide fails the build.

Nothing is downloaded: the pages link to a handful of labels of the Ansible documentation
(``action_plugins`` and the like), and intersphinx reads them from an inventory written here,
``ansible_devel.inv``, instead of fetching docs.ansible.com's; the other inventories
sphinx-init configures (Python, Jinja) are dropped, and the build runs with a proxy that
refuses every connection, so an attempt to download anything fails the build.

Usage::

    python tests/tools/docsite.py [--dest DIR] [--collections-path DIR]

Open DIR/build/html/collections/winnet/routing/index.html.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import zlib

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DEST = os.path.join(ROOT, 'build', 'docsite')
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
INVENTORY_NAME = 'ansible_devel.inv'
# Labels of the Ansible documentation the generated pages refer to: label -> (page#anchor, title).
ANSIBLE_LABELS = {
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings', 'Ansible Configuration Settings'),
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
}
CONF_OVERRIDE = '''

# Offline build (tests/tools/docsite.py): intersphinx reads the labels of the Ansible documentation
# that these pages use from a local inventory; no inventory is downloaded.
intersphinx_mapping = {
    'ansible_devel': (%r, %r),
}
'''
# A proxy nobody listens on: any download attempted during the build fails, and with -W so does the build.
DEAD_PROXY = 'http://127.0.0.1:9'


def write_inventory(path, labels=None):
    """Write a Sphinx (version 2) object inventory holding ``labels`` as ``std:label`` entries."""
    labels = ANSIBLE_LABELS if labels is None else labels
    header = ('# Sphinx inventory version 2\n'
              '# Project: Ansible\n'
              '# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    body = ''.join('%s std:label -1 %s %s\n' % (label, uri, title) for label, (uri, title) in sorted(labels.items()))
    with open(path, 'wb') as handle:
        handle.write(header.encode('utf-8'))
        handle.write(zlib.compress(body.encode('utf-8')))
    return path


def collection_name(root=ROOT):
    """namespace.name from galaxy.yml."""
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    return '%s.%s' % (galaxy['namespace'], galaxy['name'])


def environment(collections_path):
    """The tools of the venv first on PATH, the installed collection, and no way out to the network."""
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join([os.path.dirname(sys.executable), env.get('PATH', '')])
    env['ANSIBLE_COLLECTIONS_PATH'] = collections_path
    for name in ('http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'):
        env[name] = DEAD_PROXY
    for name in ('no_proxy', 'NO_PROXY'):
        env.pop(name, None)
    env.pop('PYTHONPATH', None)
    return env


def run(command, cwd, env):
    """Run a command, echo its output; (exit code, output)."""
    sys.stdout.write('$ %s\n' % ' '.join(command))
    sys.stdout.flush()
    proc = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors='replace', check=False)
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    return proc.returncode, proc.stdout


def build(dest=DEFAULT_DEST, collections_path=None, root=ROOT):
    """sphinx-init, the offline configuration, then build.sh; returns (ok, summary)."""
    collections_path = collections_path or os.path.join(root, 'build', 'collections')
    name = collection_name(root)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    # antsibull-docs writes only into a directory that nobody else can write to.
    os.chmod(dest, stat.S_IRWXU)
    env = environment(collections_path)
    code, _out = run(['antsibull-docs', 'sphinx-init', '--use-current', '--fail-on-error', '--dest-dir', dest,
                      '--project', name, '--copyright', '%s contributors' % name, '--title', '%s documentation' % name,
                      '--html-short-title', name, name], dest, env)
    if code:
        return False, 'antsibull-docs sphinx-init exited %d' % code
    write_inventory(os.path.join(dest, INVENTORY_NAME))
    with open(os.path.join(dest, 'conf.py'), 'a', encoding='utf-8') as handle:
        # Relative to the source directory (rst/), as Sphinx resolves inventory paths.
        handle.write(CONF_OVERRIDE % (ANSIBLE_DOCS, os.path.join('..', INVENTORY_NAME)))
    code, out = run(['bash', os.path.join(dest, 'build.sh')], dest, env)
    warnings = [line for line in out.splitlines() if 'WARNING' in line or 'ERROR' in line]
    index = os.path.join(dest, 'build', 'html', 'collections', *name.split('.'), 'index.html')
    if code or warnings:
        return False, 'the docsite build exited %d with %d warning(s)%s' % (code, len(warnings), (': ' + warnings[0][:200]) if warnings else '')
    if not os.path.exists(index):
        return False, 'no %s after the build' % os.path.relpath(index, root)
    pages = sum(len([f for f in files if f.endswith('.html')]) for _dir, _subdirs, files in os.walk(os.path.join(dest, 'build', 'html')))
    return True, '%d HTML pages in %s' % (pages, os.path.relpath(os.path.join(dest, 'build', 'html'), root))


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--dest', default=DEFAULT_DEST)
    parser.add_argument('--collections-path', default=os.path.join(ROOT, 'build', 'collections'))
    args = parser.parse_args(argv)
    ok, summary = build(os.path.abspath(args.dest), os.path.abspath(args.collections_path))
    sys.stdout.write('docsite: %s\n' % summary)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
