#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# test-p11-kit-registration.sh MODULE_FILE MODULE
#
# p11-kit finds the module through its registration file, the installed
# parsec-glib-pkcs11.module, here in a private user configuration
# with its module path pointed at a copy of the built module. p11-kit reads a user's own
# configuration only for users other than root, so as root the check runs
# as nobody (p11-kit-user.sh).
set -eu
source "$(dirname "$0")/p11-kit-user.sh"

module_file=$1
p11kit_user_home "$2"
mkdir -p "$home/.config/pkcs11/modules"
sed "s|^module:.*|module: $module|" "$module_file" > "$home/.config/pkcs11/modules/parsec-glib-pkcs11.module"
p11kit_user_ready

listing=$("${as_user[@]}" env HOME="$home" XDG_CONFIG_HOME="$home/.config" \
  PARSEC_SERVICE_ENDPOINT=unix:/nonexistent/parsec.sock GSETTINGS_BACKEND=memory p11-kit list-modules)
p11kit_assert_listed "$listing" "$module"
