/* admin_cards.c - the admin's card operations: setrarity (the template's rarity, its active
 * listings, a re-render job and one DM per owner), and the soft removal of cards, one
 * (delete_template) or an artist's all (purge_artist): listings and trades holding a copy are
 * cancelled, every copy goes 'gone' as a burn does, and owners are refunded the burn value per
 * copy from the 'refunds' account, each as one ledger operation with their copies' moves. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ops.h"
#include "db_admin.h"
#include "db_admin_cards.h"
#include "db_burns.h"
#include "db_ledger.h"
#include "db_trades.h"
#include "rarity.h"
#include "utf8.h"

static const char *const rarity_label[PD_RARITY_COUNT] = {"Common", "Rare", "Epic", "Legendary",
                                                          "Mythic"};

/* Where DMs go from: the interaction's application, else DISCORD_APPLICATION_ID (as
 * pd_admin_dm); NULL: none is sent. */
static const char *dm_application(const struct pd_admin_call *c)
{
  return c->who->application_id != NULL ? c->who->application_id : c->env->cfg->application_id;
}

/* The "card" argument, a public id, upper-cased as public ids are written. */
static enum pd_result card_arg(struct pd_admin_call *c, char out[32])
{
  const char *s = NULL;
  enum pd_result rc = pd_admin_need_str(c, "card", &s);
  if (rc != PD_OK)
    return rc;
  size_t n = strlen(s);
  if (n == 0 || n >= 32)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"card\" must be a card's public id, like TAYL_19#03.");
  for (size_t i = 0; i <= n; i++)
    out[i] = (char)toupper((unsigned char)s[i]);
  return PD_OK;
}

static enum pd_result card_not_found(struct pd_admin_call *c, const char *id)
{
  return pd_admin_refuse(c, 404, "card_not_found",
                         "There is no card %s (or it was removed). Pick one from the suggestions.",
                         id);
}

/* "TAYL_19#03 (Taylor Swift — 1989)" */
static void card_name(const struct pd_admin_card *card, char *out, size_t cap)
{
  pd_utf8_fmt(out, cap, "%s (%s — %s)", card->public_id, card->artist, card->era);
}

enum pd_result pd_admin_setrarity(struct pd_admin_call *c)
{
  char id[32], name[400], dm[600];
  const char *want = NULL;
  struct pd_admin_card card;
  enum pd_rarity to, was;
  int64_t listings = 0, job = 0, told = 0;
  enum pd_result rc;
  if ((rc = card_arg(c, id)) != PD_OK || (rc = pd_admin_need_str(c, "rarity", &want)) != PD_OK)
    return rc;
  if (pd_rarity_parse(want, &to) != PD_OK)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"rarity\" must be common, rare, epic, legendary or mythic (got "
                           "\"%.20s\").",
                           want);
  snprintf(c->target, sizeof(c->target), "card %s", id);
  rc = pd_db_admin_card_lock(c->db, id, &card);
  if (rc == PD_E_NOTFOUND)
    return card_not_found(c, id);
  if (rc != PD_OK)
    return rc;
  if (pd_rarity_parse(card.rarity, &was) != PD_OK)
    return PD_E_INTERNAL; /* the table's CHECK allows only the five */
  card_name(&card, name, sizeof(name));
  if (was == to)
    return pd_admin_refuse(c, 409, "same_rarity", "%s is already %s: nothing to change.", name,
                           rarity_label[to]);
  rc = pd_db_admin_card_set_rarity(c->db, card.id, pd_rarity_name(to), &listings);
  if (rc != PD_OK)
    return rc;
  /* The frame shows the rarity: the render job draws the card again as a new file revision
   * (same public id, new URL).  This call answers at once, so the job edits no message. */
  json_t *params = json_pack("{s:[s]}", "cards", card.public_id);
  if (params == NULL)
    return PD_E_NOMEM;
  rc =
      pd_db_admin_job_insert(c->db, "render", params, c->who->actor, c->who->ref, NULL, NULL, &job);
  json_decref(params);
  if (rc != PD_OK)
    return rc;
  const char *app = dm_application(c);
  pd_utf8_fmt(dm, sizeof(dm), "Your card %s is now %s (was %s).", name, rarity_label[to],
              rarity_label[was]);
  if (app != NULL)
    rc = pd_db_admin_card_dm_owners(c->db, card.id, app, dm, c->who->ref, &told);
  if (rc != PD_OK)
    return rc;
  c->before = json_pack("{s:s}", "rarity", pd_rarity_name(was));
  c->after =
      json_pack("{s:s, s:I, s:I, s:I}", "rarity", pd_rarity_name(to), "render_job", (json_int_t)job,
                "listings", (json_int_t)listings, "owners_notified", (json_int_t)told);
  pd_admin_result(c,
                  "%s is now %s (was %s): %" PRId64 " owner%s told, %" PRId64
                  " active listing%s updated, re-render queued (job %" PRId64 ").",
                  name, rarity_label[to], rarity_label[was], told, told == 1 ? "" : "s", listings,
                  listings == 1 ? "" : "s", job);
  if (c->result == NULL)
    return PD_E_NOMEM;
  json_object_set_new(c->result, "card", json_string(card.public_id));
  json_object_set_new(c->result, "rarity", json_string(pd_rarity_name(to)));
  json_object_set_new(c->result, "was", json_string(pd_rarity_name(was)));
  json_object_set_new(c->result, "owners_notified", json_integer(told));
  json_object_set_new(c->result, "listings", json_integer(listings));
  json_object_set_new(c->result, "render_job", json_integer(job));
  return PD_OK;
}

