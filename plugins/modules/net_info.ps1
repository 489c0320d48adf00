#!powershell

# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.winnet.routing.plugins.module_utils.WinnetState

# Reads the host's network state and normalises it to HostState schema v1 (Get-WinnetState, shared
# with net_apply). Read only: no decision is taken here; the controller validates and evaluates
# the result.

$spec = @{
    options = @{
        probes = @{
            type = 'list'
            elements = 'dict'
            options = @{
                destination = @{ type = 'str'; required = $true }
                source = @{ type = 'str' }
            }
        }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$module.Result.changed = $false
$module.Result.state = Get-WinnetState -Module $module

# ----------------------------------------------------------------------------- probes
# Windows' own answer (Find-NetRoute), for comparison with the controller's evaluation. A
# probe Windows cannot answer is reported with its error; it does not fail the module.
$answers = [System.Collections.Generic.List[Object]]::new()
$probes = @()
if ($null -ne $module.Params.probes) {
    $probes = @($module.Params.probes)
}
foreach ($probe in $probes) {
    $answer = @{
        destination = $probe.destination
        requested_source = $probe.source
        answered = $false
        error = $null
        source = $null
        interface = $null
        interface_alias = $null
        route = $null
    }
    try {
        if ($probe.source) {
            $found = @(Find-NetRoute -RemoteIPAddress $probe.destination -LocalIPAddress $probe.source -ErrorAction Stop)
        }
        else {
            $found = @(Find-NetRoute -RemoteIPAddress $probe.destination -ErrorAction Stop)
        }
        foreach ($item in $found) {
            if ($null -ne $item.PSObject.Properties['DestinationPrefix']) {
                if ($null -eq $answer.route) {
                    $answer.route = @{
                        destination = [string]$item.DestinationPrefix
                        next_hop = ConvertTo-WinnetAddress -Value $item.NextHop
                        interface = [int]$item.InterfaceIndex
                        route_metric = [int]$item.RouteMetric
                    }
                    $answer.interface = [int]$item.InterfaceIndex
                    $answer.interface_alias = [string]$item.InterfaceAlias
                }
            }
            elseif ($null -ne $item.PSObject.Properties['IPAddress']) {
                if ($null -eq $answer.source) {
                    $answer.source = ConvertTo-WinnetAddress -Value $item.IPAddress
                }
            }
        }
        $answer.answered = ($null -ne $answer.route)
        if (-not $answer.answered) {
            $answer.error = "Find-NetRoute returned no route for $($probe.destination)"
        }
    }
    catch {
        $answer.error = "Find-NetRoute -RemoteIPAddress $($probe.destination): $($_.Exception.Message)"
    }
    $answers.Add($answer)
}
$module.Result.probes = $answers

$module.ExitJson()
