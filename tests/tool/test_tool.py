#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""parsec-glib-tool against parsec-glib-test-service, checked with OpenSSL.

Each test class is one group, run by meson through parsec-test-env, which
starts a private service and exports PARSEC_SERVICE_ENDPOINT:

    parsec-test-env [SERVICE OPTION]... python3 test_tool.py CLASS
"""

import base64
import collections
import hashlib
import json
import os
import pty
import select
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from requestlog import RequestLog

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
from service_provider import PSA_EXPORT_KEY, PSA_HASH_COMPUTE, ServiceProvider  # noqa: E402

TOOL = os.environ['PARSEC_GLIB_TOOL']
OPENSSL = shutil.which(os.environ.get('OPENSSL', 'openssl'))
PREFIX = b'parsec-glib-tool: '
DETAILED = {'PARSEC_GLIB_TOOL_EXIT_STATUS': 'detailed'}

# parsec-tool 0.7's sixteen commands, then ours
PARSEC_TOOL_COMMANDS = [
    'ping', 'list-providers', 'list-authenticators', 'list-opcodes', 'list-keys', 'list-clients',
    'delete-client', 'generate-random', 'export-public-key', 'create-rsa-key', 'create-ecc-key',
    'encrypt', 'decrypt', 'sign', 'delete-key', 'create-csr',
]
COMMANDS = PARSEC_TOOL_COMMANDS + ['import-key', 'export-key', 'verify', 'hash']

needs_openssl = unittest.skipUnless(OPENSSL, 'openssl is not installed')


# How the tool names the providers of Parsec 1.5.0
PROVIDER_NAMES = {1: ('mbed-crypto', 'Mbed Crypto provider', '1c1139dc-ad7c-47dc-ad6b-db6fdb466552'),
                  3: ('tpm', 'TPM provider', '1e4954a4-ff21-46d3-ab0c-661eeb667e1d')}


def is_provider_refusal(proc, *statuses):
    """The tool's report of what the service's provider cannot do: exit
    status 1 and the service's status (or the library's refusal of an
    operation the provider does not list) in the message."""
    statuses = statuses or (b'PsaErrorNotSupported', b'PsaErrorInvalidArgument',
                            b'PsaErrorCommunicationFailure', b'does not support Psa')
    return proc.returncode == 1 and any(s in proc.stderr for s in statuses)


def is_p384_refusal(proc):
    """The refusal of Parsec 1.5's Mbed Crypto provider to generate P-384
    keys (its psa-crypto dependency rejects the size 384): exit status 1
    and a message that names the service's InvalidArgument."""
    return proc.returncode == 1 and b'PsaErrorInvalidArgument' in proc.stderr


