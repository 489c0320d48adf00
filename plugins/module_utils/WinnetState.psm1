# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Gathers the host's network state and normalises it to HostState schema v1. Shared by net_info
# (which returns it) and net_apply (which returns the state after its operations, gathered in the
# same call with the same normalisation). Read only: no decision is taken here.

# CIM enumerations reach PowerShell either as enum names (the cdxml types of Windows
# PowerShell 5.1) or as their numbers (plain CIM instances, some PowerShell 7 and remoting
# paths). Every table below accepts both spellings; PowerShell hashtable keys ignore case.
# Enabled/Disabled switches of MSFT_NetIPInterface; an absent value means disabled.
$flagMap = @{ '0' = $false; '1' = $true; 'Disabled' = $false; 'Enabled' = $true; '' = $false }
# MSFT_NetIPInterface.ConnectionState
$connectionMap = @{ '0' = $false; '1' = $true; 'Disconnected' = $false; 'Connected' = $true }
# MSFT_NetIPInterface.AddressFamily / MSFT_NetIPAddress.AddressFamily / MSFT_NetRoute.AddressFamily
$familyMap = @{ '2' = 'ipv4'; '23' = 'ipv6'; 'IPv4' = 'ipv4'; 'IPv6' = 'ipv6' }
# MSFT_NetIPAddress.AddressState (duplicate address detection state)
$addressStateMap = @{
    '0' = 'invalid'; '1' = 'tentative'; '2' = 'duplicate'; '3' = 'deprecated'; '4' = 'preferred'
    'Invalid' = 'invalid'; 'Tentative' = 'tentative'; 'Duplicate' = 'duplicate'; 'Deprecated' = 'deprecated'; 'Preferred' = 'preferred'
}
# MSFT_NetIPAddress.PrefixOrigin
$prefixOriginMap = @{
    '0' = 'other'; '1' = 'manual'; '2' = 'well_known'; '3' = 'dhcp'; '4' = 'router_advertisement'
    'Other' = 'other'; 'Manual' = 'manual'; 'WellKnown' = 'well_known'; 'Dhcp' = 'dhcp'; 'RouterAdvertisement' = 'router_advertisement'
}
# MSFT_NetIPAddress.SuffixOrigin
$suffixOriginMap = @{
    '0' = 'other'; '1' = 'manual'; '2' = 'well_known'; '3' = 'dhcp'; '4' = 'link'; '5' = 'random'
    'Other' = 'other'; 'Manual' = 'manual'; 'WellKnown' = 'well_known'; 'Dhcp' = 'dhcp'; 'Link' = 'link'; 'Random' = 'random'
}
# MSFT_NetIPAddress.Type
$addressTypeMap = @{ '1' = 'unicast'; '2' = 'anycast'; 'Unicast' = 'unicast'; 'Anycast' = 'anycast' }
# MSFT_NetRoute.Protocol (NL_ROUTE_PROTOCOL). NetMgmt covers static and DHCP-learned routes;
# every routing protocol the schema does not name becomes 'other'.
$protocolMap = @{
    '2' = 'local'; '3' = 'netmgmt'; '19' = 'dhcp'
    'Local' = 'local'; 'NetMgmt' = 'netmgmt'; 'Dhcp' = 'dhcp'; 'RouterAdvertisement' = 'router_advertisement'
}
# MSFT_NetAdapter.NdisPhysicalMedium values of wireless media (WirelessLan, WirelessWan, Native802_11)
$wirelessMedia = @('1', '8', '9', 'WirelessLan', 'WirelessWan', 'Native802_11')
# MSFT_NetAdapter.InterfaceType (IANA ifType): 6 ethernetCsmacd, 71 ieee80211, 131 tunnel
# The adapter bindings gathered (ops.COMPONENTS): Client for Microsoft Networks, File and Printer Sharing.
$bindingComponents = @('ms_msclient', 'ms_server')
# Win32_NetworkAdapterConfiguration.TcpipNetbiosOptions (NetBIOS over TCP/IP)
$netbiosMap = @{ '0' = 'default'; '1' = 'enabled'; '2' = 'disabled' }
$ethernetTypes = @('6')
$wifiTypes = @('71')
$tunnelTypes = @('131')

Function ConvertTo-WinnetValue {
    param(
        [AllowNull()] $Value,
        [hashtable] $Map,
        [string] $What,
        [object] $Module
    )
    $key = [string]$Value
    if ($Map.ContainsKey($key)) {
        return $Map[$key]
    }
    $Module.FailJson("Failed to read $($What): unexpected value '$key'")
}

