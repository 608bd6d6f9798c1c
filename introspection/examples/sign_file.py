#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Sign a file with a key held by the Parsec service, then verify the signature.

Usage: sign_file.py KEY-NAME FILE
"""

import base64
import sys

import gi
gi.require_version('Parsec', '1')
from gi.repository import GLib, Parsec  # noqa: E402


def main(key_name, path):
    # The service keeps each application's keys apart by this name.
    client = Parsec.Client(application_name='org.example.SignFile')
    client.init(None)

    # An ECDSA P-256 key for SHA-256; the key of an earlier run is reused.
    try:
        key = client.generate_key(key_name, Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256), None)
    except GLib.Error as e:
        if not e.matches(Parsec.error_quark(), Parsec.Error.PSA_ALREADY_EXISTS):
            raise
        key = client.lookup_key(key_name, None)

    # The key's policy gives the algorithm; only the SHA-256 digest of the
    # file travels to the service, in one request.
    with open(path, 'rb') as f:
        data = GLib.Bytes.new(f.read())
    signature = key.sign_data(data, None)
    print(base64.b64encode(signature.get_data()).decode())

    # A signature that does not match raises PSA_INVALID_SIGNATURE.
    key.verify_data(data, signature, None)
    print('verified')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(f'usage: {sys.argv[0]} KEY-NAME FILE')
    try:
        main(sys.argv[1], sys.argv[2])
    except (GLib.Error, OSError) as e:
        sys.exit(f'sign_file: {e}')
