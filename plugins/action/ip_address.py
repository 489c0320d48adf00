# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winnet.routing.ip_address (see plugins/plugin_utils/_change.py for the flow)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.winnet.routing.plugins.module_utils.planner import plan_addresses
from ansible_collections.winnet.routing.plugins.modules.ip_address import DOCUMENTATION
from ansible_collections.winnet.routing.plugins.plugin_utils._change import ChangeAction


class ActionModule(ChangeAction):
    """The addresses of one interface."""

    DOCUMENTATION = DOCUMENTATION
    MUTUALLY_EXCLUSIVE = (('address', 'addresses'),)
    DIFF_SCOPE = ['addresses', 'interfaces']

    def operations(self, host, args, task_vars, result):
        addresses = args.get('addresses')
        if args.get('address') is not None:
            addresses = [{'address': args['address'], 'skip_as_source': bool(args.get('skip_as_source'))}]
        elif args.get('skip_as_source') is not None:
            raise AnsibleActionFail('skip_as_source: goes with address; in addresses, give it for each entry')
        if addresses is None and not args['purge']:
            raise AnsibleActionFail('one of the following is required: address, addresses (or purge with addresses: [])')
        return plan_addresses(host, args['interface'], addresses or [], args['state'], args['purge'])
