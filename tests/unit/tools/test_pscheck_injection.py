"""pscheck's injection rule: no value reaches PowerShell, or a shell, as text to be interpreted."""

from __future__ import annotations

import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

FORBIDDEN = [
    ('invoke-expression', 'Invoke-Expression "Get-NetRoute -DestinationPrefix $prefix"', 'Invoke-Expression runs text as PowerShell code'),
    ('iex-alias', 'iex $command', 'iex runs text as PowerShell code'),
    ('module-qualified-iex', 'Microsoft.PowerShell.Utility\\Invoke-Expression -Command $text', 'runs text as PowerShell code'),
    ('scriptblock-create', '$block = [scriptblock]::Create($text)', '[scriptblock]::Create compiles text as code'),
    ('scriptblock-create-full-name', '[System.Management.Automation.ScriptBlock]::Create("Get-NetRoute")', '[scriptblock]::Create'),
    ('invoke-script', '$ExecutionContext.InvokeCommand.InvokeScript("Remove-NetRoute $x")', '.InvokeScript() runs text as code'),
    ('new-script-block', '$sb = $ExecutionContext.InvokeCommand.NewScriptBlock($text)', '.NewScriptBlock() runs text as code'),
    ('add-script', '[powershell]::Create().AddScript($text).Invoke()', '.AddScript() runs text as code'),
    ('add-type-variable', 'Add-Type -TypeDefinition $source', 'Add-Type -TypeDefinition is built from variables'),
    ('add-type-interpolated', 'Add-Type -TypeDefinition "public class $name { }"', 'Add-Type -TypeDefinition is built from variables'),
    ('add-type-member-definition', 'Add-Type -Name N -Namespace W -MemberDefinition $members', 'Add-Type -MemberDefinition is built from variables'),
    ('call-variable', '& $command -DestinationPrefix $prefix', "'& $command' invokes a command named by a string or variable"),
    ('call-string', '& "New-NetRoute" -DestinationPrefix $prefix', 'invokes a command named by a string or variable'),
    ('call-literal-string', "& 'Get-NetRoute'", 'invokes a command named by a string or variable'),
    ('dot-source-variable', '. $script', "'. $script' invokes a command named by a string or variable"),
    ('call-member', '& $Operation.command', 'invokes a command named by a string or variable'),
    ('start-process-interpolated', 'Start-Process cmd.exe -ArgumentList "/c route add $dest mask $mask"', 'Start-Process gets "/c route add'),
    ('start-process-array-with-variable', 'Start-Process -FilePath netsh -ArgumentList "interface", "set", $name', 'Start-Process gets'),
    ('cmd-c-subexpression', 'cmd /c "route add $($Operation.destination)"', 'cmd gets "route add $($Operation.destination)"'),
    ('cmd-exe-variable', 'cmd.exe /c route delete $dest', 'cmd.exe gets $dest as part of a command line'),
    ('powershell-command', 'powershell -NoProfile -Command "Set-NetRoute $args"', 'powershell gets "Set-NetRoute $args"'),
    ('pwsh-encoded-variable', 'pwsh -EncodedCommand $encoded', 'pwsh gets $encoded'),
    ('netsh-interpolated-field', 'netsh interface ipv4 set interface "$($Operation.interface)" metric=5', 'netsh gets'),
    ('route-exe-by-path', 'C:\\Windows\\System32\\route.exe add $dest', 'route.exe gets $dest'),
    ('any-exe-variable', 'tool.exe --target $target', 'tool.exe gets $target'),
]

ALLOWED = [
    ('cmdlet-with-parameter-values', 'New-NetRoute -DestinationPrefix $Operation.destination -InterfaceIndex $Operation.interface'),
    ('cmdlet-with-interpolated-value', 'Get-NetRoute -DestinationPrefix "$($Operation.destination)" -ErrorAction SilentlyContinue'),
    ('splat', "$routeArgs = @{ DestinationPrefix = $x }\nNew-NetRoute @routeArgs"),
    ('call-script-block', '& { Get-NetRoute }'),
    ('dot-source-script-block', '. { $local = 1 }'),
    ('add-type-static-here-string', 'Add-Type -TypeDefinition @"\npublic class A { }\n"@'),
    ('add-type-static-string', "Add-Type -TypeDefinition 'public class A { }'"),
    ('start-process-static', "Start-Process -FilePath netsh -ArgumentList 'interface', 'show', 'interface' -Wait"),
    ('message-interpolation', 'throw "route $($Operation.destination) via $($Operation.next_hop) failed"'),
    ('fail-json-interpolation', '$module.FailJson("Failed to add $($Operation.destination): $($_.Exception.Message)", $_)'),
    ('module-create', '$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)'),
    ('list-add', '$list = [System.Collections.Generic.List[string]]::new()\n$list.Add("x $y")'),
]


def injection(pscheck, source):
    return pscheck.check_injection(pscheck.parse(source), 'sample.ps1')


@pytest.mark.parametrize('source, expected', [pytest.param(source, expected, id=name) for name, source, expected in FORBIDDEN])
def test_forbidden_form_is_caught(pscheck, source, expected):
    findings = injection(pscheck, source)
    assert len(findings) == 1, findings
    assert findings[0].code == 'injection'
    assert expected in findings[0].message, findings[0].message


@pytest.mark.parametrize('source', [pytest.param(source, id=name) for name, source in ALLOWED])
def test_data_as_parameter_values_passes(pscheck, source):
    assert injection(pscheck, source) == []


def test_finding_points_at_the_line(pscheck):
    findings = injection(pscheck, 'Get-NetRoute\n\n$x = 1\niex $x\n')
    assert [(f.line, f.column) for f in findings] == [(4, 1)]
    assert str(findings[0]).startswith('sample.ps1:4:1: injection: ')


def test_rule_runs_in_check_file(pscheck, table, tmp_path):
    path = tmp_path / 'plugins' / 'module_utils' / 'Sample.psm1'
    path.parent.mkdir(parents=True)
    path.write_text('Function Invoke-Sample {\n    param ([string]$Text)\n    Invoke-Expression -Command $Text\n}\n', encoding='utf-8')
    findings = pscheck.check_file(str(path), table, str(tmp_path))
    assert 'injection' in [finding.code for finding in findings]


def test_collection_powershell_passes(pscheck):
    files = pscheck.discover(ROOT)
    assert any(name.endswith('.ps1') for name in files) and any(name.endswith('.psm1') for name in files)
    for name in files:
        with open(os.path.join(ROOT, name), 'rb') as handle:
            assert pscheck.check_injection(pscheck.parse(handle.read()), name) == [], name
