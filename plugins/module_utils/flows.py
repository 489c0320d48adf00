# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A client's packet to an address of the host: is it accepted, and where does the reply leave?

``receive`` applies strong and weak host receive (R19, R20) to a packet arriving on an interface.
``flow_check`` (R24) then follows the verdict: an accepted packet's reply is a route lookup with
the source fixed to the destination (so strong host send restricts it to the interfaces that
hold that address), a forwarded packet is looked up as it leaves, a dropped packet gets its
finding. Each verdict has its own function (``VERDICTS``).
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.findings import finding, route_ref
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    FAMILY_LABEL,
    FAMILY_NAME,
    V4,
    V6,
    format_address,
    is_limited_broadcast,
    is_loopback,
    is_multicast,
    mask,
)

# The client network a remediation suggests a route for, when only the client address is known.
CLIENT_PREFIX_LENGTH = {V4: 24, V6: 64}


def receive(engine, family, value, in_iface):
    """R19/R20 for a unicast packet to ``value`` arriving on the Interface ``in_iface``.

    Returns:
        (verdict, reason): ``accept``, ``drop_strong_host_receive``, ``forward`` or ``drop_not_local``,
        and why, in words.
    """
    settings = in_iface.settings(family)
    held = engine.local.get((family, value))
    if held:
        if any(a.interface == in_iface.index for a in held):
            return 'accept', 'the destination is assigned to the arrival interface %d' % in_iface.index
        if settings.weak_host_receive:
            return 'accept', 'weak host receive is enabled on the arrival interface %d' % in_iface.index
        if engine.forwarding_relaxes_receive and settings.forwarding:
            return 'accept', 'forwarding on the arrival interface %d is assumed to relax strong host receive' % in_iface.index
        return 'drop_strong_host_receive', ('the destination is assigned to interface %s, not to the arrival interface %d, '
                                            'which has weak host receive disabled'
                                            % (', '.join(str(a.interface) for a in held), in_iface.index))
    if settings.forwarding:
        return 'forward', 'the destination is not local and forwarding is enabled on the arrival interface %d' % in_iface.index
    return 'drop_not_local', 'the destination is not local and forwarding is disabled on the arrival interface %d' % in_iface.index


def flow_result(receive_verdict, reply, asymmetric, disposition, findings, trace, forward=None):
    """A flow_check result in the public shape."""
    return {'receive': receive_verdict, 'reply': reply, 'forward': forward, 'asymmetric': asymmetric, 'disposition': disposition,
            'findings': findings, 'trace': trace}


class _Flow:
    """One flow's checked arguments and the findings and trace gathered for it."""

    def __init__(self, engine, client, destination, arrival_interface):
        self.engine = engine
        c_family, self.client_value, _zone = engine.address_argument(client, 'client')
        self.family, self.value, zone = engine.address_argument(destination, 'destination')
        if zone is not None:
            raise ArgumentError('destination', '%r: give the local address without a zone' % destination)
        if c_family != self.family:
            raise ArgumentError('client', '%s is %s but destination %s is %s'
                                % (client, FAMILY_NAME[c_family], destination, FAMILY_NAME[self.family]))
        if is_multicast(self.family, self.value) or is_limited_broadcast(self.family, self.value):
            raise ArgumentError('destination', '%s is not a unicast address' % destination)
        self.arrival = engine.state.resolve_interface(arrival_interface, 'arrival_interface')
        if self.arrival.settings(self.family) is None:
            raise ArgumentError('arrival_interface', 'interface %d (%s) has no %s settings'
                                % (self.arrival.index, self.arrival.alias, FAMILY_NAME[self.family]))
        self.text = format_address(self.family, self.value)
        self.client = format_address(self.family, self.client_value)
        self.findings = []
        self.trace = ['Flow: %s -> %s arriving on interface %d (%s).' % (self.client, self.text, self.arrival.index, self.arrival.alias)]

    @property
    def owners(self):
        """Sorted indexes of the interfaces holding the destination."""
        return sorted({a.interface for a in self.engine.local[(self.family, self.value)]})

    def client_prefix(self):
        plen = CLIENT_PREFIX_LENGTH[self.family]
        return '%s/%d' % (format_address(self.family, self.client_value & mask(self.family, plen)), plen)

    def dropped(self, fid, reason, remediation, interfaces):
        self.findings.append(finding(
            fid, 'error', 'Packets from %s to %s arriving on interface %d (%s) are dropped: %s.'
            % (self.client, self.text, self.arrival.index, self.arrival.alias, reason), remediation, interfaces=interfaces))
        return flow_result(fid, None, False, fid, self.findings, self.trace)


def flow_check(engine, client, destination, arrival_interface):
    """R24: a ``client`` -> ``destination`` (an address of the host) flow arriving on ``arrival_interface``.

    Returns:
        the flow_check result: ``receive``, ``reply`` (a lookup result or None), ``forward``,
        ``asymmetric``, ``disposition``, ``findings``, ``trace``.

    Raises:
        ArgumentError: an argument is not an address, names no interface, or the families differ.
    """
    engine.require('flow_check', 'interfaces.settings')
    flow = _Flow(engine, client, destination, arrival_interface)
    if not flow.arrival.connected:
        flow.findings.append(finding(
            'arrival_interface_disconnected', 'warning',
            'Interface %d (%s) is disconnected; no packet can arrive on it now.' % (flow.arrival.index, flow.arrival.alias),
            'Get-NetAdapter -InterfaceIndex %d | Format-List Status, MediaConnectionState' % flow.arrival.index,
            interfaces=[flow.arrival.index]))
    if engine.local.get((flow.family, flow.client_value)) or is_loopback(flow.family, flow.client_value):
        reply = engine.lookup(flow.client, source=None)
        flow.trace.append('The client is local: the reply never leaves the host.')
        return flow_result('accept', reply, False, 'ok', flow.findings, flow.trace)
    verdict, reason = receive(engine, flow.family, flow.value, flow.arrival)
    flow.trace.append('Receive: %s (%s).' % (verdict, reason))
    return VERDICTS[verdict](engine, flow, reason)


