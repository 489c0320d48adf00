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
from ansible_collections.winnet.routing.plugins.module_utils.findings import (
    finding,
    gateway_of,
    host_prefix_cause,
    host_prefix_ops,
    iface_label,
    route_ref,
    weak_host_cause,
    weak_host_ops,
)
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
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

# A fix routes the declared client itself (a host prefix): its network is not in the state.
CLIENT_PREFIX_LENGTH = {V4: 32, V6: 128}


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

    def key(self, fid):
        """What a finding of this flow is about: the flow itself."""
        return (fid, self.client, self.text, self.arrival.index)

    def client_route_ops(self, iface, gateway):
        """add_route of the client (host prefix) via ``gateway`` on the Interface ``iface``, both stores."""
        return [{'op': 'add_route', 'family': FAMILY_NAME[self.family], 'destination': self.client_prefix(), 'next_hop': gateway,
                 'interface': iface.index, 'route_metric': 0, 'store': 'both'}]

    def dropped(self, fid, reason, remediation, interfaces, cause=None, ops=None):
        self.findings.append(finding(
            fid, 'error', 'Packets from %s to %s arriving on interface %d (%s) are dropped: %s.'
            % (self.client, self.text, self.arrival.index, self.arrival.alias, reason), remediation, interfaces=interfaces,
            cause=cause, ops=ops, key=self.key(fid)))
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
            'Check the cable and the switch port of interface %d, or declare the flow on the interface it really arrives on '
            '(Get-NetAdapter -InterfaceIndex %d | Format-List Status, MediaConnectionState).' % (flow.arrival.index, flow.arrival.index),
            interfaces=[flow.arrival.index], key=flow.key('arrival_interface_disconnected')))
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
    arrival = flow.arrival
    return flow.dropped('drop_strong_host_receive', reason,
                        'Enable weak host receive for %s on interface %s, so that it accepts packets for addresses of other '
                        'interfaces (the task winnet.routing.ip_interface with weak_host_receive: true does the same).'
                        % (FAMILY_LABEL[flow.family], iface_label(arrival)),
                        [arrival.index] + flow.owners, cause=weak_host_cause(arrival, flow.family, 'receive'),
                        ops=weak_host_ops(arrival, flow.family, 'receive'))


