#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance report of the winnet.routing route-evaluation engine.

Builds synthetic but valid HostState dictionaries (1,000, 10,000 and 100,000 routes over 16
interfaces, a fixed random seed), then measures in one run: loading and compiling the lookup
structure, the cost of one lookup (the core ``Engine.select`` on integers, the full
``Engine.lookup`` with and without a bound source), the same lookups done by a linear scan
with netaddr and by pytricia's C radix tree, ``route_findings`` over a fleet of host states,
and memory. It prints one table (measure, value, goal, ratio, result).

It is a report, not a test: the exit code is 0 whatever the numbers, unless ``--check`` is
given, which makes any MISS exit 1. ``benchmarks/README.md`` explains how to read it.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib
import importlib.metadata
import json
import os
import platform
import random
import subprocess
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = 'ansible_collections.winnet.routing.plugins'
SCHEMA = 'winnet.routing/v1'
MB = 1024.0 * 1024.0

# Prefix length -> weight of the synthetic IPv4 routes: every length from /8 to /32 occurs,
# most routes are /24 subnets and /32 host routes, as in real multi-NIC and DSR hosts.
V4_LENGTH_WEIGHTS = dict([(plen, 1) for plen in range(8, 33)] + [(16, 4), (24, 40), (32, 25)])
V6_LENGTH_WEIGHTS = {48: 4, 64: 4, 128: 2}
V6_SHARE = 0.1
ON_LINK_SHARE = 0.2
IF_METRICS = (5, 10, 15, 20, 25, 35, 45, 55)
# Where synthetic IPv4 destinations live: (first address, prefix length, weight).
V4_REGIONS = ((0x0A000000, 8, 5), (0xAC100000, 12, 2), (0xC0A80000, 16, 1), (None, 0, 2))


@dataclasses.dataclass
class Config:
    """Sizes of one run."""

    sizes: tuple = (1000, 10000, 100000)
    interfaces: int = 16
    destinations: int = 20000
    linear_destinations: int = 200
    fleet_hosts: int = 1000
    fleet_routes: int = 200
    fleet_interfaces: int = 4
    memory_hosts: int = 100
    repeats: int = 3
    seed: int = 20240611
    memory: bool = True


DEFAULT = Config()
QUICK = Config(sizes=(1000, 5000, 20000), destinations=5000, linear_destinations=50, fleet_hosts=200, memory_hosts=50, repeats=2)


@dataclasses.dataclass
class Row:
    """One line of the report. ``op`` is '<' or '>=' (the goal is a bound) or None (information)."""

    measure: str
    value: float | None
    unit: str
    goal: float | None = None
    op: str | None = None
    note: str = ''

    @property
    def result(self):
        if self.value is None:
            return 'skipped'
        if self.op is None:
            return 'info'
        passed = self.value < self.goal if self.op == '<' else self.value >= self.goal
        return 'PASS' if passed else 'MISS'

    @property
    def ratio(self):
        """The value divided by the goal: below 1 passes an upper bound, 1 or more passes a lower bound."""
        if self.value is None or self.op is None or not self.goal:
            return None
        return self.value / self.goal

    def as_dict(self):
        return {'measure': self.measure, 'value': self.value, 'unit': self.unit, 'goal': self.goal, 'op': self.op,
                'ratio': self.ratio, 'result': self.result, 'note': self.note}


# ------------------------------------------------------------------------------ imports
def collections_path(root=ROOT):
    """The directory to put on sys.path so that ``ansible_collections.winnet.routing`` is this checkout."""
    parts = root.split(os.sep)
    if parts[-3:] == ['ansible_collections', 'winnet', 'routing']:
        return os.sep.join(parts[:-3]) or os.sep
    base = os.path.join(root, 'tests', 'output', 'pytest')
    link = os.path.join(base, 'ansible_collections', 'winnet', 'routing')
    if not os.path.lexists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(root, link)
    return base


def optional_module(name):
    """A third-party module, or None when it is not installed (its measures are then skipped)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


class Collection:
    """The collection's modules, imported from this checkout."""

    def __init__(self):
        path = collections_path()
        if path not in sys.path:
            sys.path.insert(0, path)
        self.engine = importlib.import_module(PACKAGE + '.module_utils.engine')
        self.hoststate = importlib.import_module(PACKAGE + '.module_utils.hoststate')
        self.netutil = importlib.import_module(PACKAGE + '.module_utils.netutil')
        try:
            self.route_findings = importlib.import_module(PACKAGE + '.filter.route_findings').route_findings
        except ImportError:
            self.route_findings = None  # ansible-core is not installed
        self.Engine = self.engine.Engine
        self.from_dict = self.hoststate.HostState.from_dict
        self.V4 = self.netutil.V4
        self.V6 = self.netutil.V6


