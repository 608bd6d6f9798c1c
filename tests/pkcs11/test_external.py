#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The PKCS #11 module as other programs use it, against the test service.

Run by meson through parsec-test-env, which starts a private service and
exports PARSEC_SERVICE_ENDPOINT:

    parsec-test-env python3 test_external.py [CLASS]

Keys are made with parsec-glib-tool; p11tool (GnuTLS), pkcs11-tool
(OpenSC), OpenSSL through libengine-pkcs11-openssl, ssh-keygen, NSS's
certutil and PyKCS11 then reach them through the module, and their results
are checked with OpenSSL against the public keys the tool exports. TLS
clients (gnutls-cli, curl, openssl s_client, NSS's tstclnt) authenticate
to an openssl s_server, and ssh logs in to an sshd, both on loopback and
started by the tests. The tool's own commands for the
module's users (pkcs11-uri, create-certificate) are checked here too. Each test has a token of its
own (an application name) and a certificate store of its own.
"""

import hashlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

TOOL = os.environ['PARSEC_GLIB_TOOL']
MODULE = os.environ['PARSEC_PKCS11_MODULE']
OPENSSL = shutil.which('openssl')
P11TOOL = shutil.which('p11tool')
PKCS11_TOOL = shutil.which('pkcs11-tool')
SSH_KEYGEN = shutil.which('ssh-keygen')
SSH = shutil.which('ssh')
SSHD = shutil.which('sshd', path='/usr/sbin:/usr/local/sbin:' + os.environ.get('PATH', ''))
GNUTLS_CLI = shutil.which('gnutls-cli')
CURL = shutil.which('curl')
CERTUTIL = shutil.which('certutil')
MODUTIL = shutil.which('modutil')
TSTCLNT = shutil.which('tstclnt') or next(
    (path for path in ('/usr/lib/nss/tstclnt', '/usr/lib/x86_64-linux-gnu/nss/tstclnt') if os.path.exists(path)), None)
try:
    import PyKCS11
except ImportError:
    PyKCS11 = None
ENGINE = next((path for path in ('/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so',
                                 '/usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so')
               if os.path.exists(path)), None)

# What the module offers, whatever keys there are.
MECHANISMS = [
    'CKM_RSA_PKCS_KEY_PAIR_GEN', 'CKM_RSA_PKCS', 'CKM_SHA256_RSA_PKCS', 'CKM_SHA384_RSA_PKCS',
    'CKM_SHA512_RSA_PKCS', 'CKM_RSA_PKCS_PSS', 'CKM_SHA256_RSA_PKCS_PSS', 'CKM_SHA384_RSA_PKCS_PSS',
    'CKM_SHA512_RSA_PKCS_PSS', 'CKM_RSA_PKCS_OAEP', 'CKM_ECDSA_KEY_PAIR_GEN', 'CKM_ECDSA',
    'CKM_ECDSA_SHA256', 'CKM_ECDSA_SHA384', 'CKM_ECDSA_SHA512',
]
# Then, where the service's provider lists their operations: digests,
# AES and ChaCha20 keys with AEAD, ECDH (p11tool's names; pkcs11-tool's
# come from these, or are a number where it has none)
SERVICE_MECHANISMS = {
    'CKM_SHA_1', 'CKM_SHA224', 'CKM_SHA256', 'CKM_SHA384', 'CKM_SHA512', 'CKM_AES_KEY_GEN',
    'CKM_AES_GCM', 'CKM_AES_CCM', 'CKM_ECDH1_DERIVE',
}
PKCS11_TOOL_SERVICE_MECHANISMS = {
    'SHA-1', 'SHA224', 'SHA256', 'SHA384', 'SHA512', 'AES-KEY-GEN', 'AES-GCM', 'AES-CCM',
    'mechtype-0x1088', 'mechtype-0x1225', 'mechtype-0x4021', 'ECDH1-DERIVE',
}


def needs(program, name):
    return unittest.skipUnless(program, f'{name} is not installed')


class ModuleTestCase(unittest.TestCase):
    """A token of the test's own, keys made with the tool, a directory."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix='parsec-pkcs11-test.')
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        # Token labels have 32 characters: a short name for each test
        self.app = 'p11-' + hashlib.sha256(self.id().encode()).hexdigest()[:10]
        self.env = dict(os.environ,
                        PARSEC_PKCS11_APPLICATION_NAME=self.app,
                        PARSEC_PKCS11_STORE_DIR=os.path.join(self.dir, 'store'))
        # A service that keeps keys per user has one token, the user's.
        if os.environ.get('PARSEC_TEST_AUTHENTICATOR') == 'unix-peer-credentials':
            self.token_label = f'Parsec uid {os.geteuid()}'
        else:
            self.token_label = f'Parsec {self.app}'
        self.token = 'pkcs11:token=' + self.token_label.replace(' ', '%20')

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), 'wb') as f:
            f.write(data)
        return self.path(name)

    def run_program(self, *args, status=0, input=None, env=None, timeout=300):
        proc = subprocess.run(args, input=input, capture_output=True, env=env or self.env, timeout=timeout,
                              cwd=self.dir)
        if status is not None:
            self.assertEqual(proc.returncode, status,
                             msg=f'{args}: exit {proc.returncode}\n{proc.stdout.decode()}\n{proc.stderr.decode()}')
        return proc

    def tool(self, *args, **kwargs):
        return self.run_program(TOOL, '--app-name', self.app, *args, **kwargs)

    def create(self, name, kind, *args):
        self.tool(f'create-{kind}-key', '-k', name, *args)
        self.addCleanup(self.tool, 'delete-key', '-k', name, status=None)
        return name

    def create_if_served(self, name, kind, *args):
        """Creates a key, or returns None where the service refuses its
        policy, which the tool must say clearly. The TPM provider refuses
        RSA-PSS keys and policies for any hash."""
        proc = self.tool(f'create-{kind}-key', '-k', name, *args, status=None)
        if proc.returncode != 0:
            self.assertEqual(proc.returncode, 1)
            self.assertRegex(proc.stderr.decode(), r'refused PsaGenerateKey .*\((PsaErrorNotSupported|PsaErrorInvalidArgument), status')
            return None
        self.addCleanup(self.tool, 'delete-key', '-k', name, status=None)
        return name

    def create_pss(self, name):
        """An RSA-PSS key that signs, or None where the service makes no
        such key or refuses to sign with it (the TPM provider makes PSS keys
        but answers PsaSignHash with NotSupported), checking the refusal."""
        if not self.create_if_served(name, 'rsa', '--pss'):
            return None
        proc = self.tool('sign', '-k', name, 'probe', status=None)
        if proc.returncode == 0:
            return name
        self.assertIn('(PsaErrorNotSupported, status', proc.stderr.decode())
        return None

    def create_any_hash(self, name, kind, *args):
        """A signing key for any hash where the service makes one, else
        for SHA-256, which the tests sign with."""
        return (self.create_if_served(name, kind, *args, '-H', 'any') or
                self.create(name, kind, *args, '-H', 'sha256'))

    def public_pem(self, name):
        path = self.path(f'{name}.pem')
        self.tool('export-public-key', '-k', name, '-o', path)
        return path

    def uri(self, name, kind='private'):
        return f'{self.token};object={name};type={kind}'

    def openssl_engine_env(self):
        """The environment of an OpenSSL program whose pkcs11 engine
        (libengine-pkcs11-openssl) loads the module."""
        config = (f'openssl_conf = openssl_init\n[openssl_init]\nengines = engine_section\n'
                  f'[engine_section]\npkcs11 = pkcs11_section\n'
                  f'[pkcs11_section]\nengine_id = pkcs11\ndynamic_path = {ENGINE}\n'
                  f'MODULE_PATH = {MODULE}\ninit = 0\n')
        return dict(self.env, OPENSSL_CONF=self.write('openssl.cnf', config.encode()))

    def key_policy(self, name):
        """The key's type and policy, as list-keys shows them."""
        listed = self.tool('list-keys').stdout.decode()
        line = re.search(rf'^\* {re.escape(name)} \((.*)\)$', listed, re.M)
        self.assertIsNotNone(line, msg=listed)
        return line.group(1)

    def nss_database(self):
        """A new NSS database (no password) with the module added, as modutil adds it."""
        os.mkdir(self.path('nssdb'))
        database = 'sql:' + self.path('nssdb')
        self.run_program(CERTUTIL, '-N', '-d', database, '--empty-password')
        self.run_program(MODUTIL, '-add', 'parsec', '-libfile', MODULE, '-dbdir', database, '-force')
        return database

    def create_imported_ecc(self, name, curve):
        """An ECDSA key on a curve the service imports but may not make
        (Parsec 1.5.0 makes no P-384 keys), for any hash."""
        self.run_program(OPENSSL, 'genpkey', '-algorithm', 'EC', '-pkeyopt', f'ec_paramgen_curve:{curve}',
                         '-out', f'{name}.key')
        self.tool('import-key', '-k', name, '-i', self.path(f'{name}.key'), '--for-signing', '-H', 'any')
        self.addCleanup(self.tool, 'delete-key', '-k', name, status=None)
        return name

    def create_ecc_on(self, name, curve):
        """An ECDSA key on @curve (p384, p521) with the tool's default
        policy; imported for any hash where the service makes no such key
        (Parsec 1.5.0's Mbed Crypto provider makes no P-384 key; the TPM
        provider makes them, but imports no private key)."""
        if self.create_if_served(name, 'ecc', '-c', curve):
            return name
        return self.create_imported_ecc(name, {'p384': 'P-384', 'p521': 'P-521'}[curve])