def _dropped_not_local(_engine, flow, reason):
    return flow.dropped('drop_not_local', reason,
                        'Decide where %s belongs: assign it on this host (for a DSR VIP, on a loopback adapter) or declare the flow '
                        'with an address the host has (Get-NetIPAddress -IPAddress \'%s\').' % (flow.text, flow.text),
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


def _owner_loopback(engine, flow):
    """The loopback adapter holding the destination (a DSR VIP), or None."""
    for index in flow.owners:
        iface = engine.state.interface(index)
        if iface.kind == 'loopback_adapter':
            return iface
    return None


def _unroutable_reply(engine, flow):
    """reply_unroutable_strong_host_send when another interface has a route (strong host send keeps the
    reply off it), else reply_no_route."""
    owners = flow.owners
    free = engine.select(flow.family, flow.client_value, None)
    label = FAMILY_LABEL[flow.family]
    if not free:
        gateway = gateway_of(engine, flow.family, flow.arrival.index)
        if gateway is None:
            remediation = ('Add a route to %s on interface %s via the gateway of that network; this state names no gateway on it, so '
                           'the next hop is yours to give.' % (flow.client, iface_label(flow.arrival)))
        else:
            remediation = 'Add a route to %s via %s on interface %s (the gateway that interface uses), in both stores.' % (
                flow.client, gateway, iface_label(flow.arrival))
        return finding('reply_no_route', 'error', 'The host has no route at all to %s; the reply from %s is never sent.' % (flow.client, flow.text),
                       remediation, interfaces=owners, key=flow.key('reply_no_route'),
                       cause='No route to %s' % flow.client,
                       ops=flow.client_route_ops(flow.arrival, gateway) if gateway else None)
    gateway = free[0].route
    message = ('The reply from %s to %s finds no route: under strong host send it may only leave interface %s, which has no route to %s '
               '(the host would use %s via %s on interface %d).'
               % (flow.text, flow.client, ', '.join(str(o) for o in owners), flow.client, gateway.destination, gateway.next_hop, gateway.interface))
    loopback = _owner_loopback(engine, flow)
    if loopback is not None:
        # A VIP on a loopback adapter answers through the NIC: weak host send on the loopback.
        return finding('reply_unroutable_strong_host_send', 'error', message,
                       'Enable weak host send for %s on the loopback adapter %s so that replies from %s may leave by the NIC.'
                       % (label, iface_label(loopback), flow.text),
                       interfaces=owners + [gateway.interface], routes=[route_ref(gateway)], key=flow.key('reply_unroutable_strong_host_send'),
                       cause=weak_host_cause(loopback, flow.family, 'send'), ops=weak_host_ops(loopback, flow.family, 'send'))
    owner = engine.state.interface(owners[0])
    hop = gateway_of(engine, flow.family, owner.index)
    if hop is None:
        remediation = ('Add a route to %s on interface %s via the gateway of that interface\'s network; this state names none, so the '
                       'next hop is yours to give.' % (flow.client, iface_label(owner)))
    else:
        remediation = 'Add a route to %s via %s on interface %s, in both stores, so that the reply leaves by the interface that holds %s.' % (
            flow.client, hop, iface_label(owner), flow.text)
    return finding('reply_unroutable_strong_host_send', 'error', message, remediation,
                   interfaces=owners + [gateway.interface], routes=[route_ref(gateway)], key=flow.key('reply_unroutable_strong_host_send'),
                   cause='No route to %s on interface %s' % (flow.client, iface_label(owner)),
                   ops=flow.client_route_ops(owner, hop) if hop else None)


def _asymmetric_reply(engine, flow, reply):
    """asymmetric_reply: a warning when the source is in a subnet of the reply's interface, else an error."""
    state = engine.state
    out_iface = state.interface(reply['interface'])
    inside = any(a.interface == out_iface.index and a.family == flow.family
                 and (a.value & mask(flow.family, a.prefix_length)) == (flow.value & mask(flow.family, a.prefix_length))
                 for a in state.addresses)
    arrival = flow.arrival
    message = ('The request from %s to %s arrives on interface %d (%s) but the reply leaves interface %d (%s) via %s%s.'
               % (flow.client, flow.text, arrival.index, arrival.alias, out_iface.index, out_iface.alias, reply['next_hop'],
                  '' if inside else '; source %s is not in any subnet of that interface, so reverse-path filters, stateful firewalls and '
                  'cloud anti-spoofing commonly drop it' % flow.text))
    common = dict(interfaces=[arrival.index, out_iface.index], routes=[reply['route']] if reply['route'] else [], key=flow.key('asymmetric_reply'))
    if out_iface.kind == 'loopback_adapter':
        # The reply is black-holed into a loopback adapter: a loopback prefix route wins.
        short = [a for a in state.addresses if a.interface == out_iface.index and a.family == flow.family and a.usable
                 and a.prefix_length < BITS[flow.family]
                 and (a.value & mask(flow.family, a.prefix_length)) == (flow.client_value & mask(flow.family, a.prefix_length))]
        if short:
            return finding('asymmetric_reply', 'warning' if inside else 'error', message,
                           'Give %s the host prefix /%d on the loopback adapter %s: its /%d route swallows the replies to %s.'
                           % (short[0].address, BITS[flow.family], iface_label(out_iface), short[0].prefix_length, flow.client),
                           cause=host_prefix_cause(out_iface, short[0]), ops=host_prefix_ops(out_iface, short[0]), **common)
    hop = gateway_of(engine, flow.family, arrival.index)
    if hop is None:
        remediation = ('Add a route to %s on the arrival interface %s via the gateway of its network, so that the reply leaves where '
                       'the request came in; this state names no gateway on it, so the next hop is yours to give.'
                       % (flow.client, iface_label(arrival)))
    else:
        remediation = ('Add a route to %s via %s on the arrival interface %s, in both stores, so that the reply leaves where the '
                       'request came in.' % (flow.client, hop, iface_label(arrival)))
    return finding('asymmetric_reply', 'warning' if inside else 'error', message, remediation,
                   cause='No route to %s on interface %s' % (flow.client, iface_label(arrival)),
                   ops=flow.client_route_ops(arrival, hop) if hop else None, **common)


# What happens after each receive verdict.
VERDICTS = {
    'accept': _replied,
    'forward': _forwarded,
    'drop_strong_host_receive': _dropped_by_strong_host,
    'drop_not_local': _dropped_not_local,
}
