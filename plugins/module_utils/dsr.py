# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is this host a working DSR (direct server return) real server for a VIP arriving on a NIC? (R25)

The requirements are small named check functions, listed in ``CHECKS`` in the order they are
reported. Each judges its own condition, independently of the others (so ``reply_via_nic``
tells whether replies would leave by the NIC even while receive is still broken). A required
check is ``pass`` or ``fail``; an advisory one ``pass`` or ``advisory``. When no loopback adapter
holds the VIP, every check about the loopback fails with the same message.

To add a check: write ``(dsr) -> check`` (``judged`` or ``loopback_judged`` build the entry) and
list it in ``CHECKS`` with whether it is required; give its id in the dsr_check filter's docs.
"""

from __future__ import annotations

from ansible_collections.winnet.routing.plugins.module_utils.errors import ArgumentError
from ansible_collections.winnet.routing.plugins.module_utils.findings import (
    host_prefix_cause,
    host_prefix_ops,
    iface_label,
    remove_everywhere,
    weak_host_cause,
    weak_host_ops,
)
from ansible_collections.winnet.routing.plugins.module_utils.ops import address_op, dns_registration_op
from ansible_collections.winnet.routing.plugins.module_utils.netutil import (
    BITS,
    FAMILIES,
    FAMILY_LABEL,
    FAMILY_NAME,
    format_address,
    is_limited_broadcast,
    is_multicast,
    mask,
)

# Interface kinds that are not "physical": the VIP may sit on them without answering ARP/ND on the wire.
PHYSICAL_EXCLUDED_KINDS = ('loopback_adapter', 'loopback_pseudo', 'tunnel')
CREATE_LOOPBACK_FIRST = 'Create the loopback adapter and assign the VIP first (winnet.routing.dsr_real_server).'


class _Dsr:
    """The checked arguments of one dsr_check and what the checks read: the VIP, the NIC, the clients,
    and the loopback adapter holding the VIP (``loopback`` is None when none does)."""

    def __init__(self, engine, vip, nic, clients):
        self.engine = engine
        self.state = engine.state
        self.family, self.value, zone = engine.address_argument(vip, 'vip')
        if zone is not None:
            raise ArgumentError('vip', '%r: a VIP takes no zone' % vip)
        if is_multicast(self.family, self.value) or self.value == 0 or is_limited_broadcast(self.family, self.value):
            raise ArgumentError('vip', '%s is not a unicast address' % vip)
        self.nic = self.state.resolve_interface(nic, 'nic')
        if self.nic.settings(self.family) is None:
            raise ArgumentError('nic', 'interface %d (%s) has no %s settings' % (self.nic.index, self.nic.alias, FAMILY_NAME[self.family]))
        if isinstance(clients, str) or not isinstance(clients, (list, tuple)) or not clients:
            raise ArgumentError('clients', 'must be a non-empty list of client addresses')
        self.clients = []
        for i, client in enumerate(clients):
            c_family, c_value, _zone = engine.address_argument(client, 'clients[%d]' % i)
            if c_family != self.family:
                raise ArgumentError('clients[%d]' % i, '%s is %s but the VIP %s is %s' % (client, FAMILY_NAME[c_family], vip, FAMILY_NAME[self.family]))
            self.clients.append((client, c_value))
        self.vip = format_address(self.family, self.value)
        self.label = FAMILY_LABEL[self.family]
        self.bits = BITS[self.family]
        self.nic_settings = self.nic.settings(self.family)
        self.holders = engine.any_address.get((self.family, self.value), [])
        on_loopback = [a for a in self.holders if a.usable and self.state.interface(a.interface).kind == 'loopback_adapter']
        self.loopback_address = on_loopback[0] if on_loopback else None
        self.loopback = self.state.interface(self.loopback_address.interface) if self.loopback_address else None
        self.loopback_settings = self.loopback.settings(self.family) if self.loopback else None
        self.loopback_name = self.loopback.alias if self.loopback else 'loopback'
        self.loopback_index = self.loopback.index if self.loopback else 0     # 0 in remediations that cannot apply yet
        self._wins = None

    @property
    def no_loopback(self):
        return 'no KM-TEST loopback adapter holds %s' % self.vip

    @property
    def no_loopback_cause(self):
        return 'No loopback adapter holds VIP %s' % self.vip

    def loopback_wins_routes(self):
        """The routes on the loopback, other than the VIP's own prefix and host routes, that win (or tie)
        for a client."""
        out = []
        plen = self.loopback_address.prefix_length
        for _client, c_value in self.clients:
            bucket = self.engine.select(self.family, c_value)
            if not bucket:
                continue
            for entry in bucket:
                route = entry.route
                if entry.effective_metric != bucket[0].effective_metric or route.interface != self.loopback.index:
                    continue
                if route.prefix_length == self.bits and route.network == self.value:
                    continue
                if (route.network, route.prefix_length) == (self.value & mask(self.family, plen), plen):
                    continue
                out.append(route)
        return out

    def host_prefix_readdress(self):
        """The commands that give the VIP a host prefix on the loopback."""
        return ("Remove-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -Confirm:$false; "
                "New-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -PrefixLength %d -SkipAsSource $true"
                % (self.loopback.index, self.vip, self.loopback.index, self.vip, self.bits))

    def loopback_routes_removal(self):
        """The command that removes the routes on the loopback other than those of its addresses."""
        return ('Get-NetRoute -InterfaceIndex %d | Where-Object { $_.NextHop -ne \'%s\' } | Remove-NetRoute -Confirm:$false'
                % (self.loopback_index, FAMILIES[self.family].unspecified))

    def loopback_wins(self):
        """(clients for which the VIP's own prefix route on the loopback wins, clients for which another
        loopback route wins), each entry worded for a message; ties count as wins."""
        if self._wins is None:
            prefix_wins, other_wins = [], []
            plen = self.loopback_address.prefix_length
            vip_net = (self.value & mask(self.family, plen), plen)
            for client, c_value in self.clients:
                bucket = self.engine.select(self.family, c_value)
                if not bucket:
                    continue
                tied = [e for e in bucket if e.effective_metric == bucket[0].effective_metric]
                tie = ', tie' if len(tied) > 1 else ''
                for entry in tied:
                    route = entry.route
                    if route.interface != self.loopback.index:
                        continue
                    if (route.network, route.prefix_length) == vip_net and plen < self.bits:
                        prefix_wins.append('%s (%s%s)' % (client, route.destination, tie))
                    elif not (route.prefix_length == self.bits and route.network == self.value):
                        other_wins.append('%s (%s via %s%s)' % (client, route.destination, route.next_hop, tie))
            self._wins = (prefix_wins, other_wins)
        return self._wins


def judged(cid, ok, required, message, remediation):
    """A check entry: ``pass``, else ``fail`` (required) or ``advisory``; no remediation when it passes."""
    status = 'pass' if ok else ('fail' if required else 'advisory')
    return {'id': cid, 'status': status, 'message': message, 'remediation': None if ok else remediation}


def loopback_judged(dsr, cid, ok, required, good, bad, remediation):
    """A check about the loopback adapter: ``fail`` with the same message when no loopback holds the VIP."""
    if dsr.loopback is None:
        return {'id': cid, 'status': 'fail', 'message': dsr.no_loopback, 'remediation': CREATE_LOOPBACK_FIRST}
    return judged(cid, ok, required, good if ok else bad, remediation)


# --------------------------------------------------------------------------------- the checks
def _spare_loopback(dsr):
    """The host's only loopback adapter when it does not hold the VIP yet, else None."""
    adapters = [i for i in dsr.state.interfaces if i.kind == 'loopback_adapter' and i.settings(dsr.family) is not None]
    return adapters[0] if len(adapters) == 1 and dsr.loopback is None else None


