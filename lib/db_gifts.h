/* db_gifts.h - gifts between players: today's counts for the daily caps, the gift's row, and
 * locking the two players' rows so two gifts racing a cap queue instead of both passing it. */
#ifndef PD_DB_GIFTS_H
#define PD_DB_GIFTS_H

#include <stdint.h>

#include "db.h"

/* What was given and received today (UTC). */
struct pd_gift_day {
  int64_t given, given_notes;       /* by the giver */
  int64_t received, received_notes; /* by the receiver */
  int64_t resets_at;                /* the next UTC midnight, Unix s */
};

/* Locks the rows of players a and b (in id order, so two transactions never wait on each
 * other in a circle) until the transaction ends. */
enum pd_result pd_db_users_lock(struct pd_db *db, int64_t a, int64_t b);

enum pd_result pd_db_gift_day(struct pd_db *db, int64_t giver, int64_t receiver,
                              struct pd_gift_day *out);

/* The gifts row of operation op_id; copy_id 0 when no card was given. */
enum pd_result pd_db_gift_insert(struct pd_db *db, int64_t giver, int64_t receiver, int64_t copy_id,
                                 const int64_t amounts[3], int64_t op_id);

#endif