@needs(P11TOOL, 'p11tool (gnutls-bin)')
class P11toolTests(ModuleTestCase):
    def p11tool(self, *args, **kwargs):
        return self.run_program(P11TOOL, '--provider', MODULE, *args, **kwargs)

    def test_list_all(self):
        self.create('ec', 'ecc')
        self.create('rsa', 'rsa', '--for-signing')
        out = self.p11tool('--list-all', self.token).stdout.decode()
        objects = re.findall(r'Type: (.*)\n\tLabel: (.*)\n', out)
        self.assertCountEqual(objects, [
            ('Private key (EC/ECDSA-SECP256R1)', 'ec'), ('Public key (EC/ECDSA-SECP256R1)', 'ec'),
            ('Private key (RSA-2048)', 'rsa'), ('Public key (RSA-2048)', 'rsa'),
        ])
        # Private keys never leave the service.
        self.assertEqual(out.count('CKA_SENSITIVE'), 2)
        self.assertNotIn('CKA_EXTRACTABLE', out)

    def test_token(self):
        out = self.p11tool('--list-tokens').stdout.decode()
        self.assertIn(f'Label: {self.token_label}', out)
        self.assertIn('Manufacturer: Parsec (parsec-glib)', out)

    def test_list_mechanisms(self):
        out = self.p11tool('--list-mechanisms', self.token).stdout.decode()
        names = re.findall(r'\] (CKM_\S+)', out)
        self.assertEqual(names[:len(MECHANISMS)], MECHANISMS)
        self.assertLessEqual(set(names[len(MECHANISMS):]), SERVICE_MECHANISMS)

    def test_sign(self):
        self.create('ec', 'ecc')
        self.create('rsa', 'rsa', '--for-signing')
        keys = [('ec', []), ('rsa', [])]
        if self.create_if_served('pss', 'rsa', '--pss', '-H', 'any'):
            keys.append(('pss', ['--sign-params', 'RSA-PSS']))
        for key, options in keys:
            proc = self.p11tool('--test-sign', *options, self.uri(key))
            # p11tool writes some of its progress on stderr
            self.assertIn('Verifying against public key in the token... ok', (proc.stdout + proc.stderr).decode())

    def test_generate_and_delete(self):
        self.p11tool('--generate-privkey', 'ecdsa', '--curve', 'secp256r1', '--label', 'made',
                     '--id', '0a0b', self.token, '--no-mark-private')
        self.addCleanup(self.tool, 'delete-key', '-k', 'made', status=None)
        keys = self.tool('list-keys').stdout.decode()
        self.assertIn('made', keys)
        out = self.p11tool('--list-all', self.token).stdout.decode()
        self.assertIn('ID: 0a:0b', out)
        self.p11tool('--delete', '--batch', f'{self.token};object=made')
        self.assertNotIn('made', self.tool('list-keys').stdout.decode())

    def test_certificate(self):
        # A certificate signed with the token's key, then stored beside it.
        self.create('ec', 'ecc')
        template = self.write('cert.cfg', b'cn = "parsec pkcs11 test"\nserial = 7\nexpiration_days = 2\n')
        self.run_program('certtool', '--generate-self-signed', '--provider', MODULE,
                         '--load-privkey', self.uri('ec'), '--template', template,
                         '--outfile', self.path('cert.pem'))
        self.p11tool('--write', '--load-certificate', self.path('cert.pem'), '--label', 'ec-cert',
                     '--no-mark-private', self.token)
        out = self.p11tool('--list-all-certs', self.token).stdout.decode()
        self.assertIn('Label: ec-cert', out)
        # Linked to its key by CKA_ID, which the module found from the key.
        self.assertIn('ID: 65:63', out)
        exported = self.p11tool('--export', f'{self.token};object=ec-cert;type=cert').stdout
        with open(self.path('cert.pem'), 'rb') as f:
            self.assertEqual(exported.strip(), f.read().strip())


