#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The version through the typelib: the library's, the headers' and the
project's (the first argument) are one."""

import sys
import unittest

import gi
gi.require_version('Parsec', '1')
from gi.repository import Parsec  # noqa: E402

PROJECT_VERSION = sys.argv.pop(1)


class VersionTest(unittest.TestCase):
    def test_runtime(self):
        runtime = (Parsec.get_major_version(), Parsec.get_minor_version(),
                   Parsec.get_micro_version())
        headers = (Parsec.MAJOR_VERSION, Parsec.MINOR_VERSION, Parsec.MICRO_VERSION)
        self.assertEqual(runtime, headers)
        self.assertEqual('.'.join(map(str, runtime)), PROJECT_VERSION)
        self.assertEqual(Parsec.VERSION_S, PROJECT_VERSION)

    def test_check(self):
        self.assertIsNone(Parsec.check_version(*map(int, PROJECT_VERSION.split('.'))))
        self.assertIsNotNone(Parsec.check_version(Parsec.MAJOR_VERSION + 1, 0, 0))


if __name__ == '__main__':
    unittest.main()
