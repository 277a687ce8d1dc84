/* db_burns.c - statements for burning copies (see db_burns.h). */
#include "db_burns.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"
#include "db_copies.h"
#include "db_ledger.h"
#include "rarity.h"

const struct pd_db_stmt pd_db_burns_stmts[] = {
    /* Locking the candidates first (FOR UPDATE cannot go through the all_cards view), then
     * reading their card.  The lowest print number is taken over every state but 'gone', so a
     * locked or listed lowest copy is the one kept. */
    {"burn_duplicates",
     "WITH k AS (SELECT uc.id FROM user_cards uc WHERE uc.user_id = $1 AND uc.state = 'free'"
     " AND (uc.expires_at IS NULL OR uc.expires_at > pd_now())"
     " AND uc.print_no > (SELECT min(o.print_no) FROM user_cards o WHERE o.user_id = uc.user_id"
     " AND o.card_id = uc.card_id AND o.state <> 'gone')"
     " ORDER BY uc.id FOR UPDATE)"
     " SELECT uc.id, c.public_id, uc.print_no, c.rarity FROM k JOIN user_cards uc ON uc.id = k.id"
     " JOIN all_cards c ON c.id = uc.card_id WHERE ($2::text IS NULL OR c.rarity = $2)"
     " ORDER BY uc.id"},
    {NULL, NULL},
};

int64_t pd_burn_notes(const struct pd_economy *ec, const char *rarity)
{
  enum pd_rarity r;
  if (rarity == NULL || pd_rarity_parse(rarity, &r) != PD_OK)
    return 0;
  return ec->burn_notes[r];
}

void pd_burn_digest(const int64_t *ids, size_t n, char out[33])
{
  unsigned char h[16];
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, sizeof(h));
  for (size_t i = 0; i < n; i++) {
    char one[24];
    int len = snprintf(one, sizeof(one), "%" PRId64 ",", ids[i]);
    crypto_generichash_update(&st, (const unsigned char *)one, (unsigned long long)len);
  }
  crypto_generichash_final(&st, h, sizeof(h));
  sodium_bin2hex(out, 33, h, sizeof(h));
}

enum pd_result pd_db_burn_duplicates(struct pd_db *db, int64_t owner, const char *rarity,
                                     const struct pd_economy *ec, struct pd_burn_item **items,
                                     size_t *n, int64_t *more)
{
  char o[24];
  PGresult *r = NULL;
  snprintf(o, sizeof(o), "%" PRId64, owner);
  const char *params[2] = {o, rarity};
  *items = NULL;
  *n = 0;
  *more = 0;
  enum pd_result rc = pd_db_exec(db, "burn_duplicates", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  size_t rows = (size_t)PQntuples(r), take = rows < PD_BURN_MAX ? rows : PD_BURN_MAX;
  struct pd_burn_item *list = calloc(take > 0 ? take : 1, sizeof(*list));
  if (list == NULL) {
    PQclear(r);
    return PD_E_NOMEM;
  }
  for (size_t i = 0; i < take; i++) {
    list[i].id = pd_db_int(r, (int)i, 0);
    pd_copyref_format(pd_db_val(r, (int)i, 1), pd_db_int(r, (int)i, 2), list[i].ref);
    snprintf(list[i].rarity, sizeof(list[i].rarity), "%s", pd_db_val(r, (int)i, 3));
    list[i].notes = pd_burn_notes(ec, list[i].rarity);
  }
  PQclear(r);
  *items = list;
  *n = take;
  *more = (int64_t)(rows - take);
  return PD_OK;
}

enum pd_result pd_db_burn(struct pd_db *db, int64_t owner, const int64_t *ids, size_t n,
                          int64_t notes, int64_t *op_id, int64_t *new_notes)
{
  int64_t op = 0, bal[3] = {0, 0, 0};
  enum pd_result rc = pd_ledger_op_new(db, &op);
  for (size_t i = 0; rc == PD_OK && i < n; i++)
    rc = pd_db_copy_give(db, ids[i], owner, "free", 0, op, "burn");
  if (rc == PD_OK && notes > 0) {
    json_t *meta = json_pack("{s:I}", "copies", (json_int_t)n);
    rc = pd_ledger_move(db, op, "burn", PD_GAME_ACCT(PD_ACCT_BURNS), PD_PLAYER_ACCT(owner),
                        PD_NOTES, notes, meta, NULL, bal);
    json_decref(meta);
    if (rc == PD_OK && new_notes != NULL)
      *new_notes = bal[0];
  }
  if (rc == PD_OK)
    *op_id = op;
  return rc;
}
