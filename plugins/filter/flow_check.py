# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: flow_check
short_description: Check whether a client's packet to a local address is accepted and where the reply leaves
version_added: 0.1.0
author: winnet.routing maintainers
description:
  - Evaluates a flow from O(client) to the local address O(destination), arriving on O(arrival_interface).
  - "Receive: strong host receive drops a packet whose destination is assigned to another interface unless the arrival
    interface has WeakHostReceive; a non-local destination is forwarded only when the arrival interface has Forwarding."
  - "Reply: the reply's source is the destination of the request, so under strong host send the lookup is restricted to
    the interfaces owning it. The reply is C(asymmetric) when it leaves by another interface than the request arrived on."
positional: client, destination, arrival_interface
options:
  client:
    description: The remote address sending the request.
    type: str
    required: true
  destination:
    description: The address the request is sent to (usually an address of this host).
    type: str
    required: true
  arrival_interface:
    description: The interface (index or alias) the request arrives on.
    type: raw
    required: true
  forwarding_relaxes_receive:
    description: Assume that Forwarding on the arrival interface relaxes strong host receive (undocumented; off by default).
    type: bool
    default: false
extends_documentation_fragment:
  - winnet.routing.engine
  - winnet.routing.engine.weak_send
seealso:
  - name: How Windows chooses a route
    description: Strong and weak host, asymmetric replies.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_route_selection.rst
"""

EXAMPLES = r"""
# winnet-example: on web25-01
- name: Gather the state (sets winnet_state)
  winnet.routing.net_info:

- name: Does the admin network get answers from the management address?
  ansible.builtin.assert:
    that:
      - flow.disposition == 'ok'
    fail_msg: "{{ flow.findings | map(attribute='message') | join('; ') }}"
  vars:
    flow: "{{ winnet_state | winnet.routing.flow_check(client='10.20.0.15', destination='10.10.0.20', arrival_interface='Management') }}"
"""

RETURN = r"""
_value:
  description: The verdict for the flow.
  type: dict
  contains:
    receive:
      description: C(accept), C(drop_strong_host_receive), C(drop_not_local) or C(forward).
      type: str
    reply:
      description: The P(winnet.routing.route_lookup#filter) result of the reply (source fixed to the destination), or null.
      type: dict
    forward:
      description: When C(receive) is C(forward), the lookup of the destination; else null.
      type: dict
    asymmetric:
      description: True when the reply leaves by another interface than the request arrived on.
      type: bool
    disposition:
      description: C(ok), C(asymmetric), C(reply_no_route), C(drop_strong_host_receive), C(drop_not_local) or C(forward).
      type: str
    findings:
      description: Findings such as C(asymmetric_reply) and C(reply_unroutable_strong_host_send), each with a remediation.
      type: list
      elements: dict
    trace:
      description: The receive decision followed by the reply lookup's trace.
      type: list
      elements: str
"""

from ansible_collections.winnet.routing.plugins.plugin_utils._filters import engine_filter, make_engine


@engine_filter('flow_check', DOCUMENTATION)
def flow_check(state, client, destination, arrival_interface, weak_send_flag, forwarding_relaxes_receive):
    engine = make_engine(state, weak_send_flag=weak_send_flag, forwarding_relaxes_receive=forwarding_relaxes_receive)
    return engine.flow_check(client, destination, arrival_interface)


class FilterModule:
    def filters(self):
        return {'flow_check': flow_check}