# ---------------------------------------------------------------------------- fixtures
def _ip_settings(metric, weak_send):
    return {'metric': metric, 'automatic_metric': False, 'weak_host_send': weak_send, 'weak_host_receive': weak_send,
            'forwarding': False, 'ignore_default_routes': False, 'dhcp': False}


def nic_index(n):
    """Interface index of the n-th (0-based) NIC; index 1 is the loopback pseudo-interface."""
    return n + 2


def nic_addresses(n):
    """(IPv4 address, gateway, IPv6 address) of the n-th NIC."""
    return '172.31.%d.10' % n, '172.31.%d.1' % n, '2001:db8:ffff:%x::10' % (n + 1)


def source_addresses():
    """A source per family on NIC 0, whose weak host send is off (every fourth NIC, from the fourth, has it on)."""
    v4, _gw, v6 = nic_addresses(0)
    return {'ipv4': v4, 'ipv6': v6}


def _weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _v4_value(rng):
    base, plen, _w = rng.choices(V4_REGIONS, weights=[r[2] for r in V4_REGIONS])[0]
    if base is None:
        first = rng.choice([o for o in range(1, 224) if o not in (10, 127)])
        return (first << 24) | rng.getrandbits(24)
    return base | rng.getrandbits(32 - plen)


def _v6_value(rng):
    if rng.random() < 0.5:
        return (0x20010DB8 << 96) | rng.getrandbits(96)
    return (0x2 << 125) | (rng.getrandbits(125))


def _text(family, value):
    if family == 4:
        return '%d.%d.%d.%d' % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)
    groups = ['%x' % ((value >> shift) & 0xFFFF) for shift in range(112, -1, -16)]
    return ':'.join(groups)


def _network(family, value, plen):
    bits = 32 if family == 4 else 128
    return value & (((1 << plen) - 1) << (bits - plen))


def make_state(routes, interfaces=16, seed=0, hostname='bench'):
    """A valid HostState dictionary with ``routes`` listed routes (the loader adds the system routes).

    Every NIC has an IPv4 /24 and an IPv6 /64 with a gateway; routes are spread over the NICs
    with random route metrics; three IPv4 and two IPv6 default routes sit on different NICs.
    """
    rng = random.Random(seed)
    ifaces = [{'index': 1, 'alias': 'Loopback Pseudo-Interface 1', 'kind': 'loopback_pseudo', 'connected': True,
               'ipv4': _ip_settings(75, False), 'ipv6': _ip_settings(75, False)}]
    addresses = [{'address': '127.0.0.1', 'prefix_length': 8, 'interface': 1},
                 {'address': '::1', 'prefix_length': 128, 'interface': 1}]
    gateways = {}
    for n in range(interfaces):
        index = nic_index(n)
        v4, gw4, v6 = nic_addresses(n)
        metric = rng.choice(IF_METRICS)
        weak = n % 4 == 3
        ifaces.append({'index': index, 'alias': 'NIC%d' % (n + 1), 'description': 'Synthetic Ethernet %d' % (n + 1), 'kind': 'ethernet',
                       'connected': True, 'link_speed_bps': 10000000000, 'register_dns': n == 0,
                       'ipv4': _ip_settings(metric, weak), 'ipv6': _ip_settings(metric, weak)})
        addresses.append({'address': v4, 'prefix_length': 24, 'interface': index})
        addresses.append({'address': v6, 'prefix_length': 64, 'interface': index})
        gateways[index] = {4: gw4, 6: 'fe80::1'}
    table = []
    seen = set()

    def add(family, network, plen, index, on_link=False):
        key = (family, network, plen, index)
        if key in seen:
            return False
        seen.add(key)
        hop = ('0.0.0.0' if family == 4 else '::') if on_link else gateways[index][family]
        table.append({'destination': '%s/%d' % (_text(family, network), plen), 'next_hop': hop, 'interface': index,
                      'route_metric': rng.randint(0, 500), 'store': 'active', 'protocol': 'netmgmt'})
        return True

    nics = [nic_index(n) for n in range(interfaces)]
    for index in nics[:3]:
        add(4, 0, 0, index)
    for index in nics[:2]:
        add(6, 0, 0, index)
    while len(table) < routes:
        index = rng.choice(nics)
        on_link = rng.random() < ON_LINK_SHARE
        if rng.random() < V6_SHARE:
            plen = _weighted(rng, V6_LENGTH_WEIGHTS)
            add(6, _network(6, _v6_value(rng), plen), plen, index, on_link)
        else:
            plen = _weighted(rng, V4_LENGTH_WEIGHTS)
            add(4, _network(4, _v4_value(rng), plen), plen, index, on_link)
    del table[routes:]
    return {'schema': SCHEMA, 'hostname': hostname, 'interfaces': ifaces, 'addresses': addresses, 'routes': table}


