/* db_entitlements.h - what Discord's premium SKUs need beyond the payments table itself
 * (db_payments.h): a payment's state by its entitlement id, and the lock that keeps the
 * entitlement reconcile to one instance at a time. */
#ifndef PD_DB_ENTITLEMENTS_H
#define PD_DB_ENTITLEMENTS_H

#include <stdbool.h>

#include "db.h"

/* The state of the Discord payment of entitlement_id: "granted" or "clawed_back" into state
 * (at least 16 bytes), "" when there is none. */
enum pd_result pd_db_ent_state(struct pd_db *db, const char *entitlement_id, char *state,
                               size_t cap);

/* The reconcile's session lock on db (pg_try_advisory_lock): *got is false when another
 * connection holds it.  Released by pd_db_ent_unlock, or when the connection closes. */
enum pd_result pd_db_ent_lock(struct pd_db *db, bool *got);
enum pd_result pd_db_ent_unlock(struct pd_db *db);

#endif
