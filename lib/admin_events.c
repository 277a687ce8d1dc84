/* admin_events.c - events and their temporary cards: event_create, event_end, event_list and
 * create_temp_card.  What an event offers players (boosts, its pack, its cards) is read by the
 * draws from the same rows (sql/007, 017); a new temporary card is invisible until the render
 * job it queues gives it an image (all_cards requires one). */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin_ops.h"
#include "db_admin.h"
#include "publicid.h"
#include "rarity.h"
#include "utf8.h"

#define NAME_MAX_BYTES 100
#define DESCRIPTION_MAX_BYTES 1000
#define BOOST_MAX 1000.0 /* a multiplier above this is a typo, not an event */
#define URL_MAX_BYTES 2048
#define TIME_MAX 253402300799LL /* 9999-12-31 23:59:59 UTC */
#define CONSOLATION_MAX 1000000 /* Notes per copy: sql/023's check */

/* ---- times and boosts ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Exactly width digits at *p (moved past them). */
static bool digits(const char **p, int width, int *out)
{
  int v = 0;
  for (int i = 0; i < width; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return false;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += width;
  *out = v;
  return true;
}

bool pd_admin_parse_time(const char *s, int64_t *out)
{
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (s == NULL || s[0] == '\0')
    return false;
  size_t n = strlen(s);
  if (n <= 12 && strspn(s, "0123456789") == n) { /* Unix seconds */
    *out = strtoll(s, NULL, 10);
    return *out <= TIME_MAX;
  }
  const char *p = s;
  if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
    return false;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1)
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > mdays[mo - 1] + (mo == 2 && leap))
    return false;
  int64_t offset = 0; /* seconds east of UTC */
  if (*p == ' ' || *p == 'T' || *p == 't') {
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
      return false;
    if (*p == ':') {
      p++;
      if (!digits(&p, 2, &sec))
        return false;
      if (*p == '.' || *p == ',') { /* a fraction of a second: dropped */
        p++;
        if (!isdigit((unsigned char)*p))
          return false;
        while (isdigit((unsigned char)*p))
          p++;
      }
    }
    if (h > 23 || mi > 59 || sec > 59)
      return false;
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
      if (!digits(&p, 2, &oh))
        return false;
      if (*p == ':')
        p++;
      if (isdigit((unsigned char)*p) && !digits(&p, 2, &om))
        return false;
      if (oh > 23 || om > 59)
        return false;
      offset = sign * (oh * 3600 + om * 60);
    }
  }
  if (strcmp(p, " UTC") == 0 || strcmp(p, " utc") == 0)
    p += 4;
  if (*p != '\0')
    return false;
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  if (t < 0 || t > TIME_MAX)
    return false;
  *out = t;
  return true;
}

static bool boost_value(const char *rarity, double v, json_t *into, char *err, size_t cap)
{
  enum pd_rarity r;
  if (pd_rarity_parse(rarity, &r) != PD_OK) {
    pd_utf8_fmt(err, cap,
                "\"boosts\": \"%.40s\" is not a rarity (common, rare, epic, legendary, mythic).",
                rarity);
    return false;
  }
  if (json_object_get(into, rarity) != NULL) {
    pd_utf8_fmt(err, cap, "\"boosts\": %s is given twice.", rarity);
    return false;
  }
  if (!isfinite(v) || v <= 0 || v > BOOST_MAX) {
    pd_utf8_fmt(err, cap, "\"boosts\": %s's multiplier must be above 0 and at most %g.", rarity,
                BOOST_MAX);
    return false;
  }
  /* Whole multipliers stay whole ({"mythic": 3}), as an admin wrote them. */
  json_object_set_new(into, rarity,
                      v == floor(v) && v <= 1e9 ? json_integer((json_int_t)v) : json_real(v));
  return true;
}

