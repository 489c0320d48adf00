# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options, attributes and notes shared by the modules that change a host.

    Modules list this fragment before ansible.builtin.action_common_attributes (and its flow and
    facts parts), which give the attributes' descriptions: fragments do not extend fragments.
    """

    DOCUMENTATION = r"""
options:
  allow_connection_loss:
    description:
      - Apply the plan even when the connection guard finds that it would cut the controller off the
        host (see the notes).
    type: bool
    default: false
  rollback_after:
    description:
      - Automatic rollback, like a router's "commit confirmed". In the same round trip as the
        change and before changing anything, the host registers a one-shot scheduled task (as
        SYSTEM) holding the inverse operations, due this many seconds later. After the change
        the action plugin opens a new connection to the host and removes the task (one more
        round trip). When the controller cannot reach the host again, or the task fails, the
        change is not confirmed and the host restores itself when the task is due.
      - From 30 to 86400 seconds. A plan that removes a loopback adapter is refused (the undo would
        address the adapter created again by an index Windows has not handed out yet). A plan that
        creates one is undone by removing it, found by its name.
      - Before changing anything the host runs the task's own command line once, in a mode that
        only loads the rollback code and reads its data. Where that fails (for example
        PowerShell in ConstrainedLanguage mode under Windows Defender Application Control or
        AppLocker), nothing is changed and the task fails saying why. The task loads its code
        from text, so an execution policy of C(AllSigned) set by Group Policy does not stop it.
      - The action plugin counts the rollback as armed only when the host's report shows the
        registered task ready and that self-test passed with the same operations; a change whose
        rollback is not shown to be armed fails the task, saying what is missing.
      - On a snapshot host the rollback is simulated; the result lists the rollback operations
        and counts the confirmation's round trip. In check mode the rollback operations are
        listed and nothing is armed.
      - See the guide "Changing production safely" for what a rollback cannot undo.
    type: int
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details:
      - The plan and the predicted state are worked out on the controller, in check mode as in a
        real run, so check mode reports exactly the diff and C(changed) of the real run.
  diff_mode:
    support: full
    details:
      - The diff lists the objects that change, keyed by the module's option names and sorted by
        identity.
  facts:
    support: full
    details:
      - Sets C(winnet_state) (the state after the task; in check mode, the predicted state),
        C(winnet_state_actual) (in check mode, the host's actual state while C(winnet_state) holds a
        prediction; null otherwise) and C(winnet_round_trips).
  platform:
    platforms: windows
notes:
  - "The state: the first task of a play that needs the host's state gathers it (as
    M(winnet.routing.net_info) does, one round trip) unless the fact C(winnet_state) is set; every
    task then leaves the state after it in that fact, so a role of several tasks costs one gather
    plus one round trip per task that changes something, and a task that changes nothing costs no
    round trip at all. The fact C(winnet_round_trips) counts them."
  - "Check mode: a task run in check mode leaves its prediction in C(winnet_state) for the check-mode
    tasks after it, so a whole C(--check) run chains its predictions. A task that really runs never plans
    on a prediction: it plans on the host's actual state (kept in C(winnet_state_actual)), so a task run
    in check mode and then for real makes the change the check showed."
  - "Planning: the module's options and the current state are turned into explicit operations by
    the collection's planner on the controller. Bad arguments fail the task before anything is
    gathered or changed, with a message that names the argument."
  - "Snapshot hosts (with the variable C(winnet_snapshot)) are never contacted: the operations are
    applied on the controller to the snapshot state, and the predicted state is written to the
    file named by C(winnet_snapshot_out) outside check mode. When that is the snapshot file itself, the
    snapshot is updated in place (written to a temporary file, then renamed over it), so the simulated
    host keeps its changes from one run to the next."
  - "Connection guard: with C(winnet_controller_address) set (the controller's address as the host
    sees it), the reply path from the host address the connection uses (C(ansible_host) when it is
    an IP address, else the source address of the host's route to the controller) is evaluated on
    the state before and after the plan. A plan that makes that reply find no route, leave by
    another interface, or that removes the host address, fails the task before anything changes,
    unless O(allow_connection_loss=true)."
  - "Baselines: before a real change, the state it starts from is saved on the controller as
    C(<winnet_baseline_dir>/<inventory_hostname>/<UTC time>.json) (default directory
    C(~/.ansible/winnet_baselines)), with the operations that followed. The first baseline a playbook
    run saves for a host is that run's restore point (C(\"restore_point\": true)): M(winnet.routing.restore)
    and the playbook C(winnet.routing.restore) return to the newest one by default, undoing the whole run."
seealso:
  - module: winnet.routing.net_info
  - module: winnet.routing.net_apply
  - ref: ansible_collections.winnet.routing.docsite.guide_plan_check_apply
    description: How planning, check mode, saved plans and the connection guard work together.
  - ref: ansible_collections.winnet.routing.docsite.guide_changing_production_safely
    description: Baselines, restore, the connection guard and automatic rollback.
"""
