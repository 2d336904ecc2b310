/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for tests that run scenarios under tests/vzemu: each scenario is
 * one run of the test program itself under vzemu ("PROG --inner SCENARIO
 * ROOT"), which drives the command and checks what it sees from inside;
 * the cmocka tests outside start those runs and compare transcripts. */
#ifndef OVZ_VZSCEN_H
#define OVZ_VZSCEN_H

#include "testutil.h"

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* ---- inside vzemu ---- */

/* Records a failure (printed to stderr) unless ok. */
void vzs_check(bool ok, const char *fmt, ...) OVZ_PRINTF(2, 3);
/* 1 when a check failed, else 0: the scenario's exit status. */
int vzs_status(void);
void vzs_expect_run(struct tu_run r, int status, const char *out_has, const char *what);
/* The file's text, "" when it cannot be read. */
char *vzs_slurp(const char *path);
size_t vzs_count_links(void);
bool vzs_mounted_under(const char *dir);

/* ---- outside ---- */

/* Why the scenarios cannot run here (not root, no busybox, no vzemu, a
 * kernel vzemu cannot use), or NULL. */
const char *vzs_skip_reason(void);
char *vzs_self_exe(void);
/* Runs "SELF --inner scenario root" under vzemu with the given kernel
 * ("legacy", "vz7"); transcript and fail ("N:ERRNO") may be NULL. */
struct tu_run vzs_under_vzemu(const char *kernel, const char *scenario, const char *root,
			      const char *transcript, const char *fail);
/* A busybox template cache in root whose init is a shell loop that powers
 * off (reboot(POWER_OFF) by `poweroff -f`) on SIGUSR2 or SIGTERM, and whose
 * halt sends SIGUSR2 to pid 1. */
void vzs_make_template(const char *root);
/* Compares got with tests/data/REL; OVZ_UPDATE_GOLDEN=1 rewrites it. */
void vzs_compare_golden(const char *rel, const char *got);
void vzs_expect_inner_ok(struct tu_run r, const char *what);

#endif
