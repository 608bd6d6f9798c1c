#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs the recipes of docs/pkcs11.md as they stand, against the test service.

    parsec-test-env python3 test_recipes.py PAGE BUILD_ROOT

The `sh` blocks run in order in one shell, with `set -e`, in a temporary
directory where `_build` is the build tree and parsec-glib-tool is on the
PATH; then the `python` and `js` blocks, each on its own. Blocks without a
language (configuration files, commands that need a remote host) are
only shown.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile


def blocks(page):
    with open(page, encoding='utf-8') as f:
        text = f.read()
    return re.findall(r'^```(\w*)\n(.*?)^```$', text, re.M | re.S)


def main(page, build_root):
    found = blocks(page)
    shell = [code for language, code in found if language == 'sh']
    others = [(language, code) for language, code in found if language in ('python', 'js')]
    assert shell and others, 'the page has no recipes'
    with tempfile.TemporaryDirectory(prefix='parsec-pkcs11-recipes.') as tmp:
        os.symlink(build_root, os.path.join(tmp, '_build'))
        env = dict(os.environ,
                   PATH=os.path.join(build_root, 'tools') + os.pathsep + os.environ['PATH'],
                   PARSEC_PKCS11_APPLICATION_NAME='org.example.App',
                   PARSEC_PKCS11_STORE_DIR=os.path.join(tmp, 'store'))
        script = 'set -euxo pipefail\n' + '\n'.join(shell)
        subprocess.run(['bash', '-c', script], cwd=tmp, env=env, check=True, timeout=600)
        runners = {'python': ['/usr/bin/python3', '-c'], 'js': [shutil.which('gjs') or '', '-c']}
        for language, code in others:
            if not runners[language][0]:
                print(f'# skipping the {language} recipe: no interpreter')
                continue
            subprocess.run(runners[language] + [code], cwd=tmp, env=env, check=True, timeout=300)
    print('recipes: all ran')


if __name__ == '__main__':
    main(*sys.argv[1:])
