#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""parsec-glib-tool beside parsec-tool 0.7: the same command lines, the
same results.

A scenario of parsec-tool command lines (SCENARIO) runs against one
service, through a relay that records the requests of each line:

    parsec-test-env --admin parsec-tool -- test_parity.py recorded TRANSCRIPT
        our tool only, checked against TRANSCRIPT: what parsec-tool 0.7.0
        printed, exited with and asked for on the same lines against
        Parsec 1.5.0. Needs no parsec-tool, so it runs everywhere.
    PARSEC_TOOL=/path/to/parsec-tool parsec-test-env --admin parsec-tool -- \\
        test_parity.py compare TRANSCRIPT
        each line through both tools, compared with each other (and our
        tool with the transcript too). Without PARSEC_TOOL it says so and
        exits with 77, which meson reports as a skip.
    PARSEC_TOOL=... parsec-test-env ... -- test_parity.py record TRANSCRIPT
        parsec-tool alone, writing TRANSCRIPT.

Deterministic lines must print the same bytes; signatures, ciphertexts
and CSRs, which differ from run to run, must verify or decrypt (OpenSSL
checks the signatures of both tools), and what in them is deterministic
must be the same bytes. Our tool may send fewer requests, never more.
"""

import base64
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from requestlog import RequestLog

OPENSSL = shutil.which(os.environ.get('OPENSSL', 'openssl'))
MODES = ('recorded', 'compare', 'record')

# Key names: each tool makes its own in the lines that create or delete
# keys; the others use the keys of the tool that ran first.
PREFIXES = {'ours': 'parity-glib', 'parsec-tool': 'parity-rust'}

# Decrypted and printed as UTF-8, each invalid sequence replaced
PLAINTEXT = b'caf\xc3\xa9 \xe2\x82 \xff \xf0\x9f\x98 \xed\xa0\x80 end'
OAEP = ('-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256')

# (name, command line, kind, options). In command lines, {KEY} is the
# name of a key; ('ciphertext', KEY, openssl options) is PLAINTEXT
# encrypted by OpenSSL to the public key of KEY, in base64.
#
# What each kind establishes when the outputs are not byte for byte the same
VERDICTS = {
    'same': 'same layout and key structure (another key)',
    'lines': 'the same lines, in another order',
    'keys': 'the same line for each key',
    'status': 'the same exit status (the texts differ)',
    'signature': 'both verify with OpenSSL',
    'rsa-sig': 'both verify with OpenSSL',
    'cipher': 'each decrypts to the plaintext',
    'random': 'the same format and length',
    'csr': 'both verify; the same subject, extensions and signature algorithm',
    'csr-text': 'both verify; the same subject in other string types',
}

# Kinds:
#   same      identical stdout and exit status
#   lines     the same lines in any order (parsec-tool's opcodes come
#             from a hash set)
#   keys      list-keys: the same line for each key
#   status    the same exit status (failures, help: texts differ)
#   signature an ECDSA signature: verifies, with OpenSSL, for both tools
#   rsa-sig   an RSA PKCS #1 v1.5 signature: deterministic, so identical
#   cipher    a ciphertext: each tool decrypts what the other made
#   random    generate-random's line, of the same length
#   csr       a CSR: verifies; subject, public key, extensions and
#             signature algorithm identical (the whole CSR for RSA)
#   csr-text  a CSR whose subject has a country and a serial number:
#             the same subject, though in other string types (below)
SCENARIO = [
    ('ping', ['ping'], 'same'),
    ('ping-timeout', ['-t', '10', 'ping'], 'same'),
    ('ping-attached', ['-p1', '-t=10', 'ping'], 'same'),
    ('list-providers', ['list-providers'], 'same', {'service': True}),
    ('list-authenticators', ['list-authenticators'], 'same', {'service': True}),
    ('list-opcodes', ['list-opcodes'], 'lines'),
    ('list-opcodes-global-p', ['-p', '1', 'list-opcodes'], 'lines'),
    ('list-opcodes-p', ['list-opcodes', '-p', '1'], 'lines'),
    ('list-keys-none', ['list-keys'], 'keys'),
    ('create-ecc-key', ['create-ecc-key', '-k', '{ecc}'], 'same', {'own': True}),
    ('create-rsa-key', ['create-rsa-key', '-k', '{rsa}'], 'same', {'own': True}),
    ('create-rsa-key-s', ['create-rsa-key', '-k', '{rsa-sign}', '-s'], 'same', {'own': True}),
    ('create-rsa-key-o', ['create-rsa-key', '--key-name', '{rsa-oaep}', '-o'], 'same', {'own': True}),
    ('create-rsa-key-s-o', ['create-rsa-key', '-k', '{rsa-so}', '-s', '-o'], 'same', {'own': True}),
    ('create-rsa-key-b', ['create-rsa-key', '-k', '{rsa-1024}', '--for-signing', '-b', '1024'], 'same',
     {'own': True}),
    ('create-rsa-key-cluster', ['create-rsa-key', '-k={rsa-cluster}', '-sb1024'], 'same', {'own': True}),
    ('create-ecc-key-exists', ['create-ecc-key', '-k', '{ecc}'], 'same', {'own': True}),
    ('list-keys', ['list-keys'], 'keys'),
    ('list-clients', ['list-clients'], 'same'),
    ('delete-client-nobody', ['delete-client', '-c', 'parity-nobody'], 'same'),
    ('export-public-key-ecc', ['export-public-key', '-k', '{ecc}'], 'same', {'key': 'ecc', 'header': 27}),
    ('export-public-key-rsa', ['export-public-key', '-k', '{rsa}'], 'same', {'key': 'rsa', 'header': 33}),
    ('export-public-key-pkcs1', ['export-public-key', '-k', '{rsa-sign}', '--pkcs1'], 'same',
     {'key': 'rsa-sign', 'header': 9}),
    ('export-public-key-pkcs1-ecc', ['export-public-key', '-k', '{ecc}', '--pkcs1'], 'same'),
    ('export-public-key-missing', ['export-public-key', '-k', 'parity-missing'], 'same'),
    ('sign-ecc', ['sign', '-k', '{ecc}', 'signed by both tools'], 'signature',
     {'key': 'ecc', 'data': 'signed by both tools'}),
    ('sign-rsa', ['sign', '-k', '{rsa-sign}', 'signed by both tools'], 'rsa-sig',
     {'key': 'rsa-sign', 'data': 'signed by both tools'}),
    ('sign-rsa-1024', ['sign', 'data first', '-k', '{rsa-1024}'], 'rsa-sig', {'key': 'rsa-1024', 'data': 'data first'}),
    ('sign-attached', ['sign', '-k{rsa-cluster}', 'attached'], 'rsa-sig', {'key': 'rsa-cluster', 'data': 'attached'}),
    ('sign-encryption-key', ['sign', '-k', '{rsa}', 'x'], 'same'),
    ('sign-missing', ['sign', '-k', 'parity-missing', 'x'], 'same'),
    ('encrypt', ['encrypt', '-k', '{rsa}', 'encrypted by both tools'], 'cipher', {'key': 'rsa'}),
    ('encrypt-oaep', ['encrypt', '-k', '{rsa-oaep}', 'encrypted by both tools'], 'cipher', {'key': 'rsa-oaep'}),
    ('encrypt-signing-key', ['encrypt', '-k', '{ecc}', 'x'], 'same'),
    ('decrypt', ['decrypt', '-k', '{rsa}', ('ciphertext', 'rsa', ())], 'same'),
    ('decrypt-oaep', ['decrypt', '-k', '{rsa-oaep}', ('ciphertext', 'rsa-oaep', OAEP)], 'same'),
    ('decrypt-not-base64', ['decrypt', '-k', '{rsa}', 'not base64!'], 'same'),
    ('generate-random', ['generate-random', '-n', '24'], 'random'),
    ('generate-random-long', ['generate-random', '--nbytes', '3'], 'random'),
    ('generate-random-0', ['generate-random', '-n', '0'], 'same'),
    ('create-csr-ecc', ['create-csr', '-k', '{ecc}', '--cn', 'parity.example', '--o', 'Example', '--ou', 'Unit',
                        '--l', 'City', '--st', 'State', '--san', 'a.example', 'b.example'], 'csr', {'key': 'ecc'}),
    ('create-csr-rsa', ['create-csr', '-k', '{rsa-sign}', '--cn', 'parity.example', '--san', 'a.example'], 'csr',
     {'key': 'rsa-sign'}),
    ('create-csr-empty', ['create-csr', '-k', '{rsa-sign}'], 'csr', {'key': 'rsa-sign'}),
    ('create-csr-country', ['create-csr', '-k', '{ecc}', '--cn', 'parity.example', '--c', 'DE',
                            '--serialNumber', '42'], 'csr-text', {'key': 'ecc'}),
    ('create-csr-encryption-key', ['create-csr', '-k', '{rsa}', '--cn', 'x'], 'same'),
    ('delete-key', ['delete-key', '-k', '{rsa-so}'], 'same', {'own': True}),
    ('delete-key-again', ['delete-key', '-k', '{rsa-so}'], 'same', {'own': True}),
    ('usage-no-command', [], 'same'),
    ('usage-unknown-command', ['frobnicate'], 'same'),
    ('usage-extra-argument', ['ping', 'extra'], 'same'),
    ('usage-unknown-option', ['ping', '--frobnicate'], 'same'),
    ('usage-global-after', ['ping', '-t', '10'], 'same'),
    ('usage-unknown-provider', ['-p', '7', 'ping'], 'same'),
    ('usage-missing-key-name', ['create-ecc-key'], 'same'),
    ('usage-missing-value', ['sign', '-k'], 'same'),
    ('usage-missing-argument', ['generate-random'], 'same'),
    ('usage-bad-number', ['generate-random', '-n', 'many'], 'same'),
    ('usage-two-arguments', ['sign', '-k', '{ecc}', 'one', 'two'], 'same'),
    ('help', ['--help'], 'status'),
    ('help-command', ['help', 'sign'], 'status'),
    ('help-sign', ['sign', '--help'], 'status'),
    ('version', ['-V'], 'status'),
]


def der_children(der):
    """The TLVs inside a DER SEQUENCE: (tag, whole TLV) pairs."""
    def header(data, i):
        tag, n = data[i], data[i + 1]
        i += 2
        if n & 0x80:
            count, n = n & 0x7f, 0
            for _ in range(count):
                n = n << 8 | data[i]
                i += 1
        return tag, i, n

    _, start, length = header(der, 0)
    children, i = [], start
    while i < start + length:
        tag, content, n = header(der, i)
        children.append((tag, der[i:content + n]))
        i = content + n
    return children


def pem_der(text):
    body = re.sub(r'-----[^-]+-----', '', text.decode())
    return base64.b64decode(''.join(body.split()))


class Run:
    def __init__(self, argv, status, stdout, requests):
        self.argv, self.status, self.stdout, self.requests = argv, status, stdout, requests

    @classmethod
    def from_json(cls, data):
        return cls(data['argv'], data['status'], data['stdout'].encode(), data['requests'])

    def to_json(self):
        return {'argv': self.argv, 'status': self.status, 'stdout': self.stdout.decode(),
                'requests': self.requests}


class Parity(unittest.TestCase):
    """One test per line of the scenario, in its order."""

    mode = None
    transcript = None
    tools = {}          # 'ours' / 'parsec-tool' -> the command
    recorded = {}
    summary = []
    work = None
    first = None        # the tool whose keys the lines use

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.TemporaryDirectory(prefix='parsec-glib-parity.')
        cls.log = RequestLog(os.environ['PARSEC_SERVICE_ENDPOINT']).__enter__()
        cls.pems = {}

    @classmethod
    def tearDownClass(cls):
        # Whatever the scenario left
        for prefix in PREFIXES.values():
            for key in ('ecc', 'rsa', 'rsa-sign', 'rsa-oaep', 'rsa-so', 'rsa-1024', 'rsa-cluster'):
                subprocess.run([cls.tools.get('ours') or cls.tools['parsec-tool'], 'delete-key', '-k',
                                f'{prefix}-{key}'], capture_output=True, env=cls.env())
        cls.log.__exit__(None, None, None)
        cls.work.cleanup()
        if cls.summary:
            print(f'\n{"line":30} {"exit":5} {"requests":9} stdout', file=sys.stderr)
            for line in cls.summary:
                print(line, file=sys.stderr)

    @classmethod
    def env(cls):
        return dict(os.environ, PARSEC_SERVICE_ENDPOINT=cls.log.endpoint)

    def path(self, name):
        return os.path.join(self.work.name, name)

    def openssl(self, *args, input=None, status=0):
        proc = subprocess.run([OPENSSL, *args], input=input, capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, status, f'openssl {args}: {proc.stderr!r}')
        return proc.stdout

    # Running the lines

    def pem(self, key):
        """The public key of KEY (of the first tool), as export-public-key prints it."""
        name = f'{PREFIXES[self.first]}-{key}'
        if name not in self.pems:
            proc = subprocess.run([self.tools[self.first], 'export-public-key', '-k', name], capture_output=True,
                                  env=self.env(), timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.pems[name] = proc.stdout
        return self.pems[name]

    def resolve(self, argv, tool, own):
        prefix = PREFIXES[tool if own else self.first]
        out = []
        for arg in argv:
            if isinstance(arg, tuple):
                _, key, options = arg
                with open(self.path('pub.pem'), 'wb') as f:
                    f.write(self.pem(key))
                with open(self.path('plain'), 'wb') as f:
                    f.write(PLAINTEXT)
                self.openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', self.path('pub.pem'), *options,
                             '-in', self.path('plain'), '-out', self.path('ct'))
                with open(self.path('ct'), 'rb') as f:
                    arg = base64.b64encode(f.read()).decode()
            else:
                arg = re.sub(r'\{([a-z0-9-]+)\}', lambda m: f'{prefix}-{m.group(1)}', arg)
            out.append(arg)
        return out

    def run_tool(self, tool, argv, own):
        argv = self.resolve(argv, tool, own)
        self.log.clear()
        proc = subprocess.run([self.tools[tool], *argv], capture_output=True, env=self.env(), timeout=120)
        return Run(argv, proc.returncode, proc.stdout, list(self.log.opcodes))

    def decrypt_with(self, tool, key, line):
        run = self.run_tool(tool, ['decrypt', '-k', '{%s}' % key, line.decode().strip()], False)
        self.assertEqual(run.status, 0, f'{tool} cannot decrypt: {run.argv}')
        return run.stdout

    # The checks

    def check_shape(self, kind, mine, other, options, name):
        """What any run of the line prints, whatever the keys: @other is
        parsec-tool's run, live or recorded."""
        self.assertEqual(mine.status, other.status, f'{name}: exit status {mine.status}, parsec-tool {other.status}')
        if kind in ('status',) or other.status != 0:
            if kind != 'status':
                self.assertEqual(mine.stdout, other.stdout, name)
            return
        if kind == 'same' and options.get('header'):
            # The same kind of key: the same PEM label and layout, the same
            # DER length and the same structure before the key's own bits
            self.assertEqual(mine.stdout.splitlines()[0], other.stdout.splitlines()[0])
            self.assertEqual([len(line) for line in mine.stdout.splitlines()],
                             [len(line) for line in other.stdout.splitlines()])
            mine_der, other_der = pem_der(mine.stdout), pem_der(other.stdout)
            self.assertEqual(len(mine_der), len(other_der))
            self.assertEqual(mine_der[:options['header']], other_der[:options['header']])
        elif kind == 'same' and options.get('service'):
            # The service's own words may differ from Parsec 1.5's
            field = re.compile(rb'^(Description|Version): ')
            mine_lines, other_lines = mine.stdout.split(b'\n'), other.stdout.split(b'\n')
            self.assertEqual(len(mine_lines), len(other_lines), name)
            for a, b in zip(mine_lines, other_lines):
                if field.match(b):
                    self.assertEqual(field.match(a) and field.match(a).group(0), field.match(b).group(0), name)
                else:
                    self.assertEqual(a, b, name)
        elif kind == 'same':
            self.assertEqual(mine.stdout, other.stdout, name)
        elif kind == 'lines':
            self.assertEqual(sorted(mine.stdout.splitlines()), sorted(other.stdout.splitlines()), name)
        elif kind == 'keys':
            def of(run, tool):
                prefix = PREFIXES[tool].encode()
                return sorted(line.replace(prefix, b'KEY') for line in run.stdout.splitlines() if prefix in line)
            self.assertEqual(of(mine, 'ours'), of(other, 'parsec-tool'), name)
            self.assertTrue(mine.stdout.endswith(b')\n') or mine.stdout == b'')
        elif kind in ('signature', 'rsa-sig', 'cipher'):
            for run in (mine, other):
                self.assertRegex(run.stdout.decode(), r'^[A-Za-z0-9+/]+=*\n$', name)
            mine_bytes, other_bytes = base64.b64decode(mine.stdout), base64.b64decode(other.stdout)
            if kind == 'signature':
                self.assertEqual((mine_bytes[0], other_bytes[0]), (0x30, 0x30))
                self.assertEqual(der_children(mine_bytes)[0][0], 0x02)
            else:
                self.assertEqual(len(mine_bytes), len(other_bytes))
        elif kind == 'random':
            for run in (mine, other):
                self.assertRegex(run.stdout.decode(), r'^([0-9A-F]{2} )*\n$', name)
            self.assertEqual(len(mine.stdout), len(other.stdout), name)
        elif kind in ('csr', 'csr-text'):
            for run in (mine, other):
                self.assertRegex(run.stdout.decode(), r'^-----BEGIN CERTIFICATE REQUEST-----\r\n([A-Za-z0-9+/]{64}\r\n)*'
                                                      r'[A-Za-z0-9+/=]{1,64}\r\n-----END CERTIFICATE REQUEST-----\r\n\n$')
            mine_parts, other_parts = der_children(pem_der(mine.stdout)), der_children(pem_der(other.stdout))
            mine_info, other_info = der_children(mine_parts[0][1]), der_children(other_parts[0][1])
            # Signature algorithm; version and extension request
            self.assertEqual(mine_parts[1], other_parts[1], name)
            self.assertEqual((mine_info[0], mine_info[3]), (other_info[0], other_info[3]), name)
            if kind == 'csr':
                self.assertEqual(mine_info[1], other_info[1], f'{name}: the subject differs')
            self.assertEqual(self.subject(mine.stdout), self.subject(other.stdout), name)
        else:
            self.fail(f'unknown kind {kind}')

    def subject(self, csr):
        return self.openssl('req', '-noout', '-subject', '-nameopt', 'RFC2253', input=csr)

    def check_live(self, kind, mine, other, options, name):
        """What two runs on the same keys share: more than the shape."""
        if other.status != 0 or kind in ('status', 'same', 'lines', 'random'):
            if kind in ('same', 'lines') and not options.get('own'):
                self.assertEqual(mine.stdout if kind == 'same' else sorted(mine.stdout.splitlines()),
                                 other.stdout if kind == 'same' else sorted(other.stdout.splitlines()), name)
            return
        if kind == 'keys':
            self.assertEqual(mine.stdout, other.stdout, name)
        elif kind in ('signature', 'rsa-sig'):
            with open(self.path('pub.pem'), 'wb') as f:
                f.write(self.pem(options['key']))
            with open(self.path('data'), 'wb') as f:
                f.write(options['data'].encode())
            for run in (mine, other):
                with open(self.path('sig'), 'wb') as f:
                    f.write(base64.b64decode(run.stdout))
                self.openssl('dgst', '-sha256', '-verify', self.path('pub.pem'), '-signature', self.path('sig'),
                             self.path('data'))
            if kind == 'rsa-sig':
                self.assertEqual(mine.stdout, other.stdout, f'{name}: PKCS #1 v1.5 signatures are deterministic')
        elif kind == 'cipher':
            plaintext = mine.argv[-1].encode() + b'\n'
            self.assertEqual(self.decrypt_with('parsec-tool', options['key'], mine.stdout), plaintext)
            self.assertEqual(self.decrypt_with('ours', options['key'], other.stdout), plaintext)
        elif kind in ('csr', 'csr-text'):
            for run in (mine, other):
                self.openssl('req', '-verify', '-noout', input=run.stdout)
            mine_info = der_children(der_children(pem_der(mine.stdout))[0][1])
            other_info = der_children(der_children(pem_der(other.stdout))[0][1])
            self.assertEqual(mine_info[2], other_info[2], f'{name}: the public key differs')
            if kind == 'csr':
                self.assertEqual(der_children(pem_der(mine.stdout))[0], der_children(pem_der(other.stdout))[0],
                                 f'{name}: the signed part differs')
                if options['key'].startswith('rsa'):
                    self.assertEqual(mine.stdout, other.stdout, f'{name}: RSA CSRs are deterministic')

    def check_requests(self, mine, other, name):
        extra = collections.Counter(mine.requests) - collections.Counter(other.requests)
        self.assertFalse(extra, f'{name}: our requests {mine.requests}, parsec-tool\'s {other.requests}')

    def run_case(self, name, argv, kind, options):
        own = options.get('own', False)
        if self.mode == 'record':
            run = self.run_tool('parsec-tool', argv, own)
            if kind == 'status':
                # Only the status is compared: help texts are not kept.
                run.stdout = b''
            self.recorded[name] = run
            return
        mine = self.run_tool('ours', argv, own)
        recorded = self.transcript[name]
        self.check_shape(kind, mine, recorded, options, f'{name} (recorded)')
        self.check_requests(mine, recorded, f'{name} (recorded)')
        if self.mode == 'compare':
            other = self.run_tool('parsec-tool', argv, own)
            # The transcript still describes parsec-tool.
            self.check_shape(kind, other, recorded, options, f'{name} (parsec-tool against its recording)')
            self.check_shape(kind, mine, other, options, name)
            self.check_live(kind, mine, other, options, name)
            self.check_requests(mine, other, name)
        else:
            other = recorded
        verdict = 'identical' if mine.stdout == other.stdout else VERDICTS[kind]
        if kind == 'csr' and self.mode == 'compare' and mine.stdout != other.stdout:
            verdict = 'identical signed part (ECDSA signatures differ); both verify'
        self.summary.append(f'{name:30} {mine.status}/{other.status}   '
                            f'{len(mine.requests)}/{len(other.requests):<7} {verdict}')


