// SPDX-License-Identifier: LGPL-2.1-or-later
/* The i386 column of the ABI table, checked at compile time: tests/meson.build
 * compiles this file with -m32 where the compiler has 32-bit libc headers,
 * so a wrong ioctl number, struct size, offset or syscall number for i386
 * fails the build.  (Compiling is enough, and running would need a kernel
 * with IA32 emulation, which not every build machine has.) */
#include "vzabi-table.h"

#if !defined(__i386__)
#error "build this with -m32"
#endif

#define ASSERT_I386(n, v, a, b) \
	_Static_assert((unsigned long)(v) == (b), n ": not openvz-abi.md's i386 value");

OVZ_ABI_IOCTLS(ASSERT_I386)
OVZ_ABI_LAYOUTS(ASSERT_I386)
OVZ_ABI_SYSCALLS(ASSERT_I386)
