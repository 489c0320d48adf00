# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The operation handlers of the collection (plugins/module_utils/ops.py is the contract), shared
# by net_apply and by the automatic rollback. net_apply imports this util; when a task asks for
# rollback_after, net_apply also writes this file's own text next to the rollback data on the
# host, and the one-shot scheduled task imports that copy and runs the same handlers on the
# inverse operations, read as JSON data. Nothing here decides which operations run: the planner
# did, in Python. The loopback operations need the LoopbackAdapter C# util, which net_apply
# loads; the rollback never creates an adapter (the controller refuses plans that remove one), and
# removes an adapter the plan created by its name (resolved to its index, then its PnP instance id).

# Schema words -> cmdlet values.
$familyParameter = @{ ipv4 = 'IPv4'; ipv6 = 'IPv6' }
$storeParameter = @{ active = 'ActiveStore'; persistent = 'PersistentStore' }
# The stores an operation's store value names: 'both' is New-NetRoute without -PolicyStore.
$storesOf = @{ active = @('active'); persistent = @('persistent'); both = @('active', 'persistent') }
# The precondition of each kind (ops.PRECONDITION).
$preconditionOf = @{
    add_route = 'route_absent'
    remove_route = 'route_present'
    set_route_metric = 'route_present'
    set_interface = 'interface_family_present'
    add_address = 'address_absent'
    set_address = 'address_present'
    remove_address = 'address_present'
    set_dns_registration = 'interface_present'
    set_binding = 'binding_present'
    set_netbios = 'netbios_configurable'
    create_loopback = 'adapter_name_free'
    rename_adapter = 'interface_present'
    remove_loopback = 'loopback_adapter'
    add_firewall_rule = 'firewall_rule_absent'
    remove_firewall_rule = 'firewall_rule_present'
}
# NetBIOS over TCP/IP: operation value -> TcpipNetbiosOptions of Win32_NetworkAdapterConfiguration.SetTcpipNetbios.
$netbiosOption = @{ default = 0; enabled = 1; disabled = 2 }
# SetTcpipNetbios return values that mean success: 0 done, 1 done once the host reboots.
$netbiosDone = 0
$netbiosDoneAfterReboot = 1
# SetTcpipNetbios(0) fails (returns 100) on an adapter without DHCP; the value it would write,
# NetbiosOptions under the adapter's NetBT interface key (Tcpip_<SettingID>), is written directly.
$netbtInterfacesKey = 'HKLM:\SYSTEM\CurrentControlSet\Services\NetBT\Parameters\Interfaces'
# The firewall group of the rules this collection manages; a rule is found by its exact name within it.
$firewallGroup = 'winnet.routing'
# The connection names of every network adapter, present or not, are kept under the Net class key.
$networkClassKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Network\{4D36E972-E325-11CE-BFC1-08002BE10318}'
# The KM-TEST loopback adapter's ComponentID (hardware id *MSLOOP), never its translated description.
$loopbackComponentId = '*msloop'
# After the device is installed, Windows needs a moment before the adapter is visible through
# CIM (the registry/CIM race): look for it this many times, one second apart.
$adapterLookupAttempts = 30

Function ConvertTo-WinnetSwitch {
    # Set-NetIPInterface takes Enabled/Disabled where the operation holds a boolean.
    param([bool] $Value)
    if ($Value) {
        return 'Enabled'
    }
    return 'Disabled'
}

Function Get-WinnetOperationText {
    # The object an operation acts on, for messages: "route 192.0.2.0/24 via 0.0.0.0 on interface 12 (active)".
    param([object] $Operation)
    switch ($Operation.op) {
        { $_ -in @('add_route', 'remove_route', 'set_route_metric') } {
            return "route $($Operation.destination) via $($Operation.next_hop) on interface $($Operation.interface) ($($Operation.store))"
        }
        { $_ -in @('add_address', 'set_address', 'remove_address') } {
            return "address $($Operation.address) on interface $($Operation.interface)"
        }
        { $_ -in @('set_interface') } {
            return "interface $($Operation.interface) $($Operation.family)"
        }
        { $_ -in @('set_dns_registration', 'rename_adapter', 'remove_loopback') } {
            return "interface $($Operation.interface)"
        }
        { $_ -in @('set_binding') } {
            return "binding $($Operation.component) of interface $($Operation.interface)"
        }
        { $_ -in @('set_netbios') } {
            return "NetBIOS over TCP/IP of interface $($Operation.interface)"
        }
        { $_ -in @('create_loopback') } {
            return "loopback adapter '$($Operation.name)'"
        }
        { $_ -in @('add_firewall_rule', 'remove_firewall_rule') } {
            return "firewall rule '$($Operation.name)'"
        }
    }
    return [string]$Operation.op
}

Function Assert-WinnetNotFoundOnly {
    # A read that finds nothing reports ObjectNotFound; any other error means the read failed.
    param([object[]] $Errors, [string] $What)
    foreach ($err in $Errors) {
        if ([string]$err.CategoryInfo.Category -ne 'ObjectNotFound') {
            throw "Failed to read $($What): $($err.Exception.Message)"
        }
    }
}

