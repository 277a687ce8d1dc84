/* missions.c - assets/missions.json (mission pools, rewards, achievements) and the choice of
 * each period's missions. */
#include "missions.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgerr.h"

#define MAX_N 100000
#define MAX_REWARD 1000000000LL
#define MAX_POOL 64
#define MAX_ACHIEVEMENTS 64

static const char *const MISSION_KINDS[PD_MK_COUNT] = {
    "open_packs", "draws", "market_sell", "market_buy", "trades", "era_complete", "login_streak"};
static const char *const ACHIEVEMENT_KINDS[PD_AK_COUNT] = {"mythic", "era_complete", "cards",
                                                           "trades", "login_streak"};

static enum pd_result integer(json_t *obj, const char *key, const char *path, int64_t lo,
                              int64_t hi, int64_t *out, const struct pd_cfgerr *e)
{
  json_t *v = json_object_get(obj, key);
  if (v == NULL)
    return pd_cfg_fail(e, "%s.%s: missing", path, key);
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
    return pd_cfg_fail(e, "%s.%s: must be a whole number from %lld to %lld", path, key,
                       (long long)lo, (long long)hi);
  *out = json_integer_value(v);
  return PD_OK;
}

/* An id or name: 1 to cap-1 bytes; ids also only [a-z0-9_] (they travel in custom_ids). */
static enum pd_result text(json_t *obj, const char *key, const char *path, bool id, char *out,
                           size_t cap, const struct pd_cfgerr *e)
{
  const char *s = json_string_value(json_object_get(obj, key));
  if (s == NULL)
    return pd_cfg_fail(e, "%s.%s: must be a string", path, key);
  if (s[0] == '\0' || strlen(s) >= cap)
    return pd_cfg_fail(e, "%s.%s: must be 1 to %zu bytes", path, key, cap - 1);
  for (const char *c = s; id && *c != '\0'; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
      return pd_cfg_fail(e, "%s.%s: only a-z, 0-9 and _ (got \"%s\")", path, key, s);
  snprintf(out, cap, "%s", s);
  return PD_OK;
}

static enum pd_result kind_of(json_t *obj, const char *path, const char *const *names, int count,
                              int *out, const struct pd_cfgerr *e)
{
  const char *s = json_string_value(json_object_get(obj, "kind"));
  for (int k = 0; s != NULL && k < count; k++)
    if (strcmp(s, names[k]) == 0) {
      *out = k;
      return PD_OK;
    }
  char list[256] = "";
  size_t used = 0;
  for (int k = 0; k < count && used < sizeof(list); k++) {
    int n = snprintf(list + used, sizeof(list) - used, "%s%s", k > 0 ? ", " : "", names[k]);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  return pd_cfg_fail(e, "%s.kind: must be one of %s", path, list);
}

/* {"currency": "notes"|"discs"|"gems", "amount": n}; optional (amount 0) when !required. */
static enum pd_result reward(json_t *obj, const char *path, bool required, struct pd_reward *out,
                             const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"currency", "amount", NULL};
  char p[160];
  json_t *r = json_object_get(obj, "reward");
  out->currency = PD_NOTES;
  out->amount = 0;
  snprintf(p, sizeof(p), "%s.reward", path);
  if (r == NULL)
    return required ? pd_cfg_fail(e, "%s: missing", p) : PD_OK;
  enum pd_result rc = pd_cfg_known_keys(r, p, keys, e);
  if (rc == PD_OK)
    rc = integer(r, "amount", p, 1, MAX_REWARD, &out->amount, e);
  if (rc != PD_OK)
    return rc;
  const char *c = json_string_value(json_object_get(r, "currency"));
  for (int k = PD_NOTES; c != NULL && k <= PD_GEMS; k++)
    if (strcmp(c, pd_currency_name((enum pd_currency)k)) == 0) {
      out->currency = (enum pd_currency)k;
      return PD_OK;
    }
  return pd_cfg_fail(e, "%s.currency: must be one of notes, discs, gems", p);
}

static enum pd_result read_pool(json_t *root, const char *key, struct pd_missions *m, int period,
                                const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"id", "kind", "n", "reward", NULL};
  json_t *arr = json_object_get(root, key);
  if (!json_is_array(arr) || json_array_size(arr) < PD_MISSIONS_PER_PERIOD ||
      json_array_size(arr) > MAX_POOL)
    return pd_cfg_fail(e, "%s: must be an array of %d to %d missions", key, PD_MISSIONS_PER_PERIOD,
                       MAX_POOL);
  size_t n = json_array_size(arr);
  m->pool[period] = calloc(n, sizeof(*m->pool[period]));
  if (m->pool[period] == NULL)
    return PD_E_NOMEM;
  m->npool[period] = n;
  for (size_t i = 0; i < n; i++) {
    struct pd_mission *ms = &m->pool[period][i];
    json_t *o = json_array_get(arr, i);
    char p[64];
    int kind = 0;
    snprintf(p, sizeof(p), "%s[%zu]", key, i);
    enum pd_result rc = pd_cfg_known_keys(o, p, keys, e);
    if (rc == PD_OK)
      rc = text(o, "id", p, true, ms->id, sizeof(ms->id), e);
    if (rc == PD_OK)
      rc = kind_of(o, p, MISSION_KINDS, PD_MK_COUNT, &kind, e);
    if (rc == PD_OK)
      rc = integer(o, "n", p, 1, MAX_N, &ms->n, e);
    if (rc == PD_OK)
      rc = reward(o, p, true, &ms->reward, e);
    if (rc != PD_OK)
      return rc;
    ms->kind = (enum pd_mission_kind)kind;
    for (size_t j = 0; j < i; j++)
      if (strcmp(m->pool[period][j].id, ms->id) == 0)
        return pd_cfg_fail(e, "%s.id: \"%s\" is also %s[%zu]", p, ms->id, key, j);
  }
  return PD_OK;
}

