# SPDX-License-Identifier: Apache-2.0
#
# TAP output for the Python scripts of tests/dbus: numbered results, and
# the first failure ends the script.

import sys

_count = 0


def ok(what):
    global _count
    _count += 1
    print(f'ok {_count} - {what}', flush=True)


def fail(what, why):
    print(f'not ok {_count + 1} - {what}\n# {why}', flush=True)
    sys.exit(1)
