#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scale of the winnet.routing audit: 1,000 snapshot hosts through playbooks/audit.yml.

Builds, in a temporary directory, an inventory of N snapshot hosts made from the six example
snapshots, varied (host names, interface metrics, route metrics, a second default gateway
removed on some hosts, so that some hosts are clean), each with the ``audit_flows`` or
``audit_dsr`` of the example host it comes from. Then, in one run, it measures:

* ``ansible-playbook playbooks/audit.yml`` over that inventory (report written, audit_fail_on=never);
* ``ansible-playbook`` of a play with one ``debug`` task per host over the same inventory, the
  cost of one task per host (Ansible's own floor), and the ratio between the two (with
  ``--repeats N`` both plays run N times, alternated, and the best time of each is kept);
* the report generation alone (evaluation of every host, HTML, JSON, JUnit), in this process;
* the peak memory (max RSS) of each ansible-playbook run, from ``getrusage(RUSAGE_CHILDREN)``
  of a wrapper process.

It prints figures and ratios, and exits 0 whatever they are unless ``--check`` is given (then 1
when a goal is missed). It is a report, not a timed test.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples')
WRAPPER = ('import resource, subprocess, sys\n'
           'code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n'
           'print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n')
DEBUG_PLAY = """---
- name: One debug task per host
  hosts: all
  gather_facts: false
  tasks:
    - name: Debug
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }}"
"""
GOALS = {'audit_seconds': 60.0, 'ratio': 2.0, 'report_seconds': 10.0, 'peak_mb': 2048.0}


def collections_path():
    """A directory under which ansible_collections/winnet/routing is this checkout."""
    parts = ROOT.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'winnet'] and parts[-1] == 'routing':
        return os.sep.join(parts[:-3])
    base = os.path.join(ROOT, 'tests', 'output', 'pytest')
    link = os.path.join(base, 'ansible_collections', 'winnet', 'routing')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return base


def example_hosts():
    """The example inventory's hosts: name -> (snapshot dict, host vars)."""
    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(EXAMPLES, 'inventory', 'hosts.yml'), encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    hosts = {}

    def walk(group):
        for name, hostvars in (group.get('hosts') or {}).items():
            hostvars = dict(hostvars or {})
            path = os.path.normpath(os.path.join(EXAMPLES, 'inventory', hostvars.pop('winnet_snapshot')))
            with open(path, encoding='utf-8') as handle:
                hosts[name] = (json.load(handle), hostvars)
        for child in (group.get('children') or {}).values():
            walk(child or {})
    walk(data['all'])
    return hosts


def vary(state, rng, index):
    """A variation of an example state that the loader still accepts."""
    state = copy.deepcopy(state)
    state['hostname'] = '%s-%04d' % (state.get('hostname', 'HOST'), index)
    for iface in state['interfaces']:
        for family in ('ipv4', 'ipv6'):
            settings = iface.get(family)
            if settings and iface.get('kind') == 'ethernet' and rng.random() < 0.3:
                settings['metric'] = rng.choice((5, 10, 15, 20, 25, 35, 50))
                settings['automatic_metric'] = False
    defaults = [r for r in state['routes'] if r['destination'] == '0.0.0.0/0' and r.get('store', 'active') == 'active']
    for route in state['routes']:
        if route.get('protocol') == 'netmgmt' and rng.random() < 0.3:
            route['route_metric'] = rng.choice((0, 5, 10, 25, 100))
    if len(defaults) > 1 and rng.random() < 0.4:
        drop = defaults[-1]
        state['routes'] = [r for r in state['routes']
                           if not (r['destination'] == drop['destination'] and r['next_hop'] == drop['next_hop']
                                   and r['interface'] == drop['interface'])]
    return state


