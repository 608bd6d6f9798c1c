#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the code snippets of Markdown files are taken from the examples.

Usage: check-snippets.py --example LANG=FILE... MARKDOWN...

Every fenced code block of a language given with --example must be made
of pieces of that example, in the example's order, separated by elision
lines (`…`, `/* … */`, `// …` or `# …`); indentation is ignored. The
examples run as tests, so snippets that pass this check work. Each
language must have at least one snippet in each MARKDOWN file.
"""

import argparse
import re
import sys

FENCE = re.compile(r'^```(\w+)\n(.*?)^```$', re.M | re.S)
ELISION = re.compile(r'^\s*(…|/\* … \*/|// …|# …)\s*$')


def pieces(code):
    piece = []
    for line in code.splitlines():
        if ELISION.match(line):
            if piece:
                yield piece
            piece = []
        elif line.strip() or piece:
            piece.append(line.strip())
    while piece and not piece[-1]:
        piece.pop()
    if piece:
        yield piece


def find(lines, piece, start):
    for i in range(start, len(lines) - len(piece) + 1):
        if lines[i:i + len(piece)] == piece:
            return i + len(piece)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--example', action='append', default=[], metavar='LANG=FILE')
    parser.add_argument('markdown', nargs='+')
    args = parser.parse_args()

    examples = {}
    for spec in args.example:
        lang, path = spec.split('=', 1)
        with open(path, encoding='utf-8') as f:
            examples[lang] = (path, [line.strip() for line in f.read().splitlines()])

    failed = False
    for markdown in args.markdown:
        with open(markdown, encoding='utf-8') as f:
            text = f.read()
        seen = set()
        for match in FENCE.finditer(text):
            lang, code = match.group(1), match.group(2)
            if lang not in examples:
                continue
            seen.add(lang)
            path, lines = examples[lang]
            line_no = text.count('\n', 0, match.start()) + 1
            position = 0
            for piece in pieces(code):
                position = find(lines, piece, position)
                if position is None:
                    print(f'{markdown}:{line_no}: this {lang} snippet is not taken from {path} '
                          f'(from: {piece[0]!r})', file=sys.stderr)
                    failed = True
                    break
        for lang in sorted(set(examples) - seen):
            print(f'{markdown}: no {lang} snippet', file=sys.stderr)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
