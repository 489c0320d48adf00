# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the two export readers share: the finishing check, alias and kind rules, key order.

``route_print`` reads ``route print`` text and ``netroute_json`` reads ``ConvertTo-Json`` output of
the NetTCPIP cmdlets; both return a plain HostState dictionary, checked here by the HostState
loader before it is handed out. What a source cannot tell is listed in the state's ``partial``
list; what was read but could not be placed is listed, one sentence each, in ``parse_notes``.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError, StateError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import SCHEMA, SYSTEM_ROUTE_METRIC, HostState
from ansible_collections.winnet.routing.plugins.module_utils.netutil import mask

__all__ = ['SCHEMA', 'SYSTEM_ROUTE_METRIC', 'ROUTE_ORDER', 'PARTIAL_ORDER', 'prefix_contains', 'unique_alias', 'kind_from_text',
           'ordered', 'finish']


def prefix_contains(family, network, plen, value):
    """True when the address ``value`` lies in ``network``/``plen`` (integers of one family)."""
    return (value & mask(family, plen)) == network


def unique_alias(wanted, index, taken):
    """An alias for interface ``index`` not yet in ``taken`` (which it joins): ``ifN`` when none is known."""
    alias = (wanted or '').strip() or 'if%d' % index
    if alias in taken:
        alias = '%s (if%d)' % (alias, index)
    taken.add(alias)
    return alias


def kind_from_text(text):
    """Interface kind suggested by an English description or alias; None when nothing is clear."""
    low = (text or '').lower()
    if low.startswith('software loopback interface') or low.startswith('loopback pseudo-interface'):
        return 'loopback_pseudo'
    if 'km-test loopback' in low:
        return 'loopback_adapter'
    if 'isatap' in low or 'teredo' in low or '6to4' in low or 'ip-https' in low:
        return 'tunnel'
    return None


def finish(state):
    """Check the result with the HostState loader; a failure here is a parser bug or inconsistent input."""
    try:
        HostState.from_dict(state)
    except StateError as exc:
        raise ParseError('the parsed data does not form a valid HostState: %s' % exc) from None
    return state


ROUTE_ORDER = ('destination', 'next_hop', 'interface', 'route_metric', 'store', 'protocol')


def ordered(item, order):
    """A copy of the mapping ``item`` with the keys of ``order`` first, in that order."""
    result = {key: item[key] for key in order if key in item}
    result.update((key, value) for key, value in item.items() if key not in result)
    return result


PARTIAL_ORDER = ('interfaces.index', 'interfaces.metric', 'interfaces.settings', 'interfaces.register_dns', 'interfaces.kind',
                 'interfaces.link_speed', 'interfaces.bindings', 'interfaces.netbios', 'interfaces.discards', 'addresses',
                 'addresses.persistent', 'routes.persistent', 'routes.ipv4', 'routes.ipv6', 'firewall_rules', 'nonpresent_adapters')
