#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# test-exports.sh LIBRARY: libparsec-glib-1 exports nothing of the D-Bus
# service (exporter, encoding, caller identification) nor any code that
# gdbus-codegen writes (proxies, skeletons, object managers, interface
# info): they live in dbus-service/, apart from the client library. TAP
# output.

set -euo pipefail

library=$1
echo "1..2"

symbols=$(nm -D --defined-only "$library" | awk 'NF == 3 { print $3 }')
if ! grep -qx parsec_error_quark <<<"$symbols"; then
  echo "not ok 1 - the library's symbols are listed"
  echo "# parsec_error_quark is not among the symbols nm lists for $library"
  exit 1
fi
echo "ok 1 - the library's symbols are listed"

leaked=$(grep -Ei 'dbus|parsec_?gen|skeleton|proxy|object_?manager' <<<"$symbols" || true)
if [[ -n $leaked ]]; then
  echo "not ok 2 - no D-Bus server or generated symbol is exported"
  sed 's/^/# /' <<<"$leaked"
  exit 1
fi
echo "ok 2 - no D-Bus server or generated symbol is exported"
