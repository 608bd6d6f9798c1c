#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Finds functions named in plain text where the reference could link them.

Usage: check-links.py [--fix] --gir GIR... FILE...

FILE is a Markdown page or a C source or header, whose doc comments
(/** … */) gi-docgen renders. Every mention of a function that a GIR
describes, `parsec_key_sign_data()` or parsec_key_sign_data(), outside
code blocks, should be a gi-docgen link such as
[method@Parsec.Key.sign_data]; --fix rewrites them so. Prints each plain
mention and the number of links and plain mentions; fails if any is
plain.
"""

import argparse
import re
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'
TYPES = ('class', 'record', 'interface', 'boxed', 'union', 'enumeration', 'bitfield')


def links(gir):
    """c:identifier of each function -> its gi-docgen link."""
    table = {}
    namespace = ET.parse(gir).getroot().find(CORE + 'namespace')
    ns = namespace.get('name')
    for fn in namespace.findall(CORE + 'function'):
        table[fn.get(C + 'identifier')] = f'[func@{ns}.{fn.get("name")}]'
    for kind in TYPES:
        for owner in namespace.findall(CORE + kind):
            owner_name = f'{ns}.{owner.get("name")}'
            for tag, fragment in (('method', 'method'), ('constructor', 'ctor'), ('function', 'func')):
                for fn in owner.findall(CORE + tag):
                    if fn.get(C + 'identifier'):
                        table[fn.get(C + 'identifier')] = f'[{fragment}@{owner_name}.{fn.get("name")}]'
    return table


MENTION = re.compile(r'(?<![\w@.\[])`?(\w+)\(\)`?')
FENCE = re.compile(r'^\s*(```|\|\[|\]\|)')


def prose_spans(path, text):
    """(start, end) of the text gi-docgen renders as prose."""
    if path.endswith('.md'):
        regions = [(0, len(text))]
    else:
        regions = [(m.start(), m.end()) for m in re.finditer(r'/\*\*.*?\*/', text, re.S)]
    for start, end in regions:
        in_code = False
        pos = start
        for line in text[start:end].splitlines(keepends=True):
            if FENCE.match(line) or line.lstrip(' *').startswith(('```', '|[', ']|')):
                in_code = not in_code
            elif not in_code:
                yield pos, pos + len(line)
            pos += len(line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--fix', action='store_true')
    parser.add_argument('--gir', action='append', default=[])
    parser.add_argument('files', nargs='+')
    args = parser.parse_args()

    table = {}
    for gir in args.gir:
        table.update(links(gir))

    n_links = n_plain = 0
    for path in args.files:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        out, last = [], 0
        for start, end in prose_spans(path, text):
            line = text[start:end]
            n_links += len(re.findall(r'\[(?:func|method|ctor)@', line))
            for m in MENTION.finditer(line):
                if m.group(1) not in table:
                    continue
                n_plain += 1
                line_no = text.count('\n', 0, start) + 1
                print(f'{path}:{line_no}: {m.group(0)} -> {table[m.group(1)]}', file=sys.stderr)
                out.append(text[last:start + m.start()])
                out.append(table[m.group(1)])
                last = start + m.end()
        out.append(text[last:])
        if args.fix:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(''.join(out))
    print(f'{n_links} links, {n_plain} plain mentions of functions')
    sys.exit(1 if n_plain and not args.fix else 0)


if __name__ == '__main__':
    main()
