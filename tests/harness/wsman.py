# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A WS-Management endpoint for tests: WinRM's remote shell in front of the simulated hosts.

Ansible's ``winrm`` connection plugin talks to a Windows host through ``pywinrm``: SOAP messages
over HTTP(S), each an action of the remote shell resource
(``http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd``):

* ``transfer/Create`` opens a shell (the connection; Ansible opens one per task and another one
  when a changing module reconnects to confirm a change);
* ``shell/Command`` starts a command line in the shell (``PowerShell ... -EncodedCommand ...``);
* ``shell/Send`` carries the command's standard input (the exec wrapper and its manifest), in
  chunks, the last one marked ``End="true"``;
* ``shell/Receive`` returns what the command wrote (base64 ``Stream`` elements) and, once it has
  finished, its ``CommandState`` ``Done`` with the ``ExitCode``;
* ``shell/Signal`` (terminate) ends a command, ``transfer/Delete`` closes the shell.

This endpoint answers exactly those messages, with HTTP basic authentication, on 127.0.0.1 only.
Each command line and its input go, unchanged, to the simulated host of ``tests/harness/host.py``
named by the URL path (``/wsman/NAME`` -> ``ROOT/NAME``), which runs the collection's modules
against its state and answers as a Windows host would. It is a harness for the controller side and
the transport, not a claim about Windows: no PowerShell runs here. What the endpoint does not
implement (message encryption, NTLM, Kerberos, CredSSP, certificates, HTTPS) it refuses.

A host that drops the connection (an injected fault) makes the endpoint close the TCP connection
without an answer, as a host that goes away does; every later message of that shell is dropped
too. A host that refuses connections has its ``Create`` dropped.

Every message answered is logged to ``ROOT/NAME/wsman.jsonl`` (action, shell, command), so tests
can count the round trips of each task.

Command line::

    python -m ansible_collections.winnet.routing.tests.harness.wsman start ROOT --state-file FILE
        [--user U --password P --lifetime SECONDS]
    python -m ansible_collections.winnet.routing.tests.harness.wsman stop --state-file FILE

``start`` runs the endpoint in a child process on a free port of 127.0.0.1 and returns once it
listens; FILE (JSON) records its ``port`` and ``pid``. The endpoint stops by itself after
``--lifetime`` seconds (600 by default), so a test that fails before ``stop`` leaves nothing behind.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.winnet.routing.tests.harness.host import Dropped, WindowsHost

NS = {
    's': 'http://www.w3.org/2003/05/soap-envelope',
    'a': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'w': 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    'rsp': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
    'x': 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
    'f': 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
}
SHELL_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd'
ACTIONS = {
    'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create': 'create',
    'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete': 'delete',
    'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command': 'command',
    'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send': 'send',
    'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive': 'receive',
    'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal': 'signal',
}
RESPONSES = {
    'create': 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse',
    'delete': 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse',
    'command': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse',
    'send': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse',
    'receive': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse',
    'signal': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse',
}
DONE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done'
RUNNING = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running'
# What one Receive carries at most of each stream: a real host answers with what the command has
# written so far, so a module's output arrives in several Receives (each envelope is bounded by
# MaxEnvelopeSize, 150 KiB by default); a small chunk makes the client loop on every module run.
RECEIVE_CHUNK = 8 * 1024
# The WS-Management fault code of an unknown shell (ERROR_WSMAN_INVALID_SELECTORS).
FAULT_INVALID_SELECTORS = 2150858843


class Fault(Exception):
    """A SOAP fault to answer (HTTP 500)."""

    def __init__(self, reason, code=FAULT_INVALID_SELECTORS):
        super().__init__(reason)
        self.code = code


class Drop(Exception):
    """Close the TCP connection without answering."""


class Command:
    """One command line started in a shell, its input, and what it answered."""

    def __init__(self, line, console_stdin):
        self.id = str(uuid.uuid4()).upper()
        self.line = line
        self.stdin = []
        self.input_ended = console_stdin   # a command started without stdin runs at once
        self.answer = None
        self.sent = {'stdout': 0, 'stderr': 0}


class Shell:
    def __init__(self, name):
        self.id = str(uuid.uuid4()).upper()
        self.name = name
        self.commands = {}
        self.dropped = False


