#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The daemon of the build tree against the test service, as docs/dbus.md
# shows it: run in the build directory under
#   parsec-test-env --authenticator direct -- dbus-run-session -- sh THIS
# The SignHash line signs the SHA-256 digest of "hello".
set -eu

dbus-service/parsec-glib-dbus-service &
gdbus wait --session --timeout 10 community.parsec.Crypto
gdbus call --session --dest community.parsec.Crypto --object-path /community/parsec/Crypto \
  --method community.parsec.Crypto1.GenerateKey my-key \
  "{'type': <'ecc-key-pair'>, 'curve': <'secp-r1'>, 'bits': <uint32 256>,
    'usage': <['sign-hash', 'verify-hash']>, 'algorithm': <{'kind': <'ecdsa'>, 'hash': <'sha256'>}>}"
gdbus call --session --dest community.parsec.Crypto --object-path /community/parsec/Crypto \
  --method community.parsec.Crypto1.SignHash my-key "{'kind': <'ecdsa'>, 'hash': <'sha256'>}" \
  "[byte 0x2c, 0xf2, 0x4d, 0xba, 0x5f, 0xb0, 0xa3, 0x0e, 0x26, 0xe8, 0x3b, 0x2a, 0xc5, 0xb9, 0xe2, 0x9e,
          0x1b, 0x16, 0x1e, 0x5c, 0x1f, 0xa7, 0x42, 0x5e, 0x73, 0x04, 0x33, 0x62, 0x93, 0x8b, 0x98, 0x24]"
gdbus call --session --dest community.parsec.Crypto --object-path /community/parsec/Crypto \
  --method community.parsec.Crypto1.SignData my-key "[byte 0x68, 0x65, 0x6c, 0x6c, 0x6f]"
kill $!
