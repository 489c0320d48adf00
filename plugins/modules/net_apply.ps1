#!powershell

# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter
#AnsibleRequires -PowerShell ansible_collections.winnet.routing.plugins.module_utils.WinnetState

# Executes an explicit list of operations (plugins/module_utils/ops.py is the contract) and
# returns the state gathered afterwards in the same call. Each operation is one cmdlet call (or
# one LoopbackAdapter call) whose arguments are built as data from the operation's fields; its
# precondition is read first, and the run stops at the first operation whose precondition does
# not hold or whose call fails. Which operations run, and in which order, was decided by the
# planner in Python: nothing here compares desired and current state beyond the precondition.

$spec = @{
    options = @{
        plan = @{
            type = 'dict'
            required = $true
            options = @{
                base = @{ type = 'str' }
                operations = @{
                    type = 'list'
                    elements = 'dict'
                    required = $true
                    options = @{
                        op = @{
                            type = 'str'
                            required = $true
                            choices = @(
                                'add_route', 'remove_route', 'set_route_metric', 'set_interface', 'add_address', 'set_address',
                                'remove_address', 'set_dns_registration', 'create_loopback', 'rename_adapter', 'remove_loopback',
                                'add_firewall_rule', 'remove_firewall_rule'
                            )
                        }
                        family = @{ type = 'str'; choices = @('ipv4', 'ipv6') }
                        destination = @{ type = 'str' }
                        next_hop = @{ type = 'str' }
                        interface = @{ type = 'int' }
                        route_metric = @{ type = 'int' }
                        store = @{ type = 'str'; choices = @('active', 'persistent', 'both') }
                        metric = @{ type = 'int' }
                        automatic_metric = @{ type = 'bool' }
                        weak_host_send = @{ type = 'bool' }
                        weak_host_receive = @{ type = 'bool' }
                        forwarding = @{ type = 'bool' }
                        ignore_default_routes = @{ type = 'bool' }
                        dhcp = @{ type = 'bool' }
                        address = @{ type = 'str' }
                        prefix_length = @{ type = 'int' }
                        skip_as_source = @{ type = 'bool' }
                        register_dns = @{ type = 'bool' }
                        name = @{ type = 'str' }
                        local_address = @{ type = 'str' }
                        protocol = @{ type = 'str'; choices = @('TCP', 'UDP') }
                        local_port = @{ type = 'str' }
                    }
                    required_if = @(
                        @('op', 'add_route', @('family', 'destination', 'next_hop', 'interface', 'route_metric', 'store')),
                        @('op', 'remove_route', @('family', 'destination', 'next_hop', 'interface', 'store')),
                        @('op', 'set_route_metric', @('family', 'destination', 'next_hop', 'interface', 'store', 'route_metric')),
                        @('op', 'set_interface', @('interface', 'family')),
                        @('op', 'add_address', @('interface', 'family', 'address', 'prefix_length', 'skip_as_source')),
                        @('op', 'set_address', @('interface', 'family', 'address', 'skip_as_source')),
                        @('op', 'remove_address', @('interface', 'family', 'address')),
                        @('op', 'set_dns_registration', @('interface', 'register_dns')),
                        @('op', 'create_loopback', @('name')),
                        @('op', 'rename_adapter', @('interface', 'name')),
                        @('op', 'remove_loopback', @('interface')),
                        @('op', 'add_firewall_rule', @('name', 'local_address', 'protocol', 'local_port')),
                        @('op', 'remove_firewall_rule', @('name'))
                    )
                }
            }
        }
        # Evaluated on the controller by the action plugin (the connection guard), before this
        # module is called; accepted here so that the module's spec matches its documentation.
        allow_connection_loss = @{ type = 'bool'; default = $false }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

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
    create_loopback = 'adapter_name_free'
    rename_adapter = 'interface_present'
    remove_loopback = 'loopback_adapter'
    add_firewall_rule = 'firewall_rule_absent'
    remove_firewall_rule = 'firewall_rule_present'
}
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
            # Inbound allow rule; its display name is its name.
            $newRule = @{
                Name = $Operation.name
                DisplayName = $Operation.name
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

# ----------------------------------------------------------------------------- run
$operations = @($module.Params.plan.operations)
$applied = [System.Collections.Generic.List[Object]]::new()
$diffLines = [System.Collections.Generic.List[String]]::new()
$failure = $null
$failureError = $null
$rebootRequired = $false

for ($index = 0; $index -lt $operations.Count; $index++) {
    $operation = $operations[$index]
    $clean = Get-WinnetCleanOperation -Operation $operation
    $what = Get-WinnetOperationText -Operation $operation
    $precondition = $preconditionOf[$operation.op]
    $problem = $null
    try {
        $problem = Test-WinnetPrecondition -Operation $operation
    }
    catch {
        $failure = @{
            index = $index
            operation = $clean
            precondition = $precondition
            message = "Failed to check precondition $precondition of operations[$index] ($($operation.op) $what): $($_.Exception.Message)"
        }
        $failureError = $_
        break
    }
    if ($null -ne $problem) {
        $failure = @{
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
    if (-not $module.CheckMode) {
        try {
            $entry.result = Invoke-WinnetOperation -Operation $operation
        }
        catch {
            $failure = @{
                index = $index
                operation = $clean
                precondition = $null
                message = "Failed to run operations[$index] ($($operation.op) $what): $($_.Exception.Message)"
            }
            $failureError = $_
            break
        }
        if ($null -ne $entry.result -and $entry.result.reboot_required) {
            $rebootRequired = $true
        }
    }
    $applied.Add($entry)
    $diffLines.Add("+ operations[$index]: $($operation.op) $what")
}

$module.Result.changed = ($applied.Count -gt 0)
$module.Result.applied = $applied
$module.Result.failure = $failure
$module.Result.reboot_required = $rebootRequired
if ($diffLines.Count -gt 0) {
    $module.Diff.prepared = [string]::Join("`n", $diffLines)
}

# The state after the operations, gathered and normalised exactly as net_info does.
$module.Result.state = Get-WinnetState -Module $module

if ($null -ne $failure) {
    $message = "$($failure.message) ($($applied.Count) of $($operations.Count) operation(s) applied before it)"
    if ($null -ne $failureError) {
        $module.FailJson($message, $failureError)
    }
    else {
        $module.FailJson($message)
    }
}
$module.ExitJson()