Function Get-WinnetAdapterByIndex {
    param([int] $Index)
    $readErrors = @()
    $found = @(Get-NetAdapter -InterfaceIndex $Index -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    Assert-WinnetNotFoundOnly -Errors $readErrors -What "the adapter of interface $Index"
    return $found
}

Function Resolve-WinnetAdapterIndex {
    # The interface index of the adapter named $Name (an operation's adapter field: an adapter an
    # earlier operation of the plan created). Names are compared as text, never as a pattern.
    param([string] $Name)
    $readErrors = @()
    $adapters = @(Get-NetAdapter -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    Assert-WinnetNotFoundOnly -Errors $readErrors -What 'the adapters'
    $named = @($adapters | Where-Object { [string]$_.Name -eq $Name })
    if ($named.Count -ne 1) {
        throw "no adapter is named '$Name' ($($named.Count) found)"
    }
    return [int]$named[0].InterfaceIndex
}

Function Get-WinnetAdapterBinding {
    # The binding of one component to one adapter. The adapter is matched by its description,
    # compared as text (a -Name or -InterfaceDescription argument would be a wildcard pattern).
    param([object] $Adapter, [string] $Component)
    $readErrors = @()
    $bindings = @(Get-NetAdapterBinding -ComponentID $Component -IncludeHidden -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    Assert-WinnetNotFoundOnly -Errors $readErrors -What "the $Component bindings"
    return @($bindings | Where-Object { [string]$_.InterfaceDescription -eq [string]$Adapter.InterfaceDescription })
}

Function Get-WinnetFirewallRule {
    # The rule of the collection's group whose name is exactly Name, in the local store. The name
    # is compared as text: a -Name argument would be a wildcard pattern, and '*' would match every
    # rule of the host (the WinRM rule among them).
    param([string] $Name)
    $readErrors = @()
    $rules = @(Get-NetFirewallRule -Group 'winnet.routing' -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    Assert-WinnetNotFoundOnly -Errors $readErrors -What "the firewall rules of the group $firewallGroup"
    return @($rules | Where-Object { [string]$_.Name -ceq $Name })
}

Function Get-WinnetConnectionName {
    # Connection names with the device that holds each, from the registry: an adapter that is not
    # present (a removed or hidden device) keeps its name there, and no other adapter can take it.
    $names = [System.Collections.Generic.List[Object]]::new()
    $keys = @(Get-ChildItem -LiteralPath $networkClassKey -ErrorAction Stop)
    foreach ($key in $keys) {
        $connectionKey = Join-Path -Path $key.PSPath -ChildPath 'Connection'
        if (Test-Path -LiteralPath $connectionKey) {
            $values = Get-ItemProperty -LiteralPath $connectionKey -ErrorAction Stop
            $names.Add(@{ Name = [string]$values.Name; PnPInstanceId = [string]$values.PnPInstanceId })
        }
    }
    return $names.ToArray()
}

Function Get-WinnetTimestamp {
    # Now, in UTC, in the round-trip format of the invariant culture (never the host's calendar or separators).
    return (Get-Date).ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
}

Function Get-WinnetNetbiosConfiguration {
    # The IP-enabled Win32_NetworkAdapterConfiguration of an interface (none when IP is not bound).
    param([int] $Index)
    $configurations = @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE' -ErrorAction Stop)
    return @($configurations | Where-Object { [int]$_.InterfaceIndex -eq $Index })
}

Function Test-WinnetPrecondition {
    # $null when the operation's precondition holds, else why it does not. Throws when the read fails.
    param([object] $Operation)
    $what = Get-WinnetOperationText -Operation $Operation
    $precondition = $preconditionOf[$Operation.op]
    $readErrors = @()
    switch ($precondition) {
        { $_ -in @('route_absent', 'route_present') } {
            foreach ($store in $storesOf[$Operation.store]) {
                $routeQuery = @{
                    AddressFamily = $familyParameter[$Operation.family]
                    DestinationPrefix = $Operation.destination
                    NextHop = $Operation.next_hop
                    InterfaceIndex = $Operation.interface
                    PolicyStore = $storeParameter[$store]
                }
                $found = @(Get-NetRoute @routeQuery -ErrorAction SilentlyContinue -ErrorVariable readErrors)
                Assert-WinnetNotFoundOnly -Errors $readErrors -What $what
                if ($precondition -eq 'route_absent' -and $found.Count -gt 0) {
                    return "$what already exists in the $store store"
                }
                if ($precondition -eq 'route_present' -and $found.Count -eq 0) {
                    return "$what does not exist"
                }
            }
        }
        { $_ -in @('interface_family_present') } {
            $interfaceQuery = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
            }
            $found = @(Get-NetIPInterface @interfaceQuery -ErrorAction SilentlyContinue -ErrorVariable readErrors)
            Assert-WinnetNotFoundOnly -Errors $readErrors -What $what
            if ($found.Count -eq 0) {
                return "$what does not exist"
            }
        }
        { $_ -in @('address_absent', 'address_present') } {
            # In force: the ActiveStore. A link-local address is listed with its zone (fe80::1%12),
            # so both spellings are asked for.
            $addressQuery = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = @($Operation.address, ($Operation.address + '%' + $Operation.interface))
                PolicyStore = 'ActiveStore'
            }
            $found = @(Get-NetIPAddress @addressQuery -ErrorAction SilentlyContinue -ErrorVariable readErrors)
            Assert-WinnetNotFoundOnly -Errors $readErrors -What $what
            if ($precondition -eq 'address_absent' -and $found.Count -gt 0) {
                return "$what already exists"
            }
            if ($precondition -eq 'address_present' -and $found.Count -eq 0) {
                return "$what does not exist"
            }
        }
        { $_ -in @('interface_present') } {
            # Read the object the operation's cmdlet acts on: the DNS client settings of the
            # interface, or its network adapter.
            if ($Operation.op -eq 'set_dns_registration') {
                $found = @(Get-DnsClient -InterfaceIndex $Operation.interface -ErrorAction SilentlyContinue -ErrorVariable readErrors)
                Assert-WinnetNotFoundOnly -Errors $readErrors -What $what
            }
            else {
                $found = @(Get-WinnetAdapterByIndex -Index $Operation.interface)
            }
            if ($found.Count -eq 0) {
                return "$what does not exist"
            }
        }
        { $_ -in @('binding_present') } {
            $found = @(Get-WinnetAdapterByIndex -Index $Operation.interface)
            if ($found.Count -eq 0) {
                return "interface $($Operation.interface) has no network adapter"
            }
            $bindings = @(Get-WinnetAdapterBinding -Adapter $found[0] -Component $Operation.component)
            if ($bindings.Count -eq 0) {
                return "$what does not exist (the component is not installed for $($found[0].Name))"
            }
        }
        { $_ -in @('netbios_configurable') } {
            $found = @(Get-WinnetNetbiosConfiguration -Index $Operation.interface)
            if ($found.Count -eq 0) {
                return "interface $($Operation.interface) has no IP-enabled adapter configuration"
            }
        }
        { $_ -in @('adapter_name_free') } {
            # Compared as text, never as a wildcard pattern.
            $adapters = @(Get-NetAdapter -IncludeHidden -ErrorAction Stop)
            $taken = @($adapters | Where-Object { [string]$_.Name -eq $Operation.name })
            if ($taken.Count -gt 0) {
                return "an adapter named '$($Operation.name)' already exists (interface $($taken[0].InterfaceIndex))"
            }
            $held = @(Get-WinnetConnectionName | Where-Object { $_.Name -eq $Operation.name })
            if ($held.Count -gt 0) {
                return "the name '$($Operation.name)' belongs to the adapter $($held[0].PnPInstanceId), which is not present (remove that device first, for example with pnputil /remove-device)"
            }
        }
        { $_ -in @('loopback_adapter') } {
            $found = @(Get-WinnetAdapterByIndex -Index $Operation.interface)
            if ($found.Count -eq 0) {
                return "$what has no network adapter"
            }
            if ([string]$found[0].ComponentID -ne $loopbackComponentId) {
                return "$what ($($found[0].Name)) is not a KM-TEST loopback adapter (ComponentID '$($found[0].ComponentID)', not '$loopbackComponentId')"
            }
        }
        { $_ -in @('firewall_rule_absent', 'firewall_rule_present') } {
            $found = @(Get-WinnetFirewallRule -Name $Operation.name)
            if ($precondition -eq 'firewall_rule_absent' -and $found.Count -gt 0) {
                return "$what already exists"
            }
            if ($precondition -eq 'firewall_rule_present' -and $found.Count -eq 0) {
                return "$what does not exist"
            }
        }
        default {
            return "no precondition check for operation '$($Operation.op)'"
        }
    }
    return $null
}

Function Find-WinnetLoopbackAdapter {
    # The adapter of a just-installed loopback device, by its PnP instance id; it appears in CIM
    # some time after the device is installed, so look again (bounded) until it does.
    param([string] $InstanceId)
    for ($attempt = 1; $attempt -le $adapterLookupAttempts; $attempt++) {
        $adapters = @(Get-NetAdapter -IncludeHidden -ErrorAction SilentlyContinue)
        $found = @($adapters | Where-Object { [string]$_.ComponentID -eq $loopbackComponentId -and [string]$_.PnPDeviceID -eq $InstanceId })
        if ($found.Count -gt 0) {
            return $found[0]
        }
        Start-Sleep -Seconds 1
    }
    throw "the loopback device $InstanceId was installed but no network adapter appeared for it within $adapterLookupAttempts seconds"
}

Function Invoke-WinnetOperation {
    # Runs the one call of an operation; returns a hashtable of what it produced (or $null).
    # Errors are terminating (-ErrorAction Stop) and reach the caller.
    param([object] $Operation)
    $outcome = $null
    switch ($Operation.op) {
        'add_route' {
            $newRoute = @{
                AddressFamily = $familyParameter[$Operation.family]
                DestinationPrefix = $Operation.destination
                NextHop = $Operation.next_hop
                InterfaceIndex = $Operation.interface
                RouteMetric = $Operation.route_metric
            }
            # Without -PolicyStore, New-NetRoute writes both stores; it cannot write the
            # PersistentStore alone (the planner never asks it to).
            if ($Operation.store -eq 'active') {
                $newRoute.PolicyStore = $storeParameter[$Operation.store]
            }
            $null = New-NetRoute @newRoute -ErrorAction Stop
        }
        'remove_route' {
            $removeRoute = @{
                AddressFamily = $familyParameter[$Operation.family]
                DestinationPrefix = $Operation.destination
                NextHop = $Operation.next_hop
                InterfaceIndex = $Operation.interface
                PolicyStore = $storeParameter[$Operation.store]
            }
            Remove-NetRoute @removeRoute -Confirm:$false -ErrorAction Stop
        }
        'set_route_metric' {
            $setRoute = @{
                AddressFamily = $familyParameter[$Operation.family]
                DestinationPrefix = $Operation.destination
                NextHop = $Operation.next_hop
                InterfaceIndex = $Operation.interface
                PolicyStore = $storeParameter[$Operation.store]
                RouteMetric = $Operation.route_metric
            }
            Set-NetRoute @setRoute -ErrorAction Stop
        }
        'set_interface' {
            # Only the settings the operation carries are passed.
            $setInterface = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
            }
            if ($null -ne $Operation.metric) {
                $setInterface.InterfaceMetric = $Operation.metric
            }
            if ($null -ne $Operation.automatic_metric) {
                $setInterface.AutomaticMetric = ConvertTo-WinnetSwitch -Value $Operation.automatic_metric
            }
            if ($null -ne $Operation.weak_host_send) {
                $setInterface.WeakHostSend = ConvertTo-WinnetSwitch -Value $Operation.weak_host_send
            }
            if ($null -ne $Operation.weak_host_receive) {
                $setInterface.WeakHostReceive = ConvertTo-WinnetSwitch -Value $Operation.weak_host_receive
            }
            if ($null -ne $Operation.forwarding) {
                $setInterface.Forwarding = ConvertTo-WinnetSwitch -Value $Operation.forwarding
            }
            if ($null -ne $Operation.ignore_default_routes) {
                $setInterface.IgnoreDefaultRoutes = ConvertTo-WinnetSwitch -Value $Operation.ignore_default_routes
            }
            if ($null -ne $Operation.dhcp) {
                $setInterface.Dhcp = ConvertTo-WinnetSwitch -Value $Operation.dhcp
            }
            # In force now (the ActiveStore), then kept for the next boot (the PersistentStore, when
            # the interface has settings there; the outcome says whether it had).
            $setInterface.PolicyStore = 'ActiveStore'
            Set-NetIPInterface @setInterface -ErrorAction Stop
            $setInterface.PolicyStore = 'PersistentStore'
            $storeErrors = @()
            Set-NetIPInterface @setInterface -ErrorAction SilentlyContinue -ErrorVariable storeErrors
            Assert-WinnetNotFoundOnly -Errors $storeErrors -What "the persistent settings of interface $($Operation.interface)"
            $outcome = @{ persistent = ($storeErrors.Count -eq 0) }
        }
        'add_address' {
            $newAddress = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = $Operation.address
                PrefixLength = $Operation.prefix_length
                SkipAsSource = $Operation.skip_as_source
            }
            # Without -PolicyStore, New-NetIPAddress writes both stores; 'active' keeps the address
            # out of the PersistentStore (an undo of an address that was never persistent).
            if ($Operation.store -eq 'active') {
                $newAddress.PolicyStore = $storeParameter[$Operation.store]
            }
            $null = New-NetIPAddress @newAddress -ErrorAction Stop
        }
        'set_address' {
            # In both stores; the PersistentStore copy may not exist. A link-local address is listed
            # with its zone (fe80::1%12): both spellings are given.
            $setAddress = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = @($Operation.address, ($Operation.address + '%' + $Operation.interface))
                SkipAsSource = $Operation.skip_as_source
                PolicyStore = 'ActiveStore'
            }
            Set-NetIPAddress @setAddress -ErrorAction Stop
            $setAddress.PolicyStore = 'PersistentStore'
            $storeErrors = @()
            Set-NetIPAddress @setAddress -ErrorAction SilentlyContinue -ErrorVariable storeErrors
            Assert-WinnetNotFoundOnly -Errors $storeErrors -What "the persistent copy of $(Get-WinnetOperationText -Operation $Operation)"
        }
        'remove_address' {
            # From the ActiveStore and from the PersistentStore, so that it does not come back at the
            # next boot (Remove-NetIPAddress acts on the ActiveStore only by default).
            $removeAddress = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = @($Operation.address, ($Operation.address + '%' + $Operation.interface))
                PolicyStore = 'ActiveStore'
            }
            Remove-NetIPAddress @removeAddress -Confirm:$false -ErrorAction Stop
            $removeAddress.PolicyStore = 'PersistentStore'
            $storeErrors = @()
            Remove-NetIPAddress @removeAddress -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable storeErrors
            Assert-WinnetNotFoundOnly -Errors $storeErrors -What "the persistent copy of $(Get-WinnetOperationText -Operation $Operation)"
        }
        'set_dns_registration' {
            $setDns = @{
                InterfaceIndex = $Operation.interface
                RegisterThisConnectionsAddress = $Operation.register_dns
            }
            Set-DnsClient @setDns -ErrorAction Stop
        }
        'set_binding' {
            # Changed through the binding object read for the interface's adapter.
            $adapter = Get-NetAdapter -InterfaceIndex $Operation.interface -IncludeHidden -ErrorAction Stop
            $bindings = @(Get-WinnetAdapterBinding -Adapter $adapter -Component $Operation.component)
            if ($bindings.Count -eq 0) {
                throw "the adapter $($adapter.Name) has no binding of the component"
            }
            Set-NetAdapterBinding -InputObject $bindings[0] -Enabled $Operation.enabled -ErrorAction Stop
        }
        'set_netbios' {
            # The method reports its outcome in ReturnValue instead of an error.
            $configurations = @(Get-WinnetNetbiosConfiguration -Index $Operation.interface)
            if ($configurations.Count -eq 0) {
                throw 'no IP-enabled adapter configuration'
            }
            if ($Operation.netbios -eq 'default') {
                # SetTcpipNetbios(0) returns 100 on an adapter without DHCP (the DSR loopback, any
                # static NIC): the value is written where the method would write it.
                $registryValue = @{
                    LiteralPath = (Join-Path -Path $netbtInterfacesKey -ChildPath ('Tcpip_' + [string]$configurations[0].SettingID))
                    Name = 'NetbiosOptions'
                    Value = $netbiosOption[$Operation.netbios]
                    Type = 'DWord'
                }
                Set-ItemProperty @registryValue -ErrorAction Stop
                return @{ registry = $registryValue.LiteralPath; reboot_required = $false }
            }
            $called = Invoke-CimMethod -InputObject $configurations[0] -MethodName SetTcpipNetbios -Arguments @{
                TcpipNetbiosOptions = [uint32]$netbiosOption[$Operation.netbios]
            } -ErrorAction Stop
            $returned = [int]$called.ReturnValue
            if ($returned -ne $netbiosDone -and $returned -ne $netbiosDoneAfterReboot) {
                throw "SetTcpipNetbios returned $returned"
            }
            $outcome = @{
                return_value = $returned
                reboot_required = ($returned -eq $netbiosDoneAfterReboot)
            }
        }
        'create_loopback' {
            # The device is installed first; the adapter Windows creates for it is then found by
            # its PnP instance id and given the operation's name. DHCP, APIPA addresses, DNS
            # registration and so on are separate operations of the plan.
            $created = [ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter.LoopbackAdapter]::Create()
            $outcome = @{
                instance_id = $created.InstanceId
                reboot_required = $created.RebootRequired
                interface = $null
            }
            try {
                $adapter = Find-WinnetLoopbackAdapter -InstanceId $created.InstanceId
                $newName = @{
                    InputObject = $adapter
                    NewName = $Operation.name
                }
                Rename-NetAdapter @newName -ErrorAction Stop
                $outcome.interface = [int]$adapter.InterfaceIndex
            }
            catch {
                # The device must not stay behind, installed and unreported: it is removed again,
                # and the error names it either way.
                $problem = $_.Exception.Message
                $cleanup = 'it was removed again'
                try {
                    $null = [ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter.LoopbackAdapter]::Remove($created.InstanceId)
                }
                catch {
                    $cleanup = "removing it failed as well ($($_.Exception.Message)): remove the device $($created.InstanceId) by hand"
                }
                throw "the loopback device $($created.InstanceId) was installed but could not be given the name '$($Operation.name)': $problem; $cleanup"
            }
        }
        'rename_adapter' {
            $adapter = @(Get-NetAdapter -InterfaceIndex $Operation.interface -IncludeHidden -ErrorAction Stop)[0]
            $renameAdapter = @{
                InputObject = $adapter
                NewName = $Operation.name
            }
            Rename-NetAdapter @renameAdapter -ErrorAction Stop
        }
        'remove_loopback' {
            # Safety check, not a decision: only a KM-TEST loopback adapter is ever removed (the
            # C# util checks the device's hardware ids again).
            $adapter = @(Get-NetAdapter -InterfaceIndex $Operation.interface -IncludeHidden -ErrorAction Stop)[0]
            if ([string]$adapter.ComponentID -ne $loopbackComponentId) {
                throw "interface $($Operation.interface) ($($adapter.Name)) is not a KM-TEST loopback adapter: refusing to remove it"
            }
            $removed = [ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter.LoopbackAdapter]::Remove([string]$adapter.PnPDeviceID)
            $outcome = @{
                instance_id = $removed.InstanceId
                reboot_required = $removed.RebootRequired
                interface = $Operation.interface
            }
        }
        'add_firewall_rule' {
            # Inbound allow rule; its display name is its name. The group marks the rules this
            # collection manages: WinnetState.psm1 gathers the rules of that group.
            $newRule = @{
                Name = $Operation.name
                DisplayName = $Operation.name
                Group = 'winnet.routing'
                Direction = 'Inbound'
                Action = 'Allow'
                LocalAddress = $Operation.local_address
                Protocol = $Operation.protocol
                LocalPort = $Operation.local_port
            }
            $null = New-NetFirewallRule @newRule -ErrorAction Stop
        }
        'remove_firewall_rule' {
            # The rule object of the collection's group with exactly this name, never a -Name pattern.
            $rules = @(Get-WinnetFirewallRule -Name $Operation.name)
            if ($rules.Count -ne 1) {
                throw "expected one rule named '$($Operation.name)' in the group $firewallGroup, found $($rules.Count)"
            }
            Remove-NetFirewallRule -InputObject $rules[0] -Confirm:$false -ErrorAction Stop
        }
        default {
            throw "unknown operation '$($Operation.op)'"
        }
    }
    return $outcome
}

