# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection guard: does a plan cut the controller off the host it is changing?

The controller reaches the host at ``host_address`` (the address the connection uses) from
``controller_address`` (the controller's address as the host sees it). The guard evaluates the
reply path to the controller on the state before the plan and on the state the plan predicts,
with the engine's own rules: when the host address is one of the host's addresses, as the reply
of a flow arriving on the interface that holds it (``Engine.flow_check``, so the strong host
model is applied to the reply's source); otherwise as a plain route lookup to the controller.

A plan *cuts* the connection when a reply that found a route before finds none afterwards,
leaves by another interface afterwards, or when the host address itself disappears. A plan that
leaves the path as it is, or that repairs a path that was already broken, is never refused. A
state the guard cannot evaluate counts as a cut.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.engine import Engine
from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError, WinnetError
from ansible_collections.winnet.routing.plugins.module_utils.netutil import AddressSyntaxError, format_address, parse_address


# The guard's own arguments: an error about them is the caller's mistake, raised as it is; any other
# error of the engine means the state cannot be evaluated.
GUARD_ARGUMENTS = ('host_address', 'controller_address')


def _address(value, argument):
    try:
        family, number, _zone = parse_address(value)
    except (AddressSyntaxError, TypeError) as exc:
        raise ArgumentError(argument, str(exc)) from None
    return family, number, format_address(family, number)


def is_ip_address(value):
    """True for an IPv4 or IPv6 address (the connection's host may also be a DNS name)."""
    if not isinstance(value, str):
        return False
    try:
        parse_address(value)
    except (AddressSyntaxError, TypeError, ValueError):
        return False
    return True


def reply_path(state, host_address, controller_address):
    """How the reply from ``host_address`` to ``controller_address`` leaves ``state``.

    Returns ``{'local': bool, 'interface': int|None, 'next_hop': str|None, 'disposition': str,
    'trace': [...]}``; ``interface`` is None when the reply finds no route (or the address is gone).
    """
    h_family, h_value, h_text = _address(host_address, 'host_address')
    c_family, _c_value, c_text = _address(controller_address, 'controller_address')
    if h_family != c_family:
        raise ArgumentError('controller_address', '%s and the host address %s are of different address families' % (c_text, h_text))
    engine = Engine(state)
    owners = sorted(a.interface for a in state.addresses if a.family == h_family and a.value == h_value)
    if owners:
        flow = engine.flow_check(c_text, h_text, owners[0])
        reply = flow['reply'] or {}
        interface = reply.get('interface') if flow['disposition'] in ('ok', 'asymmetric') else None
        return {'local': True, 'interface': interface, 'next_hop': reply.get('next_hop') if interface is not None else None,
                'disposition': flow['disposition'], 'trace': flow['trace']}
    reply = engine.lookup(c_text)
    interface = reply.get('interface') if reply['disposition'] != 'no_route' else None
    return {'local': False, 'interface': interface, 'next_hop': reply.get('next_hop') if interface is not None else None,
            'disposition': reply['disposition'], 'trace': reply['trace']}


def infer_host_address(state, controller_address):
    """The address the host would answer the controller from (when the connection's own host
    address is not an IP address, such as a DNS name): the source of its route to the controller."""
    _family, _value, text = _address(controller_address, 'controller_address')
    return Engine(state).lookup(text).get('source')


def evaluate(before, after, host_address, controller_address):
    """The guard's verdict for a plan taking ``before`` to ``after`` (HostState objects).

    ``host_address`` None means unknown: it is inferred with ``infer_host_address`` on ``before``.

    Returns ``{'evaluated': True, 'cut': bool, 'reason': str|None, 'before': path, 'after': path}``
    (paths as ``reply_path``). Raises ArgumentError for addresses that are not IP addresses. A state
    the engine cannot evaluate (a partial state without the interfaces' settings, for example)
    gives ``{'evaluated': False, 'cut': True, ...}``: what cannot be checked is not allowed.
    """
    try:
        if host_address is None:
            host_address = infer_host_address(before, controller_address)
            if host_address is None:
                return {'evaluated': False, 'cut': False, 'before': None, 'after': None, 'host_address': None,
                        'reason': 'the host has no route to the controller %s today; there is no path to protect' % controller_address}
        old = reply_path(before, host_address, controller_address)
        new = reply_path(after, host_address, controller_address)
    except WinnetError as exc:
        if isinstance(exc, ArgumentError) and exc.argument in GUARD_ARGUMENTS:
            raise
        return {'evaluated': False, 'cut': True, 'before': None, 'after': None, 'host_address': host_address,
                'reason': 'the reply path to the controller cannot be evaluated on this state: %s' % exc}
    reason = None
    if old['interface'] is not None:
        if old['local'] and not new['local']:
            reason = 'the plan removes %s, the address the controller connects to' % host_address
        elif new['interface'] is None:
            reason = 'after the plan the reply from %s to the controller %s finds no route (%s)' % (
                host_address, controller_address, new['disposition'])
        elif new['interface'] != old['interface']:
            reason = ('after the plan the reply from %s to the controller %s leaves by interface %d via %s instead of '
                      'interface %d via %s' % (host_address, controller_address, new['interface'], new['next_hop'],
                                               old['interface'], old['next_hop']))
    return {'evaluated': True, 'cut': reason is not None, 'reason': reason, 'host_address': host_address,
            'controller_address': controller_address, 'before': old, 'after': new}


# ------------------------------------------------------------------ learned from the connection
WINRM_PORTS = (5985, 5986)
SSH_PORT = 22


def connection_ports(connection, port=None):
    """The host's local TCP ports the controller's connection may use: ``port`` (``ansible_port``)
    when given, else 22 for an SSH connection and 5985, 5986 for WinRM and PSRP."""
    if isinstance(port, int) and not isinstance(port, bool):
        return [port]
    if isinstance(port, str) and port.isdigit():
        return [int(port)]
    if isinstance(connection, str) and connection.split('.')[-1] in ('ssh', 'paramiko_ssh'):
        return [SSH_PORT]
    return list(WINRM_PORTS)


def _plain(address):
    """An address as the host reported it, without an IPv4-mapped IPv6 prefix; None when not an IP
    address or a loopback address (a connection from the host itself)."""
    if not is_ip_address(address):
        return None
    if address.lower().startswith('::ffff:') and is_ip_address(address[7:]):
        address = address[7:]
    if address in ('::1',) or address.startswith('127.'):
        return None
    return address


def learn_controller(connection):
    """The controller's address as the host sees it, from net_info's ``connection`` report.

    Returns ``{'controller_address': str|None, 'host_address': str|None, 'source': str, 'candidates':
    [str], 'reason': str|None}``. The SSH server names the session's own client (``SSH_CONNECTION``),
    so it is used whenever it is there. Otherwise the established TCP connections on the
    connection's ports are all the host can tell: exactly one remote address among them is taken
    as the controller; none or several leave the controller unknown (``reason`` says why).
    """
    connection = connection if isinstance(connection, dict) else {}
    ssh = connection.get('ssh') if isinstance(connection.get('ssh'), dict) else None
    if ssh and _plain(ssh.get('client_address')):
        client = _plain(ssh['client_address'])
        return {'controller_address': client, 'host_address': _plain(ssh.get('server_address')), 'source': 'SSH_CONNECTION',
                'candidates': [client], 'reason': None}
    rows = [row for row in connection.get('tcp') or [] if isinstance(row, dict) and _plain(row.get('remote_address'))]
    remotes = sorted({_plain(row['remote_address']) for row in rows})
    learned = {'controller_address': None, 'host_address': None, 'source': 'established connections', 'candidates': remotes,
               'reason': None}
    if len(remotes) == 1:
        locals_ = sorted({_plain(row.get('local_address')) for row in rows} - {None})
        learned.update(controller_address=remotes[0], host_address=locals_[0] if len(locals_) == 1 else None)
    elif not remotes:
        learned['reason'] = 'no established connection on the connection\'s port%s' % (
            (' (%s)' % connection['error']) if connection.get('error') else '')
    else:
        learned['reason'] = 'connections from several addresses (%s) on the connection\'s port: which one is this controller ' \
                            'cannot be told' % ', '.join(remotes)
    return learned