def make_destinations(state, count, seed=0):
    """Destination addresses: 60% inside a listed route's prefix (random host bits), the rest anywhere."""
    rng = random.Random(seed)
    listed = state['routes']
    out = []
    while len(out) < count:
        if rng.random() < 0.6:
            dest, plen = listed[rng.randrange(len(listed))]['destination'].split('/')
            family = 6 if ':' in dest else 4
            bits = 32 if family == 4 else 128
            value = _parse_plain(family, dest) | rng.getrandbits(bits - int(plen)) if int(plen) < bits else _parse_plain(family, dest)
        elif rng.random() < V6_SHARE:
            family, value = 6, _v6_value(rng)
        else:
            family, value = 4, _v4_value(rng)
        if family == 4 and (value >> 28) >= 0xE:
            continue
        out.append(_text(family, value))
    return out


def _parse_plain(family, text):
    if family == 4:
        a, b, c, d = (int(x) for x in text.split('.'))
        return (a << 24) | (b << 16) | (c << 8) | d
    value = 0
    for group in text.split(':'):
        value = (value << 16) | int(group, 16)
    return value


def system_route_count(interfaces):
    """Routes the loader adds to a make_state host (8 per NIC, 7 for the loopback), fewer when a listed route is one of them."""
    return 8 * interfaces + 7


def make_fleet(hosts, routes, interfaces, seed):
    """Host states of about ``routes`` routes each, system routes included."""
    listed = max(8, routes - system_route_count(interfaces))
    return [make_state(listed, interfaces, seed + i, 'host%04d' % i) for i in range(hosts)]


# ----------------------------------------------------------------------------- timing
def best_of(func, repeats, warmup=True):
    """The best wall time of ``repeats`` calls of ``func`` (after one untimed call when ``warmup``)."""
    if warmup:
        func()
    best = float('inf')
    for _repeat in range(max(1, repeats)):
        gc.collect()
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def compile_engine(col, state):
    """An Engine whose unconstrained IPv4 and IPv6 tables are compiled (its first select per family)."""
    engine = col.Engine(state)
    engine.select(col.V4, 0)
    engine.select(col.V6, 0)
    return engine


# --------------------------------------------------------------------------- baselines
def linear_table(col, state):
    """What users write today: every route as (netaddr IPNetwork, prefix length, effective metric, route).

    The networks are parsed once, which favours the linear scan: the ratio it gives is a lower bound.
    """
    netaddr = optional_module('netaddr')
    if netaddr is None:
        return None, None
    rows = []
    for route in _eligible_routes(col, state):
        iface = state.interface(route.interface)
        rows.append((netaddr.IPNetwork(route.destination), route.prefix_length, route.route_metric + iface.settings(route.family).metric, route))
    return netaddr, rows


def linear_lookup(netaddr, rows, destination):
    """Longest prefix, then lowest route + interface metric, by testing every route."""
    address = netaddr.IPAddress(destination)
    best = None
    best_plen = -1
    best_eff = 0
    for network, plen, eff, route in rows:
        if address in network and (plen > best_plen or (plen == best_plen and eff < best_eff)):
            best, best_plen, best_eff = route, plen, eff
    return best


def _eligible_routes(col, state):
    engine = col.Engine(state)
    return [entry.route for family in (col.V4, col.V6) for entry in engine.eligible[family]]