class Endpoint:
    """The state of the endpoint: its shells, by id, over the simulated hosts under ``root``."""

    def __init__(self, root, user, password):
        self.root = os.path.abspath(root)
        self.credentials = 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode('utf-8')).decode('ascii')
        self.shells = {}
        self.lock = threading.Lock()

    def host(self, name):
        if not name or '/' in name or name.startswith('.') or not os.path.isdir(os.path.join(self.root, name)):
            raise Fault('no simulated host %r under this endpoint' % name)
        return WindowsHost(os.path.join(self.root, name))

    def log(self, name, entry):
        with open(os.path.join(self.root, name, 'wsman.jsonl'), 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(entry, sort_keys=True) + '\n')

    # -------------------------------------------------------------------------------- messages
    def handle(self, name, body):
        """(action, response body) for one SOAP request; raises Fault or Drop."""
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            raise Fault('the request is not XML: %s' % exc) from None
        header = root.find('s:Header', NS)
        soap_body = root.find('s:Body', NS)
        if header is None or soap_body is None:
            raise Fault('the request is not a SOAP 1.2 envelope')
        action = ACTIONS.get(_text(header.find('a:Action', NS)))
        if action is None:
            raise Fault('an action this endpoint does not implement: %s' % _text(header.find('a:Action', NS)))
        if _text(header.find('w:ResourceURI', NS)) != SHELL_URI:
            raise Fault('a resource this endpoint does not implement: %s' % _text(header.find('w:ResourceURI', NS)))
        message_id = _text(header.find('a:MessageID', NS))
        options = {o.get('Name'): _text(o) for o in header.findall('w:OptionSet/w:Option', NS)}
        if action == 'create':
            return action, self.create(name, message_id, soap_body, options)
        selector = next((_text(s) for s in header.findall('w:SelectorSet/w:Selector', NS) if s.get('Name') == 'ShellId'), None)
        with self.lock:
            shell = self.shells.get(selector)
        if shell is None or shell.name != name:
            raise Fault('no shell %s on this host' % selector)
        if shell.dropped:
            self.log(name, {'action': action, 'shell': shell.id, 'dropped': True})
            raise Drop()
        return action, getattr(self, action)(shell, message_id, soap_body, options)

    def create(self, name, message_id, body, options):
        host = self.host(name)
        shell_element = body.find('rsp:Shell', NS)
        if shell_element is None or _text(shell_element.find('rsp:InputStreams', NS)) != 'stdin':
            raise Fault('Create carries no rsp:Shell with the stdin input stream')
        try:
            host.connect()
        except Dropped:
            self.log(name, {'action': 'create', 'refused': True})
            raise Drop() from None
        shell = Shell(name)
        with self.lock:
            self.shells[shell.id] = shell
        self.log(name, {'action': 'create', 'shell': shell.id, 'codepage': options.get('WINRS_CODEPAGE')})
        return ('<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters>'
                '<w:ResourceURI>%s</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">%s</w:Selector></w:SelectorSet>'
                '</a:ReferenceParameters></x:ResourceCreated>'
                '<rsp:Shell><rsp:ShellId>%s</rsp:ShellId><rsp:InputStreams>stdin</rsp:InputStreams>'
                '<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>') % (SHELL_URI, shell.id, shell.id)

    def command(self, shell, message_id, body, options):
        line = body.find('rsp:CommandLine', NS)
        if line is None or not _text(line.find('rsp:Command', NS)):
            raise Fault('Command carries no rsp:CommandLine/rsp:Command')
        text = _text(line.find('rsp:Command', NS))
        arguments = _text(line.find('rsp:Arguments', NS))
        command = Command(text + (' ' + arguments if arguments else ''), options.get('WINRS_CONSOLEMODE_STDIN') == 'TRUE')
        shell.commands[command.id] = command
        self.log(shell.name, {'action': 'command', 'shell': shell.id, 'command': command.id, 'line': command.line[:120]})
        return '<rsp:CommandResponse><rsp:CommandId>%s</rsp:CommandId></rsp:CommandResponse>' % command.id

    def _command(self, shell, command_id):
        command = shell.commands.get(command_id)
        if command is None:
            raise Fault('no command %s in shell %s' % (command_id, shell.id))
        return command

    def send(self, shell, message_id, body, options):
        stream = body.find('rsp:Send/rsp:Stream', NS)
        if stream is None or stream.get('Name') != 'stdin':
            raise Fault('Send carries no rsp:Stream named stdin')
        command = self._command(shell, stream.get('CommandId'))
        if command.input_ended:
            raise Fault('the input of command %s has ended' % command.id)
        try:
            command.stdin.append(base64.b64decode(_text(stream), validate=True))
        except (binascii.Error, ValueError):
            raise Fault('the stdin stream is not base64') from None
        command.input_ended = stream.get('End') == 'true'
        self.log(shell.name, {'action': 'send', 'shell': shell.id, 'command': command.id, 'bytes': len(command.stdin[-1]),
                              'end': command.input_ended})
        return '<rsp:SendResponse/>'

    def receive(self, shell, message_id, body, options):
        desired = body.find('rsp:Receive/rsp:DesiredStream', NS)
        if desired is None:
            raise Fault('Receive carries no rsp:DesiredStream')
        command = self._command(shell, desired.get('CommandId'))
        if command.answer is None and command.input_ended:
            host = self.host(shell.name)
            stdin = b''.join(command.stdin) if command.stdin else None
            command.answer = host.execute(command.line, stdin)
        if command.answer is not None and command.answer.drop:
            shell.dropped = True
            self.log(shell.name, {'action': 'receive', 'shell': shell.id, 'command': command.id, 'dropped': True})
            raise Drop()
        parts = []
        finished = command.answer is not None
        if finished:
            for name in ('stdout', 'stderr'):
                data = getattr(command.answer, name) or b''
                chunk = data[command.sent[name]:command.sent[name] + RECEIVE_CHUNK]
                command.sent[name] += len(chunk)
                if chunk:
                    parts.append('<rsp:Stream Name="%s" CommandId="%s">%s</rsp:Stream>'
                                 % (name, command.id, base64.b64encode(chunk).decode('ascii')))
                if command.sent[name] < len(data):
                    finished = False
        if finished:
            parts.append('<rsp:Stream Name="stdout" CommandId="%s" End="true"></rsp:Stream>' % command.id)
            parts.append('<rsp:Stream Name="stderr" CommandId="%s" End="true"></rsp:Stream>' % command.id)
            state = '<rsp:CommandState CommandId="%s" State="%s"><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState>' % (
                command.id, DONE, command.answer.rc)
        else:
            state = '<rsp:CommandState CommandId="%s" State="%s"/>' % (command.id, RUNNING)
        self.log(shell.name, {'action': 'receive', 'shell': shell.id, 'command': command.id, 'done': finished})
        return '<rsp:ReceiveResponse>%s%s</rsp:ReceiveResponse>' % (''.join(parts), state)

    def signal(self, shell, message_id, body, options):
        element = body.find('rsp:Signal', NS)
        if element is None:
            raise Fault('Signal carries no rsp:Signal')
        shell.commands.pop(element.get('CommandId'), None)
        self.log(shell.name, {'action': 'signal', 'shell': shell.id, 'command': element.get('CommandId'),
                              'code': _text(element.find('rsp:Code', NS)).rsplit('/', 1)[-1]})
        return '<rsp:SignalResponse/>'

    def delete(self, shell, message_id, body, options):
        with self.lock:
            self.shells.pop(shell.id, None)
        self.log(shell.name, {'action': 'delete', 'shell': shell.id})
        return ''


