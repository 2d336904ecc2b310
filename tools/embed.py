#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Turns a data file into a C source defining `const char NAME[]` (NUL
# terminated) and `const size_t NAME_len`, so the library carries its own
# RelaxNG schema (and the joiner, a binary: bytes above 127 are written as
# the negative values of a signed char) and needs no file lookup at run time.
import sys

src, out, name = sys.argv[1:4]
data = open(src, 'rb').read()
with open(out, 'w') as f:
    f.write('#include <stddef.h>\n')
    f.write(f'extern const char {name}[];\nextern const size_t {name}_len;\n')
    f.write(f'const char {name}[] = {{\n')
    for i in range(0, len(data), 16):
        f.write(''.join(f'{b if b < 128 else b - 256},' for b in data[i:i + 16]) + '\n')
    f.write('0 };\n')
    f.write(f'const size_t {name}_len = {len(data)};\n')
