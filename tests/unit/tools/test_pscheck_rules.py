"""pscheck's rules for what a review of the Windows side found: culture-dependent formats, wildcard
-Name parameters fed from data, stores left to a default, encodings left to a default."""

from __future__ import annotations

import os
import textwrap

import pytest

from conftest import load_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def findings(pscheck, table, source, code):
    tree = pscheck.parse(textwrap.dedent(source))
    found = pscheck.check_culture(tree, 'sample.psm1') + pscheck.check_parameters_that_bite(tree, 'sample.psm1', table)
    return [f for f in found if f.code == code]


# ------------------------------------------------------------------------------- culture
@pytest.mark.parametrize('source', [
    "$at = $when.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')",     # ':' is the culture's time separator
    "$text = (Get-Date).ToString('HH:mm')",
    "$text = $metric.ToString('N0')",
    "$text = $when.ToString($format)",
    "$text = Get-Date -Format 'yyyyMMdd'",
    "$text = Get-Date -UFormat '%Y'",
    "$text = '{0:yyyy-MM-dd}' -f $when",
])
def test_culture_dependent_formats_are_caught(pscheck, table, source):
    found = findings(pscheck, table, source, 'culture')
    assert len(found) == 1, found
    assert 'culture' in found[0].message


@pytest.mark.parametrize('source', [
    "$at = $when.ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)",
    "$at = $when.ToString('o')",
    "$at = $when.ToString('u')",
    "$text = $version.ToString()",
    "$text = Get-Date -Format o",
    "$text = '{0} of {1}' -f $done, $total",
])
def test_invariant_formats_pass(pscheck, table, source):
    assert findings(pscheck, table, source, 'culture') == []


# ------------------------------------------------------------------------------- wildcard
@pytest.mark.parametrize('source', [
    'Get-NetFirewallRule -Name $Operation.name',
    'Remove-NetFirewallRule -Name "$prefix-rule" -Confirm:$false',
    '$query = @{ Name = $name }\nGet-NetAdapter @query',
    'Rename-NetAdapter -Name $old -NewName $new',
    'Get-NetIPAddress -InterfaceAlias $alias',
    'Get-NetFirewallRule -DisplayName $Operation.name',
])
def test_wildcard_parameters_fed_from_data_are_caught(pscheck, table, source):
    found = findings(pscheck, table, source, 'wildcard')
    assert len(found) == 1, found
    assert 'takes wildcard characters' in found[0].message and 'a name holding * or ? would select other objects' in found[0].message


@pytest.mark.parametrize('source', [
    "Get-NetFirewallRule -Group 'winnet.routing' -PolicyStore PersistentStore",
    "$group = 'winnet.routing'\nGet-NetFirewallRule -Group $group",            # a variable holding a literal is that literal
    'New-NetFirewallRule -Name $Operation.name -DisplayName $Operation.name -Direction Inbound',   # names a new rule
    'Get-NetAdapter -InterfaceIndex $Operation.interface',
    'Remove-NetFirewallRule -InputObject $rule -Confirm:$false',
    'Get-NetAdapterBinding -ComponentID $component',
])
def test_exact_selections_pass(pscheck, table, source):
    assert findings(pscheck, table, source, 'wildcard') == []


# ------------------------------------------------------------------------------- policystore
@pytest.mark.parametrize('source, cmdlet', [
    ('Remove-NetIPAddress -IPAddress $a -InterfaceIndex $i -Confirm:$false', 'Remove-NetIPAddress'),
    ('Set-NetIPAddress -IPAddress $a -SkipAsSource $true', 'Set-NetIPAddress'),
    ('$s = @{ InterfaceIndex = $i; InterfaceMetric = 5 }\nSet-NetIPInterface @s', 'Set-NetIPInterface'),
    ('Remove-NetRoute -DestinationPrefix $d -Confirm:$false', 'Remove-NetRoute'),
    ('Remove-NetFirewallRule -DisplayName $x', 'Remove-NetFirewallRule'),
])
def test_stores_left_to_a_default_are_caught(pscheck, table, source, cmdlet):
    found = findings(pscheck, table, source, 'policystore')
    assert len(found) == 1, found
    assert found[0].message.startswith('%s without -PolicyStore' % cmdlet)


@pytest.mark.parametrize('source', [
    "Remove-NetIPAddress -IPAddress $a -PolicyStore 'PersistentStore' -Confirm:$false",
    "$s = @{ InterfaceIndex = $i }\n$s.PolicyStore = 'ActiveStore'\nSet-NetIPInterface @s",
    'Remove-NetFirewallRule -InputObject $rule',
    'Set-DnsClient -InterfaceIndex $i -RegisterThisConnectionsAddress $false',   # no policy stores
    'Get-NetIPAddress -InterfaceIndex $i',                                       # reads are not changes
])
def test_named_stores_pass(pscheck, table, source):
    assert findings(pscheck, table, source, 'policystore') == []


# ------------------------------------------------------------------------------- encoding
@pytest.mark.parametrize('source, good', [
    ('Set-Content -LiteralPath $p -Value $t', False),
    ('Get-Content -LiteralPath $p -Raw', False),
    ("$t | Out-File -FilePath 'x.json'", False),
    ('Add-Content -LiteralPath $p -Value $t', False),
    ('Set-Content -LiteralPath $p -Value $t -Encoding UTF8', True),
    ('Get-Content -LiteralPath $p -Raw -Encoding UTF8', True),
])
def test_encodings_are_named(pscheck, table, source, good):
    assert (findings(pscheck, table, source, 'encoding') == []) is good