def radix_tables(col, state):
    """pytricia trees (one per family) mapping each prefix to its bucket sorted by effective metric."""
    pytricia = optional_module('pytricia')
    if pytricia is None:
        return None
    buckets = {}
    for order, route in enumerate(_eligible_routes(col, state)):
        eff = route.route_metric + state.interface(route.interface).settings(route.family).metric
        buckets.setdefault((route.family, route.destination), []).append((eff, order, route))
    trees = {col.V4: pytricia.PyTricia(32), col.V6: pytricia.PyTricia(128)}
    for (family, prefix), bucket in buckets.items():
        bucket.sort(key=lambda item: item[:2])
        trees[family][prefix] = tuple(bucket)
    return trees


def radix_keys(col, destinations):
    """pytricia keys: integers for IPv4 (no parsing in the timed loop), text for IPv6 (it takes no IPv6 integer)."""
    keys = []
    for text in destinations:
        family, value, _zone = col.netutil.parse_address(text)
        keys.append((family, value if family == col.V4 else text))
    return keys


# --------------------------------------------------------------------------- measures
def measure_build(col, state_dict, repeats):
    """Seconds: (HostState.from_dict, Engine.__init__, first select of both families)."""
    from_dict = best_of(lambda: col.from_dict(state_dict), repeats, warmup=False)
    state = col.from_dict(state_dict)
    init = best_of(lambda: col.Engine(state), repeats, warmup=False)
    compiles = []
    for _repeat in range(max(1, repeats)):
        engine = col.Engine(state)
        gc.collect()
        start = time.perf_counter()
        engine.select(col.V4, 0)
        engine.select(col.V6, 0)
        compiles.append(time.perf_counter() - start)
    return from_dict, init, min(compiles)


def measure_lookups(col, state, destinations, repeats):
    """Seconds per destination: select on ints (first pass, then warm), lookup, lookup with a bound source."""
    engine = compile_engine(col, state)
    parsed = [col.netutil.parse_address(d)[:2] for d in destinations]
    select = engine.select

    def run_select():
        for family, value in parsed:
            select(family, value)

    gc.collect()
    start = time.perf_counter()
    run_select()
    cold = time.perf_counter() - start
    warm = best_of(run_select, repeats)
    lookup = engine.lookup

    def run_lookup():
        for dest in destinations:
            lookup(dest)

    sources = source_addresses()
    bound = [(d, sources['ipv6' if ':' in d else 'ipv4']) for d in destinations]

    def run_bound():
        for dest, source in bound:
            lookup(dest, source=source)

    full = best_of(run_lookup, max(1, repeats - 1))
    constrained = best_of(run_bound, max(1, repeats - 1))
    n = float(len(destinations))
    return {'select_cold': cold / n, 'select': warm / n, 'lookup': full / n, 'lookup_source': constrained / n}


def measure_baselines(col, state, destinations, linear_count, repeats):
    """Seconds per destination for the linear netaddr scan; and whether the engine, the scan and pytricia agree."""
    out = {'linear': None, 'agree': None, 'checked': 0}
    engine = compile_engine(col, state)
    netaddr, rows = linear_table(col, state)
    trees = radix_tables(col, state)
    sample = destinations[:linear_count]
    if rows is not None:
        start = time.perf_counter()
        linear_hits = [linear_lookup(netaddr, rows, d) for d in sample]
        out['linear'] = (time.perf_counter() - start) / len(sample)
    agree = True
    for i, dest in enumerate(sample):
        family, value, _zone = col.netutil.parse_address(dest)
        bucket = engine.select(family, value)
        mine = (bucket[0].route.destination, bucket[0].effective_metric) if bucket else None
        if rows is not None:
            hit = linear_hits[i]
            other = (hit.destination, hit.route_metric + state.interface(hit.interface).settings(hit.family).metric) if hit else None
            agree = agree and mine == other
        if trees is not None:
            found = trees[family].get(value if family == col.V4 else dest)
            agree = agree and mine == ((found[0][2].destination, found[0][0]) if found else None)
        out['checked'] += 1
    out['agree'] = agree
    return out


def measure_radix(col, state, destinations, repeats):
    """(seconds per destination of pytricia's get, seconds to build the trees), or (None, None) without pytricia."""
    trees = radix_tables(col, state)
    if trees is None:
        return None, None
    build = best_of(lambda: radix_tables(col, state), 1, warmup=False)
    keys = radix_keys(col, destinations)
    v4, v6 = trees[col.V4].get, trees[col.V6].get
    four = col.V4

    def run_radix():
        for family, key in keys:
            if family == four:
                v4(key)
            else:
                v6(key)

    return best_of(run_radix, repeats) / len(keys), build


