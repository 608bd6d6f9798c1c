#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# test-tls-p11-kit.sh PARSEC_TEST_ENV TEST_TLS_SETUP
#
# TLS as a user whose p11-kit has the module registered (here by
# parsec-test-env --pkcs11): test-tls-setup --through-p11-kit completes its
# handshakes with the module p11-kit loaded, the library being forbidden to
# give GnuTLS the module itself. p11-kit reads a user's configuration only
# for users other than root, so as root the test runs as nobody, which
# needs a build tree that nobody can read.
set -eu

test_env=$1
program=$2
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
chmod 755 "$home"
as_user=()
if [ "$(id -u)" = 0 ]; then
  chown 65534:65534 "$home"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  if ! "${as_user[@]}" test -x "$program" -a -x "$test_env"; then
    echo "1..0 # SKIP the build tree cannot be read by nobody, for whom p11-kit reads a user configuration"
    exit 0
  fi
fi

"${as_user[@]}" env HOME="$home" XDG_CONFIG_HOME="$home/.config" GSETTINGS_BACKEND=memory \
  TMPDIR="$home" "$test_env" --pkcs11 -- "$program" --through-p11-kit --tap