def build_inventory(directory, hosts, seed=1):
    """Write N varied snapshot hosts and their inventory under ``directory``; return the inventory path."""
    rng = random.Random(seed)
    examples = example_hosts()
    names = sorted(examples)
    snapshots = os.path.join(directory, 'snapshots')
    os.makedirs(snapshots, exist_ok=True)
    inventory_hosts = {}
    for i in range(hosts):
        base = names[i % len(names)]
        state, hostvars = examples[base]
        name = '%s-%04d' % (base, i)
        with open(os.path.join(snapshots, name + '.json'), 'w', encoding='utf-8') as handle:
            json.dump(vary(state, rng, i), handle)
        entry = dict(hostvars)
        entry['winnet_snapshot'] = 'snapshots/%s.json' % name
        inventory_hosts[name] = entry
    inventory = {'all': {'vars': {'ansible_connection': 'winrm', 'ansible_shell_type': 'powershell'}, 'hosts': inventory_hosts}}
    path = os.path.join(directory, 'hosts.json')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(inventory, handle)
    return path


def run_playbook(args, env):
    """Run ansible-playbook under a wrapper; return (seconds, exit code, peak RSS in MB)."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, '-c', WRAPPER, 'ansible-playbook'] + args, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    code, maxrss = out.stdout.split()
    return seconds, int(code), int(maxrss) / 1024.0


def report_generation(inventory_path, report_dir):
    """Evaluate every host, render and write the report in this process; return (seconds, summary)."""
    sys.path.insert(0, collections_path())
    # pylint: disable=import-outside-toplevel
    from ansible_collections.winnet.routing.plugins.module_utils import report
    from ansible_collections.winnet.routing.plugins.module_utils.report_html import render_html
    with open(inventory_path, encoding='utf-8') as handle:
        hosts = json.load(handle)['all']['hosts']
    base = os.path.dirname(inventory_path)
    states = {}
    for name, hostvars in hosts.items():
        with open(os.path.join(base, hostvars['winnet_snapshot']), encoding='utf-8') as handle:
            states[name] = json.load(handle)
    started = time.perf_counter()
    records = [report.evaluate_host(name, states[name], hv.get('audit_flows'), hv.get('audit_dsr'), snapshot=hv['winnet_snapshot'])
               for name, hv in hosts.items()]
    fleet = report.build_fleet(records, fail_on='never')
    evaluated = time.perf_counter()
    html = render_html(fleet)
    rendered = time.perf_counter()
    report.write_report(report_dir, fleet, html)
    done = time.perf_counter()
    return {'evaluate': evaluated - started, 'render_html': rendered - evaluated, 'write': done - rendered, 'total': done - started,
            'html_mb': len(html.encode('utf-8')) / 1048576.0, 'summary': fleet['summary']}


def measure(hosts, forks=None, keep=None, seed=1, repeats=1):
    """One run of every measure; returns a dict of figures."""
    directory = keep or tempfile.mkdtemp(prefix='winnet-bench-audit-')
    os.makedirs(directory, exist_ok=True)
    try:
        inventory = build_inventory(directory, hosts, seed=seed)
        debug_play = os.path.join(directory, 'debug.yml')
        with open(debug_play, 'w', encoding='utf-8') as handle:
            handle.write(DEBUG_PLAY)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_NOCOLOR='1', ANSIBLE_HOST_KEY_CHECKING='False',
                   ANSIBLE_LOCAL_TEMP=os.path.join(directory, 'tmp'), ANSIBLE_RETRY_FILES_ENABLED='False')
        env['PATH'] = os.pathsep.join([os.path.dirname(sys.executable), env.get('PATH', '')])
        common = ['-i', inventory] + (['--forks', str(forks)] if forks else [])
        report_dir = os.path.join(directory, 'report')
        debug_runs, audit_runs = [], []
        for _repeat in range(max(1, repeats)):
            # Alternated, so that a busy moment of the machine weighs on both plays alike.
            debug_runs.append(run_playbook(common + [debug_play], env))
            audit_runs.append(run_playbook(common + [os.path.join(ROOT, 'playbooks', 'audit.yml'), '-e', 'audit_report_dir=' + report_dir,
                                                     '-e', 'audit_fail_on=never'], env))
        debug_s = min(r[0] for r in debug_runs)
        audit_s = min(r[0] for r in audit_runs)
        debug_code = max(r[1] for r in debug_runs)
        audit_code = max(r[1] for r in audit_runs)
        debug_mb = max(r[2] for r in debug_runs)
        audit_mb = max(r[2] for r in audit_runs)
        with open(os.path.join(report_dir, 'fleet.json'), encoding='utf-8') as handle:
            reported = len(json.load(handle)['hosts'])
        generation = report_generation(inventory, os.path.join(directory, 'report-inprocess'))
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
    return {
        'hosts': hosts, 'forks': forks or 'ansible default', 'repeats': max(1, repeats),
        'debug_runs_seconds': [r[0] for r in debug_runs], 'audit_runs_seconds': [r[0] for r in audit_runs],
        'cpus': os.cpu_count(), 'python': platform.python_version(),
        'debug_play_seconds': debug_s, 'debug_exit': debug_code, 'debug_peak_mb': debug_mb,
        'audit_seconds': audit_s, 'audit_exit': audit_code, 'audit_peak_mb': audit_mb, 'hosts_reported': reported,
        'ratio': audit_s / debug_s if debug_s else None,
        'report_seconds': generation['total'], 'report_evaluate_seconds': generation['evaluate'],
        'report_render_seconds': generation['render_html'], 'report_write_seconds': generation['write'], 'html_mb': generation['html_mb'],
        'findings': generation['summary']['findings'], 'hosts_by_severity': generation['summary']['hosts_by_severity'],
    }


def verdicts(result):
    """(measure, value, goal, pass) rows."""
    return [
        ('audit of %d snapshot hosts (playbooks/audit.yml), s' % result['hosts'], result['audit_seconds'], '< %g' % GOALS['audit_seconds'],
         result['audit_seconds'] < GOALS['audit_seconds'] and result['audit_exit'] == 0 and result['hosts_reported'] == result['hosts']),
        ('one debug task per host, s', result['debug_play_seconds'], '-', result['debug_exit'] == 0),
        ('ratio audit / debug play', result['ratio'], '<= %g' % GOALS['ratio'], result['ratio'] is not None and result['ratio'] <= GOALS['ratio']),
        ('report generation (evaluate %.2f + HTML %.2f + write %.2f), s' % (result['report_evaluate_seconds'], result['report_render_seconds'],
                                                                            result['report_write_seconds']),
         result['report_seconds'], '< %g' % GOALS['report_seconds'], result['report_seconds'] < GOALS['report_seconds']),
        ('peak controller memory, audit run, MB', result['audit_peak_mb'], '< %g' % GOALS['peak_mb'], result['audit_peak_mb'] < GOALS['peak_mb']),
        ('peak controller memory, debug run, MB', result['debug_peak_mb'], '-', True),
        ('report.html size, MB', result['html_mb'], '-', True),
    ]


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--hosts', type=int, default=1000, help='number of snapshot hosts (default 1000)')
    parser.add_argument('--forks', type=int, default=None, help='ansible-playbook --forks for both plays (default: Ansible\'s)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=1, help='run both plays N times, alternated, and keep the best time of each')
    parser.add_argument('--keep', metavar='DIR', help='build the inventory and report in DIR and keep them')
    parser.add_argument('--json', metavar='PATH', help='also write the figures as JSON')
    parser.add_argument('--check', action='store_true', help='exit 1 when a goal is missed')
    args = parser.parse_args(argv)
    result = measure(args.hosts, forks=args.forks, keep=args.keep, seed=args.seed, repeats=args.repeats)
    rows = verdicts(result)
    print('%-66s %10s %8s  %s' % ('measure', 'value', 'goal', 'result'))
    for name, value, goal, ok in rows:
        print('%-66s %10.2f %8s  %s' % (name, value if value is not None else float('nan'), goal, 'PASS' if ok else 'MISS'))
    print('runs (s): debug %s, audit %s'
          % (', '.join('%.2f' % t for t in result['debug_runs_seconds']), ', '.join('%.2f' % t for t in result['audit_runs_seconds'])))
    print('hosts reported %d of %d; findings %s; hosts by severity %s; %s CPUs, Python %s, forks %s'
          % (result['hosts_reported'], result['hosts'], result['findings'], result['hosts_by_severity'], result['cpus'], result['python'],
             result['forks']))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump({'result': result, 'rows': [{'measure': r[0], 'value': r[1], 'goal': r[2], 'pass': r[3]} for r in rows]}, handle, indent=1)
    if args.check and not all(r[3] for r in rows):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
