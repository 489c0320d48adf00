# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's HTML report in a real headless Chromium: no console error, the hosts and findings shown, the filter works.

Chromium loads the page, runs its script and prints the resulting DOM (``--dump-dom``); with
``--enable-logging=stderr --v=0`` every console message, uncaught exceptions included, is logged
to stderr as ``INFO:CONSOLE``. The page sets ``data-ready`` on its root element as the last
step of its script, so a DOM without it means the script did not run to the end.

``make test`` installs Chromium (Debian package ``chromium``) when it is missing and the gate
runs as root; under ``CI`` a missing browser fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

import pytest
import yaml

from ansible_collections.winnet.routing.plugins.module_utils import report
from ansible_collections.winnet.routing.plugins.module_utils.report_html import render_html

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
INVENTORY = os.path.join(ROOT, 'examples', 'inventory', 'hosts.yml')
BROWSERS = ('/usr/bin/chromium', 'chromium', 'chromium-browser', 'google-chrome')
FLAGS = ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--enable-logging=stderr', '--v=0')
CONSOLE = re.compile(r':CONSOLE[:(]\d*\)?\] (.*)$')


def find_browser():
    for name in BROWSERS:
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope='module')
def browser():
    path = find_browser()
    if path is None:
        if os.environ.get('CI'):
            pytest.fail('Chromium is needed for the report test and CI must have it: `make test` installs the Debian package chromium')
        pytest.skip('no Chromium on this machine (make test installs it when run as root)')
    return path


