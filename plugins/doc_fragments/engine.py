# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options shared by the filters that evaluate a HostState."""

    DOCUMENTATION = r"""
options:
  _input:
    description: The HostState (a dictionary with C(schema=winnet.routing/v1)), or a M(winnet.routing.net_info) result.
    type: dict
    required: true
"""

    WEAK_SEND = r"""
options:
  weak_send_flag:
    description:
      - Which interface's WeakHostSend lifts the strong host send restriction. Windows' behaviour is documented only
        through the DSR procedures, which match C(source_interface) (the interface that owns the source address).
    type: str
    choices: [source_interface, outgoing_interface, both]
    default: source_interface
"""
