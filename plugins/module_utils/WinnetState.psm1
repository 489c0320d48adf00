# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The raw reads of the host's network state, as one bundle (schema winnet.routing/bundle-v1):
# for each cmdlet, the objects it returns with a fixed list of properties, values as the cmdlet
# gives them (enums as numbers or names, addresses with their zone), and every error a read
# reported. No value is mapped and nothing is classified here: the controller reads the bundle
# with the same Python code that reads exports (plugins/module_utils/netroute_json.py).
#
# Shared by net_info (which returns the bundle), net_apply (the bundle after its operations) and
# people who hand over a file instead of running Ansible against a host:
#   Import-Module .\WinnetState.psm1
#   Export-WinnetBundle -Path .\web01.json

# The properties kept of each read's objects.
$ipInterfaceProperties = @(
    'InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'InterfaceMetric', 'AutomaticMetric', 'WeakHostSend', 'WeakHostReceive',
    'Forwarding', 'IgnoreDefaultRoutes', 'Dhcp', 'ConnectionState'
)
$adapterProperties = @(
    'InterfaceIndex', 'Name', 'InterfaceDescription', 'ComponentID', 'MacAddress', 'Speed', 'InterfaceType', 'NdisPhysicalMedium',
    'PnPDeviceID', 'Status', 'Hidden'
)
$addressProperties = @(
    'IPAddress', 'InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'PrefixLength', 'Type', 'AddressState', 'PrefixOrigin',
    'SuffixOrigin', 'SkipAsSource', 'Store'
)
$routeProperties = @('DestinationPrefix', 'NextHop', 'InterfaceIndex', 'InterfaceAlias', 'AddressFamily', 'RouteMetric', 'Protocol', 'Store')
$dnsClientProperties = @('InterfaceIndex', 'InterfaceAlias', 'RegisterThisConnectionsAddress')
$bindingProperties = @('Name', 'InterfaceDescription', 'ComponentID', 'Enabled')
$netbiosProperties = @('InterfaceIndex', 'SettingID', 'IPEnabled', 'TcpipNetbiosOptions')
$statisticsProperties = @('Name', 'InterfaceDescription', 'ReceivedDiscardedPackets', 'OutboundDiscardedPackets')
$firewallRuleProperties = @('Name', 'DisplayName', 'Group', 'Direction', 'Action', 'Enabled')
# The adapter bindings gathered (ops.COMPONENTS): Client for Microsoft Networks, File and Printer Sharing.
$bindingComponents = @('ms_msclient', 'ms_server')
# The connection names of every network adapter, present or not, are kept under the Net class key.
$networkClassKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Network\{4D36E972-E325-11CE-BFC1-08002BE10318}'

Function Add-WinnetRead {
    # Records one read: its objects with the read's properties, and each error it reported.
    param(
        [hashtable] $Bundle,
        [string] $Read,
        [object[]] $Objects,
        [object[]] $Errors,
        [string[]] $Property
    )
    if ($null -eq $Property) {
        $Bundle.reads[$Read] = @($Objects)
    }
    else {
        $Bundle.reads[$Read] = @($Objects | Select-Object -Property $Property)
    }
    foreach ($err in $Errors) {
        $Bundle.errors.Add(@{
                read = $Read
                category = [string]$err.CategoryInfo.Category
                message = [string]$err.Exception.Message
            })
    }
}