# ------------------------------------------------------------------------------- constants and Start-Process
def test_a_variable_assigned_once_from_a_literal_is_a_constant(pscheck):
    tree = pscheck.parse(textwrap.dedent("""
        $once = '-NoProfile -Command "Get-Date"'
        $twice = 'a'
        $twice = 'b'
        $computed = "$once"
        foreach ($item in $list) { }
        Get-Thing -ErrorVariable readErrors
        $readErrors = 'x'
        """))
    assert pscheck.constants(tree) == frozenset({'once'})


def test_start_process_with_a_literal_command_line_in_a_splat_passes(pscheck):
    source = textwrap.dedent("""
        $commandLine = '-NoProfile -NonInteractive -Command "Test-WinnetRollback"'
        $check = @{ FilePath = 'powershell.exe'; ArgumentList = $commandLine; WorkingDirectory = $directory; Wait = $true }
        $process = Start-Process @check
        """)
    assert pscheck.check_injection(pscheck.parse(source), 'x.psm1') == []


@pytest.mark.parametrize('value', ['$Operation.command', '"-Command $x"', '$notConstant'])
def test_start_process_with_data_in_a_splat_is_caught(pscheck, value):
    source = "$notConstant = 'a'\n$notConstant = 'b'\n$check = @{ FilePath = 'powershell.exe'; ArgumentList = %s }\nStart-Process @check\n" % value
    found = pscheck.check_injection(pscheck.parse(source), 'x.psm1')
    assert len(found) == 1 and 'splatted as ArgumentList' in found[0].message


# ------------------------------------------------------------------------------- the collection and the table
def test_the_collection_powershell_follows_the_rules(pscheck, table):
    for name in pscheck.discover(ROOT):
        with open(os.path.join(ROOT, name), 'rb') as handle:
            tree = pscheck.parse(handle.read())
        assert pscheck.check_culture(tree, name) + pscheck.check_parameters_that_bite(tree, name, table) == [], name


@pytest.mark.parametrize('cmdlet, parameter', [
    ('Get-NetFirewallRule', 'Name'), ('Remove-NetFirewallRule', 'Name'), ('Get-NetAdapter', 'Name'), ('Rename-NetAdapter', 'Name'),
])
def test_the_table_knows_which_parameters_take_wildcards(table, cmdlet, parameter):
    assert parameter.lower() in table.cmdlets[cmdlet.lower()].wildcards


def test_the_table_generator_reads_wildcards_from_field_sentence_and_examples():
    updater = load_tool('update_cmdlet_table')
    page = textwrap.dedent('''\
        ---
        title: Get-Thing
        Module Name: Things
        ---
        # Get-Thing
        ## SYNTAX
        ```
        Get-Thing [-Name <String[]>] [-Label <String[]>] [-Path <String>] [-Index <Int32>]
        ```
        ## EXAMPLES
        ### Example 1
        ```
        PS C:\\> Get-Thing -Label "web*"
        ```
        ## PARAMETERS
        ### -Name
        Specifies the names. Wildcard characters are accepted.
        ```yaml
        Accept wildcard characters: False
        ```
        ### -Label
        Specifies labels.
        ```yaml
        Accept wildcard characters: False
        ```
        ### -Path
        Specifies a path.
        ```yaml
        Accept wildcard characters: True
        ```
        ### -Index
        Specifies an index. Wildcard characters are not permitted.
        ```yaml
        Accept wildcard characters: False
        ```
        ''')
    name, entry = updater.parse_cmdlet_page(page)
    assert name == 'Get-Thing'
    assert entry['wildcards'] == ['Label', 'Name', 'Path']


# ------------------------------------------------------------------------------- the rules through the command line
FAULTY_UTIL = '''\
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

Function Remove-WinnetThing {
    param([object] $Operation, [string] $Path)
    $at = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    Remove-NetFirewallRule -Name $Operation.name -Confirm:$false
    Remove-NetIPAddress -InterfaceIndex $Operation.interface -IPAddress $Operation.address -Confirm:$false
    Set-Content -LiteralPath $Path -Value $at
}

Export-ModuleMember -Function 'Remove-WinnetThing'
'''


def test_each_rule_fails_the_check_command_on_a_faulty_util(pscheck, tmp_path, capsys):
    # The gate runs `pscheck.py check`: the faulty lines make it fail, naming each rule they break
    # (the firewall call breaks two), and the same file with the lines fixed passes.
    path = tmp_path / 'plugins' / 'module_utils' / 'WinnetFaulty.psm1'
    path.parent.mkdir(parents=True)
    path.write_text(FAULTY_UTIL, encoding='utf-8')
    assert pscheck.main(['check', '--root', str(tmp_path), 'plugins/module_utils/WinnetFaulty.psm1']) == 1
    out = capsys.readouterr().out
    found = sorted(line.split(': ')[1] for line in out.splitlines() if line.startswith('plugins/'))
    assert found == ['culture', 'encoding', 'policystore', 'policystore', 'wildcard'], out
    fixed = (FAULTY_UTIL
             .replace(".ToString('yyyy-MM-ddTHH:mm:ssZ')", ".ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)")
             .replace('Remove-NetFirewallRule -Name $Operation.name', 'Remove-NetFirewallRule -InputObject $Operation.rule')
             .replace('-IPAddress $Operation.address -Confirm', '-IPAddress $Operation.address -PolicyStore ActiveStore -Confirm')
             .replace('-Value $at', '-Value $at -Encoding UTF8'))
    path.write_text(fixed, encoding='utf-8')
    assert pscheck.main(['check', '--root', str(tmp_path), 'plugins/module_utils/WinnetFaulty.psm1']) == 0, capsys.readouterr().out
