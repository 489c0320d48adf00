# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Set up and inspect simulated hosts from a playbook (``python -m ...tests.harness.cli``).

    create DIR --snapshot FILE [--style numeric|named] [--controller-address A --host-address B --port N]
    faults DIR [--drop-after-operations N] [--fail-read-after-apply] [--rollback-blocked] [--refuse-after-apply]
               [--refuse-connections | --accept-connections] [--fail-read READ ...] [--restore-reads]
    advance DIR SECONDS
    show DIR            (prints {"state", "rollbacks", "log", "modules"} as JSON)
    compare DIR FILE    (prints {"equal", "differences"}: the host's state and the HostState in FILE,
                         compared in hoststate.canonical form, item by item)

The directory of a simulated host is what the connection plugin ``winnet_harness`` reads
(``winnet_harness_dir``); see host.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys

from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical
from ansible_collections.winnet.routing.tests.harness.host import WindowsHost


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    create = commands.add_parser('create')
    create.add_argument('directory')
    create.add_argument('--snapshot', required=True)
    create.add_argument('--style', choices=('numeric', 'named'), default='numeric')
    create.add_argument('--controller-address')
    create.add_argument('--host-address')
    create.add_argument('--port', type=int, default=5986)
    faults = commands.add_parser('faults')
    faults.add_argument('directory')
    faults.add_argument('--drop-after-operations', type=int)
    faults.add_argument('--fail-read-after-apply', action='store_true')
    faults.add_argument('--rollback-blocked', action='store_true')
    faults.add_argument('--refuse-after-apply', action='store_true')
    faults.add_argument('--refuse-connections', action='store_true')
    faults.add_argument('--accept-connections', action='store_true')
    faults.add_argument('--fail-read', action='append', default=[], metavar='READ',
                        help='this raw read of net_info fails with "Access denied" (repeatable)')
    faults.add_argument('--restore-reads', action='store_true', help='every raw read succeeds again')
    advance = commands.add_parser('advance')
    advance.add_argument('directory')
    advance.add_argument('seconds', type=int)
    show = commands.add_parser('show')
    show.add_argument('directory')
    compare = commands.add_parser('compare')
    compare.add_argument('directory')
    compare.add_argument('state')
    args = parser.parse_args(argv)

    if args.command == 'create':
        with open(args.snapshot, encoding='utf-8') as handle:
            state = json.load(handle)
        shutil.rmtree(args.directory, ignore_errors=True)
        WindowsHost.create(args.directory, state, args.style, args.controller_address, args.host_address, args.port)
        return 0
    host = WindowsHost(args.directory)
    if args.command == 'faults':
        chosen = {}
        if args.drop_after_operations is not None:
            chosen['drop_after_operations'] = args.drop_after_operations
        if args.fail_read_after_apply:
            chosen['fail_read_after_apply'] = True
        if args.rollback_blocked:
            chosen['rollback_blocked'] = True
        if args.refuse_after_apply:
            chosen['refuse_after_apply'] = True
        if args.refuse_connections:
            chosen['refuse_connections'] = True
        if args.accept_connections:
            chosen['refuse_connections'] = False
        if args.fail_read or args.restore_reads:
            failed = {} if args.restore_reads else dict(host.config()['faults'].get('failed_reads') or {})
            failed.update((read, 'Access denied') for read in args.fail_read)
            chosen['failed_reads'] = failed
        host.set_faults(**chosen)
    elif args.command == 'advance':
        host.advance(args.seconds)
    elif args.command == 'compare':
        with open(args.state, encoding='utf-8') as handle:
            theirs = canonical(HostState.from_dict(json.load(handle)))
        ours = canonical(HostState.from_dict(host.state()))
        differences = []
        for key in sorted(set(ours) | set(theirs)):
            if key in ('hostname', 'os_version', 'partial', 'parse_notes'):
                continue
            mine, other = ours.get(key), theirs.get(key)
            if isinstance(mine, list) and isinstance(other, list):
                mine_items = [json.dumps(item, sort_keys=True) for item in mine]
                other_items = [json.dumps(item, sort_keys=True) for item in other]
                differences.extend('%s: only on the host: %s' % (key, item) for item in mine_items if item not in other_items)
                differences.extend('%s: only in the given state: %s' % (key, item) for item in other_items if item not in mine_items)
            elif mine != other:
                differences.append('%s: host %s, given state %s' % (key, mine, other))
        sys.stdout.write(json.dumps({'equal': not differences, 'differences': differences}) + '\n')
    else:
        log = host.log()
        sys.stdout.write(json.dumps({'state': host.state(), 'rollbacks': host.rollbacks(), 'log': log,
                                     'modules': [entry for entry in log if entry['kind'] == 'module']}, sort_keys=True) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
