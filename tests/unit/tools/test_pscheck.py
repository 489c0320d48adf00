"""The PowerShell static checker fails on what it exists to catch, and passes clean code."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

HEADER = """#!powershell

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
"""

SPEC = """
$spec = @{
    options = @{
        destination = @{ type = 'str'; required = $true }
        next_hop = @{ type = 'str'; default = '0.0.0.0' }
        interface = @{ type = 'int'; required = $true }
        metric = @{ type = 'int' }
        store = @{ type = 'str'; choices = 'active', 'persistent', 'both'; default = 'both' }
        state = @{ type = 'str'; choices = @('present', 'absent'); default = 'present' }
        routes = @{
            type = 'list'
            elements = 'dict'
            options = @{
                destination = @{ type = 'str'; required = $true }
                metric = @{ type = 'int'; default = -1 }
            }
        }
        purge = @{ type = 'bool'; default = $false; aliases = 'exclusive' }
    }
    mutually_exclusive = @(, @('destination', 'routes'))
    supports_check_mode = $true
}
"""

CREATE = """
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
"""

CLEAN_BODY = """
Function Get-WinnetRoute {
    [CmdletBinding()]
    param (
        [Parameter(Mandatory = $true)]
        [string]$Destination,
        [int]$Index
    )
    Get-NetRoute -DestinationPrefix $Destination -InterfaceIndex $Index -ErrorAction SilentlyContinue
}

$routeArgs = @{
    DestinationPrefix = $module.Params.destination
    InterfaceIndex = $module.Params.interface
    NextHop = $module.Params.next_hop
    PolicyStore = 'ActiveStore'
}
if ($null -ne $module.Params.metric) {
    $routeArgs.RouteMetric = $module.Params.metric
}
$routeArgs['Confirm'] = $false
$existing = Get-WinnetRoute -Destination $module.Params.destination -Index $module.Params.interface -Verbose
if (-not $existing) {
    try {
        New-NetRoute @routeArgs -WhatIf:$module.CheckMode | Out-Null
    }
    catch {
        $module.FailJson("Failed to add route $($module.Params.destination): $($_.Exception.Message)", $_)
    }
    $module.Result.changed = $true
}
$module.Result.routes = @(Get-NetRoute -InterfaceIndex $module.Params.interface | Where-Object { $_.RouteMetric -gt 0 } |
        Select-Object -Property 'DestinationPrefix', 'NextHop' | Sort-Object -Property 'DestinationPrefix')