def measure_fleet(col, fleet, repeats):
    """Seconds for route_findings over the whole fleet: per Engine, and through the filter on the list."""
    engine_cls = col.Engine

    def per_engine():
        return [engine_cls(state).findings() for state in fleet]

    through_engine = best_of(per_engine, repeats, warmup=True)
    findings = sum(len(item) for item in per_engine())
    through_filter = None
    if col.route_findings is not None:
        through_filter = best_of(lambda: col.route_findings(fleet), repeats, warmup=False)
    return through_engine, through_filter, findings


def measure_memory(col, config, what):
    """Bytes measured by tracemalloc: ('table', peak, retained) of the largest table, or ('host', retained per host)."""
    if what == 'table':
        state_dict = make_state(max(config.sizes), config.interfaces, config.seed)
        gc.collect()
        tracemalloc.start()
        engine = compile_engine(col, col.from_dict(state_dict))
        retained, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del engine
        return {'peak': peak, 'retained': retained}
    fleet = make_fleet(config.memory_hosts, config.fleet_routes, config.fleet_interfaces, config.seed + 1)
    gc.collect()
    tracemalloc.start()
    engines = [compile_engine(col, col.from_dict(state)) for state in fleet]
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    count = len(engines)
    del engines
    return {'per_host': retained / count, 'peak': peak}


def memory_in_child(config, what):
    """measure_memory in a fresh interpreter, so that caches filled by the other measures do not hide allocations."""
    command = [sys.executable, os.path.abspath(__file__), '--memory-child', what, '--child-config', json.dumps(dataclasses.asdict(config))]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError('memory measure %s failed: %s' % (what, done.stderr.strip()))
    return json.loads(done.stdout)


