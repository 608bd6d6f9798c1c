#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-devenv.sh MESON BUILDDIR SOURCEDIR vala|no-vala
#
# A program built against the build tree as getting-started.md shows it:
# under `meson devenv`, the C example compiles with
# `cc … $(pkg-config --cflags --libs parsec-glib-1)` and the Vala example
# (where the VAPI is built and valac is there) with `valac --pkg parsec-glib-1`, outside Meson,
# and both sign and verify against a private test service
# (parsec-test-env, which the devenv puts on PATH).
set -euo pipefail

meson=$1 builddir=$2 sourcedir=$3 vala=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$sourcedir/introspection/examples/sign-file.c" "$sourcedir/introspection/examples/sign-file.vala" "$work/"

# Nothing of the build's environment may help: only what the devenv sets.
unset PKG_CONFIG_PATH LD_LIBRARY_PATH GI_TYPELIB_PATH XDG_DATA_DIRS

VALA=$vala "$meson" devenv -C "$builddir" --workdir "$work" bash -euo pipefail -c '
  cc -Wall -Werror sign-file.c -o sign-file-c $(pkg-config --cflags --libs parsec-glib-1)
  echo "ok: cc sign-file.c \$(pkg-config --cflags --libs parsec-glib-1)"
  programs=(./sign-file-c)
  if [[ $VALA == vala ]] && command -v valac >/dev/null; then
    valac --pkg parsec-glib-1 -X -w sign-file.vala -o sign-file-vala
    echo "ok: valac --pkg parsec-glib-1 sign-file.vala"
    programs+=(./sign-file-vala)
  else
    echo "no VAPI or no valac: the Vala build is not tried"
  fi
  for program in "${programs[@]}"; do
    parsec-test-env "$program" devenv-key sign-file.c > "$program.out"
    grep -qx verified "$program.out"
    echo "ok: $program signs and verifies against the test service"
  done
'
