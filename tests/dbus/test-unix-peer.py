#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
#
# test-unix-peer.py BUS-CONFIG DAEMON: parsec-glib-dbus-service against a
# Parsec service that authenticates by Unix peer credentials only says
# why it cannot serve, at start-up and in the error of every call: the
# service keeps keys per user, and the daemon's callers would share them.
# Runs under parsec-test-env --authenticator unix-peer-credentials on a
# private session bus; starts the daemon itself to read its messages.
# TAP output.

import os
import subprocess
import sys
import time

from gi.repository import Gio, GLib

from dbus_tap import fail, ok

NAME = 'community.parsec.Crypto'

if not os.environ.get('PARSEC_GLIB_IN_BUS'):
    env = dict(os.environ, PARSEC_GLIB_IN_BUS='1')
    sys.exit(subprocess.run(['dbus-run-session', '--config-file=' + sys.argv[1], '--',
                             sys.executable, __file__, sys.argv[2]], env=env).returncode)

print('1..3', flush=True)
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
daemon = subprocess.Popen([sys.argv[1]], stderr=subprocess.PIPE, text=True)
deadline = time.monotonic() + 30
while not bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'NameHasOwner',
                        GLib.Variant('(s)', (NAME,)), GLib.VariantType('(b)'), Gio.DBusCallFlags.NONE, -1,
                        None).unpack()[0]:
    if daemon.poll() is not None or time.monotonic() > deadline:
        fail('the daemon starts', f'exited with {daemon.returncode}' if daemon.returncode is not None else 'no name')
    time.sleep(0.05)
ok('the daemon starts against a service with Unix peer credentials only')

try:
    bus.call_sync(NAME, '/community/parsec/Crypto', 'community.parsec.Crypto1', 'ListKeys', None,
                  GLib.VariantType('(aa{sv})'), Gio.DBusCallFlags.NONE, 60000, None)
    fail('ListKeys', 'succeeded')
except GLib.Error as e:
    remote = Gio.DBusError.get_remote_error(e)
    # The client may find out before the request or the service refuse it.
    if remote not in ('community.parsec.Error.NoUsableAuthenticator',
                      'community.parsec.Error.AuthenticatorNotRegistered') or \
       'Unix peer credentials keeps keys per user' not in e.message or 'cannot keep its callers apart' not in e.message:
        fail('ListKeys', f'{remote}: {e.message}')
ok(f'ListKeys fails with {remote}, saying why')

daemon.terminate()
_, errors = daemon.communicate(timeout=30)
if 'authenticates clients by Unix peer credentials only' not in errors or 'keeps keys per user' not in errors:
    fail('the start-up message', errors)
ok('the daemon said why at start-up')
