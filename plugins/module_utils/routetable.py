# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A compiled longest-prefix-match table over integers.

Entries are grouped into buckets by (prefix length, network). A lookup first reads a block
index (the top ``stride`` bits of the address): prefixes longer than the stride are listed per
block, so only the lengths present under that block are probed; the best match among the
shorter prefixes is computed once per block and cached. The cost of a lookup therefore
depends on how many long prefixes share a block, not on the size of the table.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.netutil import BITS, V4, V6, mask

_STRIDE = {V4: 16, V6: 64}
_MISSING = object()


class PrefixTable:
    """Maps a destination integer to the value stored for its longest matching prefix."""

    __slots__ = ('family', 'bits', 'shift', 'tables', 'masks', 'short_lengths', 'long_by_block', 'short_cache', 'size')

    def __init__(self, family, entries):
        """``entries``: iterable of ``(network, prefix_length, value)``; one value per prefix."""
        self.family = family
        bits = self.bits = BITS[family]
        stride = _STRIDE[family]
        self.shift = bits - stride
        tables = {}
        long_by_block = {}
        for network, plen, value in entries:
            table = tables.get(plen)
            if table is None:
                table = tables[plen] = {}
            table[network] = value
            if plen > stride:
                block = network >> self.shift
                lengths = long_by_block.get(block)
                if lengths is None:
                    long_by_block[block] = {plen}
                else:
                    lengths.add(plen)
        self.tables = tables
        self.masks = {plen: mask(family, plen) for plen in tables}
        self.short_lengths = tuple(sorted((p for p in tables if p <= stride), reverse=True))
        self.long_by_block = {block: tuple((p, tables[p], self.masks[p]) for p in sorted(lengths, reverse=True))
                              for block, lengths in long_by_block.items()}
        self.short_cache = {}
        self.size = sum(len(t) for t in tables.values())

    def lookup(self, value):
        """The value of the longest prefix containing ``value``, or None."""
        block = value >> self.shift
        probes = self.long_by_block.get(block)
        if probes is not None:
            for _plen, table, netmask in probes:
                hit = table.get(value & netmask)
                if hit is not None:
                    return hit
        hit = self.short_cache.get(block, _MISSING)
        if hit is _MISSING:
            hit = None
            tables, masks = self.tables, self.masks
            for plen in self.short_lengths:
                hit = tables[plen].get(value & masks[plen])
                if hit is not None:
                    break
            self.short_cache[block] = hit
        return hit