# -------------------------------------------------------------------------------- run
def run(config, col=None, log=None, child=True):
    """All measures of one configuration, as a list of Row."""
    col = col or Collection()
    started = time.perf_counter()
    say = (lambda message: log('%5.1f s  %s' % (time.perf_counter() - started, message))) if log else (lambda message: None)
    rows = []
    sizes = tuple(sorted(config.sizes))
    largest = sizes[-1]
    per_size = {}
    states = {}
    for size in sizes:
        say('building %d routes' % size)
        state_dict = make_state(size, config.interfaces, config.seed)
        from_dict, init, compile_time = measure_build(col, state_dict, config.repeats)
        state = states[size] = col.from_dict(state_dict)
        destinations = make_destinations(state_dict, config.destinations, config.seed + size)
        say('lookups on %d routes' % size)
        per_size[size] = measure_lookups(col, state, destinations, config.repeats)
        per_size[size]['pytricia'], per_size[size]['pytricia_build'] = measure_radix(col, state, destinations, config.repeats)
        per_size[size].update(from_dict=from_dict, init=init, compile=compile_time, total=len(state.routes), dests=destinations)
    label = _size_label(largest)
    big = per_size[largest]
    rows.append(Row('load: HostState.from_dict, %s routes' % label, big['from_dict'], 's', note='%d routes after system routes' % big['total']))
    rows.append(Row('index: Engine.__init__, %s routes' % label, big['init'], 's'))
    rows.append(Row('index: compile (first select, v4 + v6), %s routes' % label, big['compile'], 's'))
    rows.append(Row('index build (init + compile), %s routes' % label, big['init'] + big['compile'], 's', 1.0, '<'))
    rows.append(Row('load + index build, %s routes' % label, big['from_dict'] + big['init'] + big['compile'], 's'))
    for size in sizes:
        data = per_size[size]
        label = _size_label(size)
        rows.append(Row('select (ints, warm), %s routes, per dest' % label, data['select'], 'us'))
        rows.append(Row('lookup, %s routes, per dest' % label, data['lookup'], 'us'))
        rows.append(Row('lookup source= (strong host), %s routes, per dest' % label, data['lookup_source'], 'us'))
        rows.append(Row('pytricia get, %s routes, per dest' % label, data['pytricia'], 'us'))
    rows.append(Row('select first pass (empty block cache), %s routes, per dest' % _size_label(largest), big['select_cold'], 'us'))

    say('baselines on %d routes' % largest)
    base = measure_baselines(col, states[largest], big['dests'], config.linear_destinations, config.repeats)
    label = _size_label(largest)
    rows.append(Row('linear netaddr scan, %s routes, per dest' % label, base['linear'], 'us', note='%d destinations' % config.linear_destinations))
    rows.append(Row('pytricia build, %s routes' % label, big['pytricia_build'], 's'))
    rows.append(Row('select vs linear scan (times faster)', _div(base['linear'], big['select']), 'x', 100.0, '>='))
    rows.append(Row('select vs pytricia (times slower)', _div(big['select'], big['pytricia']), 'x', 3.0, '<'))
    rows.append(Row('lookup vs pytricia (times slower)', _div(big['lookup'], big['pytricia']), 'x'))
    rows.append(Row('lookup source= vs pytricia (times slower)', _div(big['lookup_source'], big['pytricia']), 'x'))
    rows.append(Row('engine, linear scan and pytricia agree', 1.0 if base['agree'] else 0.0, 'bool', 1.0, '>=',
                    note='%d destinations checked' % base['checked']))
    smallest = per_size[sizes[0]]
    for size in sizes[1:]:
        goal, op = (2.0, '<') if size == largest else (None, None)
        rows.append(Row('select %s vs %s routes (cost ratio)' % (_size_label(size), _size_label(sizes[0])),
                        _div(per_size[size]['select'], smallest['select']), 'x', goal, op))
    for size in sizes[1:]:
        goal, op = (2.0, '<') if size == largest else (None, None)
        rows.append(Row('lookup %s vs %s routes (cost ratio)' % (_size_label(size), _size_label(sizes[0])),
                        _div(per_size[size]['lookup'], smallest['lookup']), 'x', goal, op))
    rows.append(Row('reference: pytricia %s vs %s routes (cost ratio)' % (_size_label(largest), _size_label(sizes[0])),
                    _div(big['pytricia'], smallest['pytricia']), 'x'))

    say('route_findings over %d hosts' % config.fleet_hosts)
    fleet = make_fleet(config.fleet_hosts, config.fleet_routes, config.fleet_interfaces, config.seed + 1)
    fleet_goal = 5.0 * config.fleet_hosts / 1000.0
    through_engine, through_filter, findings = measure_fleet(col, fleet, max(1, config.repeats - 1))
    avg = sum(len(col.from_dict(s).routes) for s in fleet[:20]) / float(min(20, len(fleet)))
    rows.append(Row('findings: Engine(state).findings(), %d hosts' % config.fleet_hosts, through_engine, 's', fleet_goal, '<',
                    note='~%d routes/host, %d findings' % (round(avg), findings)))
    rows.append(Row('findings: route_findings filter on the list, %d hosts' % config.fleet_hosts, through_filter, 's', fleet_goal, '<'))

    if config.memory:
        say('memory')
        measure = memory_in_child if child else (lambda cfg, what: measure_memory(col, cfg, what))
        table = measure(config, 'table')
        host = measure(config, 'host')
        rows.append(Row('memory: peak, load + compile %s routes' % _size_label(largest), table['peak'] / MB, 'MB', 300.0, '<'))
        rows.append(Row('memory: retained, compiled %s routes' % _size_label(largest), table['retained'] / MB, 'MB'))
        rows.append(Row('memory: per host state (%d routes, compiled)' % config.fleet_routes, host['per_host'] / MB, 'MB', 1.0, '<',
                        note='%d hosts' % config.memory_hosts))
    return rows


