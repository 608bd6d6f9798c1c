#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# test-p11-kit-registration.sh MODULE_FILE MODULE
#
# p11-kit finds the module through its registration file, the installed
# parsec-glib-pkcs11.module, here in a private user configuration
# with its module path pointed at a copy of the built module. p11-kit reads a user's own
# configuration only for users other than root, so as root the check runs
# as nobody.
set -eu

module_file=$1
module=$2
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
chmod 755 "$home"
mkdir -p "$home/.config/pkcs11/modules"
# A copy nobody can read, wherever the build tree is.
cp "$module" "$home/parsec-glib-pkcs11.so"
module=$home/parsec-glib-pkcs11.so
sed "s|^module:.*|module: $module|" "$module_file" > "$home/.config/pkcs11/modules/parsec-glib-pkcs11.module"

run=()
if [ "$(id -u)" = 0 ]; then
  chown -R 65534:65534 "$home"
  run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

listing=$("${run[@]}" env HOME="$home" XDG_CONFIG_HOME="$home/.config" \
  PARSEC_SERVICE_ENDPOINT=unix:/nonexistent/parsec.sock GSETTINGS_BACKEND=memory p11-kit list-modules)
echo "$listing"
grep -q "^parsec-glib-pkcs11: $module\$" <<< "$listing"
grep -q "library-description: parsec-glib PKCS #11 module" <<< "$listing"