class ToolTestCase(unittest.TestCase):
    """Runs the tool and OpenSSL in a temporary directory."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix='parsec-glib-tool-test.')
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.serial = 0
        self._provider = None

    @property
    def provider(self):
        """What the service's provider can do, asked through the tool."""
        if self._provider is None:
            self._provider = ServiceProvider.from_tool(self.tool_json)
        return self._provider

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), 'wb') as f:
            f.write(data)
        return self.path(name)

    def read(self, name):
        with open(self.path(name), 'rb') as f:
            return f.read()

    def tool(self, *args, input=None, status=0, env=None):
        """Runs the tool (@env adds to the environment); checks its exit
        status and, on failure, that stderr is one line."""
        proc = subprocess.run([TOOL, *args], input=input, capture_output=True,
                              env=dict(os.environ, **(env or {})), timeout=120)
        if status is None:
            return proc
        self.assertEqual(proc.returncode, status,
                         msg=f'{args}: exit {proc.returncode}, stderr: {proc.stderr!r}')
        if status != 0:
            # Under --json, the error is one line of JSON instead
            if '--json' not in args:
                self.assertTrue(proc.stderr.startswith(PREFIX), proc.stderr)
            self.assertEqual(proc.stderr.count(b'\n'), 1, proc.stderr)
            self.assertTrue(proc.stderr.endswith(b'\n'), proc.stderr)
        else:
            self.assertEqual(proc.stderr, b'')
        return proc

    def fails(self, status, command, *args, env=None, **kwargs):
        """The tool fails and says so in one line about @command: with exit
        status 1 by default, as parsec-tool, and with @status when asked
        for the detailed statuses. Returns the second run."""
        for wanted, extra in ((1, {}), (status, DETAILED)):
            proc = self.tool(command, *args, status=wanted, env=dict(env or {}, **extra), **kwargs)
            self.assertTrue(proc.stderr.startswith(PREFIX + command.encode() + b': '), proc.stderr)
        return proc

    def tool_json(self, *args, **kwargs):
        return json.loads(self.tool(*args, '--json', **kwargs).stdout)

    def openssl(self, *args, input=None, status=0):
        proc = subprocess.run([OPENSSL, *args], input=input, capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, status,
                         msg=f'openssl {args}: exit {proc.returncode}, {proc.stdout!r} {proc.stderr!r}')
        return proc

    def key_name(self):
        self.serial += 1
        return f'{self._testMethodName}-{self.serial}'

    def create(self, kind, *args, app_name=None):
        """Creates a key that is deleted after the test."""
        name = self.key_name()
        app = ['--app-name', app_name] if app_name else []
        self.tool(*app, f'create-{kind}-key', '-k', name, *args)
        self.addCleanup(self.tool, *app, 'delete-key', '-k', name, status=None)
        return name

    def create_ecc(self, curve, *args):
        """Creates an elliptic-curve key on @curve, or imports one made by
        OpenSSL where the service refuses to generate it. Parsec 1.5's
        Mbed Crypto provider refuses P-384 generation (a bug of its
        psa-crypto dependency); the refusal must be reported clearly, with
        exit status 1, and import still works (the tool imports with bits
        0, which sidesteps the bug). Returns the key's name and whether it
        was generated."""
        name = self.key_name()
        proc = self.tool('create-ecc-key', '-k', name, '--curve', curve, *args, status=None)
        if proc.returncode == 0:
            self.addCleanup(self.tool, 'delete-key', '-k', name, status=None)
            return name, True
        self.assertTrue(curve == 'p384' and is_p384_refusal(proc),
                        f'create-ecc-key --curve {curve}: exit {proc.returncode}, {proc.stderr!r}')
        self.assertTrue(proc.stderr.startswith(PREFIX + b'create-ecc-key: '), proc.stderr)
        self.assertIn(name.encode(), proc.stderr)
        if not OPENSSL:
            self.skipTest('the service cannot generate P-384 keys and openssl is not installed to make one')
        pem = self.path(f'{name}.p384.pem')
        self.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', pem)
        name = self.key_name()
        self.tool('import-key', '-k', name, '-i', pem, *args)
        self.addCleanup(self.tool, 'delete-key', '-k', name, status=None)
        return name, False

    def import_key(self, *args, input=None):
        name = self.key_name()
        self.tool('import-key', '-k', name, *args, input=input)
        self.addCleanup(self.tool, 'delete-key', '-k', name, status=None)
        return name

    def public_pem(self, key):
        return self.write(f'{key}.pub.pem', self.tool('export-public-key', '-k', key).stdout)

    def listed(self, key):
        return next(k for k in self.tool_json('list-keys') if k['name'] == key)

    def on_terminal(self, *args):
        """Runs the tool with standard output on a pseudo-terminal; returns
        the exit status, stderr and what reached the terminal."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([TOOL, *args], stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        seen = b''
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        stderr = proc.stderr.read()
        proc.stderr.close()
        return proc.wait(timeout=60), stderr, seen


# The requests parsec-tool 0.7 sends for each command (its BasicClient
# asks for the providers and authenticators first, except for ping and
# the three lists that need no authentication): ours may only be fewer.
PARSEC_TOOL_REQUESTS = {
    'ping': ['Ping'],
    'list-providers': ['ListProviders'],
    'list-authenticators': ['ListAuthenticators'],
    'list-opcodes': ['ListOpcodes'],
    'list-keys': ['ListProviders', 'ListAuthenticators', 'ListKeys'],
    'list-clients': ['ListProviders', 'ListAuthenticators', 'ListClients'],
    'delete-client': ['ListProviders', 'ListAuthenticators', 'DeleteClient'],
    'generate-random': ['ListProviders', 'ListAuthenticators', 'PsaGenerateRandom'],
    'export-public-key': ['ListProviders', 'ListAuthenticators', 'PsaExportPublicKey', 'ListKeys'],
    'create-rsa-key': ['ListProviders', 'ListAuthenticators', 'PsaGenerateKey'],
    'create-ecc-key': ['ListProviders', 'ListAuthenticators', 'PsaGenerateKey'],
    'encrypt': ['ListProviders', 'ListAuthenticators', 'ListKeys', 'PsaAsymmetricEncrypt'],
    'decrypt': ['ListProviders', 'ListAuthenticators', 'ListKeys', 'PsaAsymmetricDecrypt'],
    'sign': ['ListProviders', 'ListAuthenticators', 'ListKeys', 'PsaSignHash'],
    'delete-key': ['ListProviders', 'ListAuthenticators', 'PsaDestroyKey'],
    'create-csr': ['ListProviders', 'ListAuthenticators', 'PsaExportPublicKey', 'ListKeys', 'ListKeys',
                   'PsaSignHash'],
}

PEM_BODY = r'([A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n'


class CompatTests(ToolTestCase):
    """The sixteen commands with parsec-tool 0.7's command lines, as a
    script written for it runs them: its options, arguments, outputs and
    exit statuses, and no more requests than it sends (service with
    --admin parsec-tool)."""

    def run_counted(self, *args, status=0, input=None):
        """Runs the tool through a relay that records its requests;
        checks that they are among those parsec-tool sends."""
        with RequestLog(os.environ['PARSEC_SERVICE_ENDPOINT']) as log:
            proc = self.tool(*args, status=status, input=input, env={'PARSEC_SERVICE_ENDPOINT': log.endpoint})
            opcodes = list(log.opcodes)
        command = next(a for a in args if a in PARSEC_TOOL_REQUESTS)
        extra = collections.Counter(opcodes) - collections.Counter(PARSEC_TOOL_REQUESTS[command])
        self.assertFalse(extra, f'{args}: requests {opcodes}, more than parsec-tool\'s')
        return proc, opcodes

    def pt(self, *args, status=0, input=None):
        """A parsec-tool command line: its stdout, checked for requests."""
        return self.run_counted(*args, status=status, input=input)[0].stdout

    def pt_fails(self, *args):
        """parsec-tool exits with 1 on any failure, usage errors included."""
        proc = self.tool(*args, status=1)
        self.assertEqual(proc.stdout, b'')

    def key(self, kind, *args):
        """A key made with parsec-tool's command line, deleted afterwards."""
        name = self.key_name()
        self.assertEqual(self.pt(f'create-{kind}-key', '-k', name, *args), b'')
        self.addCleanup(self.tool, 'delete-key', '-k', name, status=None)
        return name

    def test_ping(self):
        proc, opcodes = self.run_counted('ping')
        self.assertEqual((proc.stdout, opcodes), (b'1.0\n', ['Ping']))
        self.assertEqual(self.pt('-t', '10', 'ping'), b'1.0\n')
        self.assertEqual(self.pt('--timeout', '0', 'ping'), b'1.0\n')
        # Values attached to short options, as parsec-tool's parser reads them
        self.assertEqual(self.pt('-t10', '-p1', 'ping'), b'1.0\n')
        self.assertEqual(self.pt('-t=10', '-p=1', 'ping'), b'1.0\n')
        self.pt_fails('ping', 'extra')
        self.pt_fails('ping', '-t', '10')
        self.pt_fails('ping', '--bogus')
        self.pt_fails('-p', '7', 'ping')
        self.pt_fails('-t', 'soon', 'ping')

    def test_help_and_version(self):
        self.assertTrue(self.tool('--help').stdout.startswith(b'Usage:'))
        self.assertTrue(self.tool('-h').stdout.startswith(b'Usage:'))
        self.assertTrue(self.tool('help').stdout.startswith(b'Usage:'))
        for command in PARSEC_TOOL_COMMANDS:
            self.assertTrue(self.tool('help', command).stdout.startswith(b'Usage:'))
            self.assertTrue(self.tool(command, '-h').stdout.startswith(b'Usage:'))
        self.assertRegex(self.tool('-V').stdout.decode(), r'^parsec-glib-tool \S+\n$')
        self.assertRegex(self.tool('--version').stdout.decode(), r'^parsec-glib-tool \S+\n$')
        self.pt_fails()
        self.pt_fails('frobnicate')

    def test_lists(self):
        text = self.pt('list-providers').decode()
        self.assertRegex(text, r'^(ID: 0x[0-9a-f]{2} \([A-Za-z #]+ provider\)\nDescription: .*\nVersion: \d+\.\d+\.\d+\n'
                               r'Vendor: .+\nUUID: [0-9a-f-]{36}\n\n)+$')
        provider = self.provider.id
        self.assertIn(f'ID: 0x{provider:02x} ({PROVIDER_NAMES[provider][1]})\n', text)
        self.assertIn('ID: 0x00 (Core provider)\n', text)
        text = self.pt('list-authenticators').decode()
        self.assertRegex(text, r'^ID: 0x01 \(Direct authentication\)\nDescription: .*\nVersion: \d+\.\d+\.\d+\n\n$')

        core = self.pt('list-opcodes').decode().splitlines()
        self.assertEqual(sorted(core), ['0x01 (Ping)', '0x08 (ListProviders)', '0x09 (ListOpcodes)',
                                        '0x0e (ListAuthenticators)', '0x1a (ListKeys)'])
        crypto = self.pt('-p', str(provider), 'list-opcodes').decode().splitlines()
        self.assertEqual(self.pt('list-opcodes', '-p', str(provider)).decode().splitlines(), crypto)
        self.assertEqual(self.pt('list-opcodes', '--provider', str(provider)).decode().splitlines(), crypto)
        for line in ('0x04 (PsaSignHash)', '0x0a (PsaAsymmetricEncrypt)', '0x0d (PsaGenerateRandom)'):
            self.assertIn(line, crypto)
        # Crypto operations: PSA, CanDoCrypto and (TPM provider) key attestation
        for line in crypto:
            self.assertRegex(line, r'^0x[0-9a-f]{2} \((Psa[A-Za-z]+|CanDoCrypto|PrepareKeyAttestation|AttestKey)\)$')
        self.pt_fails('list-opcodes', '-p', '9')
        self.pt_fails('list-opcodes', '-p')

    def test_list_keys_clients_and_delete_client(self):
        self.assertEqual(self.pt('list-keys'), b'')
        ecc = self.key('ecc')
        rsa = self.key('rsa')
        lines = self.pt('list-keys').decode().splitlines()
        self.assertCountEqual(lines, [
            f'* {ecc} ({PROVIDER_NAMES[self.provider.id][1]}, EccKeyPair {{ curve_family: SecpR1 }}, 256 bits, '
            'permitted algorithm: AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) }))',
            f'* {rsa} ({PROVIDER_NAMES[self.provider.id][1]}, RsaKeyPair, 2048 bits, '
            'permitted algorithm: AsymmetricEncryption(RsaPkcs1v15Crypt))',
        ])
        self.assertEqual(self.pt('list-clients'), b'parsec-tool\n')
        self.tool('--app-name', 'parity-other', 'create-ecc-key', '-k', 'theirs')
        self.assertEqual(sorted(self.pt('list-clients').decode().splitlines()), ['parity-other', 'parsec-tool'])
        self.assertEqual(self.pt('delete-client', '-c', 'parity-other'), b'')
        self.assertEqual(self.pt('delete-client', '--client', 'nobody'), b'')
        self.assertEqual(self.pt('list-clients'), b'parsec-tool\n')
        self.pt_fails('delete-client')
        self.pt_fails('--app-name', 'parity-other', 'list-clients')

    def test_generate_random(self):
        for args in (('-n', '16'), ('--nbytes', '16'), ('-n=16',)):
            text = self.pt('generate-random', *args).decode()
            self.assertRegex(text, r'^([0-9A-F]{2} ){16}\n$')
        self.assertEqual(self.pt('generate-random', '-n', '0'), b'\n')
        self.pt_fails('generate-random')
        self.pt_fails('generate-random', '-n', 'x')
        self.pt_fails('generate-random', '-n', '-1')

    def test_create_keys(self):
        cases = (
            ('ecc', (), 'ECDSA(SHA-256)', 256),
            ('rsa', (), 'RSA PKCS#1 v1.5 encryption', 2048),
            ('rsa', ('-s',), 'RSA PKCS#1 v1.5(SHA-256)', 2048),
            ('rsa', ('--for-signing',), 'RSA PKCS#1 v1.5(SHA-256)', 2048),
            ('rsa', ('-o',), 'RSA-OAEP(SHA-256)', 2048),
            ('rsa', ('--oaep',), 'RSA-OAEP(SHA-256)', 2048),
            # --for-signing wins, as in parsec-tool
            ('rsa', ('-s', '-o'), 'RSA PKCS#1 v1.5(SHA-256)', 2048),
            ('rsa', ('-b', '1024'), 'RSA PKCS#1 v1.5 encryption', 1024),
            ('rsa', ('--bits', '1024', '-s'), 'RSA PKCS#1 v1.5(SHA-256)', 1024),
            ('rsa', ('-sb1024',), 'RSA PKCS#1 v1.5(SHA-256)', 1024),
            ('rsa', ('-sob', '1024'), 'RSA PKCS#1 v1.5(SHA-256)', 1024),
        )
        for kind, args, algorithm, bits in cases:
            name = self.key(kind, *args)
            listed = self.listed(name)
            self.assertEqual((listed['algorithm'], listed['bits']), (algorithm, bits), args)
        # Existing keys, missing names, bad values
        self.pt_fails('create-ecc-key', '-k', name)
        self.pt_fails('create-ecc-key')
        self.pt_fails('create-rsa-key')
        self.pt_fails('create-rsa-key', '-k', 'x', '-b', 'big')
        self.pt_fails('create-ecc-key', '-k', 'x', '-s', 'extra')

    def test_delete_key(self):
        name = self.key_name()
        self.pt('create-ecc-key', '--key-name', name)
        self.assertEqual(self.pt('delete-key', '-k', name), b'')
        self.pt_fails('delete-key', '-k', name)
        self.pt_fails('delete-key')

    @needs_openssl
    def test_export_public_key(self):
        ecc = self.key('ecc')
        rsa = self.key('rsa', '-s')
        for name, bits in ((ecc, 256), (rsa, 2048)):
            pem = self.pt('export-public-key', '-k', name)
            self.assertRegex(pem.decode(), rf'^-----BEGIN PUBLIC KEY-----\n{PEM_BODY}-----END PUBLIC KEY-----\n$')
            text = self.openssl('pkey', '-pubin', '-noout', '-text', input=pem).stdout
            self.assertIn(f'({bits} bit)'.encode(), text)
        pkcs1 = self.pt('export-public-key', '-k', rsa, '--pkcs1')
        self.assertRegex(pkcs1.decode(), rf'^-----BEGIN RSA PUBLIC KEY-----\n{PEM_BODY}-----END RSA PUBLIC KEY-----\n$')
        spki = self.openssl('rsa', '-RSAPublicKey_in', '-pubout', input=pkcs1).stdout
        self.assertEqual(spki, self.pt('export-public-key', '-k', rsa))
        self.pt_fails('export-public-key', '-k', ecc, '--pkcs1')
        self.pt_fails('export-public-key', '-k', 'no-such-key')
        self.pt_fails('export-public-key')

    @needs_openssl
    def test_sign(self):
        data = 'signed the parsec-tool way'
        self.write('data', data.encode())
        for kind, args in (('ecc', ()), ('rsa', ('-s',))):
            name = self.key(kind, *args)
            pub = self.public_pem(name)
            proc, opcodes = self.run_counted('sign', '-k', name, data)
            # One key lookup, the digest computed here, one signature
            self.assertEqual(opcodes, ['ListProviders', 'ListAuthenticators', 'ListKeys', 'PsaSignHash'])
            line = proc.stdout.decode()
            self.assertRegex(line, r'^[A-Za-z0-9+/]+=*\n$')
            signature = base64.b64decode(line)
            # ECDSA: the DER Ecdsa-Sig-Value; RSA: the signature itself
            if kind == 'ecc':
                self.assertEqual(signature[0], 0x30)
            else:
                self.assertEqual(len(signature), 256)
            self.write('sig', signature)
            self.openssl('dgst', '-sha256', '-verify', pub, '-signature', self.path('sig'), self.path('data'))
            # The argument may come first, or after "--"; the key name may
            # be attached to -k
            self.pt('sign', data, '-k', name)
            self.pt('sign', f'-k{name}', data)
            self.pt('sign', f'-k={name}', data)
            self.pt('sign', f'--key-name={name}', data)
            self.write('sig2', base64.b64decode(self.pt('sign', '-k', name, '--', '-starts with a dash')))
            self.write('data2', b'-starts with a dash')
            self.openssl('dgst', '-sha256', '-verify', pub, '-signature', self.path('sig2'), self.path('data2'))
        self.pt_fails('sign', '-k', 'no-such-key', data)
        self.pt_fails('sign', '-k', self.key('rsa'), data)
        self.pt_fails('sign', '-k', name, 'two', 'arguments')
        self.pt_fails('sign', '-k')

    @needs_openssl
    def test_encrypt_decrypt(self):
        for args, options in (((), ()),
                              (('-o',), ('-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256',
                                         '-pkeyopt', 'rsa_mgf1_md:sha256'))):
            name = self.key('rsa', *args)
            line = self.pt('encrypt', '-k', name, 'plain text, as a string').decode()
            self.assertRegex(line, r'^[A-Za-z0-9+/]+=*\n$')
            self.assertEqual(len(base64.b64decode(line)), 256)
            self.assertEqual(self.pt('decrypt', '-k', name, line.strip()), b'plain text, as a string\n')
            # OpenSSL encrypts to the exported key; the plaintext is printed
            # as UTF-8, each invalid sequence replaced as parsec-tool does.
            plaintext = b'caf\xc3\xa9 \xe2\x82 \xff \xf0\x9f\x98 \xed\xa0\x80 end'
            self.write('plain', plaintext)
            self.openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', self.public_pem(name), *options,
                         '-in', self.path('plain'), '-out', self.path('ct'))
            ciphertext = base64.b64encode(self.read('ct')).decode()
            self.assertEqual(self.pt('decrypt', '-k', name, ciphertext),
                             plaintext.decode('utf-8', 'replace').encode() + b'\n')
        self.pt_fails('decrypt', '-k', name, 'not base64!')
        self.pt_fails('decrypt', '-k', 'no-such-key', ciphertext)
        self.pt_fails('encrypt', '-k', 'no-such-key', 'x')
        self.pt_fails('encrypt', '-k', self.key('ecc'), 'x')
        self.pt_fails('decrypt', '-k', name, ciphertext, 'extra')

    @needs_openssl
    def test_create_csr(self):
        for kind, args, algorithm in (('ecc', (), 'ecdsa-with-SHA256'), ('rsa', ('-s',), 'sha256WithRSAEncryption')):
            name = self.key(kind, *args)
            text = self.pt('create-csr', '-k', name, '--cn', 'parity.example', '--l', 'City', '--o', 'Example',
                           '--ou', 'Unit', '--st', 'State', '--c', 'DE', '--serialNumber', '42',
                           '--san', 'a.example', 'b.example')
            self.assertRegex(text.decode(), r'^-----BEGIN CERTIFICATE REQUEST-----\r\n([A-Za-z0-9+/]{64}\r\n)*'
                                            r'[A-Za-z0-9+/=]{1,64}\r\n-----END CERTIFICATE REQUEST-----\r\n\n$')
            csr = self.write('csr.pem', text)
            self.openssl('req', '-verify', '-noout', '-in', csr)
            subject = self.openssl('req', '-noout', '-subject', '-nameopt', 'oneline', '-in', csr).stdout.decode()
            self.assertEqual(subject, 'subject=CN = parity.example, OU = Unit, O = Example, L = City, ST = State, '
                                      'C = DE, serialNumber = 42\n')
            dump = self.openssl('req', '-noout', '-text', '-in', csr).stdout.decode()
            self.assertIn(f'Signature Algorithm: {algorithm}', dump)
            self.assertIn('DNS:a.example, DNS:b.example', dump)
            pub = self.openssl('req', '-noout', '-pubkey', '-in', csr).stdout
            self.assertEqual(pub, self.pt('export-public-key', '-k', name))
        # Without a subject or names
        self.write('empty.pem', self.pt('create-csr', '-k', name))
        self.openssl('req', '-verify', '-noout', '-in', self.path('empty.pem'))
        self.pt_fails('create-csr', '-k', 'no-such-key', '--cn', 'x')
        self.pt_fails('create-csr', '-k', self.key('rsa'), '--cn', 'x')
        self.pt_fails('create-csr', '--cn', 'x')
        self.pt_fails('create-csr', '-k', name, '--san=a.example', 'b.example')


