#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# test-test-env-pkcs11.sh PARSEC_TEST_ENV MODULE
#
# parsec-test-env --pkcs11 registers the module with p11-kit for its
# command, beside the user's own configuration, which the command still
# sees: p11-kit list-modules, run by the command, shows the module (as
# nobody when root, p11-kit-user.sh).
set -eu
helper=$(dirname "$0")/p11-kit-user.sh
source "$helper"

test_env=$1
p11kit_user_home "$2"
mkdir -p "$home/.config/pkcs11" "$home/.config/app"
echo "# the user's own" > "$home/.config/pkcs11/pkcs11.conf"
echo "setting" > "$home/.config/app/app.conf"
p11kit_user_ready

HOME=$home XDG_CONFIG_HOME=$home/.config PARSEC_PKCS11_MODULE=$module GSETTINGS_BACKEND=memory \
  "$test_env" --pkcs11 -- bash -c '
  set -eu
  source "$1"
  shift
  [ "$XDG_CONFIG_HOME" != "$HOME/.config" ]
  grep -qx "module: $PARSEC_PKCS11_MODULE" "$XDG_CONFIG_HOME/pkcs11/modules/parsec-glib-pkcs11.module"
  grep -qx "# the user'"'"'s own" "$XDG_CONFIG_HOME/pkcs11/pkcs11.conf"
  grep -qx "setting" "$XDG_CONFIG_HOME/app/app.conf"
  # The private directory, for nobody to read the configuration in
  chmod 755 "$(dirname "$XDG_CONFIG_HOME")"
  p11kit_assert_listed "$("$@" p11-kit list-modules)" "$PARSEC_PKCS11_MODULE"
' bash "$helper" "${as_user[@]}"