@needs(PKCS11_TOOL, 'pkcs11-tool (opensc)')
class Pkcs11ToolTests(ModuleTestCase):
    def pkcs11_tool(self, *args, **kwargs):
        return self.run_program(PKCS11_TOOL, '--module', MODULE, *args, **kwargs)

    def test_self_test(self):
        self.create('ec', 'ecc')
        if not self.create_if_served('sig', 'rsa', '--for-signing', '-H', 'any'):
            # pkcs11-tool signs with one RSA key under several hashes (a
            # SHA-1 DigestInfo first). A service that makes keys for one
            # hash only (the TPM provider) has no such key: the module
            # refuses the other hashes clearly, and the rest runs without it.
            self.create('sig', 'rsa', '--for-signing', '-H', 'sha256')
            proc = self.pkcs11_tool('--test', '--hash-algorithm', 'SHA256', status=None)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn('CKR_DATA_INVALID', (proc.stdout + proc.stderr).decode())
            self.tool('delete-key', '-k', 'sig')
            # pkcs11-tool's OAEP test uses a label without a final zero
            # byte, which a TPM refuses (TPM2_RSA_Decrypt): its decryption
            # test runs with a PKCS #1 v1.5 key there.
            self.create('dec', 'rsa')
            out = self.pkcs11_tool('--test', '--hash-algorithm', 'SHA256').stdout.decode()
            self.assertIn('RSA-PKCS: OK', out)
            self.assertIn('No errors', out)
            return
        else:
            self.create('dec', 'rsa', '--oaep')
            out = self.pkcs11_tool('--test', '--hash-algorithm', 'SHA256').stdout.decode()
            self.assertIn('all 4 signature functions seem to work', out)
            self.assertIn('SHA256-RSA-PKCS: OK', out)
        self.assertIn('RSA-PKCS-OAEP', out)
        self.assertRegex(out, r'RSA-PKCS-OAEP: mgf not set, defaulting to MGF1-SHA256\nOK')
        self.assertIn('No errors', out)

    def test_list_mechanisms(self):
        out = self.pkcs11_tool('--list-mechanisms').stdout.decode()
        names = re.findall(r'^  (\S+), keySize=\{(\d+),(\d+)\}', out, re.M)
        self.assertEqual([n for n, _, _ in names[:len(MECHANISMS)]],
                         [m[4:].replace('_', '-') for m in MECHANISMS])
        self.assertLessEqual({n for n, _, _ in names[len(MECHANISMS):]}, PKCS11_TOOL_SERVICE_MECHANISMS)
        for name, low, high in names[:len(MECHANISMS)]:
            # RSA mechanisms by modulus bits, EC ones by curve bits
            self.assertEqual((low, high), ('1024', '4096') if 'RSA' in name else ('256', '521'), name)

    def test_keypairgen(self):
        self.pkcs11_tool('--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'otk', '--id', '01',
                         '--usage-sign')
        self.addCleanup(self.tool, 'delete-key', '-k', 'otk', status=None)
        self.write('data', b'data to sign')
        self.pkcs11_tool('--sign', '--mechanism', 'ECDSA-SHA256', '--label', 'otk', '--input-file', 'data',
                         '--output-file', 'sig', '--signature-format', 'openssl')
        pem = self.public_pem('otk')
        proc = self.run_program(OPENSSL, 'dgst', '-sha256', '-verify', pem, '-signature', 'sig', 'data')
        self.assertIn(b'Verified OK', proc.stdout)

    @needs(OPENSSL, 'openssl')
    def test_hash_and_derive(self):
        """Digests and ECDH where the service offers hashing and key
        agreement (not the TPM provider), checked against hashlib and
        OpenSSL."""
        mechanisms = self.pkcs11_tool('--list-mechanisms').stdout.decode()
        self.write('abc', b'abc')
        proc = self.pkcs11_tool('--hash', '-m', 'SHA256', '--input-file', 'abc', '--output-file', 'digest',
                                status=None)
        if 'SHA256, digest' not in mechanisms:
            self.assertNotEqual(proc.returncode, 0)
        else:
            self.assertEqual(proc.returncode, 0, proc.stderr.decode())
            with open(self.path('digest'), 'rb') as f:
                self.assertEqual(f.read(), hashlib.sha256(b'abc').digest())

        if 'ECDH1-DERIVE' not in mechanisms:
            return
        self.pkcs11_tool('--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'dh', '--usage-derive')
        self.addCleanup(self.tool, 'delete-key', '-k', 'dh', status=None)
        self.run_program(OPENSSL, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'peer.pem')
        self.run_program(OPENSSL, 'ec', '-in', 'peer.pem', '-pubout', '-outform', 'DER', '-out', 'peer.der')
        self.pkcs11_tool('--derive', '-m', 'ECDH1-DERIVE', '--label', 'dh', '--input-file', 'peer.der',
                         '--output-file', 'shared')
        self.run_program(OPENSSL, 'pkeyutl', '-derive', '-inkey', 'peer.pem', '-peerkey', self.public_pem('dh'),
                         '-out', 'expected')
        with open(self.path('shared'), 'rb') as f, open(self.path('expected'), 'rb') as g:
            self.assertEqual(f.read(), g.read())


@needs(OPENSSL, 'openssl')
@unittest.skipUnless(ENGINE, 'libengine-pkcs11-openssl is not installed')
class OpenSSLEngineTests(ModuleTestCase):
    def setUp(self):
        super().setUp()
        self.engine_env = self.openssl_engine_env()
        self.write('data', b'signed by a key that stays in the service\n')

    def openssl_engine(self, *args, status=0):
        return self.run_program(OPENSSL, *args, env=self.engine_env, status=status)

    def check_signature(self, key, *options):
        self.openssl_engine('dgst', '-engine', 'pkcs11', '-keyform', 'engine', '-sign', self.uri(key),
                            '-sha256', *options, '-out', 'sig', 'data')
        proc = self.run_program(OPENSSL, 'dgst', '-sha256', *options, '-verify', self.public_pem(key),
                                '-signature', 'sig', 'data')
        self.assertIn(b'Verified OK', proc.stdout)

    def test_sign_ecdsa(self):
        self.create('ec', 'ecc')
        self.check_signature('ec')

    def test_sign_rsa(self):
        self.create('rsa', 'rsa', '--for-signing')
        self.check_signature('rsa')

    def test_sign_rsa_pss(self):
        options = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest']
        if self.create_pss('pss'):
            self.check_signature('pss', *options)
            return
        # Without PSS keys, a PKCS #1 v1.5 key refuses PSS: the module says
        # the mechanism is not the key's.
        self.create('rsa', 'rsa', '--for-signing')
        self.write('data', b'data')
        proc = self.openssl_engine('dgst', '-engine', 'pkcs11', '-keyform', 'engine', '-sign', self.uri('rsa'),
                                   '-sha256', *options, '-out', 'sig', 'data', status=None)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn('Mechanism invalid', proc.stderr.decode())

    def test_decrypt_oaep(self):
        self.create('oaep', 'rsa', '--oaep')
        options = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256',
                   '-pkeyopt', 'rsa_mgf1_md:sha256']
        self.write('secret', b'a secret for the service to open')
        self.run_program(OPENSSL, 'pkeyutl', '-encrypt', '-pubin', '-inkey', self.public_pem('oaep'),
                         *options, '-in', 'secret', '-out', 'encrypted')
        proc = self.openssl_engine('pkeyutl', '-engine', 'pkcs11', '-keyform', 'engine', '-decrypt',
                                   '-inkey', self.uri('oaep'), *options, '-in', 'encrypted')
        self.assertEqual(proc.stdout, b'a secret for the service to open')