class CoreTests(ToolTestCase):
    """Discovery, administration, help (service with --admin parsec-tool)."""

    def test_help(self):
        out = self.tool('--help').stdout.decode()
        for command in COMMANDS + ['help']:
            self.assertRegex(out, rf'\n  {command} +\S')
        # parsec-tool's commands first, in its order
        self.assertLess(out.index('\n  create-csr '), out.index('\n  import-key '))
        self.assertIn('Exit status: 0 on success and 1 on any failure', out)
        self.assertIn('PARSEC_GLIB_TOOL_EXIT_STATUS=detailed', out)
        for status in range(6):
            self.assertRegex(out, rf'\n  {status}  ')
        for short, long in (('-p', '--provider'), ('-t', '--timeout'), ('-V', '--version')):
            self.assertRegex(out, rf'{short}, {long}')
        for command in COMMANDS:
            out = self.tool(command, '--help').stdout.decode()
            self.assertTrue(out.startswith(f'Usage:\n  parsec-glib-tool {command} '), out)
            self.assertIn('--json', out)
            self.assertEqual(self.tool('help', command).stdout.decode(), out)
            self.assertEqual(self.tool(command, '-h').stdout.decode(), out)
        self.assertEqual(self.tool('help').stdout, self.tool('--help').stdout)
        self.assertEqual(self.tool('help', 'help').stdout, self.tool('--help').stdout)
        self.assertIn('--endpoint', self.tool('sign', '--help-all').stdout.decode())
        self.assertIn('[DATA]', self.tool('sign', '--help').stdout.decode())
        self.assertIn('-o, --oaep', self.tool('create-rsa-key', '--help').stdout.decode())
        self.assertIn('-p, --provider', self.tool('list-opcodes', '--help-all').stdout.decode())
        self.assertIn(b'unknown command', self.tool('help', 'frobnicate', status=1).stderr)
        self.tool('help', 'frobnicate', status=2, env=DETAILED)

    def test_version(self):
        out = self.tool('--version').stdout
        self.assertRegex(out.decode(), r'^parsec-glib-tool \d+\.\d+\.\d+\n$')
        self.assertEqual(self.tool('-V').stdout, out)
        self.assertEqual(self.tool('sign', '-V').stdout, out)

    def test_ping(self):
        self.assertEqual(self.tool('ping').stdout, b'1.0\n')
        self.assertEqual(self.tool_json('ping'), {'wire_protocol_version': {'major': 1, 'minor': 0}})
        # Global options may come before or after the command, the short
        # ones only before, as in parsec-tool.
        self.assertEqual(json.loads(self.tool('--json', 'ping').stdout)['wire_protocol_version']['major'], 1)
        self.tool('--timeout', '0', 'ping')
        self.tool('-t', '0', 'ping')
        self.tool('-t=5', '-p', '1', 'ping')
        self.tool('ping', '--timeout', '5', '--auth', 'direct', '--provider', '1')
        self.fails(2, 'ping', '-t', '0')
        self.fails(2, 'ping', '-p', '1')

    def test_list_providers(self):
        providers = self.tool_json('list-providers')
        provider = self.provider.id
        name, text_name, uuid = PROVIDER_NAMES[provider]
        self.assertEqual([p['id'] for p in providers], [provider, 0])
        self.assertEqual(providers[0]['name'], name)
        self.assertEqual(providers[0]['uuid'], uuid)
        text = self.tool('list-providers').stdout.decode()
        self.assertTrue(text.startswith(f'ID: 0x{provider:02x} ({text_name})\nDescription: '), text)
        self.assertIn(f'\nUUID: {uuid}\n\nID: 0x00 (Core provider)\n', text)
        self.assertTrue(text.endswith('\n\n'))

    def test_list_opcodes(self):
        # The core provider unless -p says otherwise, as in parsec-tool
        core = self.tool_json('list-opcodes')
        self.assertEqual(core['provider'], 0)
        self.assertEqual(sorted(o['opcode'] for o in core['opcodes']), [1, 8, 9, 14, 26])
        self.assertEqual(self.tool_json('--provider', 'core', 'list-opcodes'), core)
        provider = str(self.provider.id)
        listed = self.tool_json('list-opcodes', '-p', provider)
        self.assertEqual(listed['provider'], self.provider.id)
        opcodes = {o['opcode']: o['name'] for o in listed['opcodes']}
        self.assertEqual(opcodes[4], 'psa-sign-hash')
        self.assertIn(0x0a, opcodes)
        self.assertEqual(self.tool_json('-p', provider, 'list-opcodes'), listed)
        self.assertEqual(self.tool_json('list-opcodes', '--provider', PROVIDER_NAMES[self.provider.id][0]), listed)
        self.assertIn('0x04 (PsaSignHash)\n', self.tool('list-opcodes', '--provider', provider).stdout.decode())
        self.assertIn('0x0e (ListAuthenticators)\n', self.tool('list-opcodes').stdout.decode())

    def test_list_authenticators(self):
        authenticators = self.tool_json('list-authenticators')
        self.assertEqual([(a['id'], a['name']) for a in authenticators], [(1, 'direct')])
        self.assertRegex(self.tool('list-authenticators').stdout.decode(),
                         r'^ID: 0x01 \(Direct authentication\)\nDescription: .+\nVersion: \d+\.\d+\.\d+\n\n$')

    def test_list_keys_and_clients(self):
        mine = self.create('ecc')
        theirs = self.create('ecc', app_name='other-app')
        names = [k['name'] for k in self.tool_json('list-keys')]
        self.assertIn(mine, names)
        self.assertNotIn(theirs, names)
        key = self.listed(mine)
        self.assertEqual((key['provider'], key['type'], key['curve'], key['bits']),
                         (self.provider.id, 'ecc-key-pair', 'p256', 256))
        self.assertIn('sign-hash', key['usage'])
        self.assertIn(f'* {mine} ({PROVIDER_NAMES[self.provider.id][1]}, EccKeyPair {{ curve_family: SecpR1 }}, 256 bits, '
                      'permitted algorithm: AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) }))\n',
                      self.tool('list-keys').stdout.decode())
        self.assertEqual([k['name'] for k in self.tool_json('--app-name', 'other-app', 'list-keys')], [theirs])

        clients = self.tool_json('list-clients')
        self.assertIn('parsec-tool', clients)
        self.assertIn('other-app', clients)
        self.assertIn('other-app\n', self.tool('list-clients').stdout.decode())
        self.assertEqual(self.tool_json('delete-client', '--client', 'other-app'), {'deleted_client': 'other-app'})
        self.assertEqual(self.tool_json('--app-name', 'other-app', 'list-keys'), [])
        self.assertEqual(self.tool('--app-name', 'other-app', 'list-keys').stdout, b'')
        self.assertNotIn('other-app', self.tool_json('list-clients'))
        # Not an administrator
        self.fails(3, 'list-clients', '--app-name', 'other-app')

    def test_output_file(self):
        out = self.path('ping.json')
        self.assertEqual(self.tool('ping', '--json', '--output', out).stdout, b'')
        self.assertEqual(json.loads(self.read('ping.json'))['wire_protocol_version']['minor'], 0)
        self.assertEqual(self.tool('ping', '-o', '-').stdout, b'1.0\n')
        self.tool('ping', '-o', out)
        self.assertEqual(self.read('ping.json'), b'1.0\n')

    def test_output_only_to_regular_files(self):
        # A regular file of the user's is replaced; what is not a regular
        # file is refused, neither replaced nor written through.
        target = self.write('target', b'untouched')
        link = self.path('link')
        os.symlink(target, link)
        fifo = self.path('fifo')
        os.mkfifo(fifo)
        sock = socket.socket(socket.AF_UNIX)
        self.addCleanup(sock.close)
        sock.bind(self.path('socket'))
        os.mkdir(self.path('dir'))
        for path, kind in ((link, b'a symbolic link'), (fifo, b'a FIFO'), (self.path('socket'), b'a socket'),
                           (self.path('dir'), b'a directory'), ('/dev/null', b'a device'),
                           ('/dev/stdout', b'a symbolic link')):
            proc = self.fails(5, 'generate-random', '-n', '8', '--output', path)
            self.assertIn(b'refusing to write the output to', proc.stderr)
            self.assertIn(kind, proc.stderr)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(self.read('target'), b'untouched')
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        self.assertTrue(stat.S_ISCHR(os.lstat('/dev/null').st_mode))
        self.assertEqual(sorted(os.listdir(self.dir)), ['dir', 'fifo', 'link', 'socket', 'target'])

        # Secrets are created 0600, other outputs after the umask; a file
        # replaced takes the new mode.
        self.tool('generate-random', '-n', '8', '--output', target)
        self.assertNotEqual(self.read('target'), b'untouched')
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)
        old_umask = os.umask(0o022)
        try:
            self.tool('ping', '--output', self.path('ping'))
        finally:
            os.umask(old_umask)
        self.assertEqual(stat.S_IMODE(os.stat(self.path('ping')).st_mode), 0o644)
        self.assertEqual(self.tool('generate-random', '-n', '8', '--format', 'hex', '-o', '-').stdout.count(b'\n'), 1)

    def test_hostile_names_escaped(self):
        # Names other clients chose reach the administrator: terminal
        # commands in them (erase the line above, set the title, write the
        # clipboard with OSC 52, reorder the text) are printed escaped,
        # and JSON stays valid and exact.
        hostile = 'x\x1b[1A\x1b[2K\x1b]0;title\x07\x1b]52;c;cHduZWQ=\x07\u202e\x9b\\'
        escaped = 'x\\x1b[1A\\x1b[2K\\x1b]0;title\\x07\\x1b]52;c;cHduZWQ=\\x07\\u{202e}\\u{009b}\\\\'
        app = 'app-' + hostile
        renamed = 'key-' + hostile
        self.tool('--app-name', app, 'create-ecc-key', '-k', renamed)
        self.addCleanup(self.tool, '--app-name', app, 'delete-key', '-k', renamed, status=None)
        clients = self.tool('list-clients').stdout.decode()
        self.assertNotIn('\x1b', clients)
        self.assertIn('app-' + escaped + '\n', clients)
        self.assertIn(app, self.tool_json('list-clients'))
        keys = self.tool('--app-name', app, 'list-keys').stdout.decode()
        self.assertNotIn('\x1b', keys)
        self.assertNotIn('\u202e', keys)
        self.assertIn('* key-' + escaped + ' (', keys)
        self.assertIn(renamed, [k['name'] for k in self.tool_json('--app-name', app, 'list-keys')])
        raw = self.tool('--app-name', app, 'list-keys', '--json').stdout
        self.assertNotIn(b'\x1b', raw)
        self.assertNotIn('\u202e'.encode(), raw)
        # Errors naming them too
        proc = self.fails(3, 'delete-key', '--app-name', app, '-k', 'gone-' + hostile)
        self.assertNotIn(b'\x1b', proc.stderr)
        self.assertIn(('gone-' + escaped).encode(), proc.stderr)


