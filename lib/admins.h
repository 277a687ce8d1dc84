/* admins.h - the admin list from admin.json: {"admins": ["discord id", ...]}. */
#ifndef PD_ADMINS_H
#define PD_ADMINS_H

#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

struct pd_admins {
  char **ids;
  size_t n;
};

/* A missing file is an empty list; a malformed one is PD_E_INVALID and one that cannot be
 * read PD_E_IO, each with the reason, naming the file, in err. */
enum pd_result pd_admins_load(const char *path, struct pd_admins *out, char *err, size_t errlen);
bool pd_admins_has(const struct pd_admins *a, const char *discord_id);
void pd_admins_free(struct pd_admins *a);

#endif