/* "legendary=2, mythic=3" (Discord) into into. */
static bool boosts_text(const char *s, json_t *into, char *err, size_t cap)
{
  while (*s != '\0') {
    char rarity[24], *end = NULL;
    while (*s == ' ' || *s == ',')
      s++;
    if (*s == '\0')
      break;
    size_t k = strcspn(s, "=:, ");
    if (k == 0 || k >= sizeof(rarity)) {
      pd_utf8_fmt(err, cap, "\"boosts\" must look like legendary=2,mythic=3.");
      return false;
    }
    memcpy(rarity, s, k);
    rarity[k] = '\0';
    s += k;
    while (*s == ' ')
      s++;
    if (*s != '=' && *s != ':') {
      pd_utf8_fmt(err, cap, "\"boosts\": %s needs a multiplier (%s=2).", rarity, rarity);
      return false;
    }
    s++;
    double v = strtod(s, &end);
    if (end == s) {
      pd_utf8_fmt(err, cap, "\"boosts\": %s needs a multiplier (%s=2).", rarity, rarity);
      return false;
    }
    if (!boost_value(rarity, v, into, err, cap))
      return false;
    s = end;
    while (*s == ' ')
      s++;
    if (*s != ',' && *s != '\0') {
      pd_utf8_fmt(err, cap, "\"boosts\" must look like legendary=2,mythic=3.");
      return false;
    }
  }
  return true;
}

bool pd_admin_parse_boosts(const json_t *v, json_t **out, char *err, size_t cap)
{
  json_t *into = json_object();
  json_t *parsed = NULL;
  bool ok = into != NULL;
  *out = NULL;
  err[0] = '\0';
  const char *s = json_string_value(v);
  if (ok && s != NULL && s[strspn(s, " ")] == '{') /* a JSON object given as text */
    v = parsed = json_loads(s, 0, NULL);
  if (!ok) {
  } else if (json_is_object(v)) {
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x)
    {
      if (!json_is_number(x)) {
        pd_utf8_fmt(err, cap, "\"boosts\": %.40s's multiplier must be a number.", k);
        ok = false;
        break;
      }
      if (!(ok = boost_value(k, json_number_value(x), into, err, cap)))
        break;
    }
  } else if (s != NULL && parsed == NULL && s[strspn(s, " ")] != '{') {
    ok = boosts_text(s, into, err, cap);
  } else {
    pd_utf8_fmt(err, cap,
                "\"boosts\" must be rarity=multiplier pairs (legendary=2,mythic=3) or a JSON "
                "object of them.");
    ok = false;
  }
  json_decref(parsed);
  if (!ok) {
    json_decref(into);
    return false;
  }
  *out = into;
  return true;
}

/* A time argument: "YYYY-MM-DD HH:MM" UTC, ISO 8601, or Unix seconds (text or a number). */
static enum pd_result arg_time(struct pd_admin_call *c, const char *name, int64_t *out)
{
  json_t *v = json_object_get(c->args, name);
  if (v == NULL || json_is_null(v))
    return PD_E_NOTFOUND;
  if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= TIME_MAX) {
    *out = json_integer_value(v);
    return PD_OK;
  }
  if (pd_admin_parse_time(json_string_value(v), out))
    return PD_OK;
  return pd_admin_refuse(c, 400, "invalid_argument",
                         "\"%s\" must be a time: \"2026-12-24 18:00\" (UTC), ISO 8601 "
                         "(2026-12-24T18:00:00+01:00), or Unix seconds.",
                         name);
}

static enum pd_result missing_time(struct pd_admin_call *c, const char *name, int64_t *out)
{
  enum pd_result rc = arg_time(c, name, out);
  if (rc != PD_E_NOTFOUND)
    return rc;
  return pd_admin_refuse(c, 400, "missing_argument", "\"%s\" is required.", name);
}

/* ---- events ---- */

struct event {
  int64_t id, start, end, ended_at, created_at;
  char name[NAME_MAX_BYTES * 2], status[12];
};