static enum pd_result read_achievements(json_t *root, struct pd_missions *m,
                                        const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"id", "name", "kind", "n", "reward", NULL};
  json_t *arr = json_object_get(root, "achievements");
  if (!json_is_array(arr) || json_array_size(arr) > MAX_ACHIEVEMENTS)
    return pd_cfg_fail(e, "achievements: must be an array of at most %d", MAX_ACHIEVEMENTS);
  size_t n = json_array_size(arr);
  m->achievements = calloc(n > 0 ? n : 1, sizeof(*m->achievements));
  if (m->achievements == NULL)
    return PD_E_NOMEM;
  m->nachievements = n;
  for (size_t i = 0; i < n; i++) {
    struct pd_achievement *a = &m->achievements[i];
    json_t *o = json_array_get(arr, i);
    char p[64];
    int kind = 0;
    snprintf(p, sizeof(p), "achievements[%zu]", i);
    enum pd_result rc = pd_cfg_known_keys(o, p, keys, e);
    if (rc == PD_OK)
      rc = text(o, "id", p, true, a->id, sizeof(a->id), e);
    if (rc == PD_OK)
      rc = text(o, "name", p, false, a->name, sizeof(a->name), e);
    if (rc == PD_OK)
      rc = kind_of(o, p, ACHIEVEMENT_KINDS, PD_AK_COUNT, &kind, e);
    if (rc == PD_OK)
      rc = integer(o, "n", p, 1, MAX_N, &a->n, e);
    if (rc == PD_OK)
      rc = reward(o, p, false, &a->reward, e);
    if (rc != PD_OK)
      return rc;
    a->kind = (enum pd_achievement_kind)kind;
    for (size_t j = 0; j < i; j++)
      if (strcmp(m->achievements[j].id, a->id) == 0)
        return pd_cfg_fail(e, "%s.id: \"%s\" is also achievements[%zu]", p, a->id, j);
  }
  return PD_OK;
}

