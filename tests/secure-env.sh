#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Under AT_SECURE the library ignores its environment and GSettings: a copy
# of secure-env-helper given a file capability, run as an unprivileged user
# (so that the capability is a gain, which makes the kernel set AT_SECURE),
# must use the built-in endpoint whatever PARSEC_SERVICE_ENDPOINT and a
# GSettings keyfile say; the same copy without the capability must take
# them, so that the check cannot pass for another reason.
#
# Usage: secure-env.sh HELPER SCHEMA_DIR. Needs root, setcap and setpriv
# (CI runs as root; libcap2-bin has setcap); skipped otherwise.
set -eu

helper=$1
schema_dir=$2

if [ "$(id -u)" != 0 ] || ! command -v setcap >/dev/null || ! command -v setpriv >/dev/null; then
  echo "needs root, setcap and setpriv" >&2
  exit 77
fi

dir=$(mktemp -d /tmp/parsec-secure-env.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
cp "$helper" "$dir/helper"
cp -r "$schema_dir" "$dir/schemas"
mkdir -p "$dir/config/glib-2.0/settings"
printf '[community/parsec/glib]\nendpoint='"'"'unix:/tmp/from-gsettings.sock'"'"'\n' \
  > "$dir/config/glib-2.0/settings/keyfile"
chmod -R a+rX "$dir"

run () {
  setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
    GSETTINGS_SCHEMA_DIR="$dir/schemas" GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$dir/config" \
    PARSEC_PKCS11_APPLICATION_NAME=from-environment "$@" "$dir/helper"
}

expect () {
  local what=$1 wanted=$2 got=$3
  if ! grep -qxF "$wanted" <<<"$got"; then
    printf '%s: expected %s, got:\n%s\n' "$what" "$wanted" "$got" >&2
    exit 1
  fi
}

# Without the capability: the environment and GSettings count.
out=$(run PARSEC_SERVICE_ENDPOINT=unix:/tmp/from-environment.sock)
expect "plain, variable" at-secure=0 "$out"
expect "plain, variable" endpoint=unix:/tmp/from-environment.sock "$out"
expect "plain, variable" pkcs11-application-name=from-environment "$out"
out=$(run)
expect "plain, GSettings" endpoint=unix:/tmp/from-gsettings.sock "$out"

# With it: neither does.
setcap cap_net_bind_service+ep "$dir/helper"
out=$(run PARSEC_SERVICE_ENDPOINT=unix:/tmp/from-environment.sock)
expect "AT_SECURE, variable" at-secure=1 "$out"
expect "AT_SECURE, variable" endpoint=unix:/run/parsec/parsec.sock "$out"
expect "AT_SECURE, variable" "pkcs11-application-name=(unset)" "$out"
out=$(run)
expect "AT_SECURE, GSettings" endpoint=unix:/run/parsec/parsec.sock "$out"
echo "ok: the environment and GSettings are ignored under AT_SECURE"