def vip_on_loopback(dsr, cid, required):
    message = 'VIP %s is on loopback adapter %d (%s)' % (dsr.vip, dsr.loopback.index, dsr.loopback.alias) if dsr.loopback else dsr.no_loopback
    spare = _spare_loopback(dsr)
    if spare is not None:
        remediation = ("New-NetIPAddress -InterfaceIndex %d -AddressFamily %s -IPAddress '%s' -PrefixLength %d -SkipAsSource $true"
                       % (spare.index, dsr.label, dsr.vip, dsr.bits))
    else:
        remediation = ('Create a KM-TEST loopback adapter and assign %s/%d to it with SkipAsSource (the role '
                       'winnet.routing.dsr_real_server with dsr_real_server_vips does both).' % (dsr.vip, dsr.bits))
    return judged(cid, dsr.loopback is not None, required, message, remediation)


def nic_weak_host_receive(dsr, cid, required):
    ok = dsr.nic_settings.weak_host_receive
    return judged(cid, ok, required,
                  'interface %d (%s) %s weak host receive for %s' % (dsr.nic.index, dsr.nic.alias, 'has' if ok else 'lacks', dsr.label),
                  'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostReceive Enabled' % (dsr.nic.index, dsr.label))


def loopback_weak_host_send(dsr, cid, required):
    return loopback_judged(
        dsr, cid, dsr.loopback_settings is not None and dsr.loopback_settings.weak_host_send, required,
        'loopback %s has weak host send, so replies from the VIP may leave by the NIC' % dsr.loopback_name,
        'loopback %s lacks weak host send: replies from %s are restricted to the loopback and find no route' % (dsr.loopback_name, dsr.vip),
        'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled' % (dsr.loopback_index, dsr.label))


