# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""net_apply.ps1 implements exactly the operation contract of plugins/module_utils/ops.py.

PowerShell cannot run here, so the module and the WinnetOperations util that holds its handlers
(shared with the automatic rollback) are read with the gate's tree-sitter helpers
(tests/tools/pscheck.py): every kind of ``ops.OPERATIONS`` has one handler in
``Invoke-WinnetOperation`` that calls ``ops.CMDLET[kind]`` and passes each field, read from
``$Operation.<field>``, as the parameter ``ops.PARAMETER[field]``; there is no handler for a kind
the contract does not know; the preconditions are ``ops.PRECONDITION``; and the static ``$spec``
declares exactly the contract's fields.
"""

from __future__ import annotations

import importlib.util
import os
import re

import pytest

from ansible_collections.winnet.routing.plugins.module_utils import ops

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
MODULE_PS1 = os.path.join(COLLECTION, 'plugins', 'modules', 'net_apply.ps1')
HANDLERS_PSM1 = os.path.join(COLLECTION, 'plugins', 'module_utils', 'WinnetOperations.psm1')
PSCHECK_PY = os.path.join(COLLECTION, 'tests', 'tools', 'pscheck.py')
LOOPBACK_TYPE = 'ansible_collections.winnet.routing.plugins.module_utils.LoopbackAdapter.LoopbackAdapter'

# Where the cmdlet's parameters differ from ops.PARAMETER, the field reaches the host another way:
# Rename-NetAdapter has no -InterfaceIndex (the adapter is read with Get-NetAdapter -InterfaceIndex
# and passed as -InputObject) and takes the new name as -NewName; the loopback calls of the C#
# util take the PnP instance id of the adapter read by index, and the new adapter gets its name
# from Rename-NetAdapter. A binding is read by the util's Get-WinnetAdapterBinding (the component
# for the adapter read by index) and changed as -InputObject; the NetBIOS setting is changed on the
# adapter configuration Get-WinnetNetbiosConfiguration reads for the index, with the option inside
# Invoke-CimMethod -Arguments. A firewall rule is found by its exact name within the collection's
# group (Get-WinnetFirewallRule) and removed as -InputObject: -Name would be a wildcard pattern.
ROUTED = {
    ('remove_firewall_rule', 'name'): ('Get-WinnetFirewallRule', 'Name'),
    ('set_binding', 'interface'): ('Get-NetAdapter', 'InterfaceIndex'),
    ('set_binding', 'component'): ('Get-WinnetAdapterBinding', 'Component'),
    ('set_netbios', 'interface'): ('Get-WinnetNetbiosConfiguration', 'Index'),
    ('rename_adapter', 'interface'): ('Get-NetAdapter', 'InterfaceIndex'),
    ('rename_adapter', 'name'): ('Rename-NetAdapter', 'NewName'),
    ('create_loopback', 'name'): ('Rename-NetAdapter', 'NewName'),
    ('remove_loopback', 'interface'): ('Get-NetAdapter', 'InterfaceIndex'),
}
SPEC_TYPES = {str: 'str', int: 'int', bool: 'bool'}


def _load_pscheck():
    spec = importlib.util.spec_from_file_location('winnet_routing_pscheck_for_net_apply', PSCHECK_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PSCHECK = _load_pscheck()


@pytest.fixture(scope='module')
def tree():
    """The util holding the handlers, which net_apply.ps1 requires."""
    with open(MODULE_PS1, encoding='utf-8') as handle:
        assert '#AnsibleRequires -PowerShell ansible_collections.winnet.routing.plugins.module_utils.WinnetOperations' in handle.read()
    with open(HANDLERS_PSM1, 'rb') as handle:
        parsed = PSCHECK.parse(handle.read())
    assert not PSCHECK.syntax_errors(parsed, HANDLERS_PSM1)
    return parsed


def _function(tree, name):
    for node in PSCHECK.walk(tree.root_node):
        if node.type == 'function_statement' and PSCHECK.text(node.children[1]).lower() == name.lower():
            return node
    raise AssertionError('WinnetOperations.psm1 defines no function %s' % name)


def _switch_clauses(function_node):
    """(labels, body) of each clause of the first switch in a function; labels are the string literals of the condition."""
    switches = [node for node in PSCHECK.walk(function_node) if node.type == 'switch_statement']
    assert switches, 'no switch in %s' % PSCHECK.text(function_node.children[1])
    clauses = []
    for node in PSCHECK.walk(switches[0]):
        if node.type != 'switch_clause':
            continue
        condition = [child for child in node.children if child.type == 'switch_clause_condition'][0]
        body = [child for child in node.children if child.type == 'statement_block'][0]
        condition_text = PSCHECK.text(condition)
        if condition_text == 'default':
            labels = ['default']
        else:
            labels = [PSCHECK.static_value(literal) for literal in PSCHECK.walk(condition) if literal.type == 'verbatim_string_characters']
        clauses.append((labels, body))
    return clauses


def _handlers(tree):
    handlers = {}
    for labels, body in _switch_clauses(_function(tree, 'Invoke-WinnetOperation')):
        for label in labels:
            assert label not in handlers, 'two handlers for %s' % label
            handlers[label] = body
    return handlers


def _local_splats(body):
    """{variable: {key: value text}} for the hashtables built inside a handler."""
    splats = {}
    for node in PSCHECK.walk(body):
        if node.type != 'assignment_expression':
            continue
        target = PSCHECK.unwrap(node.children[0])
        value = PSCHECK.unwrap(node.children[-1])
        if target.type == 'variable' and value.type == 'hash_literal_expression':
            splats[PSCHECK.text(target)[1:].lower()] = {key: PSCHECK.text(value_node) for key, _key_node, value_node in PSCHECK.hash_entries(value)}
        elif target.type == 'member_access' and target.children[0].type == 'variable':
            name = PSCHECK.text(target.children[0])[1:].lower()
            member = [child for child in target.children if child.type == 'member_name']
            assert name in splats and member, 'addition to a hashtable not built in the handler: %s' % PSCHECK.text(node)
            splats[name][PSCHECK.text(member[0])] = PSCHECK.text(node.children[-1])
    return splats


def _calls(body):
    """[(command, {parameter: value text})] for every cmdlet and LoopbackAdapter call in a handler."""
    splats = _local_splats(body)
    calls = []
    for node in PSCHECK.walk(body):
        if node.type == 'command':
            uses = PSCHECK.command_uses(node)
            assert uses is not None, 'dynamic command in a handler: %s' % PSCHECK.text(node)
            name_node, parameters, used_splats = uses
            arguments = {}
            for parameter, parameter_node in parameters:
                following = parameter_node.next_sibling
                while following is not None and following.type == 'command_argument_sep':
                    following = following.next_sibling
                arguments[parameter] = PSCHECK.text(following) if following is not None and following.type != 'command_parameter' else ''
            for variable, _splat_node in used_splats:
                assert variable.lower() in splats, 'splat @%s is not built in its handler' % variable
                arguments.update(splats[variable.lower()])
            calls.append((PSCHECK.text(name_node), arguments))
        elif node.type == 'invokation_expression' and node.children[0].type == 'type_literal':
            type_name = PSCHECK.text(node.children[0])[1:-1]
            member = [child for child in node.children if child.type == 'member_name']
            if type_name == LOOPBACK_TYPE and member:
                calls.append(('LoopbackAdapter.%s' % PSCHECK.text(member[0]), {}))
    return calls


def test_every_kind_has_exactly_one_handler_and_no_other(tree):  # pylint: disable=redefined-outer-name
    handlers = _handlers(tree)
    assert set(handlers) - {'default'} == set(ops.OPERATIONS)
    assert 'default' in handlers, 'an unknown kind must fail, not pass silently'


@pytest.mark.parametrize('kind', sorted(ops.OPERATIONS))
def test_handler_calls_the_contract_cmdlet(tree, kind):
    calls = _calls(_handlers(tree)[kind])
    assert ops.CMDLET[kind] in [name for name, _arguments in calls], calls


@pytest.mark.parametrize('kind', sorted(ops.OPERATIONS))
def test_handler_passes_every_field_as_its_parameter(tree, kind):
    calls = _calls(_handlers(tree)[kind])
    for field, _type, _required in ops.OPERATIONS[kind]:
        command, parameter = ROUTED.get((kind, field), (ops.CMDLET[kind], ops.PARAMETER[field]))
        passed = [arguments[parameter] for name, arguments in calls if name.lower() == command.lower() and parameter in arguments]
        assert passed, '%s.%s: %s is not called with -%s' % (kind, field, command, parameter)
        assert any(re.search(r'\$Operation\.%s\b' % field, value) for value in passed), \
            '%s.%s: -%s of %s is not read from $Operation.%s (%s)' % (kind, field, parameter, command, field, passed)


@pytest.mark.parametrize('kind', sorted(ops.OPERATIONS))
def test_handler_reads_only_its_own_fields(tree, kind):
    body = PSCHECK.text(_handlers(tree)[kind])
    used = set(re.findall(r'\$Operation\.(\w+)', body))
    fields = {field for field, _type, _required in ops.OPERATIONS[kind]}
    assert used <= fields, '%s reads fields it does not have: %s' % (kind, sorted(used - fields))


@pytest.fixture(scope='module')
def table():
    return PSCHECK.CmdletTable.load()


@pytest.mark.parametrize('kind', sorted(ops.OPERATIONS))
def test_handler_calls_fit_a_parameter_set(tree, table, kind):  # pylint: disable=redefined-outer-name
    for name, arguments in _calls(_handlers(tree)[kind]):
        command = table.cmdlets.get(name.lower())
        if command is None:
            # LoopbackAdapter calls and the module's own helper functions (pscheck checks those).
            continue
        for parameter in arguments:
            assert command.problem(parameter, table.common_aliases) is None, (name, parameter)
        assert command.set_problem(list(arguments)) is None, (name, sorted(arguments))


def test_no_command_strings_are_evaluated(tree):
    for node in PSCHECK.walk(tree.root_node):
        if node.type == 'command':
            uses = PSCHECK.command_uses(node)
            assert uses is not None, 'dynamic command: %s' % PSCHECK.text(node)
            name = PSCHECK.text(uses[0]).lower()
            assert name not in ('invoke-expression', 'iex', 'invoke-command'), PSCHECK.text(node)


def test_preconditions_are_the_contract(tree):
    assignment = None
    for node in PSCHECK.walk(tree.root_node):
        if node.type == 'assignment_expression' and PSCHECK.text(PSCHECK.unwrap(node.children[0])).lower() == '$preconditionof':
            assignment = node
    assert assignment is not None, 'WinnetOperations.psm1 has no $preconditionOf table'
    assert PSCHECK.static_value(assignment.children[-1]) == ops.PRECONDITION
    checked = set()
    for labels, _body in _switch_clauses(_function(tree, 'Test-WinnetPrecondition')):
        checked.update(labels)
    assert checked - {'default'} == set(ops.PRECONDITION.values())


# Every table WinnetOperations.psm1 holds at module level, and its one source in ops.py.
OPERATION_TABLES = {
    '$preconditionof': ops.PRECONDITION,
    '$familyparameter': ops.FAMILY_PARAMETER,
    '$storeparameter': ops.STORE_PARAMETER,
    '$storesof': ops.STORE_COPIES,
    '$netbiosoption': ops.NETBIOS,
}


def _module_tables(node, found=None):
    """{variable (lower case): value} of the static hashtables assigned outside any function."""
    found = {} if found is None else found
    if node.type == 'function_statement':
        return found
    if node.type == 'assignment_expression':
        try:
            literal = PSCHECK.static_value(node.children[-1])
        except PSCHECK.NotStatic:
            literal = None
        if isinstance(literal, dict):
            found[PSCHECK.text(PSCHECK.unwrap(node.children[0])).lower()] = literal
    for child in node.children:
        _module_tables(child, found)
    return found


def test_every_table_of_the_operations_is_a_copy_of_the_contract(tree):  # pylint: disable=redefined-outer-name
    # A table written twice drifts: each hashtable the util assigns at module level must be one
    # of ops.py's tables, value for value, and no other table may appear there.
    found = _module_tables(tree.root_node)
    assert sorted(found) == sorted(OPERATION_TABLES)
    for name, table in OPERATION_TABLES.items():
        assert found[name] == table, name


@pytest.mark.parametrize('source, name', [
    ("$netbiosOption = @{ default = 2; enabled = 1; disabled = 2 }\n", '$netbiosoption'),
    ("$storeParameter = @{ active = 'ActiveStore'; persistent = 'ActiveStore' }\n", '$storeparameter'),
    ("$zoneOf = @{ a = 'b' }\nFunction Get-X { $inner = @{ c = 1 } }\n", '$zoneof'),
])
def test_a_drifted_or_unknown_module_table_is_seen(source, name):
    # The collector reads values, not names, and only the module level: a copy with one value
    # changed differs from its contract table, and a new table is listed (a function's own is not).
    found = _module_tables(PSCHECK.parse(source.encode('utf-8')).root_node)
    assert list(found) == [name]
    assert found[name] != OPERATION_TABLES.get(name)


def test_spec_element_options_are_the_contract_fields():
    spec = PSCHECK.extract_spec(MODULE_PS1)
    plan = spec['options']['plan']
    assert plan['type'] == 'dict' and plan['required'] and set(plan['options']) == {'base', 'operations'}
    operations = plan['options']['operations']
    assert operations['type'] == 'list' and operations['elements'] == 'dict'
    options = operations['options']
    fields = {}
    for kind, kind_fields in ops.OPERATIONS.items():
        for field, field_type, _required in kind_fields:
            assert fields.setdefault(field, field_type) is field_type, '%s has two types in ops.OPERATIONS' % field
    # adapter names an adapter created earlier in the plan; Invoke-WinnetOperationList resolves it
    # to the interface index before the handler runs (test_the_adapter_name_is_resolved_before_the_handler)
    fields[ops.ADAPTER_FIELD] = str
    assert set(options) == set(fields) | {'op'}
    for field, field_type in fields.items():
        assert options[field]['type'] == SPEC_TYPES[field_type], field
        assert not options[field].get('required'), '%s must not be required for every kind' % field
    assert options['op'] == {'type': 'str', 'required': True, 'choices': sorted(ops.OPERATIONS, key=list(options['op']['choices']).index)}
    assert set(options['op']['choices']) == set(ops.OPERATIONS)
    assert set(options['family']['choices']) == set(ops.FAMILIES)
    assert set(options['store']['choices']) == {store for stores in ops.STORES.values() for store in stores}
    assert set(options['protocol']['choices']) == set(ops.PROTOCOLS)
    for option in options.values():
        assert 'default' not in option, 'net_apply invents no defaults: the planner fills every field'


def test_spec_requires_each_kinds_required_fields():
    spec = PSCHECK.extract_spec(MODULE_PS1)
    operations = spec['options']['plan']['options']['operations']
    required_if = {entry[1]: entry[2] for entry in operations['required_if']}
    for entry in operations['required_if']:
        assert entry[0] == 'op' and len(entry) == 3
    expected = {kind: [field for field, _type, required in fields if required] for kind, fields in ops.OPERATIONS.items()}
    assert required_if == expected


def test_the_adapter_name_is_resolved_before_the_precondition_and_the_handler(tree):  # pylint: disable=redefined-outer-name
    body = PSCHECK.text(_function(tree, 'Invoke-WinnetOperationList'))
    resolve = body.index('$operation.interface = Resolve-WinnetAdapterIndex -Name $operation.adapter')
    assert resolve < body.index('Test-WinnetPrecondition -Operation $operation') < body.index('Invoke-WinnetOperation -Operation $operation')
    resolver = PSCHECK.text(_function(tree, 'Resolve-WinnetAdapterIndex'))
    # the name is compared as text, never used as a wildcard pattern (Get-NetAdapter -Name would be one)
    assert 'Get-NetAdapter -IncludeHidden' in resolver and 'Get-NetAdapter -Name' not in resolver
    assert '[string]$_.Name -eq $Name' in resolver


@pytest.fixture(scope='module')
def util_findings(tree, table):  # pylint: disable=redefined-outer-name
    return PSCHECK.check_parameters_that_bite(tree, HANDLERS_PSM1, table) + PSCHECK.check_culture(tree, HANDLERS_PSM1)


def test_no_store_is_left_to_a_default_and_no_name_is_a_pattern(util_findings):  # pylint: disable=redefined-outer-name
    assert util_findings == []


@pytest.mark.parametrize('kind', ['set_address', 'remove_address'])
def test_address_changes_reach_both_stores_and_both_spellings(tree, kind):  # pylint: disable=redefined-outer-name
    # Remove-NetIPAddress acts on the ActiveStore by default: the persistent copy would come back
    # at the next boot. A link-local address is listed with its zone (fe80::1%12).
    calls = [arguments for name, arguments in _calls(_handlers(tree)[kind]) if name.lower() == ops.CMDLET[kind].lower()]
    assert len(calls) == 2
    body = PSCHECK.text(_handlers(tree)[kind])
    assert "PolicyStore = 'ActiveStore'" in body and "PolicyStore = 'PersistentStore'" in body
    assert body.index("'ActiveStore'") < body.index("'PersistentStore'")
    assert "@($Operation.address, ($Operation.address + '%' + $Operation.interface))" in body


def test_interface_settings_reach_both_stores(tree):  # pylint: disable=redefined-outer-name
    body = PSCHECK.text(_handlers(tree)['set_interface'])
    assert body.index("PolicyStore = 'ActiveStore'") < body.index("PolicyStore = 'PersistentStore'")
    assert body.count('Set-NetIPInterface @setInterface') == 2


def test_netbios_default_is_written_where_settcpipnetbios_would_write_it(tree):  # pylint: disable=redefined-outer-name
    # SetTcpipNetbios(0) returns 100 on an adapter without DHCP (the DSR loopback, every static NIC).
    body = PSCHECK.text(_handlers(tree)['set_netbios'])
    assert "if ($Operation.netbios -eq 'default')" in body
    assert "'Tcpip_' + [string]$configurations[0].SettingID" in body and "Name = 'NetbiosOptions'" in body
    assert body.index('Set-ItemProperty') < body.index('Invoke-CimMethod')
    assigned = [node for node in PSCHECK.walk(tree.root_node) if node.type == 'assignment_expression'
                and PSCHECK.text(PSCHECK.unwrap(node.children[0])).lower() == '$netbtinterfaceskey']
    assert PSCHECK.static_value(assigned[0].children[-1]) == 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NetBT\\Parameters\\Interfaces'


def test_a_loopback_that_cannot_be_named_is_removed_again_and_named_in_the_error(tree):  # pylint: disable=redefined-outer-name
    body = PSCHECK.text(_handlers(tree)['create_loopback'])
    created = body.index('LoopbackAdapter]::Create()')
    guarded = body.index('try {', created)
    assert guarded < body.index('Find-WinnetLoopbackAdapter') < body.index('Rename-NetAdapter')
    cleanup = body.index('catch {', body.index('Rename-NetAdapter'))
    assert body.index('LoopbackAdapter]::Remove($created.InstanceId)') > cleanup
    assert 'throw "the loopback device $($created.InstanceId) was installed' in body


def test_a_name_held_by_a_device_that_is_not_present_is_not_free(tree):  # pylint: disable=redefined-outer-name
    precondition = PSCHECK.text(_function(tree, 'Test-WinnetPrecondition'))
    assert 'Get-WinnetConnectionName' in precondition
    reader = PSCHECK.text(_function(tree, 'Get-WinnetConnectionName'))
    assert '$networkClassKey' in reader and "'Connection'" in reader and 'PnPInstanceId' in reader


def test_firewall_rules_are_compared_by_exact_name_in_the_group(tree):  # pylint: disable=redefined-outer-name
    reader = PSCHECK.text(_function(tree, 'Get-WinnetFirewallRule'))
    assert "Get-NetFirewallRule -Group 'winnet.routing' -PolicyStore PersistentStore" in reader
    assert '[string]$_.Name -ceq $Name' in reader
    assert 'Remove-NetFirewallRule -InputObject $rules[0]' in PSCHECK.text(_handlers(tree)['remove_firewall_rule'])


def test_the_state_read_after_the_operations_cannot_hide_what_ran():
    # The bundle read after the operations sits in a try: when it fails, the failure names how many
    # operations ran and the result still lists them (applied is set before the read).
    with open(MODULE_PS1, 'rb') as handle:
        module = PSCHECK.parse(handle.read())
    calls = [node for node in PSCHECK.walk(module.root_node) if node.type == 'command' and PSCHECK.text(node).startswith('Get-WinnetBundle')]
    assert len(calls) == 1
    parent = calls[0].parent
    while parent is not None and parent.type != 'try_statement':
        parent = parent.parent
    assert parent is not None, 'Get-WinnetBundle is not inside a try'
    text = PSCHECK.text(module.root_node)
    assert text.index('$module.Result.applied = $applied') < text.index('Get-WinnetBundle')
    assert 'reading the state afterwards failed' in text[text.index('Get-WinnetBundle'):]
    assert '$($applied.Count) of $($operations.Count) operation(s)' in text[text.index('Get-WinnetBundle'):]


def test_the_loopback_driver_is_installed_on_the_new_device_only():
    # UpdateDriverForPlugAndPlayDevices installs for every device with the hardware id (the DSR
    # loopback carrying VIPs among them); DiInstallDevice installs on the device it is given.
    with open(os.path.join(COLLECTION, 'plugins', 'module_utils', 'LoopbackAdapter.cs'), encoding='utf-8') as handle:
        source = handle.read()
    code = re.sub(r'//[^\n]*', '', source)
    assert 'UpdateDriverForPlugAndPlayDevices' not in code and 'INSTALLFLAG_FORCE' not in code
    create = code[code.index('public static LoopbackResult Create()'):code.index('public static string[] GetHardwareIds')]
    assert 'NativeMethods.DiInstallDevice(IntPtr.Zero, deviceInfoSet, ref deviceInfo, IntPtr.Zero' in create
    # no installer may show UI: the device is marked quiet before it is registered and installed
    assert create.index('SetQuiet(deviceInfoSet, ref deviceInfo)') < create.index('DIF_REGISTERDEVICE') < create.index('DiInstallDevice')
    assert 'DI_QUIETINSTALL = 0x00800000' in code and 'DIIDFLAG_NOFINISHINSTALLUI = 0x00000002' in code
    assert 'installParams.Flags |= NativeHelpers.DI_QUIETINSTALL' in code
