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
BITS = {V4: 32, V6: 128}
FAMILY_NAME = {V4: 'ipv4', V6: 'ipv6'}
FAMILY_BY_NAME = {'ipv4': V4, 'ipv6': V6}

_AF = {V4: socket.AF_INET, V6: socket.AF_INET6}
_CACHE = {}
_CACHE_LIMIT = 200000

V4_MAPPED_NET = 0xFFFF << 32          # ::ffff:0:0/96
V6_LINK_LOCAL_NET = 0xFE80 << 112     # fe80::/10
V6_LOOPBACK = 1
V4_LOOPBACK_NET = 127 << 24           # 127.0.0.0/8


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
    return '%s/%d' % (format_address(family, network), prefix_length)


def common_prefix_length(family, a, b):
    """Number of leading bits two addresses share."""
    return BITS[family] - (a ^ b).bit_length()


def is_v4_mapped(family, value):
    return family == V6 and (value >> 32) == 0xFFFF


def is_link_local(family, value):
    if family == V4:
        return (value >> 16) == 0xA9FE      # 169.254.0.0/16
    return (value >> 118) == (0xFE80 >> 6)  # fe80::/10


def is_loopback(family, value):
    if family == V4:
        return (value >> 24) == 127
    return value == V6_LOOPBACK


def is_multicast(family, value):
    if family == V4:
        return (value >> 28) == 0xE
    return (value >> 120) == 0xFF


def is_limited_broadcast(family, value):
    return family == V4 and value == 0xFFFFFFFF


def is_unspecified(family, value):
    return value == 0