def _text(element):
    return (element.text or '').strip() if element is not None else ''


def envelope(action, relates_to, body):
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<s:Envelope xmlns:s="%(s)s" xmlns:a="%(a)s" xmlns:w="%(w)s" xmlns:rsp="%(rsp)s" xmlns:x="%(x)s">' % NS
            + '<s:Header><a:Action>%s</a:Action><a:MessageID>uuid:%s</a:MessageID>' % (escape(action), uuid.uuid4())
            + '<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>'
            + '<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body>%s</s:Body></s:Envelope>' % (escape(relates_to), body))


def fault_envelope(relates_to, reason, code):
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<s:Envelope xmlns:s="%(s)s" xmlns:a="%(a)s" xmlns:f="%(f)s">' % NS
            + '<s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action>'
            + '<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body><s:Fault>' % escape(relates_to or '')
            + '<s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason>' % escape(reason)
            + '<s:Detail><f:WSManFault Code=%s Machine="127.0.0.1"><f:Message>%s</f:Message></f:WSManFault></s:Detail>'
            % (quoteattr(str(code)), escape(reason))
            + '</s:Fault></s:Body></s:Envelope>')


class Handler(BaseHTTPRequestHandler):
    """HTTP POST /wsman/NAME with basic authentication; anything else is refused."""

    protocol_version = 'HTTP/1.1'
    server_version = 'winnet-wsman-test'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _reply(self, status, body=b'', content_type='application/soap+xml;charset=UTF-8', extra=None):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (the handler's method names are the HTTP verbs)
        self._reply(405, b'', 'text/plain', {'Allow': 'POST'})

    def do_POST(self):  # noqa: N802
        endpoint = self.server.endpoint
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length)
        if self.headers.get('Authorization') != endpoint.credentials:
            self._reply(401, b'', 'text/plain', {'WWW-Authenticate': 'Basic realm="WSMAN"'})
            return
        prefix, _sep, name = self.path.partition('/wsman/')
        if prefix or not name:
            self._reply(404, b'', 'text/plain')
            return
        relates_to = None
        try:
            relates_to = _message_id(body)
            action, answer = endpoint.handle(name, body)
            self._reply(200, envelope(RESPONSES[action], relates_to, answer).encode('utf-8'))
        except Fault as exc:
            self._reply(500, fault_envelope(relates_to, str(exc), exc.code).encode('utf-8'))
        except Drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _message_id(body):
    try:
        return _text(ET.fromstring(body).find('s:Header/a:MessageID', NS))
    except ET.ParseError:
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, endpoint, port=0):
        super().__init__(('127.0.0.1', port), Handler)
        self.endpoint = endpoint


