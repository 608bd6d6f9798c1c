#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ParsecClient's configuration through GObject Introspection: fixed at
construction, read back through the getters, GSettings behind the unset
values, and what discovery learns notified on the client's context."""

import threading
import unittest
import warnings

import gi
gi.require_version('Parsec', '1')
from gi.repository import GLib, GObject, Gio, Parsec  # noqa: E402

from test_client import FakeServiceTestCase  # noqa: E402

# Each configuration property: its unset value, and a value to give.
CONFIGURATION = {
    'endpoint': (None, 'unix:/nonexistent/configured.sock'),
    'application-name': (None, 'org.example.Configured'),
    'auth-method': (Parsec.AuthMethod.AUTO, Parsec.AuthMethod.DIRECT),
    'provider': (Parsec.Provider.AUTO, Parsec.Provider.TPM),
    'timeout': (-1, 1234),
    'max-response-size': (0, 4321),
    'max-requests-in-flight': (0, 7),
    'trust-policy': (Parsec.TrustPolicy.DEFAULT, Parsec.TrustPolicy.WARN),
    'trusted-users': (None, ['root', '1234']),
}


def pspec(name):
    return getattr(Parsec.Client.props, py_name(name))


def py_name(name):
    return name.replace('-', '_')


def iterate_default_context():
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass


class ConstructOnlyTest(unittest.TestCase):
    def test_flags_and_unset_defaults(self):
        for name, (unset, _) in CONFIGURATION.items():
            with self.subTest(property=name):
                flags = pspec(name).flags
                for flag in (GObject.ParamFlags.READWRITE, GObject.ParamFlags.CONSTRUCT_ONLY,
                             GObject.ParamFlags.EXPLICIT_NOTIFY):
                    self.assertEqual(flags & flag, flag)
                self.assertEqual(pspec(name).default_value, unset)
        # The token is no configuration: it may be replaced at any time.
        token = pspec('jwt-svid-token').flags
        self.assertTrue(token & GObject.ParamFlags.WRITABLE)
        self.assertFalse(token & GObject.ParamFlags.CONSTRUCT_ONLY)
        self.assertEqual(pspec('provider').value_type, Parsec.Provider.__gtype__)

    def assert_refused(self, name, set_it):
        # Newer PyGObject raises TypeError itself; older ones pass the set
        # to GObject, which refuses it with a warning.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            try:
                set_it()
            except TypeError:
                return
        self.assertIn('construct property "%s"' % name, ' '.join(str(w.message) for w in caught))

    def test_set_after_construction_is_refused(self):
        for name, (unset, given) in CONFIGURATION.items():
            with self.subTest(property=name):
                client = Parsec.Client(**{py_name(name): given})
                self.assert_refused(name, lambda: client.set_property(name, unset))
                self.assert_refused(name, lambda: setattr(client.props, py_name(name), unset))
                self.assertEqual(client.get_property(name), given)

    def test_token_stays_writable(self):
        client = Parsec.Client()
        client.props.jwt_svid_token = 'header.payload.signature'
        client.set_jwt_svid_token('header.payload.other')


