/* admin_e2e.h - what the admin suites share: an ADMIN_FILE for the servers, /admin
 * interactions, the REST API's calls with a bearer token, and the audit rows to check. */
#ifndef PD_ADMIN_E2E_H
#define PD_ADMIN_E2E_H

#include <jansson.h>
#include <stddef.h>

#include "e2e.h"
#include "gifts_e2e.h"

/* The suites' admin identities: an owner, an admin, and a player who is neither. */
#define PD_AE_OWNER "720000000000000001"
#define PD_AE_ADMIN "720000000000000002"
#define PD_AE_PLAYER "720000000000000003"
/* A token of the 32 characters ADMIN_TOKEN needs. */
#define PD_AE_TOKEN "e2e-admin-token-0123456789abcdef0123"

/* Writes $PD_TMP/<name>.admin.json with PD_AE_ADMIN an admin and PD_AE_OWNER an owner (plus
 * extra_admins, a JSON array text or NULL) and sets env to "ADMIN_FILE=<path>".  Returns 0 on
 * success. */
int pd_ae_admin_file(const char *name, const char *extra_admins, char *env, size_t envlen);

/* An admin suite's start: pd_e2e_setup for suite, an ADMIN_FILE as pd_ae_admin_file writes it
 * (env gets "ADMIN_FILE=..."), and server 0 stopped again (pd_e2e_setup starts it without the
 * file): the suite starts its servers with env and what else it needs.  Returns 0 on success. */
int pd_ae_setup(struct pd_e2e *e, const char *suite, char *env, size_t envlen);

/* /admin SUB (SUB may be "group sub") by user, or ix (from pd_ae_ix with options added by
 * pd_ge_option; stolen: freed here).  Posts it to server idx and returns the reply. */
json_t *pd_ae_admin(struct pd_e2e *e, int idx, const char *user, const char *sub, json_t *ix);
/* The interaction for /admin SUB by user, to fill with pd_ge_option before pd_ae_admin. */
json_t *pd_ae_ix(const char *user, const char *sub);

/* A REST call to server idx: method, path (with any query), body (JSON text or NULL), with
 * "Authorization: Bearer <token>" when token is not NULL.  *out gets the reply (status, headers,
 * body); *json, when not NULL, the body parsed (NULL if it is not JSON).  Returns the status. */
long pd_ae_rest(struct pd_e2e *e, int idx, const char *method, const char *path, const char *body,
                const char *token, struct pd_http_reply *out, json_t **json);

/* How many admin_audit rows match the SQL condition (e.g. "action = 'give_currency' AND
 * outcome = 'done'"). */
int64_t pd_ae_audit_count(struct pd_e2e *e, const char *where);

#endif