Function Get-WinnetBundle {
    <#
    .SYNOPSIS
    The raw reads of the host's network state (a hashtable; ConvertTo-Json gives the bundle). A
    read that fails is recorded in the bundle's errors; nothing here throws for a failed read.
    #>
    $bundle = @{
        schema = 'winnet.routing/bundle-v1'
        hostname = [string]$env:COMPUTERNAME
        os_version = [System.Environment]::OSVersion.Version.ToString()
        powershell_version = $PSVersionTable.PSVersion.ToString()
        reads = @{}
        errors = [System.Collections.Generic.List[Object]]::new()
    }

    $readErrors = @()
    try {
        $objects = @(Get-NetIPInterface -PolicyStore ActiveStore -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'ip_interfaces' -Objects $objects -Errors $readErrors -Property $ipInterfaceProperties

    $readErrors = @()
    try {
        $objects = @(Get-NetAdapter -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'adapters' -Objects $objects -Errors $readErrors -Property $adapterProperties

    $readErrors = @()
    try {
        $objects = @(Get-NetIPAddress -PolicyStore ActiveStore -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'ip_addresses' -Objects $objects -Errors $readErrors -Property $addressProperties

    $readErrors = @()
    try {
        $objects = @(Get-NetIPAddress -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'ip_addresses_persistent' -Objects $objects -Errors $readErrors -Property $addressProperties

    $readErrors = @()
    try {
        $objects = @(Get-NetRoute -PolicyStore ActiveStore -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'routes' -Objects $objects -Errors $readErrors -Property $routeProperties

    $readErrors = @()
    try {
        $objects = @(Get-NetRoute -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'routes_persistent' -Objects $objects -Errors $readErrors -Property $routeProperties

    $readErrors = @()
    try {
        $objects = @(Get-DnsClient -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'dns_clients' -Objects $objects -Errors $readErrors -Property $dnsClientProperties

    $readErrors = @()
    try {
        $objects = @(Get-NetAdapterBinding -ComponentID $bindingComponents -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'bindings' -Objects $objects -Errors $readErrors -Property $bindingProperties

    $readErrors = @()
    try {
        $objects = @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE' -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'netbios' -Objects $objects -Errors $readErrors -Property $netbiosProperties

    $readErrors = @()
    try {
        $objects = @(Get-NetAdapterStatistics -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $objects = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'statistics' -Objects $objects -Errors $readErrors -Property $statisticsProperties

    # The inbound rules this collection manages (module firewall_rule, role dsr_real_server): the
    # rules of its group in the local store, and the address and port filter of each.
    $readErrors = @()
    try {
        $rules = @(Get-NetFirewallRule -Group 'winnet.routing' -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    }
    catch {
        $rules = @()
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'firewall_rules' -Objects $rules -Errors $readErrors -Property $firewallRuleProperties
    $addressFilters = [System.Collections.Generic.List[Object]]::new()
    $portFilters = [System.Collections.Generic.List[Object]]::new()
    $filterErrors = [System.Collections.Generic.List[Object]]::new()
    foreach ($rule in $rules) {
        try {
            foreach ($filter in @(Get-NetFirewallAddressFilter -AssociatedNetFirewallRule $rule -ErrorAction Stop)) {
                $addressFilters.Add(@{ Rule = [string]$rule.Name; LocalAddress = $filter.LocalAddress; RemoteAddress = $filter.RemoteAddress })
            }
            foreach ($filter in @(Get-NetFirewallPortFilter -AssociatedNetFirewallRule $rule -ErrorAction Stop)) {
                $portFilters.Add(@{ Rule = [string]$rule.Name; Protocol = $filter.Protocol; LocalPort = $filter.LocalPort })
            }
        }
        catch {
            $filterErrors.Add($_)
        }
    }
    Add-WinnetRead -Bundle $bundle -Read 'firewall_address_filters' -Objects $addressFilters.ToArray() -Errors $filterErrors.ToArray()
    Add-WinnetRead -Bundle $bundle -Read 'firewall_port_filters' -Objects $portFilters.ToArray() -Errors @()

    # Connection names with the device that holds each: a device that is not present keeps its
    # name, and no other adapter can take it.
    $names = [System.Collections.Generic.List[Object]]::new()
    $readErrors = @()
    try {
        $keys = @(Get-ChildItem -LiteralPath $networkClassKey -ErrorAction SilentlyContinue -ErrorVariable readErrors)
        foreach ($key in $keys) {
            $connectionKey = Join-Path -Path $key.PSPath -ChildPath 'Connection'
            if (Test-Path -LiteralPath $connectionKey) {
                $values = Get-ItemProperty -LiteralPath $connectionKey -ErrorAction Stop
                $names.Add(@{ Key = [string]$key.PSChildName; Name = $values.Name; PnPInstanceId = $values.PnPInstanceId })
            }
        }
    }
    catch {
        $readErrors = @($_)
    }
    Add-WinnetRead -Bundle $bundle -Read 'connection_names' -Objects $names.ToArray() -Errors $readErrors

    return $bundle
}

Function Export-WinnetBundle {
    <#
    .SYNOPSIS
    Writes the bundle of raw reads to a file (UTF-8 JSON), for a host that Ansible does not reach:
    the controller reads it as a snapshot or with the parse_netroute_json filter.
    .EXAMPLE
    Import-Module .\WinnetState.psm1; Export-WinnetBundle -Path .\web01.json
    #>
    param(
        [Parameter(Mandatory = $true)]
        [string] $Path
    )
    $bundle = Get-WinnetBundle
    $text = ConvertTo-Json -InputObject $bundle -Depth 8 -Compress
    $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    $encoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
    [System.IO.File]::WriteAllText($full, $text, $encoding)
    return $full
}

Export-ModuleMember -Function 'Get-WinnetBundle', 'Export-WinnetBundle'
