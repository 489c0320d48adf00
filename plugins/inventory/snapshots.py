# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: snapshots
short_description: Snapshot hosts from a folder of HostState files and exports of Windows hosts
version_added: 0.1.0
author: winnet.routing maintainers (@winnet)
description:
  - Turns every C(*.json) and C(*.txt) file of the folders in O(paths) into a snapshot host, so that a folder of files handed
    over by people who cannot run Ansible against their hosts can be audited with
    C(ansible-playbook -i exports.winnet.yml winnet.routing.audit).
  - Each host is named after its file name without the extension (C(web01.json) gives the host C(web01)) and gets the
    variable C(winnet_snapshot) set to the absolute path of the file. Snapshot hosts are never contacted.
  - A file may be a HostState JSON file (gathered by M(winnet.routing.net_info), predicted by a changing module, or written
    by hand), C(ConvertTo-Json) output of C(Get-NetRoute), C(Get-NetIPInterface) and C(Get-NetIPAddress) in one file, or
    the text of C(route print) or C(netstat -rn) in any display language. The kind is told by the content, and UTF-8,
    UTF-16 and the console code pages are decoded by detection, when a task reads the host.
  - A state read from an export is partial (C(route print) does not show weak host switches, for example); the audit
    reports what it cannot tell instead of reporting the host clean.
  - Only inventory files whose name ends in C(.winnet.yml) or C(.winnet.yaml) are read by this plugin.
options:
  plugin:
    description: The name of this plugin, C(winnet.routing.snapshots); it makes the file an inventory of snapshot hosts.
    type: str
    required: true
    choices: [winnet.routing.snapshots]
  paths:
    description:
      - Folders whose C(*.json) and C(*.txt) files become snapshot hosts. A relative folder starts at the folder of the
        inventory file. Sub-folders and hidden files are not read.
      - Two files with the same name but another extension (C(web01.json) and C(web01.txt)) are refused, naming both.
    type: list
    elements: path
    default: ['.']
  group:
    description: The group every snapshot host of this inventory file joins (besides C(all)).
    type: str
    default: winnet_snapshots
notes:
  - The export commands to run on each Windows host are in the guide "Auditing state you cannot reach".
seealso:
  - name: Auditing state you cannot reach
    description: The export commands to run on each host, and how the exports are read.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_exported_state.rst
  - name: Snapshot hosts
    description: What a snapshot host is and what the collection does with one.
    link: https://github.com/winnet/routing/blob/main/docs/docsite/rst/guide_snapshot_hosts.rst
"""

EXAMPLES = r"""
# exports.winnet.yml, next to the folder the files were collected in:
#   exports/web01.txt      route print > web01.txt (any language, any console code page)
#   exports/web02.json     ConvertTo-Json output of Get-NetRoute, Get-NetIPInterface and Get-NetIPAddress
#   exports/sql01.json     a HostState gathered by winnet.routing.net_info
#
#   ansible-playbook -i exports.winnet.yml winnet.routing.audit
plugin: winnet.routing.snapshots
paths:
  - exports

# Two folders, the hosts in the group "ticket_4711":
# plugin: winnet.routing.snapshots
# paths: [exports/site-a, /srv/tickets/4711]
# group: ticket_4711
"""

import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

from ansible_collections.winnet.routing.plugins.module_utils.snapshot_file import SNAPSHOT_EXTENSIONS

SNAPSHOT_VAR = 'winnet_snapshot'
INVENTORY_SUFFIXES = ('.winnet.yml', '.winnet.yaml')


def snapshot_files(folder):
    """(host name, path) of the snapshot files directly in ``folder``, sorted by name."""
    found = []
    for name in sorted(os.listdir(folder)):
        stem, extension = os.path.splitext(name)
        path = os.path.join(folder, name)
        if name.startswith('.') or not stem or extension.lower() not in SNAPSHOT_EXTENSIONS or not os.path.isfile(path):
            continue
        found.append((stem, path))
    return found


class InventoryModule(BaseInventoryPlugin):
    """Snapshot hosts, one per HostState file or export in the configured folders."""

    NAME = 'winnet.routing.snapshots'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(INVENTORY_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        base = os.path.dirname(os.path.abspath(path))
        group = self.get_option('group')
        self.inventory.add_group(group)
        hosts = {}
        for folder in self.get_option('paths') or []:
            folder = os.path.expanduser(folder)
            if not os.path.isabs(folder):
                folder = os.path.join(base, folder)
            folder = os.path.normpath(folder)
            if not os.path.isdir(folder):
                raise AnsibleParserError('%s: paths: %s is not a folder' % (path, folder))
            for host, file_path in snapshot_files(folder):
                if host in hosts:
                    raise AnsibleParserError('%s: the files %s and %s both name the host %s; keep one of them'
                                             % (path, hosts[host], file_path, host))
                hosts[host] = file_path
                self.inventory.add_host(host, group=group)
                self.inventory.set_variable(host, SNAPSHOT_VAR, file_path)
