/* cmd_leaderboard.c - /leaderboard [scope] [by]: ten players a page from the ranks the
 * "leaderboard" task rebuilt (sql/025), always with the caller's own rank, percentile and the
 * players just above and below; its Previous/Next buttons ("leaderboard:...") page it.  Also the
 * task itself, which rebuilds every board from balances and copies, and is cancelled when serve
 * stops. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "db_leaderboard.h"
#include "interaction.h"
#include "log.h"
#include "reply.h"
#include "scheduler.h"
#include "utf8.h"

/* Pages past this are refused in a button: a forged page number never reaches the SQL. */
#define MAX_PAGE 100000000

static const char *const board_names[] = {"collection", "notes", "eras"};
static const char board_codes[] = "cne";

struct lb_ask {
  bool global;
  enum pd_lb_board board;
  int64_t page; /* 1 = the top ten */
};

/* "1,234 points", "5 Notes", "1 complete era". */
static void score_text(enum pd_lb_board b, int64_t score, char *out, size_t cap)
{
  char n[32];
  pd_fmt_thousands(score, n);
  if (b == PD_LB_COLLECTION)
    snprintf(out, cap, "%s point%s", n, score == 1 ? "" : "s");
  else if (b == PD_LB_NOTES)
    snprintf(out, cap, "%s Notes", n);
  else
    snprintf(out, cap, "%s complete era%s", n, score == 1 ? "" : "s");
}

static void row_line(FILE *f, enum pd_lb_board b, const struct pd_lb_row *r)
{
  char rank[32], score[64];
  pd_fmt_thousands(r->rank, rank);
  score_text(b, r->score, score, sizeof(score));
  if (r->me)
    fprintf(f, "**#%s <@%s> · %s** ← you\n", rank, r->discord_id, score);
  else
    fprintf(f, "#%s <@%s> · %s\n", rank, r->discord_id, score);
}

/* The caller's place as "top P%": the share of the board at or above their rank, in tenths
 * of a percent rounded up (the first of 10,000 is top 0.1%, the last top 100%). */
static int64_t top_tenths(int64_t rank, int64_t total)
{
  return total > 0 ? (rank * 1000 + total - 1) / total : 0;
}

static void button_id(const struct lb_ask *a, int64_t page, const char *viewer, char *out,
                      size_t cap)
{
  snprintf(out, cap, "leaderboard:%c:%c:%" PRId64 ":%s", a->global ? 'g' : 's',
           board_codes[a->board], page, viewer);
}

