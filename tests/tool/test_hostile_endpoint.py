#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""parsec-glib-tool against an endpoint that describes keys no service has.

A small endpoint answers discovery and lists one ECDSA key whose size is
0 or 2000 bits; `verify` with a DER signature must end with a message and
exit status 1, where it once crashed on an error that was never set.
"""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import unittest

from requestlog import HEADER_LEN, MAGIC, read_exactly

TOOL = os.environ['PARSEC_GLIB_TOOL']

LIST_PROVIDERS, LIST_AUTHENTICATORS, LIST_KEYS = 0x08, 0x0E, 0x1A


def varint(value):
    out = b''
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field(number, value):
    """A protobuf field: an int as a varint, bytes as length-delimited."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


def key_list(bits):
    ecdsa_sha256 = field(6, field(4, field(1, field(2, 7))))        # Algorithm.asymmetric_signature.ecdsa
    usage = field(9, 1)                                             # verify_hash
    attributes = (field(1, field(11, field(1, 2)))                  # ECC key pair on SECP R1
                  + field(2, bits)
                  + field(3, field(1, usage) + field(2, ecdsa_sha256)))
    return field(1, field(1, 1) + field(2, b'key') + field(3, attributes))


def answer(opcode, bits):
    if opcode == LIST_PROVIDERS:
        mbed = field(1, b'1c1139dc-ad7c-47dc-ad6b-db6fdb466552') + field(2, b'Mbed') + field(7, 1)
        return field(1, mbed)
    if opcode == LIST_AUTHENTICATORS:
        return field(1, field(1, b'Direct') + field(5, 1))
    if opcode == LIST_KEYS:
        return key_list(bits)
    return b''


def header(opcode, body_len, status=0):
    return struct.pack('<IHBBHBQBBBIHIHBB', MAGIC, 30, 1, 0, 0, 0, 0, 0, 0, 0,
                       body_len, 0, opcode, status, 0, 0)


class Endpoint:
    def __init__(self, bits):
        self.bits = bits
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, 'parsec.sock')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(8)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                request = read_exactly(conn, HEADER_LEN)
                if len(request) < HEADER_LEN:
                    continue
                body_len, auth_len, opcode = struct.unpack_from('<IHI', request, 22)
                read_exactly(conn, body_len + auth_len)
                body = answer(opcode, self.bits)
                conn.sendall(header(opcode, len(body)) + body)

    def close(self):
        self.sock.close()
        self.dir.cleanup()


class HostileEndpointTests(unittest.TestCase):
    def verify(self, bits):
        endpoint = Endpoint(bits)
        try:
            with tempfile.NamedTemporaryFile() as signature:
                # A DER Ecdsa-Sig-Value: SEQUENCE { INTEGER 1, INTEGER 1 }
                signature.write(bytes([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]))
                signature.flush()
                env = dict(os.environ, PARSEC_SERVICE_ENDPOINT='unix:' + endpoint.path)
                return subprocess.run([TOOL, 'verify', '-k', 'key', '--signature', signature.name,
                                       '--signature-format', 'der', '-d', 'data'],
                                      env=env, capture_output=True, timeout=60)
        finally:
            endpoint.close()

    def test_impossible_curve_sizes(self):
        for bits in (0, 2000):
            with self.subTest(bits=bits):
                proc = self.verify(bits)
                self.assertEqual(proc.returncode, 1, proc.stderr)
                self.assertTrue(proc.stderr.startswith(b'parsec-glib-tool: verify: '), proc.stderr)


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
