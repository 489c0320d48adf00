#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance report of winnet.routing's route_coverage filter and shadowed_route finding.

Uses the synthetic host states of bench_engine.py (10,000 and 100,000 routes over 16 interfaces,
fixed seed) and measures in one run: the route_coverage filter called on the state dictionary
(loading included, as a playbook calls it), the coverage alone on a loaded state with its parts
(grouping and sorting the prefixes, the pass over them, writing the CIDRs), the IPv6 coverage,
the shadowed_route findings, how the cost per route grows from the smaller to the larger table,
and the same CIDRs written by netaddr. It prints one table (measure, value, goal, ratio, result).

It is a report, not a test: the exit code is 0 whatever the numbers, unless ``--check`` is
given, which makes any MISS exit 1. ``benchmarks/README.md`` explains how to read it.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_engine  # noqa: E402  pylint: disable=wrong-import-position

Row = bench_engine.Row
SIZES = (10000, 100000)
QUICK_SIZES = (2000, 20000)
GOAL_SECONDS = 2.0  # the route_coverage filter on 100,000 routes, from the dictionary (no goal at other sizes)
NETADDR_SAMPLE = 3000  # ranges written by netaddr (it takes about 0.2 ms each)


class Coverage:
    """The collection's modules the measures call."""

    def __init__(self):
        self.col = bench_engine.Collection()
        self.coverage = importlib.import_module(bench_engine.PACKAGE + '.module_utils.coverage')
        self.findings = importlib.import_module(bench_engine.PACKAGE + '.module_utils.findings')
        try:
            self.filter = importlib.import_module(bench_engine.PACKAGE + '.filter.route_coverage').route_coverage
        except ImportError:
            self.filter = None  # ansible-core is not installed


def best_of(func, repeats):
    """The best wall time of ``repeats`` calls (no warm-up: each call builds everything it needs)."""
    return bench_engine.best_of(func, repeats, warmup=False)


def measure_size(mods, size, interfaces, seed, repeats):
    """Seconds and sizes for one table size."""
    col, cov = mods.col, mods.coverage
    data = bench_engine.make_state(size, interfaces, seed)
    out = {'routes': size}
    if mods.filter is not None:
        out['filter'] = best_of(lambda: mods.filter(data, 'ipv4'), repeats)
    state = col.from_dict(data)
    out['load'] = best_of(lambda: col.from_dict(data), repeats)
    out['engine'] = best_of(lambda: col.Engine(state), repeats)
    engine = col.Engine(state)
    V4, V6 = col.V4, col.V6
    out['coverage'] = best_of(lambda: cov.Coverage(engine, V4).public(), repeats)
    out['prefixes'] = best_of(lambda: cov._Prefixes(V4, engine.eligible[V4]), repeats)
    table = cov._Prefixes(V4, engine.eligible[V4])

    def sweep():
        fresh = cov._Prefixes(V4, engine.eligible[V4])
        gc.collect()
        start = time.perf_counter()
        cov._sweep(fresh, ([], [], []))
        return time.perf_counter() - start

    out['sweep'] = min(sweep() for _repeat in range(max(1, repeats)))
    whole = cov.Coverage(engine, V4)
    ranges = whole.ranges
    out['texts'] = best_of(lambda: [whole.texts(owner) for owner in ranges], repeats)
    answer = whole.public()
    out['cidrs'] = sum(len(v) for v in answer['by_interface'].values()) + len(answer['unrouted'])
    out['ranges'] = sum(len(firsts) for firsts, _lasts in ranges.values())
    out['prefix_count'] = len(table.networks)
    out['shadowed'] = len(answer['shadowed'])
    out['coverage6'] = best_of(lambda: cov.Coverage(engine, V6).public(), repeats)
    out['routes6'] = len(engine.eligible[V6])
    out['findings'] = best_of(lambda: mods.findings.shadowed_route_findings(engine), repeats)
    out['finding_count'] = len(mods.findings.shadowed_route_findings(engine))
    out['_whole'] = whole
    return out


