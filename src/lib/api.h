/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the files of the public layer (src/lib): the public header
 * plus the internal modules it is a thin skin over.  Nothing here is
 * installed or exported. */
#ifndef OVZ_LIB_API_H
#define OVZ_LIB_API_H

#include <ovz-native/ovz.h>

#include "core/error.h"
#include "core/host.h"
#include "core/model.h"

/* Parses a NUL-terminated document; what is refused is -EINVAL. */
int api_parse_xml(const char *xml, struct ovz_domain **out, struct ovz_error **err);

/* OVZ_TEST_FAIL_STEP: the plan step to fail, 0 for none. */
long api_fail_step(void);

#endif