Function Get-WinnetCleanOperation {
    # The operation as given, without the fields it does not carry.
    param([object] $Operation)
    $clean = @{}
    foreach ($key in @($Operation.Keys)) {
        if ($null -ne $Operation[$key]) {
            $clean[$key] = $Operation[$key]
        }
    }
    return $clean
}

Function Invoke-WinnetOperationList {
    # Runs the operations in order: each one's precondition is read first, and the run stops at
    # the first operation whose precondition does not hold or whose call fails. In check mode
    # only the preconditions are read. With a ProgressPath, the number of operations applied so
    # far is written there after each one (the automatic rollback reads it).
    param(
        [object[]] $Operations,
        [bool] $CheckMode,
        [string] $ProgressPath
    )
    $run = @{
        applied = [System.Collections.Generic.List[Object]]::new()
        diff_lines = [System.Collections.Generic.List[String]]::new()
        failure = $null
        failure_error = $null
        reboot_required = $false
    }
    for ($index = 0; $index -lt $Operations.Count; $index++) {
        $operation = $Operations[$index]
        $clean = Get-WinnetCleanOperation -Operation $operation
        $precondition = $preconditionOf[$operation.op]
        $what = Get-WinnetOperationText -Operation $operation
        $problem = $null
        try {
            if ($null -ne $operation.adapter) {
                # The adapter was created earlier in this plan: the index Windows gave it replaces the predicted one.
                $operation.interface = Resolve-WinnetAdapterIndex -Name $operation.adapter
            }
            $what = Get-WinnetOperationText -Operation $operation
            $problem = Test-WinnetPrecondition -Operation $operation
        }
        catch {
            $run.failure = @{
                index = $index
                operation = $clean
                precondition = $precondition
                message = "Failed to check precondition $precondition of operations[$index] ($($operation.op) $what): $($_.Exception.Message)"
            }
            $run.failure_error = $_
            break
        }
        if ($null -ne $problem) {
            $run.failure = @{
                index = $index
                operation = $clean
                precondition = $precondition
                message = "operations[$index] ($($operation.op)): precondition $precondition does not hold: $problem"
            }
            break
        }
        $entry = @{
            index = $index
            operation = $clean
            result = $null
        }
        if (-not $CheckMode) {
            try {
                $entry.result = Invoke-WinnetOperation -Operation $operation
            }
            catch {
                $run.failure = @{
                    index = $index
                    operation = $clean
                    precondition = $null
                    message = "Failed to run operations[$index] ($($operation.op) $what): $($_.Exception.Message)"
                }
                $run.failure_error = $_
                break
            }
            if ($null -ne $entry.result -and $entry.result.reboot_required) {
                $run.reboot_required = $true
            }
        }
        $run.applied.Add($entry)
        $run.diff_lines.Add("+ operations[$index]: $($operation.op) $what")
        if ($ProgressPath) {
            Write-WinnetJson -Path $ProgressPath -Value @{ applied = $run.applied.Count }
        }
    }
    return $run
}

