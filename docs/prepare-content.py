#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prepares the Markdown pages of the API reference for gi-docgen.

Usage: prepare-content.py OUTDIR PAGE.md...

Writes each page to OUTDIR under the same name, after:
- dropping a leading SPDX comment, because gi-docgen reads the page's
  title from metadata that must start the file;
- adding that `Title:` from the page's first `# heading` when the page has
  none (docs/threat-model.md and docs/dbus.md are plain Markdown);
- replacing a line `<!-- include: PATH -->` by the file at PATH (relative
  to the page) in a fenced code block, so that the reference shows the
  examples exactly as the tests run them;
- pointing links between the pages at their HTML output.
"""

import os
import re
import sys

LANGUAGES = {'.c': 'c', '.js': 'js', '.py': 'python', '.vala': 'vala'}


def prepare(path, pages):
    with open(path, encoding='utf-8') as f:
        text = f.read()

    text = re.sub(r'\A<!--\s*SPDX-License-Identifier:[^>]*-->\n\s*', '', text)

    def include(match):
        name = os.path.join(os.path.dirname(path), match.group(1).strip())
        with open(name, encoding='utf-8') as f:
            code = f.read().rstrip('\n')
        lang = LANGUAGES.get(os.path.splitext(name)[1], '')
        return f'```{lang}\n{code}\n```'

    text = re.sub(r'^<!--\s*include:\s*(.+?)\s*-->$', include, text, flags=re.M)

    for page in pages:
        stem = re.escape(page[:-3])
        text = re.sub(r'\]\((?:\./)?(?:docs/)?' + stem + r'\.md(#[^)]*)?\)',
                      lambda m, s=page[:-3]: f']({s}.html{m.group(1) or ""})', text)

    if not re.match(r'\ATitle:', text):
        heading = re.search(r'^#\s+(.+?)\s*$', text, flags=re.M)
        if heading is None:
            sys.exit(f'{path}: no Title: and no heading')
        text = f'Title: {heading.group(1)}\n\n{text}'
    return text


def main():
    outdir, inputs = sys.argv[1], sys.argv[2:]
    pages = [os.path.basename(p) for p in inputs]
    for path in inputs:
        with open(os.path.join(outdir, os.path.basename(path)), 'w', encoding='utf-8') as f:
            f.write(prepare(path, pages))


if __name__ == '__main__':
    main()
