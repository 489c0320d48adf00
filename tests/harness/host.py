# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Windows host for the live path: it answers what Ansible sends to a real one.

``WindowsHost(directory)`` is one host, kept in a directory so that every connection (each task
opens its own) sees the same host:

* ``state.json``: its network state (a HostState), the truth the simulation changes;
* ``config.json``: how it answers (``style`` of the raw reads, ``controller_address``,
  ``host_address`` and ``port`` of the controller's connection) and the faults to inject;
* ``clock.json``: an offset added to the real time, so a test can let a rollback fall due;
* ``rollbacks/NAME.json``: the automatic rollbacks armed on it (the scheduled tasks);
* ``files/``: what was copied to it (put_file, without pipelining);
* ``log.jsonl``: one line per command it answered (the round trips).

``execute(command, stdin)`` takes a command line and its input as a transport delivers them and
returns an ``Answer`` (return code, stdout, stderr, and whether the transport should drop the
connection instead of answering). It reads the command as Ansible's PowerShell shell and exec
wrapper build it (``exec_wrapper``), checks that the module arrived with its PowerShell and C#
module utils, as the collection ships them, and with arguments its ``$spec`` accepts (``spec``),
and answers as the host would: ``net_info`` with the raw reads of its state (``render``),
``net_apply`` by running the operations with the collection's own Python applier, arming and
confirming rollbacks the way net_apply.ps1 does. It is a harness for the controller side and the
transport, not a claim about Windows: PowerShell itself never runs here.

Faults (``config.json`` ``faults``, each used once unless said otherwise):
``drop_after_operations: N`` (the connection drops after N operations of the next plan),
``fail_read_after_apply: true`` (reading the state after the operations fails),
``rollback_blocked: true`` (the rollback task's command line cannot run: policy),
``refuse_after_apply: true`` (once the next plan has run, the host accepts no new connection),
``refuse_connections: true`` (every new connection fails; cleared by hand),
``failed_reads: {READ: MESSAGE}`` (those raw reads fail with that message, as for an account
without the right to do them; until cleared).
"""

from __future__ import annotations

import datetime
import json
import os
import time

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply
from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState
from ansible_collections.winnet.routing.plugins.module_utils.netroute_json import parse_netroute_json
from ansible_collections.winnet.routing.plugins.module_utils.ops import PRECONDITION
from ansible_collections.winnet.routing.tests.harness import exec_wrapper, render, spec

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = ('net_info', 'net_apply')
TEMP = 'C:\\Users\\ansible\\AppData\\Local\\Temp'
HOME = 'C:\\Users\\ansible'
ROLLBACK_TASK_PATH = '\\winnet.routing\\'


class Answer:
    """What the host sends back for one command."""

    def __init__(self, rc=0, stdout=b'', stderr=b'', drop=None):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.drop = drop        # a reason: the transport drops the connection instead of answering


class Dropped(Exception):
    """The connection goes away while the host is working."""


def _utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def round_trip_time(seconds):
    """A time as net_apply.ps1 writes it: the invariant round-trip format, in UTC."""
    return _utc(seconds).strftime('%Y-%m-%dT%H:%M:%S.%f') + '0Z'


def _read(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def _write(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write('\n')
    os.replace(tmp, path)


class WindowsHost:
    """One simulated host, kept in ``directory`` (see the module docstring)."""

    def __init__(self, directory, collection=COLLECTION):
        self.directory = os.path.abspath(directory)
        self.collection = collection
        if not os.path.exists(self.path('state.json')):
            raise FileNotFoundError('%s holds no simulated host (state.json); create one with WindowsHost.create' % self.directory)

    # ------------------------------------------------------------------------ setting up
    @classmethod
    def create(cls, directory, state, style='numeric', controller_address=None, host_address=None, port=5986, faults=None):
        """A new host in ``directory`` whose state is ``state`` (a HostState dictionary) as the host
        would report it: the state is read back once from its own raw reads."""
        os.makedirs(os.path.join(directory, 'rollbacks'), exist_ok=True)
        os.makedirs(os.path.join(directory, 'files'), exist_ok=True)
        full = HostState.from_dict(state).to_dict()
        reported = HostState.from_dict(parse_netroute_json(render.render_bundle(full, style))).to_dict()
        _write(os.path.join(directory, 'state.json'), reported)
        _write(os.path.join(directory, 'config.json'), {'style': style, 'controller_address': controller_address,
                                                        'host_address': host_address, 'port': port, 'faults': faults or {}})
        _write(os.path.join(directory, 'clock.json'), {'offset': 0})
        open(os.path.join(directory, 'log.jsonl'), 'w', encoding='utf-8').close()
        return cls(directory)

    def path(self, *parts):
        return os.path.join(self.directory, *parts)

    # ------------------------------------------------------------------------ what tests read and set
    def state(self):
        return _read(self.path('state.json'))

    def config(self):
        return _read(self.path('config.json'))

    def log(self):
        with open(self.path('log.jsonl'), encoding='utf-8') as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def rollbacks(self):
        folder = self.path('rollbacks')
        return {name[:-5]: _read(os.path.join(folder, name)) for name in sorted(os.listdir(folder)) if name.endswith('.json')}

    def set_faults(self, **faults):
        config = self.config()
        config['faults'].update(faults)
        _write(self.path('config.json'), config)

    def advance(self, seconds):
        """Let ``seconds`` pass on the host's clock."""
        clock = _read(self.path('clock.json'), {'offset': 0})
        clock['offset'] += seconds
        _write(self.path('clock.json'), clock)

    def now(self):
        return time.time() + _read(self.path('clock.json'), {'offset': 0})['offset']

    def _fault(self, name, keep=False):
        config = self.config()
        value = config['faults'].get(name)
        if value and not keep:
            del config['faults'][name]
            _write(self.path('config.json'), config)
        return value

    def _log(self, entry):
        entry = dict(entry, at=round_trip_time(self.now()))
        with open(self.path('log.jsonl'), 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(entry, sort_keys=True) + '\n')

    # ------------------------------------------------------------------------ the transport's side
    def connect(self):
        """A new connection; raises Dropped when the host refuses connections."""
        if self._fault('refuse_connections', keep=True):
            raise Dropped('the host refuses connections')
        self._fire_due_rollbacks()
        self._log({'kind': 'connect'})

    def put_file(self, data, remote_path):
        name = remote_path.replace('\\', '/').strip('/').replace('/', '_').replace(':', '')
        with open(self.path('files', name), 'wb') as handle:
            handle.write(data)
        self._log({'kind': 'put_file', 'path': remote_path})

    def fetch_file(self, remote_path):
        name = remote_path.replace('\\', '/').strip('/').replace('/', '_').replace(':', '')
        with open(self.path('files', name), 'rb') as handle:
            return handle.read()

    def execute(self, command, stdin=None):
        """Answer one command line (with its input) as the host would."""
        self._fire_due_rollbacks()
        try:
            decoded = exec_wrapper.decode_command(command)
            if decoded['file'] is not None:
                stdin = self.fetch_file(decoded['file'])
            if exec_wrapper.is_bootstrap(decoded['script']):
                return self._run_manifest(stdin)
            removed = exec_wrapper.removed_path(decoded['script'])
            if removed is not None:
                self._log({'kind': 'remove', 'path': removed})
                return Answer(0, b'', b'')
            raise exec_wrapper.Refused('a script the simulated host does not run: %s' % decoded['script'][:200])
        except exec_wrapper.Refused as exc:
            self._log({'kind': 'refused', 'reason': str(exc)})
            return Answer(1, b'', ('winnet_harness: %s' % exc).encode('utf-8'))
        except Dropped as exc:
            self._log({'kind': 'dropped', 'reason': str(exc)})
            return Answer(drop=str(exc))

    def _run_manifest(self, stdin):
        wrapper, manifest = exec_wrapper.read_input(stdin)
        action = manifest['actions'][0]
        name = action.get('name')
        if name == 'powershell_mkdtemp.ps1':
            params = action.get('params') or {}
            path = '%s\\%s' % (str(params.get('Directory') or '%TEMP%').replace('%TEMP%', TEMP), params.get('Name'))
            self._log({'kind': 'mkdtemp', 'path': path, 'temp_path': wrapper['params'].get('TempPath')})
            return Answer(0, ('%s\r\n' % path).encode('utf-8'), b'')
        if name == 'powershell_expand_user.ps1':
            path = str((action.get('params') or {}).get('Path') or '~')
            expanded = HOME + path[1:] if path.startswith('~') else path
            self._log({'kind': 'expand_user', 'path': expanded})
            return Answer(0, ('%s\r\n' % expanded).encode('utf-8'), b'')
        if name != 'module_wrapper.ps1' or len(manifest['actions']) != 1:
            raise exec_wrapper.Refused('the simulated host runs modules without become or async, not %s'
                                       % [a.get('name') for a in manifest['actions']])
        return self._run_module(manifest, action)

    # ------------------------------------------------------------------------ modules
    def _collection_file(self, *parts):
        with open(os.path.join(self.collection, *parts), 'rb') as handle:
            return handle.read()

    def _check_payload(self, payload):
        """The module and every util it requires arrived, as the collection ships them."""
        if not payload.fqcn.startswith('ansible_collections.winnet.routing.plugins.modules.') or payload.name not in MODULES:
            raise exec_wrapper.Refused('the simulated host runs net_info and net_apply, not %s' % payload.fqcn)
        if payload.source != self._collection_file('plugins', 'modules', payload.name + '.ps1'):
            raise exec_wrapper.Refused('%s is not the collection\'s plugins/modules/%s.ps1' % (payload.script_name, payload.name))
        pending = [payload.source]
        seen = set()
        while pending:
            for kind, util in exec_wrapper.required_utils(pending.pop()):
                script = exec_wrapper.util_script_name(kind, util)
                if script in seen:
                    continue
                seen.add(script)
                listed = payload.powershell if kind == 'powershell' else payload.csharp
                if script not in listed or script not in payload.utils:
                    raise exec_wrapper.Refused('%s requires %s, which the payload does not carry' % (payload.name, script))
                if util.startswith('ansible_collections.winnet.routing.plugins.module_utils.'):
                    own = util.rsplit('.', 1)[-1] + ('.psm1' if kind == 'powershell' else '.cs')
                    if payload.utils[script] != self._collection_file('plugins', 'module_utils', own):
                        raise exec_wrapper.Refused('%s is not the collection\'s plugins/module_utils/%s' % (script, own))
                pending.append(payload.utils[script])
        return sorted(seen)

    def _run_module(self, manifest, action):
        payload = exec_wrapper.ModulePayload(manifest, action)
        utils = self._check_payload(payload)
        module_path = os.path.join(self.collection, 'plugins', 'modules', payload.name + '.ps1')
        entry = {'kind': 'module', 'module': payload.name, 'args': payload.args, 'check_mode': payload.check_mode, 'utils': utils}
        params = payload.args
        try:
            params = spec.validate(spec.module_spec(module_path), payload.args, payload.name)
        except spec.SpecError as exc:
            result = {'failed': True, 'msg': str(exc), 'changed': False}
        else:
            if payload.name == 'net_info':
                result = self._net_info(params)
            else:
                try:
                    result = self._net_apply(params, payload.check_mode, entry)
                except Dropped:
                    self._log(dict(entry, outcome='dropped'))
                    raise
        result['invocation'] = {'module_args': params}
        self._log(dict(entry, outcome='failed' if result.get('failed') else 'ok', changed=bool(result.get('changed'))))
        return Answer(1 if result.get('failed') else 0, exec_wrapper.module_output(result), b'')

    def _bundle(self):
        config = self.config()
        bundle = render.render_bundle(self.state(), config.get('style', 'numeric'))
        # A read the account may not do: left out of the reads and reported in errors, as
        # WinnetState.psm1 records a cmdlet that fails (its error category and message).
        for read, message in sorted((config['faults'].get('failed_reads') or {}).items()):
            bundle['reads'].pop(read, None)
            bundle['errors'].append({'read': read, 'category': 'PermissionDenied', 'message': message})
        return bundle

    def _net_info(self, params):
        config = self.config()
        state = HostState.from_dict(self.state())
        engine = Engine(state)
        probes = []
        for probe in params.get('probes') or []:
            answer = {'destination': probe['destination'], 'source': probe.get('source'), 'objects': [], 'error': None}
            try:
                found = engine.lookup(probe['destination'], source=probe.get('source'))
            except WinnetError as exc:
                answer['error'] = str(exc)
            else:
                if found['disposition'] == 'no_route':
                    answer['error'] = 'The network location cannot be reached.'
                else:
                    answer['objects'].append({'IPAddress': found.get('source'), 'InterfaceIndex': found.get('interface'),
                                              'InterfaceAlias': found.get('interface_alias'), 'DestinationPrefix': None, 'NextHop': None,
                                              'RouteMetric': None, 'AddressFamily': None})
                    if found.get('route'):
                        route = found['route']
                        answer['objects'].append({'DestinationPrefix': route['destination'], 'NextHop': route['next_hop'],
                                                  'InterfaceIndex': route['interface'], 'InterfaceAlias': found.get('interface_alias'),
                                                  'RouteMetric': route['route_metric'], 'IPAddress': None, 'AddressFamily': None})
            probes.append(answer)
        tcp = []
        if config.get('controller_address') and config.get('host_address') and config.get('port') in params['connection_ports']:
            tcp.append({'LocalAddress': config['host_address'], 'LocalPort': config['port'], 'RemoteAddress': config['controller_address'],
                        'RemotePort': 50122, 'State': 5 if config.get('style') == 'numeric' else 'Established'})
        return {'changed': False, 'bundle': self._bundle(), 'probes': probes,
                'connection': {'ssh_connection': '', 'tcp': tcp, 'errors': []}}

    # ------------------------------------------------------------------------ net_apply
    def _net_apply(self, params, check_mode, entry):
        if params.get('rollback_confirm') is not None:
            if check_mode:
                return {'changed': False}
            return {'changed': True, 'confirmation': self._confirm(params['rollback_confirm'])}
        operations = [{k: v for k, v in op.items() if v is not None} for op in params['plan']['operations']]
        result = {'changed': False, 'applied': [], 'failure': None, 'reboot_required': False}
        progress = None
        if params.get('rollback') is not None and not check_mode:
            armed = self._arm(params['rollback'], len(operations))
            result['rollback'] = armed
            if armed['self_test']['exit_code'] != 0:
                os.remove(self.path('rollbacks', armed['name'] + '.json'))
                result.update(failed=True, msg='The automatic rollback cannot run on this host (its command line exited with 1 and read '
                                               'no rollback data, language mode FullLanguage); nothing was changed and the task was removed')
                return result
            progress = armed['name']
        drop_after = self._fault('drop_after_operations')
        state = self.state()
        for index, operation in enumerate(operations):
            try:
                changed = apply(HostState.from_dict(state, add_system_routes=False), [operation]).to_dict()
            except WinnetError as exc:
                result['failure'] = {'index': index, 'operation': operation, 'precondition': PRECONDITION[operation['op']],
                                     'message': 'operations[%d] (%s): precondition %s does not hold: %s'
                                     % (index, operation['op'], PRECONDITION[operation['op']], str(exc).split(': ', 1)[-1])}
                break
            outcome = self._outcome(operation, state, changed)
            if not check_mode:
                state = changed
                _write(self.path('state.json'), state)
            result['applied'].append({'index': index, 'operation': operation, 'result': outcome})
            if progress is not None:
                self._progress(progress, len(result['applied']))
            if drop_after is not None and len(result['applied']) >= drop_after and not check_mode:
                entry['applied'] = len(result['applied'])
                raise Dropped('the connection dropped after %d operation(s) of the plan' % len(result['applied']))
        result['changed'] = bool(result['applied'])
        entry['applied'] = len(result['applied'])
        if result['applied'] and payload_diff(operations[:len(result['applied'])]):
            result['diff'] = {'prepared': payload_diff(operations[:len(result['applied'])])}
        if self._fault('fail_read_after_apply'):
            message = 'reading the state afterwards failed: Access to a CIM resource was not available to the client.'
            if result['failure'] is not None:
                result.update(failed=True, msg='%s (%d of %d operation(s) applied before it); %s'
                              % (result['failure']['message'], len(result['applied']), len(operations), message))
            else:
                result.update(failed=True, msg='All %d of %d operation(s) were applied, but %s' % (len(result['applied']), len(operations), message))
            return result
        result['bundle'] = self._bundle()
        if self._fault('refuse_after_apply'):
            self.set_faults(refuse_connections=True)
        if result['failure'] is not None:
            result.update(failed=True, msg='%s (%d of %d operation(s) applied before it)'
                          % (result['failure']['message'], len(result['applied']), len(operations)))
        return result

    @staticmethod
    def _outcome(operation, before, after):
        """What the handler reports for an operation (Invoke-WinnetOperation's return value)."""
        if operation['op'] == 'create_loopback':
            old = {iface['index'] for iface in before['interfaces']}
            new = [iface for iface in after['interfaces'] if iface['index'] not in old][0]
            return {'instance_id': render.instance_id(new), 'reboot_required': False, 'interface': new['index']}
        if operation['op'] == 'set_interface':
            return {'persistent': True}
        if operation['op'] == 'set_netbios':
            return {'return_value': 0, 'reboot_required': False}
        return None

    # ------------------------------------------------------------------------ rollback
    def _arm(self, rollback, total):
        blocked = self._fault('rollback_blocked')
        at = self.now() + int(rollback['after'])
        data = {'name': rollback['name'], 'total': total, 'operations': rollback['operations'], 'partial': rollback.get('partial') or [],
                'at': at, 'applied': 0, 'started': None, 'result': None}
        _write(self.path('rollbacks', rollback['name'] + '.json'), data)
        report = None if blocked else {'name': rollback['name'], 'operations': len(rollback['operations']),
                                       'partial': len(rollback.get('partial') or []), 'language_mode': 'FullLanguage',
                                       'at': round_trip_time(self.now())}
        return {'name': rollback['name'], 'task_path': ROLLBACK_TASK_PATH, 'at': round_trip_time(at), 'task_state': 'Ready',
                'language_mode': 'FullLanguage', 'self_test': {'exit_code': 1 if blocked else 0, 'report': report}}

    def _progress(self, name, applied):
        path = self.path('rollbacks', name + '.json')
        data = _read(path)
        data['applied'] = applied
        _write(path, data)

    def _confirm(self, name):
        path = self.path('rollbacks', name + '.json')
        data = _read(path)
        if data is None:
            return {'confirmed': False, 'task_found': False, 'started': None, 'result': None}
        if data['started'] is not None:
            return {'confirmed': False, 'task_found': False, 'started': round_trip_time(data['started']), 'result': data['result']}
        os.remove(path)
        return {'confirmed': True, 'task_found': True, 'started': None, 'result': None}

    def _fire_due_rollbacks(self):
        """The scheduled tasks whose time has come run, as Invoke-WinnetRollback does."""
        for name, data in self.rollbacks().items():
            if data['started'] is not None or data['at'] > self.now():
                continue
            if data['applied'] >= data['total']:
                operations = data['operations']
            else:
                operations = next((entry['operations'] for entry in data['partial'] if entry['applied'] == data['applied']), [])
            state = self.state()
            done, failure = 0, None
            for operation in operations:
                try:
                    state = apply(HostState.from_dict(state, add_system_routes=False), [operation]).to_dict()
                except WinnetError as exc:
                    failure = str(exc)
                    break
                done += 1
            _write(self.path('state.json'), state)
            data.update(started=self.now(), result={'finished': round_trip_time(self.now()), 'plan_applied': data['applied'],
                                                    'operations': len(operations), 'applied': done, 'failure': failure})
            _write(self.path('rollbacks', name + '.json'), data)
            self._log({'kind': 'rollback', 'name': name, 'operations': len(operations), 'applied': done, 'failure': failure})


def payload_diff(operations):
    """The diff net_apply prepares: one line per operation it ran."""
    return '\n'.join('+ operations[%d]: %s' % (index, operation['op']) for index, operation in enumerate(operations))
