#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The basic tasks of docs/examples.md, one function each, run one after
the other against the configured Parsec service.

Usage: basic_tasks.py FILE SERVER-PEM
(FILE: any file to sign; SERVER-PEM: a TLS server's certificate and key,
such as tls-server.pem beside this file)
"""

import socket
import sys
import threading

import gi
gi.require_version('Parsec', '1')
from gi.repository import Gio, GLib, Parsec  # noqa: E402


# Task: Sign a file and verify the signature
def sign_and_verify_file(client, path):
    key = client.generate_key('example-signing', Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256),
                              None)
    with open(path, 'rb') as f:
        data = GLib.Bytes.new(f.read())
    signature = key.sign_data(data, None)
    key.verify_data(data, signature, None)
    print(f'signed and verified {path}')


# Task: Encrypt and decrypt
def encrypt_and_decrypt(client):
    oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256)
    key = client.generate_key('example-encryption', Parsec.KeyAttributes.new_rsa_encryption(2048, oaep), None)
    # None: the algorithm of the key's policy, RSA-OAEP with SHA-256
    ciphertext = key.asymmetric_encrypt(None, GLib.Bytes.new(b'attack at dawn'), None, None)
    plaintext = key.asymmetric_decrypt(None, ciphertext, None, None)
    print(f'decrypted: {plaintext.get_data().decode()}')


# Task: List keys with their attributes
def list_keys(client):
    for key in client.list_keys(None):
        attributes = key.get_attributes()
        print(f'{key.get_name()}: {attributes.get_key_type().value_nick}, {attributes.get_bits()} bits, '
              f'{attributes.get_algorithm().to_string()}')


# Task: Cancellation and deadlines
def cancel_and_time_out():
    # A deadline: each request of this client fails with
    # Gio.IOErrorEnum.TIMED_OUT after 5 seconds (0: no deadline).
    client = Parsec.Client(application_name='org.example.BasicTasks', timeout=5000)
    client.init(None)
    key = client.generate_key('example-cancelled', Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256),
                              None)

    # Cancellation: the call ends at once with Gio.IOErrorEnum.CANCELLED.
    loop = GLib.MainLoop()
    cancellable = Gio.Cancellable()
    errors = []

    def on_signed(key, result):
        try:
            key.sign_hash_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    key.sign_hash_async(None, GLib.Bytes.new(bytes(32)), cancellable, on_signed)
    cancellable.cancel()
    loop.run()
    if not errors or not errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
        raise RuntimeError('the call was not cancelled')
    print(f'cancelled: {errors[0].message}')


# Task: Matching errors
def match_errors(client):
    try:
        client.lookup_key('no-such-key', None)
    except GLib.Error as e:
        if not e.matches(Parsec.error_quark(), Parsec.Error.PSA_DOES_NOT_EXIST):
            raise
        print('no key named no-such-key')
    else:
        raise RuntimeError('no-such-key exists')


# Task: TLS client certificate
def new_key_tls_certificate(client):
    """A new key with a self-signed certificate, as a Gio.TlsCertificate
    whose private key stays in the service"""
    key = client.generate_key('example-tls-client', Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256),
                              None)
    # None: the default subject and validity
    der = key.create_self_signed_certificate(None, None)
    # PEM, as a file for the peer to trust would hold it (DER does too)
    pem = Parsec.pem_encode(der, 'CERTIFICATE')
    return key.create_tls_certificate(GLib.Bytes.new(pem.encode()), None)


def tls_client_certificate(client, server_pem):
    """A mutual TLS handshake on a socket pair with a server whose
    certificate and key are in server_pem: the server, in a thread of its
    own, requires a client certificate and gets the client's."""
    server_certificate = Gio.TlsCertificate.new_from_file(server_pem)
    client_certificate = new_key_tls_certificate(client)
    server_end, client_end = (Gio.Socket.new_from_fd(s.detach()).connection_factory_create_connection()
                              for s in socket.socketpair())

    # Both certificates are self-signed: each side trusts the one it expects.
    server = Gio.TlsServerConnection.new(server_end, server_certificate)
    server.set_property('authentication-mode', Gio.TlsAuthenticationMode.REQUIRED)
    server.connect('accept-certificate', lambda conn, peer, errors: peer.is_same(client_certificate))
    tls = Gio.TlsClientConnection.new(client_end, None)
    tls.set_certificate(client_certificate)
    tls.connect('accept-certificate', lambda conn, peer, errors: peer.is_same(server_certificate))

    server_errors = []

    def server_handshake():
        try:
            server.handshake(None)
        except GLib.Error as e:
            server_errors.append(e)

    thread = threading.Thread(target=server_handshake)
    thread.start()
    try:
        tls.handshake(None)
    except GLib.Error:
        client_end.close(None)  # ends the server's handshake too
        raise
    finally:
        thread.join()
    # With TLS 1.3 the client finishes first: the server has the verdict.
    if server_errors:
        raise server_errors[0]
    print("the server accepted the client's certificate")


# End of the tasks


def delete_keys(client):
    """The keys of this program, made by the tasks above"""
    for key in client.list_keys(None):
        key.destroy(None)


def main(path, server_pem):
    client = Parsec.Client(application_name='org.example.BasicTasks')
    client.init(None)
    sign_and_verify_file(client, path)
    encrypt_and_decrypt(client)
    list_keys(client)
    cancel_and_time_out()
    match_errors(client)
    tls_client_certificate(client, server_pem)
    delete_keys(client)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(f'usage: {sys.argv[0]} FILE SERVER-PEM')
    try:
        main(sys.argv[1], sys.argv[2])
    except (GLib.Error, OSError, RuntimeError) as e:
        sys.exit(f'basic_tasks: {e}')
