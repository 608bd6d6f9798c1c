#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The bash completion and the manual pages against the programs they
describe: the completion, sourced in bash, completes what the tool's
--help lists, and each manual page names every command and option its
program lists, so that neither drifts from the program.

    test_man_completion.py  (PARSEC_GLIB_TOOL, COMPLETION, MAN_DIR and,
                             optionally, PARSEC_GLIB_DBUS_SERVICE in the
                             environment)
"""

import os
import re
import subprocess
import unittest

TOOL = os.environ['PARSEC_GLIB_TOOL']
COMPLETION = os.environ['COMPLETION']
MAN_DIR = os.environ['MAN_DIR']
DBUS_SERVICE = os.environ.get('PARSEC_GLIB_DBUS_SERVICE')


def help_text(*args):
    return subprocess.run([TOOL, *args], capture_output=True, check=True, text=True, timeout=60).stdout


def commands():
    text = help_text('--help')
    section = text[text.index('Commands:\n'):].split('\n\n')[0]
    return re.findall(r'^  ([a-z][a-z0-9-]*)  ', section, re.M)


def long_options(text):
    return set(re.findall(r'^ +(?:-\w, )?(--[\w-]+)', text, re.M)) - {'--help', '--help-all', '--help-global'}


def man_page(name):
    with open(os.path.join(MAN_DIR, name), encoding='utf-8') as f:
        # Roff escapes the minus sign of options
        return f.read().replace('\\-', '-')


class CompletionTests(unittest.TestCase):
    def complete(self, *words):
        """What the completion offers for the command line @words, the last
        being the word under the cursor."""
        script = ('source "$1"; shift\n'
                  'complete -p parsec-glib-tool >/dev/null\n'
                  'COMP_WORDS=(parsec-glib-tool "$@"); COMP_CWORD=$#\n'
                  'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}\n'
                  '_parsec_glib_tool\n'
                  'printf "%s\\n" "${COMPREPLY[@]}"\n')
        env = dict(os.environ, PATH=os.path.dirname(TOOL) + os.pathsep + os.environ['PATH'])
        proc = subprocess.run(['bash', '--norc', '--noprofile', '-c', script, 'bash', COMPLETION, *words],
                              capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, ''))
        return [line for line in proc.stdout.splitlines() if line]

    def test_commands(self):
        self.assertEqual(self.complete('si'), ['sign'])
        self.assertEqual(self.complete(''), commands() + ['help'] if 'help' not in commands() else commands())
        self.assertEqual(self.complete('--timeout', '5', 'ver'), ['verify'])
        self.assertEqual(self.complete('-p', 'mbed-crypto', 'list-k'), ['list-keys'])
        self.assertEqual(self.complete('help', 'enc'), ['encrypt'])

    def test_options(self):
        self.assertEqual(self.complete('sign', '--key'), ['--key-name='])
        offered = set(self.complete('sign', '--')) - {'--help', '--help-all', '--help-global'}
        self.assertEqual(offered, {o + '=' if f'{o}=' in help_text('sign', '--help-all') else o
                                   for o in long_options(help_text('sign', '--help-all'))})
        self.assertEqual(self.complete('decrypt', '--input-format', ''), ['auto', 'raw', 'base64', 'hex'])
        self.assertEqual(self.complete('sign', '-f', ''), ['der', 'raw', 'base64', 'hex'])
        self.assertEqual(self.complete('export-public-key', '--format=d'), ['der'])
        self.assertEqual(self.complete('--auth', 'unix'), ['unix-peer-credentials'])
        self.assertEqual(self.complete('create-ecc-key', '-c', 'p5'), ['p521'])
        self.assertIn(os.path.basename(COMPLETION),
                      [os.path.basename(p) for p in self.complete('sign', '-i', os.path.dirname(COMPLETION) + '/')])


class ManTests(unittest.TestCase):
    def test_tool(self):
        page = man_page('parsec-glib-tool.1')
        self.assertIn('.TH PARSEC-GLIB-TOOL 1', page)
        for command in commands():
            self.assertTrue(re.search(r'(?m)^\.B[IR]? "?' + re.escape(command) + r'\b', page), command)
        for option in long_options(help_text('--help-all')) | long_options(help_text('sign', '--help-all')):
            self.assertIn(option, page)
        for status in range(6):
            self.assertRegex(page, rf'(?m)^\.B {status}$')

    @unittest.skipUnless(DBUS_SERVICE, 'the D-Bus service is not built')
    def test_dbus_service(self):
        page = man_page('parsec-glib-dbus-service.1')
        self.assertIn('.TH PARSEC-GLIB-DBUS-SERVICE 1', page)
        text = subprocess.run([DBUS_SERVICE, '--help'], capture_output=True, check=True, text=True,
                              timeout=60).stdout
        options = long_options(text)
        self.assertTrue(options)
        for option in options:
            self.assertIn(option, page)


if __name__ == '__main__':
    unittest.main(verbosity=2)
