#!powershell

# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.winnet.routing.plugins.module_utils.WinnetState

# Returns the raw reads of the host's network state (the bundle of WinnetState.psm1, shared with
# net_apply and with the stand-alone export), the raw answers of Find-NetRoute to the probes and the
# raw facts about where the connection comes from. Read only, and nothing is mapped or judged here:
# the controller normalises all of it (plugins/module_utils/bundle.py).

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
$module.Result.bundle = Get-WinnetBundle

# ----------------------------------------------------------------------------- probes
# Windows' own answer (Find-NetRoute), for comparison with the controller's evaluation: the route
# and address objects it returns, or the error it reported.
$probeProperties = @('DestinationPrefix', 'NextHop', 'InterfaceIndex', 'InterfaceAlias', 'RouteMetric', 'IPAddress', 'AddressFamily')
$answers = [System.Collections.Generic.List[Object]]::new()
$probes = @()
if ($null -ne $module.Params.probes) {
    $probes = @($module.Params.probes)
}
foreach ($probe in $probes) {
    $answer = @{
        destination = $probe.destination
        source = $probe.source
        objects = @()
        error = $null
    }
    $query = @{ RemoteIPAddress = $probe.destination }
    if ($null -ne $probe.source) {
        $query.LocalIPAddress = $probe.source
    }
    try {
        $answer.objects = @(Find-NetRoute @query -ErrorAction Stop | Select-Object -Property $probeProperties)
    }
    catch {
        $answer.error = [string]$_.Exception.Message
    }
    $answers.Add($answer)
}
$module.Result.probes = $answers

# ----------------------------------------------------------------------------- connection
# Where the controller's connection comes from, as the host sees it (the connection guard learns
# the controller's address from it): the SSH server's SSH_CONNECTION of this session, and the
# established TCP connections whose local port is one the connection may use.
$connectionProperties = @('LocalAddress', 'LocalPort', 'RemoteAddress', 'RemotePort', 'State')
$connection = @{
    ssh_connection = [string]$env:SSH_CONNECTION
    tcp = @()
    errors = [System.Collections.Generic.List[Object]]::new()
}
$connectionQuery = @{
    State = 'Established'
    LocalPort = @($module.Params.connection_ports)
}
$connectionErrors = @()
try {
    $connection.tcp = @(Get-NetTCPConnection @connectionQuery -ErrorAction SilentlyContinue -ErrorVariable connectionErrors | Select-Object -Property $connectionProperties)
}
catch {
    $connectionErrors = @($_)
}
foreach ($err in $connectionErrors) {
    $connection.errors.Add(@{ category = [string]$err.CategoryInfo.Category; message = [string]$err.Exception.Message })
}
$module.Result.connection = $connection

$module.ExitJson()
