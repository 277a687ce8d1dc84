/* db_events.h - what players see of events (sql/003, 017, 023): the events running and upcoming
 * where they play, the claim of an event's free pack (one row per event, player and day-or-0),
 * and the settlement of an event that is over (its temporary copies' listings cancelled, its
 * consolation paid once).  The copies, trades and money move through db_admin_cards.h,
 * db_trades.h and db_ledger.h, as an admin's card removal moves them. */
#ifndef PD_DB_EVENTS_H
#define PD_DB_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct pd_event {
  int64_t id;
  char name[256]; /* 100 bytes at most (admin_events.c), room for any encoding */
  char description[1100];
  int64_t start, end; /* Unix s */
  char boosts[512];   /* the JSON object of rarity multipliers ("{}": none) */
  char pack[32];      /* "" when it has none */
  char guild[24];     /* "" when global */
  bool daily;         /* its pack is claimed once per UTC day, not once per event */
  int64_t consolation_notes;
  bool running; /* start <= pd_now() < end */
  int64_t now;  /* pd_now(), Unix s */
  int period;   /* the claim period now: 0, or the UTC day (days since 1970) when daily */
};

/* Running and upcoming events visible in guild (NULL in DMs: the global ones only), by start,
 * at most max into rows; *n how many. */
enum pd_result pd_db_events_visible(struct pd_db *db, const char *guild, struct pd_event *rows,
                                    size_t max, size_t *n);

/* The event whose free pack `which` names: an event id (digits), else the pack id of the event
 * offering it, preferring one visible in guild and running.  PD_E_NOTFOUND when none has a
 * pack. */
enum pd_result pd_db_event_for_pack(struct pd_db *db, const char *which, const char *guild,
                                    struct pd_event *out);

/* Records player user_id's claim of event e's pack for e->period, the opened pack pack_id.
 * PD_E_CONFLICT when that claim was already made (the primary key decides under races). */
enum pd_result pd_db_event_claim(struct pd_db *db, const struct pd_event *e, int64_t user_id,
                                 int64_t pack_id);

/* Whether an event offering pack runs now where guild is (NULL: global ones only). */
enum pd_result pd_db_event_pack_open(struct pd_db *db, const char *pack, const char *guild,
                                     bool *open);

/* The event_end task.  Temporary cards that expired before their event is over and still have
 * copies in a listing or an open trade: up to cap all_cards ids ("{-3,-4}") into ids. */
enum pd_result pd_db_event_expired_escrow(struct pd_db *db, char *ids, size_t cap, bool *any);
/* Cancels the active listings of the cards in ids (a bigint[] literal) and frees their copies;
 * *out (owned) gets [{"recipient": seller's discord id, "card": public id}], one per listing. */
enum pd_result pd_db_event_cancel_listings(struct pd_db *db, const char *ids, json_t **out);
/* The oldest event that is over and not settled, locked (SKIP LOCKED: another instance has it);
 * its temporary cards' ids into ids.  PD_E_NOTFOUND when there is none. */
enum pd_result pd_db_event_next_over(struct pd_db *db, struct pd_event *e, char *ids, size_t cap);
/* Marks e settled; PD_E_CONFLICT when it already was. */
enum pd_result pd_db_event_settle(struct pd_db *db, int64_t event_id);

#endif