# ----------------------------------------------------------------------------- rollback
# The rollback of one net_apply call lives in its own directory under the rollback root, named
# after its scheduled task (\winnet.routing\winnet-rollback-<32 hex digits>):
#   rollback.json          the inverse operations, as data (written before anything changes)
#   progress.json          how many of the plan's operations net_apply has applied so far
#   WinnetOperations.psm1  a copy of this file, which the task loads
#   selftest.json          written when net_apply tries the task's own command line before anything changes
#   started.json           written by the task when it starts; result.json when it ends
# Every file is written and read as UTF-8 with an explicit encoding: net_apply may run in
# PowerShell 7 and the task runs in Windows PowerShell 5.1, whose default is the ANSI code page.
$rollbackTaskPath = '\winnet.routing\'
$rollbackNamePattern = '^winnet-rollback-[0-9a-f]{32}$'
# The task's command line is this literal: no value is ever inserted into it. The task starts in
# its rollback directory, so the relative paths name the files there. It loads the copy of this
# util from its text instead of importing the .psm1 file: an execution policy set by Group Policy
# (AllSigned) applies to script files, not to a command line, and would otherwise stop the
# unsigned copy from loading. Where Windows Defender Application Control or AppLocker puts
# PowerShell in ConstrainedLanguage mode the util cannot run at all: net_apply finds that out by
# running the same command line with Test-WinnetRollback before anything changes.
$rollbackArgument = '-NoProfile -NonInteractive -Command "$source = [System.IO.File]::ReadAllText(''WinnetOperations.psm1'', [System.Text.Encoding]::UTF8); New-Module -Name WinnetOperations -ScriptBlock ([ScriptBlock]::Create($source)) | Import-Module; Invoke-WinnetRollback -Directory (Get-Location).Path"'
$rollbackCheckArgument = '-NoProfile -NonInteractive -Command "$source = [System.IO.File]::ReadAllText(''WinnetOperations.psm1'', [System.Text.Encoding]::UTF8); New-Module -Name WinnetOperations -ScriptBlock ([ScriptBlock]::Create($source)) | Import-Module; Test-WinnetRollback -Directory (Get-Location).Path"'
# Only LocalSystem and the Administrators group may write where a SYSTEM task reads its code.
$rollbackOwners = @('S-1-5-18', 'S-1-5-32-544')

