/* db_missions.h - the statements of missions and achievements (sql/024): counts recorded by the
 * actions, the login streak, the period's progress, claims and unlocks.  Every function runs in
 * the caller's transaction. */
#ifndef PD_DB_MISSIONS_H
#define PD_DB_MISSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "missions.h"

/* Adds n to the player's count of kind ("open_packs", ..., or "mythic") for today (UTC, by
 * pd_now()) and for their whole life; *total gets the new lifetime count. */
enum pd_result pd_db_missions_record(struct pd_db *db, int64_t user_id, const char *kind, int64_t n,
                                     int64_t *total);

/* What a copy that just reached its owner means for the achievements: its rarity (PD_RARITY_*
 * index, -1 for an event's temporary card, which counts for nothing), whether it completes its
 * era (the owner now has every rarity the era's cards come in, and this copy is the only one
 * of its rarity, so they did not before), and how many copies the owner holds. */
struct pd_gain {
  int rarity;
  bool completes_era;
  int64_t owned;
};
enum pd_result pd_db_missions_gain(struct pd_db *db, int64_t user_id, int64_t copy_id,
                                   struct pd_gain *out);

/* Marks today as a day the player used a command.  *days gets the run of days when today is
 * newly marked, and 0 when today was already marked (nothing written). */
enum pd_result pd_db_missions_login(struct pd_db *db, int64_t user_id, int64_t *days);

/* Inserts the achievements ids[0..n) the player does not have yet; unlocked[i] says which were
 * new. */
enum pd_result pd_db_missions_unlock(struct pd_db *db, int64_t user_id, const char *const *ids,
                                     size_t n, bool *unlocked);

/* The starts (Unix seconds) of today and of this week by the database clock, and now. */
enum pd_result pd_db_missions_periods(struct pd_db *db, int64_t *day, int64_t *week, int64_t *now);

/* The player's progress on every mission kind for the day and the week starting at day and
 * week: counts[PD_MK_*][0] for the day, [1] for the week (login_streak: the current run of
 * days in both, 0 once a day was skipped), and the longest run they ever had. */
struct pd_mission_progress {
  int64_t counts[PD_MK_COUNT][2];
  int64_t best_streak;
};
enum pd_result pd_db_missions_progress(struct pd_db *db, int64_t user_id, int64_t day, int64_t week,
                                       struct pd_mission_progress *out);
/* Whether the player claimed mission in the period starting at start. */
enum pd_result pd_db_missions_claimed(struct pd_db *db, int64_t user_id,
                                      enum pd_mission_period period, int64_t start,
                                      const char *mission, bool *claimed);
/* Claims mission of the period starting at start: *won is true for the one transaction that
 * inserted the claim, false when it was already claimed. */
enum pd_result pd_db_missions_claim(struct pd_db *db, int64_t user_id,
                                    enum pd_mission_period period, int64_t start,
                                    const char *mission, bool *won);

/* The player's unlocked achievements, oldest first: ids[i] (copied, up to cap-1 bytes) and
 * when (Unix seconds), at most max of them; *n gets how many. */
struct pd_unlocked {
  char id[PD_MISSION_ID_MAX + 1];
  int64_t at;
};
enum pd_result pd_db_missions_achievements(struct pd_db *db, int64_t user_id,
                                           struct pd_unlocked *out, size_t max, size_t *n);

#endif