def _div(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def _size_label(size):
    return '%dk' % (size // 1000) if size % 1000 == 0 else str(size)


# ----------------------------------------------------------------------------- report
def format_value(value, unit):
    if value is None:
        return '-'
    if unit == 's':
        return '%.3f s' % value if value >= 0.1 else '%.1f ms' % (value * 1000)
    if unit == 'us':
        micro = value * 1e6
        if micro >= 1000:
            return '%.1f ms' % (micro / 1000)
        return '%.2f us' % micro if micro < 10 else '%.1f us' % micro
    if unit == 'x':
        return '%.0fx' % value if value >= 100 else '%.2fx' % value
    if unit == 'MB':
        return '%.1f MB' % value if value >= 1 else '%.0f KB' % (value * 1024)
    if unit == 'bool':
        return 'yes' if value else 'no'
    return '%g %s' % (value, unit)


def format_goal(row):
    if row.op is None:
        return '-'
    if row.unit == 'bool':
        return 'yes'
    return '%s %s' % (row.op, format_value(row.goal, row.unit))


def format_table(rows):
    header = ('measure', 'value', 'goal', 'ratio', 'result')
    lines = [(r.measure, format_value(r.value, r.unit), format_goal(r), '-' if r.ratio is None else '%.2f' % r.ratio,
              r.result + ('  (%s)' % r.note if r.note else '')) for r in rows]
    widths = [max(len(header[i]), max(len(line[i]) for line in lines)) for i in range(4)]
    fmt = '%%-%ds  %%%ds  %%%ds  %%%ds  %%s' % tuple(widths)
    out = [fmt % header, fmt % (tuple('-' * w for w in widths) + ('------',))]
    out.extend(fmt % line for line in lines)
    return '\n'.join(out)


def environment():
    versions = {}
    for name in ('netaddr', 'pytricia'):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = 'missing'
    return {'python': platform.python_version(), 'implementation': platform.python_implementation(), 'machine': platform.machine(),
            'system': platform.system(), 'cpus': os.cpu_count(), 'versions': versions}


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Performance report of the winnet.routing engine (see benchmarks/README.md).')
    parser.add_argument('--quick', action='store_true', help='small sizes (1k/5k/20k routes, 200 hosts): a run of a few seconds')
    parser.add_argument('--check', action='store_true', help='exit 1 when a goal is missed (default: always exit 0)')
    parser.add_argument('--json', metavar='PATH', help='also write the rows and the environment as JSON to PATH')
    parser.add_argument('--seed', type=int, help='random seed of the synthetic states (default %d)' % DEFAULT.seed)
    parser.add_argument('--sizes', help='comma-separated table sizes in routes (default 1000,10000,100000)')
    parser.add_argument('--repeats', type=int, help='timed repeats per measure; the best is kept (default 3)')
    parser.add_argument('--destinations', type=int, help='destinations per lookup measure (default 20000)')
    parser.add_argument('--linear', type=int, help='destinations of the slow linear scan (default 200)')
    parser.add_argument('--hosts', type=int, help='host states of the route_findings measure (default 1000)')
    parser.add_argument('--no-memory', action='store_true', help='skip the tracemalloc measures')
    parser.add_argument('--memory-child', choices=('table', 'host'), help=argparse.SUPPRESS)
    parser.add_argument('--child-config', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def config_from(args):
    if args.child_config:
        data = json.loads(args.child_config)
        data['sizes'] = tuple(data['sizes'])
        return Config(**data)
    config = QUICK if args.quick else DEFAULT
    changes = {}
    if args.seed is not None:
        changes['seed'] = args.seed
    if args.sizes:
        changes['sizes'] = tuple(int(s) for s in args.sizes.split(','))
    if args.repeats:
        changes['repeats'] = args.repeats
    if args.no_memory:
        changes['memory'] = False
    for option, field in (('destinations', 'destinations'), ('linear', 'linear_destinations'), ('hosts', 'fleet_hosts')):
        if getattr(args, option):
            changes[field] = getattr(args, option)
    return dataclasses.replace(config, **changes)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    config = config_from(args)
    col = Collection()
    if args.memory_child:
        sys.stdout.write(json.dumps(measure_memory(col, config, args.memory_child)) + '\n')
        return 0
    env = environment()
    print('winnet.routing engine benchmark: Python %s (%s) on %s %s, %s CPUs; netaddr %s, pytricia %s'
          % (env['python'], env['implementation'], env['system'], env['machine'], env['cpus'],
             env['versions']['netaddr'], env['versions']['pytricia']))
    print('sizes %s routes over %d interfaces, seed %d, %d destinations (%d for the linear scan), %d hosts x %d routes%s'
          % ('/'.join(str(s) for s in config.sizes), config.interfaces, config.seed, config.destinations, config.linear_destinations,
             config.fleet_hosts, config.fleet_routes, ' [quick]' if args.quick else ''))
    started = time.perf_counter()
    rows = run(config, col, log=lambda message: print('  ... %s' % message, file=sys.stderr, flush=True))
    print()
    print(format_table(rows))
    print()
    print('ratio = value / goal (an upper bound passes below 1, a lower bound at 1 or more); run took %.0f s' % (time.perf_counter() - started))
    missed = [r for r in rows if r.result == 'MISS']
    if args.json:
        directory = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(directory, exist_ok=True)
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump({'environment': env, 'config': dataclasses.asdict(config), 'rows': [r.as_dict() for r in rows]}, handle, indent=2)
    if missed:
        print('%d goal(s) missed: %s' % (len(missed), '; '.join(r.measure for r in missed)))
        return 1 if args.check else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