class KeysTests(ToolTestCase):
    """Creating, exporting and deleting keys."""

    def test_create_ecc_key(self):
        for curve, bits, hash_name in (('p256', 256, 'SHA-256'), ('p384', 384, 'SHA-384'), ('p521', 521, 'SHA-512')):
            name, generated = self.create_ecc(curve)
            listed = self.listed(name)
            # An imported key is listed with the 0 bits it was imported with.
            self.assertEqual((listed['type'], listed['curve'], listed['bits']),
                             ('ecc-key-pair', curve, bits) if generated else ('ecc-key-pair', None, 0))
            self.assertEqual(listed['algorithm'], f'ECDSA({hash_name})')
            if self.provider.is_tpm and bits == 521:
                # The TPM provider cannot export a P-521 public key (it
                # sizes the coordinates as 521 / 8 bytes).
                proc = self.tool('export-public-key', '-k', name, status=None)
                self.assertTrue(is_provider_refusal(proc, b'PsaErrorCommunicationFailure'), proc.stderr)
            elif OPENSSL:
                text = self.openssl('pkey', '-pubin', '-in', self.public_pem(name), '-noout', '-text').stdout
                self.assertIn(f'({bits} bit)'.encode(), text)
        name = self.key_name()
        created = self.tool_json('create-ecc-key', '-k', name, '--curve', 'p521')
        self.addCleanup(self.tool, 'delete-key', '-k', name)
        self.assertEqual(created['created'], True)
        self.assertEqual((created['type'], created['curve'], created['bits']), ('ecc-key-pair', 'p521', 521))
        name = self.create('ecc', '--hash', 'sha384')
        self.assertEqual(self.listed(name)['algorithm'], 'ECDSA(SHA-384)')
        # Nothing on standard output, as parsec-tool
        name = self.key_name()
        self.assertEqual(self.tool('create-ecc-key', '-k', name).stdout, b'')
        self.addCleanup(self.tool, 'delete-key', '-k', name)

    def test_create_rsa_key(self):
        cases = (
            ((), 'RSA PKCS#1 v1.5 encryption', ['encrypt', 'decrypt']),
            (('--for-encryption',), 'RSA PKCS#1 v1.5 encryption', ['encrypt', 'decrypt']),
            (('--oaep',), 'RSA-OAEP(SHA-256)', ['encrypt', 'decrypt']),
            (('--for-signing',), 'RSA PKCS#1 v1.5(SHA-256)', ['sign-message', 'verify-message', 'sign-hash', 'verify-hash']),
            (('--pss', '--hash', 'sha512'), 'RSA-PSS(SHA-512)', ['sign-message', 'verify-message', 'sign-hash', 'verify-hash']),
            (('--for-tls',), 'RSA-PSS(any hash)', ['sign-message', 'verify-message', 'sign-hash', 'verify-hash']),
            (('--for-tls', '-s', '-H', 'sha384'), 'RSA-PSS(SHA-384)',
             ['sign-message', 'verify-message', 'sign-hash', 'verify-hash']),
            (('-s', '--exportable', '--bits', '1024'), 'RSA PKCS#1 v1.5(SHA-256)',
             ['export', 'sign-message', 'verify-message', 'sign-hash', 'verify-hash']),
        )
        for args, algorithm, usage in cases:
            name = self.key_name()
            if self.provider.is_tpm and 'any hash' in algorithm:
                # The TPM provider makes no key for any hash.
                proc = self.tool('create-rsa-key', '-k', name, *args, status=1)
                self.assertTrue(is_provider_refusal(proc, b'PsaErrorNotSupported'), proc.stderr)
                continue
            created = self.tool_json('create-rsa-key', '-k', name, *args)
            self.addCleanup(self.tool, 'delete-key', '-k', name)
            self.assertEqual(created['algorithm'], algorithm, args)
            self.assertEqual(created['usage'], usage, args)
            self.assertEqual(created['bits'], 1024 if '1024' in args else 2048)
        # parsec-tool's short options: -s, -o (--oaep, which --for-signing
        # overrides, as there), -b
        for args, algorithm in ((('-s',), 'RSA PKCS#1 v1.5(SHA-256)'), (('-o',), 'RSA-OAEP(SHA-256)'),
                                (('-s', '-o'), 'RSA PKCS#1 v1.5(SHA-256)'), (('-b', '1024'), 'RSA PKCS#1 v1.5 encryption')):
            name = self.key_name()
            self.assertEqual(self.tool('create-rsa-key', '-k', name, *args).stdout, b'')
            self.addCleanup(self.tool, 'delete-key', '-k', name)
            listed = self.listed(name)
            self.assertEqual((listed['algorithm'], listed['bits']), (algorithm, 1024 if '-b' in args else 2048), args)

    def test_create_refused(self):
        self.fails(2, 'create-rsa-key', '-k', 'x', '--for-signing', '--for-encryption')
        self.fails(2, 'create-rsa-key', '-k', 'x', '--pss', '--oaep')
        self.fails(2, 'create-rsa-key', '-k', 'x', '--for-tls', '--for-encryption')
        self.fails(2, 'create-rsa-key', '-k', 'x', '-e', '-s', '-o')
        self.fails(2, 'create-rsa-key', '-k', 'x', '-b', 'many')
        self.fails(2, 'create-rsa-key', '-k', 'x', '--bits', '-5')
        self.fails(2, 'create-ecc-key', '-k', 'x', '--for-encryption')
        self.fails(2, 'create-ecc-key', '-k', 'x', '--curve', 'p999')
        self.fails(2, 'create-ecc-key', '-k', 'x', '--hash', 'sha0')
        self.fails(2, 'create-ecc-key', '--curve', 'p256')
        name = self.create('ecc')
        self.fails(3, 'create-ecc-key', '-k', name)
        # The provider's judgement, not the tool's
        self.fails(3, 'create-rsa-key', '-k', 'odd-size', '--bits', '1000')

    @needs_openssl
    def test_export_public_key_formats(self):
        for kind, args in (('ecc', ()), ('rsa', ('--for-signing',))):
            name = self.create(kind, *args)
            pem = self.tool('export-public-key', '-k', name).stdout
            self.assertTrue(pem.startswith(b'-----BEGIN PUBLIC KEY-----\n'))
            self.assertEqual(self.tool('export-public-key', '-k', name, '-f', 'pem').stdout, pem)
            der = self.openssl('pkey', '-pubin', '-outform', 'DER', input=pem).stdout
            self.assertEqual(self.tool('export-public-key', '-k', name, '--format', 'der').stdout, der)
            self.assertEqual(self.tool('export-public-key', '-k', name, '-f', 'base64').stdout,
                             base64.b64encode(der) + b'\n')
            self.assertEqual(self.tool('export-public-key', '-k', name, '-f', 'hex').stdout, der.hex().encode() + b'\n')
            raw = self.tool('export-public-key', '-k', name, '-f', 'raw').stdout
            self.assertEqual(self.tool('export-public-key', '-k', name, '-f', 'psa').stdout, raw)
            # The PSA form is the content of the SubjectPublicKeyInfo's BIT STRING.
            self.assertTrue(der.endswith(raw))
            if kind == 'ecc':
                self.assertEqual((len(raw), raw[0]), (65, 4))
            else:
                self.openssl('rsa', '-RSAPublicKey_in', '-inform', 'DER', '-noout', input=raw)
            exported = self.tool_json('export-public-key', '-k', name, '-f', 'der')
            self.assertEqual(exported, {'key_name': name, 'public_key': base64.b64encode(der).decode(),
                                        'format': 'der', 'encoding': 'base64'})
            self.assertEqual(self.tool_json('export-public-key', '-k', name)['public_key'], pem.decode())
            self.tool('export-public-key', '-k', name, '-o', self.path('pub.pem'))
            self.assertEqual(self.read('pub.pem'), pem)

    @needs_openssl
    def test_export_key(self):
        if not self.provider.offers(PSA_EXPORT_KEY):
            # The TPM provider exports no private key: the library refuses.
            proc = self.tool('export-key', '-k', self.create('ecc', '--exportable'), '-o', '-', status=None)
            self.assertTrue(is_provider_refusal(proc, b'does not support PsaExportKey'), proc.stderr)
            return
        for kind, args in (('rsa', ('--exportable',)), ('ecc', ('--exportable',)), ('ecc', ('--exportable', '-c', 'p384'))):
            if '-c' in args:
                name, _ = self.create_ecc('p384', '--exportable')
            else:
                name = self.create(kind, *args)
            pem = self.tool('export-key', '-k', name, '-o', '-').stdout
            self.assertTrue(pem.startswith(b'-----BEGIN PRIVATE KEY-----\n'))
            self.openssl('pkey', '-noout', '-check', input=pem)
            public = self.openssl('pkey', '-pubout', input=pem).stdout
            self.assertEqual(public, self.tool('export-public-key', '-k', name).stdout)
            der = self.tool('export-key', '-k', name, '-f', 'der', '-o', '-').stdout
            self.assertEqual(self.openssl('pkey', '-inform', 'DER', input=der).stdout, pem)
            raw = self.tool('export-key', '-k', name, '-f', 'raw', '-o', '-').stdout
            if kind == 'rsa':
                self.openssl('rsa', '-inform', 'DER', '-noout', '-check', input=raw)
            else:
                self.assertEqual(len(raw), 32 if '-c' not in args else 48)
            exported = self.tool_json('export-key', '-k', name, '-o', '-')
            self.assertEqual(exported['key'], pem.decode())
            self.assertEqual(exported['format'], 'pem')
            # Private keys are written only with restricted permissions.
            self.tool('export-key', '-k', name, '-o', self.path('key.pem'))
            self.assertEqual(os.stat(self.path('key.pem')).st_mode & 0o077, 0)
            self.assertEqual(self.read('key.pem'), pem)
        self.fails(3, 'export-key', '-k', self.create('ecc'))

    def test_secrets_not_on_terminal(self):
        name = self.create('ecc', '--exportable')
        if not self.provider.offers(PSA_EXPORT_KEY):
            # The TPM provider exports no private key: nothing reaches the
            # terminal, whatever the options.
            for args in ((), ('--json',), ('--output', '-')):
                status, stderr, seen = self.on_terminal('export-key', '-k', name, *args)
                self.assertEqual((status, seen), (1, b''))
                self.assertIn(b'does not support PsaExportKey', stderr)
            status, stderr, seen = self.on_terminal('export-public-key', '-k', name)
            self.assertEqual(status, 0)
            self.assertIn(b'-----BEGIN PUBLIC KEY-----', seen)
            return
        status, stderr, seen = self.on_terminal('export-key', '-k', name)
        self.assertEqual(status, 1)
        self.assertTrue(stderr.startswith(b'parsec-glib-tool: export-key: the result is secret'), stderr)
        self.assertEqual(seen, b'')
        status, stderr, seen = self.on_terminal('export-key', '-k', name, '--json')
        self.assertEqual((status, seen), (1, b''))
        # Asked for by name
        status, stderr, seen = self.on_terminal('export-key', '-k', name, '--output', '-')
        self.assertEqual((status, stderr), (0, b''))
        self.assertIn(b'-----BEGIN PRIVATE KEY-----', seen)
        # Public data is no secret.
        status, stderr, seen = self.on_terminal('export-public-key', '-k', name)
        self.assertEqual(status, 0)
        self.assertIn(b'-----BEGIN PUBLIC KEY-----', seen)

    def test_delete_key(self):
        name = self.key_name()
        self.tool('create-ecc-key', '-k', name)
        self.assertEqual(self.tool('delete-key', '-k', name).stdout, b'')
        self.fails(3, 'export-public-key', '-k', name)
        self.fails(3, 'delete-key', '-k', name)
        self.tool('create-ecc-key', '-k', name)
        self.assertEqual(self.tool_json('delete-key', '-k', name), {'key_name': name, 'deleted': True})