/* One row of EVENT_COLS (db_admin_events.c) as JSON; e (may be NULL) gets its fields. */
static json_t *event_json(const PGresult *r, int i, struct event *e)
{
  json_t *boosts = json_loads(pd_db_val(r, i, 5), 0, NULL);
  if (e != NULL) {
    e->id = pd_db_int(r, i, 0);
    pd_utf8_copy(e->name, sizeof(e->name), pd_db_val(r, i, 1));
    e->start = pd_db_int(r, i, 3);
    e->end = pd_db_int(r, i, 4);
    e->ended_at = pd_db_int(r, i, 9);
    snprintf(e->status, sizeof(e->status), "%s", pd_db_val(r, i, 10));
    e->created_at = pd_db_int(r, i, 11);
  }
  return json_pack(
      "{s:I, s:s, s:s?, s:I, s:I, s:o, s:s?, s:s?, s:s?, s:o, s:s, s:I, s:s, s:I,"
      " s:o}",
      "id", (json_int_t)pd_db_int(r, i, 0), "name", pd_db_val(r, i, 1), "description",
      pd_db_val(r, i, 2), "start", (json_int_t)pd_db_int(r, i, 3), "end",
      (json_int_t)pd_db_int(r, i, 4), "boosts", boosts != NULL ? boosts : json_object(), "pack",
      pd_db_val(r, i, 6), "guild", pd_db_val(r, i, 7), "created_by", pd_db_val(r, i, 8), "ended_at",
      pd_db_val(r, i, 9) != NULL ? json_integer(pd_db_int(r, i, 9)) : json_null(), "status",
      pd_db_val(r, i, 10), "created_at", (json_int_t)pd_db_int(r, i, 11), "claim",
      pd_db_val(r, i, 12), "consolation", (json_int_t)pd_db_int(r, i, 13), "settled_at",
      pd_db_val(r, i, 14) != NULL ? json_integer(pd_db_int(r, i, 14)) : json_null());
}

/* The event by id (lock: FOR UPDATE); 404 when there is none.  *j (may be NULL) gets it. */
static enum pd_result event_of(struct pd_admin_call *c, int64_t id, bool lock, struct event *e,
                               json_t **j)
{
  char s[24];
  PGresult *r = NULL;
  snprintf(s, sizeof(s), "%" PRId64, id);
  const char *params[1] = {s};
  enum pd_result rc = pd_db_exec(c->db, lock ? "event_lock" : "event_get", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return pd_admin_refuse(c, 404, "event_not_found",
                           "There is no event %" PRId64 ". /admin event list shows them.", id);
  }
  json_t *ev = event_json(r, 0, e);
  PQclear(r);
  if (ev == NULL)
    return PD_E_NOMEM;
  if (j != NULL)
    *j = ev;
  else
    json_decref(ev);
  return PD_OK;
}

enum pd_result pd_admin_event_create(struct pd_admin_call *c)
{
  const char *name = NULL, *description = NULL, *pack = NULL, *claim = NULL;
  char guild[24] = "", start_s[24], end_s[24], err[300], cons_s[24];
  int64_t start = 0, end = 0, consolation = 0;
  json_t *boosts = NULL;
  enum pd_result rc;
  if ((rc = pd_admin_need_str(c, "name", &name)) != PD_OK)
    return rc;
  if ((rc = missing_time(c, "start", &start)) != PD_OK ||
      (rc = missing_time(c, "end", &end)) != PD_OK)
    return rc;
  if ((rc = pd_admin_arg_str(c, "description", &description)) == PD_E_USER ||
      (rc = pd_admin_arg_str(c, "pack", &pack)) == PD_E_USER)
    return rc;
  if ((rc = pd_admin_arg_str(c, "claim", &claim)) == PD_E_USER)
    return rc;
  if (claim != NULL && claim[0] == '\0')
    claim = NULL;
  if (claim != NULL && strcmp(claim, "event") != 0 && strcmp(claim, "day") != 0)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"claim\" must be \"event\" (a player claims the event pack once) or "
                           "\"day\" (once per UTC day while it runs).");
  if ((rc = pd_admin_arg_int(c, "consolation", &consolation)) == PD_E_USER)
    return rc;
  if (consolation < 0 || consolation > CONSOLATION_MAX)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"consolation\" is Notes per temporary copy, 0 to %d.",
                           CONSOLATION_MAX);
  rc = pd_admin_arg_snowflake(c, "guild", guild);
  if (rc == PD_E_USER)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"guild\" must be a server's id (digits), or empty for every server.");
  size_t nlen = strlen(name);
  while (nlen > 0 && name[nlen - 1] == ' ')
    nlen--;
  if (nlen == 0 || strlen(name) > NAME_MAX_BYTES)
    return pd_admin_refuse(c, 400, "invalid_argument", "\"name\" must be 1 to %d bytes.",
                           NAME_MAX_BYTES);
  if (description != NULL && strlen(description) > DESCRIPTION_MAX_BYTES)
    return pd_admin_refuse(c, 400, "invalid_argument", "\"description\" is at most %d bytes.",
                           DESCRIPTION_MAX_BYTES);
  if (end <= start)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"end\" (<t:%lld:f>) must be after \"start\" (<t:%lld:f>).",
                           (long long)end, (long long)start);
  if (end <= (int64_t)time(NULL))
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"end\" (<t:%lld:f>) is already past: an event must end in the future.",
                           (long long)end);
  if (pack != NULL && pack[0] == '\0')
    pack = NULL;
  if (pack != NULL && (c->env->game == NULL || pd_game_pack(c->env->game, pack) == NULL))
    return pd_admin_refuse(c, 400, "unknown_pack",
                           "\"pack\": there is no pack \"%.40s\" in the game config "
                           "(assets/packs.json).",
                           pack);
  json_t *bv = json_object_get(c->args, "boosts");
  if (bv != NULL && !json_is_null(bv) && !pd_admin_parse_boosts(bv, &boosts, err, sizeof(err)))
    return pd_admin_refuse(c, 400, "invalid_argument", "%s", err);
  if (boosts == NULL && (boosts = json_object()) == NULL)
    return PD_E_NOMEM;

  char *b = pd_db_json_param(boosts);
  snprintf(start_s, sizeof(start_s), "%" PRId64, start);
  snprintf(end_s, sizeof(end_s), "%" PRId64, end);
  snprintf(cons_s, sizeof(cons_s), "%" PRId64, consolation);
  const char *params[10] = {name,
                            description,
                            start_s,
                            end_s,
                            b,
                            pack,
                            guild[0] != '\0' ? guild : NULL,
                            c->who->actor,
                            claim != NULL ? claim : "event",
                            cons_s};
  PGresult *r = NULL;
  rc = b != NULL ? pd_db_exec(c->db, "event_insert", 10, params, &r) : PD_E_NOMEM;
  free(b);
  json_decref(boosts);
  if (rc != PD_OK)
    return rc;
  struct event e;
  json_t *ev = event_json(r, 0, &e);
  PQclear(r);
  if (ev == NULL)
    return PD_E_NOMEM;
  snprintf(c->target, sizeof(c->target), "event %" PRId64, e.id);
  c->after = json_incref(ev);
  c->status = 201;
  pd_admin_result(c, "Event %" PRId64 " \"%s\" created (%s): <t:%lld:f> to <t:%lld:f>%s%s%s%s.",
                  e.id, e.name, e.status, (long long)e.start, (long long)e.end,
                  pack != NULL ? ", pack " : "", pack != NULL ? pack : "",
                  guild[0] != '\0' ? ", only in server " : "", guild);
  json_object_set_new(c->result, "event", ev);
  return PD_OK;
}

