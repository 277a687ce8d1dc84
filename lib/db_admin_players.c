/* db_admin_players.c - statements for the admin's player operations (see db_admin_players.h);
 * admin_players.c runs the rest by name. */
#include "db_admin_players.h"

#include <stdio.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

/* A flag with both accounts as Discord ids, registration and age in whole days (by the
 * database's clock, as the flags themselves count them), and its operation's kind. */
#define FLAG_COLS                                                                                  \
  "f.id, f.kind, fu.discord_id, extract(epoch FROM fu.created_at)::bigint, tu.discord_id,"         \
  " extract(epoch FROM tu.created_at)::bigint, f.op_id,"                                           \
  " (SELECT l.kind FROM ledger l WHERE l.op_id = f.op_id LIMIT 1), f.detail,"                      \
  " extract(epoch FROM f.at)::bigint, f.reviewed, f.reviewed_by,"                                  \
  " extract(epoch FROM f.reviewed_at)::bigint,"                                                    \
  " floor(extract(epoch FROM pd_now() - fu.created_at) / 86400)::bigint,"                          \
  " floor(extract(epoch FROM pd_now() - tu.created_at) / 86400)::bigint"
#define FLAG_FROM                                                                                  \
  " FROM abuse_flags f LEFT JOIN users fu ON fu.id = f.from_user"                                  \
  " LEFT JOIN users tu ON tu.id = f.to_user"

const struct pd_db_stmt pd_db_admin_players_stmts[] = {
    {"ban_get", "SELECT coalesce(reason, ''), banned_by, extract(epoch FROM banned_at)::bigint"
                " FROM user_bans WHERE discord_id = $1"},
    {"ban_insert", "INSERT INTO user_bans (discord_id, reason, banned_by) VALUES ($1, $2, $3)"
                   " ON CONFLICT (discord_id) DO NOTHING"
                   " RETURNING extract(epoch FROM banned_at)::bigint"},
    {"ban_delete", "DELETE FROM user_bans WHERE discord_id = $1"
                   " RETURNING coalesce(reason, ''), banned_by,"
                   " extract(epoch FROM banned_at)::bigint"},
    /* The listing closes first (its copy_state goes NULL), then its copy is free again. */
    {"ban_cancel_listings", "UPDATE market_listings SET status = 'cancelled', closed_at = pd_now()"
                            " WHERE seller_id = $1 AND status = 'active'"
                            " RETURNING id, user_card_id"},
    {"ban_free_listed", "UPDATE user_cards SET state = 'free' WHERE user_id = $1"
                        " AND state = 'listed' AND id = ANY($2::bigint[])"},
    /* Newest first.  The unreviewed ones are the partial index abuse_flags_open_idx. */
    {"flags_open", "SELECT " FLAG_COLS FLAG_FROM " WHERE NOT f.reviewed"
                   " ORDER BY f.at DESC, f.id DESC LIMIT 50"},
    {"flags_all", "SELECT " FLAG_COLS FLAG_FROM " ORDER BY f.at DESC, f.id DESC LIMIT 50"},
    {"flags_of_user", "SELECT " FLAG_COLS FLAG_FROM " WHERE f.from_user = $1 OR f.to_user = $1"
                      " ORDER BY f.at DESC, f.id DESC LIMIT 25"},
    {"flag_review", "UPDATE abuse_flags SET reviewed = true, reviewed_by = $2,"
                    " reviewed_at = pd_now() WHERE id = $1 AND NOT reviewed RETURNING kind"},
    {"flag_get", "SELECT reviewed, coalesce(reviewed_by, ''),"
                 " coalesce(extract(epoch FROM reviewed_at)::bigint, 0) FROM abuse_flags"
                 " WHERE id = $1"},
    /* Copies by state; a temporary copy past its expiry has left the collection: 'expired'. */
    {"user_copies_by_state",
     "SELECT CASE WHEN state <> 'gone' AND expires_at <= pd_now() THEN 'expired' ELSE state END,"
     " count(*) FROM user_cards WHERE user_id = $1 GROUP BY 1 ORDER BY 1"},
    {"user_copies_by_rarity",
     "SELECT coalesce(t.rarity, tt.rarity), count(*) FROM user_cards uc"
     " LEFT JOIN card_templates t ON t.id = uc.template_id"
     " LEFT JOIN temp_card_templates tt ON tt.id = uc.temp_template_id"
     " WHERE uc.user_id = $1 AND uc.state <> 'gone'"
     " AND (uc.expires_at IS NULL OR uc.expires_at > pd_now()) GROUP BY 1 ORDER BY 1"},
    {"user_listings",
     "SELECT l.id, coalesce(c.public_id, tt.public_id, ''), uc.print_no, l.price, l.currency,"
     " l.scope, l.guild_id, extract(epoch FROM l.expires_at)::bigint,"
     " count(*) OVER () FROM market_listings l JOIN user_cards uc ON uc.id = l.user_card_id"
     " LEFT JOIN card_templates c ON c.id = uc.template_id"
     " LEFT JOIN temp_card_templates tt ON tt.id = uc.temp_template_id"
     " WHERE l.seller_id = $1 AND l.status = 'active' ORDER BY l.id DESC LIMIT 25"},
    /* Each source of activity through its index: the ledger (user_id, at), packs opened
     * (user_id, created_at), commands counted by the rate limit (its row), and the newest copy
     * (user_id, id).  NULL where there is none. */
    {"user_activity",
     "SELECT extract(epoch FROM (SELECT max(at) FROM ledger WHERE user_id = $1))::bigint,"
     " extract(epoch FROM (SELECT max(created_at) FROM pack_opens WHERE user_id = $1))::bigint,"
     " extract(epoch FROM (SELECT max(h) FROM rate_limit_hits r, unnest(r.hits) h"
     "   WHERE r.discord_id = $2))::bigint,"
     " extract(epoch FROM (SELECT obtained_at FROM user_cards WHERE user_id = $1"
     "   ORDER BY id DESC LIMIT 1))::bigint"},
    {NULL, NULL},
};

enum pd_result pd_db_ban_get(struct pd_db *db, const char *discord_id, bool *banned,
                             struct pd_ban *out)
{
  PGresult *r = NULL;
  const char *params[1] = {discord_id};
  *banned = false;
  enum pd_result rc = pd_db_exec(db, "ban_get", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *banned = PQntuples(r) == 1;
  if (*banned && out != NULL) {
    pd_utf8_copy(out->reason, sizeof(out->reason), pd_db_val(r, 0, 0));
    snprintf(out->banned_by, sizeof(out->banned_by), "%s", pd_db_val(r, 0, 1));
    out->banned_at = pd_db_int(r, 0, 2);
  }
  PQclear(r);
  return PD_OK;
}
