#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ParsecClient from Python through the typelib, against the real test service.

Run through parsec-test-env, which sets PARSEC_SERVICE_ENDPOINT. The same
operations are tested with the blocking calls and with the _async/_finish
pairs on a GLib main loop.
"""

import os
import unittest

import gi
gi.require_version('Parsec', '1')
from gi.repository import GLib, Gio, Parsec  # noqa: E402

APP = 'py-binding-test'


def new_client():
    client = Parsec.Client(application_name=APP)
    client.init(None)
    return client


class SyncTest(unittest.TestCase):
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
        self.assertEqual(self.client.ping(None), (True, 1, 0))

    def test_generate_list_destroy(self):
        attributes = Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256)
        self.assertTrue(self.client.generate_key('py-ecc', attributes, None))
        keys = {k.props.name: k for k in self.client.list_keys(None)}
        self.assertEqual(keys['py-ecc'].props.attributes.get_key_type(), Parsec.KeyType.ECC_KEY_PAIR)
        self.assertEqual(keys['py-ecc'].props.attributes.get_bits(), 256)
        self.client.destroy_key('py-ecc', None)
        self.assertNotIn('py-ecc', [k.props.name for k in self.client.list_keys(None)])

    def test_sign_verify(self):
        self.client.generate_key('py-sign', None, None)  # None: ECDSA P-256 with SHA-256
        data = GLib.Bytes.new(b'the quick brown fox')
        signature = self.client.sign_data('py-sign', data, None)
        self.assertEqual(signature.get_size(), 64)
        self.assertTrue(self.client.verify_data('py-sign', data, signature, None))
        with self.assertRaises(GLib.Error) as raised:
            self.client.verify_data('py-sign', GLib.Bytes.new(b'the quick brown cat'), signature, None)
        self.assertTrue(raised.exception.matches(Parsec.error_quark(), Parsec.Error.PSA_INVALID_SIGNATURE))

    def test_rsa_oaep(self):
        oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256)
        self.client.generate_key('py-rsa', Parsec.KeyAttributes.new_rsa_encryption(2048, oaep), None)
        ciphertext = self.client.asymmetric_encrypt('py-rsa', oaep, GLib.Bytes.new(b'attack at dawn'), None, None)
        self.assertEqual(ciphertext.get_size(), 256)
        plaintext = self.client.asymmetric_decrypt('py-rsa', oaep, ciphertext, None, None)
        self.assertEqual(plaintext.get_data(), b'attack at dawn')

    def test_aes_gcm(self):
        gcm = Parsec.Algorithm.new_aead(Parsec.Aead.GCM)
        self.client.generate_key('py-aes', Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 128, gcm), None)
        nonce = self.client.generate_random(12, None)
        ad = GLib.Bytes.new(b'header')
        ciphertext = self.client.aead_encrypt('py-aes', gcm, nonce, ad, GLib.Bytes.new(b'secret'), None)
        self.assertEqual(ciphertext.get_size(), 6 + 16)
        self.assertEqual(self.client.aead_decrypt('py-aes', gcm, nonce, ad, ciphertext, None).get_data(), b'secret')
        with self.assertRaises(GLib.Error) as raised:
            self.client.aead_decrypt('py-aes', gcm, nonce, None, ciphertext, None)
        self.assertTrue(raised.exception.matches(Parsec.error_quark(), Parsec.Error.PSA_INVALID_SIGNATURE))

    def test_typed_error(self):
        with self.assertRaises(GLib.Error) as raised:
            self.client.sign_data('py-missing', GLib.Bytes.new(b'x'), None)
        error = raised.exception
        self.assertTrue(error.matches(Parsec.error_quark(), Parsec.Error.PSA_DOES_NOT_EXIST))
        self.assertEqual(error.domain, 'parsec-error-quark')
        self.assertEqual(Parsec.Error(error.code), Parsec.Error.PSA_DOES_NOT_EXIST)
        self.assertIn('py-missing', error.message)

    def test_cancelled(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as raised:
            self.client.ping(cancellable)
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))


class AsyncTest(unittest.TestCase):
    """The _async/_finish pairs, on a GLib main loop."""

    def setUp(self):
        self.loop = GLib.MainLoop()
        self.client = Parsec.Client(application_name=APP)
        self.assertTrue(self.wait(self.client, 'init', GLib.PRIORITY_DEFAULT))

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

    def assertRaisesCode(self, domain, code, name, *args, **kwargs):
        with self.assertRaises(GLib.Error) as raised:
            self.wait(self.client, name, *args, **kwargs)
        self.assertTrue(raised.exception.matches(domain, code), raised.exception)
        return raised.exception

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
        self.assertEqual(self.wait(self.client, 'ping'), (True, 1, 0))

    def test_generate_list_destroy(self):
        attributes = Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256)
        self.assertTrue(self.wait(self.client, 'generate_key', 'py-async-ecc', attributes))
        self.assertIn('py-async-ecc', [k.props.name for k in self.wait(self.client, 'list_keys')])
        self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.PSA_ALREADY_EXISTS,
                              'generate_key', 'py-async-ecc', attributes)
        self.assertTrue(self.wait(self.client, 'destroy_key', 'py-async-ecc'))

    def test_sign_verify(self):
        self.wait(self.client, 'generate_key', 'py-async-sign', None)
        data = GLib.Bytes.new(b'the quick brown fox')
        signature = self.wait(self.client, 'sign_data', 'py-async-sign', data)
        self.assertTrue(self.wait(self.client, 'verify_data', 'py-async-sign', data, signature))
        self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.PSA_INVALID_SIGNATURE,
                              'verify_data', 'py-async-sign', GLib.Bytes.new(b'other'), signature)

    def test_rsa_oaep(self):
        oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256)
        self.wait(self.client, 'generate_key', 'py-async-rsa', Parsec.KeyAttributes.new_rsa_encryption(2048, oaep))
        label = GLib.Bytes.new(b'label')
        ciphertext = self.wait(self.client, 'asymmetric_encrypt', 'py-async-rsa', oaep,
                               GLib.Bytes.new(b'attack at dawn'), label)
        plaintext = self.wait(self.client, 'asymmetric_decrypt', 'py-async-rsa', oaep, ciphertext, label)
        self.assertEqual(plaintext.get_data(), b'attack at dawn')

    def test_aes_gcm(self):
        gcm = Parsec.Algorithm.new_aead(Parsec.Aead.GCM)
        self.wait(self.client, 'generate_key', 'py-async-aes', Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 256, gcm))
        nonce = self.wait(self.client, 'generate_random', 12)
        ciphertext = self.wait(self.client, 'aead_encrypt', 'py-async-aes', gcm, nonce, None, GLib.Bytes.new(b'secret'))
        plaintext = self.wait(self.client, 'aead_decrypt', 'py-async-aes', gcm, nonce, None, ciphertext)
        self.assertEqual(plaintext.get_data(), b'secret')

    def test_typed_error(self):
        error = self.assertRaisesCode(Parsec.error_quark(), Parsec.Error.PSA_DOES_NOT_EXIST,
                                      'sign_data', 'py-async-missing', GLib.Bytes.new(b'x'))
        self.assertEqual(error.domain, 'parsec-error-quark')

    def test_cancelled(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        self.assertRaisesCode(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED, 'ping', cancellable=cancellable)

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


if __name__ == '__main__':
    unittest.main(verbosity=2)