enum pd_result pd_admin_event_end(struct pd_admin_call *c)
{
  int64_t id = 0;
  char s[24];
  struct event e;
  json_t *before = NULL;
  enum pd_result rc = pd_admin_need_int(c, "event", &id);
  if (rc != PD_OK)
    return rc;
  snprintf(c->target, sizeof(c->target), "event %" PRId64, id);
  if ((rc = event_of(c, id, true, &e, &before)) != PD_OK)
    return rc;
  if (strcmp(e.status, "ended") == 0) {
    json_decref(before);
    return pd_admin_refuse(c, 409, "event_over",
                           "Event %" PRId64 " \"%s\" already ended <t:%lld:R>.", id, e.name,
                           (long long)e.end);
  }
  snprintf(s, sizeof(s), "%" PRId64, id);
  const char *params[1] = {s};
  PGresult *r = NULL;
  rc = pd_db_exec(c->db, "event_end", 1, params, &r);
  if (rc != PD_OK) {
    json_decref(before);
    return rc;
  }
  json_t *after = PQntuples(r) == 1 ? event_json(r, 0, NULL) : NULL;
  PQclear(r);
  int64_t copies = 0;
  if (after == NULL)
    rc = PD_E_NOMEM;
  if (rc == PD_OK)
    rc = pd_db_exec(c->db, "event_end_copies", 1, params, &r);
  if (rc == PD_OK) {
    copies = PQntuples(r);
    PQclear(r);
    rc = pd_db_exec(c->db, "event_end_cards", 1, params, NULL);
  }
  if (rc != PD_OK) {
    json_decref(before);
    json_decref(after);
    return rc;
  }
  c->before = before;
  c->after = json_incref(after);
  bool upcoming = strcmp(e.status, "upcoming") == 0;
  if (upcoming)
    pd_admin_result(c, "Event %" PRId64 " \"%s\" is called off: it never started.", id, e.name);
  else
    pd_admin_result(c,
                    "Event %" PRId64 " \"%s\" ended now: %" PRId64
                    " temporary cop%s left their owners' collections.",
                    id, e.name, copies, copies == 1 ? "y" : "ies");
  json_object_set_new(c->result, "event", after);
  json_object_set_new(c->result, "copies_expired", json_integer(copies));
  return PD_OK;
}

