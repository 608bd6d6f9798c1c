#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The PKCS #11 module through Gck (gcr's GObject wrapper) from Python.

Run through parsec-test-env, which starts a private service:

    parsec-test-env python3 test_gck.py

A key made with parsec-glib-tool is found on the module's token and
signs; the module verifies the signature, and so does OpenSSL with the
public key the tool exports.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

import gi
gi.require_version('Gck', '1')
from gi.repository import Gck  # noqa: E402

TOOL = os.environ['PARSEC_GLIB_TOOL']
MODULE = os.environ['PARSEC_PKCS11_MODULE']
APP = 'gck-test'

CKA_CLASS, CKA_LABEL = 0x0, 0x3
CKO_PUBLIC_KEY, CKO_PRIVATE_KEY = 0x2, 0x3
CKM_ECDSA_SHA256 = 0x1044


class GckTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix='parsec-gck-test.')
        os.environ['PARSEC_PKCS11_APPLICATION_NAME'] = APP
        os.environ['PARSEC_PKCS11_STORE_DIR'] = cls.dir.name
        subprocess.run([TOOL, '--app-name', APP, 'create-ecc-key', '-k', 'gck-key'], check=True,
                       capture_output=True)
        cls.module = Gck.Module.initialize(MODULE, None)

    @classmethod
    def tearDownClass(cls):
        subprocess.run([TOOL, '--app-name', APP, 'delete-key', '-k', 'gck-key'], capture_output=True)
        cls.dir.cleanup()

    def slot(self):
        slots = self.module.get_slots(True)
        self.assertEqual(len(slots), 1)
        return slots[0]

    def find(self, session, klass):
        builder = Gck.Builder.new(Gck.BuilderFlags.NONE)
        builder.add_ulong(CKA_CLASS, klass)
        builder.add_string(CKA_LABEL, 'gck-key')
        objects = session.find_objects(builder.end(), None)
        self.assertEqual(len(objects), 1)
        return objects[0]

    def test_token(self):
        info = self.slot().get_token_info()
        # A service that keeps keys per user has one token, the user's.
        if os.environ.get('PARSEC_TEST_AUTHENTICATOR') == 'unix-peer-credentials':
            self.assertEqual(info.label, f'Parsec uid {os.geteuid()}')
        else:
            self.assertEqual(info.label, f'Parsec {APP}')
        self.assertEqual(info.manufacturer_id, 'Parsec (parsec-glib)')
        self.assertIn(CKM_ECDSA_SHA256, list(self.slot().get_mechanisms()))

    def test_sign(self):
        session = self.slot().open_session(Gck.SessionOptions.READ_ONLY, None)
        private = self.find(session, CKO_PRIVATE_KEY)
        public = self.find(session, CKO_PUBLIC_KEY)
        data = b'signed through Gck'
        signature = session.sign(private, CKM_ECDSA_SHA256, data, None)
        self.assertEqual(len(signature), 64)
        self.assertTrue(session.verify(public, CKM_ECDSA_SHA256, data, signature, None))
        openssl = shutil.which('openssl')
        if openssl is None:
            return
        # OpenSSL wants the DER form of (r, s).
        r, s = signature[:32], signature[32:]

        def integer(x):
            x = x.lstrip(b'\0')
            if not x or x[0] & 0x80:
                x = b'\0' + x
            return b'\x02' + bytes([len(x)]) + x
        body = integer(r) + integer(s)
        der = b'\x30' + bytes([len(body)]) + body
        pem = os.path.join(self.dir.name, 'key.pem')
        subprocess.run([TOOL, '--app-name', APP, 'export-public-key', '-k', 'gck-key', '-o', pem], check=True)
        for name, content in (('data', data), ('sig', der)):
            with open(os.path.join(self.dir.name, name), 'wb') as f:
                f.write(content)
        proc = subprocess.run([openssl, 'dgst', '-sha256', '-verify', pem, '-signature', 'sig', 'data'],
                              cwd=self.dir.name, capture_output=True)
        self.assertIn(b'Verified OK', proc.stdout)


if __name__ == '__main__':
    unittest.main(verbosity=2)