$module.ExitJson()
"""

CLEAN_MODULE = HEADER + SPEC + CREATE + CLEAN_BODY


def run_check(pscheck, table, tmp_path, source, relpath='plugins/modules/sample.ps1', files=None):
    """Write ``source`` (and extra files) under a throwaway collection root and check it."""
    for name, content in dict(files or {}, **{relpath: source}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content) if name != relpath else content, encoding='utf-8')
    return pscheck.check_file(str(tmp_path / relpath), table, str(tmp_path), relpath)


def codes(findings):
    """The finding codes, for compact assertions."""
    return sorted(finding.code for finding in findings)


def messages(findings):
    """All messages as one string."""
    return '\n'.join(str(finding) for finding in findings)


def test_clean_module_passes(pscheck, table, tmp_path):
    assert run_check(pscheck, table, tmp_path, CLEAN_MODULE) == []


def test_clean_module_util_passes(pscheck, table, tmp_path):
    util = textwrap.dedent("""
        # GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

        Function Set-WinnetInterfaceMetric {
            [CmdletBinding(SupportsShouldProcess = $true)]
            param (
                [Parameter(Mandatory = $true)]
                [int]$Index,
                [int]$Metric
            )
            Set-NetIPInterface -InterfaceIndex $Index -InterfaceMetric $Metric -AddressFamily IPv4 -PolicyStore ActiveStore -WhatIf:$WhatIfPreference
        }

        Export-ModuleMember -Function 'Set-WinnetInterfaceMetric'
        """)
    assert run_check(pscheck, table, tmp_path, util, relpath='plugins/module_utils/Winnet.psm1') == []


def test_syntax_error_fails(pscheck, table, tmp_path):
    broken = CLEAN_MODULE.replace('if (-not $existing) {', 'if (-not $existing {')
    findings = run_check(pscheck, table, tmp_path, broken)
    assert 'syntax' in codes(findings)


def test_unclosed_hashtable_fails(pscheck, table, tmp_path):
    findings = run_check(pscheck, table, tmp_path, HEADER + "$x = @{ a = 1\nWrite-Output $x\n", relpath='plugins/module_utils/x.psm1')
    assert 'syntax' in codes(findings)


def test_misspelled_parameter_fails(pscheck, table, tmp_path):
    source = CLEAN_MODULE + "Remove-NetRoute -DestinationPrefx '192.0.2.0/24' -PolicyStore ActiveStore -Confirm:$false\n"
    findings = run_check(pscheck, table, tmp_path, source)
    assert codes(findings) == ['parameter']
    assert '-DestinationPrefx is not a parameter of Remove-NetRoute (did you mean -DestinationPrefix?)' in messages(findings)


def test_metric_on_set_netroute_fails(pscheck, table, tmp_path):
    source = CLEAN_MODULE + "Set-NetRoute -DestinationPrefix '192.0.2.0/24' -InterfaceIndex 3 -PolicyStore ActiveStore -Metric 10\n"
    findings = run_check(pscheck, table, tmp_path, source)
    assert codes(findings) == ['parameter']
    assert '-Metric is not a parameter of Set-NetRoute' in messages(findings)


def test_route_metric_on_set_netroute_passes(pscheck, table, tmp_path):
    source = CLEAN_MODULE + "Set-NetRoute -DestinationPrefix '192.0.2.0/24' -InterfaceIndex 3 -PolicyStore ActiveStore -RouteMetric 10\n"
    assert run_check(pscheck, table, tmp_path, source) == []


@pytest.mark.parametrize('call, expected', [
    ("Get-NetRoute -DestinationPref '192.0.2.0/24'", '-DestinationPref abbreviates -DestinationPrefix on Get-NetRoute'),
    ("Get-NetRoute -ifIndex 3", '-ifIndex is an alias of -InterfaceIndex on Get-NetRoute'),
    ("Get-NetRoute -InterfaceIndex 3 -ea Stop", '-ea is an alias of -ErrorAction'),
    ("Get-NetRoute -InterfaceIndex 3 -ErrorAct Stop", '-ErrorAct abbreviates -ErrorAction'),
    ("Get-NetRoute -WhatIf", '-WhatIf is not a parameter of Get-NetRoute'),
    ("Set-NetIPInterface -InterfaceIndex 3 -Metric 5", '-Metric is not a parameter of Set-NetIPInterface'),
    ("New-NetRoute -DestinationPrefix '192.0.2.0/24' -InterfaceIndex 3 -InterfaceAlias 'NIC1' -NextHop '0.0.0.0'",
     'New-NetRoute takes no parameter set with all of'),
    ("Get-Foo -Bar 1", 'unknown command Get-Foo'),
    ("Get-NetRoute | % { $_ }", 'unknown command %'),
])
def test_wrong_calls_fail(pscheck, table, tmp_path, call, expected):
    findings = run_check(pscheck, table, tmp_path, CLEAN_MODULE + call + '\n')
    assert findings, call
    assert expected in messages(findings)


def test_misspelled_splat_key_fails(pscheck, table, tmp_path):
    source = CLEAN_MODULE.replace('PolicyStore = ', 'PolicyStor = ')
    findings = run_check(pscheck, table, tmp_path, source)
    assert '@routeArgs: -PolicyStor abbreviates -PolicyStore on New-NetRoute' in messages(findings)


def test_misspelled_splat_addition_fails(pscheck, table, tmp_path):
    source = CLEAN_MODULE.replace('$routeArgs.RouteMetric = ', '$routeArgs.Metric = ')
    findings = run_check(pscheck, table, tmp_path, source)
    assert '@routeArgs: -Metric is not a parameter of New-NetRoute' in messages(findings)


def test_splat_keys_from_exclusive_branches_pass(pscheck, table, tmp_path):
    source = CLEAN_MODULE + textwrap.dedent('''
        $target = @{ DestinationPrefix = '192.0.2.0/24' }
        if ($module.Params.interface -is [int]) {
            $target.InterfaceIndex = $module.Params.interface
        }
        else {
            $target.InterfaceAlias = $module.Params.interface
        }
        New-NetRoute @target -NextHop '0.0.0.0'
        ''')
    assert run_check(pscheck, table, tmp_path, source) == []


def test_unresolvable_splat_fails(pscheck, table, tmp_path):
    findings = run_check(pscheck, table, tmp_path, CLEAN_MODULE + 'Get-NetRoute @PSBoundParameters\n')
    assert 'cannot resolve splat @PSBoundParameters' in messages(findings)


def test_local_function_parameters_are_checked(pscheck, table, tmp_path):
    source = CLEAN_MODULE + 'Get-WinnetRoute -Destination x -Idx 3\n'
    findings = run_check(pscheck, table, tmp_path, source)
    assert '-Idx is not a parameter of Get-WinnetRoute' in messages(findings)


def test_function_from_required_util_is_known(pscheck, table, tmp_path):
    util = """
        Function Get-WinnetThing {
            param ([int]$Index)
            Get-NetAdapter -InterfaceIndex $Index
        }
        """
    source = CLEAN_MODULE.replace('#AnsibleRequires -CSharpUtil Ansible.Basic',
                                  '#AnsibleRequires -CSharpUtil Ansible.Basic\n#AnsibleRequires -PowerShell ..module_utils.Winnet')
    source += 'Get-WinnetThing -Index 3\n'
    files = {'plugins/module_utils/Winnet.psm1': util}
    assert run_check(pscheck, table, tmp_path, source, files=files) == []
    without = CLEAN_MODULE + 'Get-WinnetThing -Index 3\n'
    assert 'unknown command Get-WinnetThing' in messages(run_check(pscheck, table, tmp_path, without, files=files))


def test_builtin_module_util_functions_are_known(pscheck, table, tmp_path):
    source = CLEAN_MODULE.replace('#AnsibleRequires -CSharpUtil Ansible.Basic',
                                  '#AnsibleRequires -CSharpUtil Ansible.Basic\n#AnsibleRequires -PowerShell Ansible.ModuleUtils.AddType')
    source += "Add-CSharpType -References @('public class A {}')\n"
    assert run_check(pscheck, table, tmp_path, source) == []


@pytest.mark.parametrize('spec_line, expected', [
    ("destination = @{ type = 'str'; required = $true; default = $name }", 'variable $name'),
    ("destination = @{ type = 'str'; default = \"$($env:COMPUTERNAME)\" }", 'expandable string'),
    ("destination = @{ type = 'str'; default = (Get-Date).Year }", 'call or member access'),
    ("destination = @{ type = 'str'; default = ('a') }", 'parenthesized expression'),
    ("destination = @{ type = 'str'; default = $(1) }", 'subexpression'),
    ("destination = @{ type = 'str'; default = [DateTime]::Now }", 'not a static literal'),
    ("destination = @{ type = 'str'; choices = Get-Choice }", 'call or member access'),
    ("destination = @{ type = 'string' }", "type 'string' is unsupported"),
    ("destination = @{ type = 'str'; require = $true }", "invalid argument spec key 'require'"),
    ("destination = @{ type = 'str'; choices = 'only' }", 'choices must be a list'),
    ("destination = @{ type = 'str'; required = 'yes' }", 'required must be $true or $false'),
])
def test_non_static_or_invalid_spec_fails(pscheck, table, tmp_path, spec_line, expected):
    source = CLEAN_MODULE.replace("destination = @{ type = 'str'; required = $true }", spec_line, 1)
    findings = run_check(pscheck, table, tmp_path, source)
    assert 'spec' in codes(findings)
    assert expected in messages(findings)


def test_spec_from_variable_fails(pscheck, table, tmp_path):
    source = HEADER + "$options = @{ name = @{ type = 'str' } }\n$spec = @{ options = $options }\n" + CREATE + '$module.ExitJson()\n'
    assert 'variable $options' in messages(run_check(pscheck, table, tmp_path, source))


@pytest.mark.parametrize('change', [
    "$spec.options.extra = @{ type = 'str' }",
    "$spec['supports_check_mode'] = $false",
    "$spec.options.Add('extra', @{ type = 'str' })",
])
def test_spec_changed_after_literal_fails(pscheck, table, tmp_path, change):
    source = CLEAN_MODULE.replace(CREATE, '\n' + change + '\n' + CREATE)
    assert '$spec is changed after its literal' in messages(run_check(pscheck, table, tmp_path, source))


def test_spec_fragments_fail(pscheck, table, tmp_path):
    source = CLEAN_MODULE.replace('::Create($args, $spec)', '::Create($args, $spec, @(Get-WinnetSpec))')
    assert 'with exactly these two arguments' in messages(run_check(pscheck, table, tmp_path, source))


def test_module_without_ansible_basic_fails(pscheck, table, tmp_path):
    source = CLEAN_MODULE.replace('#AnsibleRequires -CSharpUtil Ansible.Basic', '#Requires -Module Ansible.ModuleUtils.Legacy')
    text = messages(run_check(pscheck, table, tmp_path, source))
    assert '#AnsibleRequires -CSharpUtil Ansible.Basic' in text
    assert 'Ansible.ModuleUtils.Legacy' in text


def test_module_without_spec_fails(pscheck, table, tmp_path):
    source = HEADER + "$module = [Ansible.Basic.AnsibleModule]::Create($args, @{})\n"
    text = messages(run_check(pscheck, table, tmp_path, source))
    assert 'exactly one "$spec = @{ ... }"' in text


def test_spec_rule_only_applies_to_modules(pscheck, table, tmp_path):
    util = "Function Get-WinnetX {\n    param ([int]$Index)\n    Get-NetAdapter -InterfaceIndex $Index\n}\n"
    assert run_check(pscheck, table, tmp_path, util, relpath='plugins/module_utils/WinnetX.psm1') == []


@pytest.mark.parametrize('literal, expected', [
    ("'a'", 'a'),
    ("'it''s'", "it's"),
    ('"plain"', 'plain'),
    ('42', 42),
    ('-1', -1),
    ('0x10', 16),
    ('1.5', 1.5),
    ('$true', True),
    ('$null', None),
    ("'a', 'b'", ['a', 'b']),
    ("@('a')", ['a']),
    ('@()', []),
    ("@(, @('a', 'b'))", [['a', 'b']]),
    ("@(@('a', 'b'))", ['a', 'b']),
    ("[string[]]@('a')", ['a']),
    ("[int]5", 5),
    ("@{ a = 1; 'b c' = @{ d = $false } }", {'a': 1, 'b c': {'d': False}}),
    ("@{}", {}),
])
def test_static_values(pscheck, literal, expected):
    tree = pscheck.parse('$v = %s\n' % literal)
    assignment = [node for node in pscheck.walk(tree.root_node) if node.type == 'assignment_expression'][0]
    assert pscheck.static_value(assignment.children[-1]) == expected


def test_extract_spec_and_ps_argspec_output(pscheck, tmp_path, capsys):
    module = tmp_path / 'route.ps1'
    module.write_text(CLEAN_MODULE, encoding='utf-8')
    spec = pscheck.extract_spec(str(module))
    assert spec['supports_check_mode'] is True
    assert spec['mutually_exclusive'] == [['destination', 'routes']]
    assert spec['options']['purge'] == {'type': 'bool', 'default': False, 'aliases': ['exclusive']}
    assert spec['options']['routes']['options']['metric'] == {'type': 'int', 'default': -1}
    manifest = json.dumps({'module_path': str(module), 'ansible_basic': '', 'ps_utils': {}})
    assert pscheck.main(['ps-argspec', os.path.join('x', 'ps_argspec.ps1'), manifest]) == 0
    assert json.loads(capsys.readouterr().out) == spec


def test_ps_argspec_fails_on_non_static_spec(pscheck, tmp_path, capsys):
    module = tmp_path / 'route.ps1'
    module.write_text(CLEAN_MODULE.replace("default = '0.0.0.0'", 'default = $defaultHop'), encoding='utf-8')
    manifest = json.dumps({'module_path': str(module), 'ansible_basic': '', 'ps_utils': {}})
    assert pscheck.main(['ps-argspec', 'ps_argspec.ps1', manifest]) == 1
    assert 'variable $defaultHop' in capsys.readouterr().out


def test_ps_argspec_refuses_other_scripts(pscheck, capsys):
    assert pscheck.main(['ps-argspec', 'other.ps1', '{}']) == 1
    assert 'only answers' in capsys.readouterr().err


@pytest.mark.parametrize('cmdlet, present, absent', [
    ('Set-NetRoute', ['RouteMetric', 'DestinationPrefix', 'WhatIf', 'Confirm'], ['Metric', 'InterfaceMetric']),
    ('New-NetRoute', ['RouteMetric', 'NextHop', 'PolicyStore'], ['Metric']),
    ('Set-NetIPInterface', ['InterfaceMetric', 'WeakHostSend', 'WeakHostReceive', 'AutomaticMetric', 'IgnoreDefaultRoutes', 'Forwarding'], []),
    ('New-NetIPAddress', ['IPAddress', 'PrefixLength', 'SkipAsSource'], []),
    ('Set-DnsClient', ['RegisterThisConnectionsAddress'], []),
    ('Find-NetRoute', ['RemoteIPAddress', 'LocalIPAddress'], []),
    ('New-NetFirewallRule', ['LocalAddress', 'LocalPort', 'Protocol'], []),
    ('Register-ScheduledTask', ['TaskName', 'Action', 'Trigger'], []),
    ('ConvertTo-Json', ['Depth', 'Compress', 'InputObject'], ['AsArray']),
    ('Get-CimInstance', ['ClassName', 'Filter', 'Namespace'], []),
])
def test_table_has_the_documented_parameters(table, cmdlet, present, absent):
    command = table.cmdlets[cmdlet.lower()]
    for name in present:
        assert name.lower() in command.parameters, name
    for name in absent:
        assert name.lower() not in command.parameters, name


def test_discover_finds_plugins_and_integration_files(pscheck, tmp_path):
    for name in ('plugins/modules/a.ps1', 'plugins/module_utils/B.psm1', 'tests/integration/targets/x/library/c.ps1', 'plugins/modules/d.py'):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('', encoding='utf-8')
    assert pscheck.discover(str(tmp_path)) == [
        'plugins/module_utils/B.psm1', 'plugins/modules/a.ps1', 'tests/integration/targets/x/library/c.ps1']
