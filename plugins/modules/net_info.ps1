#!powershell

# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Reads the host's network state and normalises it to HostState schema v1. Read only: no
# decision is taken here; the controller validates and evaluates the result.

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
$ethernetTypes = @('6')
$wifiTypes = @('71')
$tunnelTypes = @('131')

Function ConvertTo-WinnetValue {
    param(
        [AllowNull()] $Value,
        [hashtable] $Map,
        [string] $What
    )
    $key = [string]$Value
    if ($Map.ContainsKey($key)) {
        return $Map[$key]
    }
    $module.FailJson("Failed to read $($What): unexpected value '$key'")
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

# ----------------------------------------------------------------------------- reads
try {
    $ipInterfaces = @(Get-NetIPInterface -PolicyStore ActiveStore -ErrorAction Stop)
}
catch {
    $module.FailJson("Failed to read the IP interfaces with Get-NetIPInterface: $($_.Exception.Message)", $_)
}

try {
    $adapters = @(Get-NetAdapter -IncludeHidden -ErrorAction Stop)
}
catch {
    $module.FailJson("Failed to read the network adapters with Get-NetAdapter: $($_.Exception.Message)", $_)
}

try {
    $ipAddresses = @(Get-NetIPAddress -PolicyStore ActiveStore -ErrorAction Stop)
}
catch {
    $module.FailJson("Failed to read the IP addresses with Get-NetIPAddress: $($_.Exception.Message)", $_)
}

try {
    $activeRoutes = @(Get-NetRoute -PolicyStore ActiveStore -ErrorAction Stop)
}
catch {
    $module.FailJson("Failed to read the ActiveStore routes with Get-NetRoute: $($_.Exception.Message)", $_)
}

# An empty PersistentStore is reported as an ObjectNotFound error on some builds: that means
# no persistent route, every other error fails the module.
$persistentErrors = @()
$persistentRoutes = @(Get-NetRoute -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable persistentErrors)
foreach ($err in $persistentErrors) {
    if ([string]$err.CategoryInfo.Category -ne 'ObjectNotFound') {
        $module.FailJson("Failed to read the PersistentStore routes with Get-NetRoute: $($err.Exception.Message)", $err)
    }
}

try {
    $dnsClients = @(Get-DnsClient -ErrorAction Stop)
}
catch {
    $module.FailJson("Failed to read the DNS registration settings with Get-DnsClient: $($_.Exception.Message)", $_)
}

# Statistics are informational: an adapter without them is reported as a warning only.
$statErrors = @()
$statistics = @(Get-NetAdapterStatistics -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable statErrors)
foreach ($err in $statErrors) {
    $module.Warn("Get-NetAdapterStatistics: $($err.Exception.Message)")
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
$dnsByIndex = @{}
foreach ($client in $dnsClients) {
    $dnsByIndex[[string]$client.InterfaceIndex] = $client
}

# ----------------------------------------------------------------------------- interfaces
$order = [System.Collections.Generic.List[String]]::new()
$interfaceByIndex = @{}
foreach ($ipif in $ipInterfaces) {
    $key = [string]$ipif.InterfaceIndex
    $family = ConvertTo-WinnetValue -Value $ipif.AddressFamily -Map $familyMap -What "the address family of interface $key"
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
    if (ConvertTo-WinnetValue -Value $ipif.ConnectionState -Map $connectionMap -What "$what ConnectionState") {
        $entry.connected = $true
    }
    $entry[$family] = @{
        metric = [int]$ipif.InterfaceMetric
        automatic_metric = ConvertTo-WinnetValue -Value $ipif.AutomaticMetric -Map $flagMap -What "$what AutomaticMetric"
        weak_host_send = ConvertTo-WinnetValue -Value $ipif.WeakHostSend -Map $flagMap -What "$what WeakHostSend"
        weak_host_receive = ConvertTo-WinnetValue -Value $ipif.WeakHostReceive -Map $flagMap -What "$what WeakHostReceive"
        forwarding = ConvertTo-WinnetValue -Value $ipif.Forwarding -Map $flagMap -What "$what Forwarding"
        ignore_default_routes = ConvertTo-WinnetValue -Value $ipif.IgnoreDefaultRoutes -Map $flagMap -What "$what IgnoreDefaultRoutes"
        dhcp = ConvertTo-WinnetValue -Value $ipif.Dhcp -Map $flagMap -What "$what Dhcp"
    }
}

# ----------------------------------------------------------------------------- addresses
$addresses = [System.Collections.Generic.List[Object]]::new()
$loopbackHolders = @{}
foreach ($ip in $ipAddresses) {
    $key = [string]$ip.InterfaceIndex
    $text = ConvertTo-WinnetAddress -Value $ip.IPAddress
    $what = "address $text on interface $key"
    $type = ConvertTo-WinnetValue -Value $ip.Type -Map $addressTypeMap -What "$what Type"
    if ($type -ne 'unicast') {
        continue
    }
    if (-not $interfaceByIndex.ContainsKey($key)) {
        continue
    }
    if ($text -eq '127.0.0.1' -or $text -eq '::1') {
        $loopbackHolders[$key] = $true
    }
    $prefixOrigin = ConvertTo-WinnetValue -Value $ip.PrefixOrigin -Map $prefixOriginMap -What "$what PrefixOrigin"
    $suffixOrigin = ConvertTo-WinnetValue -Value $ip.SuffixOrigin -Map $suffixOriginMap -What "$what SuffixOrigin"
    $addresses.Add(@{
        address = $text
        prefix_length = [int]$ip.PrefixLength
        interface = [int]$ip.InterfaceIndex
        skip_as_source = [bool]$ip.SkipAsSource
        state = ConvertTo-WinnetValue -Value $ip.AddressState -Map $addressStateMap -What "$what AddressState"
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
        $family = ConvertTo-WinnetValue -Value $row.AddressFamily -Map $familyMap -What "$what AddressFamily"
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

$module.Result.changed = $false
$module.Result.state = @{
    schema = 'winnet.routing/v1'
    hostname = [string]$env:COMPUTERNAME
    os_version = [System.Environment]::OSVersion.Version.ToString()
    interfaces = $interfaces
    addresses = $addresses
    routes = $routes
    unbound_routes = $unboundRoutes
}

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
