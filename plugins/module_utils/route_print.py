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

The parts of the output are found by their shape, not by their English words: separator lines,
rows of addresses, and the order Windows prints them in (Interface List, IPv4 table, IPv6 table,
each with its active and persistent list). Headings, the word for on-link and the word for a
default metric may be in any display language (route_print_words lists the known ones, as hints).
Text as bytes, or damaged by a wrong decoding, is decoded first (textcodec).

What the output cannot tell is marked, not refused: an IPv4 interface address route print does not
tie to an interface index gets a stand-in interface (an index counted down from 2147483647) whose
``index_candidates`` list the interfaces it can be, and ``partial`` lists ``interfaces.index``;
the engine flags every answer that goes through a stand-in. A persistent route takes its interface
from an identical active route, else from the interface whose subnet holds its gateway, else a
stand-in. An interface that holds routes but is missing from the Interface List is added.

Text that is not a route table, and malformed rows, raise ``ParseError`` with a message that names
the line (``line 27: ...``) and says what was expected and what was found.
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
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import INDEX_CANDIDATES, INTERFACE_ROUTES, address_routes
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
from ansible_collections.winnet.routing.plugins.module_utils.route_print_words import ALL_WORDS, DEFAULT_METRIC, NONE, ON_LINK, language_of
from ansible_collections.winnet.routing.plugins.module_utils.textcodec import decode

__all__ = ['parse_route_print', 'ParseError', 'STANDIN_TOP']

_NONE_WORDS = {word.casefold() for word in NONE}

# Stand-in interfaces get the highest indexes, counted down: Windows hands out small ones.
STANDIN_TOP = 2 ** 31 - 1


# ============================================================================ route print: reading
_A4 = r'\d{1,3}(?:\.\d{1,3}){3}'
_SEPARATOR = re.compile(r'^={8,}$')
_IFLIST_ROW = re.compile(r'^\s*(\d+)\s*\.\.\.(.*)$')
_XP_IFLIST_ROW = re.compile(r'^\s*0x[0-9A-Fa-f]+\s*\.\.\.')
# hardware address pairs; people who paste an output often mask some of them (xx, **)
_MAC_PART = re.compile(r'^((?:[0-9A-Fa-fxX*?]{2} ){1,16})\.*\s*(.*)$')
_V4_ROW = re.compile(r'^\s*%s(?:\s|$)' % _A4)
_V4_ACTIVE = re.compile(r'^\s*(%s)\s+(%s)\s+(\S.*?)\s+(%s)\s+(\S+)\s*$' % (_A4, _A4, _A4))
_V4_PERSISTENT = re.compile(r'^\s*(%s)\s+(%s)\s+(\S+)\s+(\S.*?)\s*$' % (_A4, _A4))
_V6_ROW = re.compile(r'^\s*(\d+)\s+(\d+)\s+(\S*[:/]\S*)(?:\s+(\S.*?))?\s*$')
_PROMPT = re.compile(r'^(?:PS )?[A-Za-z]:\\[^<>|"]*>|^\S*[$#>]\s*$')
_UNSPECIFIED_METRIC_V6 = 4294967295
_V4_ACTIVE_COLUMNS = ('Network Destination', 'Netmask', 'Gateway', 'Interface', 'Metric')
_V4_PERSISTENT_COLUMNS = ('Network Address', 'Netmask', 'Gateway Address', 'Metric')
_FOREIGN = (
    (re.compile(r'kernel ip routing table|\bgenmask\b'), 'the routing table of Linux (route -n or netstat -rn on Linux)'),
    (re.compile(r'^routing tables$|\bnetif\b', re.M), 'the routing table of macOS or BSD (netstat -rn)'),
    (re.compile(r'active routing table'), "the route list of another tool (Metasploit's route command)"),
    (re.compile(r'ip configuration|ip-konfiguration|configuration ip|(?:\. ){3,}:'), 'the output of ipconfig'),
)


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


class _Segment:
    """Lines between two separator or blank lines: leading text lines, then rows of one kind."""

    def __init__(self, start):
        self.start = start
        self.texts = []      # (pos, stripped text) before the rows
        self.rows = []       # (pos, kind, match or raw text)
        self.closed_by = None

    @property
    def kind(self):
        return self.rows[0][1] if self.rows else None


