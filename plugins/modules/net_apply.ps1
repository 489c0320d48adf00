#!powershell

# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter
#AnsibleRequires -PowerShell ansible_collections.winnet.routing.plugins.module_utils.WinnetState
#AnsibleRequires -PowerShell ansible_collections.winnet.routing.plugins.module_utils.WinnetOperations

# Executes an explicit list of operations (plugins/module_utils/ops.py is the contract) and
# returns the raw reads of the state afterwards (the bundle of WinnetState.psm1, which net_info
# returns too) in the same call. Each operation is one cmdlet call (or
# one LoopbackAdapter call) whose arguments are built as data from the operation's fields; its
# precondition is read first, and the run stops at the first operation whose precondition does
# not hold or whose call fails. Which operations run, and in which order, was decided by the
# planner in Python: nothing here compares desired and current state beyond the precondition.
# The handlers live in the WinnetOperations util, which the automatic rollback shares.

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
                                'remove_address', 'set_dns_registration', 'set_binding', 'set_netbios', 'create_loopback',
                                'rename_adapter', 'remove_loopback', 'add_firewall_rule', 'remove_firewall_rule'
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
                        component = @{ type = 'str'; choices = @('ms_msclient', 'ms_server') }
                        enabled = @{ type = 'bool' }
                        netbios = @{ type = 'str'; choices = @('default', 'enabled', 'disabled') }
                        name = @{ type = 'str' }
                        local_address = @{ type = 'str' }
                        protocol = @{ type = 'str'; choices = @('TCP', 'UDP') }
                        local_port = @{ type = 'str' }
                        # An adapter created earlier in the plan: resolved to its index before the operation runs.
                        adapter = @{ type = 'str' }
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
                        @('op', 'set_binding', @('interface', 'component', 'enabled')),
                        @('op', 'set_netbios', @('interface', 'netbios')),
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
        # Read by the action plugin, which turns it into the rollback option below.
        rollback_after = @{ type = 'int' }
        # Set by the action plugin only: the inverse operations to arm before anything changes.
        rollback = @{
            type = 'dict'
            options = @{
                name = @{ type = 'str'; required = $true }
                after = @{ type = 'int'; required = $true }
                operations = @{ type = 'list'; elements = 'dict'; required = $true }
                partial = @{ type = 'list'; elements = 'dict'; default = @() }
            }
        }
        # Set by the action plugin only: the rollback task to remove once the change is confirmed.
        rollback_confirm = @{ type = 'str' }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)


# ----------------------------------------------------------------------------- confirm
if ($null -ne $module.Params.rollback_confirm) {
    # A second call after a change with rollback_after: the controller reached the host again.
    if ($module.CheckMode) {
        $module.Result.changed = $false
        $module.ExitJson()
    }
    try {
        $confirmation = Confirm-WinnetRollback -Name $module.Params.rollback_confirm
    }
    catch {
        $module.FailJson("Failed to confirm the change (remove the rollback task $($module.Params.rollback_confirm)): $($_.Exception.Message)", $_)
    }
    $module.Result.changed = $true
    $module.Result.confirmation = $confirmation
    $module.ExitJson()
}

# ----------------------------------------------------------------------------- run
$operations = @($module.Params.plan.operations)
$progressPath = ''
if ($null -ne $module.Params.rollback -and -not $module.CheckMode) {
    # Armed before anything changes: if this fails, nothing has changed.
    try {
        $armed = Register-WinnetRollback -Rollback $module.Params.rollback -Total $operations.Count
    }
    catch {
        $module.FailJson("Failed to arm the automatic rollback, nothing was changed: $($_.Exception.Message)", $_)
    }
    $progressPath = $armed.progress
    $module.Result.rollback = @{
        name = $armed.name
        task_path = $armed.task_path
        at = $armed.at
        task_state = $armed.task_state
        language_mode = $armed.language_mode
        self_test = $armed.self_test
    }
    # The task's own command line, tried before anything changes, must have loaded the util and read
    # the rollback data (policy such as AllSigned or ConstrainedLanguage mode stops it otherwise).
    # The controller checks the same facts again; here, a rollback that cannot run stops the plan.
    if ($armed.self_test.exit_code -ne 0 -or $null -eq $armed.self_test.report) {
        $removed = 'the task was removed'
        try {
            Remove-WinnetRollback -Name $armed.name
        }
        catch {
            $removed = "removing the task failed: $($_.Exception.Message)"
        }
        $module.FailJson("The automatic rollback cannot run on this host (its command line exited with $($armed.self_test.exit_code) and read no rollback data, language mode $($armed.language_mode)); nothing was changed and $removed")
    }
}
$run = Invoke-WinnetOperationList -Operations $operations -CheckMode $module.CheckMode -ProgressPath $progressPath
$applied = $run.applied
$failure = $run.failure
$failureError = $run.failure_error

$module.Result.changed = ($applied.Count -gt 0)
$module.Result.applied = $applied
$module.Result.failure = $failure
$module.Result.reboot_required = $run.reboot_required
if ($run.diff_lines.Count -gt 0) {
    $module.Diff.prepared = [string]::Join("`n", $run.diff_lines)
}

# The state after the operations, read as net_info reads it. A failure here must not hide which
# operations ran: the result keeps them either way.
$readError = $null
try {
    $module.Result.bundle = Get-WinnetBundle
}
catch {
    $readError = $_
}

if ($null -ne $failure) {
    $message = "$($failure.message) ($($applied.Count) of $($operations.Count) operation(s) applied before it)"
    if ($null -ne $readError) {
        $message += "; reading the state afterwards failed too: $($readError.Exception.Message)"
    }
    if ($null -ne $failureError) {
        $module.FailJson($message, $failureError)
    }
    else {
        $module.FailJson($message)
    }
}
if ($null -ne $readError) {
    $module.FailJson("All $($applied.Count) of $($operations.Count) operation(s) were applied, but reading the state afterwards failed: $($readError.Exception.Message)", $readError)
}
$module.ExitJson()
