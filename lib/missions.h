/* missions.h - daily and weekly missions and achievements (assets/missions.json): validated at
 * start, and the deterministic choice of each period's three missions, so every instance shows
 * the same ones without storing the choice. */
#ifndef PD_MISSIONS_H
#define PD_MISSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "db_users.h"
#include "pd.h"

#define PD_MISSIONS_PER_PERIOD 3
#define PD_MISSION_ID_MAX 32
#define PD_MISSION_NAME_MAX 64

/* What a mission counts.  The counted kinds (open_packs ... era_complete) are recorded by the
 * actions themselves (server/missions.c); login_streak is the player's current run of days. */
enum pd_mission_kind {
  PD_MK_OPEN_PACKS,
  PD_MK_DRAWS,
  PD_MK_MARKET_SELL,
  PD_MK_MARKET_BUY,
  PD_MK_TRADES,
  PD_MK_ERA_COMPLETE,
  PD_MK_LOGIN_STREAK,
  PD_MK_COUNT
};

/* What an achievement waits for: n mythic copies obtained, n eras completed, n cards owned at
 * once, n trades done, a login streak of n days. */
enum pd_achievement_kind {
  PD_AK_MYTHIC,
  PD_AK_ERA_COMPLETE,
  PD_AK_CARDS,
  PD_AK_TRADES,
  PD_AK_LOGIN_STREAK,
  PD_AK_COUNT
};

enum pd_mission_period { PD_PERIOD_DAY, PD_PERIOD_WEEK };

struct pd_reward {
  enum pd_currency currency;
  int64_t amount; /* 0: no reward (achievements only) */
};

struct pd_mission {
  char id[PD_MISSION_ID_MAX + 1];
  enum pd_mission_kind kind;
  int64_t n;
  struct pd_reward reward;
};

struct pd_achievement {
  char id[PD_MISSION_ID_MAX + 1];
  char name[PD_MISSION_NAME_MAX + 1];
  enum pd_achievement_kind kind;
  int64_t n;
  struct pd_reward reward;
};

struct pd_missions {
  struct pd_mission *pool[2]; /* [PD_PERIOD_DAY], [PD_PERIOD_WEEK] */
  size_t npool[2];
  struct pd_achievement *achievements;
  size_t nachievements;
};

/* Reads and validates; on failure one line in err naming the file and the JSON path, e.g.
 * "assets/missions.json: daily[2].n: must be a whole number from 1 to 100000 (got 0)".
 * PD_E_IO when unreadable. */
enum pd_result pd_missions_load(const char *path, struct pd_missions **out, char *err,
                                size_t errlen);
enum pd_result pd_missions_parse(const char *json, struct pd_missions **out, char *err,
                                 size_t errlen);
void pd_missions_free(struct pd_missions *m);

/* The period's three missions, as indexes into m->pool[period], from the period's start (Unix
 * seconds, UTC): a partial Fisher-Yates shuffle of the pool driven by splitmix64 seeded with
 * the start and the period, so the same period always gives the same three, on every
 * instance. */
void pd_missions_pick(const struct pd_missions *m, enum pd_mission_period period,
                      int64_t period_start, size_t out[PD_MISSIONS_PER_PERIOD]);
/* The mission named id among the period's three, or NULL when it is not one of them. */
const struct pd_mission *pd_missions_chosen(const struct pd_missions *m,
                                            enum pd_mission_period period, int64_t period_start,
                                            const char *id);

/* "open_packs", ... as in the file and the database's counters. */
const char *pd_mission_kind_name(enum pd_mission_kind k);
/* "Open 3 packs", "Draw 1 time", ... */
void pd_mission_title(const struct pd_mission *m, char *out, size_t len);

#endif
