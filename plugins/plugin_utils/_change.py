# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin behind every changing module (route, ip_interface, ip_address,
loopback_adapter, firewall_rule, net_apply).

One task runs, in this order:

1. its arguments are validated against the module's argument spec (types), then by the planner
   (meaning: families, interfaces, ranges, duplicates), before anything else happens;
2. the host's current state is taken from the ``winnet_state`` fact when an earlier task of the
   play left it, otherwise it is read from the snapshot file (snapshot host) or gathered with
   net_info (one round trip). A task run in check mode leaves its prediction in that fact, for
   the check-mode tasks after it (a whole ``--check`` run chains its predictions), and the actual
   state beside it in ``winnet_state_actual``: a task that really runs plans on the actual state,
   never on a prediction;
3. the planner turns the arguments into operations and the Python applier predicts the state
   after them; the diff and ``changed`` come from those two states, so check mode and a real
   run report exactly the same;
4. the connection guard compares the controller's reply path before and after;
5. outside check mode, when there is something to do: the state is saved as a baseline on the
   controller (the first of a playbook run on the host is the run's restore point), then the
   operations run (net_apply on a live host: one round trip that also
   re-gathers the state; the applier on a snapshot host, whose predicted state is written to
   ``winnet_snapshot_out``);
   With ``rollback_after``, the inverse operations travel in the same net_apply call, which arms
   a one-shot scheduled task on the host before changing anything; after a successful run the
   plugin reconnects and confirms (a second call removes the task). A snapshot host simulates
   both and counts the confirmation's round trip;
6. the ``winnet_state`` fact is set to the new (in check mode, the predicted) state, with
   ``winnet_state_actual`` (null after a real run, or when nothing was predicted), and
   ``winnet_round_trips`` counts the round trips a live host costs (snapshot hosts count the
   ones they would cost).
"""

from __future__ import annotations

import datetime
import uuid

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.winnet.routing.plugins.module_utils.applier import apply, rollback_for
from ansible_collections.winnet.routing.plugins.module_utils.bundle import connection_report, rollback_evidence
from ansible_collections.winnet.routing.plugins.module_utils.errors import WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.guard import connection_ports, evaluate, is_ip_address, learn_controller
from ansible_collections.winnet.routing.plugins.module_utils.hoststate import HostState, canonical, state_hash
from ansible_collections.winnet.routing.plugins.module_utils.diff import diff
from ansible_collections.winnet.routing.plugins.plugin_utils._argspec import argument_spec
from ansible_collections.winnet.routing.plugins.plugin_utils._baseline import BASELINE_DIR_VAR, DEFAULT_BASELINE_DIR, save_baseline
from ansible_collections.winnet.routing.plugins.plugin_utils._state import (
    ACTUAL_FACT,
    CONNECTION_FACT,
    FACT_NAME,
    ROUND_TRIPS_FACT,
    SNAPSHOT_OUT_VAR,
    SNAPSHOT_VAR,
    gathered_state,
    load_snapshot,
    round_trips_after,
    snapshot_of,
    snapshot_path,
    validate_state,
    write_snapshot_out,
)

CONTROLLER_VAR = 'winnet_controller_address'
ROLLBACK_CONFIRM_VAR = 'winnet_rollback_confirm'

ROLLBACK_TASK_PATH = '\\winnet.routing\\'


def fail(message, **extra):
    """AnsibleActionFail carrying ``extra`` result keys."""
    return AnsibleActionFail(message, result=extra)


class ChangeAction(ActionBase):
    """Base class: subclasses give their module's DOCUMENTATION, DIFF_SCOPE and ``operations(host, args, task_vars, result)``.

    The task's arguments are validated with the spec of the module's documentation (the options of
    the doc fragment winnet.routing.change, ``allow_connection_loss`` and ``rollback_after``, included).
    """

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    DOCUMENTATION = None     # the module's DOCUMENTATION
    HIDDEN_OPTIONS = ()      # documented options the plugin gives its module itself; a task may not
    OPAQUE_OPTIONS = ()      # options whose suboptions the plugin checks itself (errors name the path)
    MUTUALLY_EXCLUSIVE = ()
    REQUIRED_ONE_OF = ()
    DIFF_SCOPE = None
    FRESH_STATE = False      # net_apply: a saved plan is checked against a freshly gathered state

    def operations(self, host, args, task_vars, result):
        """The planned operations for the validated ``args`` on the HostState ``host``.

        ``task_vars`` are the task's variables; a plugin may add its own keys (and warnings) to the
        task's ``result``.
        """
        raise NotImplementedError

    # -------------------------------------------------------------------------------- run
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        spec = argument_spec(self.DOCUMENTATION, self.HIDDEN_OPTIONS, self.OPAQUE_OPTIONS)
        args = self.validate_argument_spec(argument_spec=spec, mutually_exclusive=list(self.MUTUALLY_EXCLUSIVE),
                                           required_one_of=list(self.REQUIRED_ONE_OF))[1]
        try:
            return self._run(result, args, task_vars)
        except AnsibleActionFail:
            raise
        except WinnetError as exc:
            raise fail(to_native(exc)) from None

    def _run(self, result, args, task_vars):
        """The steps of the module docstring, in order."""
        snapshot = self._snapshot(task_vars)
        state_dict, gathered, learned, actual = self._current(task_vars, snapshot)
        round_trips = 1 if gathered else 0
        host = HostState.from_dict(state_dict)
        ops, predicted = self._plan(host, args, task_vars, result)
        self._check_guard(host, predicted, ops, args, task_vars, snapshot is None, learned, result)
        rollback = self._rollback(host, ops, args, result)
        new_state = predicted.to_dict()
        if ops and not self._task.check_mode:
            new_state, trips = self._apply(state_dict, host, predicted, ops, rollback, snapshot, task_vars, result)
            round_trips += trips
        result['state'] = new_state
        result['round_trips'] = round_trips
        if self._task.check_mode and actual is None and ops:
            actual = state_dict     # the prediction differs from the host: keep the actual state beside it
        result['ansible_facts'] = {FACT_NAME: new_state, ACTUAL_FACT: actual if self._task.check_mode else None,
                                   ROUND_TRIPS_FACT: round_trips_after(task_vars, round_trips)}
        if learned is not None:
            result['ansible_facts'][CONNECTION_FACT] = learned
        return result

    def _plan(self, host, args, task_vars, result):
        """(operations, predicted HostState); the result gets changed, operations, plan and diff."""
        ops = self.operations(host, args, task_vars, result)
        predicted = apply(host, ops)
        result['changed'] = bool(ops)
        result['operations'] = ops
        result['plan'] = {'base': state_hash(host), 'operations': ops}
        if self._task.diff:
            result['diff'] = diff(host, predicted, self.DIFF_SCOPE)
        return ops, predicted

    def _check_guard(self, host, predicted, ops, args, task_vars, live, learned, result):
        """Refuse a plan that cuts the controller off, unless allow_connection_loss."""
        guard = self._guard(host, predicted, task_vars, live, learned)
        result['guard'] = guard
        if ops and guard.get('cut') and not args['allow_connection_loss']:
            raise fail('%s: refusing to apply the plan: it would cut the controller off the host: %s. The reply path after the '
                       'plan: %s Set allow_connection_loss: true to apply it anyway.'
                       % (task_vars.get('inventory_hostname', 'the host'), guard['reason'],
                          ' '.join((guard.get('after') or {}).get('trace') or [])),
                       guard=guard, operations=ops, changed=False)

    @staticmethod
    def _rollback(host, ops, args, result):
        """The rollback to arm with ``rollback_after`` (None without it, or when nothing changes)."""
        if not ops or args.get('rollback_after') is None:
            return None
        rollback = dict(rollback_for(host, ops, args['rollback_after']), name='winnet-rollback-' + uuid.uuid4().hex)
        result['rollback'] = {'name': rollback['name'], 'task': ROLLBACK_TASK_PATH + rollback['name'], 'after': rollback['after'],
                              'operations': rollback['operations'], 'armed': False, 'confirmed': False}
        return rollback

    def _apply(self, state_dict, host, predicted, ops, rollback, snapshot, task_vars, result):
        """Save the baseline, then run the operations: net_apply on a live host, the applier's prediction
        on a snapshot host (written to winnet_snapshot_out). Returns (the state after, round trips)."""
        directory = task_vars.get(BASELINE_DIR_VAR) or DEFAULT_BASELINE_DIR
        result['baseline'], result['restore_point'] = save_baseline(self._templar.template(directory),
                                                                    task_vars.get('inventory_hostname', 'the host'), state_dict, ops,
                                                                    self._task.get_name())
        round_trips = 1
        new_state = predicted.to_dict()
        if snapshot is None:
            new_state = self._execute(ops, result['plan'], task_vars, result, rollback)
            if rollback is not None and self._confirming(task_vars, result):
                self._confirm(rollback, task_vars, result)
                round_trips += 1
            return new_state, round_trips
        if rollback is not None:
            # What a live host would do: arm, apply, reconnect, confirm (one more round trip).
            restored = apply(predicted, rollback['operations'])
            result['rollback'].update(armed=True, simulated=True, restores_state=canonical(restored) == canonical(host))
            if self._confirming(task_vars, result):
                result['rollback']['confirmed'] = True
                round_trips += 1
        out = task_vars.get(SNAPSHOT_OUT_VAR)
        if out:
            out = snapshot_path(self._templar.template(out), task_vars.get('inventory_dir'), task_vars.get('playbook_dir'))
            write_snapshot_out(out, new_state)
            result['snapshot_out'] = out
        return new_state, round_trips

    # ------------------------------------------------------------------------ the state
    def _snapshot(self, task_vars):
        value = task_vars.get(SNAPSHOT_VAR)
        if value is not None:
            value = self._templar.template(value)
        return snapshot_of(value, task_vars.get('inventory_dir'), task_vars.get('playbook_dir'))

    @staticmethod
    def _cached(task_vars):
        """(the ``winnet_state`` fact, the ``winnet_state_actual`` fact), each a dict or None."""
        # The facts as top-level variables first: within a loop, Ansible updates them after each item,
        # while ``ansible_facts`` keeps the values from before the loop until the loop ends.
        source = task_vars
        if not isinstance(task_vars.get(FACT_NAME), dict):
            facts = task_vars.get('ansible_facts')
            source = facts if isinstance(facts, dict) else {}
        cached, actual = source.get(FACT_NAME), source.get(ACTUAL_FACT)
        if not isinstance(cached, dict):
            return None, None
        return cached, actual if isinstance(actual, dict) else None

    def _current(self, task_vars, snapshot):
        """(state dict, whether a live host was contacted to get it, what its gather learned about the
        controller's connection or None, the actual state when the state is a check-mode prediction
        or None).

        A task in check mode plans on the fact, prediction or not; a task that really runs plans on
        the actual state (``winnet_state_actual`` when the fact holds a prediction)."""
        cached, actual = (None, None) if self.FRESH_STATE and snapshot is None else self._cached(task_vars)
        if cached is not None and actual is not None and not self._task.check_mode:
            return validate_state(actual, 'the %s fact' % ACTUAL_FACT), False, None, None
        if cached is not None:
            return validate_state(cached, 'the %s fact' % FACT_NAME), False, None, actual
        if snapshot is not None:
            return load_snapshot(snapshot), True, None, None
        port = task_vars.get('ansible_port')
        ports = connection_ports(task_vars.get('ansible_connection'), self._templar.template(port) if port is not None else None)
        gathered = self._execute_module(module_name='winnet.routing.net_info', module_args={'connection_ports': ports}, task_vars=task_vars)
        if gathered.get('failed'):
            raise fail('gathering the state failed: %s' % gathered.get('msg', 'no message'), gather=gathered)
        learned = learn_controller(connection_report(gathered.get('connection')))
        return gathered_state(gathered, 'net_info result from %s' % task_vars.get('inventory_hostname', 'the host')), True, learned, None

    # ------------------------------------------------------------------------ the guard
    def _guard(self, before, after, task_vars, live, learned):
        """The connection guard's verdict; ``learned`` is what this task's gather learned (or None)."""
        controller = task_vars.get(CONTROLLER_VAR)
        if controller is not None:
            controller = self._templar.template(controller)
        host_address = task_vars.get('ansible_host')
        if host_address is not None:
            host_address = self._templar.template(host_address)
        if not is_ip_address(host_address):
            host_address = None     # a DNS name (or unset): inferred from the state by the guard
        origin = CONTROLLER_VAR
        if not controller and live:
            # Learned from the live connection: by this task's gather, or by an earlier one of the play.
            if learned is None and isinstance(task_vars.get(CONNECTION_FACT), dict):
                learned = task_vars[CONNECTION_FACT]
            if learned is not None and learned.get('controller_address'):
                controller = learned['controller_address']
                origin = 'learned from the connection (%s)' % learned.get('source')
                if host_address is None and is_ip_address(learned.get('host_address')):
                    host_address = learned['host_address']
        if not controller:
            reason = 'no controller address known (set %s to the controller address the host sees)' % CONTROLLER_VAR
            if learned is not None and learned.get('reason'):
                reason += '; it could not be learned from the connection: %s' % learned['reason']
            return {'evaluated': False, 'cut': False, 'reason': reason}
        try:
            verdict = evaluate(before, after, host_address, controller)
            verdict['controller_from'] = origin
            return verdict
        except WinnetError as exc:
            raise fail('connection guard: %s (ansible_host %r, %s %r)' % (exc, host_address, CONTROLLER_VAR, controller)) from None

    # ---------------------------------------------------------------------- execution
    def _execute(self, ops, plan, task_vars, result, rollback=None):
        """Run the operations on a live host with net_apply; returns the state gathered after them."""
        module_args = {'plan': plan}
        if rollback is not None:
            module_args['rollback'] = {key: rollback[key] for key in ('name', 'after', 'operations', 'partial')}
            deadline = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=rollback['after'])
            result['rollback']['at'] = deadline.strftime('%Y-%m-%dT%H:%M:%SZ')
        try:
            applied = self._execute_module(module_name='winnet.routing.net_apply', module_args=module_args, task_vars=task_vars)
        except (AnsibleError, OSError) as exc:
            # OSError: a transport that does not wrap a dropped connection (pywinrm raises the
            # requests ConnectionError, an OSError, when the host closes the connection).
            if rollback is None:
                if isinstance(exc, AnsibleError):
                    raise
                raise fail('%s: the connection was lost while applying the plan (%s). No automatic rollback was armed: gather the '
                           'host to see which operations ran' % (task_vars.get('inventory_hostname', 'the host'), to_native(exc)),
                           operations=ops, changed=True) from None
            info = result['rollback']
            raise fail('%s: the connection was lost while applying the plan (%s). If the rollback task %s was armed, the host '
                       'restores itself at about %s (UTC).' % (task_vars.get('inventory_hostname', 'the host'), to_native(exc),
                                                               info['task'], info['at']),
                       rollback=info, operations=ops, changed=True) from None
        hostname = task_vars.get('inventory_hostname', 'the host')
        if rollback is not None:
            # Armed only when the host's report proves it, never on trust.
            evidence = rollback_evidence(applied.get('rollback'), rollback)
            result['rollback'].update(armed=evidence['armed'], at=evidence['at'] or result['rollback']['at'])
            if not evidence['armed']:
                result['rollback']['not_armed'] = evidence['reasons']
        result['applied'] = applied.get('applied') or []
        result['reboot_required'] = bool(applied.get('reboot_required'))
        state = None
        if isinstance(applied.get('bundle'), dict):
            try:
                state = gathered_state(applied, 'net_apply result from %s' % hostname)
            except AnsibleActionFail as exc:
                # What ran is reported whatever happened to the state read afterwards.
                before = applied.get('msg') + '. ' if applied.get('failed') else ''
                raise fail('%s%s; %d operation(s) were applied: %s' % (before, to_native(exc), len(result['applied']), result['applied']),
                           applied=result['applied'], failure=applied.get('failure'), rollback=result.get('rollback'),
                           operations=ops, changed=bool(result['applied'])) from None
        if rollback is not None and not result['rollback']['armed'] and not applied.get('failed'):
            raise fail('%s: the plan was applied (%d operation(s)), but the automatic rollback is not armed: %s. Nothing will restore '
                       'the host by itself; check it now' % (hostname, len(result['applied']), '; '.join(result['rollback']['not_armed'])),
                       applied=result['applied'], rollback=result['rollback'], operations=ops, state=state,
                       ansible_facts={FACT_NAME: state} if isinstance(state, dict) else {}, changed=bool(result['applied']))
        if applied.get('failed'):
            facts = {FACT_NAME: state, ACTUAL_FACT: None} if isinstance(state, dict) else {}
            message = applied.get('msg') or 'net_apply failed'
            if rollback is not None and result['rollback']['armed']:
                message += ('. The change is not confirmed: the rollback task %s restores the %d operation(s) applied at %s (UTC)'
                            % (result['rollback']['task'], len(result['applied']), result['rollback']['at']))
            raise fail(message, applied=result['applied'], failure=applied.get('failure'), rollback=result.get('rollback'),
                       operations=ops, state=state, ansible_facts=facts, changed=bool(result['applied']))
        if not isinstance(state, dict):
            raise fail('net_apply returned no state from %s' % hostname)
        return state

    def _confirming(self, task_vars, result):
        """False when the play leaves the change unconfirmed on purpose (a timed trial: the host
        restores itself when the rollback task is due)."""
        value = task_vars.get(ROLLBACK_CONFIRM_VAR, True)
        if isinstance(value, str):
            value = self._templar.template(value)
        try:
            confirm = boolean(value, strict=True)
        except TypeError:
            raise fail('%s must be a boolean, got %r' % (ROLLBACK_CONFIRM_VAR, value)) from None
        if not confirm:
            result.setdefault('warnings', []).append('%s is false: the change is not confirmed; the host restores itself when the '
                                                     'rollback task %s is due' % (ROLLBACK_CONFIRM_VAR, result['rollback']['task']))
        return confirm

    def _confirm(self, rollback, task_vars, result):
        """Reconnect and remove the rollback task: the controller still reaches the host after the change."""
        hostname = task_vars.get('inventory_hostname', 'the host')
        info = result['rollback']
        try:
            # A new connection, not the one that carried the change: it must be possible to connect again.
            self._connection.reset()
            answer = self._execute_module(module_name='winnet.routing.net_apply', task_vars=task_vars,
                                          module_args={'plan': {'operations': []}, 'rollback_confirm': rollback['name']})
        except (AnsibleError, OSError) as exc:
            raise fail('%s: the change was applied, but the controller cannot reach the host again to confirm it (%s): the host '
                       'restores itself at about %s (UTC) with the scheduled task %s' % (hostname, to_native(exc), info['at'], info['task']),
                       rollback=info, changed=True) from None
        if answer.get('failed'):
            raise fail('%s: the change was applied, but confirming it failed: %s; the host restores itself at about %s (UTC) unless '
                       'the scheduled task %s is removed' % (hostname, answer.get('msg') or 'no message', info['at'], info['task']),
                       rollback=info, changed=True)
        confirmation = answer.get('confirmation') or {}
        info['confirmation'] = confirmation
        if not confirmation.get('confirmed') and not confirmation.get('started'):
            result.setdefault('warnings', []).append('%s: the rollback task %s was no longer on the host when the change was confirmed; '
                                                     'nothing will restore the host' % (hostname, info['task']))
        elif not confirmation.get('confirmed'):
            raise fail('%s: the confirmation came too late: the rollback task %s started at %s and restored the state from before the '
                       'change (%s)' % (hostname, info['task'], confirmation.get('started'), confirmation.get('result')),
                       rollback=info, changed=True)
        else:
            info['confirmed'] = True