Function ConvertTo-WinnetAddress {
    param([AllowNull()] $Value)
    $text = [string]$Value
    $zone = $text.IndexOf('%')
    if ($zone -ge 0) {
        $text = $text.Substring(0, $zone)
    }
    return $text
}

Function Get-WinnetState {
    <#
    .SYNOPSIS
    The host's network state as a HostState schema v1 hashtable (interfaces, addresses, routes of
    both stores, unbound_routes). Fails the module through $Module.FailJson when a read fails.
    #>
    param(
        [object] $Module
    )

    # ----------------------------------------------------------------------------- reads
    try {
        $ipInterfaces = @(Get-NetIPInterface -PolicyStore ActiveStore -ErrorAction Stop)
    }
    catch {
        $Module.FailJson("Failed to read the IP interfaces with Get-NetIPInterface: $($_.Exception.Message)", $_)
    }

    try {
        $adapters = @(Get-NetAdapter -IncludeHidden -ErrorAction Stop)
    }
    catch {
        $Module.FailJson("Failed to read the network adapters with Get-NetAdapter: $($_.Exception.Message)", $_)
    }

    try {
        $ipAddresses = @(Get-NetIPAddress -PolicyStore ActiveStore -ErrorAction Stop)
    }
    catch {
        $Module.FailJson("Failed to read the IP addresses with Get-NetIPAddress: $($_.Exception.Message)", $_)
    }

    try {
        $activeRoutes = @(Get-NetRoute -PolicyStore ActiveStore -ErrorAction Stop)
    }
    catch {
        $Module.FailJson("Failed to read the ActiveStore routes with Get-NetRoute: $($_.Exception.Message)", $_)
    }

    # An empty PersistentStore is reported as an ObjectNotFound error on some builds: that means
    # no persistent route, every other error fails the module.
    $persistentErrors = @()
    $persistentRoutes = @(Get-NetRoute -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable persistentErrors)
    foreach ($err in $persistentErrors) {
        if ([string]$err.CategoryInfo.Category -ne 'ObjectNotFound') {
            $Module.FailJson("Failed to read the PersistentStore routes with Get-NetRoute: $($err.Exception.Message)", $err)
        }
    }

    try {
        $dnsClients = @(Get-DnsClient -ErrorAction Stop)
    }
    catch {
        $Module.FailJson("Failed to read the DNS registration settings with Get-DnsClient: $($_.Exception.Message)", $_)
    }

    # A component no adapter has is reported as ObjectNotFound: no binding of it.
    $bindingErrors = @()
    $bindings = @(Get-NetAdapterBinding -ComponentID $bindingComponents -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable bindingErrors)
    foreach ($err in $bindingErrors) {
        if ([string]$err.CategoryInfo.Category -ne 'ObjectNotFound') {
            $Module.FailJson("Failed to read the adapter bindings with Get-NetAdapterBinding: $($err.Exception.Message)", $err)
        }
    }

    try {
        $adapterConfigurations = @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE' -ErrorAction Stop)
    }
    catch {
        $Module.FailJson("Failed to read the NetBIOS over TCP/IP settings from Win32_NetworkAdapterConfiguration: $($_.Exception.Message)", $_)
    }

    # Statistics are informational: an adapter without them is reported as a warning only.
    $statErrors = @()
    $statistics = @(Get-NetAdapterStatistics -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable statErrors)
    foreach ($err in $statErrors) {
        $Module.Warn("Get-NetAdapterStatistics: $($err.Exception.Message)")
    }

    # ----------------------------------------------------------------------------- lookups
    $adapterByIndex = @{}
    foreach ($adapter in $adapters) {
        $adapterByIndex[[string]$adapter.InterfaceIndex] = $adapter
    }
    $statisticsByName = @{}
    foreach ($stat in $statistics) {
        $statisticsByName[[string]$stat.Name] = $stat
    }
    # Bindings are listed by adapter description, which is unique per adapter (the name can be renamed mid-run).
    $bindingsByDescription = @{}
    foreach ($binding in $bindings) {
        $description = [string]$binding.InterfaceDescription
        if (-not $bindingsByDescription.ContainsKey($description)) {
            $bindingsByDescription[$description] = @{}
        }
        $bindingsByDescription[$description][[string]$binding.ComponentID] = [bool]$binding.Enabled
    }
    $netbiosByIndex = @{}
    foreach ($configuration in $adapterConfigurations) {
        $option = [string]$configuration.TcpipNetbiosOptions
        if ($netbiosMap.ContainsKey($option)) {
            $netbiosByIndex[[string]$configuration.InterfaceIndex] = $netbiosMap[$option]
        }
    }
    $dnsByIndex = @{}
    foreach ($client in $dnsClients) {
        $dnsByIndex[[string]$client.InterfaceIndex] = $client
    }

    # ----------------------------------------------------------------------------- interfaces
    $order = [System.Collections.Generic.List[String]]::new()
    $interfaceByIndex = @{}
    foreach ($ipif in $ipInterfaces) {
        $key = [string]$ipif.InterfaceIndex
        $family = ConvertTo-WinnetValue -Value $ipif.AddressFamily -Map $familyMap -What "the address family of interface $key" -Module $Module
        $what = "interface $key ($($ipif.InterfaceAlias)) $family"
        if (-not $interfaceByIndex.ContainsKey($key)) {
            $order.Add($key)
            $interfaceByIndex[$key] = @{
                index = [int]$ipif.InterfaceIndex
                alias = [string]$ipif.InterfaceAlias
                connected = $false
            }
        }
        $entry = $interfaceByIndex[$key]
        if (ConvertTo-WinnetValue -Value $ipif.ConnectionState -Map $connectionMap -What "$what ConnectionState" -Module $Module) {
            $entry.connected = $true
        }
        $entry[$family] = @{
            metric = [int]$ipif.InterfaceMetric
            automatic_metric = ConvertTo-WinnetValue -Value $ipif.AutomaticMetric -Map $flagMap -What "$what AutomaticMetric" -Module $Module
            weak_host_send = ConvertTo-WinnetValue -Value $ipif.WeakHostSend -Map $flagMap -What "$what WeakHostSend" -Module $Module
            weak_host_receive = ConvertTo-WinnetValue -Value $ipif.WeakHostReceive -Map $flagMap -What "$what WeakHostReceive" -Module $Module
            forwarding = ConvertTo-WinnetValue -Value $ipif.Forwarding -Map $flagMap -What "$what Forwarding" -Module $Module
            ignore_default_routes = ConvertTo-WinnetValue -Value $ipif.IgnoreDefaultRoutes -Map $flagMap -What "$what IgnoreDefaultRoutes" -Module $Module
            dhcp = ConvertTo-WinnetValue -Value $ipif.Dhcp -Map $flagMap -What "$what Dhcp" -Module $Module
        }
    }

    # ----------------------------------------------------------------------------- addresses
    $addresses = [System.Collections.Generic.List[Object]]::new()
    $loopbackHolders = @{}
    foreach ($ip in $ipAddresses) {
        $key = [string]$ip.InterfaceIndex
        $text = ConvertTo-WinnetAddress -Value $ip.IPAddress
        $what = "address $text on interface $key"
        $type = ConvertTo-WinnetValue -Value $ip.Type -Map $addressTypeMap -What "$what Type" -Module $Module
        if ($type -ne 'unicast') {
            continue
        }
        if (-not $interfaceByIndex.ContainsKey($key)) {
            continue
        }
        if ($text -eq '127.0.0.1' -or $text -eq '::1') {
            $loopbackHolders[$key] = $true
        }
        $prefixOrigin = ConvertTo-WinnetValue -Value $ip.PrefixOrigin -Map $prefixOriginMap -What "$what PrefixOrigin" -Module $Module
        $suffixOrigin = ConvertTo-WinnetValue -Value $ip.SuffixOrigin -Map $suffixOriginMap -What "$what SuffixOrigin" -Module $Module
        $addresses.Add(@{
            address = $text
            prefix_length = [int]$ip.PrefixLength
            interface = [int]$ip.InterfaceIndex
            skip_as_source = [bool]$ip.SkipAsSource
            state = ConvertTo-WinnetValue -Value $ip.AddressState -Map $addressStateMap -What "$what AddressState" -Module $Module
            temporary = ($suffixOrigin -eq 'random' -and $prefixOrigin -eq 'router_advertisement')
            prefix_origin = $prefixOrigin
            suffix_origin = $suffixOrigin
        })
    }

    # ----------------------------------------------------------------------------- adapter details
    $interfaces = [System.Collections.Generic.List[Object]]::new()
    foreach ($key in $order) {
        $entry = $interfaceByIndex[$key]
        $adapter = $adapterByIndex[$key]
        $kind = 'other'
        if ($null -ne $adapter) {
            $componentId = [string]$adapter.ComponentID
            $medium = [string]$adapter.NdisPhysicalMedium
            $ifType = [string]$adapter.InterfaceType
            if ($componentId -eq '*msloop') {
                $kind = 'loopback_adapter'
            }
            elseif ($wirelessMedia -contains $medium -or $wifiTypes -contains $ifType) {
                $kind = 'wifi'
            }
            elseif ($tunnelTypes -contains $ifType) {
                $kind = 'tunnel'
            }
            elseif ($ethernetTypes -contains $ifType) {
                $kind = 'ethernet'
            }
            $entry.description = [string]$adapter.InterfaceDescription
            # Every adapter records its bindings, an empty mapping when it has none of the components.
            $entry.bindings = @{}
            $adapterBindings = $bindingsByDescription[[string]$adapter.InterfaceDescription]
            if ($null -ne $adapterBindings) {
                $entry.bindings = $adapterBindings
            }
            $entry.mac = [string]$adapter.MacAddress
            if ($null -ne $adapter.Speed) {
                $entry.link_speed_bps = [long]$adapter.Speed
            }
            $stat = $statisticsByName[[string]$adapter.Name]
            if ($null -ne $stat) {
                $entry.discards = @{
                    received = [long]$stat.ReceivedDiscardedPackets
                    outbound = [long]$stat.OutboundDiscardedPackets
                }
            }
        }
        elseif ($loopbackHolders.ContainsKey($key)) {
            $kind = 'loopback_pseudo'
        }
        $entry.kind = $kind
        if ($netbiosByIndex.ContainsKey($key)) {
            $entry.netbios = $netbiosByIndex[$key]
        }
        $dns = $dnsByIndex[$key]
        if ($null -ne $dns) {
            $entry.register_dns = [bool]$dns.RegisterThisConnectionsAddress
        }
        $interfaces.Add($entry)
    }

    # ----------------------------------------------------------------------------- routes
    # A route whose interface (or address family on it) has no IP interface, such as a persistent
    # route left behind by a removed adapter, cannot be part of the state: it is listed apart.
    $routes = [System.Collections.Generic.List[Object]]::new()
    $unboundRoutes = [System.Collections.Generic.List[Object]]::new()
    $stores = @(
        @{ name = 'active'; rows = $activeRoutes },
        @{ name = 'persistent'; rows = $persistentRoutes }
    )
    foreach ($store in $stores) {
        foreach ($row in $store.rows) {
            $key = [string]$row.InterfaceIndex
            $what = "route $($row.DestinationPrefix) via $($row.NextHop) on interface $key"
            $family = ConvertTo-WinnetValue -Value $row.AddressFamily -Map $familyMap -What "$what AddressFamily" -Module $Module
            $protocol = 'other'
            $protocolKey = [string]$row.Protocol
            if ($protocolMap.ContainsKey($protocolKey)) {
                $protocol = $protocolMap[$protocolKey]
            }
            $route = @{
                destination = [string]$row.DestinationPrefix
                next_hop = ConvertTo-WinnetAddress -Value $row.NextHop
                interface = [int]$row.InterfaceIndex
                route_metric = [int]$row.RouteMetric
                store = $store.name
                protocol = $protocol
            }
            $owner = $interfaceByIndex[$key]
            if ($null -ne $owner -and $owner.ContainsKey($family)) {
                $routes.Add($route)
            }
            else {
                $unboundRoutes.Add($route)
            }
        }
    }

    # The inbound rules this collection manages (module firewall_rule, role dsr_real_server): the
    # rules of its group, with the one local address, protocol and local port each one has.
    $firewallRules = [System.Collections.Generic.List[Object]]::new()
    $ruleErrors = @()
    $managedRules = @(Get-NetFirewallRule -Group 'winnet.routing' -ErrorAction SilentlyContinue -ErrorVariable ruleErrors)
    foreach ($err in $ruleErrors) {
        if ([string]$err.CategoryInfo.Category -ne 'ObjectNotFound') {
            $Module.FailJson("Failed to read the firewall rules with Get-NetFirewallRule: $($err.Exception.Message)", $err)
        }
    }
    foreach ($rule in $managedRules) {
        $addressFilter = @(Get-NetFirewallAddressFilter -AssociatedNetFirewallRule $rule -ErrorAction Stop)[0]
        $portFilter = @(Get-NetFirewallPortFilter -AssociatedNetFirewallRule $rule -ErrorAction Stop)[0]
        $firewallRules.Add(@{
                name = [string]$rule.Name
                local_address = [string]@($addressFilter.LocalAddress)[0]
                protocol = ([string]$portFilter.Protocol).ToUpperInvariant()
                local_port = [string]@($portFilter.LocalPort)[0]
            })
    }

    $state = @{
        schema = 'winnet.routing/v1'
        hostname = [string]$env:COMPUTERNAME
        os_version = [System.Environment]::OSVersion.Version.ToString()
        interfaces = $interfaces
        addresses = $addresses
        routes = $routes
        unbound_routes = $unboundRoutes
    }
    if ($firewallRules.Count -gt 0) {
        $state.firewall_rules = $firewallRules
    }
    return $state
}

Export-ModuleMember -Function 'Get-WinnetState', 'ConvertTo-WinnetAddress'
