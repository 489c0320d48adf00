# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encodings: every corpus output saved the ways Windows saves it reads to the same state.

``route print > file`` in cmd writes the OEM code page of the console, ``>`` in Windows PowerShell
5.1 writes UTF-16 LE with a byte order mark, ``Out-File -Encoding utf8`` writes UTF-8 with one;
the text can also reach the filter already decoded the wrong way (UTF-8 bytes Ansible kept as
surrogate escapes, OEM bytes shown as Latin-1). Each way must give the facts of the original.
"""

from __future__ import annotations

import importlib
import os

import pytest
import yaml

from ansible_collections.winnet.routing.plugins.module_utils.errors import ParseError
from ansible_collections.winnet.routing.plugins.module_utils.textcodec import decode

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'route_print_corpus')
OEM = {'en': 'cp437', 'de': 'cp850', 'fr': 'cp850', 'es': 'cp850', 'it': 'cp850', 'pt': 'cp850', 'nl': 'cp850', 'pl': 'cp852',
       'cs': 'cp852', 'ru': 'cp866', 'tr': 'cp857', 'ja': 'cp932', 'zh-CN': 'cp936', 'zh-TW': 'cp950', 'ko': 'cp949'}


def _utf8_outputs():
    """(name, text, language) of the corpus outputs stored as UTF-8 (the others test the code pages themselves)."""
    found = []
    for name in sorted(n[:-4] for n in os.listdir(CORPUS) if n.endswith('.bin')):
        with open(os.path.join(CORPUS, name + '.bin'), 'rb') as handle:
            data = handle.read()
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError:
            continue
        if '\x00' in text:   # UTF-16 of ASCII text is valid UTF-8 too
            continue
        with open(os.path.join(CORPUS, name + '.source.yml'), encoding='utf-8') as handle:
            language = yaml.safe_load(handle)['language']
        found.append((name, text.lstrip('\ufeff'), language))
    return found


OUTPUTS = _utf8_outputs()


def _parse(value):
    module = importlib.import_module('ansible_collections.winnet.routing.plugins.filter.parse_route_print')
    state = module.FilterModule().filters()['parse_route_print'](value)
    state.pop('parse_notes', None)
    return state


def _variants(text, language):
    oem = OEM[language]
    variants = [('utf-16 with bom', text.encode('utf-16')), ('utf-16-le without bom', text.encode('utf-16-le')),
                ('utf-16-be without bom', text.encode('utf-16-be')), ('utf-8 with bom', text.encode('utf-8-sig')),
                ('utf-8 as surrogate escapes', text.encode('utf-8').decode('ascii', 'surrogateescape'))]
    try:
        raw = text.encode(oem)
    except UnicodeEncodeError:
        return variants
    variants.append(('%s bytes' % oem, raw))
    if len(oem) == 5 and any(ch > '\x7f' for ch in text):   # single-byte code pages: the same bytes shown as Latin-1
        variants.append(('%s shown as latin-1' % oem, raw.decode('latin-1')))
    return variants


CASES = [pytest.param(text, how, value, id='%s/%s' % (name, how)) for name, text, language in OUTPUTS
         for how, value in _variants(text, language)]


def test_every_language_has_utf8_outputs_to_vary():
    assert len(OUTPUTS) >= 30 and len({language for _n, _t, language in OUTPUTS}) >= 12


@pytest.mark.parametrize('text, how, value', CASES)
def test_saved_another_way_reads_the_same(text, how, value):
    assert _parse(value) == _parse(text), how


@pytest.mark.parametrize('data, text, how', [
    (b'\xef\xbb\xbfIPv4', 'IPv4', 'UTF-8 with a byte order mark'),
    (b'\xff\xfeI\x00P\x00v\x004\x00', 'IPv4', 'UTF-16 LE with a byte order mark'),
    (b'\xfe\xff\x00I\x00P\x00v\x004', 'IPv4', 'UTF-16 BE with a byte order mark'),
    ('I\x00P\x00v\x004\x00 \x00r\x00o\x00u\x00t\x00e\x00', 'IPv4 route', 'UTF-16 read as 8-bit characters'),
    ('St\x84ndige Routen:'.encode('latin-1').decode('utf-8', 'surrogateescape'), 'Ständige Routen:', 'code page 850'),
    ('Ständige Routen:'.encode('utf-8').decode('cp1252'), 'Ständige Routen:', 'wrong code page'),
    ('Ständige Routen:', 'Ständige Routen:', None),
])
def test_decode(data, text, how):
    got, note = decode(data, ('Ständige Routen:',))
    assert got == text
    assert (note is None) if how is None else (how in note)


def test_decode_bad_utf16_after_its_byte_order_mark():
    with pytest.raises(ParseError, match=r'^the text starts with the byte order mark of UTF-16 LE but is not valid UTF-16 LE'):
        decode(b'\xff\xfeA\x00\x00\xd8')