/* ---- removal ---- */

struct removal {
  const char *what; /* "TAYL_19#03 (Taylor Swift — 1989)", or the artist's name */
  const char *op;   /* "delete_template", "purge_artist" */
  bool artist;      /* a purge: the owner's DM says "every card of theirs" */
  bool refund;
  char *ids;    /* owned: the cards, a bigint[] literal */
  json_t *meta; /* borrowed: what the refunds' ledger rows say beside the copies */
  struct pd_removal_owner *owners;
  size_t nowners;
  int64_t *notes; /* each owner's refund (what /burn pays for their copies) */
  int64_t copies, refund_total, listings, trades;
};

static void removal_free(struct removal *rm)
{
  free(rm->ids);
  free(rm->owners);
  free(rm->notes);
}

/* Whether the call refunds: "refund", true unless said otherwise. */
static enum pd_result refund_arg(struct pd_admin_call *c, bool *refund)
{
  *refund = true;
  enum pd_result rc = pd_admin_arg_bool(c, "refund", refund);
  return rc == PD_E_NOTFOUND ? PD_OK : rc;
}

/* What would go and what it would cost: owners with their refunds, escrow to cancel. */
static enum pd_result removal_count(struct pd_admin_call *c, struct removal *rm)
{
  const struct pd_economy *ec = &c->env->game->economy;
  enum pd_result rc = pd_db_removal_owners(c->db, rm->ids, &rm->owners, &rm->nowners);
  if (rc == PD_OK)
    rc = pd_db_removal_escrow(c->db, rm->ids, &rm->listings, &rm->trades);
  if (rc != PD_OK)
    return rc;
  rm->notes = calloc(rm->nowners > 0 ? rm->nowners : 1, sizeof(*rm->notes));
  if (rm->notes == NULL)
    return PD_E_NOMEM;
  for (size_t i = 0; i < rm->nowners; i++) {
    rm->copies += rm->owners[i].copies;
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      rm->notes[i] +=
          rm->owners[i].refundable[r] * pd_burn_notes(ec, pd_rarity_name((enum pd_rarity)r));
    if (rm->refund)
      rm->refund_total += rm->notes[i];
  }
  return PD_OK;
}

/* Every open trade offering a copy is cancelled, its escrow returned (the trade code's own
 * close: db_trades.h), and both traders are told. */