def add_cases():
    for number, (name, argv, kind, *rest) in enumerate(SCENARIO):
        options = rest[0] if rest else {}

        def test(self, name=name, argv=argv, kind=kind, options=options):
            self.run_case(name, argv, kind, options)
        test.__doc__ = f'{kind}: parsec-tool {" ".join(a if isinstance(a, str) else "CIPHERTEXT" for a in argv)}'
        setattr(Parity, f'test_{number:02d}_{name.replace("-", "_")}', test)


add_cases()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        print(f'usage: {sys.argv[0]} recorded|compare|record TRANSCRIPT', file=sys.stderr)
        return 2
    mode, transcript_path = sys.argv[1], sys.argv[2]
    parsec_tool = os.environ.get('PARSEC_TOOL')
    Parity.mode = mode
    Parity.tools = {'ours': os.environ.get('PARSEC_GLIB_TOOL')}
    if not OPENSSL:
        print('test_parity: openssl is needed to check signatures and make ciphertexts; it is not installed')
        return 77
    if mode in ('compare', 'record'):
        if not parsec_tool:
            print(f'test_parity {mode}: PARSEC_TOOL is not set: the comparison with parsec-tool needs '
                  'PARSEC_TOOL=/path/to/parsec-tool (0.7). Our side is checked against the recorded '
                  'parsec-tool outputs by "test_parity.py recorded" (meson test tool-parity).')
            return 77
        Parity.tools['parsec-tool'] = parsec_tool
    Parity.first = 'parsec-tool' if mode == 'record' else 'ours'
    if mode != 'record':
        with open(transcript_path) as f:
            data = json.load(f)
        Parity.transcript = {name: Run.from_json(run) for name, run in data['lines'].items()}
        print(f'test_parity {mode}: our tool against the outputs {data["recorded"]} '
              f'({os.path.basename(transcript_path)})' +
              (f', and beside {parsec_tool}' if mode == 'compare' else
               '; set PARSEC_TOOL=/path/to/parsec-tool to compare with a live parsec-tool too'))

    result = unittest.main(argv=[sys.argv[0], '-v'], exit=False).result
    if mode == 'record' and result.wasSuccessful():
        with open(transcript_path, 'w') as f:
            json.dump({'recorded': 'parsec-tool 0.7.0 printed against Parsec 1.5.0 (Mbed Crypto provider, '
                                   'direct authentication, admin parsec-tool)',
                       'lines': {name: run.to_json() for name, run in Parity.recorded.items()}},
                      f, indent=1, ensure_ascii=False)
            f.write('\n')
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
