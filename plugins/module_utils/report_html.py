# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's self-contained HTML page (inline CSS, JavaScript and SVG; no external asset).

One summary (findings and hosts per severity, finding ids across the fleet), a filter by
severity and by host name, and one collapsed section per host: its findings with explanation
and remediation, a diagram of its NICs, gateways and evaluated flows (asymmetric and dropped
paths drawn in red), the flows, DSR checks, Find-NetRoute comparisons and interfaces.
Every value from a host or the inventory is escaped.
"""

from __future__ import annotations

import html
import json
import math

from ansible_collections.winnet.routing.plugins.module_utils.advice import causes
from ansible_collections.winnet.routing.plugins.module_utils.report import RANK, SEVERITIES, worst_first

# Why a finding matters, in one or two sentences; the finding's own message says what was found.
EXPLANATIONS = {
    'multiple_default_routes': 'New connections use only the default route with the lowest route metric + interface metric; the others '
                               'serve replies and bound sockets on their own NIC and dead gateway detection, which fails over unpredictably.',
    'default_gateways_on_disjoint_interfaces': 'With gateways on networks that do not reach each other, the NIC a packet leaves by depends '
                                               'on its source address and on failover state: some peers get replies by the wrong path.',
    'persistent_active_drift': 'The PersistentStore is what Windows loads at boot: the routing in force now is not the routing after the '
                               'next reboot.',
    'reply_unroutable_strong_host_send': 'Under the strong host model a reply may only leave by the interface that owns its source '
                                         'address; without a route there, the request is accepted and the reply silently dropped.',
    'reply_no_route': 'The host has no route back to the client at all.',
    'asymmetric_reply': 'The reply leaves by another NIC than the request came in on; stateful firewalls, reverse-path filters and '
                        'cloud anti-spoofing commonly drop such packets.',
    'route_tie': 'Equal prefix and equal effective metric: Windows picks by an undocumented order, which can change after a reboot or '
                 'a route change.',
    'next_hop_not_on_link': 'A gateway outside every subnet of its interface cannot be resolved by ARP/ND: traffic using the route is lost.',
    'vip_prefix_route_on_loopback_wins': 'A VIP with a short prefix on the loopback adapter brings a subnet route into the loopback, '
                                         'which swallows traffic meant for real hosts in that subnet.',
    'ambiguous_zone': 'A link-local address without a zone is reachable on several interfaces; the choice is arbitrary.',
    'shadowed_route': 'A route that never wins looks like configuration but does nothing: it hides which path traffic really takes, and '
                      'it starts to win as soon as the routes in front of it are removed.',
    'drop_strong_host_receive': 'Strong host receive drops packets whose destination address belongs to another interface.',
    'drop_not_local': 'The destination is not an address of this host and the interface does not forward.',
    'find_netroute_disagrees': "Windows itself answered differently from the engine's prediction for this path.",
    'audit_gather_failed': 'Nothing could be evaluated for this host.',
    'audit_input_invalid': 'A declared flow or DSR VIP in the inventory could not be evaluated.',
    'partial_state': 'The state does not carry what this question needs; gather the host for a definite answer.',
    'interface_not_pinned': 'The export shows these routes and addresses but not the index of the interface that holds them: '
                            'answers through it name a stand-in, not the real interface.',
}
DSR_EXPLANATION = 'A DSR real server receives traffic for the VIP on its NIC and must answer from the VIP by the same NIC; ' \
                  'each failed requirement silently drops or misroutes that traffic.'

CSS = """
:root{--err:#c62828;--warn:#b26a00;--info:#1565c0;--ok:#2e7d32;--mut:#666;--bg:#fafafa;--line:#ddd}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:var(--bg)}
header{padding:16px 24px;background:#263238;color:#fff}header h1{margin:0 0 4px;font-size:20px}header p{margin:0;color:#cfd8dc}
section,main{padding:12px 24px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid var(--mut);border-radius:4px;padding:8px 14px;min-width:150px}
.card b{font-size:22px;display:block}.card.error{border-left-color:var(--err)}.card.warning{border-left-color:var(--warn)}
.card.info{border-left-color:var(--info)}.card.clean{border-left-color:var(--ok)}
table{border-collapse:collapse;background:#fff;margin:6px 0 12px}th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eceff1}.badge{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;font-weight:600;text-transform:uppercase}
.badge.error,.badge.fail{background:var(--err)}.badge.warning,.badge.advisory{background:var(--warn)}.badge.info{background:var(--info)}
.badge.clean,.badge.pass,.badge.ok{background:var(--ok)}.badge.other{background:var(--mut)}
#controls{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);z-index:2;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
#controls label{cursor:pointer}#controls input[type=search]{padding:3px 6px;min-width:220px}
details.host{background:#fff;border:1px solid var(--line);border-left:6px solid var(--ok);border-radius:4px;margin:6px 0}
details.host.sev-error{border-left-color:var(--err)}details.host.sev-warning{border-left-color:var(--warn)}details.host.sev-info{border-left-color:var(--info)}
details.host>summary{cursor:pointer;padding:6px 10px;font-weight:600}details.host>summary .counts{font-weight:400;color:var(--mut);margin-left:8px}
.body{padding:4px 14px 12px}ul.findings{list-style:none;padding:0;margin:0}
li.finding{border-top:1px solid var(--line);padding:6px 0}li.finding p{margin:3px 0}.why{color:var(--mut)}
pre{background:#f3f3f3;padding:6px 8px;white-space:pre-wrap;word-break:break-word;margin:3px 0}code{font-size:13px}
.check{color:var(--mut);font-size:12px;margin-left:6px}h3{font-size:15px;margin:14px 0 4px}
svg.diagram{background:#fff;border:1px solid var(--line);max-width:100%;height:auto}
svg .nic rect{fill:#e3f2fd;stroke:#1565c0}svg .nic.down rect{fill:#eee;stroke:#999;stroke-dasharray:4 3}svg .nic.loop rect{fill:#f3e5f5;stroke:#6a1b9a}
svg text{font:11px system-ui,sans-serif;fill:#222}svg text.small{font-size:10px;fill:#555}
svg .gw circle{fill:#fff;stroke:#37474f;stroke-width:2}svg .link{stroke:#90a4ae;stroke-width:1.5}
svg .client rect{fill:#fffde7;stroke:#9e9d24}svg .req{stroke:#1565c0;stroke-width:2;fill:none}
svg .rep{stroke:#2e7d32;stroke-width:2;fill:none}svg .bad{stroke:#c62828;stroke-width:3.5;stroke-dasharray:8 4;fill:none}
svg .x{stroke:#c62828;stroke-width:3}svg .hostbox{fill:none;stroke:#455a64;stroke-width:1.5}
.hidden{display:none!important}.muted{color:var(--mut)}
table.leaves td.num{text-align:right;white-space:nowrap}table.leaves td.fam{color:var(--mut)}table.leaves tr.none td{color:var(--err)}
table.leaves code{font-size:12px}table.leaves td.cidrs{white-space:nowrap}table.leaves .count{color:var(--mut);font-size:12px}
table.leaves code.cidrs{display:block;max-height:4.4em;overflow:auto;padding-right:10px}
.badge.advisory{background:var(--info)}svg .gw.win circle{stroke:#2e7d32;stroke-width:3;fill:#e8f5e9}
svg .gw.lose circle{stroke:#c62828;stroke-width:3;fill:#ffebee}svg .link.lose{stroke:#c62828;stroke-width:2.5;stroke-dasharray:6 3}
svg .link.win{stroke:#2e7d32;stroke-width:2.5}svg text.win{fill:#2e7d32;font-weight:600}svg text.lose{fill:#c62828;font-weight:600}
li.cause{border-top:1px solid var(--line);padding:8px 0}li.cause>p{margin:3px 0}ul.consequences{margin:4px 0 0 0;padding-left:18px}
.fixhead{display:flex;gap:10px;align-items:center}button.copy{font-size:12px;padding:1px 8px;cursor:pointer}
"""

SCRIPT = """
(function () {
  'use strict';
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.sevfilter'));
  var search = document.getElementById('hostsearch');
  var hosts = Array.prototype.slice.call(document.querySelectorAll('details.host'));
  var findings = Array.prototype.slice.call(document.querySelectorAll('li.finding'));
  var causeItems = Array.prototype.slice.call(document.querySelectorAll('li.cause'));
  var shown = document.getElementById('shown');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var text = (search.value || '').toLowerCase();
    var count = 0;
    hosts.forEach(function (h) {
      var sevs = h.getAttribute('data-severities').split(' ');
      var match = sevs.some(function (s) { return on[s]; });
      if (text && h.getAttribute('data-name').indexOf(text) < 0) { match = false; }
      h.classList.toggle('hidden', !match);
      if (match) { count += 1; }
    });
    findings.forEach(function (f) { f.classList.toggle('hidden', !on[f.getAttribute('data-severity')]); });
    causeItems.forEach(function (c) { c.classList.toggle('hidden', !c.querySelector('li.finding:not(.hidden)')); });
    shown.textContent = count + ' of ' + hosts.length + ' hosts shown';
  }
  function openAll(state) {
    hosts.forEach(function (h) { if (!h.classList.contains('hidden')) { h.open = state; } });
  }
  Array.prototype.slice.call(document.querySelectorAll('button.copy')).forEach(function (b) {
    b.addEventListener('click', function () {
      var code = document.getElementById(b.getAttribute('data-target'));
      var text = code ? code.textContent : '';
      function done() { b.textContent = 'copied'; }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { b.textContent = 'select and copy'; });
      } else {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        b.textContent = 'selected: press Ctrl+C';
      }
    });
  });
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  document.getElementById('expand').addEventListener('click', function () { openAll(true); });
  document.getElementById('collapse').addEventListener('click', function () { openAll(false); });
  apply();
  document.documentElement.setAttribute('data-ready', 'true');
}());
"""


def esc(value):
    """Escape any value for HTML text and attributes."""
    return html.escape('' if value is None else '%s' % value, quote=True)


def _badge(word, css=None):
    return '<span class="badge %s">%s</span>' % (esc(css or word), esc(word))


# ------------------------------------------------------------------------------ diagram
ROW = 46
TOP = 44
NIC_X, NIC_W = 16, 250
GW_X = 390
CLIENT_X, CLIENT_W = 620, 150
WIDTH = 790


def render_diagram(name, diagram):
    """An SVG of a host's NICs, gateways and evaluated flows; bad paths are thick red dashes."""
    nics = diagram['nics']
    gateways = diagram['gateways']
    flows = diagram['flows']
    clients = list(dict.fromkeys(f['client'] for f in flows))
    rows = max(len(nics), len(gateways), len(clients), 1)
    height = TOP + rows * ROW + 56
    out = ['<svg class="diagram" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">'
           % (WIDTH, height, WIDTH, height, esc('Network diagram of %s' % name)),
           '<text x="%d" y="18" font-weight="bold">%s</text>' % (NIC_X, esc(name)),
           '<text x="%d" y="18" class="small">gateways</text><text x="%d" y="18" class="small">clients of evaluated flows</text>'
           % (GW_X - 6, CLIENT_X)]
    out.append('<rect class="hostbox" x="%d" y="26" width="%d" height="%d" rx="6"/>' % (NIC_X - 8, NIC_W + 16, rows * ROW + 14))
    nic_mid = {}
    for i, nic in enumerate(nics):
        y = TOP + i * ROW
        nic_mid[nic['index']] = y + 18
        css = 'nic' + ('' if nic['connected'] else ' down') + (' loop' if nic['kind'] == 'loopback_adapter' else '')
        addrs = ', '.join(nic['addresses'][:2]) + (' +%d' % (len(nic['addresses']) - 2) if len(nic['addresses']) > 2 else '')
        out.append('<g class="%s"><title>%s</title><rect x="%d" y="%d" width="%d" height="36" rx="4"/>'
                   '<text x="%d" y="%d">%s</text><text x="%d" y="%d" class="small">%s</text></g>'
                   % (css, esc('%d %s (%s)%s, metric %s: %s' % (nic['index'], nic['alias'], nic['kind'], '' if nic['connected'] else ' disconnected',
                                                                nic['metric'], ', '.join(nic['addresses']) or 'no address')),
                      NIC_X, y, NIC_W, NIC_X + 6, y + 15, esc(_clip('%d %s' % (nic['index'], nic['alias']), 34) + ('' if nic['connected'] else ' (down)')),
                      NIC_X + 6, y + 30, esc(_clip(addrs or 'no address', 40) + ('  m%s' % nic['metric'] if nic['metric'] is not None else ''))))
    gw_mid = {}
    for i, gw in enumerate(gateways):
        y = TOP + i * ROW + 18
        gw_mid[(gw['interface'], gw['next_hop'])] = y
        state = 'win' if gw.get('winner') else ('lose' if gw.get('loser') else '')
        if gw['interface'] in nic_mid:
            out.append('<line class="link%s" x1="%d" y1="%d" x2="%d" y2="%d"/>'
                       % (' ' + state if state else '', NIC_X + NIC_W, nic_mid[gw['interface']], GW_X - 7, y))
        dests = ', '.join(gw['destinations']) + (' +%d' % (gw['routes'] - len(gw['destinations'])) if gw['routes'] > len(gw['destinations']) else '')
        role = {'win': 'default gateway in use', 'lose': 'default gateway not used for new traffic'}.get(state, '')
        out.append('<g class="gw%s" data-gateway="%s"><title>%s</title><circle cx="%d" cy="%d" r="7"/><text x="%d" y="%d"%s>%s</text>'
                   '<text x="%d" y="%d" class="small">%s</text></g>'
                   % (' ' + state if state else '', esc(gw['next_hop']),
                      esc('gateway %s on interface %s for %s%s' % (gw['next_hop'], gw['interface'], dests, (': ' + role) if role else '')),
                      GW_X, y, GW_X + 12, y - 2, ' class="%s"' % state if state else '',
                      esc(_clip(gw['next_hop'], 22) + _gateway_mark(state, gw.get('tie'))),
                      GW_X + 12, y + 11, esc(_clip(dests, 34))))
    client_mid = {}
    for i, client in enumerate(clients):
        y = TOP + i * ROW
        client_mid[client] = y + 18
        out.append('<g class="client"><rect x="%d" y="%d" width="%d" height="36" rx="4"/><text x="%d" y="%d">%s</text></g>'
                   % (CLIENT_X, y, CLIENT_W, CLIENT_X + 6, y + 22, esc(_clip(client, 24))))
    for k, flow in enumerate(flows):
        offset = (k % 5) * 3 - 6
        cy = client_mid[flow['client']] + offset
        arrival = nic_mid.get(flow['arrival_interface'])
        title = esc('%s: %s -> %s, receive %s, %s' % (flow['check'], flow['client'], flow['destination'], flow['receive'], flow['disposition']))
        if arrival is None:
            continue
        ay = arrival + offset
        dropped = flow['receive'] not in ('accept', 'forward')
        out.append('<path class="%s" d="M%d %d L%d %d" marker-end="url(#arrow)"><title>%s (request)</title></path>'
                   % ('bad' if dropped else 'req', CLIENT_X, cy, NIC_X + NIC_W + 2, ay, title))
        if dropped:
            out.append(_cross(NIC_X + NIC_W + 12, ay))
            continue
        if flow['disposition'] == 'forward':
            continue
        # The reply starts where its source address lives: the loopback adapter for a DSR VIP.
        start = nic_mid.get(flow.get('source_interface'), arrival) + offset + 6
        reply_if = flow.get('reply_interface')
        if reply_if is None or reply_if not in nic_mid:
            out.append('<path class="bad" data-reply="no-route" d="M%d %d l60 %d"><title>%s (reply: no route)</title></path>'
                       % (NIC_X + NIC_W, start, 10, title))
            out.append(_cross(NIC_X + NIC_W + 66, start + 10))
            out.append('<text x="%d" y="%d" class="small">no route</text>' % (NIC_X + NIC_W + 76, start + 14))
            continue
        ry = nic_mid[reply_if] + offset + 6
        if flow.get('black_holed'):
            # The reply goes into a loopback and never leaves the host: drawn to the loopback, crossed there.
            curve = (NIC_X + NIC_W, start, NIC_X + NIC_W + 50, start, NIC_X + NIC_W + 50, ry, NIC_X + NIC_W + 4, ry)
            out.append('<path class="bad" data-reply="black-holed" d="M%d %d C%d %d %d %d %d %d">' % curve
                       + '<title>%s (reply black-holed into interface %s)</title></path>' % (title, reply_if))
            out.append(_cross(NIC_X + NIC_W + 14, ry))
            out.append('<text x="%d" y="%d" class="small">black-holed</text>' % (NIC_X + NIC_W + 24, ry + 4))
            continue
        bad = flow['asymmetric'] or flow['disposition'] != 'ok'
        via = gw_mid.get((reply_if, flow.get('reply_next_hop')))
        lead = ''
        if flow.get('source_interface') not in (None, reply_if) and flow.get('source_interface') in nic_mid:
            # From the loopback to the NIC the reply leaves by, inside the host box.
            lead = 'M%d %d L%d %d ' % (NIC_X + NIC_W - 30, start, NIC_X + NIC_W - 30, ry)
        if via is not None:
            d = '%sM%d %d L%d %d L%d %d' % (lead, NIC_X + NIC_W, ry, GW_X, via, CLIENT_X - 2, cy + 6)
        else:
            d = '%sM%d %d L%d %d' % (lead, NIC_X + NIC_W, ry, CLIENT_X - 2, cy + 6)
        out.append('<path class="%s" data-reply="%s" d="%s" marker-end="url(#arrow)"><title>%s (reply by interface %s%s)</title></path>'
                   % ('bad' if bad else 'rep', 'bad' if bad else 'ok', d, title, reply_if, ', asymmetric' if flow['asymmetric'] else ''))
    ly = height - 30
    out.append('<g><line class="req" x1="16" y1="%d" x2="46" y2="%d"/><text x="50" y="%d" class="small">request</text>'
               '<line class="rep" x1="120" y1="%d" x2="150" y2="%d"/><text x="154" y="%d" class="small">reply</text>'
               '<line class="bad" x1="210" y1="%d" x2="240" y2="%d"/><text x="244" y="%d" class="small">asymmetric, dropped, no route or '
               'black-holed</text><line class="link win" x1="16" y1="%d" x2="46" y2="%d"/><text x="50" y="%d" class="small">default '
               'gateway in use (\u2713 wins)</text><line class="link lose" x1="270" y1="%d" x2="300" y2="%d"/><text x="304" y="%d" '
               'class="small">other default gateways (\u2717 lose)</text></g>'
               % (ly, ly, ly + 4, ly, ly, ly + 4, ly, ly, ly + 4, ly + 16, ly + 16, ly + 20, ly + 16, ly + 16, ly + 20))
    out.append('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
               '<path d="M0 0 L10 5 L0 10 z" fill="#555"/></marker></defs></svg>')
    return ''.join(out)


def _gateway_mark(state, tie):
    """The word after a default gateway: it wins or loses, on a tie or not."""
    word = {'win': ' \u2713 wins', 'lose': ' \u2717 loses'}.get(state, '')
    return word + (' (tie)' if word and tie else '')


def _cross(x, y):
    return '<path class="x" d="M%d %d l10 10 M%d %d l-10 10"/>' % (x - 5, y - 5, x + 5, y - 5)


def _clip(text, size):
    text = '%s' % text
    return text if len(text) <= size else text[:size - 1] + '\u2026'


# ---------------------------------------------------------------------------- sections
def _finding(item, with_remediation=True):
    why = EXPLANATIONS.get(item['id']) or (DSR_EXPLANATION if item['id'].startswith('dsr_') else '')
    parts = ['<li class="finding" data-severity="%s">%s <code>%s</code><span class="check">%s</span><p>%s</p>'
             % (esc(item['severity']), _badge(item['severity']), esc(item['id']), esc(item.get('check')), esc(item['message']))]
    if why:
        parts.append('<p class="why">%s</p>' % esc(why))
    if with_remediation and item.get('remediation'):
        parts.append('<div><b>Remediation</b><pre><code>%s</code></pre></div>' % esc(item['remediation']))
    parts.append('</li>')
    return ''.join(parts)


def _cause(host, number, group):
    """One root cause: its fix (proven on the host's state) with a button that copies its commands, or
    what to decide, then the findings it explains."""
    fix = group['fix']
    count = len(group['findings'])
    parts = ['<li class="cause" data-severity="%s">%s <b>%s</b> <span class="muted">(%d finding%s)</span>'
             % (esc(group['severity']), _badge(group['severity']), esc(group['cause']), count, '' if count == 1 else 's')]
    if fix:
        target = 'fix-%s-%d' % (host, number)
        parts.append('<div class="fix"><div class="fixhead"><b>Fix</b><span class="muted">applied to this state, it clears %s and '
                     'raises no new error</span><button type="button" class="copy" data-target="%s">copy commands</button></div>'
                     '<pre><code id="%s">%s</code></pre>'
                     '<details><summary>as a plan for winnet.routing.net_apply</summary><pre><code>%s</code></pre></details></div>'
                     % ('this finding' if count == 1 else 'these %d findings' % count, esc(target), esc(target),
                        esc('\n'.join(fix['powershell'])), esc(json.dumps({'plan': fix['plan']}, indent=1))))
        parts.append('<p>%s</p>' % esc(group['findings'][0].get('remediation') or ''))
    else:
        parts.append('<p><b>To decide</b>: %s</p>' % esc(group['findings'][0].get('remediation') or 'no change is offered.'))
    parts.append('<ul class="findings consequences">%s</ul></li>' % ''.join(_finding(f, with_remediation=False) for f in group['findings']))
    return ''.join(parts)


def _flows_table(flows):
    rows = []
    for f in flows:
        status = f.get('disposition')
        css = 'ok' if status == 'ok' else ('other' if status in ('forward', 'not_evaluated') else 'fail')
        reply = ('%s (%s) via %s from %s' % (f.get('reply_interface'), f.get('reply_alias'), f.get('reply_next_hop'), f.get('reply_source'))
                 if f.get('reply_interface') is not None else '-')
        rows.append('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
                    % (esc(f.get('client')), esc(f.get('destination')),
                       esc('%s (%s)' % (f.get('arrival_interface'), f.get('arrival_alias')) if f.get('arrival_alias') else f.get('arrival_interface')),
                       esc(f.get('receive', '-')), esc(reply), _badge(status or '-', css)))
    return ('<table><tr><th>client</th><th>local address</th><th>arrives on</th><th>receive</th><th>reply leaves</th><th>result</th></tr>%s</table>'
            % ''.join(rows))


def _dsr_section(item):
    state = _badge('ready', 'ok') if item.get('ready') else _badge('not ready', 'fail')
    head = '<h3>DSR VIP %s on %s: %s</h3>' % (esc(item.get('vip')), esc(item.get('nic_alias') or item.get('nic')), state)
    if item.get('error'):
        return head + '<p>%s</p>' % esc(item['error'])
    rows = ''.join('<tr><td><code>%s</code></td><td>%s</td><td>%s</td></tr>' % (esc(c['id']), _badge(c['status']), esc(c['message']))
                   for c in item['checks'])
    return head + '<table><tr><th>check</th><th>status</th><th>detail</th></tr>%s</table>' % rows + (_flows_table(item['flows']) if item['flows'] else '')


def _probes_table(probes):
    rows = []
    for p in probes:
        w = p.get('windows')
        e = p.get('engine')
        rows.append('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            esc(p['destination']), esc(p.get('source') or '-'),
            esc('%s via %s from %s' % (w['interface'], (w.get('route') or {}).get('next_hop'), w['source']) if w else (p.get('windows_error') or 'no route')),
            esc('%s via %s from %s' % (e['interface'], e['route']['next_hop'], e['source']) if e
                else (p.get('engine_error') or p.get('engine_disposition') or 'no route')),
            _badge('agree', 'ok') if p['agree'] else _badge('differ: ' + ', '.join(p['differences']), 'fail')))
    return ('<table><tr><th>destination</th><th>source</th><th>Windows (Find-NetRoute)</th><th>engine</th><th>result</th></tr>%s</table>'
            % ''.join(rows))


def _interfaces_table(nics):
    rows = ''.join('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
        esc(n['index']), esc(n['alias']), esc(n['kind']), 'yes' if n['connected'] else 'no', esc(n['metric']), esc(', '.join(n['addresses'])))
        for n in nics)
    return '<table><tr><th>index</th><th>alias</th><th>kind</th><th>connected</th><th>metric</th><th>addresses</th></tr>%s</table>' % rows


COVERAGE_ROUTES = 6
COVERAGE_RANGES = 96


def _amount(addresses, share):
    """How much of the address space a row holds, in words a reader can compare."""
    if share >= 0.001:
        return '%.1f%%' % (share * 100)
    if addresses < 1000000:
        return '{:,} address{}'.format(addresses, '' if addresses == 1 else 'es')
    if addresses & (addresses - 1) == 0:
        return '2^%d addresses' % (addresses.bit_length() - 1)
    return 'about 2^%.1f addresses' % math.log2(addresses)


def _ranges_cell(ranges):
    """The exact CIDRs in a small scrolling box under their count (no disclosure element inside the table)."""
    if not ranges:
        return '-'
    shown = ranges[:COVERAGE_RANGES]
    more = len(ranges) - len(shown)
    return '<span class="count">%d CIDR%s</span><code class="cidrs">%s%s</code>' % (
        len(ranges), '' if len(ranges) == 1 else 's', '<br>'.join(esc(r) for r in shown),
        '<br>%s' % esc('... %d more in hosts/NAME.json' % more) if more else '')


def _route_notes(route):
    notes = ['part'] if route['part'] else []
    if route.get('tie'):
        notes.append('tie with %s' % ', '.join(route['tie']))
    return ' (%s)' % '; '.join(notes) if notes else ''


def _coverage_table(coverage):
    """The compact "where traffic leaves" table: per family and NIC, how much of the space leaves by it and which routes win there."""
    rows = []
    for family, label in (('ipv4', 'IPv4'), ('ipv6', 'IPv6')):
        item = coverage.get(family)
        if not item:
            continue
        for row in item['interfaces']:
            prefixes = ['%s%s' % (r['prefix'], _route_notes(r)) for r in row['routes']]
            wins = ', '.join(prefixes[:COVERAGE_ROUTES]) + (' +%d more' % (len(prefixes) - COVERAGE_ROUTES) if len(prefixes) > COVERAGE_ROUTES else '')
            rows.append('<tr><td class="fam">%s</td><td>%s</td><td class="num">%s</td><td><code>%s</code></td><td class="cidrs">%s</td></tr>'
                        % (label, esc('%d %s' % (row['interface'], row['alias'])), esc(_amount(row['addresses'], row['share'])),
                           esc(wins or 'only its own addresses'), _ranges_cell(row['ranges'])))
        if item['unrouted']:
            rows.append('<tr class="none"><td class="fam">%s</td><td>no route</td><td class="num">%s</td><td>-</td><td class="cidrs">%s</td></tr>'
                        % (label, esc(_amount(item['unrouted_addresses'], item['unrouted_share'])), _ranges_cell(item['unrouted'])))
    if not rows:
        return ''
    static = [r for family in ('ipv4', 'ipv6') for r in (coverage.get(family) or {}).get('shadowed', ()) if r['protocol'] == 'netmgmt']
    system = sum(1 for family in ('ipv4', 'ipv6') for r in (coverage.get(family) or {}).get('shadowed', ()) if r['protocol'] != 'netmgmt')
    note = ['For a sender with no bound address. "(part)": some destinations of that prefix leave by another interface; '
            '"(tie with ...)": routes of that prefix tie, Windows picks one by an undocumented order and this one is shown.']
    if static:
        listed = '; '.join('%s via %s on %d' % (r['destination'], r['next_hop'], r['interface']) for r in static[:8])
        more = ' +%d more' % (len(static) - 8) if len(static) > 8 else ''
        note.append('Static routes that win nothing for such a sender (replies from an address of their NIC may still use them): %s%s.' % (listed, more))
    if system:
        note.append('%d system route%s (multicast, broadcast, link-local copies on other NICs) win nothing here.' % (system, '' if system == 1 else 's'))
    return ('<h3>Where traffic leaves</h3><table class="leaves"><tr><th>family</th><th>leaves by</th><th>share</th><th>routes that win</th>'
            '<th>exact ranges</th></tr>%s</table><p class="muted">%s</p>' % (''.join(rows), esc(' '.join(note))))


def render_host(rec):
    """The collapsed section of one host."""
    sevs = sorted({f['severity'] for f in rec['findings']}, key=lambda s: -RANK[s]) or ['clean']
    counts = rec['counts']
    count_text = ', '.join('%d %s' % (counts[s], s) for s in SEVERITIES if counts[s]) or 'no findings'
    hostname = rec.get('hostname')
    label = rec['name'] + (' (%s)' % hostname if hostname and hostname.lower() != rec['name'].lower() else '')
    groups = causes(rec['findings'])
    cause_text = ', %d cause%s' % (len(groups), '' if len(groups) == 1 else 's') if groups else ''
    # Hosts with errors are open from the start: they are what the reader came for.
    fields = (esc(rec['severity']), esc(' '.join(sevs)), esc(rec['name'].lower()), esc('host-' + rec['name']),
              ' open' if rec['severity'] == 'error' else '', _badge(rec['severity']), esc(label),
              esc(count_text), esc(cause_text), esc(' \u00b7 snapshot' if rec.get('snapshot') else ''))
    parts = ['<details class="host sev-%s" data-severities="%s" data-name="%s" id="%s"%s><summary>%s %s<span class="counts">%s%s%s</span>'
             '</summary><div class="body">' % fields]
    if rec['gathered']:
        parts.append(render_diagram(label, rec['diagram']))
        parts.append(_coverage_table(rec.get('coverage') or {}))
    if rec['findings']:
        parts.append('<h3>Causes and fixes</h3><ul class="findings causes">%s</ul>'
                     % ''.join(_cause(rec['name'], i, group) for i, group in enumerate(groups)))
    else:
        parts.append('<p class="muted">No findings.</p>')
    if rec['flows']:
        parts.append('<h3>Declared flows (audit_flows)</h3>' + _flows_table(rec['flows']))
    for item in rec['dsr']:
        parts.append(_dsr_section(item))
    if rec['probes']:
        parts.append("<h3>Engine vs Windows' Find-NetRoute</h3>" + _probes_table(rec['probes']))
    if rec['gathered']:
        parts.append('<h3>Interfaces</h3>' + _interfaces_table(rec['diagram']['nics']))
    parts.append('</div></details>')
    return ''.join(parts)


def render_html(fleet):
    """The whole page."""
    s = fleet['summary']
    hb = s['hosts_by_severity']
    hw = s['hosts_with_severity']
    cards = ''.join('<div class="card %s"><b>%d</b>%s finding%s on %d host%s</div>'
                    % (sev, s['findings'][sev], sev, '' if s['findings'][sev] == 1 else 's', hw[sev], '' if hw[sev] == 1 else 's')
                    for sev in SEVERITIES)
    cards += '<div class="card clean"><b>%d</b>clean host%s</div>' % (hb['clean'], '' if hb['clean'] == 1 else 's')
    causes_total = s.get('causes') or {}
    cards += ('<div class="card" id="causes-card"><b>%d</b>root cause%s (%d error), %d with a proven fix</div>'
              % (sum(causes_total.values()), '' if sum(causes_total.values()) == 1 else 's', causes_total.get('error', 0),
                 s.get('causes_with_fix', 0)))
    ids = ''.join('<tr><td><code>%s</code></td><td>%s</td><td>%d</td><td>%d</td></tr>' % (esc(fid), _badge(v['severity']), v['hosts'], v['findings'])
                  for fid, v in s['finding_ids'].items())
    facts = ('%d hosts, generated %s. Flows not ok: %d of %d. DSR VIPs not ready: %d of %d. Find-NetRoute disagreements: %d. '
             'audit_fail_on: %s (%s).' % (s['hosts'], s['generated'], s['flows_not_ok'], s['flows'], s['dsr_not_ready'], s['dsr_checks'],
                                          s['probe_disagreements'], s['fail_on'], 'reached' if s['threshold_reached'] else 'not reached'))
    filters = ''.join('<label><input type="checkbox" class="sevfilter" id="sev-%s" value="%s" checked> %s</label>' % (sev, sev, _badge(sev))
                      for sev in SEVERITIES + ('clean',))
    ranked = sorted(fleet['hosts'].values(), key=worst_first)
    body = ''.join(render_host(rec) for rec in ranked)
    return ''.join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,"><title>%s</title><style>%s</style></head><body>' % (esc(s['title']), CSS),
        '<header><h1>%s</h1><p>%s</p></header>' % (esc(s['title']), esc(facts)),
        '<section id="summary"><div class="cards">%s</div>' % cards,
        ('<table><tr><th>finding</th><th>severity</th><th>hosts</th><th>findings</th></tr>%s</table>' % ids) if ids else '',
        '</section>',
        '<section id="controls"><span>Show hosts with:</span>%s<input type="search" id="hostsearch" placeholder="filter by host name" '
        'aria-label="filter by host name"><button type="button" id="expand">expand all</button><button type="button" id="collapse">'
        'collapse all</button><span id="shown" class="muted"></span></section>' % filters,
        '<main id="hosts">%s</main>' % body,
        '<script>%s</script></body></html>\n' % SCRIPT,
    ])