def loopback_weak_host_receive(dsr, cid, required):
    return loopback_judged(
        dsr, cid, dsr.loopback_settings is not None and dsr.loopback_settings.weak_host_receive, required,
        'loopback %s has weak host receive' % dsr.loopback_name,
        'loopback %s lacks weak host receive (the Azure and vendor procedures enable it)' % dsr.loopback_name,
        'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostReceive Enabled' % (dsr.loopback_index, dsr.label))


def nic_weak_host_send(dsr, cid, required):
    ok = dsr.nic_settings.weak_host_send
    return judged(cid, ok, required,
                  'interface %d (%s) %s weak host send (suggested for hairpin traffic on Server 2016)'
                  % (dsr.nic.index, dsr.nic.alias, 'has' if ok else 'lacks'),
                  'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled' % (dsr.nic.index, dsr.label))


def reply_via_nic(dsr, cid, required):
    """The reply to each client leaves by the NIC (judged even when receive is broken)."""
    if not dsr.engine.local.get((dsr.family, dsr.value)):
        return judged(cid, False, required, '%s is not assigned on this host, so no reply can be sent from it' % dsr.vip,
                      'Assign %s to a loopback adapter with weak host send enabled.' % dsr.vip)
    bad = []
    into_loopback = False
    for client, c_value in dsr.clients:
        reply = dsr.engine.lookup(format_address(dsr.family, c_value), source=dsr.vip)
        if reply['interface'] != dsr.nic.index:
            bad.append('%s -> %s' % (client, 'no route' if reply['interface'] is None else 'interface %d' % reply['interface']))
            into_loopback = into_loopback or (dsr.loopback is not None and reply['interface'] == dsr.loopback.index)
    if dsr.loopback is None:
        remedy = 'Assign %s to a loopback adapter with weak host send enabled.' % dsr.vip
    elif into_loopback and dsr.loopback_settings.weak_host_send and dsr.loopback_address.prefix_length == dsr.bits and dsr.loopback_wins()[1]:
        remedy = dsr.loopback_routes_removal()      # the VIP is a host prefix already: another loopback route takes the replies
    elif into_loopback and dsr.loopback_settings.weak_host_send:
        remedy = dsr.host_prefix_readdress()
    else:
        remedy = 'Set-NetIPInterface -InterfaceIndex %d -AddressFamily %s -WeakHostSend Enabled' % (dsr.loopback.index, dsr.label)
    if not bad:
        return judged(cid, True, required, 'replies from %s to every client leave interface %d' % (dsr.vip, dsr.nic.index), remedy)
    return judged(cid, False, required, 'replies from %s do not leave interface %d: %s' % (dsr.vip, dsr.nic.index, '; '.join(bad)), remedy)


def vip_prefix(dsr, cid, required):
    """A host prefix passes; a shorter one whose loopback route wins for a client fails; one that wins for none is advisory."""
    if dsr.loopback is None:
        return loopback_judged(dsr, cid, False, required, '', '', '')
    plen = dsr.loopback_address.prefix_length
    if plen == dsr.bits:
        return judged(cid, True, required, 'VIP %s/%d is a host prefix' % (dsr.vip, dsr.bits), None)
    prefix_wins, _other_wins = dsr.loopback_wins()
    if prefix_wins:
        return judged(cid, False, required,
                      'the VIP prefix %s/%d on the loopback wins for clients %s: their replies are black-holed into the loopback'
                      % (dsr.vip, plen, ', '.join(prefix_wins)), dsr.host_prefix_readdress())
    return {'id': cid, 'status': 'advisory',
            'message': 'VIP %s has prefix /%d; its loopback prefix route does not win for the given clients, but /%d is safer'
            % (dsr.vip, plen, dsr.bits),
            'remediation': dsr.host_prefix_readdress()}


def loopback_routes(dsr, cid, required):
    other_wins = dsr.loopback_wins()[1] if dsr.loopback is not None else []
    return loopback_judged(
        dsr, cid, not other_wins, required,
        'no route on loopback %s wins for the clients' % dsr.loopback_name,
        'routes on loopback %s win for clients %s' % (dsr.loopback_name, ', '.join(other_wins)),
        dsr.loopback_routes_removal())