class CryptoTests(ToolTestCase):
    """Signing, encryption, hashing and random numbers."""

    @needs_openssl
    def test_sign_ecdsa_verifies_with_openssl(self):
        for curve, digest in (('p256', '-sha256'), ('p384', '-sha384'), ('p521', '-sha512')):
            name, _ = self.create_ecc(curve)
            if self.provider.is_tpm and curve == 'p521':
                # The TPM provider makes P-521 keys but can neither export
                # their public key nor sign with them (it sizes coordinates
                # as 521 / 8 bytes).
                proc = self.tool('sign', '-k', name, '-d', 'x', status=None)
                self.assertTrue(is_provider_refusal(proc, b'PsaErrorGenericError'), proc.stderr)
                continue
            pub = self.public_pem(name)
            data = self.write('data', os.urandom(3000))
            self.tool('sign', '-k', name, '-i', data, '-f', 'der', '-o', self.path('sig.der'))
            self.openssl('dgst', digest, '-verify', pub, '-signature', self.path('sig.der'), data)
            self.write('other', b'other data')
            self.openssl('dgst', digest, '-verify', pub, '-signature', self.path('sig.der'), self.path('other'),
                         status=1)

    @needs_openssl
    def test_sign_rsa_verifies_with_openssl(self):
        data = self.write('data', b'signed by the service\n')
        pkcs1 = self.create('rsa', '--for-signing')
        self.write('sig.der', self.tool('sign', '-k', pkcs1, '-i', data, '-f', 'der').stdout)
        self.openssl('dgst', '-sha256', '-verify', self.public_pem(pkcs1), '-signature', self.path('sig.der'), data)

        pss = self.create('rsa', '--pss')
        if self.provider.is_tpm:
            # The TPM provider makes RSA-PSS keys but does not sign with them.
            proc = self.tool('sign', '-k', pss, '-i', data, '-f', 'der', status=None)
            self.assertTrue(is_provider_refusal(proc, b'PsaErrorNotSupported'), proc.stderr)
        else:
            self.write('pss.der', self.tool('sign', '-k', pss, '-i', data, '-f', 'der').stdout)
            self.openssl('dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-verify', self.public_pem(pss),
                         '-signature', self.path('pss.der'), data)

        sha512 = self.create('rsa', '--for-signing', '--hash', 'sha512')
        self.write('sig512.der', self.tool('sign', '-k', sha512, '-i', data, '-f', 'der').stdout)
        self.openssl('dgst', '-sha512', '-verify', self.public_pem(sha512), '-signature', self.path('sig512.der'),
                     data)

    @needs_openssl
    def test_sign_large_file_in_flat_memory(self):
        # Larger than the old 64 MiB limit; sparse, so that it costs no disk.
        name, _ = self.create_ecc('p256')
        data = self.path('large')
        with open(data, 'wb') as f:
            f.truncate(100 * 1024 * 1024 + 3)
        signature = self.path('large.sig')
        child = subprocess.Popen([TOOL, 'sign', '-k', name, '-i', data, '-f', 'der', '-o', signature],
                                 stderr=subprocess.PIPE)
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        self.assertEqual(child.returncode, 0, stderr)
        # The file is read in chunks: the tool's peak memory stays far below
        # its size (ru_maxrss is in KiB).
        self.assertLess(usage.ru_maxrss, 48 * 1024)
        self.openssl('dgst', '-sha256', '-verify', self.public_pem(name), '-signature', signature, data)
        self.assertEqual(self.tool('verify', '-k', name, '-i', data, '--signature', signature).stdout,
                         b'The signature is valid.\n')
        # Standard input streams too.
        with open(data, 'rb') as f:
            proc = subprocess.run([TOOL, 'verify', '-k', name, '--signature', signature], stdin=f,
                                  capture_output=True, timeout=120)
        self.assertEqual((proc.returncode, proc.stdout), (0, b'The signature is valid.\n'), proc.stderr)
        with open(data, 'ab') as f:
            f.write(b'x')
        self.fails(1, 'verify', '-k', name, '-i', data, '--signature', signature)
        self.fails(2, 'sign', '-k', name, '-i', self.path('missing'))

    def test_hash_help_states_its_limit(self):
        self.assertIn(b'1 MiB', self.tool('hash', '--help').stdout)

    def test_sign_formats_and_verify(self):
        name = self.create('ecc')
        signed = self.tool_json('sign', '-k', name, '-d', 'message')
        self.assertEqual((signed['key_name'], signed['algorithm'], signed['format']),
                         (name, 'ECDSA(SHA-256)', 'base64'))
        der = base64.b64decode(signed['signature'])
        self.assertEqual(der[0], 0x30)
        raw = self.tool('sign', '-k', name, '-d', 'message', '-f', 'raw').stdout
        self.assertEqual(len(raw), 64)
        b64 = self.tool('sign', '-k', name, '-d', 'message').stdout
        hexa = self.tool('sign', '-k', name, '-d', 'message', '-f', 'hex').stdout
        self.assertEqual(len(base64.b64decode(b64)), base64.b64decode(b64)[1] + 2)
        bytes.fromhex(hexa.decode())

        for signature, fmt in ((der, 'der'), (raw, 'raw'), (b64, 'base64'), (hexa, 'hex')):
            sig = self.write(f'sig.{fmt}', signature)
            self.assertEqual(self.tool('verify', '-k', name, '-d', 'message', '--signature', sig).stdout,
                             b'The signature is valid.\n')
            self.tool('verify', '-k', name, '-d', 'message', '--signature', sig, '--signature-format', fmt)
            self.assertEqual(self.tool_json('verify', '-k', name, '-d', 'message', '--signature', sig),
                             {'key_name': name, 'valid': True})
            self.fails(1, 'verify', '-k', name, '-d', 'messagE', '--signature', sig)
        # The data from standard input, the signature from a file
        self.tool('verify', '-k', name, '--signature', self.path('sig.der'), input=b'message')
        mismatch = self.tool('verify', '-k', name, '-d', 'other', '--signature', self.path('sig.der'), '--json',
                             status=1)
        self.assertEqual(json.loads(mismatch.stdout), {'key_name': name, 'valid': False})
        error = json.loads(mismatch.stderr)['error']
        self.assertEqual((error['command'], error['name'], error['message']),
                         ('verify', 'mismatch', 'the signature does not match'))
        self.fails(2, 'verify', '-k', name, '--signature', '-')
        self.fails(2, 'verify', '-k', name, '-d', 'message')
        self.fails(2, 'verify', '-k', name, '-d', 'message', '--signature', self.path('sig.der'),
                   '--signature-format', 'pem')

        rsa = self.create('rsa', '--for-signing')
        sig = self.write('rsa.sig', self.tool('sign', '-k', rsa, '-d', 'message', '-f', 'raw').stdout)
        self.assertEqual(os.path.getsize(sig), 256)
        self.tool('verify', '-k', rsa, '-d', 'message', '--signature', sig)
        self.fails(1, 'verify', '-k', rsa, '-d', 'massage', '--signature', sig)

    def test_input_sources(self):
        data = b'some input\x00\xff with bytes'
        expected = hashlib.sha256(data).hexdigest().encode() + b'\n'
        file = self.write('input', data)
        self.fails(2, 'hash', '-d', 'abc', '-i', file)
        self.fails(2, 'hash', '-i', self.path('missing'))
        self.fails(2, 'hash', '--input-format', 'base64', '-d', 'not base64!')
        self.fails(2, 'hash', '--input-format', 'hex', '-d', 'abc')
        self.fails(2, 'hash', '--input-format', 'rot13', '-d', 'abc')
        if not self.provider.offers(PSA_HASH_COMPUTE):
            # No hashes (the TPM provider): the library refuses them.
            proc = self.tool('hash', '-i', file, status=None)
            self.assertTrue(is_provider_refusal(proc, b'does not support PsaHashCompute'), proc.stderr)
            return
        self.assertEqual(self.tool('hash', '-i', file).stdout, expected)
        self.assertEqual(self.tool('hash', '--input', '-', input=data).stdout, expected)
        self.assertEqual(self.tool('hash', input=data).stdout, expected)
        self.assertEqual(self.tool('hash', '--input-format', 'base64', '-d', base64.b64encode(data).decode()).stdout,
                         expected)
        self.assertEqual(self.tool('hash', '--input-format', 'hex', input=data.hex().encode() + b'\n').stdout,
                         expected)
        self.assertEqual(self.tool('hash', '-d', 'abc').stdout, hashlib.sha256(b'abc').hexdigest().encode() + b'\n')

    def test_hash(self):
        self.fails(2, 'hash', '-a', 'any', '-d', 'abc')
        self.fails(2, 'hash', '-a', 'whirlpool', '-d', 'abc')
        self.fails(2, 'hash', '-d', 'abc', '--expect', 'xyz')
        self.fails(2, 'hash', '-d', 'abc', '-f', 'pem')
        if not self.provider.offers(PSA_HASH_COMPUTE):
            # No hashes (the TPM provider): the library refuses them.
            for name in ('sha224', 'sha256', 'sha384', 'sha512'):
                proc = self.tool('hash', '-a', name, '-d', 'abc', status=None)
                self.assertTrue(is_provider_refusal(proc, b'does not support PsaHashCompute'), proc.stderr)
            return
        for name in ('sha224', 'sha256', 'sha384', 'sha512'):
            digest = getattr(hashlib, name)(b'abc').digest()
            self.assertEqual(self.tool('hash', '-a', name, '-d', 'abc', '-f', 'raw').stdout, digest)
            self.assertEqual(self.tool('hash', '--alg', name, '-d', 'abc', '-f', 'base64').stdout,
                             base64.b64encode(digest) + b'\n')
            self.assertEqual(self.tool_json('hash', '-a', name, '-d', 'abc', '-f', 'hex'),
                             {'algorithm': name, 'digest': digest.hex(), 'format': 'hex'})
            self.assertEqual(self.tool('hash', '-a', name, '-d', 'abc', '--expect', digest.hex()).stdout,
                             b'The digest matches.\n')
        self.fails(1, 'hash', '-d', 'abd', '--expect', hashlib.sha256(b'abc').hexdigest())
        self.assertEqual(self.tool('hash', '-d', 'abd', '--expect', '00', '--json', status=1).stdout,
                         b'{"algorithm":"sha256","match":false}\n')

    def test_encrypt_decrypt(self):
        for args in ((), ('--oaep',), ('--oaep', '--hash', 'sha384')):
            name = self.create('rsa', *args)
            plaintext = b'attack at dawn \x00\x01'
            ciphertext = self.tool('encrypt', '-k', name, input=plaintext).stdout
            self.assertEqual(len(base64.b64decode(ciphertext)), 256)
            self.assertEqual(self.tool('decrypt', '-k', name, '--input-format', 'base64', '-f', 'raw',
                                       input=ciphertext).stdout, plaintext)
            # By default the text line parsec-tool prints
            self.assertEqual(self.tool('decrypt', '-k', name, '--input-format', 'base64', input=ciphertext).stdout,
                             plaintext + b'\n')
            raw = self.write('ct', self.tool('encrypt', '-k', name, '-d', 'short', '-f', 'raw').stdout)
            self.tool('decrypt', '-k', name, '-i', raw, '-f', 'raw', '-o', self.path('pt'))
            self.assertEqual(self.read('pt'), b'short')
            self.assertEqual(os.stat(self.path('pt')).st_mode & 0o077, 0)
            self.tool('decrypt', '-k', name, '-i', raw, '-o', self.path('pt'))
            self.assertEqual(self.read('pt'), b'short\n')
            self.assertEqual(os.stat(self.path('pt')).st_mode & 0o077, 0)
            hexa = self.tool('encrypt', '-k', name, '-d', 'hex', '-f', 'hex').stdout
            self.assertEqual(self.tool('decrypt', '-k', name, '--input-format', 'hex', '-f', 'hex', input=hexa).stdout,
                             b'686578\n')
            encrypted = self.tool_json('encrypt', '-k', name, '-d', 'json')
            self.assertEqual(encrypted['format'], 'base64')
            decrypted = self.tool_json('decrypt', '-k', name, '--input-format', 'base64',
                                       '-d', encrypted['ciphertext'], '-f', 'base64')
            self.assertEqual(base64.b64decode(decrypted['plaintext']), b'json')
            self.assertEqual(decrypted['algorithm'], 'RSA-OAEP(SHA-384)' if 'sha384' in args else
                             'RSA-OAEP(SHA-256)' if args else 'RSA PKCS#1 v1.5 encryption')
        # The wrong key for the ciphertext, no secret in the message
        other = self.create('rsa')
        proc = self.fails(3, 'decrypt', '-k', other, '-i', raw)
        self.assertNotIn(b'short', proc.stderr)

    def test_decrypt_reads_what_encrypt_writes(self):
        """decrypt takes encrypt's default output (base64) from a file, a
        pipe, --data and the argument, and raw or hex ciphertexts too,
        with no --input-format."""
        name = self.create('rsa', '--oaep')
        doc = self.write('doc.txt', b'the document\n')
        self.tool('encrypt', '-k', name, '-i', doc, '-o', self.path('doc.enc'))
        self.assertEqual(self.tool('decrypt', '-k', name, '-i', self.path('doc.enc'), '-f', 'raw').stdout,
                         b'the document\n')
        # A pipe, as a shell runs it
        pipeline = subprocess.run(['sh', '-c', '"$0" encrypt -k "$1" | "$0" decrypt -k "$1"', TOOL, name],
                                  input=b'hi\n', capture_output=True, timeout=120)
        self.assertEqual((pipeline.returncode, pipeline.stdout, pipeline.stderr), (0, b'hi\n', b''))
        encoded = self.tool('encrypt', '-k', name, '-d', 'argument').stdout.decode().strip()
        self.assertEqual(self.tool('decrypt', '-k', name, encoded).stdout, b'argument\n')
        self.assertEqual(self.tool('decrypt', '-k', name, '-d', encoded).stdout, b'argument\n')
        for fmt in ('raw', 'hex', 'base64'):
            ct = self.tool('encrypt', '-k', name, '-d', fmt, '-f', fmt).stdout
            self.assertEqual(self.tool('decrypt', '-k', name, input=ct).stdout, fmt.encode() + b'\n')
            self.assertEqual(self.tool('decrypt', '-k', name, '--input-format', 'auto', input=ct).stdout,
                             fmt.encode() + b'\n')

    def test_decrypt_wrong_length(self):
        """A ciphertext of the wrong length is refused before any request,
        with the length the key wants."""
        name = self.create('rsa')
        for args, kwargs, got in ((('-d', 'short'), {}, b'got 5'),
                                  ((), {'input': b'\x01' * 255}, b'got 255'),
                                  ((base64.b64encode(b'\x01' * 128).decode(),), {}, b'got 128'),
                                  (('-d', base64.b64encode(b'\x01' * 128).decode()), {},
                                   b'got 172 (128 once decoded from base64)'),
                                  (('--input-format', 'raw'), {'input': base64.b64encode(b'\x01' * 256)},
                                   b'got 344')):
            with RequestLog(os.environ['PARSEC_SERVICE_ENDPOINT']) as log:
                proc = self.fails(2, 'decrypt', '-k', name, *args, env={'PARSEC_SERVICE_ENDPOINT': log.endpoint},
                                  **kwargs)
                opcodes = list(log.opcodes)
            self.assertIn(b'expected 256 bytes for a 2048-bit RSA key, ' + got, proc.stderr)
            self.assertNotIn('PsaAsymmetricDecrypt', opcodes)

    @needs_openssl
    def test_openssl_encrypts_tool_decrypts(self):
        for args, options in (((), ()),
                              (('--oaep',), ('-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256',
                                             '-pkeyopt', 'rsa_mgf1_md:sha256'))):
            name = self.create('rsa', *args)
            pub = self.public_pem(name)
            self.write('plain', b'from openssl')
            self.openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', pub, *options,
                         '-in', self.path('plain'), '-out', self.path('ct'))
            self.assertEqual(self.tool('decrypt', '-k', name, '-i', self.path('ct'), '-f', 'raw').stdout,
                             b'from openssl')
            ct = base64.b64encode(self.read('ct')).decode()
            self.assertEqual(self.tool('decrypt', '-k', name, ct).stdout, b'from openssl\n')
            # And back: what the tool encrypts, OpenSSL cannot decrypt without
            # the private key, but the service can; checked above.

    def test_secret_output_on_terminal(self):
        name = self.create('rsa')
        ct = self.write('ct', self.tool('encrypt', '-k', name, '-d', 'top secret', '-f', 'raw').stdout)
        for fmt in ('raw', 'base64', 'hex'):
            status, stderr, seen = self.on_terminal('decrypt', '-k', name, '-i', ct, '-f', fmt)
            self.assertEqual((status, seen), (1, b''))
            self.assertIn(b'--output -', stderr)
            self.assertNotIn(b'top secret', stderr)
        status, stderr, seen = self.on_terminal('decrypt', '-k', name, '-i', ct, '-f', 'raw', '-o', '-')
        self.assertEqual(status, 0)
        self.assertIn(b'top secret', seen)
        # parsec-tool's text forms go wherever standard output goes, as
        # parsec-tool writes them.
        status, stderr, seen = self.on_terminal('decrypt', '-k', name, '-i', ct)
        self.assertEqual((status, seen), (0, b'top secret\r\n'))
        status, stderr, seen = self.on_terminal('generate-random', '-n', '16', '-f', 'hex')
        self.assertEqual((status, seen), (1, b''))
        status, stderr, seen = self.on_terminal('generate-random', '-n', '16')
        self.assertEqual(status, 0)
        self.assertRegex(seen.decode(), r'^([0-9A-F]{2} ){16}\r\n$')
        status, stderr, seen = self.on_terminal('encrypt', '-k', name, '-d', 'x')
        self.assertEqual(status, 0)
        self.assertTrue(seen)

    def test_generate_random(self):
        # parsec-tool's line: uppercase hexadecimal, a space after each byte
        text = self.tool('generate-random', '-n', '32').stdout.decode()
        self.assertRegex(text, r'^([0-9A-F]{2} ){32}\n$')
        self.assertRegex(self.tool('generate-random', '--nbytes', '5').stdout.decode(), r'^([0-9A-F]{2} ){5}\n$')
        self.assertEqual(self.tool('generate-random', '-n', '0').stdout, b'\n')
        self.assertEqual(self.tool('generate-random', '-n', '0', '-f', 'raw').stdout, b'')
        self.assertEqual(len(self.tool('generate-random', '--bytes', '32', '-f', 'raw').stdout), 32)
        self.assertRegex(self.tool('generate-random', '-n', '16', '-f', 'hex').stdout.decode(), r'^[0-9a-f]{32}\n$')
        self.assertEqual(len(base64.b64decode(self.tool('generate-random', '-n', '20', '-f', 'base64').stdout)), 20)
        self.assertRegex(self.tool('generate-random', '-n', '3', '-f', 'text').stdout.decode(), r'^([0-9A-F]{2} ){3}\n$')
        random = self.tool_json('generate-random', '-n', '12')
        self.assertEqual((random['bytes'], random['format'], random['encoding']), (12, 'raw', 'base64'))
        self.assertEqual(len(base64.b64decode(random['random'])), 12)
        self.tool('generate-random', '-n', '64', '-f', 'raw', '-o', self.path('random'))
        self.assertEqual(len(self.read('random')), 64)
        self.assertEqual(os.stat(self.path('random')).st_mode & 0o077, 0)
        self.tool('generate-random', '-n', '4', '-o', self.path('random'))
        self.assertRegex(self.read('random').decode(), r'^([0-9A-F]{2} ){4}\n$')
        self.assertEqual(os.stat(self.path('random')).st_mode & 0o077, 0)
        self.assertNotEqual(self.tool('generate-random', '-n', '16').stdout,
                            self.tool('generate-random', '-n', '16').stdout)
        self.fails(2, 'generate-random')
        self.fails(2, 'generate-random', '-n', 'many')
        self.fails(2, 'generate-random', '-n', '4', '-f', 'der')

    def test_key_not_for_the_operation(self):
        signing = self.create('ecc')
        encryption = self.create('rsa')
        proc = self.fails(2, 'sign', '-k', encryption, '-d', 'x')
        self.assertIn(b'not a signing key', proc.stderr)
        self.fails(2, 'verify', '-k', encryption, '-d', 'x', '--signature', self.write('s', b'\x00'))
        self.fails(2, 'encrypt', '-k', signing, '-d', 'x')
        self.fails(2, 'decrypt', '-k', signing, '-d', 'x')
        self.fails(3, 'sign', '-k', 'no-such-key', '-d', 'x')
        self.fails(3, 'encrypt', '-k', 'no-such-key', '-d', 'x')


