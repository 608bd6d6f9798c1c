# SPDX-License-Identifier: Apache-2.0
#
# Sourced by the scripts that check what p11-kit makes of a user's
# configuration, which it reads only for users other than root: as root,
# p11-kit runs as nobody.
#
# p11kit_user_home MODULE: $home, a new home directory (removed on exit),
# with $module, a copy of MODULE that nobody can read wherever the build
# tree is; $as_user, the command prefix that runs as nobody when root.
# p11kit_user_ready: hands $home to that user once it is filled.
# p11kit_assert_listed LISTING MODULE: `p11-kit list-modules` showed MODULE.

p11kit_user_home () {
  home=$(mktemp -d)
  trap 'rm -rf "$home"' EXIT
  chmod 755 "$home"
  cp "$1" "$home/parsec-glib-pkcs11.so"
  module=$home/parsec-glib-pkcs11.so
  as_user=()
  if [ "$(id -u)" = 0 ]; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
}

p11kit_user_ready () {
  if [ "$(id -u)" = 0 ]; then
    chown -R 65534:65534 "$home"
  fi
}

p11kit_assert_listed () {
  echo "$1"
  grep -q "^parsec-glib-pkcs11: $2\$" <<< "$1"
  grep -q "library-description: parsec-glib PKCS #11 module" <<< "$1"
}