def vip_not_on_physical_nic(dsr, cid, required):
    physical = sorted({a.interface for a in dsr.holders if dsr.state.interface(a.interface).kind not in PHYSICAL_EXCLUDED_KINDS})
    if not physical:
        message = 'VIP %s is not assigned to any physical interface' % dsr.vip
    else:
        message = ('VIP %s is assigned to physical interface %s: it answers ARP/ND for the VIP and conflicts with the load balancer'
                   % (dsr.vip, ', '.join(str(p) for p in physical)))
    return judged(cid, not physical, required, message,
                  "Remove-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -Confirm:$false" % (physical[0] if physical else 0, dsr.vip))


def vip_skip_as_source(dsr, cid, required):
    return loopback_judged(
        dsr, cid, dsr.loopback_address is not None and dsr.loopback_address.skip_as_source, required,
        'VIP %s has SkipAsSource: outbound connections never originate from it' % dsr.vip,
        'VIP %s lacks SkipAsSource: outbound connections may originate from the VIP and fail' % dsr.vip,
        "Set-NetIPAddress -InterfaceIndex %d -IPAddress '%s' -SkipAsSource $true" % (dsr.loopback_index, dsr.vip))


def loopback_dns_registration(dsr, cid, required):
    unknown = dsr.state.is_partial('interfaces.register_dns')
    if unknown:
        bad = 'DNS registration of loopback %s is not in this state: check it with Get-DnsClient' % dsr.loopback_name
    else:
        bad = 'loopback %s registers its addresses in DNS: the VIP may be published as this server\'s address' % dsr.loopback_name
    return loopback_judged(
        dsr, cid, dsr.loopback is not None and not dsr.loopback.register_dns and not unknown, required,
        'loopback %s does not register its addresses in DNS' % dsr.loopback_name, bad,
        'Set-DnsClient -InterfaceIndex %d -RegisterThisConnectionsAddress $false' % dsr.loopback_index)


# ------------------------------------------------------------------------ the fixes (for the audit)
def _fix_vip_on_loopback(dsr):
    spare = _spare_loopback(dsr)
    if spare is None:
        return dsr.no_loopback_cause, None
    op = {'op': 'add_address', 'interface': spare.index, 'family': FAMILY_NAME[dsr.family], 'address': dsr.vip,
          'prefix_length': dsr.bits, 'skip_as_source': True}
    return dsr.no_loopback_cause, [op]


def _fix_weak(which, what):
    def fix(dsr):
        iface = dsr.nic if which == 'nic' else dsr.loopback
        return weak_host_cause(iface, dsr.family, what), weak_host_ops(iface, dsr.family, what)
    return fix


def _fix_reply_via_nic(dsr):
    if dsr.loopback is None or not dsr.engine.local.get((dsr.family, dsr.value)):
        return dsr.no_loopback_cause, None
    if dsr.loopback_settings.weak_host_send and dsr.loopback_address.prefix_length < dsr.bits:
        return host_prefix_cause(dsr.loopback, dsr.loopback_address), host_prefix_ops(dsr.loopback, dsr.loopback_address)
    if dsr.loopback_settings.weak_host_send and dsr.loopback_wins_routes():
        return _fix_loopback_routes(dsr)        # replies follow a route on the loopback, not a missing setting
    return weak_host_cause(dsr.loopback, dsr.family, 'send'), weak_host_ops(dsr.loopback, dsr.family, 'send')


def _fix_vip_prefix(dsr):
    return host_prefix_cause(dsr.loopback, dsr.loopback_address), host_prefix_ops(dsr.loopback, dsr.loopback_address)


def _fix_loopback_routes(dsr):
    routes = dsr.loopback_wins_routes()
    return ('Routes on the loopback adapter %s win for the clients of VIP %s' % (iface_label(dsr.loopback), dsr.vip),
            remove_everywhere(dsr.state, routes) or None)


def _fix_vip_not_on_physical_nic(dsr):
    physical = [a for a in dsr.holders if dsr.state.interface(a.interface).kind not in PHYSICAL_EXCLUDED_KINDS]
    return ('VIP %s is assigned to a physical interface' % dsr.vip, [address_op('remove_address', a) for a in physical] or None)