class CsrTests(ToolTestCase):
    """Certificate signing requests, checked with openssl req."""

    def csr(self, key, *args):
        out = self.path('csr.pem')
        self.tool('create-csr', '-k', key, *args, '-o', out)
        self.openssl('req', '-verify', '-noout', '-in', out)
        return self.openssl('req', '-noout', '-text', '-in', out).stdout.decode()

    @needs_openssl
    def test_ecdsa(self):
        for curve, algorithm in (('p256', 'ecdsa-with-SHA256'), ('p384', 'ecdsa-with-SHA384'),
                                 ('p521', 'ecdsa-with-SHA512')):
            key, _ = self.create_ecc(curve)
            if self.provider.is_tpm and curve == 'p521':
                # The TPM provider makes P-521 keys but cannot sign with
                # them (it sizes r and s as 521 / 8 bytes).
                proc = self.tool('create-csr', '-k', key, '--cn', 'x', '-o', self.path('csr.pem'), status=None)
                self.assertTrue(is_provider_refusal(proc, b'PsaErrorGenericError',
                                                    b'PsaErrorCommunicationFailure'), proc.stderr)
                continue
            text = self.csr(key, '--cn', f'{curve}.example')
            self.assertIn(f'Signature Algorithm: {algorithm}', text)
            self.assertIn(f'CN = {curve}.example', text)
            # The request carries the key's public key.
            pub = self.openssl('req', '-noout', '-pubkey', '-in', self.path('csr.pem')).stdout
            self.assertEqual(pub, self.tool('export-public-key', '-k', key).stdout)

    @needs_openssl
    def test_rsa(self):
        text = self.csr(self.create('rsa', '--for-signing'), '--cn', 'rsa')
        self.assertIn('Signature Algorithm: sha256WithRSAEncryption', text)
        text = self.csr(self.create('rsa', '--for-signing', '--hash', 'sha384'), '--cn', 'rsa384')
        self.assertIn('Signature Algorithm: sha384WithRSAEncryption', text)
        for hash_name, bits in (('sha256', 'SHA256'), ('sha512', 'SHA512')):
            if self.provider.is_tpm:
                # The TPM provider makes RSA-PSS keys but does not sign
                # with them.
                proc = self.tool('create-csr', '-k', self.create('rsa', '--pss', '--hash', hash_name), '--cn', 'pss',
                                 '-o', self.path('csr.pem'), status=None)
                self.assertTrue(is_provider_refusal(proc, b'PsaErrorNotSupported'), proc.stderr)
                continue
            text = self.csr(self.create('rsa', '--pss', '--hash', hash_name), '--cn', 'pss')
            self.assertIn('Signature Algorithm: rsassaPss', text)
            self.assertIn(f'hash algorithm: {bits.lower()}', text.lower())
            self.assertIn(f'salt length: 0x{int(bits[3:]) // 8:x}', text.lower())
        # A policy that allows any hash signs with SHA-256; the TPM
        # provider holds no such key.
        if self.provider.is_tpm:
            proc = self.tool('create-ecc-key', '-k', self.key_name(), '--hash', 'any', status=None)
            self.assertTrue(is_provider_refusal(proc), proc.stderr)
            return
        text = self.csr(self.create('ecc', '--hash', 'any'), '--cn', 'any')
        self.assertIn('Signature Algorithm: ecdsa-with-SHA256', text)

    @needs_openssl
    def test_subject_and_alt_names(self):
        key = self.create('ecc')
        self.csr(key, '--c', 'DE', '--st', 'Bayern', '--l', 'München', '--o', 'Example e.V.',
                 '--ou', 'Unit A', '--ou', 'Unit B', '--cn', 'host.example', '--serial-number', '1234-5',
                 '--san', 'host.example', '--san', 'DNS:www.host.example', '--san', 'IP:192.0.2.1',
                 '--san', 'IP:2001:db8::1', '--san', 'email:admin@host.example', '--san', 'URI:https://host.example/')
        subject = self.openssl('req', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb', '-in',
                               self.path('csr.pem')).stdout.decode()
        # parsec-tool's order: CN, OU, O, L, ST, C, serialNumber (RFC 2253 lists it backwards)
        self.assertEqual(subject.strip(), 'subject=serialNumber=1234-5,C=DE,ST=Bayern,L=München,O=Example e.V.,'
                                          'OU=Unit B,OU=Unit A,CN=host.example')
        self.assertIn(b'PRINTABLESTRING   :DE', self.openssl('asn1parse', '-in', self.path('csr.pem')).stdout)
        text = self.openssl('req', '-noout', '-text', '-in', self.path('csr.pem')).stdout.decode()
        self.assertIn('DNS:host.example, DNS:www.host.example, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1, '
                      'email:admin@host.example, URI:https://host.example/', text)
        # parsec-tool's spelling, and several names after one --san
        self.csr(key, '--serialNumber', '42', '--cn', 'x', '--san', 'a.example', 'b.example', '-f', 'pem')
        text = self.openssl('req', '-noout', '-text', '-in', self.path('csr.pem')).stdout.decode()
        self.assertIn('DNS:a.example, DNS:b.example', text)
        # Values that are no PrintableString are UTF8Strings, as parsec-tool writes them all
        self.csr(key, '--c', 'Germany', '--serialNumber', 'ä')
        parsed = self.openssl('asn1parse', '-in', self.path('csr.pem')).stdout
        self.assertIn(b'UTF8STRING        :Germany', parsed)

    @needs_openssl
    def test_formats(self):
        key = self.create('ecc')
        self.tool('create-csr', '-k', key, '--cn', 'der', '-f', 'der', '-o', self.path('csr.der'))
        self.openssl('req', '-inform', 'DER', '-verify', '-noout', '-in', self.path('csr.der'))
        b64 = self.tool('create-csr', '-k', key, '--cn', 'b64', '-f', 'base64').stdout
        self.write('csr2.der', base64.b64decode(b64))
        self.openssl('req', '-inform', 'DER', '-verify', '-noout', '-in', self.path('csr2.der'))
        pem = self.tool('create-csr', '-k', key, '--cn', 'stdout', '-f', 'pem').stdout
        self.assertTrue(pem.startswith(b'-----BEGIN CERTIFICATE REQUEST-----\n'))
        self.assertTrue(pem.endswith(b'-----END CERTIFICATE REQUEST-----\n'))
        self.assertNotIn(b'\r', pem)
        # By default as parsec-tool prints it: CRLF line ends, then an empty line
        text = self.tool('create-csr', '-k', key, '--cn', 'stdout').stdout
        self.assertTrue(text.startswith(b'-----BEGIN CERTIFICATE REQUEST-----\r\n'))
        self.assertTrue(text.endswith(b'-----END CERTIFICATE REQUEST-----\r\n\n'))
        self.assertEqual(text.count(b'\n'), text.count(b'\r\n') + 1)
        self.write('csr4.pem', text)
        self.openssl('req', '-verify', '-noout', '-in', self.path('csr4.pem'))
        request = self.tool_json('create-csr', '-k', key, '--cn', 'json')
        self.assertEqual(request['key_name'], key)
        self.assertEqual(request['format'], 'pem')
        self.write('csr3.pem', request['csr'].encode())
        self.openssl('req', '-verify', '-noout', '-in', self.path('csr3.pem'))
        # Without a subject: an empty name is still a valid request.
        self.tool('create-csr', '-k', key, '-o', self.path('empty.pem'))
        self.openssl('req', '-verify', '-noout', '-in', self.path('empty.pem'))

    def test_refused(self):
        self.fails(2, 'create-csr', '-k', self.create('rsa'), '--cn', 'x')
        key = self.create('ecc')
        self.fails(2, 'create-csr', '-k', key, '--san', 'IP:not-an-address')
        self.fails(2, 'create-csr', '-k', key, '--san', 'X400:foo')
        self.fails(2, 'create-csr', '--cn', 'x')
        self.fails(2, 'create-csr', '-k', key, '-f', 'raw')
        self.fails(3, 'create-csr', '-k', 'no-such-key', '--cn', 'x')


