#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Gives the element types of arrays in a GIR their C type, for gi-docgen.

Usage: prepare-gir.py INPUT.gir OUTPUT.gir

g-ir-scanner writes the element type of a GPtrArray or GList as a name
alone (<type name="ProviderInfo"/>). gi-docgen takes the C type of a
type from the first place it meets it, so an element type met before any
parameter or return value of that type renders as "An array of None".
Each element type of this namespace without a C type gets its class's or
record's, which the GIR states (c:type="ParsecProviderInfo").
"""

import re
import sys


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding='utf-8') as f:
        gir = f.read()

    ctypes = dict(re.findall(r'<(?:class|record|interface|boxed)\s+name="(\w+)"\s[^>]*?c:type="(\w+)"', gir))

    def element(match):
        name = match.group(2)
        if name not in ctypes:
            return match.group(0)
        return f'{match.group(1)}<type name="{name}" c:type="{ctypes[name]}*"/>'

    gir = re.sub(r'(<(?:array|type)\b[^>]*>\s*)<type name="(\w+)"/>', element, gir)
    with open(target, 'w', encoding='utf-8') as f:
        f.write(gir)


if __name__ == '__main__':
    main()
