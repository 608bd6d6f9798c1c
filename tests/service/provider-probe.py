#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""provider-probe: what a service's crypto provider accepts, one line per case.

Run against a service through parsec-test-env (which sets
PARSEC_SERVICE_ENDPOINT, and honours PARSEC_TEST_SERVICE_COMMAND), once
per service to compare, and diff the outputs:

  parsec-test-env python3 tests/service/provider-probe.py > test-service.txt
  PARSEC_TEST_SERVICE_COMMAND="tests/service/run-parsec-service PARSEC --provider tpm" \\
    parsec-test-env python3 tests/service/provider-probe.py > real.txt

Each line names a request and the status the service answered (the
library's error nick, or "ok"); where a result's size matters it follows.
"""

import sys

import gi
gi.require_version('Parsec', '1')
from gi.repository import GLib, Parsec  # noqa: E402

H = Parsec.Hash
U = Parsec.KeyUsage
SIGN = U.SIGN_HASH | U.VERIFY_HASH
CRYPT = U.ENCRYPT | U.DECRYPT


def status(fn):
    try:
        value = fn()
    except GLib.Error as e:
        if e.matches(Parsec.error_quark(), e.code):
            return Parsec.Error(e.code).value_nick
        return '%s:%d' % (e.domain, e.code)
    if isinstance(value, str):
        return value
    if isinstance(value, GLib.Bytes):
        return 'ok %d bytes' % value.get_size()
    return 'ok'


def main():
    client = Parsec.Client(application_name='provider-probe')
    client.init(None)
    providers = [int(p.get_id()) for p in client.list_providers(None)]
    provider = next(p for p in providers if p != 0)
    cases = []

    def case(name, fn):
        cases.append((name, fn))

    print('providers', providers)
    print('opcodes', sorted(client.list_opcodes(provider, None)))

    for size in (1, 32, 64, 65, 128, 1024):
        n = size
        case('random %d' % size,
             lambda n=n: client.generate_random(n, None))

    def rsa_sign(bits, alg):
        return Parsec.KeyAttributes.new_rsa_signing(bits, alg)

    keys = []

    def gen(name, attributes):
        keys.append(name)
        case('generate %s' % name, lambda: client.generate_key(name, attributes, None))

    for bits in (1024, 2048, 3072, 4096):
        gen('rsa%d-pkcs1-sha256' % bits, rsa_sign(bits, Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_256)))
    for hash_ in (H.SHA_1, H.SHA_384, H.SHA_512, H.SHA3_256):
        gen('rsa2048-pkcs1-%s' % hash_.value_nick, rsa_sign(2048, Parsec.Algorithm.new_rsa_pkcs1v15_sign(hash_)))
    gen('rsa2048-pkcs1-any', rsa_sign(2048, Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.ANY)))
    gen('rsa2048-pss-sha256', rsa_sign(2048, Parsec.Algorithm.new_rsa_pss(H.SHA_256)))
    gen('rsa2048-pss-any', rsa_sign(2048, Parsec.Algorithm.new_rsa_pss(H.ANY)))
    for bits in (192, 224, 256, 384, 521):
        gen('p%d-ecdsa-sha256' % bits, Parsec.KeyAttributes.new_ecc_signing(bits, H.SHA_256))
    gen('p256-ecdsa-any', Parsec.KeyAttributes.new_ecc_signing(256, H.ANY))
    gen('p256-ecdsa-deterministic',
        Parsec.KeyAttributes.new_ecc(Parsec.KeyType.ECC_KEY_PAIR, Parsec.EccFamily.SECP_R1, 256, SIGN,
                                     Parsec.Algorithm.new_signature(Parsec.SignatureScheme.DETERMINISTIC_ECDSA,
                                                                    H.SHA_256)))
    gen('p256-ecdsa-exportable',
        Parsec.KeyAttributes.new_ecc(Parsec.KeyType.ECC_KEY_PAIR, Parsec.EccFamily.SECP_R1, 256,
                                     SIGN | U.EXPORT, Parsec.Algorithm.new_ecdsa(H.SHA_256)))
    gen('k256-ecdsa-sha256',
        Parsec.KeyAttributes.new_ecc(Parsec.KeyType.ECC_KEY_PAIR, Parsec.EccFamily.SECP_K1, 256, SIGN,
                                     Parsec.Algorithm.new_ecdsa(H.SHA_256)))
    gen('rsa2048-pkcs1v15-crypt', Parsec.KeyAttributes.new_rsa_encryption(2048, Parsec.Algorithm.new_rsa_pkcs1v15_crypt()))
    gen('rsa2048-oaep-sha256', Parsec.KeyAttributes.new_rsa_encryption(2048, Parsec.Algorithm.new_rsa_oaep(H.SHA_256)))
    gen('rsa2048-oaep-sha1', Parsec.KeyAttributes.new_rsa_encryption(2048, Parsec.Algorithm.new_rsa_oaep(H.SHA_1)))
    gen('p256-ecdh', Parsec.KeyAttributes.new_ecdh(Parsec.EccFamily.SECP_R1, 256))
    gen('aes128-gcm', Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 128, Parsec.Algorithm.new_aead(Parsec.Aead.GCM)))

    digest = {H.SHA_256: b'\x11' * 32, H.SHA_1: b'\x11' * 20, H.SHA_384: b'\x11' * 48, H.SHA_512: b'\x11' * 64}
    data = GLib.Bytes.new(b'probe')

    for name, fn in cases:
        print(name + ':', status(fn))
    cases.clear()

    def sign_cases(name, alg, hash_len):
        h = GLib.Bytes.new(b'\x11' * hash_len)
        case('sign %s' % name, lambda: client.sign_hash(name, alg, h, None))

        def round_trip():
            sig = client.sign_hash(name, alg, h, None)
            client.verify_hash(name, alg, h, sig, None)
            bad = bytearray(sig.get_data())
            bad[-1] ^= 1
            try:
                client.verify_hash(name, alg, h, GLib.Bytes.new(bytes(bad)), None)
            except GLib.Error as e:
                return 'bad signature: ' + Parsec.Error(e.code).value_nick
            return 'bad signature verified'
        case('verify %s' % name, round_trip)
        case('export-public %s' % name, lambda: client.export_public_key(name, None))
        case('export %s' % name, lambda: client.export_key(name, None))

    sign_cases('rsa2048-pkcs1-sha256', Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_256), 32)
    sign_cases('rsa2048-pkcs1-sha1', Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_1), 20)
    sign_cases('rsa2048-pss-sha256', Parsec.Algorithm.new_rsa_pss(H.SHA_256), 32)
    sign_cases('p256-ecdsa-sha256', Parsec.Algorithm.new_ecdsa(H.SHA_256), 32)
    sign_cases('p384-ecdsa-sha256', Parsec.Algorithm.new_ecdsa(H.SHA_256), 32)
    sign_cases('p256-ecdsa-exportable', Parsec.Algorithm.new_ecdsa(H.SHA_256), 32)
    case('sign p256-ecdsa-sha256 with a 20-byte hash',
         lambda: client.sign_hash('p256-ecdsa-sha256', Parsec.Algorithm.new_ecdsa(H.SHA_256),
                                  GLib.Bytes.new(b'\x11' * 20), None))
    case('sign p256-ecdsa-sha256 with ECDSA SHA-384',
         lambda: client.sign_hash('p256-ecdsa-sha256', Parsec.Algorithm.new_ecdsa(H.SHA_384),
                                  GLib.Bytes.new(b'\x11' * 48), None))

    for name, alg in (('rsa2048-pkcs1v15-crypt', Parsec.Algorithm.new_rsa_pkcs1v15_crypt()),
                      ('rsa2048-oaep-sha256', Parsec.Algorithm.new_rsa_oaep(H.SHA_256)),
                      ('rsa2048-oaep-sha1', Parsec.Algorithm.new_rsa_oaep(H.SHA_1))):
        def crypt(name=name, alg=alg):
            ct = client.asymmetric_encrypt(name, alg, data, None, None)
            pt = client.asymmetric_decrypt(name, alg, ct, None, None)
            return 'ok' if pt.get_data() == b'probe' else 'wrong plaintext'
        case('encrypt-decrypt %s' % name, crypt)
        case('decrypt garbage %s' % name,
             lambda name=name, alg=alg: client.asymmetric_decrypt(name, alg, GLib.Bytes.new(b'\x01' * 256), None, None))
        case('encrypt with salt %s' % name,
             lambda name=name, alg=alg: client.asymmetric_encrypt(name, alg, data, GLib.Bytes.new(b'salt'), None))
        case('encrypt empty %s' % name,
             lambda name=name, alg=alg: client.asymmetric_encrypt(name, alg, GLib.Bytes.new(b''), None, None))

    case('hash sha256', lambda: client.hash_compute(H.SHA_256, data, None))
    case('aead encrypt', lambda: client.aead_encrypt('aes128-gcm', Parsec.Algorithm.new_aead(Parsec.Aead.GCM),
                                                     GLib.Bytes.new(b'\0' * 12), GLib.Bytes.new(b''), data, None))
    case('destroy missing', lambda: client.destroy_key('no-such-key', None))
    case('generate existing', lambda: client.generate_key('rsa2048-pkcs1-sha256',
                                                          rsa_sign(2048, Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_256)), None))

    for name, fn in cases:
        print(name + ':', status(fn))
    cases.clear()

    # Imports: public keys from the keys above, and a key pair from a blob.
    for name, attributes, source in (
            ('import rsa public', Parsec.KeyAttributes.new(Parsec.KeyType.RSA_PUBLIC_KEY, 2048, U.VERIFY_HASH,
                                                            Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_256)),
             'rsa2048-pkcs1-sha256'),
            ('import rsa public bits 0', Parsec.KeyAttributes.new(Parsec.KeyType.RSA_PUBLIC_KEY, 0, U.VERIFY_HASH,
                                                                   Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_256)),
             'rsa2048-pkcs1-sha256'),
            ('import p256 public', Parsec.KeyAttributes.new_ecc(Parsec.KeyType.ECC_PUBLIC_KEY, Parsec.EccFamily.SECP_R1,
                                                                 256, U.VERIFY_HASH,
                                                                 Parsec.Algorithm.new_ecdsa(H.SHA_256)),
             'p256-ecdsa-sha256'),
            ('import rsa-oaep public', Parsec.KeyAttributes.new(Parsec.KeyType.RSA_PUBLIC_KEY, 2048, U.ENCRYPT,
                                                                Parsec.Algorithm.new_rsa_oaep(H.SHA_256)),
             'rsa2048-oaep-sha256')):
        def imp(name=name, attributes=attributes, source=source):
            public = client.export_public_key(source, None)
            client.import_key(name.replace(' ', '-'), attributes, public, None)
        case(name, imp)
    case('import p256 key pair', lambda: client.import_key(
        'imported-pair', Parsec.KeyAttributes.new_ecc_signing(256, H.SHA_256), GLib.Bytes.new(b'\x42' * 32), None))
    case('import aes key', lambda: client.import_key(
        'imported-aes', Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 128, Parsec.Algorithm.new_aead(Parsec.Aead.GCM)),
        GLib.Bytes.new(b'\x42' * 16), None))
    case('verify with imported rsa public', lambda: client.verify_hash(
        'import-rsa-public', Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_256), GLib.Bytes.new(digest[H.SHA_256]),
        client.sign_hash('rsa2048-pkcs1-sha256', Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.SHA_256),
                         GLib.Bytes.new(digest[H.SHA_256]), None), None))
    case('export-public imported rsa public', lambda: client.export_public_key('import-rsa-public', None))
    case('encrypt with imported oaep public', lambda: client.asymmetric_encrypt(
        'import-rsa-oaep-public', Parsec.Algorithm.new_rsa_oaep(H.SHA_256), data, None, None))

    for check, attributes in (
            ('use', Parsec.KeyAttributes.new_ecc_signing(256, H.SHA_256)),
            ('generate', Parsec.KeyAttributes.new_ecc_signing(256, H.SHA_256)),
            ('generate', Parsec.KeyAttributes.new_ecc_signing(384, H.SHA_256)),
            ('generate', rsa_sign(2048, Parsec.Algorithm.new_rsa_pss(H.SHA_256))),
            ('generate', rsa_sign(2048, Parsec.Algorithm.new_rsa_pkcs1v15_sign(H.ANY))),
            ('generate', Parsec.KeyAttributes.new_ecdh(Parsec.EccFamily.SECP_R1, 256)),
            ('import', Parsec.KeyAttributes.new_ecc_signing(256, H.SHA_256)),
            ('derive', Parsec.KeyAttributes.new_ecc_signing(256, H.SHA_256))):
        kind = getattr(Parsec.CheckType, check.upper())
        case('can-do %s %s %d %s' % (check, attributes.get_key_type().value_nick, attributes.get_bits(),
                                     attributes.get_algorithm().get_kind().value_nick),
             lambda kind=kind, attributes=attributes: client.can_do_crypto(kind, attributes, None))

    for name, fn in cases:
        print(name + ':', status(fn))
    return 0


if __name__ == '__main__':
    sys.exit(main())
