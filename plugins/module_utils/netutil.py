# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fast, strict address helpers working on integers.

Addresses are parsed once with ``socket.inet_pton`` (strict dotted quads, no shorthand) and
carried as ``(family, int)``; everything on the lookup path compares integers.
"""

from __future__ import annotations

import socket

V4 = 4
V6 = 6


class Family:
    """What differs between IPv4 and IPv6, kept as data (CPython's ipaddress keeps it in two classes).

    Ranges are ``(shift, top)``: an address is in the range when ``value >> shift == top``.
    """

    __slots__ = ('number', 'name', 'label', 'bits', 'unspecified', 'loopback', 'link_local', 'multicast', 'loopback_range')

    def __init__(self, number, name, label, bits, unspecified, loopback, link_local, multicast, loopback_range):
        self.number = number
        self.name = name                    # option value: ipv4 / ipv6
        self.label = label                  # Windows' -AddressFamily: IPv4 / IPv6
        self.bits = bits
        self.unspecified = unspecified      # the on-link next hop as Windows shows it
        self.loopback = loopback            # the loopback address a local send uses as its source
        self.link_local = link_local
        self.multicast = multicast
        self.loopback_range = loopback_range

    def __repr__(self):
        return 'Family(%s)' % self.label


FAMILIES = {
    V4: Family(V4, 'ipv4', 'IPv4', 32, '0.0.0.0', '127.0.0.1',
               link_local=(16, 0xA9FE),             # 169.254.0.0/16
               multicast=(28, 0xE),                 # 224.0.0.0/4
               loopback_range=(24, 127)),           # 127.0.0.0/8
    V6: Family(V6, 'ipv6', 'IPv6', 128, '::', '::1',
               link_local=(118, 0xFE80 >> 6),       # fe80::/10
               multicast=(120, 0xFF),               # ff00::/8
               loopback_range=(0, 1)),              # ::1/128
}
BITS = {number: family.bits for number, family in FAMILIES.items()}
FAMILY_NAME = {number: family.name for number, family in FAMILIES.items()}
FAMILY_LABEL = {number: family.label for number, family in FAMILIES.items()}
FAMILY_BY_NAME = {family.name: number for number, family in FAMILIES.items()}

_AF = {V4: socket.AF_INET, V6: socket.AF_INET6}
_CACHE = {}
_CACHE_LIMIT = 200000

V4_MAPPED_NET = 0xFFFF << 32          # ::ffff:0:0/96
V6_LOOPBACK = 1
V4_LIMITED_BROADCAST = 0xFFFFFFFF     # 255.255.255.255


class AddressSyntaxError(ValueError):
    """Raised for text that is not an IP address or prefix."""


def type_name(value):
    """The name of the built-in type of a value, for messages (Ansible's tagged str is ``str``)."""
    for cls in type(value).__mro__[:-1]:
        if cls.__module__ == 'builtins':
            return cls.__name__
    return type(value).__name__


def parse_address(text):
    """Return ``(family, value, zone)`` for an address; zone is the text after ``%`` or None."""
    if not isinstance(text, str):
        raise AddressSyntaxError('%r is not an IP address (expected a string)' % (text,))
    hit = _CACHE.get(text)
    if hit is not None:
        return hit
    addr, sep, zone = text.partition('%')
    if sep and not zone:
        raise AddressSyntaxError('%r has an empty zone after %%' % text)
    result = None
    if ':' in addr:
        try:
            result = (V6, int.from_bytes(socket.inet_pton(socket.AF_INET6, addr), 'big'), zone or None)
        except (OSError, ValueError):
            result = None
    elif not sep:
        try:
            result = (V4, int.from_bytes(socket.inet_pton(socket.AF_INET, addr), 'big'), None)
        except (OSError, ValueError):
            result = None
    if result is None:
        raise AddressSyntaxError('%r is not an IP address' % text)
    if len(_CACHE) < _CACHE_LIMIT:
        _CACHE[text] = result
    return result


def format_address(family, value):
    """Canonical text of an address (lower-case, RFC 5952 compressed for IPv6)."""
    return socket.inet_ntop(_AF[family], value.to_bytes(4 if family == V4 else 16, 'big'))


def mask(family, prefix_length):
    """The netmask of a prefix length as an integer."""
    bits = BITS[family]
    return ((1 << prefix_length) - 1) << (bits - prefix_length)


def parse_prefix(text, strict=True):
    """Return ``(family, network, prefix_length)``; a prefix without ``/`` is a host prefix.

    With ``strict``, host bits set after the mask are an error that suggests the network.
    """
    if not isinstance(text, str):
        raise AddressSyntaxError('%r is not an IP prefix (expected a string like 192.0.2.0/24)' % (text,))
    addr, sep, length = text.partition('/')
    try:
        family, value, zone = parse_address(addr)
    except AddressSyntaxError:
        raise AddressSyntaxError('%r is not an IP prefix' % text) from None
    if zone:
        raise AddressSyntaxError('%r: a prefix takes no zone' % text)
    bits = BITS[family]
    if sep:
        if not (length.isascii() and length.isdigit()) or len(length) > 3:
            raise AddressSyntaxError('%r has an invalid prefix length' % text)
        plen = int(length)
        if plen > bits:
            raise AddressSyntaxError('%r: prefix length %d is longer than %d' % (text, plen, bits))
    else:
        plen = bits
    network = value & mask(family, plen)
    if strict and network != value:
        raise AddressSyntaxError('%r has host bits set; the network is %s/%d' % (text, format_address(family, network), plen))
    return family, network, plen


def format_prefix(family, network, prefix_length):
    """Canonical text of a prefix (``192.0.2.0/24``)."""
    return '%s/%d' % (format_address(family, network), prefix_length)


def common_prefix_length(family, a, b):
    """Number of leading bits two addresses share."""
    return BITS[family] - (a ^ b).bit_length()


def is_v4_mapped(family, value):
    """True for an IPv4-mapped IPv6 address (``::ffff:0:0/96``)."""
    return family == V6 and (value >> 32) == 0xFFFF


def as_v6(family, value):
    """An address as IPv6 (an IPv4 address as its IPv4-mapped form), for the policy table."""
    return value if family == V6 else V4_MAPPED_NET | value


# The special ranges of each family as {family: (shift, top)}, read on the hot path of a lookup.
_LINK_LOCAL = {number: family.link_local for number, family in FAMILIES.items()}
_LOOPBACK = {number: family.loopback_range for number, family in FAMILIES.items()}
_MULTICAST = {number: family.multicast for number, family in FAMILIES.items()}


def is_link_local(family, value):
    """True for 169.254.0.0/16 or fe80::/10."""
    shift, top = _LINK_LOCAL[family]
    return (value >> shift) == top


def is_loopback(family, value):
    """True for 127.0.0.0/8 or ::1."""
    shift, top = _LOOPBACK[family]
    return (value >> shift) == top


def is_multicast(family, value):
    """True for 224.0.0.0/4 or ff00::/8."""
    shift, top = _MULTICAST[family]
    return (value >> shift) == top


def is_limited_broadcast(family, value):
    """True for 255.255.255.255."""
    return family == V4 and value == V4_LIMITED_BROADCAST


# ------------------------------------------------------------------ RFC 6724 scope and policy
def _v4_scope(value):
    return 2 if (is_link_local(V4, value) or is_loopback(V4, value)) else 14


def _v6_scope(value):
    if is_multicast(V6, value):
        return (value >> 112) & 0xF
    if is_v4_mapped(V6, value):
        return _v4_scope(value & 0xFFFFFFFF)
    if is_link_local(V6, value) or value == V6_LOOPBACK:
        return 2
    if (value >> 118) == (0xFEC0 >> 6):
        return 5
    return 14


_SCOPE = {V4: _v4_scope, V6: _v6_scope}


def scope_of(family, value):
    """RFC 6724 scope of an address (2 link-local, 5 site-local, 14 global)."""
    return _SCOPE[family](value)


# Windows' default IPv6 prefix policy table (netsh interface ipv6 show prefixpolicies), spec R18:
# (prefix, prefix length, precedence, label).
_POLICY = (
    ('::1', 128, 50, 0), ('::', 0, 40, 1), ('::ffff:0:0', 96, 35, 4), ('2002::', 16, 30, 2), ('2001::', 32, 5, 5),
    ('fc00::', 7, 3, 13), ('fec0::', 10, 1, 11), ('3ffe::', 16, 1, 12), ('::', 96, 1, 3),
)
POLICY_TABLE = tuple(sorted(((parse_address(p)[1], plen, prec, label) for p, plen, prec, label in _POLICY), key=lambda e: -e[1]))


def policy(value):
    """(precedence, label) of an IPv6 address (as_v6 for IPv4) in the prefix policy table."""
    for network, plen, precedence, label in POLICY_TABLE:
        if (value & mask(V6, plen)) == network:
            return precedence, label
    return 40, 1  # pragma: no cover - ::/0 always matches
