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
  examples exactly as the tests run them; with `<!-- include: PATH
  task: TITLE -->`, only the lines after the file's comment `Task: TITLE`
  up to its next `Task:` or `End of the tasks` comment;
- pointing links between the pages at their HTML output.
"""

import os
import re
import sys

LANGUAGES = {'.c': 'c', '.js': 'js', '.py': 'python', '.vala': 'vala'}


TASK_MARK = re.compile(r'^\s*(?://|/\*|#)\s*(?:Task:\s*(.+?)|(End of the tasks))\s*(?:\*/)?\s*$')


def task(name, code, title):
    """The lines of @code under its comment "Task: @title"."""
    lines, inside = [], False
    for line in code.splitlines():
        mark = TASK_MARK.match(line)
        if mark:
            if inside:
                break
            inside = mark.group(1) == title
            continue
        if inside:
            lines.append(line)
    if not lines:
        sys.exit(f'{name}: no task “{title}”')
    return '\n'.join(lines).strip('\n')


def prepare(path, pages):
    with open(path, encoding='utf-8') as f:
        text = f.read()

    text = re.sub(r'\A<!--\s*SPDX-License-Identifier:[^>]*-->\n\s*', '', text)

    def include(match):
        name = os.path.join(os.path.dirname(path), match.group(1).strip())
        with open(name, encoding='utf-8') as f:
            code = f.read().rstrip('\n')
        if match.group(2):
            code = task(name, code, match.group(2))
        lang = LANGUAGES.get(os.path.splitext(name)[1], '')
        return f'```{lang}\n{code}\n```'

    text = re.sub(r'^<!--\s*include:\s*(.+?)(?:\s+task:\s*(.+?))?\s*-->$', include, text, flags=re.M)

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