/* The temporary cards of the events in list (a JSON array of event objects) go into each
 * event's "cards". */
static enum pd_result attach_cards(struct pd_admin_call *c, json_t *list)
{
  size_t n = json_array_size(list), i;
  json_t *ev;
  if (n == 0)
    return PD_OK;
  char *ids = malloc(n * 21 + 3);
  if (ids == NULL)
    return PD_E_NOMEM;
  size_t at = (size_t)snprintf(ids, n * 21 + 3, "{");
  json_array_foreach(list, i, ev)
  {
    json_object_set_new(ev, "cards", json_array());
    at += (size_t)snprintf(ids + at, n * 21 + 3 - at, "%s%lld", i > 0 ? "," : "",
                           (long long)json_integer_value(json_object_get(ev, "id")));
  }
  snprintf(ids + at, n * 21 + 3 - at, "}");
  const char *params[1] = {ids};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(c->db, "event_cards", 1, params, &r);
  free(ids);
  if (rc != PD_OK)
    return rc;
  for (int row = 0; row < PQntuples(r); row++) {
    int64_t eid = pd_db_int(r, row, 0);
    json_t *cards = NULL;
    json_array_foreach(list, i, ev)
    {
      if (json_integer_value(json_object_get(ev, "id")) == eid)
        cards = json_object_get(ev, "cards");
    }
    json_array_append_new(
        cards,
        json_pack("{s:s, s:I, s:s?, s:I, s:s?, s:s?, s:s?, s:b, s:o, s:I, s:o, s:s?}", "card",
                  pd_db_val(r, row, 1), "artist_id", (json_int_t)pd_db_int(r, row, 2), "artist",
                  pd_db_val(r, row, 3), "era_id", (json_int_t)pd_db_int(r, row, 4), "era",
                  pd_db_val(r, row, 5), "rarity", pd_db_val(r, row, 6), "image_url",
                  pd_db_val(r, row, 7), "rendered", pd_db_val(r, row, 7) != NULL, "expires_at",
                  pd_db_val(r, row, 8) != NULL ? json_integer(pd_db_int(r, row, 8)) : json_null(),
                  "copies_created", (json_int_t)pd_db_int(r, row, 9), "era_image",
                  pd_db_val(r, row, 10) != NULL ? json_integer(pd_db_int(r, row, 10)) : json_null(),
                  "source_url", pd_db_val(r, row, 11)));
  }
  PQclear(r);
  return PD_OK;
}

static enum pd_result event_rows(struct pd_admin_call *c, const char *stmt, json_t *list)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(c->db, stmt, 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; i < PQntuples(r); i++)
    json_array_append_new(list, event_json(r, i, NULL));
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_admin_event_list(struct pd_admin_call *c)
{
  json_t *current = json_array(), *ended = json_array();
  enum pd_result rc = current != NULL && ended != NULL ? PD_OK : PD_E_NOMEM;
  if (rc == PD_OK)
    rc = event_rows(c, "events_current", current);
  if (rc == PD_OK)
    rc = event_rows(c, "events_ended", ended);
  if (rc == PD_OK)
    rc = attach_cards(c, current);
  if (rc == PD_OK)
    rc = attach_cards(c, ended);
  if (rc != PD_OK) {
    json_decref(current);
    json_decref(ended);
    return rc;
  }
  json_t *running = json_array(), *upcoming = json_array();
  size_t i;
  json_t *ev;
  json_array_foreach(current, i, ev)
  {
    const char *st = json_string_value(json_object_get(ev, "status"));
    json_array_append(st != NULL && strcmp(st, "running") == 0 ? running : upcoming, ev);
  }
  json_decref(current);
  char text[900];
  int at = snprintf(text, sizeof(text), "%zu running, %zu upcoming, %zu recently ended.",
                    json_array_size(running), json_array_size(upcoming), json_array_size(ended));
  json_t *groups[3] = {running, upcoming, ended};
  for (int g = 0; g < 3; g++)
    json_array_foreach(groups[g], i, ev)
    {
      char line[200];
      pd_utf8_fmt(line, sizeof(line), "\n#%lld %s (%s): <t:%lld:f> to <t:%lld:f>, %zu cards",
                  (long long)json_integer_value(json_object_get(ev, "id")),
                  json_string_value(json_object_get(ev, "name")),
                  json_string_value(json_object_get(ev, "status")),
                  (long long)json_integer_value(json_object_get(ev, "start")),
                  (long long)json_integer_value(json_object_get(ev, "end")),
                  json_array_size(json_object_get(ev, "cards")));
      if (at + strlen(line) + 1 < sizeof(text))
        at += snprintf(text + at, sizeof(text) - (size_t)at, "%s", line);
    }
  pd_admin_result(c, "%s", text);
  json_object_set_new(c->result, "running", running);
  json_object_set_new(c->result, "upcoming", upcoming);
  json_object_set_new(c->result, "ended", ended);
  return PD_OK;
}