class GettersTest(FakeServiceTestCase):
    def setUp(self):
        super().setUp()
        self.settings = Gio.Settings.new('community.parsec.glib')
        for key in ('timeout', 'max-response-size', 'max-requests-in-flight', 'trust-policy', 'trusted-users'):
            self.addCleanup(self.settings.reset, key)

    def client(self, **props):
        return Parsec.Client(endpoint=self.endpoint, application_name='py-config', **props)

    def test_given_values(self):
        client = self.client(provider=Parsec.Provider.TPM, auth_method=Parsec.AuthMethod.DIRECT,
                             timeout=1234, max_response_size=4321, max_requests_in_flight=7,
                             trust_policy=Parsec.TrustPolicy.WARN, trusted_users=['root', '1234'])
        for initialised in (False, True):
            with self.subTest(initialised=initialised):
                self.assertEqual(client.get_provider(), Parsec.Provider.TPM)
                self.assertEqual(client.get_auth_method(), Parsec.AuthMethod.DIRECT)
                self.assertEqual(client.get_timeout(), 1234)
                self.assertEqual(client.get_max_response_size(), 4321)
                self.assertEqual(client.get_max_requests_in_flight(), 7)
                self.assertEqual(client.get_trust_policy(), Parsec.TrustPolicy.WARN)
                self.assertEqual(client.get_trusted_users(), ['root', '1234'])
                self.assertEqual(client.props.trusted_users, ['root', '1234'])
            client.init(None)
        self.assertEqual(client.get_implicit_provider(), Parsec.Provider.TPM)

    def test_unset_takes_the_defaults(self):
        client = self.client()
        self.assertEqual(client.get_timeout(), -1)
        self.assertEqual(client.get_max_response_size(), 0)
        self.assertEqual(client.get_max_requests_in_flight(), 0)
        self.assertEqual(client.get_trust_policy(), Parsec.TrustPolicy.DEFAULT)
        # NULL: PyGObject 3.42 makes it [], later versions None.
        self.assertIn(client.get_trusted_users(), (None, []))
        client.init(None)
        self.assertEqual(client.get_timeout(), 60000)
        self.assertEqual(client.get_max_response_size(), 1 << 20)
        self.assertEqual(client.get_max_requests_in_flight(), 16)
        self.assertEqual(client.get_trust_policy(), Parsec.TrustPolicy.OFF)
        self.assertIn(client.get_trusted_users(), (None, []))
        self.assertEqual(client.get_provider(), Parsec.Provider.AUTO)
        self.assertEqual(client.get_auth_method(), Parsec.AuthMethod.AUTO)

    def test_unset_takes_gsettings(self):
        self.settings.set_uint('timeout', 2500)
        self.settings.set_uint('max-response-size', 3000)
        self.settings.set_uint('max-requests-in-flight', 5)
        self.settings.set_string('trust-policy', 'warn')
        self.settings.set_strv('trusted-users', ['root', '4242'])
        client = self.client()
        self.assertEqual(client.props.timeout, -1)
        client.init(None)
        self.assertEqual(client.props.timeout, 2500)
        self.assertEqual(client.get_timeout(), 2500)
        self.assertEqual(client.get_max_response_size(), 3000)
        self.assertEqual(client.get_max_requests_in_flight(), 5)
        self.assertEqual(client.get_trust_policy(), Parsec.TrustPolicy.WARN)
        self.assertEqual(client.get_trusted_users(), ['root', '4242'])

        # What the application gives beats GSettings, no deadline included.
        client = self.client(timeout=0, trust_policy=Parsec.TrustPolicy.OFF, trusted_users=['0'])
        client.init(None)
        self.assertEqual(client.get_timeout(), 0)
        self.assertEqual(client.get_max_response_size(), 3000)
        self.assertEqual(client.get_trust_policy(), Parsec.TrustPolicy.OFF)
        self.assertEqual(client.get_trusted_users(), ['0'])


class NotifyTest(FakeServiceTestCase):
    def setUp(self):
        super().setUp()
        self.client = Parsec.Client(endpoint=self.endpoint, application_name='py-config')
        self.client.init(None)
        self.notified = []
        for name in ('auth-type', 'implicit-provider'):
            self.client.connect('notify::' + name, self.on_notify)

    def on_notify(self, client, param):
        self.notified.append((param.name, threading.get_ident()))

    def assert_notified_once_here(self):
        here = threading.get_ident()
        self.assertEqual(sorted(self.notified), [('auth-type', here), ('implicit-provider', here)])
        self.assertEqual(self.client.props.implicit_provider, Parsec.Provider.MBED_CRYPTO)
        self.assertEqual(self.client.props.auth_type, Parsec.AuthType.DIRECT)

    def test_discover(self):
        self.assertTrue(self.client.discover(None))
        iterate_default_context()
        self.assert_notified_once_here()
        # Known values are not learned again.
        self.assertTrue(self.client.discover(None))
        iterate_default_context()
        self.assert_notified_once_here()

    def test_discover_async(self):
        loop = GLib.MainLoop()

        def done(client, result):
            self.assertTrue(client.discover_finish(result))
            loop.quit()

        self.client.discover_async(None, done)
        GLib.timeout_add_seconds(10, loop.quit)
        loop.run()
        iterate_default_context()
        self.assert_notified_once_here()

    def test_discover_in_another_thread(self):
        # The notifications wait for the client's context.
        thread = threading.Thread(target=self.client.discover, args=(None,))
        thread.start()
        thread.join()
        self.assertEqual(self.notified, [])
        iterate_default_context()
        self.assert_notified_once_here()


if __name__ == '__main__':
    unittest.main(verbosity=2)
