/* admins.h - the admin list from ADMIN_FILE: {"admins": ["discord id", ...], "owners": [...]}.
 * Owners are admins who may also run the owner-only operations and manage the admins table
 * (sql/015); "owners" may be left out. */
#ifndef PD_ADMINS_H
#define PD_ADMINS_H

#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

struct pd_admins {
  char **ids; /* admins and owners */
  size_t n;
  char **owners;
  size_t nowners;
};

/* A missing file is an empty list; a malformed one is PD_E_INVALID and one that cannot be
 * read PD_E_IO, each with the reason, naming the file, in err. */
enum pd_result pd_admins_load(const char *path, struct pd_admins *out, char *err, size_t errlen);
/* Whether discord_id is an admin (or an owner) in the file. */
bool pd_admins_has(const struct pd_admins *a, const char *discord_id);
bool pd_admins_is_owner(const struct pd_admins *a, const char *discord_id);
void pd_admins_free(struct pd_admins *a);

#endif