Function Write-WinnetJson {
    param([string] $Path, [object] $Value)
    $text = ConvertTo-Json -InputObject $Value -Depth 10 -Compress
    Set-Content -LiteralPath $Path -Value $text -Encoding UTF8 -ErrorAction Stop
}

Function ConvertTo-WinnetHashtable {
    # A JSON object read back with ConvertFrom-Json, as the hashtable the handlers were given by Ansible.Basic.
    param([object] $Value)
    $table = @{}
    foreach ($property in $Value.PSObject.Properties) {
        $table[$property.Name] = $property.Value
    }
    return $table
}

Function Get-WinnetOperationsSource {
    # This util's own text: the root of the syntax tree the function was parsed from.
    $ast = $MyInvocation.MyCommand.ScriptBlock.Ast
    while ($null -ne $ast.Parent) {
        $ast = $ast.Parent
    }
    return $ast.Extent.Text
}

Function Get-WinnetRollbackRoot {
    return (Join-Path -Path $env:ProgramData -ChildPath 'winnet.routing\rollback')
}

Function Assert-WinnetRollbackName {
    param([string] $Name)
    if ($Name -cnotmatch $rollbackNamePattern) {
        throw "'$Name' is not a rollback task name (winnet-rollback- and 32 lower-case hex digits)"
    }
}

