# SPDX-License-Identifier: Apache-2.0
"""A relay in front of a Parsec service that records the opcode of every
request: the service takes one request per connection, so each accepted
connection is one request, and its fixed header names the operation.

    with RequestLog(upstream_path) as log:
        run a client against log.endpoint
        log.opcodes   # e.g. ['ListProviders', 'ListAuthenticators', ...]
"""

import os
import socket
import struct
import tempfile
import threading

HEADER_LEN = 36
MAGIC = 0x5EC0A710

OPCODES = {
    0x01: 'Ping', 0x02: 'PsaGenerateKey', 0x03: 'PsaDestroyKey', 0x04: 'PsaSignHash',
    0x05: 'PsaVerifyHash', 0x06: 'PsaImportKey', 0x07: 'PsaExportPublicKey', 0x08: 'ListProviders',
    0x09: 'ListOpcodes', 0x0a: 'PsaAsymmetricEncrypt', 0x0b: 'PsaAsymmetricDecrypt', 0x0c: 'PsaExportKey',
    0x0d: 'PsaGenerateRandom', 0x0e: 'ListAuthenticators', 0x0f: 'PsaHashCompute', 0x10: 'PsaHashCompare',
    0x11: 'PsaAeadEncrypt', 0x12: 'PsaAeadDecrypt', 0x13: 'PsaRawKeyAgreement', 0x14: 'PsaCipherEncrypt',
    0x15: 'PsaCipherDecrypt', 0x18: 'PsaSignMessage', 0x19: 'PsaVerifyMessage', 0x1a: 'ListKeys',
    0x1b: 'ListClients', 0x1c: 'DeleteClient', 0x1e: 'AttestKey', 0x1f: 'PrepareKeyAttestation',
    0x20: 'CanDoCrypto',
}


def read_exactly(conn, n):
    """Up to @n bytes from @conn: fewer only if the peer closes first."""
    data = b''
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _pipe(source, sink):
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            sink.sendall(chunk)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class RequestLog:
    def __init__(self, upstream):
        if upstream.startswith('unix:'):
            upstream = upstream[len('unix:'):]
        self.upstream = upstream
        self.opcodes = []
        self._lock = threading.Lock()
        self._dir = tempfile.TemporaryDirectory(prefix='parsec-request-log.')
        self.path = os.path.join(self._dir.name, 'relay.sock')
        self.endpoint = 'unix:' + self.path
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(16)
        self._stop = threading.Event()
        self._threads = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._acceptor.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._server.close()
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(5)
        self._dir.cleanup()

    def clear(self):
        with self._lock:
            self.opcodes = []

    def _accept(self):
        self._server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._relay, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, conn):
        with conn:
            header = read_exactly(conn, HEADER_LEN)
            if len(header) == HEADER_LEN and struct.unpack_from('<I', header)[0] == MAGIC:
                opcode = struct.unpack_from('<I', header, 28)[0]
                with self._lock:
                    self.opcodes.append(OPCODES.get(opcode, hex(opcode)))
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as up:
                try:
                    up.connect(self.upstream)
                except OSError:
                    return
                up.sendall(header)
                back = threading.Thread(target=_pipe, args=(up, conn), daemon=True)
                back.start()
                _pipe(conn, up)
                back.join(30)
