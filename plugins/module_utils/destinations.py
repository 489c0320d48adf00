# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In which order Windows tries the addresses a name resolves to (RFC 6724 section 6, R18 and R26).

Each destination is looked up (is it reachable, and from which source), placed in the prefix
policy table, and the destinations are sorted by the RFC's rules in order (``RULES``); the last
rule, longest matching prefix with the source, applies between IPv6 destinations only.
"""

from __future__ import annotations

import functools

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    V4,
    V6,
    as_v6,
    common_prefix_length,
    format_address,
    parse_address,
    policy,
    scope_of,
)

# DisabledComponents 0x20 ("prefer IPv4 over IPv6 in prefix policies") raises IPv4 above native IPv6 (40).
PREFER_IPV4_PRECEDENCE = 45

# (rule number, key): a destination with the greater key goes first.
RULES = (
    (1, lambda d: d['usable']),                                                             # avoid unusable destinations
    (2, lambda d: d['source'] is not None and d['scope'] == d['source_scope']),             # prefer matching scope
    (3, lambda d: not d['deprecated']),                                                     # avoid deprecated sources
    (5, lambda d: d['source'] is not None and d['label'] == d['source_label']),             # prefer matching label
    (6, lambda d: d['precedence']),                                                         # prefer higher precedence
    (8, lambda d: -d['scope']),                                                             # prefer smaller scope
)


def _describe(engine, index, text, prefer_ipv4):
    """What the rules compare for one destination: its lookup, policy entry, scope, and its source's."""
    family, value, _zone = engine.address_argument(text, 'destinations[%d]' % index)
    result = engine.lookup(text)
    mapped = as_v6(family, value)
    precedence, label = policy(mapped)
    if prefer_ipv4 and family == V4:
        precedence = PREFER_IPV4_PRECEDENCE
    source = result['source']
    s_mapped = s_label = s_scope = None
    deprecated = False
    if source is not None:
        s_family, s_value, _zone = parse_address(source)
        s_mapped = as_v6(s_family, s_value)
        s_label = policy(s_mapped)[1]
        s_scope = scope_of(s_family, s_value)
        deprecated = any(a.state == 'deprecated' for a in engine.local.get((s_family, s_value), ()))
    return {'index': index, 'address': format_address(family, value), 'family': family, 'mapped': mapped,
            'usable': result['disposition'] != 'no_route', 'scope': scope_of(family, value), 'precedence': precedence,
            'label': label, 'source': source, 'source_label': s_label, 'source_scope': s_scope,
            'source_mapped': s_mapped, 'deprecated': deprecated}


def _compare(a, b):
    for _rule, key in RULES:
        ka, kb = key(a), key(b)
        if ka != kb:
            return -1 if ka > kb else 1
    # rule 9: longest matching prefix with the source, between IPv6 destinations
    if a['family'] == V6 and b['family'] == V6 and a['source'] and b['source']:
        ca = common_prefix_length(V6, a['mapped'], a['source_mapped'])
        cb = common_prefix_length(V6, b['mapped'], b['source_mapped'])
        if ca != cb:
            return -1 if ca > cb else 1
    return a['index'] - b['index']


def order_destinations(engine, destinations, prefer_ipv4=False):
    """Sort a name's addresses the way Windows does before connecting.

    Args:
        engine: the Engine of the host.
        destinations: the addresses (a list).
        prefer_ipv4: model DisabledComponents 0x20 ("prefer IPv4 over IPv6 in prefix policies").

    Returns:
        the addresses in order, each ``{address, reachable, source, precedence, label}``.

    Raises:
        ArgumentError: ``destinations`` is not a list, or ``destinations[i]`` is not an address.
    """
    if isinstance(destinations, str) or not isinstance(destinations, (list, tuple)):
        raise ArgumentError('destinations', 'must be a list of addresses')
    info = [_describe(engine, i, text, prefer_ipv4) for i, text in enumerate(destinations)]
    ordered = sorted(info, key=functools.cmp_to_key(_compare))
    return [{'address': d['address'], 'reachable': d['usable'], 'source': d['source'], 'precedence': d['precedence'],
             'label': d['label']} for d in ordered]