Function Protect-WinnetDirectory {
    # Owner Administrators; full control for LocalSystem and Administrators only; nothing inherited.
    param([string] $Path)
    $security = New-Object -TypeName System.Security.AccessControl.DirectorySecurity
    $security.SetAccessRuleProtection($true, $false)
    foreach ($sid in $rollbackOwners) {
        $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
        $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList @(
            $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'
        )
        $security.AddAccessRule($rule)
    }
    $owner = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList 'S-1-5-32-544'
    $security.SetOwner($owner)
    Set-Acl -LiteralPath $Path -AclObject $security -ErrorAction Stop
}

Function New-WinnetRollbackDirectory {
    param([string] $Name)
    $root = Get-WinnetRollbackRoot
    foreach ($path in @((Join-Path -Path $env:ProgramData -ChildPath 'winnet.routing'), $root)) {
        if (-not (Test-Path -LiteralPath $path -PathType Container)) {
            $null = New-Item -Path $path -ItemType Directory -Force -ErrorAction Stop
        }
        Protect-WinnetDirectory -Path $path
    }
    $directory = Join-Path -Path $root -ChildPath $Name
    if (Test-Path -LiteralPath $directory) {
        throw "the rollback directory $directory exists already"
    }
    $null = New-Item -Path $directory -ItemType Directory -ErrorAction Stop
    Protect-WinnetDirectory -Path $directory
    return $directory
}