static enum pd_result cancel_trades(struct pd_admin_call *c, struct removal *rm, int64_t *done)
{
  size_t cap = rm->trades > 0 ? (size_t)rm->trades : 1, n = 0;
  int64_t *ids = calloc(cap, sizeof(*ids));
  char(*cards)[32] = calloc(cap, sizeof(*cards));
  enum pd_result rc = ids != NULL && cards != NULL ? PD_OK : PD_E_NOMEM;
  if (rc == PD_OK)
    rc = pd_db_removal_trades(c->db, rm->ids, ids, cards, cap, &n);
  if (rc == PD_OK && n > cap)
    rc = PD_E_INTERNAL; /* counted in this transaction's snapshot a moment ago */
  *done = 0;
  for (size_t i = 0; rc == PD_OK && i < n; i++) {
    struct pd_trade t;
    char why[200], dm[600];
    rc = pd_db_trade_get(c->db, ids[i], true, &t);
    if (rc != PD_OK || strcmp(t.status, "open") != 0)
      continue;
    pd_utf8_fmt(why, sizeof(why), "an admin removed %s from PopDeck", cards[i]);
    rc = pd_db_trade_close(c->db, &t, "cancelled", why, 0);
    for (int s = 0; rc == PD_OK && s < 2; s++) {
      pd_utf8_fmt(dm, sizeof(dm),
                  "Your trade with <@%s> was cancelled: it offered a copy of %s, which an admin "
                  "removed from PopDeck. Everything else offered went back to its owner.",
                  t.discord[1 - s], cards[i]);
      rc = pd_admin_dm(c, t.discord[s], dm, NULL);
    }
    if (rc == PD_OK)
      (*done)++;
  }
  free(ids);
  free(cards);
  return rc;
}

/* One owner's DM: what went, and what they got for it. */
static void owner_dm(const struct removal *rm, const struct pd_removal_owner *o, int64_t notes,
                     char *out, size_t cap)
{
  int64_t n = 0, each = 0;
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    n += o->refundable[r];
  if (n > 0)
    each = notes / n;
  const char *whole = rm->artist ? " with every card of theirs" : "";
  if (!rm->refund)
    pd_utf8_fmt(out, cap,
                "%s was removed from PopDeck%s; your %" PRId64 " cop%s went with it, and no "
                "Notes were refunded.",
                rm->what, whole, n, n == 1 ? "y" : "ies");
  else if (!rm->artist && each * n == notes)
    pd_utf8_fmt(out, cap, "%s was removed from PopDeck; you got %" PRId64 " × %" PRId64 " Notes.",
                rm->what, n, each);
  else
    pd_utf8_fmt(out, cap,
                "%s was removed from PopDeck%s; you got %" PRId64 " Notes for your %" PRId64
                " cop%s.",
                rm->what, whole, notes, n, n == 1 ? "y" : "ies");
}

/* The removal itself, after removal_count: listings, trades, copies, refunds, then the cards are
 * marked removed.  *cancelled gets the listings and trades it cancelled.  The owners are done in
 * a few statements whatever their number (a card of 20,000 owners is one refund statement, one
 * for the copies, one for the DMs: make bench's bench-admin.sh), each owner's refund still its
 * own ledger operation. */
static enum pd_result removal_do(struct pd_admin_call *c, struct removal *rm, int64_t cancelled[2])
{
  json_t *pay = json_array(), *owners = json_array(), *dms = json_array(), *ops = NULL;
  enum pd_result rc = pay != NULL && owners != NULL && dms != NULL ? PD_OK : PD_E_NOMEM;
  if (rc == PD_OK)
    rc = pd_db_removal_cancel_listings(c->db, rm->ids, &cancelled[0]);
  if (rc == PD_OK)
    rc = cancel_trades(c, rm, &cancelled[1]);
  for (size_t i = 0; rc == PD_OK && rm->refund && i < rm->nowners; i++) {
    if (rm->notes[i] <= 0)
      continue;
    json_t *meta = json_deep_copy(rm->meta);
    json_object_set_new(meta, "copies", json_integer(rm->owners[i].copies));
    json_array_append_new(pay,
                          json_pack("{s:I, s:I, s:o}", "user", (json_int_t)rm->owners[i].user_id,
                                    "amount", (json_int_t)rm->notes[i], "meta", meta));
  }
  if (rc == PD_OK)
    rc = pd_ledger_pay_many(c->db, PD_ACCT_REFUNDS, "refund", PD_NOTES, pay, rm->meta, &ops);
  for (size_t i = 0; rc == PD_OK && i < rm->nowners; i++) {
    const struct pd_removal_owner *o = &rm->owners[i];
    char key[24], dm[600];
    snprintf(key, sizeof(key), "%" PRId64, o->user_id);
    json_t *op = json_object_get(ops, key);
    json_array_append_new(owners, json_pack("{s:I, s:O}", "u", (json_int_t)o->user_id, "op",
                                            op != NULL ? op : json_null()));
    int64_t kept = 0;
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      kept += o->refundable[r];
    if (kept > 0) { /* expired temporary copies were no longer theirs to see */
      owner_dm(rm, o, rm->notes[i], dm, sizeof(dm));
      json_array_append_new(dms,
                            json_pack("{s:s, s:s}", "recipient", o->discord_id, "content", dm));
    }
  }
  int64_t gone = 0, left = 0;
  if (rc == PD_OK)
    rc = pd_db_removal_gone(c->db, rm->ids, owners, &gone);
  if (rc == PD_OK && gone != rm->copies)
    rc = PD_E_INTERNAL; /* the escrow was released above, so every copy was free or locked */
  if (rc == PD_OK)
    rc = pd_admin_dm_many(c, dms, NULL);
  if (rc == PD_OK)
    rc = pd_db_removal_left(c->db, rm->ids, &left);
  if (rc == PD_OK && left != 0)
    rc = PD_E_INTERNAL;
  if (rc == PD_OK)
    rc = pd_db_removal_mark(c->db, rm->ids);
  json_decref(pay);
  json_decref(owners);
  json_decref(dms);
  json_decref(ops);
  return rc;
}