def _fix_vip_skip_as_source(dsr):
    addr = dsr.loopback_address
    return ('VIP %s lacks SkipAsSource' % dsr.vip,
            [{'op': 'set_address', 'interface': addr.interface, 'family': FAMILY_NAME[dsr.family], 'address': addr.address,
              'skip_as_source': True}])


def _fix_loopback_dns_registration(dsr):
    cause = 'Loopback %s registers its addresses in DNS' % iface_label(dsr.loopback)
    if dsr.state.is_partial('interfaces.register_dns'):
        return cause, None
    return cause, [dns_registration_op(dsr.loopback.index, False)]


# id -> (dsr) -> (cause, operations or None) of a check that does not pass.
FIXES = {
    'vip_on_loopback': _fix_vip_on_loopback,
    'nic_weak_host_receive': _fix_weak('nic', 'receive'),
    'loopback_weak_host_send': _fix_weak('loopback', 'send'),
    'loopback_weak_host_receive': _fix_weak('loopback', 'receive'),
    'nic_weak_host_send': _fix_weak('nic', 'send'),
    'reply_via_nic': _fix_reply_via_nic,
    'vip_prefix': _fix_vip_prefix,
    'loopback_routes': _fix_loopback_routes,
    'vip_not_on_physical_nic': _fix_vip_not_on_physical_nic,
    'vip_skip_as_source': _fix_vip_skip_as_source,
    'loopback_dns_registration': _fix_loopback_dns_registration,
}


def _with_fix(dsr, check):
    """The check with its candidate fix (``_cause``, ``_ops``) when it does not pass."""
    if check['status'] == 'pass':
        return check
    if dsr.loopback is None and check['id'] not in ('nic_weak_host_receive', 'nic_weak_host_send', 'vip_not_on_physical_nic'):
        cause, ops = (_fix_vip_on_loopback(dsr) if check['id'] == 'vip_on_loopback' else (dsr.no_loopback_cause, None))
    else:
        cause, ops = FIXES[check['id']](dsr)
    return dict(check, _cause=cause, _ops=ops)


# (id, required, check), in the order they are reported.
CHECKS = (
    ('vip_on_loopback', True, vip_on_loopback),
    ('nic_weak_host_receive', True, nic_weak_host_receive),
    ('loopback_weak_host_send', True, loopback_weak_host_send),
    ('loopback_weak_host_receive', False, loopback_weak_host_receive),
    ('nic_weak_host_send', False, nic_weak_host_send),
    ('reply_via_nic', True, reply_via_nic),
    ('vip_prefix', True, vip_prefix),
    ('loopback_routes', True, loopback_routes),
    ('vip_not_on_physical_nic', True, vip_not_on_physical_nic),
    ('vip_skip_as_source', False, vip_skip_as_source),
    ('loopback_dns_registration', False, loopback_dns_registration),
)


def dsr_check(engine, vip, nic, clients, raw=False):
    """R25: is this host a working DSR real server for ``vip`` arriving on ``nic``?

    Args:
        engine: the Engine of the host (its state must carry the interface settings and kinds).
        vip: the virtual IP address.
        nic: index or alias of the interface the load balancer sends the VIP's traffic to.
        clients: at least one client address (same family as the VIP) whose return path is judged.

        raw: keep each failed check's candidate fix (``_cause``, ``_ops``) and the flows' findings
            unproven, for a caller that proves every fix of the host together (the audit).

    Returns:
        ``{ready, checks: [{id, status, message, remediation}], flows: [flow_check per client], trace}``.

    Raises:
        ArgumentError: an argument is not an address, names no interface, or the families differ.
    """
    engine.require('dsr_check', 'interfaces.settings', 'interfaces.kind')
    dsr = _Dsr(engine, vip, nic, clients)
    checks = [check(dsr, cid, required) for cid, required, check in CHECKS]
    if raw:
        checks = [_with_fix(dsr, c) for c in checks]
        flows = [engine.flow_check_raw(client, dsr.vip, dsr.nic.index) for client, _value in dsr.clients]
    else:
        flows = [engine.flow_check(client, dsr.vip, dsr.nic.index) for client, _value in dsr.clients]
    ready = all(c['status'] != 'fail' for c in checks)
    trace = ['DSR check of VIP %s arriving on interface %d (%s) for clients %s: %s.'
             % (dsr.vip, dsr.nic.index, dsr.nic.alias, ', '.join(c for c, _value in dsr.clients), 'ready' if ready else 'not ready')]
    trace.extend('%s: %s (%s)' % (c['id'], c['status'], c['message']) for c in checks)
    return {'ready': ready, 'checks': checks, 'flows': flows, 'trace': trace}
