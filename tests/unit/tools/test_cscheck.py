"""The C# static checker fails on what Add-Type in Windows PowerShell 5.1 cannot compile, and passes C# 5."""

from __future__ import annotations

import os

import pytest

CLEAN = b"""using System;
using System.Runtime.InteropServices;

namespace ansible_collections.winnet.routing.plugins.module_utils.Sample
{
    internal class NativeMethods
    {
        [DllImport("setupapi.dll", SetLastError = true)]
        public static extern bool SetupDiDestroyDeviceInfoList(IntPtr DeviceInfoSet);
    }

    public static class Sample
    {
        public static string Describe(int value)
        {
            int parsed;
            Int32.TryParse("1", out parsed);
            return String.Format("{0} {1} {2}", value, parsed, default(int));
        }
    }
}
"""
NAMESPACE = 'ansible_collections.winnet.routing.plugins.module_utils.Sample'


def test_clean_csharp5_passes(cscheck):
    assert not cscheck.check_source(CLEAN, 'Sample.cs', NAMESPACE)


@pytest.mark.parametrize('body, code', [
    (b'public static string F(int x) { return $"v{x}"; }', 'csharp5'),
    (b'public static int? F(string s) { return s?.Length; }', 'csharp5'),
    (b'public static int F() => 1;', 'csharp5'),
    (b'public static void F() { Int32.TryParse("1", out var x); }', 'csharp5'),
    (b'public static string F(string s) { return s ?? throw new Exception(); }', 'csharp5'),
    (b'public static string F() { return nameof(F); }', 'csharp5'),
    (b'public static int X { get; set; } = 1;', 'csharp5'),
    (b'public static int F() { int x = default; return x; }', 'csharp5'),
    (b'public static void F() { int G() { return 1; } }', 'csharp5'),
    (b'public static int F() { return 1 }', 'syntax'),
])
def test_newer_or_broken_code_fails(cscheck, body, code):
    source = b'namespace ' + NAMESPACE.encode() + b' { public static class S { ' + body + b' } }'
    findings = cscheck.check_source(source, 'Sample.cs', NAMESPACE)
    assert code in [finding.code for finding in findings], [str(finding) for finding in findings]


def test_wrong_namespace_fails(cscheck):
    source = CLEAN.replace(b'module_utils.Sample', b'module_utils.Other')
    assert [finding.code for finding in cscheck.check_source(source, 'Sample.cs', NAMESPACE)] == ['namespace']


def test_expected_namespace_follows_galaxy_and_path(cscheck):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert cscheck.expected_namespace(root, os.path.join('plugins', 'module_utils', 'LoopbackAdapter.cs')) == \
        'ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter'


def test_collection_csharp_passes(cscheck, capsys):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert cscheck.discover(root)
    assert cscheck.main(['check', '--root', root]) == 0
    assert '0 problem(s)' in capsys.readouterr().out