/* The preview's line, or the done line, and the counts every answer of a removal carries. */
static void removal_answer(struct pd_admin_call *c, const struct removal *rm,
                           const int64_t cancelled[2])
{
  char refund[200];
  if (rm->refund)
    snprintf(refund, sizeof(refund),
             "each owner %s the burn value per copy: %" PRId64 " Notes in all, from the "
             "'refunds' account",
             c->preview ? "is paid" : "was paid", rm->refund_total);
  else
    snprintf(refund, sizeof(refund), "nothing %s refunded (refund=false)",
             c->preview ? "is" : "was");
  if (c->preview)
    pd_admin_result(c,
                    "This removes %s for good: %" PRId64 " cop%s held by %zu owner%s go%s, %" PRId64
                    " active listing%s and %" PRId64 " open trade%s %s cancelled; %s.",
                    rm->what, rm->copies, rm->copies == 1 ? "y" : "ies", rm->nowners,
                    rm->nowners == 1 ? "" : "s", rm->copies == 1 ? "es" : "", rm->listings,
                    rm->listings == 1 ? "" : "s", rm->trades, rm->trades == 1 ? "" : "s",
                    rm->listings + rm->trades == 1 ? "is" : "are", refund);
  else
    pd_admin_result(c,
                    "Removed %s: %" PRId64 " cop%s of %zu owner%s gone, %" PRId64
                    " listing%s and %" PRId64 " trade%s cancelled; %s.",
                    rm->what, rm->copies, rm->copies == 1 ? "y" : "ies", rm->nowners,
                    rm->nowners == 1 ? "" : "s", cancelled[0], cancelled[0] == 1 ? "" : "s",
                    cancelled[1], cancelled[1] == 1 ? "" : "s", refund);
  if (c->result == NULL)
    return;
  json_object_set_new(c->result, "refund", json_boolean(rm->refund));
  json_object_set_new(c->result, "copies", json_integer(rm->copies));
  json_object_set_new(c->result, "owners", json_integer((json_int_t)rm->nowners));
  json_object_set_new(c->result, c->preview ? "listings" : "listings_cancelled",
                      json_integer(c->preview ? rm->listings : cancelled[0]));
  json_object_set_new(c->result, c->preview ? "trades" : "trades_cancelled",
                      json_integer(c->preview ? rm->trades : cancelled[1]));
  json_object_set_new(c->result, "refund_total", json_integer(rm->refund_total));
  json_object_set_new(c->result, "currency", json_string("notes"));
}

/* Counts, then (unless previewing) removes; the answer and the audit's before and after. */
static enum pd_result removal_run(struct pd_admin_call *c, struct removal *rm)
{
  int64_t cancelled[2] = {0, 0};
  enum pd_result rc = removal_count(c, rm);
  if (rc == PD_OK && !c->preview)
    rc = removal_do(c, rm, cancelled);
  if (rc != PD_OK)
    return rc;
  removal_answer(c, rm, cancelled);
  if (c->result == NULL)
    return PD_E_NOMEM;
  c->before = json_pack("{s:I, s:I, s:I, s:I}", "copies", (json_int_t)rm->copies, "owners",
                        (json_int_t)rm->nowners, "listings", (json_int_t)rm->listings, "trades",
                        (json_int_t)rm->trades);
  c->after = json_pack("{s:b, s:b, s:I, s:I, s:I}", "removed", 1, "refund", rm->refund,
                       "refund_total", (json_int_t)rm->refund_total, "listings_cancelled",
                       (json_int_t)cancelled[0], "trades_cancelled", (json_int_t)cancelled[1]);
  return PD_OK;
}

