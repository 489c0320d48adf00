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
        connection_ports = @{ type = 'list'; elements = 'int'; default = @(5985, 5986) }
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

# ----------------------------------------------------------------------------- connection
# Where the controller's connection comes from, as the host sees it (the connection guard learns
# the controller's address from it): the SSH server's SSH_CONNECTION ("client port server port"),
# and the established TCP connections whose local port is one the connection may use. Reported,
# never judged here; a failed read is reported as an error, it does not fail the gather.
$connection = @{
    ssh = $null
    tcp = [System.Collections.Generic.List[Object]]::new()
    error = $null
}
$sshConnection = [string]$env:SSH_CONNECTION
if ($sshConnection) {
    $parts = @($sshConnection.Split(' '))
    if ($parts.Count -eq 4) {
        $connection.ssh = @{
            client_address = ConvertTo-WinnetAddress -Value $parts[0]
            client_port = [int]$parts[1]
            server_address = ConvertTo-WinnetAddress -Value $parts[2]
            server_port = [int]$parts[3]
        }
    }
}
$connectionQuery = @{
    State = 'Established'
    LocalPort = @($module.Params.connection_ports)
}
$connectionErrors = @()
try {
    $established = @(Get-NetTCPConnection @connectionQuery -ErrorAction SilentlyContinue -ErrorVariable connectionErrors)
    foreach ($err in $connectionErrors) {
        if ([string]$err.CategoryInfo.Category -ne 'ObjectNotFound') {
            $connection.error = "Get-NetTCPConnection: $($err.Exception.Message)"
        }
    }
    foreach ($row in $established) {
        $connection.tcp.Add(@{
            local_address = ConvertTo-WinnetAddress -Value $row.LocalAddress
            local_port = [int]$row.LocalPort
            remote_address = ConvertTo-WinnetAddress -Value $row.RemoteAddress
            remote_port = [int]$row.RemotePort
        })
    }
}
catch {
    $connection.error = "Get-NetTCPConnection: $($_.Exception.Message)"
}
$module.Result.connection = $connection

$module.ExitJson()
