# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the output of ``route print`` into a partial HostState dictionary.

Metrics: ``route print`` shows the *sum* of the route metric and the interface metric, while
``Get-NetRoute`` shows the route metric alone. A route print interface metric is derived from the
routes Windows creates by itself, whose route metric is always 256: the printed metric of an
interface's own host route (/32 or /128) minus 256. When no such route is printed and no metric
is given through ``interfaces``, the interface metric is set to 0, the printed sum is kept as the
route metric, the route carries ``metric_is_sum: true`` and ``partial`` lists
``interfaces.metric``: the effective metric (route + interface) stays right.

Malformed input raises ``ParseError`` with a message that names the line (``line 27: ...``).
"""

from __future__ import annotations

import re

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.export_common import (
    PARTIAL_ORDER,
    ROUTE_ORDER,
    SCHEMA,
    SYSTEM_ROUTE_METRIC,
    finish,
    kind_from_text,
    ordered,
    prefix_contains,
    unique_alias,
)
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import INTERFACE_ROUTES, address_routes
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import ADDRESS_FAMILY, as_int, documents, enum_value, first_key, unwrap_cim
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILY_NAME,
    V4,
    V6,
    AddressSyntaxError,
    format_address,
    format_prefix,
    is_v4_mapped,
    mask,
    parse_address,
    parse_prefix,
    type_name,
)

__all__ = ['parse_route_print', 'ParseError']


# ============================================================================ route print: reading
_SEPARATOR = re.compile(r'^=+$')
_IFLIST_ROW = re.compile(r'^\s*(\d+)\s*\.\.\.(.*)$')
_MAC_PART = re.compile(r'^((?:[0-9A-Fa-f]{2} ){1,16})\.*\s*(.*)$')
_V6_ROW = re.compile(r'^\s*(\d+)\s+(\d+)\s+(\S+)(?:\s+(\S+))?\s*$')
_UNSPECIFIED_METRIC_V6 = 4294967295


class _Line:
    """One ``route print`` row with its 1-based line number."""

    __slots__ = ('number', 'fields')

    def __init__(self, number, **fields):
        self.number = number
        self.fields = fields

    def __getattr__(self, name):
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None


class _RoutePrintReader:
    """Splits the text into sections and rows, checking each value; raises ParseError('line N: ...')."""

    def __init__(self, text):
        self.lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
        self.iflist = None
        self.active = {V4: None, V6: None}
        self.persistent = {V4: None, V6: None}

    def fail(self, pos, message):
        raise ParseError('line %d: %s' % (pos + 1, message))

    def text(self, pos):
        return self.lines[pos].strip() if pos < len(self.lines) else None

    def read(self):
        pos, seen = 0, False
        while pos < len(self.lines):
            line = self.text(pos)
            if line == 'Interface List':
                pos, seen = self.read_iflist(pos + 1), True
            elif line in ('IPv4 Route Table', 'IPv6 Route Table'):
                family = V4 if line.startswith('IPv4') else V6
                if self.active[family] is not None:
                    self.fail(pos, "a second '%s' section" % line)
                pos, seen = self.read_table(pos + 1, family), True
            elif not line or _SEPARATOR.match(line) or not seen:
                pos += 1  # blank lines, separators, and a command prompt or echo before the output
            else:
                self.fail(pos, 'unexpected text %r between sections' % line[:60])
        if self.active[V4] is None and self.active[V6] is None:
            raise ParseError("line %d: no 'IPv4 Route Table' or 'IPv6 Route Table' section found; "
                             "is this the output of 'route print'?" % len(self.lines))
        return self

    def read_iflist(self, pos):
        rows = []
        while True:
            line = self.text(pos)
            if line is None:
                self.fail(pos - 1, "the Interface List ends without a '====' line (truncated output?)")
            if _SEPARATOR.match(line):
                self.iflist = rows
                return pos + 1
            if line:
                match = _IFLIST_ROW.match(self.lines[pos])
                if not match:
                    self.fail(pos, 'expected an interface line such as '
                                   "'  3...00 15 5d 01 02 03 ......Description', found %r" % line[:60])
                index, rest = int(match.group(1)), match.group(2)
                mac = None
                if rest.startswith('.'):
                    description = rest.lstrip('.').strip()
                else:
                    mac_match = _MAC_PART.match(rest)
                    if not mac_match:
                        self.fail(pos, 'interface %d: cannot read the hardware address in %r' % (index, rest[:40]))
                    mac = '-'.join(mac_match.group(1).split()).upper()
                    description = mac_match.group(2).strip()
                if any(r.index == index for r in rows):
                    self.fail(pos, 'interface %d is listed twice' % index)
                rows.append(_Line(pos + 1, index=index, mac=mac, description=description))
            pos += 1

    def expect(self, pos, wanted, what):
        while self.text(pos) == '':
            pos += 1
        line = self.text(pos)
        if line is None:
            self.fail(pos - 1, 'the output ends where %s was expected (truncated output?)' % what)
        if not wanted(line):
            self.fail(pos, 'expected %s, found %r' % (what, line[:60]))
        return pos

    def read_table(self, pos, family):
        name = FAMILY_NAME[family].replace('ip', 'IP')
        pos = self.expect(pos, _SEPARATOR.match, "a '====' line") + 1
        pos = self.expect(pos, lambda s: s == 'Active Routes:', "'Active Routes:'") + 1
        self.active[family], pos = self.read_rows(pos, family, False, '%s active route list' % name)
        while self.text(pos) == '':
            pos += 1
        if self.text(pos) == 'Persistent Routes:':
            self.persistent[family], pos = self.read_rows(pos + 1, family, True, '%s persistent route list' % name)
        return pos

    def read_rows(self, pos, family, persistent, what):
        """Rows after a header (or 'None') up to the closing '====' line."""
        if family == V4:
            header = 'Network Address' if persistent else 'Network Destination'
        else:
            header = 'If Metric'
        line = self.text(pos)
        if line is None:
            self.fail(pos - 1, 'the output ends where the %s was expected (truncated output?)' % what)
        if line == 'None':
            pos += 1
            line = self.text(pos)
            if line is not None and _SEPARATOR.match(line):
                pos += 1
            return [], pos
        if not line.startswith(header):
            self.fail(pos, "expected the column header of the %s (starting with '%s') or 'None', found %r" % (what, header, line[:60]))
        rows = []
        pos += 1
        while True:
            line = self.text(pos)
            if line is None:
                self.fail(pos - 1, "the %s ends without a '====' line (truncated output?)" % what)
            if _SEPARATOR.match(line):
                return rows, pos + 1
            if not line:
                self.fail(pos, "blank line inside the %s (truncated or edited output?)" % what)
            if family == V4:
                rows.append(self.v4_row(pos, line, persistent))
                pos += 1
            else:
                row, pos = self.v6_row(pos, persistent)
                rows.append(row)

    def address(self, pos, text, family, column):
        try:
            fam, value, zone = parse_address(text)
        except AddressSyntaxError:
            fam, value, zone = None, None, None
        if fam != family or zone is not None:
            self.fail(pos, '%s %r is not an %s address' % (column, text, FAMILY_NAME[family].replace('ip', 'IP')))
        return value

    def metric(self, pos, text, persistent):
        if persistent and text == 'Default':
            return None
        if not (text.isascii() and text.isdigit()):
            self.fail(pos, 'metric %r is not a number' % text)
        return int(text)

    def v4_row(self, pos, line, persistent):
        fields = line.split()
        names = ('Network Address', 'Netmask', 'Gateway Address', 'Metric') if persistent else \
            ('Network Destination', 'Netmask', 'Gateway', 'Interface', 'Metric')
        if len(fields) != len(names):
            self.fail(pos, 'expected %d columns (%s), found %d' % (len(names), ', '.join(names), len(fields)))
        dest = self.address(pos, fields[0], V4, 'destination')
        netmask = self.address(pos, fields[1], V4, 'netmask')
        inverted = ~netmask & 0xFFFFFFFF
        if inverted & (inverted + 1):
            self.fail(pos, 'netmask %s is not contiguous' % fields[1])
        plen = 32 - inverted.bit_length()
        if dest & inverted:
            self.fail(pos, 'destination %s has bits set outside netmask %s' % (fields[0], fields[1]))
        gateway = None if fields[2] == 'On-link' else self.address(pos, fields[2], V4, 'gateway')
        row = _Line(pos + 1, family=V4, network=dest, plen=plen, gateway=gateway,
                    metric=self.metric(pos, fields[-1], persistent), text=line)
        if not persistent:
            row.fields['via'] = self.address(pos, fields[3], V4, 'interface')
        return row

    def v6_row(self, pos, persistent):
        line = self.text(pos)
        match = _V6_ROW.match(line)
        if not match:
            self.fail(pos, "expected 'If Metric Network-Destination Gateway', found %r" % line[:60])
        index, metric_text, dest_text, gateway_text = match.groups()
        start = pos
        if gateway_text is None:
            # a long destination pushes the gateway onto the next line, indented under the column
            nxt = self.lines[pos + 1] if pos + 1 < len(self.lines) else ''
            if not nxt[:1].isspace() or len(nxt.split()) != 1 or _SEPARATOR.match(nxt.strip()):
                self.fail(pos, 'the route to %s has no gateway (its wrapped second line is missing)' % dest_text)
            gateway_text = nxt.strip()
            pos += 1
        try:
            family, network, plen = parse_prefix(dest_text)
        except AddressSyntaxError as exc:
            self.fail(start, 'destination %r: %s' % (dest_text, exc))
        if family != V6:
            self.fail(start, 'destination %s is not an IPv6 prefix' % dest_text)
        gateway = None if gateway_text == 'On-link' else self.address(pos, gateway_text, V6, 'gateway')
        metric = int(metric_text)
        if persistent and metric == _UNSPECIFIED_METRIC_V6:
            metric = None
        return _Line(start + 1, family=V6, network=network, plen=plen, gateway=gateway, metric=metric,
                     index=int(index), text=line), pos + 1


# ============================================================================ route print: building
class _Hints:
    """What the caller told us about interfaces: index -> alias, per-family metric, addresses."""

    def __init__(self, interfaces):
        self.alias = {}
        self.metric = {}         # (family, index) -> metric
        self.address = {}        # (family, value) -> index
        self.unresolved_alias = []
        if interfaces is None:
            return
        rows = documents(interfaces, 'interfaces')
        for path, row in rows:
            self.add(path, row)

    def add(self, path, row):
        row = unwrap_cim(row)
        index = first_key(row, ('index', 'InterfaceIndex', 'ifIndex'))
        alias = first_key(row, ('alias', 'InterfaceAlias', 'ifAlias'))
        if index is not None:
            index = as_int(index, '%s.index' % path)
        elif alias is None:
            raise ParseError('%s: give the interface index (index or InterfaceIndex) or its alias' % path)
        elif not isinstance(alias, str):
            raise ParseError('%s.alias: must be a string, got %r' % (path, alias))
        if index is None:
            self.unresolved_alias.append((path, alias, row))
            return
        if isinstance(alias, str) and alias:
            self.alias[index] = alias
        self.add_details(path, index, row)

    def add_details(self, path, index, row):
        families = (V4, V6)
        fam_raw = first_key(row, ('family', 'AddressFamily'))
        if fam_raw is not None:
            families = (enum_value(fam_raw, ADDRESS_FAMILY, '%s.AddressFamily' % path),)
        metric = first_key(row, ('metric', 'InterfaceMetric'))
        if metric is not None:
            metric = as_int(metric, '%s.metric' % path)
            for fam in families:
                self.metric[(fam, index)] = metric
        for fam in (V4, V6):
            sub = row.get(FAMILY_NAME[fam])
            if isinstance(sub, dict) and sub.get('metric') is not None:
                self.metric[(fam, index)] = as_int(sub['metric'], '%s.%s.metric' % (path, FAMILY_NAME[fam]))
        texts = []
        if row.get('IPAddress') is not None:
            texts.append(('IPAddress', row['IPAddress']))
        addresses = row.get('addresses')
        if addresses is not None:
            if not isinstance(addresses, list):
                addresses = [addresses]
            texts.extend(('addresses[%d]' % i, a) for i, a in enumerate(addresses))
        for where, text in texts:
            if not isinstance(text, str):
                raise ParseError('%s.%s: %r is not an IP address' % (path, where, text))
            try:
                fam, value, _zone = parse_address(text.split('/')[0])
            except AddressSyntaxError:
                raise ParseError('%s.%s: %r is not an IP address' % (path, where, text)) from None
            if is_v4_mapped(fam, value):
                raise ParseError('%s.%s: %r is an IPv4-mapped IPv6 address; give %s' % (path, where, text, format_address(V4, value & 0xFFFFFFFF)))
            self.address[(fam, value)] = index

    def resolve_aliases(self, descriptions):
        """Alias-only hints can be matched against route print descriptions (the only names it shows)."""
        for path, alias, row in self.unresolved_alias:
            found = [index for index, desc in descriptions.items() if desc == alias]
            if len(found) != 1:
                raise ParseError("%s: alias %r does not name one interface of the route print output "
                                 "(route print shows descriptions, not aliases); give the index" % (path, alias))
            self.alias.setdefault(found[0], alias)
            self.add_details(path, found[0], row)


class _RoutePrintBuilder:

    def __init__(self, doc, hints):
        self.doc = doc
        self.hints = hints
        self.notes = []
        self.partial = set()
        self.iflist = {r.index: r for r in (doc.iflist or [])}
        self.group_index = {}     # IPv4 interface column address -> interface index
        self.metric = {}          # (family, index) -> interface metric (known)
        self.addresses = []       # (family, value, plen, index)

    # ---------------------------------------------------------------- IPv4 interfaces
    def v4_groups(self):
        groups = {}
        for row in self.doc.active[V4] or []:
            groups.setdefault(row.via, []).append(row)
        return groups

    @staticmethod
    def host_route(rows, value, bits):
        for row in rows:
            if row.gateway is None and row.plen == bits and row.network == value:
                return row
        return None

    def derive_v4_metric(self, via, rows):
        own = self.host_route(rows, via, 32)
        if own is not None and own.metric >= SYSTEM_ROUTE_METRIC:
            return own.metric - SYSTEM_ROUTE_METRIC
        return None

    def v6_metric_from_routes(self, index):
        rows = [r for r in self.doc.active[V6] or [] if r.index == index and r.gateway is None]
        for network, plen in ((0xFF << 120, 8), (0xFE80 << 112, 64)):
            for row in rows:
                if row.network == network and row.plen == plen and row.metric >= SYSTEM_ROUTE_METRIC:
                    return row.metric - SYSTEM_ROUTE_METRIC
        for row in rows:
            if row.plen == 128 and row.metric >= SYSTEM_ROUTE_METRIC:
                return row.metric - SYSTEM_ROUTE_METRIC
        return None

    def map_groups(self, groups):
        """Find the interface index behind each IPv4 interface column address."""
        unmapped = []
        for via, rows in groups.items():
            index = self.hints.address.get((V4, via))
            if index is None and via == 0x7F000001:
                loop = [i for i, r in self.iflist.items() if kind_from_text(r.description) == 'loopback_pseudo']
                index = loop[0] if len(loop) == 1 else (1 if not self.iflist else None)
            if index is None:
                unmapped.append(via)
            else:
                self.group_index[via] = index
        if not unmapped:
            return
        v6_indexes = {r.index for r in self.doc.active[V6] or []}

        def candidates():
            taken = set(self.group_index.values())
            return [i for i, r in self.iflist.items() if i not in taken and kind_from_text(r.description) in (None, 'loopback_adapter')]

        progress = True
        while unmapped and progress:
            progress = False
            free = candidates()
            # one address left and one interface left that could hold it
            if len(unmapped) == 1 and (len(free) == 1 or len([i for i in free if i in v6_indexes]) == 1):
                pick = free if len(free) == 1 else [i for i in free if i in v6_indexes]
                via = unmapped.pop()
                self.group_index[via] = pick[0]
                self.notes.append('IPv4 interface %s was matched to interface %d: the only interface left that can hold it'
                                  % (format_address(V4, via), pick[0]))
                progress = True
                continue
            # Windows' automatic metric is the same for both families of a link: a unique match is evidence
            for via in list(unmapped):
                m4 = self.derive_v4_metric(via, groups[via])
                if m4 is None or sum(1 for other in unmapped if self.derive_v4_metric(other, groups[other]) == m4) != 1:
                    continue
                match = [i for i in free if i in v6_indexes and self.v6_metric_from_routes(i) == m4]
                if len(match) == 1:
                    self.group_index[via] = match[0]
                    unmapped.remove(via)
                    self.notes.append('IPv4 interface %s was matched to interface %d: its IPv4 metric (%d) equals that '
                                      "interface's IPv6 metric and no other interface's" % (format_address(V4, via), match[0], m4))
                    progress = True
                    break
        if unmapped:
            via = unmapped[0]
            free = candidates()
            listed = ', '.join('%d (%s)' % (i, self.iflist[i].description) for i in free) or 'none in the Interface List'
            raise ParseError("line %d: cannot tell which interface holds %s (candidates: %s); pass "
                             "interfaces=[{'index': N, 'addresses': ['%s']}]"
                             % (groups[via][0].number, format_address(V4, via), listed, format_address(V4, via)))

    # ---------------------------------------------------------------- addresses
    def v4_addresses(self, groups):
        for via, rows in groups.items():
            index = self.group_index[via]
            own = self.host_route(rows, via, 32)
            sys_metric = own.metric if own is not None else None
            found = [via]
            for row in rows:
                if row.gateway is not None or row.plen != 32 or row.network in found or row.network == 0xFFFFFFFF:
                    continue
                for subnet in rows:
                    if (subnet.gateway is None and subnet.plen < 31 and subnet.metric == row.metric == sys_metric
                            and prefix_contains(V4, subnet.network, subnet.plen, row.network)):
                        host = row.network & ~mask(V4, subnet.plen) & 0xFFFFFFFF
                        if host not in (0, (1 << (32 - subnet.plen)) - 1):
                            found.append(row.network)
                            break
            for value in found:
                self.addresses.append((V4, value, self.prefix_for(V4, value, rows, sys_metric), index))

    @staticmethod
    def prefix_for(family, value, rows, sys_metric):
        """Longest on-link subnet route of the interface, printed with the system metric, holding the address."""
        lengths = [row.plen for row in rows if row.gateway is None and 0 < row.plen < BITS[family]
                   and (sys_metric is None or row.metric == sys_metric) and prefix_contains(family, row.network, row.plen, value)]
        return max(lengths) if lengths else BITS[family]

    def v6_addresses(self):
        by_index = {}
        for row in self.doc.active[V6] or []:
            by_index.setdefault(row.index, []).append(row)
        for index, rows in by_index.items():
            metric = self.metric.get((V6, index))
            sys_metric = None if metric is None else metric + SYSTEM_ROUTE_METRIC
            for row in rows:
                if row.gateway is None and row.plen == 128 and (sys_metric is None or row.metric == sys_metric):
                    self.addresses.append((V6, row.network, self.prefix_for(V6, row.network, rows, row.metric), index))

    # ---------------------------------------------------------------- routes
    def system_keys(self):
        return {(family, network, length, index) for family, value, plen, index in self.addresses
                for network, length in address_routes(family, value, plen)}

    def route(self, row, index, store, system):
        family = row.family
        printed = row.metric
        item = {'destination': format_prefix(family, row.network, row.plen),
                'next_hop': format_address(family, row.gateway or 0),
                'interface': index, 'store': store}
        if store == 'persistent':
            item['route_metric'] = printed
            item['protocol'] = 'netmgmt'
            return item
        ifmetric = self.metric.get((family, index))
        if ifmetric is None:
            item['route_metric'] = printed
            item['metric_is_sum'] = True
            self.partial.add('interfaces.metric')
        else:
            if printed < ifmetric:
                raise ParseError('line %d: the printed metric %d is lower than the %s metric %d of interface %d, but '
                                 'route print shows route metric plus interface metric'
                                 % (row.number, printed, FAMILY_NAME[family], ifmetric, index))
            item['route_metric'] = printed - ifmetric
        key = (family, row.network, row.plen, index)
        is_system = row.gateway is None and item['route_metric'] == SYSTEM_ROUTE_METRIC and (
            key in system or (row.network, row.plen) in INTERFACE_ROUTES[family])
        item['protocol'] = 'local' if is_system else 'netmgmt'
        return item

    def persistent_index(self, row):
        if row.family == V6 and row.index:
            return row.index
        if row.gateway is None:
            return None
        holders = {index for fam, value, plen, index in self.addresses
                   if fam == row.family and plen < BITS[fam] and prefix_contains(fam, value & mask(fam, plen), plen, row.gateway)}
        return holders.pop() if len(holders) == 1 else None

    def build(self):
        doc = self.doc
        self.hints.resolve_aliases({i: r.description for i, r in self.iflist.items()})
        groups = self.v4_groups()
        self.map_groups(groups)
        indexes = set(self.iflist) | set(self.group_index.values()) | {r.index for r in doc.active[V6] or []}
        # interface metrics: given ones win over derived ones
        for via, rows in groups.items():
            index = self.group_index[via]
            metric = self.hints.metric.get((V4, index))
            if metric is None:
                metric = self.derive_v4_metric(via, rows)
            if metric is not None:
                self.metric.setdefault((V4, index), metric)
        for index in {r.index for r in doc.active[V6] or []}:
            metric = self.hints.metric.get((V6, index))
            if metric is None:
                metric = self.v6_metric_from_routes(index)
            if metric is not None:
                self.metric[(V6, index)] = metric
        self.v4_addresses(groups)
        self.v6_addresses()
        system = self.system_keys()
        routes, seen = [], {}
        for row in doc.active[V4] or []:
            self.add_route(routes, seen, row, self.route(row, self.group_index[row.via], 'active', system))
        for row in doc.active[V6] or []:
            self.add_route(routes, seen, row, self.route(row, row.index, 'active', system))
        active_by_key = {(r['destination'], r['next_hop'], r['interface']): r for r in routes}
        for family in (V4, V6):
            rows = doc.persistent[family]
            if rows is None:
                if doc.active[family] is not None:
                    self.partial.add('routes.persistent')
                continue
            for row in rows:
                index = self.persistent_index(row)
                text = '%s via %s' % (format_prefix(family, row.network, row.plen), format_address(family, row.gateway or 0))
                if index is None or index not in indexes:
                    self.partial.add('routes.persistent')
                    self.notes.append('line %d: persistent route %s left out: route print does not name its interface and '
                                      'no single interface has an on-link subnet holding the gateway' % (row.number, text))
                    continue
                item = self.route(row, index, 'persistent', system)
                if row.metric is None:
                    twin = active_by_key.get((item['destination'], item['next_hop'], index))
                    item['route_metric'] = twin['route_metric'] if twin else SYSTEM_ROUTE_METRIC
                    item['metric_unspecified'] = True
                    if twin is None:
                        self.notes.append('line %d: persistent route %s has no metric of its own (Default); route metric 256 '
                                          'assumed, the value New-NetRoute uses when none is given' % (row.number, text))
                self.add_route(routes, seen, row, item)
        return self.state(indexes, routes)

    def add_route(self, routes, seen, row, item):
        key = (item['destination'], item['next_hop'], item['interface'], item['store'])
        if key in seen:
            self.notes.append('line %d: the route %s via %s on interface %d repeats line %d and was read once'
                              % (row.number, key[0], key[1], key[2], seen[key]))
            return
        seen[key] = row.number
        routes.append(item)

    def state(self, indexes, routes):
        doc = self.doc
        routes = [ordered(item, ROUTE_ORDER) for item in routes]
        families_of = {}
        for item in routes:
            families_of.setdefault(item['interface'], set()).add(V6 if ':' in item['destination'] else V4)
        for fam, _value, _plen, index in self.addresses:
            families_of.setdefault(index, set()).add(fam)
        interfaces, taken = [], set()
        for index in sorted(indexes):
            listed = self.iflist.get(index)
            description = listed.description if listed else None
            item = {'index': index, 'alias': unique_alias(self.hints.alias.get(index) or description, index, taken)}
            if description:
                item['description'] = description
            kind = kind_from_text(description)
            if kind:
                item['kind'] = kind
            if listed is not None and listed.mac:
                item['mac_address'] = listed.mac
            item['connected'] = bool(families_of.get(index))
            for fam in (V4, V6):
                if fam in families_of.get(index, ()):
                    metric = self.metric.get((fam, index))
                    item[FAMILY_NAME[fam]] = {'metric': 0, 'metric_unknown': True} if metric is None else {'metric': metric}
                    if metric is None:
                        self.partial.add('interfaces.metric')
            interfaces.append(item)
        addresses = []
        seen = set()
        for fam, value, plen, index in self.addresses:
            if (fam, value, index) in seen:
                continue
            seen.add((fam, value, index))
            addresses.append({'address': format_address(fam, value), 'prefix_length': plen, 'interface': index})
        self.partial.update(('interfaces.settings', 'interfaces.register_dns', 'interfaces.kind', 'interfaces.link_speed', 'addresses'))
        for fam in (V4, V6):
            if doc.active[fam] is None:
                self.partial.add('routes.%s' % FAMILY_NAME[fam])
        state = {'schema': SCHEMA, 'source': 'route_print', 'interfaces': interfaces, 'addresses': addresses, 'routes': routes,
                 'partial': [p for p in PARTIAL_ORDER if p in self.partial]}
        if self.notes:
            state['parse_notes'] = self.notes
        return state


def parse_route_print(text, interfaces=None):
    """Read the English output of ``route print`` into a partial HostState dictionary.

    ``interfaces`` optionally tells what route print cannot: a list (or one mapping, or the JSON
    text) of ``{index, alias, metric, addresses}`` entries, or ``Get-NetIPInterface`` /
    ``Get-NetIPAddress`` objects. A given metric overrides the derived one; given addresses tie an
    IPv4 interface column address to its interface index.
    """
    if not isinstance(text, str):
        raise ParseError('route print output must be text, got %s' % type_name(text))
    hints = _Hints(interfaces)
    doc = _RoutePrintReader(text).read()
    return finish(_RoutePrintBuilder(doc, hints).build())
