#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ParsecClient and ParsecKey from Python through the typelib, against the
real test service.

Run through parsec-test-env, which sets PARSEC_SERVICE_ENDPOINT. The same
operations are tested with the blocking calls and with the _async/_finish
pairs on a GLib main loop. RequestCountTest starts a test service of its
own with --request-log to count what each key operation sends.
"""

import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import unittest

import gi
gi.require_version('Parsec', '1')
from gi.repository import GLib, GObject, Gio, Parsec  # noqa: E402

APP = 'py-binding-test'


def new_client(application_name=APP):
    client = Parsec.Client(application_name=application_name)
    client.init(None)
    return client


def ecc_signing():
    return Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256)


def bytes_(data):
    return GLib.Bytes.new(data)


class KeyCheckMixin:
    def assertKey(self, key, name, client):
        """@key is a ParsecKey of @client named @name, for an ECDSA P-256 policy."""
        self.assertIsInstance(key, Parsec.Key)
        self.assertEqual(key.props.name, name)
        self.assertEqual(key.get_name(), name)
        self.assertIs(key.get_client(), client)
        self.assertIs(key.props.client, client)
        self.assertEqual(key.get_provider(), Parsec.Provider.MBED_CRYPTO)
        self.assertEqual(key.props.provider, Parsec.Provider.MBED_CRYPTO)
        attributes = key.get_attributes()
        self.assertEqual(attributes.get_key_type(), Parsec.KeyType.ECC_KEY_PAIR)
        self.assertEqual(attributes.get_bits(), 256)
        self.assertEqual(attributes.get_algorithm().get_kind(), Parsec.AlgorithmKind.ASYMMETRIC_SIGNATURE)
        self.assertEqual(attributes.get_algorithm().get_hash(), Parsec.Hash.SHA_256)
        self.assertEqual(key.props.attributes.get_bits(), 256)

    def assertParsecError(self, raised, code):
        self.assertTrue(raised.exception.matches(Parsec.error_quark(), code), raised.exception)


class SyncTest(KeyCheckMixin, unittest.TestCase):
    """The blocking variants."""

    @classmethod
    def setUpClass(cls):
        cls.client = new_client()

    def test_construct(self):
        self.assertEqual(self.client.props.endpoint, os.environ['PARSEC_SERVICE_ENDPOINT'])
        self.assertTrue(self.client.discover(None))
        # The authenticator the service runs (direct or Unix peer credentials).
        offered = self.client.list_authenticators(None)[0].get_id()
        self.assertEqual(int(self.client.props.auth_type), offered)
        self.assertEqual(self.client.get_implicit_provider(), Parsec.Provider.MBED_CRYPTO)

    def test_ping(self):
        # One return value: the version, no out-parameters.
        version = self.client.ping(None)
        self.assertIsInstance(version, Parsec.ProtocolVersion)
        self.assertEqual((version.major, version.minor), (1, 0))

    def test_keys_from_generate_lookup_list(self):
        generated = self.client.generate_key('py-ecc', ecc_signing(), None)
        self.assertKey(generated, 'py-ecc', self.client)
        self.assertKey(self.client.lookup_key('py-ecc', None), 'py-ecc', self.client)
        listed = {k.props.name: k for k in self.client.list_keys(None)}
        self.assertKey(listed['py-ecc'], 'py-ecc', self.client)

        with self.assertRaises(GLib.Error) as raised:
            self.client.generate_key('py-ecc', ecc_signing(), None)
        self.assertParsecError(raised, Parsec.Error.PSA_ALREADY_EXISTS)

        self.assertTrue(generated.destroy(None))
        self.assertNotIn('py-ecc', [k.props.name for k in self.client.list_keys(None)])
        with self.assertRaises(GLib.Error) as raised:
            self.client.lookup_key('py-ecc', None)
        self.assertParsecError(raised, Parsec.Error.PSA_DOES_NOT_EXIST)

    def test_generate_needs_attributes(self):
        with self.assertRaises(TypeError):
            self.client.generate_key('py-no-attributes', None, None)

    def test_sign_verify(self):
        key = self.client.generate_key('py-sign', ecc_signing(), None)
        data = bytes_(b'the quick brown fox')
        signature = key.sign_data(data, None)
        self.assertEqual(signature.get_size(), 64)
        self.assertTrue(key.verify_data(data, signature, None))
        # Another object for the same key verifies it too.
        self.assertTrue(self.client.lookup_key('py-sign', None).verify_data(data, signature, None))
        with self.assertRaises(GLib.Error) as raised:
            key.verify_data(bytes_(b'the quick brown cat'), signature, None)
        self.assertParsecError(raised, Parsec.Error.PSA_INVALID_SIGNATURE)

        # sign_data is ECDSA over the SHA-256 digest: the same as sign_hash
        # with the policy's algorithm (None) or the name-based call.
        digest = bytes_(hashlib.sha256(b'the quick brown fox').digest())
        self.assertTrue(key.verify_data(data, key.sign_hash(None, digest, None), None))
        ecdsa = Parsec.Algorithm.new_ecdsa(Parsec.Hash.SHA_256)
        self.assertTrue(key.verify_hash(ecdsa, digest, self.client.sign_hash('py-sign', ecdsa, digest, None), None))

    def test_export_public_key(self):
        key = self.client.generate_key('py-export', ecc_signing(), None)
        psa = self.client.export_public_key('py-export', None)
        self.assertEqual(psa.get_size(), 65)  # an uncompressed P-256 point
        self.assertEqual(key.export_public_key(Parsec.PublicKeyFormat.PSA, None).get_data(), psa.get_data())
        der = key.export_public_key(Parsec.PublicKeyFormat.DER, None).get_data()
        self.assertEqual(der[0], 0x30)
        self.assertTrue(der.endswith(psa.get_data()))
        pem = key.export_public_key(Parsec.PublicKeyFormat.PEM, None).get_data()
        self.assertTrue(pem.startswith(b'-----BEGIN PUBLIC KEY-----'))

    def test_rsa_oaep(self):
        oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256)
        key = self.client.generate_key('py-rsa', Parsec.KeyAttributes.new_rsa_encryption(2048, oaep), None)
        # None: the algorithm of the key's policy.
        ciphertext = key.asymmetric_encrypt(None, bytes_(b'attack at dawn'), None, None)
        self.assertEqual(ciphertext.get_size(), 256)
        plaintext = self.client.asymmetric_decrypt('py-rsa', oaep, ciphertext, None, None)
        self.assertEqual(plaintext.get_data(), b'attack at dawn')
        label = bytes_(b'label')
        ciphertext = self.client.asymmetric_encrypt('py-rsa', oaep, bytes_(b'x'), label, None)
        self.assertEqual(key.asymmetric_decrypt(oaep, ciphertext, label, None).get_data(), b'x')

    def test_aes_gcm(self):
        gcm = Parsec.Algorithm.new_aead(Parsec.Aead.GCM)
        key = self.client.generate_key('py-aes', Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 128, gcm), None)
        nonce = self.client.generate_random(12, None)
        ad = bytes_(b'header')
        ciphertext = key.aead_encrypt(None, nonce, ad, bytes_(b'secret'), None)
        self.assertEqual(ciphertext.get_size(), 6 + 16)
        self.assertEqual(self.client.aead_decrypt('py-aes', gcm, nonce, ad, ciphertext, None).get_data(), b'secret')
        with self.assertRaises(GLib.Error) as raised:
            key.aead_decrypt(None, nonce, bytes_(b'Header'), ciphertext, None)
        self.assertParsecError(raised, Parsec.Error.PSA_INVALID_SIGNATURE)

    def test_policy_refuses_operation(self):
        key = self.client.generate_key('py-policy', ecc_signing(), None)
        with self.assertRaises(GLib.Error) as raised:
            key.asymmetric_encrypt(None, bytes_(b'x'), None, None)
        self.assertParsecError(raised, Parsec.Error.INVALID_INPUT)

    def test_typed_error(self):
        with self.assertRaises(GLib.Error) as raised:
            self.client.lookup_key('py-missing', None)
        error = raised.exception
        self.assertTrue(error.matches(Parsec.error_quark(), Parsec.Error.PSA_DOES_NOT_EXIST))
        self.assertEqual(error.domain, 'parsec-error-quark')
        self.assertEqual(Parsec.Error(error.code), Parsec.Error.PSA_DOES_NOT_EXIST)
        self.assertIn('py-missing', error.message)

        # A key object for a name the service does not hold fails at its first use.
        ecdsa = Parsec.Algorithm.new_ecdsa(Parsec.Hash.SHA_256)
        missing = GObject.new(Parsec.Key, client=self.client, name='py-missing')
        with self.assertRaises(GLib.Error) as raised:
            missing.sign_hash(ecdsa, bytes_(bytes(32)), None)
        self.assertParsecError(raised, Parsec.Error.PSA_DOES_NOT_EXIST)

    def test_cancelled(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as raised:
            self.client.ping(cancellable)
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))


class KeyObjectTest(KeyCheckMixin, unittest.TestCase):
    """ParsecKey as a GObject: construct-only properties, and keys made
    with GObject.new() that know no attributes."""

    @classmethod
    def setUpClass(cls):
        cls.client = new_client()

    def test_properties_construct_only(self):
        for name in ('client', 'name', 'provider', 'attributes'):
            pspec = Parsec.Key.find_property(name)
            self.assertIsNotNone(pspec, name)
            self.assertTrue(pspec.flags & GObject.ParamFlags.READABLE, name)
            self.assertTrue(pspec.flags & GObject.ParamFlags.CONSTRUCT_ONLY, name)
        # So they are given to GObject.new() or not at all.
        key = GObject.new(Parsec.Key, client=self.client, name='py-props', provider=Parsec.Provider.MBED_CRYPTO)
        self.assertEqual((key.props.name, key.props.provider), ('py-props', Parsec.Provider.MBED_CRYPTO))

    def test_new_without_attributes(self):
        made = self.client.generate_key('py-bare', ecc_signing(), None)
        key = GObject.new(Parsec.Key, client=self.client, name='py-bare')
        self.assertEqual(key.props.name, 'py-bare')
        self.assertIs(key.get_client(), self.client)
        self.assertEqual(key.get_provider(), Parsec.Provider.AUTO)
        self.assertIsNone(key.get_attributes())
        self.assertIsNone(key.props.attributes)

        data = bytes_(b'the quick brown fox')
        digest = bytes_(hashlib.sha256(b'the quick brown fox').digest())
        # Without attributes, the policy's algorithm is unknown ...
        with self.assertRaises(GLib.Error) as raised:
            key.sign_data(data, None)
        self.assertParsecError(raised, Parsec.Error.INVALID_INPUT)
        self.assertIn('py-bare', raised.exception.message)
        with self.assertRaises(GLib.Error) as raised:
            key.verify_data(data, made.sign_data(data, None), None)
        self.assertParsecError(raised, Parsec.Error.INVALID_INPUT)
        with self.assertRaises(GLib.Error) as raised:
            key.sign_hash(None, digest, None)
        self.assertParsecError(raised, Parsec.Error.INVALID_INPUT)

        # ... and an explicit algorithm works.
        ecdsa = Parsec.Algorithm.new_ecdsa(Parsec.Hash.SHA_256)
        signature = key.sign_hash(ecdsa, digest, None)
        self.assertTrue(key.verify_hash(ecdsa, digest, signature, None))
        self.assertTrue(made.verify_data(data, signature, None))

    def test_new_with_provider_and_attributes(self):
        self.client.generate_key('py-explicit', ecc_signing(), None)
        key = GObject.new(Parsec.Key, client=self.client, name='py-explicit',
                          provider=Parsec.Provider.MBED_CRYPTO, attributes=ecc_signing())
        self.assertKey(key, 'py-explicit', self.client)
        data = bytes_(b'data')
        self.assertTrue(key.verify_data(data, key.sign_data(data, None), None))


class LoopMixin:
    def wait(self, obj, name, *args, cancellable=None):
        """Calls obj.NAME_async(*args, cancellable, callback), runs the loop
        until the callback, and returns what NAME_finish returns (or raises
        what it raises)."""
        outcome = []

        def done(source, result):
            try:
                outcome.append((getattr(source, name + '_finish')(result), None))
            except GLib.Error as e:
                outcome.append((None, e))
            self.loop.quit()

        getattr(obj, name + '_async')(*args, cancellable, done)
        timeout = GLib.timeout_add_seconds(30, self.loop.quit)
        self.loop.run()
        GLib.source_remove(timeout)
        self.assertEqual(len(outcome), 1, f'{name}_async finished')
        value, error = outcome[0]
        if error is not None:
            raise error
        return value

    def assertRaisesCode(self, domain, code, obj, name, *args, **kwargs):
        with self.assertRaises(GLib.Error) as raised:
            self.wait(obj, name, *args, **kwargs)
        self.assertTrue(raised.exception.matches(domain, code), raised.exception)
        return raised.exception


class AsyncTest(LoopMixin, KeyCheckMixin, unittest.TestCase):
    """The _async/_finish pairs, on a GLib main loop."""

    def setUp(self):
        self.loop = GLib.MainLoop()
        self.client = Parsec.Client(application_name=APP)
        self.assertTrue(self.wait(self.client, 'init', GLib.PRIORITY_DEFAULT))

    def test_construct_with_new(self):
        # parsec_client_new() takes the application id of the default GApplication.
        app = Gio.Application(application_id='org.example.PyBindingTest')
        app.register(None)
        outcome = []
        Parsec.Client.new(None, None, lambda _, result: (outcome.append(Parsec.Client.new_finish(result)),
                                                    self.loop.quit()))
        self.loop.run()
        self.assertEqual(outcome[0].props.application_name, 'org.example.PyBindingTest')

    def test_ping(self):
        version = self.wait(self.client, 'ping')
        self.assertIsInstance(version, Parsec.ProtocolVersion)
        self.assertEqual((version.major, version.minor), (1, 0))

    def test_keys_from_generate_lookup_list(self):
        generated = self.wait(self.client, 'generate_key', 'py-async-ecc', ecc_signing())
        self.assertKey(generated, 'py-async-ecc', self.client)
        self.assertKey(self.wait(self.client, 'lookup_key', 'py-async-ecc'), 'py-async-ecc', self.client)
        listed = {k.props.name: k for k in self.wait(self.client, 'list_keys')}
        self.assertKey(listed['py-async-ecc'], 'py-async-ecc', self.client)
        self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.PSA_ALREADY_EXISTS,
                              self.client, 'generate_key', 'py-async-ecc', ecc_signing())
        self.assertTrue(self.wait(generated, 'destroy'))
        self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.PSA_DOES_NOT_EXIST,
                              self.client, 'lookup_key', 'py-async-ecc')

    def test_sign_verify(self):
        key = self.wait(self.client, 'generate_key', 'py-async-sign', ecc_signing())
        data = bytes_(b'the quick brown fox')
        signature = self.wait(key, 'sign_data', data)
        self.assertEqual(signature.get_size(), 64)
        self.assertTrue(self.wait(key, 'verify_data', data, signature))
        self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.PSA_INVALID_SIGNATURE,
                              key, 'verify_data', bytes_(b'other'), signature)

    def test_key_without_attributes(self):
        self.wait(self.client, 'generate_key', 'py-async-bare', ecc_signing())
        key = GObject.new(Parsec.Key, client=self.client, name='py-async-bare')
        self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.INVALID_INPUT, key, 'sign_data', bytes_(b'x'))
        ecdsa = Parsec.Algorithm.new_ecdsa(Parsec.Hash.SHA_256)
        digest = bytes_(hashlib.sha256(b'x').digest())
        signature = self.wait(key, 'sign_hash', ecdsa, digest)
        self.assertTrue(self.wait(key, 'verify_hash', ecdsa, digest, signature))

    def test_rsa_oaep(self):
        oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256)
        key = self.wait(self.client, 'generate_key', 'py-async-rsa', Parsec.KeyAttributes.new_rsa_encryption(2048, oaep))
        label = bytes_(b'label')
        ciphertext = self.wait(key, 'asymmetric_encrypt', None, bytes_(b'attack at dawn'), label)
        plaintext = self.wait(self.client, 'asymmetric_decrypt', 'py-async-rsa', oaep, ciphertext, label)
        self.assertEqual(plaintext.get_data(), b'attack at dawn')

    def test_aes_gcm(self):
        gcm = Parsec.Algorithm.new_aead(Parsec.Aead.GCM)
        key = self.wait(self.client, 'generate_key', 'py-async-aes',
                        Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 256, gcm))
        nonce = self.wait(self.client, 'generate_random', 12)
        # ParsecKey's additional data is not nullable: empty bytes for none.
        ciphertext = self.wait(key, 'aead_encrypt', None, nonce, bytes_(b''), bytes_(b'secret'))
        plaintext = self.wait(key, 'aead_decrypt', gcm, nonce, bytes_(b''), ciphertext)
        self.assertEqual(plaintext.get_data(), b'secret')
        # The same as no additional data to the name-based call.
        plaintext = self.wait(self.client, 'aead_decrypt', 'py-async-aes', gcm, nonce, None, ciphertext)
        self.assertEqual(plaintext.get_data(), b'secret')

    def test_typed_error(self):
        error = self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.PSA_DOES_NOT_EXIST,
                                      self.client, 'lookup_key', 'py-async-missing')
        self.assertEqual(error.domain, 'parsec-error-quark')
        self.assertIn('py-async-missing', error.message)

    def test_cancelled(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        self.assertRaisesCode(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED, self.client, 'ping',
                              cancellable=cancellable)
        key = self.wait(self.client, 'generate_key', 'py-async-cancel', ecc_signing())
        self.assertRaisesCode(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED, key, 'sign_data', bytes_(b'x'),
                              cancellable=cancellable)

    def test_cancelled_in_flight(self):
        cancellable = Gio.Cancellable()
        outcome = []

        def done(client, result):
            try:
                client.generate_random_finish(result)
            except GLib.Error as e:
                outcome.append(e)
            self.loop.quit()

        self.client.generate_random_async(32, cancellable, done)
        cancellable.cancel()
        self.loop.run()
        self.assertTrue(outcome[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        # The client is still usable afterwards.
        self.assertEqual(self.wait(self.client, 'generate_random', 16).get_size(), 16)


def test_service_command():
    """The command line that starts a test service, as parsec-test-env
    finds it: PARSEC_TEST_SERVICE_COMMAND, PARSEC_TEST_SERVICE, or the one
    in the build tree (GI_TYPELIB_PATH names its parsec-glib directory)."""
    if os.environ.get('PARSEC_TEST_SERVICE_COMMAND'):
        return shlex.split(os.environ['PARSEC_TEST_SERVICE_COMMAND'])
    if os.environ.get('PARSEC_TEST_SERVICE'):
        return [os.environ['PARSEC_TEST_SERVICE']]
    for directory in os.environ.get('GI_TYPELIB_PATH', '').split(os.pathsep):
        path = os.path.join(os.path.dirname(os.path.abspath(directory)),
                            'tests', 'service', 'parsec-glib-test-service')
        if directory and os.access(path, os.X_OK):
            return [path]
    raise RuntimeError('parsec-glib-test-service not found: set PARSEC_TEST_SERVICE')


class CertificateTest(LoopMixin, unittest.TestCase):
    """Certificate requests and self-signed certificates, checked by
    OpenSSL and read back as a Gio.TlsCertificate; files and streams
    signed in chunks."""

    def setUp(self):
        self.loop = GLib.MainLoop()
        self.client = new_client()
        self.key = self.client.generate_key('py-certificate', ecc_signing(), None)
        self.addCleanup(self.key.destroy, None)
        self.dir = tempfile.TemporaryDirectory(prefix='parsec-glib-py-certificate.')
        self.addCleanup(self.dir.cleanup)

    def options(self):
        options = Parsec.CertificateOptions.new()
        options.add_subject_attribute('CN', 'py.example')
        options.add_subject_attribute('O', 'Example')
        options.add_dns_name('py.example')
        options.add_ip_address(Gio.InetAddress.new_from_string('192.0.2.7'))
        options.add_email_address('py@example.org')
        return options

    def write_pem(self, name, der, label):
        path = os.path.join(self.dir.name, name)
        with open(path, 'w') as f:
            f.write(Parsec.pem_encode(der, label))
        return path

    def openssl(self, *args):
        openssl = shutil.which('openssl')
        if openssl is None:
            self.skipTest('openssl is not installed')
        proc = subprocess.run([openssl, *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc.stdout + proc.stderr

    def test_request(self):
        for request in (self.key.create_certificate_request(self.options(), None),
                        self.wait(self.key, 'create_certificate_request', self.options())):
            path = self.write_pem('request.pem', request, 'CERTIFICATE REQUEST')
            text = self.openssl('req', '-verify', '-noout', '-text', '-in', path)
            self.assertIn('verify OK', text)
            self.assertIn('CN = py.example', text)
            self.assertIn('DNS:py.example, IP Address:192.0.2.7, email:py@example.org', text)

    def test_self_signed(self):
        options = self.options()
        not_before = GLib.DateTime.new_utc(2031, 3, 4, 5, 6, 7)
        options.set_validity(not_before, not_before.add_days(30))
        for certificate in (self.key.create_self_signed_certificate(options, None),
                            self.wait(self.key, 'create_self_signed_certificate', options)):
            pem = Parsec.pem_encode(certificate, 'CERTIFICATE')
            tls = Gio.TlsCertificate.new_from_pem(pem, -1)
            self.assertIn('CN=py.example', tls.get_subject_name())
            self.assertEqual(tls.get_not_valid_before().to_unix(), not_before.to_unix())
            path = self.write_pem('certificate.pem', certificate, 'CERTIFICATE')
            text = self.openssl('x509', '-noout', '-text', '-in', path)
            self.assertIn('CA:FALSE', text)
            self.assertIn('Digital Signature', text)
            self.assertIn(': OK', self.openssl('verify', '-no_check_time', '-CAfile', path, path))

    def test_sign_file_and_stream(self):
        path = os.path.join(self.dir.name, 'data')
        data = os.urandom(300000)
        with open(path, 'wb') as f:
            f.write(data)
        file = Gio.File.new_for_path(path)
        signature = self.key.sign_file(file, None)
        self.assertTrue(self.key.verify_data(bytes_(data), signature, None))
        self.assertTrue(self.wait(self.key, 'verify_file', file, signature))
        stream = Gio.MemoryInputStream.new_from_bytes(bytes_(data))
        self.assertTrue(self.key.verify_stream(stream, signature, None))
        stream = Gio.MemoryInputStream.new_from_bytes(bytes_(data))
        signature = self.wait(self.key, 'sign_stream', stream)
        self.assertTrue(self.key.verify_data(bytes_(data), signature, None))


class RequestCountTest(LoopMixin, unittest.TestCase):
    """Each key operation sends exactly one request, counted in the log of a
    test service started with --request-log (a line per request)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix='parsec-py-requests.')
        socket = os.path.join(cls.dir.name, 'parsec.sock')
        cls.log = os.path.join(cls.dir.name, 'requests.log')
        cls.service = subprocess.Popen(
            test_service_command() + ['--socket', socket, '--keys', os.path.join(cls.dir.name, 'keys'),
                                      '--authenticator', os.environ.get('PARSEC_TEST_AUTHENTICATOR', 'direct'),
                                      '--request-log', cls.log],
            stdout=subprocess.PIPE, text=True)
        line = cls.service.stdout.readline().strip()
        if line != f'listening on {socket}':
            cls.tearDownClass()
            raise RuntimeError(f'the test service did not start: {line!r}')
        cls.endpoint = 'unix:' + socket

    @classmethod
    def tearDownClass(cls):
        cls.service.terminate()
        cls.service.wait(timeout=30)
        cls.service.stdout.close()
        cls.dir.cleanup()

    def setUp(self):
        self.loop = GLib.MainLoop()
        self.client = Parsec.Client(endpoint=self.endpoint, application_name='py-request-count')
        self.client.init(None)
        # Discovery, once per client, is not counted.
        self.client.discover(None)
        if not self.requests():
            self.skipTest('the service keeps no request log')

    def requests(self):
        try:
            with open(self.log) as f:
                return [line.split()[0] for line in f]
        except FileNotFoundError:
            return []

    def count(self, call):
        """The operations sent while call() runs, and what it returned or
        the GLib.Error it raised."""
        before = len(self.requests())
        try:
            value = call()
        except GLib.Error as e:
            value = e
        return self.requests()[before:], value

    def test_one_request_each(self):
        sent, key = self.count(lambda: self.client.generate_key('py-count', ecc_signing(), None))
        self.assertEqual(sent, ['PsaGenerateKey'])
        data = bytes_(b'the quick brown fox')

        sent, signature = self.count(lambda: key.sign_data(data, None))
        self.assertEqual(sent, ['PsaSignHash'])
        sent, verified = self.count(lambda: key.verify_data(data, signature, None))
        self.assertEqual(sent, ['PsaVerifyHash'])
        self.assertTrue(verified)

        sent, signature = self.count(lambda: self.wait(key, 'sign_data', data))
        self.assertEqual(sent, ['PsaSignHash'])
        sent, verified = self.count(lambda: self.wait(key, 'verify_data', data, signature))
        self.assertEqual(sent, ['PsaVerifyHash'])
        self.assertTrue(verified)

        # A refused signature is one request too.
        sent, error = self.count(lambda: key.verify_data(bytes_(b'other'), signature, None))
        self.assertEqual(sent, ['PsaVerifyHash'])
        self.assertTrue(error.matches(Parsec.error_quark(), Parsec.Error.PSA_INVALID_SIGNATURE), error)

        # lookup_key is one ListKeys, and its key signs in one request.
        sent, found = self.count(lambda: self.client.lookup_key('py-count', None))
        self.assertEqual(sent, ['ListKeys'])
        sent, _ = self.count(lambda: self.wait(found, 'verify_data', data, signature))
        self.assertEqual(sent, ['PsaVerifyHash'])

    def test_ping_one_request(self):
        sent, version = self.count(lambda: self.client.ping(None))
        self.assertEqual(sent, ['Ping'])
        self.assertEqual((version.major, version.minor), (1, 0))


if __name__ == '__main__':
    unittest.main(verbosity=2)