static enum pd_result finish(json_t *root, const json_error_t *jerr, struct pd_missions **out,
                             const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"daily", "weekly", "achievements", NULL};
  if (root == NULL) {
    if (json_error_code(jerr) == json_error_cannot_open_file) {
      pd_cfg_fail(e, "%s", jerr->text);
      return PD_E_IO;
    }
    return pd_cfg_fail(e, "line %d, column %d: %s", jerr->line, jerr->column, jerr->text);
  }
  struct pd_missions *m = calloc(1, sizeof(*m));
  enum pd_result rc = m != NULL ? pd_cfg_known_keys(root, "", keys, e) : PD_E_NOMEM;
  if (rc == PD_OK)
    rc = read_pool(root, "daily", m, PD_PERIOD_DAY, e);
  if (rc == PD_OK)
    rc = read_pool(root, "weekly", m, PD_PERIOD_WEEK, e);
  if (rc == PD_OK)
    rc = read_achievements(root, m, e);
  json_decref(root);
  if (rc != PD_OK) {
    pd_missions_free(m);
    return rc;
  }
  *out = m;
  return PD_OK;
}

enum pd_result pd_missions_load(const char *path, struct pd_missions **out, char *err,
                                size_t errlen)
{
  struct pd_cfgerr e = {err, errlen, path};
  json_error_t jerr;
  return finish(json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), &jerr, out, &e);
}

enum pd_result pd_missions_parse(const char *json, struct pd_missions **out, char *err,
                                 size_t errlen)
{
  struct pd_cfgerr e = {err, errlen, NULL};
  json_error_t jerr;
  return finish(json_loads(json, JSON_REJECT_DUPLICATES, &jerr), &jerr, out, &e);
}

void pd_missions_free(struct pd_missions *m)
{
  if (m == NULL)
    return;
  free(m->pool[0]);
  free(m->pool[1]);
  free(m->achievements);
  free(m);
}

static uint64_t splitmix64(uint64_t *s)
{
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void pd_missions_pick(const struct pd_missions *m, enum pd_mission_period period,
                      int64_t period_start, size_t out[PD_MISSIONS_PER_PERIOD])
{
  size_t n = m->npool[period], idx[MAX_POOL];
  /* The period is part of the seed, so a Monday's daily and weekly choices differ. */
  uint64_t s = (uint64_t)period_start * 2 + (uint64_t)period;
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  for (size_t i = 0; i < PD_MISSIONS_PER_PERIOD && i < n; i++) {
    /* The modulo's bias is below n / 2^64: no player could ever see it. */
    size_t j = i + (size_t)(splitmix64(&s) % (uint64_t)(n - i));
    size_t t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
    out[i] = idx[i];
  }
}

const struct pd_mission *pd_missions_chosen(const struct pd_missions *m,
                                            enum pd_mission_period period, int64_t period_start,
                                            const char *id)
{
  size_t pick[PD_MISSIONS_PER_PERIOD];
  pd_missions_pick(m, period, period_start, pick);
  for (size_t i = 0; i < PD_MISSIONS_PER_PERIOD; i++)
    if (strcmp(m->pool[period][pick[i]].id, id) == 0)
      return &m->pool[period][pick[i]];
  return NULL;
}

const char *pd_mission_kind_name(enum pd_mission_kind k)
{
  return k >= 0 && k < PD_MK_COUNT ? MISSION_KINDS[k] : "";
}

void pd_mission_title(const struct pd_mission *m, char *out, size_t len)
{
  long long n = (long long)m->n;
  const char *s = n == 1 ? "" : "s";
  switch (m->kind) {
  case PD_MK_OPEN_PACKS:
    snprintf(out, len, "Open %lld pack%s", n, s);
    break;
  case PD_MK_DRAWS:
    snprintf(out, len, "Draw %lld time%s", n, s);
    break;
  case PD_MK_MARKET_SELL:
    snprintf(out, len, "Sell %lld card%s on the market", n, s);
    break;
  case PD_MK_MARKET_BUY:
    snprintf(out, len, "Buy %lld card%s on the market", n, s);
    break;
  case PD_MK_TRADES:
    snprintf(out, len, "Complete %lld trade%s", n, s);
    break;
  case PD_MK_ERA_COMPLETE:
    snprintf(out, len, "Complete %lld era%s (own every rarity of it)", n, s);
    break;
  default:
    snprintf(out, len, "Play %lld day%s running", n, s);
    break;
  }
}
