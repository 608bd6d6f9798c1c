#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
#
# test-sign-data.py BUS-CONFIG: SignData and VerifyData from Python through
# Gio, against parsec-glib-dbus-service activated on a private session bus
# from BUS-CONFIG. The daemon hashes the data; its signature is one of the
# SHA-256 digest hashlib computes, which VerifyHash accepts. Runs under
# parsec-test-env (PARSEC_SERVICE_ENDPOINT). TAP output.

import hashlib
import os
import subprocess
import sys

from gi.repository import Gio, GLib

if not os.environ.get('PARSEC_GLIB_IN_BUS'):
    env = dict(os.environ, PARSEC_GLIB_IN_BUS='1')
    sys.exit(subprocess.run(['dbus-run-session', '--config-file=' + sys.argv[1], '--',
                             sys.executable, __file__], env=env).returncode)

n = 0


def ok(what):
    global n
    n += 1
    print(f'ok {n} - {what}', flush=True)


def fail(what, why):
    print(f'not ok {n + 1} - {what}\n# {why}', flush=True)
    sys.exit(1)


print('1..5', flush=True)
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
call('DestroyKey', '(s)', 'py-data')