@needs(SSH_KEYGEN, 'ssh-keygen (openssh-client)')
class SshTests(ModuleTestCase):
    def test_public_keys(self):
        self.create('ec', 'ecc')
        self.create('rsa', 'rsa', '--for-signing')
        listed = self.run_program(SSH_KEYGEN, '-D', MODULE).stdout.decode().splitlines()
        listed = {line.split()[2]: ' '.join(line.split()[:2]) for line in listed}
        for key in ('ec', 'rsa'):
            converted = self.run_program(SSH_KEYGEN, '-i', '-m', 'PKCS8', '-f', self.public_pem(key))
            self.assertEqual(listed[key], converted.stdout.decode().strip())


@needs(OPENSSL, 'openssl')
@needs(P11TOOL, 'p11tool (gnutls-bin)')
@needs(GNUTLS_CLI, 'gnutls-cli (gnutls-bin)')
@needs(CURL, 'curl')
@needs(CERTUTIL and MODUTIL and TSTCLNT, 'certutil, modutil and tstclnt (libnss3-tools)')
@unittest.skipUnless(ENGINE, 'libengine-pkcs11-openssl is not installed')
class TlsClientTests(ModuleTestCase):
    """TLS client authentication with keys that stay in the service.

    `openssl s_server -Verify 1` requires a client certificate and answers
    each request (-www) with the session it had, the client certificate
    among it. gnutls-cli (the key by its pkcs11: URI), curl (OpenSSL and its
    pkcs11 engine, as Debian builds it), `openssl s_client -engine pkcs11`
    and NSS's tstclnt (the module added to an NSS database with modutil,
    the certificate on the token) each present a certificate made with the
    key, at TLS 1.2 and at TLS 1.3."""

    VERSIONS = {'TLSv1.2': '-tls1_2', 'TLSv1.3': '-tls1_3'}
    REQUEST = b'GET / HTTP/1.0\r\n\r\n'

    def setUp(self):
        super().setUp()
        self.run_program(OPENSSL, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                         '-nodes', '-keyout', 'server.key', '-out', 'server.pem', '-subj', '/CN=localhost',
                         '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2')
        self.engine_env = self.openssl_engine_env()
        self.nss_db = self.nss_database()

    def start_server(self, version):
        """An s_server for @version alone on a free loopback port; its port."""
        log = self.path(f'server-{version}.log')
        with open(log, 'wb') as out:
            server = subprocess.Popen([OPENSSL, 's_server', '-accept', '127.0.0.1:0', '-cert', 'server.pem',
                                       '-key', 'server.key', '-Verify', '1', '-www', self.VERSIONS[version]],
                                      cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        self.addCleanup(server.wait, 30)
        self.addCleanup(server.terminate)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(log) as f:
                accept = re.search(r'^ACCEPT 127\.0\.0\.1:(\d+)$', f.read(), re.M)
            if accept:
                return int(accept.group(1))
            self.assertIsNone(server.poll(), msg='openssl s_server exited')
            time.sleep(0.05)
        self.fail('openssl s_server did not start')

    def certificate(self, key):
        """A certificate for @key, signed by it, in PEM: in a file and on
        the token, where NSS finds its key by CKA_ID."""
        path = self.path(f'{key}.crt')
        self.tool('create-certificate', '-k', key, '--cn', key, '-o', path)
        self.run_program(P11TOOL, '--provider', MODULE, '--write', '--load-certificate', path, '--label', key,
                         '--no-mark-private', self.token)
        return path

    def gnutls_cli(self, port, key, certificate):
        return self.run_program(GNUTLS_CLI, '--provider', MODULE, '--x509cafile', 'server.pem',
                                '--x509keyfile', self.uri(key), '--x509certfile', certificate,
                                '-p', str(port), '127.0.0.1', input=self.REQUEST, status=None, timeout=30)

    def curl(self, port, key, certificate):
        return self.run_program(CURL, '-sS', '--cacert', 'server.pem', '--key', self.uri(key),
                                '--cert', certificate, f'https://127.0.0.1:{port}/',
                                env=self.engine_env, status=None, timeout=60)

    def s_client(self, port, key, certificate):
        return self.run_program(OPENSSL, 's_client', '-engine', 'pkcs11', '-keyform', 'engine',
                                '-key', self.uri(key), '-cert', certificate, '-CAfile', 'server.pem',
                                '-verify_return_error', '-connect', f'127.0.0.1:{port}', '-ign_eof', '-quiet',
                                input=self.REQUEST, env=self.engine_env, status=None, timeout=60)

    def tstclnt(self, port, key, certificate):
        # The server's certificate is not in the database: -o accepts it.
        # tstclnt reads its request from a file (-A) to stop at the end of
        # the answer; from standard input it waits for more.
        request = self.write('request', self.REQUEST)
        return self.run_program(TSTCLNT, '-h', '127.0.0.1', '-p', str(port), '-d', self.nss_db, '-o',
                                '-n', f'{self.token_label}:{key}', '-A', request, input=b'', status=None,
                                timeout=60)

    def check_key(self, key, versions=VERSIONS):
        certificate = self.certificate(key)
        with open(certificate) as f:
            pem = f.read().strip()
        for version in versions:
            port = self.start_server(version)
            for client in (self.gnutls_cli, self.curl, self.s_client, self.tstclnt):
                with self.subTest(key=key, version=version, client=client.__name__):
                    proc = client(port, key, certificate)
                    out = proc.stdout.decode(errors='replace')
                    why = f'exit {proc.returncode}\n{out[-2000:]}\n{proc.stderr.decode(errors="replace")[-3000:]}'
                    # The server saw the key's certificate, in the version asked.
                    self.assertIn('Client certificate', out, msg=why)
                    self.assertIn(pem, out, msg=why)
                    self.assertRegex(out, rf'Protocol *: {version}\n', msg=why)

    def test_ecdsa_p256(self):
        self.check_key(self.create('ec-p256', 'ecc'))

    def test_ecdsa_p384(self):
        key = self.create_ecc_on('ec-p384', 'p384')
        if 'hash_alg: Specific(Sha384)' in self.key_policy(key):
            # A key for SHA-384 alone (the TPM provider refuses any hash):
            # TLS 1.3 signs with the curve's hash, but TLS 1.2 clients choose
            # SHA-256, which docs/pkcs11.md says such a key cannot serve.
            self.check_key(key, versions=['TLSv1.3'])
        else:
            self.check_key(key)

    def test_rsa_pss(self):
        # create_pss checks the refusal of a service that signs with no
        # RSA-PSS key (the TPM provider).
        if self.create_pss('rsa-pss'):
            self.check_key('rsa-pss')

    def test_rsa_for_tls(self):
        # The tool's key for TLS: RSA-PSS for any hash, where the service
        # makes one (not the TPM provider, which create_if_served checks).
        if self.create_if_served('rsa-tls', 'rsa', '--for-tls'):
            self.check_key('rsa-tls')

    def test_rsa_generated(self):
        # An RSA key made through the module with pkcs11-tool's defaults.
        if not PKCS11_TOOL:
            self.skipTest('pkcs11-tool (opensc) is not installed')
        self.run_program(PKCS11_TOOL, '--module', MODULE, '--keypairgen', '--key-type', 'rsa:2048',
                         '--label', 'made')
        self.addCleanup(self.tool, 'delete-key', '-k', 'made', status=None)
        if 'RsaPkcs1v15Sign { hash_alg: Specific(Sha256) }' in self.key_policy('made'):
            # Where the service makes no RSA-PSS key (the TPM provider) the
            # module's RSA key signs PKCS #1 v1.5 with SHA-256: no TLS key.
            return
        self.check_key('made')


@needs(OPENSSL, 'openssl')
@needs(P11TOOL, 'p11tool (gnutls-bin)')
@needs(CERTUTIL and MODUTIL, 'certutil and modutil (libnss3-tools)')
class NssTests(ModuleTestCase):
    """NSS with the module added to a database of its own (modutil):
    certutil lists the token's keys and certificates, and stores a
    certificate on the token, where it pairs with its key."""

    def setUp(self):
        super().setUp()
        self.nss_db = self.nss_database()

    def certutil(self, *args, **kwargs):
        return self.run_program(CERTUTIL, '-d', self.nss_db, *args, **kwargs).stdout.decode()

    def assert_user_certificate(self, label):
        """NSS found the private key of certificate @label: it trusts it
        as the user's own (u,u,u)."""
        certificates = self.certutil('-L', '-h', self.token_label)
        self.assertRegex(certificates, rf'(?m)^{re.escape(self.token_label)}:{label}\s+u,u,u\s*$', msg=certificates)

    def test_module_and_keys(self):
        modules = self.run_program(MODUTIL, '-list', '-dbdir', self.nss_db).stdout.decode()
        self.assertIn(f'token: {self.token_label}', modules)
        self.create('ec', 'ecc')
        self.create('rsa', 'rsa', '--for-signing')
        keys = self.certutil('-K', '-h', self.token_label)
        # "< 0> ec      <hex id>   NSS's name for the key"
        listed = re.findall(r'^<\s*\d+>\s+(\w+)\s', keys, re.M)
        self.assertCountEqual(listed, ['ec', 'rsa'], msg=keys)

    def test_certificate_written_by_gnutls(self):
        # A certificate stored with p11tool gets its key's CKA_ID from the
        # module: NSS shows the pair.
        self.create('ec', 'ecc')
        self.tool('create-certificate', '-k', 'ec', '--cn', 'nss client', '-o', self.path('ec.crt'))
        self.run_program(P11TOOL, '--provider', MODULE, '--write', '--load-certificate', self.path('ec.crt'),
                         '--label', 'ec-cert', '--no-mark-private', self.token)
        self.assert_user_certificate('ec-cert')

    def test_certificate_written_by_nss(self):
        # certutil stores the certificate with a CKA_ID of NSS's own (the
        # hash of its public key): it pairs with its key all the same.
        self.create('web', 'ecc')
        self.tool('create-certificate', '-k', 'web', '--cn', 'web.example', '-o', self.path('web.pem'))
        self.certutil('-A', '-h', self.token_label, '-n', 'web', '-t', ',,', '-i', self.path('web.pem'))
        self.assert_user_certificate('web')
        # certutil -K names a key after the certificate of its CKA_ID.
        keys = self.certutil('-K', '-h', self.token_label)
        self.assertRegex(keys, r'<\s*0> ec\s+[0-9a-f]{40}\s+web\n')
        # The key has NSS's id now, and keeps it.
        out = self.run_program(P11TOOL, '--provider', MODULE, '--list-privkeys', self.token).stdout.decode()
        nss_id = re.search(r'[0-9a-f]{40}', keys).group(0)
        self.assertIn('ID: ' + ':'.join(nss_id[i:i + 2] for i in range(0, 40, 2)), out)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@needs(SSH_KEYGEN, 'ssh-keygen (openssh-client)')
@needs(SSH, 'ssh (openssh-client)')
@needs(SSHD, 'sshd (openssh-server)')
class SshLoginTests(ModuleTestCase):
    """ssh -I logs in to an sshd on loopback with each signing key, with
    OpenSSH's defaults. The sshd is Debian's, run as the current user with
    a configuration, host key and authorized_keys of its own; the
    authorized_keys holds the one key under test, as ssh-keygen -D prints it."""

    def start_sshd(self, key):
        listed = self.run_program(SSH_KEYGEN, '-D', MODULE).stdout.decode().splitlines()
        authorized = [line for line in listed if line.split()[2:] == [key]]
        self.assertEqual(len(authorized), 1, msg=listed)
        self.write('authorized_keys', (authorized[0] + '\n').encode())
        self.run_program(SSH_KEYGEN, '-q', '-t', 'ed25519', '-N', '', '-f', self.path('host_key'))
        if os.geteuid() == 0:
            # sshd as root separates privileges into this directory, which
            # the system's sshd service makes at start.
            os.makedirs('/run/sshd', mode=0o755, exist_ok=True)
        for attempt in range(5):
            port = free_port()
            config = self.write('sshd_config', (
                f'Port {port}\nListenAddress 127.0.0.1\nHostKey {self.path("host_key")}\n'
                f'AuthorizedKeysFile {self.path("authorized_keys")}\nStrictModes no\nPidFile none\n'
                'UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n'
                'PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nMaxAuthTries 10\n').encode())
            log = open(self.path('sshd.log'), 'wb')
            self.addCleanup(log.close)
            sshd = subprocess.Popen([SSHD, '-D', '-e', '-f', config], cwd=self.dir, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT)
            self.addCleanup(sshd.wait, 30)
            self.addCleanup(sshd.terminate)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and sshd.poll() is None:
                with open(self.path('sshd.log')) as f:
                    if f'Server listening on 127.0.0.1 port {port}.' in f.read():
                        return port
                time.sleep(0.05)
            with open(self.path('sshd.log')) as f:
                failure = f.read()
            # Another program took the port in the meantime: try another.
            self.assertIn('Address already in use', failure)
        self.fail('sshd found no free port')

    def ssh(self, key, *options):
        """ssh -I logs in with @key, or tries to: its exit status, output and
        the sshd's log."""
        # One sshd for the test's key
        if not hasattr(self, 'sshd_port'):
            self.sshd_port = self.start_sshd(key)
        port = self.sshd_port
        proc = self.run_program(SSH, '-F', 'none', '-I', MODULE, '-p', str(port),
                                '-v', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
                                '-o', f'UserKnownHostsFile={self.path("known_hosts")}',
                                '-o', 'IdentityAgent=none', '-o', 'PasswordAuthentication=no', *options,
                                f'{self.user}@127.0.0.1', 'echo logged in as $(id -un)', status=None)
        with open(self.path('sshd.log')) as f:
            log = f.read()
        return proc, log, f'exit {proc.returncode}\n{proc.stdout.decode()}\n{proc.stderr.decode()}\nsshd:\n{log}'

    def check_login(self, key, *options):
        proc, log, why = self.ssh(key, *options)
        self.assertEqual(proc.returncode, 0, msg=why)
        self.assertEqual(proc.stdout.decode().strip(), f'logged in as {self.user}', msg=why)
        self.assertIn('Accepted publickey', log)

    @property
    def user(self):
        return pwd.getpwuid(os.geteuid()).pw_name

    def test_ecdsa_p256(self):
        self.check_login(self.create('ec-p256', 'ecc'))

    def test_ecdsa_p384(self):
        self.check_login(self.create_ecc_on('ec-p384', 'p384'))

    def test_ecdsa_p521(self):
        key = self.create_ecc_on('ec-p521', 'p521')
        proc = self.tool('export-public-key', '-k', key, status=None)
        if proc.returncode != 0:
            # Parsec 1.5.0's TPM provider makes P-521 keys whose public key
            # it cannot read back; the module says the device failed.
            self.assertIn('(PsaErrorCommunicationFailure, status', proc.stderr.decode())
            return
        self.check_login(key)

    def test_rsa_any_hash(self):
        # Where the service makes no key for any hash (the TPM provider), a
        # key for SHA-512, which OpenSSH signs with first (rsa-sha2-512).
        self.check_login(self.create_if_served('rsa-any', 'rsa', '--for-signing', '-H', 'any') or
                         self.create('rsa-any', 'rsa', '--for-signing', '-H', 'sha512'))

    def test_rsa_one_hash(self):
        # The tool's default RSA signing key permits SHA-256 alone. OpenSSH
        # signs rsa-sha2-512 with its defaults, whatever the key's
        # CKA_ALLOWED_MECHANISMS: the module refuses the DigestInfo of
        # another hash (CKR_DATA_INVALID) and ssh fails clearly...
        key = self.create('rsa', 'rsa', '--for-signing')
        proc, log, why = self.ssh(key)
        self.assertNotEqual(proc.returncode, 0, msg=why)
        self.assertIn('C_Sign failed: 32', proc.stderr.decode(), msg=why)
        self.assertIn('Permission denied (publickey)', proc.stderr.decode(), msg=why)
        # ...and a client that offers the key's hash logs in.
        self.check_login(key, '-o', 'PubkeyAcceptedAlgorithms=rsa-sha2-256')

    def make_with_pkcs11_tool(self, key_type, *options):
        """A signing key 'made' through the module (C_GenerateKeyPair) by pkcs11-tool."""
        if not PKCS11_TOOL:
            self.skipTest('pkcs11-tool (opensc) is not installed')
        self.run_program(PKCS11_TOOL, '--module', MODULE, '--keypairgen', '--key-type', key_type,
                         '--label', 'made', '--usage-sign', *options)
        self.addCleanup(self.tool, 'delete-key', '-k', 'made', status=None)

    def test_ecdsa_p256_generated(self):
        self.make_with_pkcs11_tool('EC:prime256v1')
        self.check_login('made')

    def test_rsa_generated(self):
        # The module's RSA default is RSA-PSS, which OpenSSH does not use:
        # docs/pkcs11.md's key for SSH names PKCS #1 v1.5 mechanisms.
        self.make_with_pkcs11_tool('rsa:2048', '--allowed-mechanisms', 'RSA-PKCS,SHA256-RSA-PKCS,SHA512-RSA-PKCS')
        if 'hash_alg: Specific(Sha256)' in self.key_policy('made'):
            # A service that makes keys for one hash (the TPM provider) gets
            # one for SHA-256: a client must offer rsa-sha2-256.
            self.check_login('made', '-o', 'PubkeyAcceptedAlgorithms=rsa-sha2-256')
        else:
            self.check_login('made')


def der_ecdsa_signature(raw):
    """A PKCS #11 ECDSA signature (r || s) as the DER SEQUENCE OpenSSL reads."""
    def integer(value):
        value = value.lstrip(b'\0') or b'\0'
        if value[0] & 0x80:
            value = b'\0' + value
        return bytes([2, len(value)]) + value
    half = len(raw) // 2
    body = integer(raw[:half]) + integer(raw[half:])
    length = bytes([len(body)]) if len(body) < 0x80 else bytes([0x81, len(body)])
    return b'\x30' + length + body


@needs(PyKCS11, 'PyKCS11 (python3-pykcs11)')
@needs(OPENSSL, 'openssl')
class PyKCS11Tests(ModuleTestCase):
    """The module through PyKCS11, in this process: slots, objects,
    signatures (checked by OpenSSL), decryption and key generation."""

    def setUp(self):
        super().setUp()
        # The module reads its configuration when it is initialised.
        for name in ('PARSEC_PKCS11_APPLICATION_NAME', 'PARSEC_PKCS11_STORE_DIR'):
            previous = os.environ.get(name)
            os.environ[name] = self.env[name]
            self.addCleanup(os.environ.__setitem__ if previous is not None else os.environ.pop, name,
                            *([previous] if previous is not None else []))

    def open_session(self):
        lib = PyKCS11.PyKCS11Lib()
        lib.load(MODULE)
        # C_Finalize: the next test's C_Initialize reads its own configuration.
        self.addCleanup(lib.lib.Unload)
        slots = [slot for slot in lib.getSlotList(tokenPresent=True)
                 if lib.getTokenInfo(slot).label.strip() == self.token_label]
        self.assertEqual(len(slots), 1)
        session = lib.openSession(slots[0], PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        self.addCleanup(session.closeSession)
        return lib, slots[0], session

    def find(self, session, label, kind=PyKCS11.CKO_PRIVATE_KEY if PyKCS11 else None):
        objects = session.findObjects([(PyKCS11.CKA_CLASS, kind), (PyKCS11.CKA_LABEL, label)])
        self.assertEqual(len(objects), 1, msg=label)
        return objects[0]

    def verify_with_openssl(self, key, signature, *options):
        self.write('sig', signature)
        proc = self.run_program(OPENSSL, 'dgst', '-sha256', *options, '-verify', self.public_pem(key),
                                '-signature', 'sig', 'data')
        self.assertIn(b'Verified OK', proc.stdout)

    def test_token_and_mechanisms(self):
        lib, slot, session = self.open_session()
        info = lib.getTokenInfo(slot)
        self.assertEqual(info.manufacturerID.strip(), 'Parsec (parsec-glib)')
        self.assertFalse(info.flags & PyKCS11.CKF_LOGIN_REQUIRED)
        # PyKCS11 names CKM_ECDSA_KEY_PAIR_GEN by its other name: compare
        # values. The public-key mechanisms come first.
        mechanisms = [PyKCS11.CKM[name] for name in lib.getMechanismList(slot)]
        self.assertEqual(mechanisms[:len(MECHANISMS)], [getattr(PyKCS11, name) for name in MECHANISMS])
        self.assertEqual(len(session.generateRandom(32)), 32)

    def test_sign(self):
        data = self.write('data', b'signed through PyKCS11\n')
        with open(data, 'rb') as f:
            data = f.read()
        keys = [(self.create('ec', 'ecc'), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256), []),
                (self.create_any_hash('rsa', 'rsa', '--for-signing'),
                 PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS), [])]
        if self.create_pss('pss'):
            keys.append(('pss', PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS, PyKCS11.CKM_SHA256,
                                                          PyKCS11.CKG_MGF1_SHA256, 32),
                         ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest']))
        lib, slot, session = self.open_session()
        for key, mechanism, options in keys:
            with self.subTest(key=key):
                signature = bytes(session.sign(self.find(session, key), data, mechanism))
                public = self.find(session, key, PyKCS11.CKO_PUBLIC_KEY)
                self.assertTrue(session.verify(public, data, signature, mechanism))
                if key == 'ec':
                    signature = der_ecdsa_signature(signature)
                self.verify_with_openssl(key, signature, *options)

    def test_decrypt_oaep(self):
        self.create('oaep', 'rsa', '--oaep')
        self.write('secret', b'opened by the service')
        self.run_program(OPENSSL, 'pkeyutl', '-encrypt', '-pubin', '-inkey', self.public_pem('oaep'),
                         '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256',
                         '-pkeyopt', 'rsa_mgf1_md:sha256', '-in', 'secret', '-out', 'encrypted')
        with open(self.path('encrypted'), 'rb') as f:
            encrypted = f.read()
        lib, slot, session = self.open_session()
        mechanism = PyKCS11.RSAOAEPMechanism(PyKCS11.CKM_SHA256, PyKCS11.CKG_MGF1_SHA256)
        plain = bytes(session.decrypt(self.find(session, 'oaep'), encrypted, mechanism))
        self.assertEqual(plain, b'opened by the service')

    def test_generate_key_pair(self):
        lib, slot, session = self.open_session()
        p256 = bytes.fromhex('06082a8648ce3d030107')
        public, private = session.generateKeyPair(
            [(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, 'generated'), (PyKCS11.CKA_EC_PARAMS, p256),
             (PyKCS11.CKA_VERIFY, True)],
            [(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, 'generated'), (PyKCS11.CKA_SIGN, True)],
            mecha=PyKCS11.MechanismECGENERATEKEYPAIR)
        self.addCleanup(self.tool, 'delete-key', '-k', 'generated', status=None)
        self.assertIn('generated', self.tool('list-keys').stdout.decode())
        mechanism = PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256)
        signature = bytes(session.sign(private, b'data', mechanism))
        self.assertTrue(session.verify(public, b'data', signature, mechanism))
        # Destroying the private half removes the key from the service.
        session.destroyObject(private)
        self.assertNotIn('generated', self.tool('list-keys').stdout.decode())