Function Register-WinnetRollback {
    # Arms the automatic rollback of a net_apply call before anything changes: writes the
    # inverse operations (data), a copy of this util, and registers the one-shot SYSTEM task that
    # runs them at now + After seconds unless Confirm-WinnetRollback removes it first.
    param(
        [object] $Rollback,
        [int] $Total
    )
    $name = [string]$Rollback.name
    Assert-WinnetRollbackName -Name $name
    $directory = New-WinnetRollbackDirectory -Name $name
    $partial = [System.Collections.Generic.List[Object]]::new()
    foreach ($entry in @($Rollback.partial)) {
        if ($null -ne $entry) {
            $partial.Add(@{ applied = [int]$entry.applied; operations = @($entry.operations) })
        }
    }
    $data = @{
        name = $name
        total = $Total
        operations = @($Rollback.operations)
        partial = $partial
    }
    Write-WinnetJson -Path (Join-Path -Path $directory -ChildPath 'rollback.json') -Value $data
    Write-WinnetJson -Path (Join-Path -Path $directory -ChildPath 'progress.json') -Value @{ applied = 0 }
    $source = Get-WinnetOperationsSource
    Set-Content -LiteralPath (Join-Path -Path $directory -ChildPath 'WinnetOperations.psm1') -Value $source -Encoding UTF8 -ErrorAction Stop
    $at = (Get-Date).AddSeconds([int]$Rollback.after)
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $rollbackArgument -WorkingDirectory $directory
    $trigger = New-ScheduledTaskTrigger -Once -At $at
    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
    $settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -ExecutionTimeLimit (New-TimeSpan -Minutes 30)
    $task = @{
        TaskName = $name
        TaskPath = $rollbackTaskPath
        Action = $action
        Trigger = $trigger
        Principal = $principal
        Settings = $settings
        Description = 'winnet.routing automatic rollback: restores the network configuration unless the change is confirmed'
    }
    $null = Register-ScheduledTask @task -ErrorAction Stop
    $armed = @{
        name = $name
        task_path = $rollbackTaskPath
        directory = $directory
        progress = (Join-Path -Path $directory -ChildPath 'progress.json')
        at = $at.ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
        language_mode = [string]$ExecutionContext.SessionState.LanguageMode
        task_state = $null
        self_test = $null
    }
    # What was registered, read back.
    $registered = @(Get-ScheduledTask -TaskName $name -TaskPath $rollbackTaskPath -ErrorAction Stop)
    if ($registered.Count -gt 0) {
        $armed.task_state = [string]$registered[0].State
    }
    # The task's own command line, run now with Test-WinnetRollback: it loads the util and reads
    # the rollback data exactly as the task will, and fails where policy would stop the task.
    $check = @{
        FilePath = 'powershell.exe'
        ArgumentList = $rollbackCheckArgument
        WorkingDirectory = $directory
        NoNewWindow = $true
        Wait = $true
        PassThru = $true
    }
    $process = Start-Process @check -ErrorAction Stop
    $armed.self_test = @{
        exit_code = $process.ExitCode
        report = Read-WinnetJson -Path (Join-Path -Path $directory -ChildPath 'selftest.json')
    }
    return $armed
}

