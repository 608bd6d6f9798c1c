#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks what gi-docgen rendered, where its own checks see nothing wrong.

Usage: check-html.py DIR

- no element type is lost ("An array of None");
- every member of an enumeration or error domain has a description (a
  doc line that starts with "Word:" is read as a tag and vanishes);
- no gtk-doc sigil is left raw (#PARSEC_ERROR, %PARSEC_…) in prose;
- the index has the project's Website and Source links.
"""

import glob
import os
import re
import sys


def main():
    directory = sys.argv[1]
    problems = []
    for path in sorted(glob.glob(os.path.join(directory, '*.html'))):
        name = os.path.basename(path)
        with open(path, encoding='utf-8') as f:
            html = f.read()
        if re.search(r'of&nbsp;<code>None', html):
            problems.append(f'{name}: an element type renders as None')
        if name.startswith(('enum.', 'error.', 'flags.')):
            for row in re.findall(r'<tr>(.*?)</tr>', html, re.S):
                cells = re.findall(r'<td>(.*?)</td>', row, re.S)
                if len(cells) == 2 and re.sub(r'<[^>]+>|\s', '', cells[1]) == '':
                    member = re.sub(r'<[^>]+>', '', cells[0]).strip()
                    problems.append(f'{name}: {member} has no description')
        prose = re.sub(r'<pre.*?</pre>|<code.*?</code>', '', html, flags=re.S)
        for sigil in re.findall(r'[#%]PARSEC_\w+', prose):
            problems.append(f'{name}: raw {sigil}')
    with open(os.path.join(directory, 'index.html'), encoding='utf-8') as f:
        index = f.read()
    for row in ('Website', 'Source'):
        match = re.search(rf'<td>(?:<em>)?{row}(?:</em>)?</td>\s*<td>(.*?)</td>', index, re.S)
        if match is None or 'href="http' not in match.group(1):
            problems.append(f'index.html: no {row} link')
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(problems)} problems')
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
