# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn an export (bytes, or text that went through the wrong decoding) back into the text Windows wrote.

Windows writes exports in many encodings: ``route print > file`` in cmd uses the console's OEM code page
(437, 850, 852, 857, 866, 932, 936, 949, 950...), ``> file`` in Windows PowerShell 5.1 writes UTF-16 LE
with a byte order mark, PowerShell 7 and ``Out-File -Encoding utf8`` write UTF-8 (with or without BOM),
``Set-Content`` writes the ANSI code page. Text that was already decoded can still carry the damage:
UTF-16 read as an 8-bit code page (a NUL after every character), bytes Ansible could not decode as UTF-8
(kept as surrogate escapes), or OEM / UTF-8 bytes shown through another code page (``St„ndige`` for
``Ständige``).

``decode(value, words)`` returns ``(text, how)``: the text, and ``None`` when it was plain UTF-8 text,
else one sentence saying how it was decoded (for ``parse_notes``). ``words`` are strings whose presence
makes a candidate decoding more credible (the localized headings of ``route print``, for example).
Only ``ParseError`` is raised, when nothing gives text.
"""

from __future__ import annotations

import codecs
import collections
import re
import unicodedata

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError

__all__ = ['decode', 'SINGLE_BYTE', 'DOUBLE_BYTE']

# OEM code pages of the consoles of the display languages, then the ANSI code pages of the same
# languages, in the order of preference when two decodings score the same.
SINGLE_BYTE = ('cp850', 'cp437', 'cp852', 'cp866', 'cp857', 'cp1252', 'cp1250', 'cp1251', 'cp1254')
DOUBLE_BYTE = ('cp932', 'cp936', 'cp949', 'cp950')
_SCRIPTS = ('LATIN', 'CYRILLIC', 'GREEK', 'CJK', 'HIRAGANA', 'KATAKANA', 'HANGUL', 'ARABIC', 'HEBREW', 'THAI')
_BOMS = ((codecs.BOM_UTF8, 'utf-8-sig', 'UTF-8 with a byte order mark'),
         (codecs.BOM_UTF32_LE, 'utf-32', 'UTF-32 with a byte order mark'),
         (codecs.BOM_UTF32_BE, 'utf-32', 'UTF-32 with a byte order mark'),
         (codecs.BOM_UTF16_LE, 'utf-16', 'UTF-16 LE with a byte order mark'),
         (codecs.BOM_UTF16_BE, 'utf-16', 'UTF-16 BE with a byte order mark'))


def _script(char):
    name = unicodedata.name(char, '')
    for script in _SCRIPTS:
        if name.startswith(script):
            return script
    return None


_NON_ASCII = re.compile('[^\x00-\x7f]')
_NON_ASCII_RUN = re.compile('[^\x00-\x7f]{3,}')
_CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f]')


def credibility(text, words=()):
    """A score for how much ``text`` looks like text a person or Windows wrote (higher is better)."""
    score = -5 * len(_CONTROL.findall(text))
    scripts = set()
    for char, count in collections.Counter(_NON_ASCII.findall(text)).items():
        category = unicodedata.category(char)
        if category.startswith('L'):
            score += count
            script = _script(char)
            if script:
                scripts.add(script)
        elif char == '\ufffd' or category.startswith('C'):
            score -= 10 * count
        elif category.startswith('S') or category.startswith('M'):
            score -= 3 * count
        elif category.startswith('P') and char not in '\u2018\u2019\u201c\u201d\u00ab\u00bb\u3001\u3002\uff1a':
            score -= count
    if len(scripts - {'LATIN'}) > 1 or ('LATIN' in scripts and len(scripts) > 2):
        score -= 20 * (len(scripts) - 1)
    # Accented Latin letters sit between plain ones (Ständige, réseau); three in a row are another
    # script read through a Latin code page (Ñåòü is Сеть in code page 1251).
    for run in _NON_ASCII_RUN.findall(text):
        latin = sum(1 for char in run if _script(char) == 'LATIN')
        if latin >= 3:
            score -= 3 * latin
    lowered = text.lower()
    score += 25 * sum(1 for word in words if word.lower() in lowered)
    return score


def _utf16_without_bom(data):
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 without a byte order mark, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) // 2
    if odd > half * 0.3 and even < half * 0.05:
        return 'utf-16-le'
    if even > half * 0.3 and odd < half * 0.05:
        return 'utf-16-be'
    return None


def _best(candidates, words):
    """The (score, text, encoding) with the best credibility; ties keep the earlier candidate.

    A decoding that swallows ASCII characters into two-byte characters loses credibility: the
    digits, dots and Latin letters of an export are ASCII in every code page Windows uses."""
    best = None
    ascii_max = max((len(text) - len(_NON_ASCII.findall(text)) for _encoding, text in candidates), default=0)
    for encoding, text in candidates:
        lost = ascii_max - (len(text) - len(_NON_ASCII.findall(text)))
        score = credibility(text, words) - 3 * lost
        if best is None or score > best[0]:
            best = (score, text, encoding)
    return best


def _decode_bytes(data, words):
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), 'the file is %s' % label
            except UnicodeDecodeError as exc:
                name = label.split(' with', maxsplit=1)[0]
                raise ParseError('the text starts with the byte order mark of %s but is not valid %s at byte %d'
                                 % (name, name, exc.start)) from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), 'the file is %s without a byte order mark' % utf16.upper().replace('-LE', ' LE').replace('-BE', ' BE')
        except UnicodeDecodeError:
            pass
    try:
        return data.decode('utf-8'), None
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in DOUBLE_BYTE + SINGLE_BYTE:
        try:
            candidates.append((encoding, data.decode(encoding)))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise ParseError('the bytes are neither UTF-8, UTF-16 nor one of the code pages %s' % ', '.join(DOUBLE_BYTE + SINGLE_BYTE))
    _score, text, encoding = _best(candidates, words)
    return text, 'the file is not UTF-8; it was read as code page %s, the one whose text makes sense' % encoding[2:]


def _mojibake(text, words):
    """Text that is OEM or UTF-8 bytes shown through another 8-bit code page, repaired; else None."""
    if all(char < '\x80' for char in text):
        return None
    base = credibility(text, words)
    candidates = []
    for shown_as in ('cp1252', 'latin-1', 'cp850', 'cp437'):
        try:
            raw = text.encode(shown_as)
        except UnicodeEncodeError:
            continue
        for written_as in ('utf-8',) + DOUBLE_BYTE + SINGLE_BYTE:
            if written_as == shown_as:
                continue
            try:
                candidates.append(('%s shown as %s' % (written_as, shown_as), raw.decode(written_as)))
            except UnicodeDecodeError:
                continue
    best = _best(candidates, words)
    if best is None or best[0] <= base + 10:
        return None
    return best[1], 'the text had been decoded with the wrong code page (%s); it was repaired' % best[2].replace('cp', 'code page ')


def decode(value, words=()):
    """(text, how): see the module docstring. ``value`` is bytes, bytearray or str."""
    if isinstance(value, (bytes, bytearray)):
        text, how = _decode_bytes(bytes(value), words)
    elif isinstance(value, str):
        text, how = value, None
        if any('\udc80' <= char <= '\udcff' for char in text):
            # bytes that were not UTF-8, kept by a surrogate-escaping decoder (Ansible's file lookup)
            text, how = _decode_bytes(text.encode('utf-8', 'surrogateescape'), words)
        elif text.count('\x00') > len(text) // 4 and all(char <= '\xff' for char in text):
            # UTF-16 read as an 8-bit code page: the NUL halves of each character are still there
            text, how = _decode_bytes(text.encode('latin-1'), words)
            how = 'the text was UTF-16 read as 8-bit characters; it was decoded again (%s)' % how
    else:
        raise TypeError(type(value).__name__)
    text = text.lstrip('\ufeff')
    repaired = _mojibake(text, words)
    if repaired is not None:
        text, how = repaired
    return text, how