def serve(root, user, password, lifetime, ready=None):
    """Run the endpoint until ``lifetime`` seconds have passed (or SIGTERM)."""
    server = Server(Endpoint(root, user, password))
    if ready is not None:
        ready(server.server_address[1])
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    signal.signal(signal.SIGTERM, lambda *_args: threading.Thread(target=server.shutdown, daemon=True).start())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def _write_json(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def start(root, state_file, user, password, lifetime):
    """Fork the endpoint; return once it listens, with its port written to ``state_file``."""
    state_file = os.path.abspath(state_file)
    os.makedirs(root, exist_ok=True)
    os.makedirs(os.path.dirname(state_file), exist_ok=True)
    stop(state_file)    # an endpoint an earlier run left behind
    errors = state_file + '.errors'
    pid = os.fork()
    if pid == 0:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        log = os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.dup2(log, 2)
        code = 0
        try:
            serve(root, user, password, lifetime, ready=lambda port: _write_json(state_file, {'port': port, 'pid': os.getpid()}))
        except BaseException:  # pylint: disable=broad-except
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)  # pylint: disable=protected-access
    deadline = time.time() + 20
    while time.time() < deadline:
        if os.path.exists(state_file):
            with open(state_file, encoding='utf-8') as handle:
                return json.load(handle)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGTERM)
    with open(errors, encoding='utf-8') as handle:
        raise RuntimeError('the WS-Management endpoint did not start: %s' % (handle.read().strip() or 'no error written'))


def stop(state_file):
    """Stop the endpoint recorded in ``state_file`` (by its pid); nothing when it has stopped already."""
    if not os.path.exists(state_file):
        return {'stopped': False}
    with open(state_file, encoding='utf-8') as handle:
        pid = json.load(handle)['pid']
    os.remove(state_file)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return {'stopped': False}
    for _attempt in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    return {'stopped': True}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    begin = commands.add_parser('start')
    begin.add_argument('root')
    begin.add_argument('--state-file', required=True)
    begin.add_argument('--user', default='ansible')
    begin.add_argument('--password', default='winnet-test')
    begin.add_argument('--lifetime', type=int, default=600)
    end = commands.add_parser('stop')
    end.add_argument('--state-file', required=True)
    args = parser.parse_args(argv)
    if args.command == 'start':
        result = start(args.root, args.state_file, args.user, args.password, args.lifetime)
    else:
        result = stop(args.state_file)
    sys.stdout.write(json.dumps(result) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