def _forwarded(engine, flow, _reason):
    forward = engine.lookup(flow.text)
    flow.trace.extend(forward['trace'])
    flow.findings.append(finding(
        'forwarding_assumption', 'info',
        'The packet is forwarded out of interface %s; whether Windows also requires forwarding on the egress '
        'interface is undocumented.' % forward['interface'], None,
        interfaces=[flow.arrival.index] + ([forward['interface']] if forward['interface'] is not None else [])))
    return flow_result('forward', None, False, 'forward', flow.findings, flow.trace, forward)


def _dropped_by_strong_host(_engine, flow, reason):
    arrival = flow.arrival.index
    return flow.dropped('drop_strong_host_receive', reason,
                        'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostReceive Enabled  '
                        '# or the task winnet.routing.ip_interface: {interface: %d, family: %s, weak_host_receive: true}'
                        % (arrival, FAMILY_LABEL[flow.family], arrival, FAMILY_NAME[flow.family]),
                        [arrival] + flow.owners)


def _dropped_not_local(_engine, flow, reason):
    return flow.dropped('drop_not_local', reason,
                        'Check that %s is assigned on this host: Get-NetIPAddress -IPAddress \'%s\'' % (flow.text, flow.text),
                        [flow.arrival.index])


def _replied(engine, flow, _reason):
    """An accepted packet: the reply, from the destination back to the client."""
    reply = engine.lookup(flow.client, source=flow.text)
    flow.trace.extend(reply['trace'])
    flow.findings.extend(reply['findings'])
    if reply['disposition'] == 'no_route':
        flow.findings.append(_unroutable_reply(engine, flow))
        return flow_result('accept', reply, False, 'reply_no_route', flow.findings, flow.trace)
    if reply['interface'] != flow.arrival.index:
        flow.findings.append(_asymmetric_reply(engine, flow, reply))
        return flow_result('accept', reply, True, 'asymmetric', flow.findings, flow.trace)
    return flow_result('accept', reply, False, 'ok', flow.findings, flow.trace)


def _unroutable_reply(engine, flow):
    """reply_unroutable_strong_host_send when another interface has a route (strong host send keeps the
    reply off it), else reply_no_route."""
    owners = flow.owners
    free = engine.select(flow.family, flow.client_value, None)
    if not free:
        return finding('reply_no_route', 'error', 'The host has no route at all to %s; the reply from %s is never sent.' % (flow.client, flow.text),
                       "New-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '<gateway>'"
                       % (flow.arrival.index, flow.client_prefix()), interfaces=owners)
    gateway = free[0].route
    return finding(
        'reply_unroutable_strong_host_send', 'error',
        'The reply from %s to %s finds no route: under strong host send it may only leave interface %s, which has no route to %s '
        '(the host would use %s via %s on interface %d).'
        % (flow.text, flow.client, ', '.join(str(o) for o in owners), flow.client, gateway.destination, gateway.next_hop, gateway.interface),
        "New-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '<gateway on interface %d>'  "
        "# or allow replies through the other interfaces: Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled"
        % (owners[0], flow.client_prefix(), owners[0], owners[0], FAMILY_LABEL[flow.family]),
        interfaces=owners + [gateway.interface], routes=[route_ref(gateway)])


def _asymmetric_reply(engine, flow, reply):
    """asymmetric_reply: a warning when the source is in a subnet of the reply's interface, else an error."""
    state = engine.state
    out_iface = state.interface(reply['interface'])
    inside = any(a.interface == out_iface.index and a.family == flow.family
                 and (a.value & mask(flow.family, a.prefix_length)) == (flow.value & mask(flow.family, a.prefix_length))
                 for a in state.addresses)
    arrival = flow.arrival
    return finding(
        'asymmetric_reply', 'warning' if inside else 'error',
        'The request from %s to %s arrives on interface %d (%s) but the reply leaves interface %d (%s) via %s%s.'
        % (flow.client, flow.text, arrival.index, arrival.alias, out_iface.index, out_iface.alias, reply['next_hop'],
           '' if inside else '; source %s is not in any subnet of that interface, so reverse-path filters, stateful firewalls and '
           'cloud anti-spoofing commonly drop it' % flow.text),
        "New-NetRoute -InterfaceIndex %d -DestinationPrefix '%s' -NextHop '<gateway on interface %d>'  "
        "# a route on the arrival interface keeps the reply there "
        "(strong host send: Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Disabled)"
        % (arrival.index, flow.client_prefix(), arrival.index, arrival.index, FAMILY_LABEL[flow.family]),
        interfaces=[arrival.index, out_iface.index], routes=[reply['route']] if reply['route'] else [])


# What happens after each receive verdict.
VERDICTS = {
    'accept': _replied,
    'forward': _forwarded,
    'drop_strong_host_receive': _dropped_by_strong_host,
    'drop_not_local': _dropped_not_local,
}