@needs_openssl
class ImportTests(ToolTestCase):
    """import-key of key files made by OpenSSL."""

    def genpkey(self, name, *args):
        self.openssl('genpkey', *args, '-out', self.path(name))
        return self.path(name)

    def convert(self, source, name, *args, command='pkey'):
        self.openssl(command, '-in', source, *args, '-out', self.path(name))
        return self.path(name)

    def provider_imports_key_pairs(self):
        """Whether the service's provider imports private keys, as it
        answers one: the TPM provider imports public keys only
        (PsaErrorNotSupported), and the tests of private key files then
        check that refusal."""
        pem = self.genpkey('probe.pem', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256')
        name = self.key_name()
        proc = self.tool('import-key', '-k', name, '-i', pem, status=None)
        if proc.returncode == 0:
            self.tool('delete-key', '-k', name)
            return True
        self.assertTrue(is_provider_refusal(proc, b'PsaErrorNotSupported'), proc.stderr)
        return False

    def check_signing(self, key, private_pem, digest='-sha256', pss=False):
        """Signs with the imported key and verifies with OpenSSL, and the
        other way round."""
        data = self.write('data', b'imported and used')
        pub = self.convert(private_pem, 'pub.pem', '-pubout')
        sig = self.write('sig', self.tool('sign', '-k', key, '-i', data, '-f', 'der').stdout)
        # PSA's RSA-PSS salt is as long as the hash.
        opts = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'] if pss else []
        self.openssl('dgst', digest, *opts, '-verify', pub, '-signature', sig, data)
        self.openssl('dgst', digest, *opts, '-sign', private_pem, '-out', self.path('osig'), data)
        self.tool('verify', '-k', key, '-i', data, '--signature', self.path('osig'))

    def test_rsa_private_keys(self):
        if not self.provider_imports_key_pairs():
            return
        pkcs8 = self.genpkey('rsa.pem', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048')
        files = [
            pkcs8,
            self.convert(pkcs8, 'rsa8.der', '-outform', 'DER'),
            self.convert(pkcs8, 'rsa1.pem', '-traditional', command='rsa'),
            self.convert(pkcs8, 'rsa1.der', '-traditional', '-outform', 'DER', command='rsa'),
        ]
        for file in files:
            key = self.import_key('-i', file, '--for-signing')
            self.check_signing(key, pkcs8)
        key = self.import_key('-i', pkcs8, '--pss')
        self.check_signing(key, pkcs8, pss=True)
        key = self.import_key('--for-signing', input=self.read('rsa1.der'))
        self.check_signing(key, pkcs8)
        imported = self.tool_json('import-key', '-k', self.key_name(), '-d', self.read('rsa.pem').decode())
        self.addCleanup(self.tool, 'delete-key', '-k', imported['key_name'])
        self.assertEqual((imported['imported'], imported['type'], imported['bits'], imported['algorithm']),
                         (True, 'rsa-key-pair', 2048, 'RSA PKCS#1 v1.5 encryption'))

    def test_ec_private_keys(self):
        if not self.provider_imports_key_pairs():
            return
        for curve, bits, digest in (('P-256', 256, '-sha256'), ('P-384', 384, '-sha384'), ('P-521', 521, '-sha512')):
            pkcs8 = self.genpkey('ec.pem', '-algorithm', 'EC', '-pkeyopt', f'ec_paramgen_curve:{curve}')
            files = [
                pkcs8,
                self.convert(pkcs8, 'ec8.der', '-outform', 'DER'),
                self.convert(pkcs8, 'sec1.pem', command='ec'),
                self.convert(pkcs8, 'sec1.der', '-outform', 'DER', command='ec'),
            ]
            for file in files:
                key = self.import_key('-i', file)
                # Imported with 0 bits, "from the data" (which sidesteps
                # Parsec 1.5's refusal of 384), so listed with 0 bits
                listed = self.listed(key)
                self.assertEqual((listed['type'], listed['bits']), ('ecc-key-pair', 0))
                text = self.openssl('pkey', '-pubin', '-in', self.public_pem(key), '-noout', '-text').stdout
                self.assertIn(f'({bits} bit)'.encode(), text)
                self.check_signing(key, pkcs8, digest)

    def test_encrypted_private_key(self):
        if not self.provider_imports_key_pairs():
            return
        plain = self.genpkey('ec.pem', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256')
        password = self.write('password', b'correct horse\n')
        for outform in ('PEM', 'DER'):
            encrypted = self.convert(plain, f'enc.{outform}', '-topk8', '-v2', 'aes-256-cbc', '-outform', outform,
                                     '-passout', 'pass:correct horse', command='pkcs8')
            proc = self.fails(2, 'import-key', '-k', 'encrypted', '-i', encrypted)
            self.assertIn(b'--password-file', proc.stderr)
            self.assertNotIn(b'horse', proc.stderr)
            wrong = self.write('wrong', b'wrong horse\n')
            proc = self.fails(2, 'import-key', '-k', 'encrypted', '-i', encrypted, '--password-file', wrong)
            self.assertNotIn(b'horse', proc.stderr)
            key = self.import_key('-i', encrypted, '--password-file', password)
            self.check_signing(key, plain)

    def test_public_keys(self):
        ec = self.genpkey('ec.pem', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384')
        data = self.write('data', b'verified by the service')
        self.openssl('dgst', '-sha384', '-sign', ec, '-out', self.path('sig'), data)
        for file in (self.convert(ec, 'pub.pem', '-pubout'), self.convert(ec, 'pub.der', '-pubout', '-outform', 'DER')):
            key = self.import_key('-i', file)
            listed = next(k for k in self.tool_json('list-keys') if k['name'] == key)
            self.assertEqual((listed['type'], listed['usage']), ('ecc-public-key', ['verify-message', 'verify-hash']))
            self.tool('verify', '-k', key, '-i', data, '--signature', self.path('sig'))
            self.fails(3, 'sign', '-k', key, '-i', data)
            self.assertEqual(self.tool('export-public-key', '-k', key).stdout, self.read('pub.pem'))

        rsa = self.genpkey('rsa.pem', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048')
        for file in (self.convert(rsa, 'rsapub.pem', '-pubout'),
                     self.convert(rsa, 'rsapub1.pem', '-RSAPublicKey_out', command='rsa'),
                     self.convert(rsa, 'rsapub1.der', '-RSAPublicKey_out', '-outform', 'DER', command='rsa')):
            key = self.import_key('-i', file)
            self.write('ct', self.tool('encrypt', '-k', key, '-d', 'for openssl', '-f', 'raw').stdout)
            plain = self.openssl('pkeyutl', '-decrypt', '-inkey', rsa, '-in', self.path('ct')).stdout
            self.assertEqual(plain, b'for openssl')
            self.fails(3, 'decrypt', '-k', key, '-i', self.path('ct'))

    def test_certificate(self):
        ec = self.genpkey('ec.pem', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256')
        self.openssl('req', '-x509', '-new', '-key', ec, '-subj', '/CN=cert', '-days', '1', '-out', self.path('cert.pem'))
        key = self.import_key('-i', self.path('cert.pem'))
        data = self.write('data', b'x')
        self.openssl('dgst', '-sha256', '-sign', ec, '-out', self.path('sig'), data)
        self.tool('verify', '-k', key, '-i', data, '--signature', self.path('sig'))

    def test_psa_format(self):
        if not self.provider_imports_key_pairs():
            return
        source = self.create('ecc', '--exportable')
        raw_public = self.write('pub.raw', self.tool('export-public-key', '-k', source, '-f', 'raw').stdout)
        raw_private = self.write('key.raw', self.tool('export-key', '-k', source, '-f', 'raw', '-o', '-').stdout)
        public = self.import_key('-i', raw_public, '--input-format', 'raw', '--type', 'ecc-public-key', '--curve', 'p256')
        private = self.import_key('-i', raw_private, '--input-format', 'psa', '--type', 'ecc-key-pair', '-c', 'p256')
        sig = self.write('sig', self.tool('sign', '-k', private, '-d', 'psa').stdout)
        self.tool('verify', '-k', public, '-d', 'psa', '--signature', sig)
        self.tool('verify', '-k', source, '-d', 'psa', '--signature', sig)

        rsa = self.create('rsa', '--exportable', '--for-signing')
        raw_rsa = self.write('rsa.raw', self.tool('export-key', '-k', rsa, '-f', 'raw', '-o', '-').stdout)
        imported = self.import_key('-i', raw_rsa, '--input-format', 'raw', '--type', 'rsa-key-pair', '-s')
        sig = self.write('rsig', self.tool('sign', '-k', imported, '-d', 'psa').stdout)
        self.tool('verify', '-k', rsa, '-d', 'psa', '--signature', sig)
        raw_rsa_public = self.write('rsapub.raw', self.tool('export-public-key', '-k', rsa, '-f', 'raw').stdout)
        imported = self.import_key('-i', raw_rsa_public, '--input-format', 'raw', '--type', 'rsa-public-key', '-s')
        self.tool('verify', '-k', imported, '-d', 'psa', '--signature', sig)

        self.fails(2, 'import-key', '-k', 'x', '-i', raw_public, '--input-format', 'raw')
        self.fails(2, 'import-key', '-k', 'x', '-i', raw_public, '--input-format', 'raw', '--type', 'ecc-public-key')
        self.fails(2, 'import-key', '-k', 'x', '-i', raw_public, '--input-format', 'raw', '--type', 'ecc-key-pair',
                   '--curve', 'p256')
        self.fails(2, 'import-key', '-k', 'x', '-i', raw_public, '--input-format', 'raw', '--type', 'dsa')
        self.fails(2, 'import-key', '-k', 'x', '-i', raw_public, '--type', 'ecc-public-key')

    def test_export_round_trip(self):
        if not self.provider_imports_key_pairs():
            return
        pkcs8 = self.genpkey('rsa.pem', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048')
        key = self.import_key('-i', pkcs8, '--exportable')
        exported = self.tool('export-key', '-k', key, '-o', '-').stdout
        self.assertEqual(exported, self.openssl('pkey', '-in', pkcs8).stdout)
        ec = self.genpkey('ec.pem', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256')
        key = self.import_key('-i', ec, '--exportable')
        exported = self.write('exported.pem', self.tool('export-key', '-k', key, '-o', '-').stdout)
        self.assertEqual(self.openssl('pkey', '-in', exported, '-pubout').stdout,
                         self.openssl('pkey', '-in', ec, '-pubout').stdout)

    def test_refused(self):
        self.fails(2, 'import-key', '-k', 'x', '-d', 'garbage')
        self.fails(2, 'import-key', '-k', 'x', '-d', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')
        self.fails(2, 'import-key', '-k', 'x', '-d', '-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n')
        self.fails(2, 'import-key', '-k', 'x', '-d', '-----BEGIN PRIVATE KEY-----\nAAAA\n')
        self.fails(2, 'import-key', '-k', 'x', '-i', self.path('missing.pem'))
        ed = self.genpkey('ed.pem', '-algorithm', 'ED25519')
        proc = self.fails(2, 'import-key', '-k', 'x', '-i', ed)
        self.assertIn(b'only RSA and elliptic-curve', proc.stderr)
        ec = self.genpkey('ec.pem', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256')
        self.fails(2, 'import-key', '-k', 'x', '-i', ec, '--for-encryption')
        self.fails(2, 'import-key', '-i', ec)
        # A name taken: with a public key where the provider imports no
        # key pair (TPM).
        if not self.provider_imports_key_pairs():
            ec = self.convert(ec, 'ec-pub.pem', '-pubout')
        key = self.import_key('-i', ec)
        self.fails(3, 'import-key', '-k', key, '-i', ec)


class ErrorsTests(ToolTestCase):
    """Exit statuses and messages of failures."""

    def test_usage(self):
        for status, env in ((1, None), (2, DETAILED)):
            proc = self.tool(status=status, env=env)
            self.assertEqual(proc.stderr,
                             b'parsec-glib-tool: no command given; see \xe2\x80\x9cparsec-glib-tool --help\xe2\x80\x9d\n')
            self.assertIn(b'unknown command', self.tool('frobnicate', status=status, env=env).stderr)
            self.tool('--frobnicate', status=status, env=env)
        self.fails(2, 'ping', '--frobnicate')
        self.fails(2, 'ping', '-t', '5')
        self.fails(2, 'ping', 'extra')
        self.fails(2, 'sign', '-d', 'x')
        self.fails(2, 'export-public-key', '-k', 'k', '--format', 'jpeg')
        self.fails(2, 'ping', '--auth', 'magic')
        self.fails(2, 'ping', '--provider', 'hsm')
        self.fails(2, 'ping', '--provider', '256')
        self.fails(2, 'ping', '--provider', '7')
        self.fails(2, 'ping', '--timeout', 'soon')
        self.fails(2, 'ping', '--timeout', '-1')
        self.fails(2, 'delete-client')
        self.fails(2, 'ping', '--jwt-svid-file', self.path('missing'))

    def test_json_errors(self):
        """Under --json, before or after the command, a failure is one JSON
        object on standard error, with the exit status it causes."""
        cases = (
            (('--json', 'sign', '-d', 'x'), 'sign', 'parsec-glib-tool-error-quark', 'usage', 2),
            (('sign', '-k', 'missing', '-d', 'x', '--json'), 'sign', 'parsec-error-quark',
             'psa-does-not-exist', 3),
            (('--json', 'ping', '--endpoint', 'unix:' + self.path('nowhere.sock')), 'ping', 'parsec-error-quark',
             'service-unavailable', 4),
            (('--json', 'frobnicate'), None, 'parsec-glib-tool-error-quark', 'usage', 2),
            (('ping', '--json', '--frobnicate'), 'ping', 'g-option-context-error-quark', None, 2),
        )
        for args, command, domain, name, detailed in cases:
            for status, env in ((1, None), (detailed, DETAILED)):
                proc = self.tool(*args, status=status, env=env)
                self.assertEqual(proc.stdout, b'')
                error = json.loads(proc.stderr)['error']
                self.assertEqual((error['command'], error['domain'], error['name'], error['exit_status']),
                                 (command, domain, name, status), error)
                self.assertIsInstance(error['code'], int)
                self.assertTrue(error['message'])
        # Without --json, the plain line
        self.assertTrue(self.tool('sign', '-d', 'x', status=1).stderr.startswith(PREFIX + b'sign: '))

    def test_terminal_input_note(self):
        """A command that reads standard input from a terminal says so on
        standard error, and reads it; from a pipe it says nothing."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([TOOL, 'hash'], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        try:
            # The note comes before the tool reads anything.
            line = proc.stderr.readline()
            self.assertIn(b'reading the input from the terminal', line)
            self.assertIn(b'Ctrl-D', line)
            os.write(master, b'abc\n')
            os.write(master, b'\x04')
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)
        if not self.provider.offers(PSA_HASH_COMPUTE):
            # No hashes (the TPM provider): the input was read, then the
            # library refused the request.
            done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
            self.assertTrue(is_provider_refusal(done, b'does not support PsaHashCompute'), err)
            self.assertEqual(self.tool('hash', input=b'abc\n', status=None).stderr, err)
            return
        self.assertEqual((proc.returncode, err), (0, b''))
        self.assertEqual(out.strip().decode(), hashlib.sha256(b'abc\n').hexdigest())
        self.assertEqual(self.tool('hash', input=b'abc\n').stderr, b'')

    def test_exit_status_option(self):
        # The option, wherever it is, outranks the environment.
        self.tool('--exit-status', 'detailed', 'sign', '-d', 'x', status=2)
        self.tool('sign', '-d', 'x', '--exit-status=detailed', status=2)
        self.tool('--exit-status=parsec-tool', 'sign', '-d', 'x', status=1, env=DETAILED)
        self.tool('--exit-status', 'detailed', 'ping', '--frobnicate', status=2)
        self.tool('--exit-status', 'detailed', '--frobnicate', status=2)
        self.tool('--exit-status', 'sometimes', 'ping', status=1)
        self.tool('ping', '--exit-status', 'sometimes', status=1)
        self.tool('ping', '--exit-status', 'parsec-tool')
        self.tool('ping', env={'PARSEC_GLIB_TOOL_EXIT_STATUS': 'parsec-tool'})

    def test_service_status(self):
        for args in (('sign', '-k', 'missing', '-d', 'x'), ('export-public-key', '-k', 'missing'),
                     ('export-key', '-k', 'missing'), ('delete-key', '-k', 'missing'),
                     ('create-csr', '-k', 'missing')):
            self.fails(3, *args)
        # Not an administrator (the service has none)
        self.fails(3, 'list-clients')
        self.fails(3, 'generate-random', '-n', str(2 * 1024 * 1024))

    def test_no_service(self):
        nowhere = 'unix:' + self.path('nowhere.sock')
        proc = self.fails(4, 'ping', '--endpoint', nowhere)
        self.assertIn(b'nowhere.sock', proc.stderr)
        self.fails(4, 'list-keys', '--endpoint', nowhere)
        env = dict(os.environ, PARSEC_SERVICE_ENDPOINT=nowhere)
        self.fails(4, 'ping', env=env)
        self.fails(4, 'ping', '--endpoint', 'http://localhost/')
        # The option outranks the environment, both ways.
        self.tool('ping', '--endpoint', os.environ['PARSEC_SERVICE_ENDPOINT'], env=env)
        self.tool('--endpoint', os.environ['PARSEC_SERVICE_ENDPOINT'], 'ping', env=env)

    def test_timeout(self):
        # A socket that listens but never answers
        path = self.path('silent.sock')
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(path)
            server.listen(8)
            start = time.monotonic()
            proc = self.fails(4, 'ping', '--endpoint', 'unix:' + path, '--timeout', '1')
            self.assertLess(time.monotonic() - start, 30)
            self.assertTrue(proc.stderr)

    def test_protocol_violation(self):
        path = self.path('garbage.sock')
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(8)
        done = threading.Event()

        def answer_garbage():
            server.settimeout(0.2)
            while not done.is_set():
                try:
                    conn, _ = server.accept()
                except OSError:
                    continue
                with conn:
                    conn.settimeout(1)
                    try:
                        conn.recv(4096)
                        conn.sendall(b'this is not a Parsec response header at all')
                    except OSError:
                        pass

        thread = threading.Thread(target=answer_garbage)
        thread.start()
        try:
            self.fails(4, 'ping', '--endpoint', 'unix:' + path, '--timeout', '5')
        finally:
            done.set()
            thread.join()
            server.close()

    def test_output_not_writable(self):
        self.fails(5, 'ping', '--output', self.path('no/such/dir/out'))
        self.fails(5, 'generate-random', '-n', '4', '--output', self.path('no/such/dir/out'))

    def test_one_line_errors(self):
        # Messages from the library may span lines; the tool's never do.
        self.fails(3, 'delete-key', '-k', 'line\nbreak')


class PeerCredentialsTests(ToolTestCase):
    """Authentication methods (service with --authenticator unix-peer-credentials)."""

    def test_authenticator(self):
        self.assertEqual([a['name'] for a in self.tool_json('list-authenticators')], ['unix-peer-credentials'])

    def test_auth_methods(self):
        key = self.create('ecc')
        sig = self.write('sig', self.tool('sign', '-k', key, '-d', 'uid').stdout)
        self.tool('--auth', 'unix-peer-credentials', 'verify', '-k', key, '-d', 'uid', '--signature', sig)
        self.tool('verify', '-k', key, '-d', 'uid', '--signature', sig, '--auth', 'auto')
        # The application name plays no part here.
        self.tool('verify', '-k', key, '-d', 'uid', '--signature', sig, '--app-name', 'someone-else')
        self.assertIn(key, [k['name'] for k in self.tool_json('list-keys')])
        # Methods the service does not run
        self.fails(3, 'list-keys', '--auth', 'direct')
        self.fails(3, 'list-keys', '--auth', 'none')
        token = self.write('token', b'header.payload.signature\n')
        self.fails(3, 'list-keys', '--auth', 'jwt-svid', '--jwt-svid-file', token)
        self.fails(2, 'list-keys', '--auth', 'jwt-svid')
        # Operations without authentication work with any method; hashes
        # where the provider has them (not the TPM provider).
        self.tool('ping', '--auth', 'none')
        if self.provider.offers(PSA_HASH_COMPUTE):
            self.tool('hash', '-d', 'x', '--auth', 'none')
        else:
            proc = self.tool('hash', '-d', 'x', '--auth', 'none', status=None)
            self.assertTrue(is_provider_refusal(proc, b'does not support PsaHashCompute'), proc.stderr)

    def test_user_namespace(self):
        """The keys are the user's: the tool says so where a name was given."""
        key = self.create('ecc')
        listed = self.tool('list-keys', '--app-name', 'someone-else', status=None)
        self.assertEqual(listed.returncode, 0)
        self.assertIn(key.encode(), listed.stdout)
        self.assertIn(f'the keys are those of uid {os.geteuid()}'.encode(), listed.stderr)
        # The PKCS #11 URI names the user's token, whatever the name.
        uri = self.tool('pkcs11-uri', '--app-name', 'someone-else', status=None).stdout.decode()
        self.assertTrue(uri.startswith(f'pkcs11:token=Parsec%20uid%20{os.geteuid()};serial='), uri)
        self.assertEqual(self.tool('pkcs11-uri').stdout.decode(), uri)


if __name__ == '__main__':
    # python3 test_tool.py CLASS: one group against the service the wrapper started
    unittest.main(verbosity=2)
