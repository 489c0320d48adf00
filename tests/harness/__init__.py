# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live-path harness: a simulated Windows host that answers what Ansible sends to a real one.

``render`` turns a HostState into the raw reads a host sends; ``exec_wrapper`` reads what Ansible's
PowerShell execution sends (the bootstrap, the exec wrapper, the manifest of scripts and actions);
``host`` is the simulated host itself (its state, the collection's applier, armed rollbacks, a
clock and injected faults), independent of the transport that carries the commands to it: the
connection plugin ``tests/playbooks/connection_plugins/winnet_harness.py`` is one such transport.
"""