/* ---- create_temp_card ---- */

struct taken_ctx {
  struct pd_db *db;
  enum pd_result rc;
};

static bool taken_cb(void *arg, const char *id)
{
  struct taken_ctx *t = arg;
  PGresult *r = NULL;
  const char *params[1] = {id};
  if (t->rc != PD_OK)
    return true; /* after a database error, hand out nothing */
  t->rc = pd_db_exec(t->db, "tc_publicid_taken", 1, params, &r);
  bool taken = t->rc != PD_OK || PQntuples(r) > 0;
  PQclear(r);
  return taken;
}

static bool url_ok(const char *u)
{
  size_t n = strlen(u);
  const char *host = strncasecmp(u, "https://", 8) == 0  ? u + 8
                     : strncasecmp(u, "http://", 7) == 0 ? u + 7
                                                         : NULL;
  if (host == NULL || n > URL_MAX_BYTES || host[0] == '\0' || host[0] == '/')
    return false;
  for (const char *p = u; *p != '\0'; p++)
    if ((unsigned char)*p <= ' ' || *p == 0x7f)
      return false;
  return true;
}

/* The artist's era named (or, failing that, numbered) era; refusals name what is wrong. */
static enum pd_result era_of(struct pd_admin_call *c, const char *artist_s, const char *artist,
                             json_t *era_v, int64_t *era_id, char *era_name, size_t cap)
{
  PGresult *r = NULL;
  enum pd_result rc;
  char idbuf[24];
  const char *era = json_string_value(era_v);
  if (json_is_integer(era_v)) {
    snprintf(idbuf, sizeof(idbuf), "%" PRId64, (int64_t)json_integer_value(era_v));
    era = NULL;
  } else if (era == NULL || era[0] == '\0') {
    return pd_admin_refuse(c, 400, "missing_argument", "\"era\" is required: a name or an id.");
  }
  if (era != NULL) {
    const char *p1[2] = {artist_s, era};
    rc = pd_db_exec(c->db, "tc_era_by_name", 2, p1, &r);
    if (rc != PD_OK)
      return rc;
    if (PQntuples(r) == 1) {
      *era_id = pd_db_int(r, 0, 0);
      pd_utf8_copy(era_name, cap, pd_db_val(r, 0, 1));
      PQclear(r);
      return PD_OK;
    }
    PQclear(r);
    size_t n = strlen(era);
    if (n > 18 || strspn(era, "0123456789") != n)
      return pd_admin_refuse(c, 404, "era_not_found", "%s has no era called \"%.60s\".", artist,
                             era);
    snprintf(idbuf, sizeof(idbuf), "%s", era);
  }
  const char *p2[1] = {idbuf};
  rc = pd_db_exec(c->db, "tc_era_by_id", 1, p2, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return pd_admin_refuse(c, 404, "era_not_found", "%s has no era called or numbered %s.", artist,
                           idbuf);
  }
  bool theirs = strcmp(pd_db_val(r, 0, 2), artist_s) == 0;
  char other[128];
  pd_utf8_copy(other, sizeof(other), pd_db_val(r, 0, 1));
  *era_id = pd_db_int(r, 0, 0);
  pd_utf8_copy(era_name, cap, pd_db_val(r, 0, 1));
  PQclear(r);
  if (!theirs)
    return pd_admin_refuse(c, 400, "era_not_of_artist",
                           "Era %s (\"%s\") belongs to another artist, not to %s.", idbuf, other,
                           artist);
  return PD_OK;
}

