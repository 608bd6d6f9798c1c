#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Under AT_SECURE the PKCS #11 module takes nothing from the environment:
# neither its application name nor its store directory, and
# G_MESSAGES_DEBUG does not make it print. A copy of pkcs11-secure-helper
# given a file capability, run as an unprivileged user (so that the
# capability is a gain, which makes the kernel set AT_SECURE), uses the
# default name and no store of the environment's, and prints no debug
# message; the same copy without the capability takes the environment,
# and its debug messages name the store it refused but never quote it.
#
# Usage: test-secure-env-pkcs11.sh HELPER. Needs root, setcap and setpriv
# (CI runs as root; libcap2-bin has setcap); skipped otherwise.
set -eu

helper=$1

if [ "$(id -u)" != 0 ] || ! command -v setcap >/dev/null || ! command -v setpriv >/dev/null; then
  echo "needs root, setcap and setpriv" >&2
  exit 77
fi

dir=$(mktemp -d /tmp/parsec-secure-pkcs11.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
cp "$helper" "$dir/helper"
mkdir "$dir/store"
chown 65534:65534 "$dir/store"
chmod 0700 "$dir/store"

run () {
  rm -f "$dir"/store/*
  setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
    G_MESSAGES_DEBUG=all PARSEC_SERVICE_ENDPOINT="unix:$dir/none.sock" \
    PARSEC_PKCS11_APPLICATION_NAME=from-environment PARSEC_PKCS11_STORE_DIR="$dir/store" \
    "$dir/helper" "$dir/store" 2>&1 || echo "exit status $?"
}

expect () {
  local what=$1 wanted=$2 got=$3
  if ! grep -qxF -- "$wanted" <<<"$got"; then
    printf '%s: expected %s, got:\n%s\n' "$what" "$wanted" "$got" >&2
    exit 1
  fi
}

refuse () {
  local what=$1 unwanted=$2 got=$3
  if grep -qF -- "$unwanted" <<<"$got"; then
    printf '%s: %s in:\n%s\n' "$what" "$unwanted" "$got" >&2
    exit 1
  fi
}

# Without the capability: the environment counts, the debug messages say
# the store is no key file, without quoting it.
out=$(run)
expect plain at-secure=0 "$out"
expect plain "label=Parsec from-environment" "$out"
if ! grep -F "parsec-pkcs11-DEBUG" <<<"$out" | grep -qF "$dir/store/"; then
  printf 'plain: no debug message about the store in:\n%s\n' "$out" >&2
  exit 1
fi
refuse plain SECRET-MARKER "$out"

# With it: neither the environment nor G_MESSAGES_DEBUG does.
setcap cap_net_bind_service+ep "$dir/helper"
out=$(run)
expect AT_SECURE at-secure=1 "$out"
expect AT_SECURE "label=Parsec parsec-glib-pkcs11" "$out"
refuse AT_SECURE SECRET-MARKER "$out"
refuse AT_SECURE "$dir/store/" "$out"
refuse AT_SECURE parsec-pkcs11-DEBUG "$out"
echo "ok: the module ignores its environment under AT_SECURE and never quotes its store"