enum pd_result pd_admin_delete_template(struct pd_admin_call *c)
{
  char id[32], name[400];
  struct pd_admin_card card;
  struct removal rm = {.op = "delete_template"};
  enum pd_result rc;
  if ((rc = card_arg(c, id)) != PD_OK || (rc = refund_arg(c, &rm.refund)) != PD_OK)
    return rc;
  snprintf(c->target, sizeof(c->target), "card %s", id);
  rc = pd_db_admin_card_lock(c->db, id, &card);
  if (rc == PD_E_NOTFOUND)
    return card_not_found(c, id);
  if (rc != PD_OK)
    return rc;
  card_name(&card, name, sizeof(name));
  rm.what = name;
  rm.ids = pd_db_card_ids(&card.id, 1);
  rm.meta = json_pack("{s:s, s:s, s:s, s:s*}", "reason", rm.op, "card", card.public_id, "actor",
                      c->who->actor, "ref", c->who->ref);
  rc = rm.ids != NULL && rm.meta != NULL ? removal_run(c, &rm) : PD_E_NOMEM;
  if (rc == PD_OK) {
    json_object_set_new(c->result, "card", json_string(card.public_id));
    json_object_set_new(c->before, "card", json_string(card.public_id));
    json_object_set_new(c->before, "rarity", json_string(card.rarity));
  }
  json_decref(rm.meta);
  removal_free(&rm);
  return rc;
}

enum pd_result pd_admin_purge_artist(struct pd_admin_call *c)
{
  char name[128];
  int64_t artist = 0;
  bool removed = false;
  struct removal rm = {.op = "purge_artist", .artist = true};
  int64_t *ids = NULL;
  size_t n = 0;
  enum pd_result rc = pd_admin_need_int(c, "artist", &artist);
  /* Discord's suggestions give the id; a name typed past them is not one. */
  if (rc == PD_E_USER && strcmp(c->err_code, "invalid_argument") == 0)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"artist\" is an artist's id: pick the artist from the suggestions.");
  if (rc != PD_OK || (rc = refund_arg(c, &rm.refund)) != PD_OK)
    return rc;
  snprintf(c->target, sizeof(c->target), "artist %" PRId64, artist);
  rc = artist > 0 && artist <= INT32_MAX ? pd_db_admin_artist_lock(c->db, artist, name, &removed)
                                         : PD_E_NOTFOUND;
  if (rc == PD_E_NOTFOUND)
    return pd_admin_refuse(c, 404, "artist_not_found",
                           "There is no artist with id %" PRId64 ". Pick one from the suggestions.",
                           artist);
  if (rc != PD_OK)
    return rc;
  if (removed)
    return pd_admin_refuse(c, 409, "already_removed", "%s (id %" PRId64 ") was already removed.",
                           name, artist);
  rc = pd_db_admin_artist_cards(c->db, artist, &ids, &n);
  if (rc != PD_OK)
    return rc;
  rm.what = name;
  rm.ids = pd_db_card_ids(ids, n);
  rm.meta = json_pack("{s:s, s:I, s:s, s:s*}", "reason", rm.op, "artist", (json_int_t)artist,
                      "actor", c->who->actor, "ref", c->who->ref);
  rc = rm.ids != NULL && rm.meta != NULL ? removal_run(c, &rm) : PD_E_NOMEM;
  if (rc == PD_OK && !c->preview)
    rc = pd_db_removal_mark_artist(c->db, artist);
  if (rc == PD_OK) {
    json_object_set_new(c->result, "artist", json_integer(artist));
    json_object_set_new(c->result, "name", json_string(name));
    json_object_set_new(c->result, "cards", json_integer((json_int_t)n));
    json_object_set_new(c->before, "name", json_string(name));
    json_object_set_new(c->before, "cards", json_integer((json_int_t)n));
  }
  json_decref(rm.meta);
  removal_free(&rm);
  free(ids);
  return rc;
}