Function Test-WinnetRollback {
    # Run by the self-test with the task's command line: reads the rollback data as the task would
    # and records what it found, changing nothing.
    param([string] $Directory)
    $data = Read-WinnetJson -Path (Join-Path -Path $Directory -ChildPath 'rollback.json')
    Assert-WinnetRollbackName -Name ([string]$data.name)
    $report = @{
        name = [string]$data.name
        operations = @($data.operations).Count
        partial = @($data.partial).Count
        language_mode = [string]$ExecutionContext.SessionState.LanguageMode
        at = Get-WinnetTimestamp
    }
    Write-WinnetJson -Path (Join-Path -Path $Directory -ChildPath 'selftest.json') -Value $report
}

Function Remove-WinnetRollback {
    # Undoes Register-WinnetRollback when the rollback cannot run: the task and its directory go.
    param([string] $Name)
    Assert-WinnetRollbackName -Name $Name
    $readErrors = @()
    $tasks = @(Get-ScheduledTask -TaskName $Name -TaskPath $rollbackTaskPath -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    Assert-WinnetNotFoundOnly -Errors $readErrors -What "the scheduled task $rollbackTaskPath$Name"
    if ($tasks.Count -gt 0) {
        Unregister-ScheduledTask -TaskName $Name -TaskPath $rollbackTaskPath -Confirm:$false -ErrorAction Stop
    }
    $directory = Join-Path -Path (Get-WinnetRollbackRoot) -ChildPath $Name
    if (Test-Path -LiteralPath $directory) {
        Remove-Item -LiteralPath $directory -Recurse -Force -ErrorAction Stop
    }
}

Function Read-WinnetJson {
    param([string] $Path)
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        return $null
    }
    return (Get-Content -LiteralPath $Path -Raw -Encoding UTF8 -ErrorAction Stop | ConvertFrom-Json)
}

Function Confirm-WinnetRollback {
    # The change is confirmed: the task is removed before it runs, with its directory. When the
    # task has started already, nothing is removed and what it did is reported.
    param([string] $Name)
    Assert-WinnetRollbackName -Name $Name
    $directory = Join-Path -Path (Get-WinnetRollbackRoot) -ChildPath $Name
    $readErrors = @()
    $tasks = @(Get-ScheduledTask -TaskName $Name -TaskPath $rollbackTaskPath -ErrorAction SilentlyContinue -ErrorVariable readErrors)
    Assert-WinnetNotFoundOnly -Errors $readErrors -What "the scheduled task $rollbackTaskPath$Name"
    if ($tasks.Count -gt 0) {
        Unregister-ScheduledTask -TaskName $Name -TaskPath $rollbackTaskPath -Confirm:$false -ErrorAction Stop
    }
    $started = Read-WinnetJson -Path (Join-Path -Path $directory -ChildPath 'started.json')
    if ($null -ne $started) {
        return @{
            confirmed = $false
            task_found = ($tasks.Count -gt 0)
            started = $started.at
            result = Read-WinnetJson -Path (Join-Path -Path $directory -ChildPath 'result.json')
        }
    }
    if (Test-Path -LiteralPath $directory) {
        Remove-Item -LiteralPath $directory -Recurse -Force -ErrorAction Stop
    }
    return @{
        confirmed = ($tasks.Count -gt 0)
        task_found = ($tasks.Count -gt 0)
        started = $null
        result = $null
    }
}

Function Invoke-WinnetRollback {
    # The scheduled task: undo the operations net_apply applied (all of them, or the ones before
    # the operation that stopped it), with the same handlers, then remove the task.
    param([string] $Directory)
    Write-WinnetJson -Path (Join-Path -Path $Directory -ChildPath 'started.json') -Value @{ at = Get-WinnetTimestamp }
    $data = Read-WinnetJson -Path (Join-Path -Path $Directory -ChildPath 'rollback.json')
    Assert-WinnetRollbackName -Name ([string]$data.name)
    $progress = Read-WinnetJson -Path (Join-Path -Path $Directory -ChildPath 'progress.json')
    $applied = 0
    if ($null -ne $progress) {
        $applied = [int]$progress.applied
    }
    $selected = @()
    if ($applied -ge [int]$data.total) {
        $selected = @($data.operations)
    }
    else {
        foreach ($entry in @($data.partial)) {
            if ([int]$entry.applied -eq $applied) {
                $selected = @($entry.operations)
            }
        }
    }
    $operations = [System.Collections.Generic.List[Object]]::new()
    foreach ($item in $selected) {
        $operations.Add((ConvertTo-WinnetHashtable -Value $item))
    }
    $run = Invoke-WinnetOperationList -Operations $operations.ToArray() -CheckMode $false -ProgressPath ''
    $message = $null
    if ($null -ne $run.failure) {
        $message = $run.failure.message
    }
    $result = @{
        finished = Get-WinnetTimestamp
        plan_applied = $applied
        operations = $operations.Count
        applied = $run.applied.Count
        failure = $message
    }
    Write-WinnetJson -Path (Join-Path -Path $Directory -ChildPath 'result.json') -Value $result
    Unregister-ScheduledTask -TaskName ([string]$data.name) -TaskPath $rollbackTaskPath -Confirm:$false -ErrorAction Stop
}

Export-ModuleMember -Function @(
    'Invoke-WinnetOperation', 'Test-WinnetPrecondition', 'Invoke-WinnetOperationList', 'Get-WinnetOperationText', 'Resolve-WinnetAdapterIndex',
    'Get-WinnetCleanOperation', 'Register-WinnetRollback', 'Confirm-WinnetRollback', 'Invoke-WinnetRollback', 'Get-WinnetOperationsSource',
    'Test-WinnetRollback', 'Remove-WinnetRollback'
)