def load(browser, page_path):
    """Open a page headless; return (the DOM after its scripts ran, the console messages)."""
    profile = tempfile.mkdtemp(prefix='winnet-chromium-')
    try:
        proc = subprocess.run([browser] + list(FLAGS) + ['--user-data-dir=' + profile, '--dump-dom', 'file://' + page_path],
                              capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [m.group(1) for m in (CONSOLE.search(line) for line in proc.stderr.splitlines()) if m]
    return proc.stdout, console


@pytest.fixture(scope='module')
def page(tmp_path_factory):
    with open(INVENTORY, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    hosts = {}

    def walk(group):
        for name, hostvars in (group.get('hosts') or {}).items():
            hosts[name] = hostvars
        for child in (group.get('children') or {}).values():
            walk(child or {})
    walk(data['all'])
    records = []
    for name, hv in hosts.items():
        path = os.path.normpath(os.path.join(os.path.dirname(INVENTORY), hv['winnet_snapshot']))
        records.append(report.evaluate_host(name, report.read_snapshot(path), hv.get('audit_flows', hv.get('winnet_flows')), hv.get('audit_dsr'),
                                            snapshot=path, nic_roles=hv.get('winnet_nic_roles')))
    fleet = report.build_fleet(records, fail_on='never')
    directory = tmp_path_factory.mktemp('report')
    paths = report.write_report(str(directory), fleet, render_html(fleet))
    return paths['html'], fleet


def with_script(source, script, directory):
    """A copy of the page with a script appended after the report's own."""
    with open(source, encoding='utf-8') as handle:
        text = handle.read()
    target = os.path.join(str(directory), 'variant.html')
    with open(target, 'w', encoding='utf-8') as handle:
        handle.write(text.replace('</body>', '<script>%s</script></body>' % script))
    return target


def test_report_loads_without_console_errors_and_shows_every_host(browser, page):
    path, fleet = page
    dom, console = load(browser, path)
    assert console == []
    assert 'data-ready="true"' in dom
    assert '6 of 6 hosts shown' in dom
    for name, rec in fleet['hosts'].items():
        assert 'id="host-%s"' % name in dom
        for item in rec['findings']:
            assert '<code>%s</code>' % item['id'] in dom
    assert dom.count('<svg class="diagram"') == 6


def test_severity_filter_hides_hosts_and_findings(browser, page, tmp_path):
    path, _fleet = page
    script = ("['warning', 'info', 'clean'].forEach(function (s) { var b = document.getElementById('sev-' + s); b.checked = false;"
              " b.dispatchEvent(new Event('change')); });")
    dom, console = load(browser, with_script(path, script, tmp_path))
    assert console == []
    assert '5 of 6 hosts shown' in dom
    hidden = re.findall(r'<details class="host [^"]*hidden[^"]*"[^>]*id="host-([^"]+)"', dom)
    assert hidden == ['dsr-ok-01']
    assert re.search(r'<li class="finding hidden" data-severity="warning">', dom)
    assert not re.search(r'<li class="finding hidden" data-severity="error">', dom)


def test_name_filter_and_expand(browser, page, tmp_path):
    path, _fleet = page
    script = ("var s = document.getElementById('hostsearch'); s.value = 'DSR'; s.dispatchEvent(new Event('input'));"
              "document.getElementById('expand').click();")
    dom, console = load(browser, with_script(path, script, tmp_path))
    assert console == []
    assert '3 of 6 hosts shown' in dom
    opened = re.findall(r'<details class="host ([^"]*)" [^>]*id="host-([^"]+)" open=""', dom)
    # The three DSR hosts were expanded; the hosts with errors were open from the start.
    assert sorted(name for _css, name in opened) == ['app-metric-01', 'dsr-nows-01', 'dsr-ok-01', 'dsr-vip24-01', 'hv-storage-01', 'web25-01']
    assert all('sev-error' in css for css, name in opened if name != 'dsr-ok-01')


def test_a_script_error_is_caught(browser, page, tmp_path):
    """The check above can fail: a page with a JavaScript error is reported."""
    path, _fleet = page
    _dom, console = load(browser, with_script(path, 'no_such_function();', tmp_path))
    assert len(console) == 1 and 'no_such_function' in console[0]


def test_every_host_shows_where_its_traffic_leaves(browser, page):
    path, fleet = page
    dom, console = load(browser, path)
    assert console == []
    assert dom.count('<table class="leaves">') == 6
    for rec in fleet['hosts'].values():
        for family in rec['coverage'].values():
            for row in family['interfaces']:
                assert '<td>%d %s</td>' % (row['interface'], row['alias']) in dom


def _host_section(dom, name):
    start = dom.index('id="host-%s"' % name)
    end = dom.find('<details class="host', start)
    return dom[start:end if end > 0 else len(dom)]


def test_the_report_leads_to_the_fix(browser, page):
    """Hosts with errors open; the winning default gateway marked and the losers red; DSR replies drawn
    from the loopback; a black-holed reply ends at the loopback; advisory checks are not errors; each
    cause shows its fix with a copy button."""
    path, fleet = page
    dom, console = load(browser, path)
    assert console == []
    for name, rec in fleet['hosts'].items():
        opened = re.search(r'id="host-%s" open=""' % re.escape(name), dom) is not None
        assert opened is (rec['severity'] == 'error'), name
    hv = _host_section(dom, 'hv-storage-01')
    # Data (10.1.10.1) and Storage (172.16.20.1) tie; Windows' order picks Storage: the data gateway is drawn as a loser.
    assert re.search(r'<g class="gw win" data-gateway="172\.16\.20\.1">', hv)
    assert re.search(r'<g class="gw lose" data-gateway="10\.1\.10\.1">', hv)
    assert 'Causes and fixes' in hv and 'IPv4 default gateways outside the data NIC Data (5)' in hv
    assert re.search(r'<button type="button" class="copy" data-target="fix-hv-storage-01-0">', hv)
    nows = _host_section(dom, 'dsr-nows-01')
    nic_y = re.findall(r'<g class="nic loop"><title>12 loopback[^<]*</title><rect x="\d+" y="(\d+)"', nows)
    no_route = re.findall(r'<path class="bad" data-reply="no-route" d="M\d+ (-?\d+)', nows)
    assert nic_y and no_route
    assert abs(int(no_route[0]) - (int(nic_y[0]) + 18)) <= 12      # drawn from the loopback's row
    vip24 = _host_section(dom, 'dsr-vip24-01')
    assert 'data-reply="black-holed"' in vip24
    replies = re.findall(r'<path class="(?:bad|rep)" data-reply="(?:ok|bad)" d="[^"]*"[^>]*><title>dsr 192\.0\.2\.102 on Ethernet: ([\d.]+) ', vip24)
    assert replies == ['203.0.113.50']                              # the black-holed client is never reached
    ok = _host_section(dom, 'dsr-ok-01')
    assert '<span class="badge advisory">advisory</span>' in ok and 'badge error' not in ok


def test_copy_button_copies_the_commands(browser, page, tmp_path):
    path, _fleet = page
    # Without a clipboard API (a page opened from a file may not get one) the button selects the commands.
    script = ("Object.defineProperty(navigator, 'clipboard', {value: undefined});"
              "var b = document.querySelector('button.copy[data-target=\"fix-dsr-nows-01-0\"]'); b.click();"
              "document.body.setAttribute('data-selected', String(window.getSelection()));"
              "document.body.setAttribute('data-button', b.textContent);")
    dom, console = load(browser, with_script(path, script, tmp_path))
    assert console == []
    selected = re.search(r'data-selected="([^"]*)"', dom).group(1)
    button = re.search(r'data-button="([^"]*)"', dom).group(1)
    assert button == 'selected: press Ctrl+C'
    assert selected == 'Set-NetIPInterface -InterfaceIndex 12 -AddressFamily IPv4 -WeakHostSend Enabled'
