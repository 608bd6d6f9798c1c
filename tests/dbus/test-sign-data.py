#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
#
# test-sign-data.py BUS-CONFIG: SignData and VerifyData from Python through
# Gio, against parsec-glib-dbus-service activated on a private session bus
# from BUS-CONFIG. The daemon hashes the data; its signature is one of the
# SHA-256 digest hashlib computes, which VerifyHash accepts. SignDataFd and
# VerifyDataFd read the data from a file descriptor: a file of 3 MiB (more
# than the limits on arguments allow), a pipe; a directory and a character
# device are refused. Runs under parsec-test-env (PARSEC_SERVICE_ENDPOINT).
# TAP output.

import hashlib
import os
import subprocess
import sys
import tempfile
import threading

from gi.repository import Gio, GLib

from dbus_tap import fail, ok

if not os.environ.get('PARSEC_GLIB_IN_BUS'):
    env = dict(os.environ, PARSEC_GLIB_IN_BUS='1')
    sys.exit(subprocess.run(['dbus-run-session', '--config-file=' + sys.argv[1], '--',
                             sys.executable, __file__], env=env).returncode)

print('1..11', flush=True)
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
proxy = Gio.DBusProxy.new_sync(bus, Gio.DBusProxyFlags.DO_NOT_LOAD_PROPERTIES, None,
                               'community.parsec.Crypto', '/community/parsec/Crypto',
                               'community.parsec.Crypto1', None)


def call(method, signature, *args):
    return proxy.call_sync(method, GLib.Variant(signature, args), Gio.DBusCallFlags.NONE, 60000, None)


data = bytes(i * 7 % 256 for i in range(300 * 1024))
algorithm = {'kind': GLib.Variant('s', 'ecdsa'), 'hash': GLib.Variant('s', 'sha256')}
call('GenerateKey', '(sa{sv})', 'py-data', {
    'type': GLib.Variant('s', 'ecc-key-pair'), 'curve': GLib.Variant('s', 'secp-r1'),
    'bits': GLib.Variant('u', 256), 'usage': GLib.Variant('as', ['sign-hash', 'verify-hash']),
    'algorithm': GLib.Variant('a{sv}', algorithm)})
ok('GenerateKey')

signature = bytes(call('SignData', '(say)', 'py-data', data).unpack()[0])
if len(signature) != 64:
    fail('SignData', f'a signature of {len(signature)} bytes')
ok('SignData of 300 KiB')

call('VerifyData', '(sayay)', 'py-data', data, signature)
ok('VerifyData')

call('VerifyHash', '(sa{sv}ayay)', 'py-data', algorithm, hashlib.sha256(data).digest(), signature)
ok("VerifyHash of hashlib's digest accepts SignData's signature")

try:
    call('VerifyData', '(sayay)', 'py-data', data[:-1], signature)
    fail('VerifyData of other data', 'accepted')
except GLib.Error as e:
    if 'PsaErrorInvalidSignature' not in Gio.DBusError.get_remote_error(e):
        fail('VerifyData of other data', e.message)
ok('VerifyData of other data fails with PsaErrorInvalidSignature')


def call_fd(method, signature, fd, *args):
    fds = Gio.UnixFDList.new_from_array([os.dup(fd)])
    reply, _ = proxy.call_with_unix_fd_list_sync(method, GLib.Variant(signature, args), Gio.DBusCallFlags.NONE,
                                                 60000, fds, None)
    return reply


big = bytes(i * 13 % 251 for i in range(3 * 1024 * 1024 + 5))
with tempfile.TemporaryFile() as f:
    f.write(big)
    f.flush()
    f.seek(0)
    signature = bytes(call_fd('SignDataFd', '(sh)', f.fileno(), 'py-data', 0).unpack()[0])
    if len(signature) != 64:
        fail('SignDataFd', f'a signature of {len(signature)} bytes')
    ok('SignDataFd of a 3 MiB file')
    call('VerifyHash', '(sa{sv}ayay)', 'py-data', algorithm, hashlib.sha256(big).digest(), signature)
    ok("VerifyHash of hashlib's digest accepts SignDataFd's signature")
    f.seek(0)
    call_fd('VerifyDataFd', '(shay)', f.fileno(), 'py-data', 0, signature)
    ok('VerifyDataFd of the file')

# A pipe the test writes while the daemon reads it.
read_end, write_end = os.pipe()


def write_all():
    with os.fdopen(write_end, 'wb') as w:
        w.write(big)


writer = threading.Thread(target=write_all)
writer.start()
try:
    call_fd('VerifyDataFd', '(shay)', read_end, 'py-data', 0, signature)
finally:
    os.close(read_end)
    writer.join()
ok('VerifyDataFd of a pipe')

for what, path, flags in (('a directory', '/', os.O_RDONLY | os.O_DIRECTORY), ('/dev/zero', '/dev/zero', os.O_RDONLY)):
    fd = os.open(path, flags)
    try:
        call_fd('SignDataFd', '(sh)', fd, 'py-data', 0)
        fail(f'SignDataFd of {what}', 'accepted')
    except GLib.Error as e:
        remote = Gio.DBusError.get_remote_error(e)
        if remote != 'org.freedesktop.DBus.Error.InvalidArgs' or 'regular file, a pipe or a socket' not in e.message:
            fail(f'SignDataFd of {what}', f'{remote}: {e.message}')
    finally:
        os.close(fd)
    ok(f'SignDataFd of {what} is refused: a regular file, a pipe or a socket')
call('DestroyKey', '(s)', 'py-data')