@needs(OPENSSL, 'openssl')
@needs(P11TOOL, 'p11tool (gnutls-bin)')
class ToolCommandTests(ModuleTestCase):
    """parsec-glib-tool's commands for the module's users."""

    def test_pkcs11_uri(self):
        self.create('uri-key', 'ecc')
        uri = self.tool('pkcs11-uri', '-k', 'uri-key').stdout.decode().strip()
        self.assertTrue(uri.startswith(self.token + ';serial='), uri)
        out = self.run_program(P11TOOL, '--provider', MODULE, '--list-all', uri).stdout.decode()
        self.assertEqual(out.count('Label: uri-key'), 2)
        token = self.tool('pkcs11-uri').stdout.decode().strip()
        self.assertNotIn('object=', token)
        self.assertIn('Parsec', self.run_program(P11TOOL, '--provider', MODULE, '--list-tokens', token).stdout.decode())

    def check_certificate(self, key, *options):
        self.tool('create-certificate', '-k', key, '-o', self.path('cert.pem'), *options)
        self.run_program(OPENSSL, 'verify', '-CAfile', self.path('cert.pem'), self.path('cert.pem'))
        pub = self.run_program(OPENSSL, 'x509', '-in', self.path('cert.pem'), '-noout', '-pubkey').stdout
        with open(self.public_pem(key), 'rb') as f:
            self.assertEqual(pub, f.read())
        return self.run_program(OPENSSL, 'x509', '-in', self.path('cert.pem'), '-noout', '-text').stdout.decode()

    def test_create_certificate(self):
        self.create('ec', 'ecc')
        text = self.check_certificate('ec', '--cn', 'client.example', '--san', 'DNS:client.example',
                                      '--days', '30')
        self.assertIn('Subject: CN = client.example', text)
        self.assertIn('DNS:client.example', text)
        self.assertIn('ecdsa-with-SHA256', text)
        self.assertIn('CA:FALSE', text)

    def test_create_certificate_rsa(self):
        self.create('rsa', 'rsa', '--for-signing')
        text = self.check_certificate('rsa')
        # Without a subject, the key's name is its common name.
        self.assertIn('Subject: CN = rsa', text)
        self.assertIn('sha256WithRSAEncryption', text)
        if self.create_pss('pss'):
            self.assertIn('rsassaPss', self.check_certificate('pss'))

    def test_create_certificate_errors(self):
        self.create('ec', 'ecc')
        self.assertEqual(self.tool('create-certificate', '-k', 'ec', '--days', '0', status=1).returncode, 1)
        self.tool('create-certificate', '-k', 'no-such-key', status=1)


