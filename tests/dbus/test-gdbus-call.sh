#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# test-gdbus-call.sh BUS-CONFIG: community.parsec.Crypto1 by hand, with
# `gdbus call`, as docs/dbus.md shows it. Runs under parsec-test-env (which
# provides PARSEC_SERVICE_ENDPOINT); starts a private session bus from
# BUS-CONFIG, whose service directory activates the freshly built
# parsec-glib-dbus-service on the first call. TAP output.

set -euo pipefail

config=$1
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
fail () { echo "not ok $((n + 1)) - $1"; echo "# $2"; exit 1; }

if [[ -z ${PARSEC_GLIB_IN_BUS:-} ]]; then
  # The soft descriptor limit services usually start with, for the daemon
  # to raise.
  if (( $(ulimit -Hn) > 1024 )); then ulimit -Sn 1024; fi
  exec dbus-run-session --config-file="$config" -- env PARSEC_GLIB_IN_BUS=1 bash "$0" "$@"
fi

call () {
  local method=$1; shift
  gdbus call --session --timeout 60 --dest community.parsec.Crypto \
    --object-path /community/parsec/Crypto --method "community.parsec.Crypto1.$method" "$@"
}

# expect NAME PATTERN METHOD ARGS…: the output of the call matches PATTERN
expect () {
  local name=$1 pattern=$2 out; shift 2
  out=$(call "$@" 2>&1) || fail "$name" "$out"
  [[ $out == $pattern ]] || fail "$name" "unexpected output: $out"
  ok "$name"
  last=$out
}

# expect_error NAME ERROR-NAME METHOD ARGS…
expect_error () {
  local name=$1 error=$2 out; shift 2
  if out=$(call "$@" 2>&1); then fail "$name" "succeeded: $out"; fi
  [[ $out == *"GDBus.Error:$error"* ]] || fail "$name" "unexpected error: $out"
  ok "$name"
}

echo "1..17"

expect "Ping activates the service" "(uint32 1, uint32 0)" Ping
pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetConnectionUnixProcessID community.parsec.Crypto)
pid=${pid#*uint32 }; pid=${pid%%,*}
read -r soft hard < <(awk '/^Max open files/ { print $4, $5 }' "/proc/$pid/limits")
[[ $soft == "$hard" ]] || fail "descriptor limit" "the daemon's soft limit is $soft, its hard limit $hard"
ok "the daemon raised its descriptor limit to $hard"
out=$(gdbus call --session --dest community.parsec.Crypto --object-path /community/parsec/Crypto \
        --method org.freedesktop.DBus.Properties.Get community.parsec.Crypto1 Version)
[[ $out == "(<uint32 1>,)" ]] || fail "Version" "$out"
ok "Version property"

expect "GenerateKey" "()" GenerateKey by-hand \
  "{'type': <'ecc-key-pair'>, 'curve': <'secp-r1'>, 'bits': <uint32 256>,
    'usage': <['sign-hash', 'verify-hash']>, 'algorithm': <{'kind': <'ecdsa'>, 'hash': <'sha256'>}>}"
expect "ListKeys" "*'name': <'by-hand'>*'kind': <'ecdsa'>*" ListKeys

# gdbus prints a byte array as [byte 0x.., …] and reads it back the same way.
# (Not b'hello': a GVariant bytestring literal ends with a NUL byte.)
# A provider without hashes (the TPM provider) gets the library's error
# through the exporter; the digest of "hello" is then written out.
hello_digest="[byte 0x2c, 0xf2, 0x4d, 0xba, 0x5f, 0xb0, 0xa3, 0x0e, 0x26, 0xe8, 0x3b, 0x2a, 0xc5, 0xb9, 0xe2, 0x9e, 0x1b, 0x16, 0x1e, 0x5c, 0x1f, 0xa7, 0x42, 0x5e, 0x73, 0x04, 0x33, 0x62, 0x93, 0x8b, 0x98, 0x24]"
if out=$(call HashCompute sha256 "[byte 0x68, 0x65, 0x6c, 0x6c, 0x6f]" 2>&1); then
  [[ $out == "($hello_digest,)" ]] || fail "HashCompute" "unexpected output: $out"
  ok "HashCompute"
else
  [[ $out == *"GDBus.Error:community.parsec.Error.NotSupportedByProvider"* ]] ||
    fail "HashCompute" "unexpected error: $out"
  ok "HashCompute refused: the provider has no hashes"
fi
digest=$hello_digest
expect "SignHash" "(\[byte *\],)" SignHash by-hand "{'kind': <'ecdsa'>, 'hash': <'sha256'>}" "$digest"
signature=${last#(}; signature=${signature%,)}
expect "VerifyHash" "()" VerifyHash by-hand "{'kind': <'ecdsa'>, 'hash': <'sha256'>}" "$digest" "$signature"
expect_error "VerifyHash of another digest" community.parsec.Error.PsaErrorInvalidSignature \
  VerifyHash by-hand "{'kind': <'ecdsa'>, 'hash': <'sha256'>}" "@ay [$(printf '0x%02x, ' $(seq 1 31))0x00]" "$signature"

# SignData hashes in the D-Bus service: its signature is one of the digest.
expect "SignData" "(\[byte *\],)" SignData by-hand "[byte 0x68, 0x65, 0x6c, 0x6c, 0x6f]"
data_signature=${last#(}; data_signature=${data_signature%,)}
expect "VerifyData" "()" VerifyData by-hand "[byte 0x68, 0x65, 0x6c, 0x6c, 0x6f]" "$data_signature"
expect "VerifyHash of SignData's signature" "()" \
  VerifyHash by-hand "{'kind': <'ecdsa'>, 'hash': <'sha256'>}" "$digest" "$data_signature"
expect_error "VerifyData of other data" community.parsec.Error.PsaErrorInvalidSignature \
  VerifyData by-hand "[byte 0x68, 0x65, 0x6c, 0x6c]" "$data_signature"

# Secrets come as a descriptor, never in the reply.
expect "GenerateRandom returns a handle" "(handle 0,)" GenerateRandom 32

expect "DestroyKey" "()" DestroyKey by-hand
expect_error "a key that is gone" community.parsec.Error.PsaErrorDoesNotExist GetKeyAttributes by-hand
expect_error "a typo in an algorithm" org.freedesktop.DBus.Error.InvalidArgs \
  SignHash by-hand "{'kind': <'ecdsa'>, 'hsah': <'sha256'>}" "$digest"
