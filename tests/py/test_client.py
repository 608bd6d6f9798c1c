#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ParsecClient through GObject Introspection, against the fake service."""

import os
import subprocess
import unittest

import gi
gi.require_version('Parsec', '1')
from gi.repository import GLib, Gio, Parsec  # noqa: E402


class FakeServiceTestCase(unittest.TestCase):
    """A fake service per test, at self.endpoint."""

    def setUp(self):
        self.fake = subprocess.Popen([os.environ['FAKE_PARSEC_SERVICE']],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        self.endpoint = self.fake.stdout.readline().strip()
        self.assertTrue(self.endpoint.startswith('unix:/'))

    def tearDown(self):
        self.fake.stdin.close()
        self.fake.wait(timeout=10)



class ClientTest(FakeServiceTestCase):
    def new_client(self, **props):
        client = Parsec.Client(endpoint=self.endpoint, application_name='py-test', **props)
        client.init(None)
        return client

    def test_sync(self):
        client = self.new_client()
        # Initialisation sends nothing; discovery finds the provider.
        self.assertEqual(client.get_implicit_provider(), Parsec.Provider.CORE)
        self.assertTrue(client.discover(None))
        self.assertEqual(client.get_implicit_provider(), Parsec.Provider.MBED_CRYPTO)
        self.assertEqual(client.props.auth_type, Parsec.AuthType.DIRECT)
        version = client.ping(None)
        self.assertIsInstance(version, Parsec.ProtocolVersion)
        self.assertEqual((version.major, version.minor), (1, 0))
        providers = client.list_providers(None)
        self.assertEqual([p.props.id for p in providers], [1, 0])
        self.assertEqual(providers[0].get_uuid(), '1c1139dc-ad7c-47dc-ad6b-db6fdb466552')
        self.assertEqual(list(client.list_opcodes(0, None)), [])

    def test_async(self):
        loop = GLib.MainLoop()
        results = {}

        def on_ping(client, result):
            results['ping'] = client.ping_finish(result)
            loop.quit()

        def on_client(source, result):
            client = Parsec.Client.new_finish(result)
            results['client'] = client
            client.ping_async(None, on_ping)

        os.environ['PARSEC_SERVICE_ENDPOINT'] = self.endpoint
        app = Gio.Application(application_id='org.example.PyTest')
        app.register(None)
        Parsec.Client.new(None, None, on_client)
        GLib.timeout_add_seconds(10, loop.quit)
        loop.run()
        self.assertEqual((results['ping'].major, results['ping'].minor), (1, 0))
        self.assertEqual(results['client'].props.application_name, 'org.example.PyTest')

    def test_typed_error(self):
        with self.assertRaises(GLib.Error) as raised:
            Parsec.Client(endpoint='tcp://nowhere:1').init(None)
        self.assertTrue(raised.exception.matches(Parsec.error_quark(), Parsec.Error.INVALID_ENDPOINT))
        self.assertEqual(raised.exception.domain, 'parsec-error-quark')


if __name__ == '__main__':
    unittest.main(verbosity=2)