@needs(PKCS11_TOOL, 'pkcs11-tool (opensc)')
@needs(P11TOOL, 'p11tool (gnutls-bin)')
class KeyPolicyTests(ModuleTestCase):
    """The keys programs make through the module, and what they serve."""

    def pkcs11_tool(self, *args, **kwargs):
        return self.run_program(PKCS11_TOOL, '--module', MODULE, *args, **kwargs)

    def test_rsa_keypairgen_serves_tls(self):
        # pkcs11-tool asks CKA_SIGN and CKA_DECRYPT: a signing key, RSA-PSS
        # for any hash where the service makes one (TLS 1.2 and 1.3 clients
        # ask CKM_RSA_PKCS_PSS first), else PKCS #1 v1.5.
        out = self.pkcs11_tool('--keypairgen', '--key-type', 'rsa:2048', '--label', 'tls').stdout.decode()
        self.addCleanup(self.tool, 'delete-key', '-k', 'tls', status=None)
        allowed = re.search(r'Allowed mechanisms: (\S+)', out).group(1).split(',')
        if 'RSA-PKCS-PSS' in allowed:
            self.assertEqual(allowed, ['RSA-PKCS-PSS', 'SHA256-RSA-PKCS-PSS', 'SHA384-RSA-PKCS-PSS',
                                       'SHA512-RSA-PKCS-PSS'])
            options = ['--sign-params', 'RSA-PSS']
        else:
            self.assertIn('SHA256-RSA-PKCS', allowed)
            options = []
        proc = self.run_program(P11TOOL, '--provider', MODULE, '--test-sign', *options, self.uri('tls'))
        self.assertIn('Verifying against public key in the token... ok', (proc.stdout + proc.stderr).decode())
        # What a PSS key cannot do is refused at the start.
        if options:
            self.write('digest', bytes(32))
            proc = self.pkcs11_tool('--sign', '--mechanism', 'RSA-PKCS', '--label', 'tls', '--input-file', 'digest',
                                    '--output-file', 'sig', status=None)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn('CKR_MECHANISM_INVALID', (proc.stdout + proc.stderr).decode())

    def test_p11tool_generate_rsa(self):
        # GnuTLS's key generation (p11tool, certtool, gnutls_pkcs11_privkey_generate)
        self.run_program(P11TOOL, '--provider', MODULE, '--generate-privkey', 'rsa', '--bits', '2048',
                         '--label', 'gnutls-rsa', '--no-mark-private', self.token)
        self.addCleanup(self.tool, 'delete-key', '-k', 'gnutls-rsa', status=None)
        out = self.pkcs11_tool('--list-objects', '--type', 'privkey').stdout.decode()
        options = ['--sign-params', 'RSA-PSS'] if 'Allowed mechanisms: RSA-PKCS-PSS,' in out else []
        if not options:
            self.assertIn('Allowed mechanisms: RSA-PKCS,SHA256-RSA-PKCS', out)
        proc = self.run_program(P11TOOL, '--provider', MODULE, '--test-sign', *options, self.uri('gnutls-rsa'))
        self.assertIn('Verifying against public key in the token... ok', (proc.stdout + proc.stderr).decode())

    def test_rsa_keypairgen_for_ssh(self):
        self.pkcs11_tool('--keypairgen', '--key-type', 'rsa:2048', '--label', 'ssh',
                         '--allowed-mechanisms', 'RSA-PKCS,SHA256-RSA-PKCS,SHA512-RSA-PKCS')
        self.addCleanup(self.tool, 'delete-key', '-k', 'ssh', status=None)
        out = self.pkcs11_tool('--list-objects', '--type', 'privkey').stdout.decode()
        self.assertRegex(out, r'Allowed mechanisms: RSA-PKCS,SHA256-RSA-PKCS')
        self.assertIn('ssh-rsa ', self.run_program(SSH_KEYGEN, '-D', MODULE).stdout.decode())

    def test_sign_and_derive_refused(self):
        # No PSA key both signs and agrees keys: refused, nothing made.
        proc = self.pkcs11_tool('--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'both',
                                '--usage-sign', '--usage-derive', status=None)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn('CKR_TEMPLATE_INCONSISTENT', (proc.stdout + proc.stderr).decode())
        self.assertNotIn('both', self.tool('list-keys').stdout.decode())


if __name__ == '__main__':
    unittest.main(verbosity=2)