/* The picture: an uploaded URL, an era image of this era, or the era's best one.  Exactly one
 * of *image_id (> 0) and url is set. */
static enum pd_result picture_of(struct pd_admin_call *c, int64_t era_id, const char *era_name,
                                 int64_t *image_id, const char **url)
{
  int64_t img = 0;
  char e[24], s[24];
  PGresult *r = NULL;
  enum pd_result rc = pd_admin_arg_str(c, "image_url", url);
  if (rc == PD_E_USER)
    return rc;
  if (rc == PD_E_NOTFOUND || (*url != NULL && (*url)[0] == '\0'))
    *url = NULL;
  rc = pd_admin_arg_int(c, "era_image", &img);
  if (rc == PD_E_USER)
    return rc;
  if (*url != NULL && rc == PD_OK)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "Give \"image_url\" (an upload) or \"era_image\", not both.");
  if (*url != NULL) {
    if (!url_ok(*url))
      return pd_admin_refuse(c, 400, "invalid_argument",
                             "\"image_url\" must be an http(s) URL of at most %d bytes.",
                             URL_MAX_BYTES);
    *image_id = 0;
    return PD_OK;
  }
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  if (rc == PD_OK) {
    snprintf(s, sizeof(s), "%" PRId64, img);
    const char *p[1] = {s};
    if ((rc = pd_db_exec(c->db, "tc_era_image", 1, p, &r)) != PD_OK)
      return rc;
    bool found = PQntuples(r) == 1;
    bool same = found && pd_db_val(r, 0, 0) != NULL && strcmp(pd_db_val(r, 0, 0), e) == 0;
    PQclear(r);
    if (!found)
      return pd_admin_refuse(c, 404, "era_image_not_found", "There is no era image %" PRId64 ".",
                             img);
    if (!same)
      return pd_admin_refuse(c, 400, "era_image_not_of_era",
                             "Era image %" PRId64 " is not one of %s's images.", img, era_name);
    *image_id = img;
    return PD_OK;
  }
  const char *p[1] = {e};
  if ((rc = pd_db_exec(c->db, "tc_era_best_image", 1, p, &r)) != PD_OK)
    return rc;
  bool any = PQntuples(r) == 1;
  *image_id = any ? pd_db_int(r, 0, 0) : 0;
  PQclear(r);
  if (!any)
    return pd_admin_refuse(c, 409, "no_era_image",
                           "%s has no image yet: upload one (image) or give image_url.", era_name);
  return PD_OK;
}

