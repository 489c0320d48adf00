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
            $addressQuery = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = $Operation.address
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
            $taken = @($adapters | Where-Object { $_.Name -eq $Operation.name })
            if ($taken.Count -gt 0) {
                return "an adapter named '$($Operation.name)' already exists (interface $($taken[0].InterfaceIndex))"
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
            $found = @(Get-NetFirewallRule -Name $Operation.name -ErrorAction SilentlyContinue -ErrorVariable readErrors)
            Assert-WinnetNotFoundOnly -Errors $readErrors -What $what
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
            Set-NetIPInterface @setInterface -ErrorAction Stop
        }
        'add_address' {
            $newAddress = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = $Operation.address
                PrefixLength = $Operation.prefix_length
                SkipAsSource = $Operation.skip_as_source
            }
            $null = New-NetIPAddress @newAddress -ErrorAction Stop
        }
        'set_address' {
            $setAddress = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = $Operation.address
                SkipAsSource = $Operation.skip_as_source
            }
            Set-NetIPAddress @setAddress -ErrorAction Stop
        }
        'remove_address' {
            $removeAddress = @{
                InterfaceIndex = $Operation.interface
                AddressFamily = $familyParameter[$Operation.family]
                IPAddress = $Operation.address
            }
            Remove-NetIPAddress @removeAddress -Confirm:$false -ErrorAction Stop
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
            $adapter = Find-WinnetLoopbackAdapter -InstanceId $created.InstanceId
            $outcome.interface = [int]$adapter.InterfaceIndex
            $newName = @{
                InputObject = $adapter
                NewName = $Operation.name
            }
            Rename-NetAdapter @newName -ErrorAction Stop
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
            $removeRule = @{
                Name = $Operation.name
            }
            Remove-NetFirewallRule @removeRule -Confirm:$false -ErrorAction Stop
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
#   WinnetOperations.psm1  a copy of this file, which the task imports
#   started.json           written by the task when it starts; result.json when it ends
$rollbackTaskPath = '\winnet.routing\'
$rollbackNamePattern = '^winnet-rollback-[0-9a-f]{32}$'
# The task's command line is this literal: no value is ever inserted into it. The task starts in
# its rollback directory, so the relative paths name the files there.
$rollbackArgument = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "Import-Module -Name .\WinnetOperations.psm1; Invoke-WinnetRollback -Directory (Get-Location).Path"'
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
    return @{
        name = $name
        task_path = $rollbackTaskPath
        directory = $directory
        progress = (Join-Path -Path $directory -ChildPath 'progress.json')
        at = $at.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    }
}

Function Read-WinnetJson {
    param([string] $Path)
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        return $null
    }
    return (Get-Content -LiteralPath $Path -Raw -ErrorAction Stop | ConvertFrom-Json)
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
    Write-WinnetJson -Path (Join-Path -Path $Directory -ChildPath 'started.json') -Value @{ at = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
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
        finished = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
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
    'Get-WinnetCleanOperation', 'Register-WinnetRollback', 'Confirm-WinnetRollback', 'Invoke-WinnetRollback', 'Get-WinnetOperationsSource'
)
