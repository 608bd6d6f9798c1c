#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
#
# test-idle-exit.py DAEMON: parsec-glib-dbus-service started by D-Bus
# activation with a short --idle-timeout stays while a caller is on the
# bus, exits once none is left for that long, releasing its name first,
# and the next call activates a new instance. Runs under parsec-test-env
# (PARSEC_SERVICE_ENDPOINT) on a private session bus of its own. TAP
# output.

import os
import subprocess
import sys
import tempfile
import time

from gi.repository import Gio, GLib

from dbus_tap import fail, ok

IDLE_TIMEOUT = 1
NAME = 'community.parsec.Crypto'

if not os.environ.get('PARSEC_GLIB_IN_BUS'):
    daemon = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix='parsec-idle-exit-') as tmp:
        with open(os.path.join(tmp, NAME + '.service'), 'w') as f:
            f.write(f'[D-BUS Service]\nName={NAME}\nExec={daemon} --idle-timeout {IDLE_TIMEOUT}\n')
        config = os.path.join(tmp, 'session.conf')
        with open(config, 'w') as f:
            f.write(f'''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={tmp}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{tmp}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
''')
        env = dict(os.environ, PARSEC_GLIB_IN_BUS='1')
        sys.exit(subprocess.run(['dbus-run-session', '--config-file=' + config, '--',
                                 sys.executable, __file__], env=env).returncode)

def connect():
    return Gio.DBusConnection.new_for_address_sync(
        Gio.dbus_address_get_for_bus_sync(Gio.BusType.SESSION, None),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)


def bus_call(connection, method, args, reply):
    return connection.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                                method, args, GLib.VariantType(reply), Gio.DBusCallFlags.NONE, -1,
                                None).unpack()[0]


def ping(connection):
    connection.call_sync(NAME, '/community/parsec/Crypto', 'community.parsec.Crypto1', 'Ping', None,
                         GLib.VariantType('(uu)'), Gio.DBusCallFlags.NONE, 60000, None)


def owner_pid(connection):
    return bus_call(connection, 'GetConnectionUnixProcessID', GLib.Variant('(s)', (NAME,)), '(u)')


def running(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(') ', 1)[1][0] != 'Z'
    except FileNotFoundError:
        return False


def has_owner(connection):
    return bus_call(connection, 'NameHasOwner', GLib.Variant('(s)', (NAME,)), '(b)')


print('1..4', flush=True)

# Watches the name without ever calling the service.
observer = connect()

caller = connect()
ping(caller)
first = owner_pid(observer)
ok(f'a call activates the service (process {first})')

time.sleep(IDLE_TIMEOUT * 3)
if not has_owner(observer):
    fail('a caller on the bus keeps it', 'the service left while its caller was still connected')
ok('a caller on the bus keeps it')

caller.close_sync(None)
left = time.monotonic()
while has_owner(observer):
    if time.monotonic() - left > 30:
        fail('it leaves once no caller is left', 'the service still owns its name after 30 s')
    time.sleep(0.05)
waited = time.monotonic() - left
if waited < IDLE_TIMEOUT * 0.9:
    fail('it leaves once no caller is left', f'it left after {waited:.2f} s, before its idle timeout')
ok(f'it releases its name {waited:.1f} s after the last caller left')

deadline = time.monotonic() + 30
while running(first):
    if time.monotonic() > deadline:
        fail('a new call activates a new instance', f'process {first} did not exit')
    time.sleep(0.05)
ping(observer)
second = owner_pid(observer)
if second == first:
    fail('a new call activates a new instance', f'the same process {first} answered')
ok(f'the process exits, and a new call activates a new instance (process {second})')