/* The guild of the interaction as a number; 0 in DMs or for a value that is not a snowflake. */
static int64_t guild_of(const struct pd_ctx *ctx)
{
  const char *g = ctx->ix->guild_id;
  char *end = NULL;
  if (g == NULL || *g < '0' || *g > '9')
    return 0;
  errno = 0;
  long long v = strtoll(g, &end, 10);
  return errno == 0 && end != g && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

static enum pd_result answer(struct pd_ctx *ctx, struct lb_ask *a)
{
  struct pd_db *db = NULL;
  struct pd_lb_view v;
  int64_t guild = a->global ? 0 : guild_of(ctx);
  if (!a->global && guild == 0)
    return pd_ctx_user_error(ctx, "A server's leaderboard needs a server: try /leaderboard "
                                  "scope:global here.");
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_lb_view(db, a->board, guild, ctx->player.id, (a->page - 1) * PD_LB_PAGE + 1, &v);
  if (rc != PD_OK)
    return rc;
  int64_t pages = (v.total + PD_LB_PAGE - 1) / PD_LB_PAGE;
  if (v.total > 0 && a->page > pages) { /* an old button on a board that shrank */
    a->page = pages;
    rc = pd_db_lb_view(db, a->board, guild, ctx->player.id, (a->page - 1) * PD_LB_PAGE + 1, &v);
    if (rc != PD_OK)
      return rc;
  }
  if (v.total == 0)
    return pd_ctx_user_error(ctx,
                             "Nobody is on this leaderboard yet. Ranks are rebuilt every minute "
                             "from everyone's cards and Notes: look again in a moment.");
  char *text = NULL, title[200], footer[200], total[32], mine[32];
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return PD_E_NOMEM;
  for (size_t i = 0; i < v.npage; i++)
    row_line(f, a->board, &v.page[i]);
  pd_fmt_thousands(v.total, total);
  if (v.my_rank > 0) {
    int64_t t = top_tenths(v.my_rank, v.total);
    pd_fmt_thousands(v.my_rank, mine);
    fprintf(f, "\n**Your rank: #%s of %s** · top %" PRId64 ".%" PRId64 "%%\n", mine, total, t / 10,
            t % 10);
    for (size_t i = 0; i < v.nnear; i++)
      row_line(f, a->board, &v.near[i]);
  } else {
    fprintf(f, "\nYou're not on this leaderboard yet: ranks are rebuilt every minute.\n");
  }
  fprintf(f, "\nRanks as of <t:%" PRId64 ":R>.", v.refreshed_at);
  if (fclose(f) != 0) {
    free(text);
    return PD_E_NOMEM;
  }
  snprintf(title, sizeof(title), "Leaderboard · %s · %s", board_names[a->board],
           a->global ? "everyone" : "this server");
  char page[32], npages[32];
  pd_fmt_thousands(a->page, page);
  pd_fmt_thousands(pages, npages);
  snprintf(footer, sizeof(footer), "Page %s of %s · %s players · ties go to who joined first", page,
           npages, total);
  char prev_id[100], next_id[100];
  button_id(a, a->page > 1 ? a->page - 1 : 1, ctx->ix->user.id, prev_id, sizeof(prev_id));
  /* Discord wants every custom_id of a message distinct: on a board of one page the disabled
   * Next names page 2 (a press there would show the last page anyway). */
  button_id(a, a->page + 1, ctx->ix->user.id, next_id, sizeof(next_id));
  json_t *data =
      json_pack("{s:[{s:s, s:s, s:i, s:{s:s}}], s:[{s:i, s:[{s:i, s:i, s:s, s:s, s:b}, {s:i, s:i, "
                "s:s, s:s, s:b}]}]}",
                "embeds", "title", title, "description", text, "color", PD_COLOR_BRAND, "footer",
                "text", footer, "components", "type", 1, "components", "type", 2, "style", 2,
                "label", "Previous", "custom_id", prev_id, "disabled", a->page <= 1, "type", 2,
                "style", 2, "label", "Next", "custom_id", next_id, "disabled", a->page >= pages);
  free(text);
  return pd_ctx_reply(ctx, data);
}

enum pd_result cmd_leaderboard(struct pd_ctx *ctx)
{
  const char *scope = pd_interaction_option_str(ctx->ix, "scope");
  const char *by = pd_interaction_option_str(ctx->ix, "by");
  struct lb_ask a = {.global = scope != NULL && strcmp(scope, "global") == 0,
                     .board = PD_LB_COLLECTION,
                     .page = 1};
  for (int b = 0; by != NULL && b < (int)PD_ARRAY_LEN(board_names); b++)
    if (strcmp(by, board_names[b]) == 0)
      a.board = (enum pd_lb_board)b;
  return answer(ctx, &a);
}

/* "leaderboard:<g|s>:<c|n|e>:<page>:<viewer>", every part checked and bounded. */
static bool parse_button(const char *id, struct lb_ask *a, char *viewer, size_t cap)
{
  static const char prefix[] = "leaderboard:";
  size_t n = sizeof(prefix) - 1;
  if (strncmp(id, prefix, n) != 0 || (id[n] != 'g' && id[n] != 's') || id[n + 1] != ':')
    return false;
  a->global = id[n] == 'g';
  const char *b = id[n + 2] != '\0' ? strchr(board_codes, id[n + 2]) : NULL;
  if (b == NULL || id[n + 3] != ':')
    return false;
  a->board = (enum pd_lb_board)(b - board_codes);
  const char *p = id + n + 4;
  char *end = NULL;
  if (*p < '1' || *p > '9')
    return false;
  errno = 0;
  long long page = strtoll(p, &end, 10);
  if (errno != 0 || *end != ':' || page < 1 || page > MAX_PAGE)
    return false;
  a->page = page;
  const char *u = end + 1;
  size_t ulen = strspn(u, "0123456789");
  if (ulen == 0 || ulen >= cap || ulen > 20 || u[ulen] != '\0')
    return false;
  snprintf(viewer, cap, "%s", u);
  return true;
}

enum pd_result cmd_leaderboard_button(struct pd_ctx *ctx)
{
  struct lb_ask a;
  char viewer[24];
  if (!parse_button(ctx->ix->custom_id, &a, viewer, sizeof(viewer)))
    return pd_ctx_user_error(ctx, "That button is not one PopDeck made. Run /leaderboard again.");
  if (strcmp(viewer, ctx->ix->user.id) != 0)
    return pd_ctx_user_error(
        ctx, "These buttons belong to <@%s>. Run /leaderboard to see where you stand.", viewer);
  ctx->update = true;
  return answer(ctx, &a);
}

/* The refresh runs for a minute or more at a million players.  Sent without waiting for it, it
 * can be cancelled once serve is stopping (its transaction rolls back and the old ranks stay;
 * the period's run is then failed, and taken up again by the next instance): a SIGTERM does not
 * wait for it.  Every POLL_MS the task looks at app->stopping. */
#define POLL_MS 200

enum pd_result pd_task_leaderboard(struct pd_app *app, struct pd_db *db,
                                   const struct pd_task_run *r, char *detail, size_t cap)
{
  char w[200];
  const char *params[1] = {w};
  bool cancelled = false;
  enum pd_result rc = pd_db_lb_refresh_param(app->game->leaderboard_weights, w, sizeof(w));
  if (rc != PD_OK)
    return rc;
  if (PQsendQueryPrepared(db->pg, "lb_refresh", 1, params, NULL, NULL, 0) != 1) {
    snprintf(detail, cap, "not sent: %s", PQerrorMessage(db->pg));
    return PD_E_DB_DOWN;
  }
  while (PQisBusy(db->pg)) {
    struct pollfd p = {.fd = PQsocket(db->pg), .events = POLLIN};
    int n = poll(&p, 1, POLL_MS);
    if ((n < 0 && errno != EINTR) || (n > 0 && PQconsumeInput(db->pg) != 1)) {
      snprintf(detail, cap, "connection lost: %s", PQerrorMessage(db->pg));
      return PD_E_DB_DOWN;
    }
    if (!cancelled && atomic_load(&app->stopping)) {
      char err[256] = "";
      PGcancel *c = PQgetCancel(db->pg);
      cancelled = c != NULL && PQcancel(c, err, sizeof(err)) == 1;
      PQfreeCancel(c);
      if (!cancelled)
        pd_log_error("leaderboard: the refresh could not be cancelled: %s", err);
    }
  }
  int64_t players = 0, rows = 0;
  double ms = 0;
  PGresult *res;
  rc = PD_OK;
  while ((res = PQgetResult(db->pg)) != NULL) {
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
      pd_db_lb_refresh_result(res, &players, &rows, &ms);
    } else if (rc == PD_OK) {
      rc = cancelled ? PD_E_DB_SOFT : PD_E_DB_HARD;
      if (cancelled)
        snprintf(detail, cap, "cancelled: serve is stopping");
      else
        snprintf(detail, cap, "%s", PQresultErrorMessage(res));
    }
    PQclear(res);
  }
  if (PQstatus(db->pg) != CONNECTION_OK)
    return PD_E_DB_DOWN;
  if (rc == PD_OK)
    snprintf(detail, cap, "ranked %" PRId64 " players (%" PRId64 " ranks) in %.0f ms", players,
             rows, ms);
  return rc;
}