def measure_netaddr(mods, whole, sample):
    """(seconds per range with netaddr's IPRange.cidrs, the same with the collection's writer, both agree) on ``sample`` ranges."""
    netaddr = bench_engine.optional_module('netaddr')
    if netaddr is None:
        return None, None, None
    pairs = []
    for firsts, lasts in whole.ranges.values():
        pairs.extend(zip(firsts, lasts))
    pairs.sort()
    step = max(1, len(pairs) // sample)
    pairs = pairs[::step][:sample]
    gc.collect()
    start = time.perf_counter()
    theirs = [[str(c) for c in netaddr.IPRange(first, last).cidrs()] for first, last in pairs]
    slow = (time.perf_counter() - start) / len(pairs)
    texts = mods.coverage._texts
    family = mods.col.V4
    gc.collect()
    start = time.perf_counter()
    mine = [texts(family, [first], [last]) for first, last in pairs]
    fast = (time.perf_counter() - start) / len(pairs)
    return slow, fast, theirs == mine


def run(sizes=SIZES, interfaces=16, seed=bench_engine.DEFAULT.seed, repeats=3, netaddr_sample=NETADDR_SAMPLE, log=None, mods=None):
    """All measures, as a list of Row."""
    mods = mods or Coverage()
    started = time.perf_counter()
    say = (lambda message: log('%5.1f s  %s' % (time.perf_counter() - started, message))) if log else (lambda message: None)
    sizes = tuple(sorted(sizes))
    data = {}
    for size in sizes:
        say('route_coverage on %d routes' % size)
        data[size] = measure_size(mods, size, interfaces, seed, repeats)
    rows = []
    largest = sizes[-1]
    label = bench_engine._size_label
    for size in sizes:
        d = data[size]
        name = label(size)
        goal, op = (GOAL_SECONDS, '<') if size == 100000 else (None, None)
        rows.append(Row('route_coverage filter, ipv4, %s routes (from the dictionary)' % name, d.get('filter'), 's', goal, op,
                        note='load %.2f s + engine %.2f s + coverage %.2f s' % (d['load'], d['engine'], d['coverage'])))
        rows.append(Row('coverage alone, ipv4, %s routes (state loaded)' % name, d['coverage'], 's',
                        note='%d prefixes, %d ranges, %d CIDRs, %d shadowed' % (d['prefix_count'], d['ranges'], d['cidrs'], d['shadowed'])))
        rows.append(Row('  prefixes grouped and sorted, %s routes' % name, d['prefixes'], 's'))
        rows.append(Row('  one pass over the sorted prefixes, %s routes' % name, d['sweep'], 's'))
        rows.append(Row('  CIDR texts, %s routes, per CIDR' % name, d['texts'] / max(1, d['cidrs']), 'us'))
        rows.append(Row('coverage alone, ipv6, %s routes' % name, d['coverage6'], 's', note='%d IPv6 routes' % d['routes6']))
        rows.append(Row('shadowed_route findings, %s routes' % name, d['findings'], 's', note='%d findings' % d['finding_count']))
    small, big = data[sizes[0]], data[largest]
    scale = float(big['prefix_count']) / small['prefix_count']
    rows.append(Row('coverage cost per prefix, %s vs %s routes (ratio)' % (label(largest), label(sizes[0])),
                    bench_engine._div(big['coverage'] / big['prefix_count'], small['coverage'] / small['prefix_count']), 'x', 2.0, '<',
                    note='%.1fx the prefixes' % scale))
    rows.append(Row('answer size per prefix, %s vs %s routes (ratio)' % (label(largest), label(sizes[0])),
                    bench_engine._div(float(big['cidrs']) / big['prefix_count'], float(small['cidrs']) / small['prefix_count']), 'x'))
    say('netaddr on %d ranges of the %d-route table' % (netaddr_sample, sizes[0]))
    slow, fast, agree = measure_netaddr(mods, small['_whole'], netaddr_sample)
    rows.append(Row('netaddr IPRange.cidrs, per range', slow, 'us', note='%d ranges of the %s table' % (netaddr_sample, label(sizes[0]))))
    rows.append(Row('collection CIDR writer, per range', fast, 'us'))
    rows.append(Row('CIDR writer vs netaddr (times faster)', bench_engine._div(slow, fast), 'x'))
    rows.append(Row('netaddr writing the %s answer (estimate: ranges x time per range)' % label(largest),
                    None if slow is None else slow * big['ranges'], 's', note='%d ranges' % big['ranges']))
    rows.append(Row('netaddr and the collection write the same CIDRs', None if agree is None else (1.0 if agree else 0.0), 'bool', 1.0, '>='))
    return rows


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Performance report of winnet.routing route_coverage (see benchmarks/README.md).')
    parser.add_argument('--quick', action='store_true', help='2k and 20k routes: a run of a few seconds')
    parser.add_argument('--sizes', help='comma-separated table sizes in routes (default 10000,100000)')
    parser.add_argument('--repeats', type=int, default=3, help='timed repeats per measure; the best is kept (default 3)')
    parser.add_argument('--seed', type=int, default=bench_engine.DEFAULT.seed, help='random seed of the synthetic states')
    parser.add_argument('--netaddr', type=int, default=NETADDR_SAMPLE, help='ranges written by netaddr for the comparison (default %d)' % NETADDR_SAMPLE)
    parser.add_argument('--check', action='store_true', help='exit 1 when a goal is missed (default: always exit 0)')
    parser.add_argument('--json', metavar='PATH', help='also write the rows and the environment as JSON to PATH')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sizes = tuple(int(s) for s in args.sizes.split(',')) if args.sizes else (QUICK_SIZES if args.quick else SIZES)
    env = bench_engine.environment()
    print('winnet.routing route_coverage benchmark: Python %s on %s %s, %s CPUs; netaddr %s'
          % (env['python'], env['system'], env['machine'], env['cpus'], env['versions']['netaddr']))
    print('sizes %s routes over 16 interfaces, seed %d, best of %d' % ('/'.join(str(s) for s in sizes), args.seed, args.repeats))
    started = time.perf_counter()
    rows = run(sizes, seed=args.seed, repeats=args.repeats, netaddr_sample=args.netaddr,
               log=lambda message: print('  ... %s' % message, file=sys.stderr, flush=True))
    print()
    print(bench_engine.format_table(rows))
    print()
    print('ratio = value / goal (an upper bound passes below 1, a lower bound at 1 or more); run took %.0f s' % (time.perf_counter() - started))
    if args.json:
        directory = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(directory, exist_ok=True)
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump({'environment': env, 'sizes': list(sizes), 'rows': [r.as_dict() for r in rows]}, handle, indent=2)
    missed = [r for r in rows if r.result == 'MISS']
    if missed:
        print('%d goal(s) missed: %s' % (len(missed), '; '.join(r.measure for r in missed)))
        return 1 if args.check else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