enum pd_result pd_admin_create_temp_card(struct pd_admin_call *c)
{
  int64_t event_id = 0, artist_id = 0, expires = 0, era_id = 0, image_id = 0;
  const char *rarity_s = NULL, *url = NULL;
  char artist_s[24], artist[128], era_name[128], public_id[PD_PUBLICID_SIZE];
  struct event e;
  enum pd_rarity rarity;
  enum pd_result rc;
  if ((rc = pd_admin_need_int(c, "event", &event_id)) != PD_OK ||
      (rc = pd_admin_need_int(c, "artist", &artist_id)) != PD_OK ||
      (rc = pd_admin_need_str(c, "rarity", &rarity_s)) != PD_OK)
    return rc;
  json_t *era_v = json_object_get(c->args, "era");
  if (era_v == NULL || json_is_null(era_v))
    return pd_admin_refuse(c, 400, "missing_argument", "\"era\" is required.");
  if (pd_rarity_parse(rarity_s, &rarity) != PD_OK)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"rarity\" must be common, rare, epic, legendary or mythic.");
  bool has_expiry = false;
  rc = arg_time(c, "expires", &expires);
  if (rc == PD_E_USER)
    return rc;
  has_expiry = rc == PD_OK;
  if ((rc = event_of(c, event_id, false, &e, NULL)) != PD_OK)
    return rc;
  if (strcmp(e.status, "ended") == 0)
    return pd_admin_refuse(c, 409, "event_over",
                           "Event %" PRId64 " \"%s\" is over (<t:%lld:R>): its cards could never "
                           "be drawn.",
                           e.id, e.name, (long long)e.end);
  if (has_expiry && expires > e.end)
    return pd_admin_refuse(c, 400, "expires_after_end",
                           "\"expires\" (<t:%lld:f>) must not be after the event's end "
                           "(<t:%lld:f>): copies leave collections when the event ends.",
                           (long long)expires, (long long)e.end);
  if (has_expiry && expires <= (int64_t)time(NULL))
    return pd_admin_refuse(c, 400, "invalid_argument", "\"expires\" (<t:%lld:f>) is already past.",
                           (long long)expires);

  snprintf(artist_s, sizeof(artist_s), "%" PRId64, artist_id);
  const char *pa[1] = {artist_s};
  PGresult *r = NULL;
  if ((rc = pd_db_exec(c->db, "tc_artist", 1, pa, &r)) != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return pd_admin_refuse(c, 404, "artist_not_found", "There is no artist %" PRId64 ".",
                           artist_id);
  }
  pd_utf8_copy(artist, sizeof(artist), pd_db_val(r, 0, 0));
  PQclear(r);
  if ((rc = era_of(c, artist_s, artist, era_v, &era_id, era_name, sizeof(era_name))) != PD_OK ||
      (rc = picture_of(c, era_id, era_name, &image_id, &url)) != PD_OK)
    return rc;

  /* The same scheme as permanent cards, in one namespace with them. */
  struct pd_publicid prefix;
  struct taken_ctx t = {c->db, PD_OK};
  rc = pd_publicid_codes(artist, era_name, &prefix);
  if (rc == PD_OK)
    rc = pd_publicid_next(&prefix, taken_cb, &t, public_id);
  if (t.rc != PD_OK)
    return t.rc;
  if (rc == PD_E_CONFLICT)
    return pd_admin_refuse(c, 409, "no_public_id", "Every public id for %s is taken.", artist);
  if (rc != PD_OK)
    return rc;

  char ev_s[24], exp_s[24], img_s[24];
  snprintf(ev_s, sizeof(ev_s), "%" PRId64, event_id);
  snprintf(exp_s, sizeof(exp_s), "%" PRId64, expires);
  snprintf(img_s, sizeof(img_s), "%" PRId64, image_id);
  char era_s[24];
  snprintf(era_s, sizeof(era_s), "%" PRId64, era_id);
  const char *pi[8] = {public_id,
                       artist_s,
                       era_s,
                       pd_rarity_name(rarity),
                       ev_s,
                       has_expiry ? exp_s : NULL,
                       image_id > 0 ? img_s : NULL,
                       url};
  if ((rc = pd_db_exec(c->db, "tc_insert", 8, pi, &r)) != PD_OK)
    return rc;
  int64_t card_id = pd_db_int(r, 0, 0);
  PQclear(r);

  /* The render job draws it and sets image_url; until then players cannot see it.  It is not
   * tied to this interaction: the answer below stays as it is. */
  int64_t job = 0;
  json_t *params = json_pack("{s:[s]}", "cards", public_id);
  if (params == NULL)
    return PD_E_NOMEM;
  rc =
      pd_db_admin_job_insert(c->db, "render", params, c->who->actor, c->who->ref, NULL, NULL, &job);
  json_decref(params);
  if (rc != PD_OK)
    return rc;
  json_t *card = json_pack("{s:s, s:I, s:I, s:s, s:I, s:s, s:s, s:I, s:o, s:o, s:s?, s:b}", "card",
                           public_id, "id", (json_int_t)card_id, "artist_id", (json_int_t)artist_id,
                           "artist", artist, "era_id", (json_int_t)era_id, "era", era_name,
                           "rarity", pd_rarity_name(rarity), "event", (json_int_t)event_id,
                           "expires_at", has_expiry ? json_integer(expires) : json_null(),
                           "era_image", image_id > 0 ? json_integer(image_id) : json_null(),
                           "source_url", url, "rendered", false);
  if (card == NULL)
    return PD_E_NOMEM;
  snprintf(c->target, sizeof(c->target), "card %s", public_id);
  c->after = json_incref(card);
  c->status = 201;
  pd_admin_result(c,
                  "Temporary card %s (%s — %s, %s) added to event %" PRId64
                  " \"%s\"; it appears once rendered (job %" PRId64 ").",
                  public_id, artist, era_name, pd_rarity_name(rarity), event_id, e.name, job);
  json_object_set_new(c->result, "card", card);
  json_object_set_new(
      c->result, "job",
      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)job, "kind", "render", "state", "queued"));
  return PD_OK;
}
