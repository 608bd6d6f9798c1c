#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The basic tasks of docs/examples.md, one function each, run one after
the other against the configured Parsec service.

Usage: basic_tasks.py FILE
"""

import sys

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


# End of the tasks


def delete_keys(client):
    """The keys of this program, made by the tasks above"""
    for key in client.list_keys(None):
        key.destroy(None)


def main(path):
    client = Parsec.Client(application_name='org.example.BasicTasks')
    client.init(None)
    sign_and_verify_file(client, path)
    encrypt_and_decrypt(client)
    list_keys(client)
    cancel_and_time_out()
    match_errors(client)
    delete_keys(client)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(f'usage: {sys.argv[0]} FILE')
    try:
        main(sys.argv[1])
    except (GLib.Error, OSError, RuntimeError) as e:
        sys.exit(f'basic_tasks: {e}')
