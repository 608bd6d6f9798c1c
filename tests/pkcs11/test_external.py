#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The PKCS #11 module as other programs use it, against the test service.

Run by meson through parsec-test-env, which starts a private service and
exports PARSEC_SERVICE_ENDPOINT:

    parsec-test-env python3 test_external.py [CLASS]

Keys are made with parsec-glib-tool; p11tool (GnuTLS), pkcs11-tool
(OpenSC), OpenSSL through libengine-pkcs11-openssl and ssh-keygen then
reach them through the module, and their results are checked with OpenSSL
against the public keys the tool exports. The tool's own commands for the
module's users (pkcs11-uri, create-certificate) are checked here too. Each test has a token of its
own (an application name) and a certificate store of its own.
"""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import unittest

TOOL = os.environ['PARSEC_GLIB_TOOL']
MODULE = os.environ['PARSEC_PKCS11_MODULE']
OPENSSL = shutil.which('openssl')
P11TOOL = shutil.which('p11tool')
PKCS11_TOOL = shutil.which('pkcs11-tool')
SSH_KEYGEN = shutil.which('ssh-keygen')
CERTUTIL = shutil.which('certutil')
MODUTIL = shutil.which('modutil')
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

    def run_program(self, *args, status=0, input=None, env=None):
        proc = subprocess.run(args, input=input, capture_output=True, env=env or self.env, timeout=300,
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
        config = (f'openssl_conf = openssl_init\n[openssl_init]\nengines = engine_section\n'
                  f'[engine_section]\npkcs11 = pkcs11_section\n'
                  f'[pkcs11_section]\nengine_id = pkcs11\ndynamic_path = {ENGINE}\n'
                  f'MODULE_PATH = {MODULE}\ninit = 0\n')
        self.engine_env = dict(self.env, OPENSSL_CONF=self.write('openssl.cnf', config.encode()))
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


@needs(CERTUTIL, 'certutil (libnss3-tools)')
@needs(MODUTIL, 'modutil (libnss3-tools)')
class NssTests(ModuleTestCase):
    """NSS stores a certificate with a CKA_ID of its own: it pairs with its
    key all the same."""

    def test_certificate_pairs_with_key(self):
        self.create('web', 'ecc')
        self.tool('create-certificate', '-k', 'web', '--cn', 'web.example', '-o', self.path('web.pem'))
        db = 'sql:' + self.path('nss')
        os.mkdir(self.path('nss'))
        self.run_program(CERTUTIL, '-N', '-d', db, '--empty-password')
        self.run_program(MODUTIL, '-dbdir', db, '-add', 'parsec', '-libfile', MODULE, '-force')
        self.run_program(CERTUTIL, '-A', '-d', db, '-h', self.token_label, '-n', 'web', '-t', ',,',
                         '-i', self.path('web.pem'))
        listed = self.run_program(CERTUTIL, '-L', '-d', db, '-h', self.token_label).stdout.decode()
        self.assertIn(f'{self.token_label}:web', listed)
        # certutil -K names a key after the certificate of its CKA_ID.
        keys = self.run_program(CERTUTIL, '-K', '-d', db, '-h', self.token_label).stdout.decode()
        self.assertRegex(keys, r'<\s*0> ec\s+[0-9a-f]{40}\s+web\n')
        # The key has NSS's id now, and keeps it.
        out = self.run_program(P11TOOL, '--provider', MODULE, '--list-privkeys', self.token).stdout.decode()
        nss_id = re.search(r'[0-9a-f]{40}', keys).group(0)
        self.assertIn('ID: ' + ':'.join(nss_id[i:i + 2] for i in range(0, 40, 2)), out)


if __name__ == '__main__':
    unittest.main(verbosity=2)