class _Section:
    """What was read of one address family: the active and the persistent route lists."""

    def __init__(self, family):
        self.family = family
        self.active = None         # list of rows; None when the output has no active list
        self.persistent = None     # list of rows, [] for the 'None' word, None when absent
        self.persistent_label = None


class _RoutePrintReader:
    """Finds the parts of a ``route print`` by their shape; raises ParseError('line N: ...')."""

    def __init__(self, text):
        self.lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
        self.notes = []
        self.cut = set()           # 'iflist', V4, V6, 'persistent4', 'persistent6': lists the text ends inside
        self.iflist = None
        self.sections = {V4: None, V6: None}
        self.on_link_words = set()
        self.default_words = set()
        self.started = False

    # ------------------------------------------------------------------ helpers
    def fail(self, pos, message):
        raise ParseError('line %d: %s' % (pos + 1, message))

    def text(self, pos):
        return self.lines[pos].strip() if pos < len(self.lines) else None

    @property
    def active(self):
        return {fam: (sec.active if sec else None) for fam, sec in self.sections.items()}

    @property
    def persistent(self):
        return {fam: (sec.persistent if sec else None) for fam, sec in self.sections.items()}

    def squeeze_blank_lines(self):
        """A paste with a blank line after every line (a Markdown paragraph per line) is read without them."""
        content = [i for i, line in enumerate(self.lines) if line.strip()]
        if len(content) < 8:
            return
        followed = sum(1 for i in content if i + 1 < len(self.lines) and not self.lines[i + 1].strip())
        if followed >= 0.8 * len(content):
            self.lines = [line for line in self.lines if line.strip()]
            self.notes.append('every line of the text was followed by a blank line; the blank lines were ignored')

    # ------------------------------------------------------------------ pass 1: segments
    def segments(self):
        segments, current = [], None
        pos = 0
        while pos < len(self.lines):
            raw = self.lines[pos]
            line = raw.strip()
            if not line or _SEPARATOR.match(line):
                if current is not None:
                    current.closed_by = 'separator' if line else 'blank'
                    segments.append(current)
                    current = None
                pos += 1
                continue
            if current is None:
                current = _Segment(pos)
            kind, match = self.classify(raw)
            if kind == 'text':
                if current.rows:
                    if current.kind == 'if':
                        self.bad_interface_line(pos, line)
                    if not any(rest.strip() for rest in self.lines[pos + 1:]):
                        self.fail(pos, 'the list ends with an incomplete row %r; the output looks cut off here' % line[:60])
                    self.fail(pos, 'unexpected text %r inside a route list (expected a row like the ones above it, '
                                   'or the closing ==== line)' % line[:60])
                current.texts.append((pos, line))
            else:
                if current.rows and current.kind != kind:
                    self.fail(pos, 'a %s row inside a list of %s rows' % (self.kind_name(kind), self.kind_name(current.kind)))
                if kind == 'v6' and match.group(4) is None:
                    pos = self.v6_continuation(pos, current, match)
                    continue
                current.rows.append((pos, kind, match))
            pos += 1
        if current is not None:
            current.closed_by = 'end'
            segments.append(current)
        merged = []
        for seg in segments:
            prev = merged[-1] if merged else None
            if prev is not None and prev.rows and prev.closed_by == 'blank' and seg.rows and not seg.texts and seg.kind == prev.kind:
                self.notes.append('line %d: a blank line inside a route list was ignored' % seg.start)
                prev.rows.extend(seg.rows)
                prev.closed_by = seg.closed_by
                continue
            merged.append(seg)
        return merged

    @staticmethod
    def kind_name(kind):
        return {'if': 'Interface List', 'v4': 'IPv4 route', 'v6': 'IPv6 route'}[kind]

    @staticmethod
    def classify(raw):
        if _IFLIST_ROW.match(raw):
            return 'if', _IFLIST_ROW.match(raw)
        match = _V6_ROW.match(raw)
        if match:
            return 'v6', match
        if _V4_ROW.match(raw):
            return 'v4', raw
        return 'text', None

    def v6_continuation(self, pos, segment, match):
        """A long IPv6 destination pushes the gateway onto the next line, indented under its column."""
        nxt = self.lines[pos + 1] if pos + 1 < len(self.lines) else None
        word = nxt.strip() if nxt is not None else ''
        if (not word or _SEPARATOR.match(word) or self.classify(nxt)[0] != 'text'
                or not (nxt[:1].isspace() or ':' in word or not any(ch.isdigit() for ch in word))):
            if nxt is None or not word:
                self.cut.add(V6)
            self.fail(pos, 'the route to %s has no gateway (its wrapped second line is missing%s)'
                      % (match.group(3), '; the output looks cut off here' if nxt is None else ''))
        segment.rows.append((pos, 'v6', (match, word)))
        return pos + 2

    # ------------------------------------------------------------------ pass 2: meaning
    def read(self):
        self.squeeze_blank_lines()
        self.refuse_foreign()
        pending = []      # text lines of text-only segments, not yet given a meaning
        last = None       # the section whose list was read last
        for seg in self.segments():
            if not seg.rows:
                if self.started:
                    pending.extend(seg.texts)
                else:
                    self.preamble(seg)
                continue
            texts = pending + seg.texts
            pending = []
            if seg.kind == 'if':
                self.take_iflist(seg, texts, last)
            else:
                last = self.take_routes(seg, texts, last)
            self.started = True
        self.finish_section(last, pending, at_end=True)
        if not any(self.sections.values()):
            self.refuse()
        return self

    def preamble(self, seg):
        """Text before the output (a command prompt, the command itself, a title of the paste)."""
        for pos, line in seg.texts:
            if _XP_IFLIST_ROW.match(self.lines[pos]):
                self.fail(pos, 'this is the route print of Windows XP or Server 2003 (interfaces numbered 0x1, ...), '
                               'whose metrics mean something else; export it from Windows Vista / Server 2008 or later')

    def title_family(self, line):
        upper = line.upper()
        has4, has6 = 'IPV4' in upper, 'IPV6' in upper
        if has4 != has6:
            return V4 if has4 else V6
        return None

    def split_pending(self, texts):
        """(left over from the previous list, introducing this list): split at the last family title."""
        for i in range(len(texts) - 1, -1, -1):
            if self.title_family(texts[i][1]) is not None:
                return texts[:i], texts[i:]
        return texts[:-2] if len(texts) > 2 else [], texts[-2:]

    def bad_interface_line(self, pos, line):
        if line[:1].isdigit():
            self.fail(pos, "expected an interface line such as '  3...00 15 5d 01 02 03 ......Description', found %r" % line[:60])

    def take_iflist(self, seg, texts, last):
        if self.iflist is not None or last is not None:
            self.fail(seg.start, 'a second Interface List: two outputs were pasted together; give one route print output')
        for item in texts[1:]:
            self.bad_interface_line(*item)
        if len(texts) > 1 and self.started:
            self.unexpected(texts[0])
        rows = []
        for pos, _kind, match in seg.rows:
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
        if seg.closed_by == 'end':
            self.cut.add('iflist')
            self.notes.append("line %d: the Interface List ends without its closing ==== line; the output looks cut off there"
                              % (seg.rows[-1][0] + 1))
        self.iflist = rows

    def unexpected(self, item):
        pos, line = item
        self.fail(pos, 'unexpected text %r between sections' % line[:60])

    def take_routes(self, seg, texts, last):
        family = V4 if seg.kind == 'v4' else V6
        name = FAMILY_NAME[family].replace('ip', 'IP')
        section = self.sections[family]
        second = section is not None and last is section and section.active is not None and section.persistent is None
        shape = self.v4_row_kind(seg.rows) if family == V4 else None
        persistent_rows = second if family == V6 else (shape == 'persistent' or (second and shape is None))
        if persistent_rows and second:
            intro = texts            # the persistent label and the column header
            if len(intro) > 2:
                self.unexpected(intro[0])
        else:
            leftover, intro = self.split_pending(texts)
            self.finish_section(last, leftover, at_end=False)
            if len(intro) > 3:
                if self.started:
                    self.unexpected(intro[0])
                intro = intro[-3:]
            title = next((t for t in intro if self.title_family(t[1]) is not None), None)
            if title is not None and self.title_family(title[1]) != family:
                self.notes.append('line %d: %r announces the %s table, but its rows are %s routes; they were read as such'
                                  % (title[0] + 1, title[1][:40], FAMILY_NAME[V4 if family == V6 else V6].replace('ip', 'IP'), name))
        if section is None:
            section = self.sections[family] = _Section(family)
        store = 'persistent' if persistent_rows else 'active'
        if getattr(section, store) is not None:
            self.fail(seg.rows[0][0], 'a second %s %s route list: two outputs were pasted together; give one route print output'
                      % (name, store))
        rows = [self.row(pos, kind, match, family, persistent_rows) for pos, kind, match in seg.rows]
        setattr(section, store, rows)
        if seg.closed_by == 'end':
            self.cut.add(family if store == 'active' else 'persistent%d' % family)
            self.notes.append('line %d: the %s %s route list ends without its closing ==== line; the output looks cut off there'
                              % (seg.rows[-1][0] + 1, name, store))
        return section

    def empty_tables(self, texts):
        """Read the tables whose lists hold no row: a family title, then each list's label and the word for none, as
        route print prints a table a destination filter leaves empty. Returns the text lines that are no such table."""
        rest = list(texts)
        while rest:
            family = self.title_family(rest[0][1])
            if family is None or self.sections[family] is not None:
                break
            body, empty = rest[1:], 0
            while (2 * empty + 1 < len(body) and empty < 2 and self.title_family(body[2 * empty][1]) is None
                   and body[2 * empty + 1][1].casefold() in _NONE_WORDS):
                empty += 1
            if not empty:
                break
            section = self.sections[family] = _Section(family)
            section.active = []
            if empty == 2:
                section.persistent = []
                section.persistent_label = body[2:3]
            else:
                self.cut.add('persistent%d' % family)
            rest = body[2 * empty:]
        return rest

    def finish_section(self, section, texts, at_end):
        """Give the text lines after a section's last list their meaning: the persistent label and its 'None' word."""
        if section is None:
            texts = self.empty_tables(texts)
            if texts and not at_end:
                self.unexpected(texts[0])
            return
        if section.persistent is not None:
            rest = texts
        else:
            head = texts[:2]
            rest = texts[2:]
            if len(head) == 2 and not self.title_family(head[1][1]):
                section.persistent = []
                section.persistent_label = head
            elif len(head) == 1 or (len(head) == 2 and self.title_family(head[1][1])):
                rest = texts[1:]
                self.cut.add('persistent%d' % section.family)
                self.notes.append('line %d: %r is not followed by the persistent routes; the output looks cut off there'
                                  % (head[0][0] + 1, head[0][1][:40]))
            else:
                rest = texts
        rest = self.empty_tables(rest)
        for item in rest:
            if at_end and _PROMPT.match(item[1]):
                continue
            self.fail(item[0], 'unexpected text %r %s' % (item[1][:60], 'after the route tables' if at_end else 'between sections'))

    # ------------------------------------------------------------------ rows
    @staticmethod
    def v4_row_kind(rows):
        """'active' (five columns) or 'persistent' (four, the last a number or a word): what most rows look like."""
        active = persistent = 0
        for _pos, _kind, raw in rows:
            if _V4_ACTIVE.match(raw):
                active += 1
            else:
                match = _V4_PERSISTENT.match(raw)
                if match and not re.match(r'^%s(?:\s|$)' % _A4, match.group(4)):
                    persistent += 1
        if not active and not persistent:
            return None
        return 'persistent' if persistent > active else 'active'

    def row(self, pos, kind, match, family, persistent):
        if family == V4:
            return self.v4_row(pos, match, persistent)
        return self.v6_row(pos, match, persistent)

    def address(self, pos, text, family, column):
        try:
            fam, value, zone = parse_address(text)
        except AddressSyntaxError:
            fam, value, zone = None, None, None
        if fam != family or zone is not None:
            self.fail(pos, '%s %r is not an %s address' % (column, text, FAMILY_NAME[family].replace('ip', 'IP')))
        return value

    def gateway(self, pos, text, family):
        """An address, or the word that stands for on-link (any language: the column holds nothing else)."""
        if any(ch.isdigit() for ch in text) or ':' in text:
            return self.address(pos, text, family, 'gateway')
        self.on_link_words.add(text)
        return None

    def metric(self, pos, text, persistent):
        if text.isascii() and text.isdigit():
            return int(text)
        if persistent and not any(ch.isdigit() for ch in text):
            self.default_words.add(text)
            return None
        self.fail(pos, 'metric %r is not a number' % text)
        return None  # pragma: no cover

    def cut_note(self, pos):
        return '; the output looks cut off here' if not any(line.strip() for line in self.lines[pos + 1:]) else ''

    def v4_row(self, pos, raw, persistent):
        match = (_V4_PERSISTENT if persistent else _V4_ACTIVE).match(raw)
        names = _V4_PERSISTENT_COLUMNS if persistent else _V4_ACTIVE_COLUMNS
        split = raw.split()
        if match and persistent and _V4_ACTIVE.match(raw):
            match = None
        if not match and len(split) == len(names):
            fields = tuple(split)     # the right number of columns, one of them wrong: say which
        elif not match:
            self.fail(pos, 'expected %d columns (%s), found %d%s' % (len(names), ', '.join(names), len(split), self.cut_note(pos)))
        else:
            fields = match.groups()
        dest = self.address(pos, fields[0], V4, 'destination')
        netmask = self.address(pos, fields[1], V4, 'netmask')
        inverted = ~netmask & 0xFFFFFFFF
        if inverted & (inverted + 1):
            self.fail(pos, 'netmask %s is not contiguous' % fields[1])
        plen = 32 - inverted.bit_length()
        if dest & inverted:
            self.fail(pos, 'destination %s has bits set outside netmask %s' % (fields[0], fields[1]))
        gateway = self.gateway(pos, fields[2], V4)
        row = _Line(pos + 1, family=V4, network=dest, plen=plen, gateway=gateway,
                    metric=self.metric(pos, fields[-1], persistent), text=raw.strip())
        if not persistent:
            row.fields['via'] = self.address(pos, fields[3], V4, 'interface')
        return row

    def v6_row(self, pos, match, persistent):
        if isinstance(match, tuple):
            match, gateway_text = match
            gateway_pos = pos + 1
        else:
            gateway_text, gateway_pos = match.group(4), pos
        index, metric_text, dest_text = match.group(1), match.group(2), match.group(3)
        try:
            family, network, plen = parse_prefix(dest_text)
        except AddressSyntaxError as exc:
            self.fail(pos, 'destination %r: %s' % (dest_text, exc))
        if family != V6:
            self.fail(pos, 'destination %s is not an IPv6 prefix' % dest_text)
        gateway = self.gateway(gateway_pos, gateway_text, V6)
        metric = int(metric_text)
        if persistent and metric == _UNSPECIFIED_METRIC_V6:
            metric = None
        return _Line(pos + 1, family=V6, network=network, plen=plen, gateway=gateway, metric=metric,
                     index=int(index), text=match.group(0).strip())

    # ------------------------------------------------------------------ refusal
    EXPECTED = ("expected the output of route print or netstat -rn: an Interface List, then IPv4 and IPv6 route tables "
                "with rows such as '0.0.0.0  0.0.0.0  192.0.2.1  192.0.2.20  25'")

    def refuse_foreign(self):
        """The route table of another system or tool is refused before its rows are mistaken for Windows rows."""
        whole = '\n'.join(self.lines).lower()
        if language_of(whole):
            return
        for pattern, what in _FOREIGN:
            if pattern.search(whole):
                raise ParseError('%s; found %s' % (self.EXPECTED, what))

    def refuse(self):
        """No route list at all: say what was expected and what the text is instead."""
        content = [(i, line.strip()) for i, line in enumerate(self.lines) if line.strip()]
        expected = self.EXPECTED
        if not content:
            raise ParseError('%s; found no text at all' % expected)
        whole = '\n'.join(line for _i, line in content).lower()
        for pattern, what in _FOREIGN:
            if pattern.search(whole):
                raise ParseError('%s; found %s' % (expected, what))
        if 'iflist' in self.cut:
            raise ParseError('line %d: %s; found an Interface List that ends without its closing ==== line and no route table '
                             '(the output looks cut off there)' % (content[-1][0] + 1, expected))
        if content[0][1][:1] in '{[':
            raise ParseError('%s; found JSON (read ConvertTo-Json output with winnet.routing.parse_netroute_json)' % expected)
        languages = language_of(whole)
        if languages:
            raise ParseError('line %d: %s; found the headings of route print in %s but no route rows under them '
                             '(cut off before the first row?)' % (content[-1][0] + 1, expected, ' / '.join(languages)))
        pos, first = content[0]
        if self.iflist is not None:
            raise ParseError('line %d: %s; found an Interface List but no route table after it (cut off?)' % (len(self.lines), expected))
        raise ParseError('line %d: %s; found %r and no route rows (and no headings of route print in English, German, French, '
                         'Spanish, Italian, Portuguese, Dutch, Polish, Russian, Czech, Turkish, Japanese, Chinese or Korean)'
                         % (pos + 1, expected, first[:60]))


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
        self.notes = list(doc.notes)
        self.partial = set()
        self.iflist = {r.index: r for r in (doc.iflist or [])}
        self.added = {}           # index -> line of the first route naming an interface missing from the Interface List
        self.group_index = {}     # IPv4 interface column address -> interface index (a stand-in when unpinned)
        self.standins = {}        # stand-in index -> {'alias':, 'candidates':, 'via':}
        self.metric = {}          # (family, index) -> interface metric (known)
        self.addresses = []       # (family, value, plen, index)
        self.loopback = None

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

    def find_loopback(self):
        """The Loopback Pseudo-Interface: the holder of ::1, else its description, else index 1 without an Interface List."""
        for row in self.doc.active[V6] or []:
            if row.network == 1 and row.plen == 128 and row.gateway is None:
                return row.index
        loop = [i for i, r in self.iflist.items() if kind_from_text(r.description) == 'loopback_pseudo']
        if len(loop) == 1:
            return loop[0]
        return 1 if not self.iflist else None

    def known_indexes(self):
        """Every interface index the output names: the Interface List and the IPv6 rows."""
        indexes = set(self.iflist)
        for row in (self.doc.active[V6] or []) + (self.doc.persistent[V6] or []):
            if row.index and row.index not in indexes:
                indexes.add(row.index)
                self.added.setdefault(row.index, row.number)
        return indexes

    def can_hold_ipv4(self, index):
        listed = self.iflist.get(index)
        return index != self.loopback and kind_from_text(listed.description if listed else None) in (None, 'loopback_adapter')

    def map_groups(self, groups, indexes):
        """Find the interface index behind each IPv4 interface column address; the ones left get stand-ins."""
        unmapped = []
        for via in groups:
            index = self.hints.address.get((V4, via))
            if index is None and via == 0x7F000001:
                index = self.loopback
            if index is None:
                unmapped.append(via)
            else:
                self.group_index[via] = index
        v6_indexes = {r.index for r in self.doc.active[V6] or []}

        def candidates():
            taken = set(self.group_index.values())
            return sorted(i for i in indexes if i not in taken and self.can_hold_ipv4(i))

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
        free = candidates()
        for via in unmapped:
            m4 = self.derive_v4_metric(via, groups[via])
            same = [v for v in unmapped if self.derive_v4_metric(v, groups[v]) == m4]
            by_metric = [i for i in free if i in v6_indexes and self.v6_metric_from_routes(i) == m4]
            if m4 is not None and by_metric and len(by_metric) == len(same):
                pool, why = by_metric, 'the interfaces whose IPv6 metric is its IPv4 metric (%d)' % m4
            else:
                pool, why = free, 'the interfaces not tied to another address'
            index = self.standin(groups[via][0].number, pool,
                                 'interface of %s' % format_address(V4, via), via=via)
            self.group_index[via] = index
            self.notes.append('line %d: route print does not tell which interface holds %s; its routes were kept on a stand-in '
                              'interface (index %d) marked with index_candidates %s (%s); give interfaces=[{index: N, addresses: [%s]}] '
                              'to tie it' % (groups[via][0].number, format_address(V4, via), index, pool or '[]', why,
                                             format_address(V4, via)))

    def standin(self, line, candidates, alias, via=None):
        """A stand-in for an interface whose index route print does not show: the highest indexes, counted down."""
        index = STANDIN_TOP - len(self.standins)
        if candidates:
            alias = '%s (one of %s)' % (alias, ', '.join(str(i) for i in candidates))
        self.standins[index] = {'alias': alias, 'candidates': list(candidates), 'via': via, 'line': line}
        self.partial.add('interfaces.index')
        return index

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

    def persistent_index(self, row, twins):
        """The interface of a persistent route: its IPv6 index, an identical active route's, or the on-link holder of its gateway."""
        family = row.family
        if family == V6 and row.index:
            return row.index, None
        found = twins.get((family, row.network, row.plen, row.gateway or 0), set())
        holders = set()
        if row.gateway is not None:
            holders = {index for fam, value, plen, index in self.addresses
                       if fam == family and plen < BITS[fam] and prefix_contains(fam, value & mask(fam, plen), plen, row.gateway)}
        if len(found) == 1:
            return next(iter(found)), (None if holders == found else 'an identical active route')
        if row.gateway is not None:
            if len(holders) == 1:
                return holders.pop(), None
            if holders and found:
                return None, sorted(holders & found) or sorted(holders | found)
            return None, sorted(holders | found)
        return None, sorted(found)

    def persistent_standin(self, family, row, pool):
        """All persistent routes whose interface is unknown share one stand-in per family."""
        key = ('persistent', family, tuple(pool))
        for index, info in self.standins.items():
            if info.get('key') == key:
                return index
        if not pool:
            pool = sorted(i for i in self.indexes if self.can_hold(i, family))
        index = self.standin(row.number, pool, 'interface of %s persistent routes' % FAMILY_NAME[family].replace('ip', 'IP'))
        self.standins[index]['key'] = key
        self.standins[index]['family'] = family
        return index

    def can_hold(self, index, family):
        if family == V4:
            return self.can_hold_ipv4(index) and index not in self.standins
        return index != self.loopback and index not in self.standins

    def build(self):
        doc = self.doc
        self.hints.resolve_aliases({i: r.description for i, r in self.iflist.items()})
        self.loopback = self.find_loopback()
        indexes = self.known_indexes() | set(self.hints.alias) | {i for (_f, i) in self.hints.metric}
        groups = self.v4_groups()
        self.map_groups(groups, indexes)
        for index in self.group_index.values():
            if index not in indexes and index not in self.standins:
                indexes.add(index)
                self.added.setdefault(index, None)
        self.indexes = indexes
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
        twins = {}
        for row in (doc.active[V4] or []) + (doc.active[V6] or []):
            index = self.group_index[row.via] if row.family == V4 else row.index
            twins.setdefault((row.family, row.network, row.plen, row.gateway or 0), set()).add(index)
        for family in (V4, V6):
            rows = doc.persistent[family]
            if rows is None or 'persistent%d' % family in doc.cut:
                if doc.active[family] is not None or rows is not None:
                    self.partial.add('routes.persistent')
            for row in rows or []:
                index, how = self.persistent_index(row, twins)
                text = '%s via %s' % (format_prefix(family, row.network, row.plen), format_address(family, row.gateway or 0))
                if index is None:
                    index = self.persistent_standin(family, row, how)   # how: the interfaces it could be on
                    self.notes.append('line %d: route print does not name the interface of persistent route %s and no single '
                                      'interface holds its gateway; it was kept on a stand-in interface (index %d) marked with '
                                      'index_candidates' % (row.number, text, index))
                elif how:
                    self.notes.append('line %d: persistent route %s takes interface %d from %s'
                                      % (row.number, text, index, how))
                if index not in indexes and index not in self.standins:
                    indexes.add(index)
                    self.added.setdefault(index, row.number)
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

    def completeness(self):
        """Partial items and notes for lists that are missing, cut off, or filtered to a few destinations."""
        doc = self.doc
        for family in (V4, V6):
            name = FAMILY_NAME[family]
            rows = doc.active[family]
            if rows is None:
                self.partial.add('routes.%s' % name)
                continue
            if family in doc.cut:
                self.partial.add('routes.%s' % name)
            loop = (0x7F000000, 8) if family == V4 else (1, 128)
            if not rows:
                self.partial.add('routes.%s' % name)
                self.notes.append('the %s active route list says none, but Windows always has the loopback route %s: the output '
                                  'holds only some of the routes (route print with a destination filter, such as route print 0.0.0.0)'
                                  % (name.replace('ip', 'IP'), format_prefix(family, *loop)))
            elif not any((r.network, r.plen) == loop for r in rows):
                self.partial.add('routes.%s' % name)
                self.notes.append('the %s active route list has no loopback route (%s): it holds only some of the routes '
                                  '(route print with a destination filter, or a part of the output)'
                                  % (name.replace('ip', 'IP'), format_prefix(family, *loop)))
        unknown = sorted(w for w in doc.on_link_words if w not in ON_LINK)
        if unknown:
            self.notes.append('the gateway column holds %s, read as on-link (the column holds an address or the word for on-link)'
                              % ', '.join(repr(w) for w in unknown))
        unknown = sorted(w for w in doc.default_words if w not in DEFAULT_METRIC)
        if unknown:
            self.notes.append('the persistent metric column holds %s, read as no metric of its own (Default)'
                              % ', '.join(repr(w) for w in unknown))
        if doc.iflist is None:
            self.notes.append('the output has no Interface List: the interfaces were taken from the routes, without descriptions')
            return
        for index in sorted(self.added):
            line = self.added[index]
            self.notes.append('interface %d %sis not in the Interface List; it was added from its routes'
                              % (index, '(line %d) ' % line if line else ''))

    def state(self, indexes, routes):
        self.completeness()
        routes = [ordered(item, ROUTE_ORDER) for item in routes]
        families_of = {}
        for item in routes:
            families_of.setdefault(item['interface'], set()).add(V6 if ':' in item['destination'] else V4)
        for fam, _value, _plen, index in self.addresses:
            families_of.setdefault(index, set()).add(fam)
        interfaces, taken = [], set()
        for index in sorted(indexes) + sorted(self.standins):
            listed = self.iflist.get(index)
            description = listed.description if listed else None
            standin = self.standins.get(index)
            wanted = standin['alias'] if standin else (self.hints.alias.get(index) or description)
            item = {'index': index, 'alias': unique_alias(wanted, index, taken)}
            if description:
                item['description'] = description
            kind = kind_from_text(description)
            if kind:
                item['kind'] = kind
            if listed is not None and listed.mac:
                item['mac'] = listed.mac
            if standin is not None:
                item[INDEX_CANDIDATES] = standin['candidates']
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
        state = {'schema': SCHEMA, 'source': 'route_print', 'interfaces': interfaces, 'addresses': addresses, 'routes': routes,
                 'partial': [p for p in PARTIAL_ORDER if p in self.partial]}
        if self.notes:
            state['parse_notes'] = self.notes
        return state


def parse_route_print(text, interfaces=None):
    """Read the output of ``route print`` (any display language) into a partial HostState dictionary.

    ``text`` is the text, or the bytes of a file (UTF-8, UTF-16 or an OEM code page, detected).
    ``interfaces`` optionally tells what route print cannot: a list (or one mapping, or the JSON
    text) of ``{index, alias, metric, addresses}`` entries, or ``Get-NetIPInterface`` /
    ``Get-NetIPAddress`` objects. A given metric overrides the derived one; given addresses tie an
    IPv4 interface column address to its interface index.
    """
    if not isinstance(text, (str, bytes, bytearray)):
        raise ParseError('route print output must be text, got %s' % type_name(text))
    text, how = decode(text, ALL_WORDS + NONE)
    hints = _Hints(interfaces)
    doc = _RoutePrintReader(text).read()
    if how:
        doc.notes.insert(0, how)
    return finish(_RoutePrintBuilder(doc, hints).build())
