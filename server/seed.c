/* seed.c - `popdeck seed demo [--limit N]`: the offline demo catalog (assets/catalog/demo.json)
 * into the database through the catalog writer, with generated artwork and one rendered card
 * per rarity per era (pd_seed_demo, which the reseed job runs too).  Idempotent: a second run
 * adds nothing.  `popdeck render` draws one card, or a strip of cards and backs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "ingest.h"
#include "cli.h"
#include "db_catalog.h"
#include "image_fetch.h"
#include "storage.h"

#define PNG_LEVEL 3

enum pd_result pd_seed_demo(struct pd_catalog *cat, long limit, const struct pd_ingest_report *rep,
                            char *err, size_t errlen)
{
  char path[1024], line[800];
  json_error_t jerr;
  snprintf(path, sizeof(path), "%s/catalog/demo.json", cat->cfg->assets_dir);
  json_t *doc = json_load_file(path, 0, &jerr);
  enum pd_result rc = PD_OK;
  if (!json_is_array(json_object_get(doc, "artists"))) {
    snprintf(err, errlen, "%s: %s", path, doc == NULL ? jerr.text : "no \"artists\" array");
    rc = PD_E_INVALID;
    goto out;
  }
  size_t i, n = json_array_size(json_object_get(doc, "artists"));
  json_t *a;
  json_array_foreach(json_object_get(doc, "artists"), i, a)
  {
    if (limit >= 0 && (long)i >= limit)
      break;
    int before = cat->cards_rendered;
    const char *name = json_string_value(json_object_get(a, "name"));
    if ((rc = pd_catalog_add_artist(cat, a)) != PD_OK) {
      snprintf(err, errlen, "%s failed (see the log line above); the artists before it are seeded",
               name);
      goto out;
    }
    snprintf(line, sizeof(line), "seed: [%zu/%zu] %s: %zu eras, %d cards rendered", i + 1, n, name,
             json_array_size(json_object_get(a, "eras")), cat->cards_rendered - before);
    rep->line(rep->arg, false, line);
    snprintf(line, sizeof(line), "%zu/%zu artists: %s", i + 1, n, name);
    if (rep->progress != NULL && !rep->progress(rep->arg, (int)i + 1, (int)n, line)) {
      snprintf(err, errlen, "stopped after %zu of %zu artists", i + 1, n);
      rc = PD_E_CONFLICT;
      goto out;
    }
  }
out:
  json_decref(doc);
  return rc;
}

static void print_line(void *arg, bool error, const char *text)
{
  FILE *f = error ? stderr : stdout;
  fprintf(f, "%s\n", text);
  fflush(f);
}

int pd_cli_seed(int argc, char **argv)
{
  struct pd_catalog s = {0};
  long limit = -1;
  char err[1200];
  if (argc == 4 && strcmp(argv[2], "--limit") == 0) {
    char *end = NULL;
    limit = strtol(argv[3], &end, 10);
    if (*end != '\0' || limit < 1)
      argc = 0;
  } else if (argc != 2) {
    argc = 0;
  }
  if (argc == 0 || strcmp(argv[1], "demo") != 0) {
    fprintf(stderr, "usage: popdeck seed demo [--limit N]\n");
    return 2;
  }
  if (!pd_catalog_open(&s, PD_NEED_DB)) {
    pd_catalog_close(&s);
    return 2;
  }
  const struct pd_ingest_report rep = {print_line, NULL, NULL};
  int rc = 1;
  if (pd_seed_demo(&s, limit, &rep, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "seed: %s\n", err);
    goto out;
  }
  printf("seed: %d artists and %d eras added, %d cards rendered into %s, %d already there\n",
         s.artists_added, s.eras_added, s.cards_rendered, s.cfg->cards_dir, s.cards_kept);
  rc = 0;
out:
  pd_catalog_close(&s);
  return rc;
}

/* One card of the catalog drawn as the card pipeline draws it, or the card back ("back"). */
static enum pd_result draw_one(struct pd_catalog *s, const char *id, gdImagePtr *im, char *what,
                               size_t whatlen)
{
  struct pd_template_view t;
  enum pd_rarity rar;
  gdImagePtr art = NULL;
  if (strcmp(id, "back") == 0) {
    snprintf(what, whatlen, "the card back");
    return pd_render_back(s->renderer, im);
  }
  enum pd_result r = pd_db_template_view(s->db, id, &t);
  if (r == PD_E_NOTFOUND)
    fprintf(stderr, "render: no card %s\n", id);
  if (r != PD_OK)
    return r;
  if ((r = pd_rarity_parse(t.rarity, &rar)) != PD_OK)
    return r;
  /* Ingested art comes back from storage; generated art is drawn again. */
  char reason[200];
  if (t.art[0] != '\0' &&
      (r = pd_catalog_load_art(s->cfg, t.art, &art, reason, sizeof(reason))) != PD_OK) {
    fprintf(stderr, "render: the card's art %s cannot be read: %s\n", t.art, reason);
    return r;
  }
  struct pd_card_spec spec = {t.artist, t.era, t.public_id, rar, 0, art, -1, -1};
  r = pd_render_card(s->renderer, &spec, im);
  if (art != NULL)
    gdImageDestroy(art);
  snprintf(what, whatlen, "%s (%s, %s, %s)", t.public_id, t.artist, t.era, t.rarity);
  return r;
}

static int render_usage(void)
{
  fprintf(stderr, "usage: popdeck render PUBLIC_ID FILE.png\n"
                  "       popdeck render --strip CARD_WIDTH FILE.png ITEM...  (1 to 5 items: a "
                  "card's PUBLIC_ID or back)\n");
  return 2;
}

/* `popdeck render PUBLIC_ID FILE.png`: one card at full size.  `--strip CARD_WIDTH FILE.png
 * ITEM...`: up to five cards (or backs) side by side, each CARD_WIDTH pixels wide, as a pack
 * message shows them (the README's pictures, scripts/readme-images.sh). */
int pd_cli_render(int argc, char **argv)
{
  struct pd_catalog s = {0};
  gdImagePtr ims[5] = {0}, out = NULL;
  const char *file, *const *items;
  size_t n;
  long width = 0;
  int rc = 1;
  char what[5][1200];
  if (argc >= 5 && strcmp(argv[1], "--strip") == 0) {
    char *end = NULL;
    width = strtol(argv[2], &end, 10);
    if (*end != '\0' || width < 60 || width > 2000 || argc - 4 > 5)
      return render_usage();
    file = argv[3];
    items = (const char *const *)argv + 4;
    n = (size_t)(argc - 4);
  } else if (argc == 3 && argv[1][0] != '-') {
    file = argv[2];
    items = (const char *const *)argv + 1;
    n = 1;
  } else {
    return render_usage();
  }
  if (!pd_catalog_open(&s, PD_NEED_DB)) {
    pd_catalog_close(&s);
    return 2;
  }
  void *png = NULL;
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    if (draw_one(&s, items[i], &ims[i], what[i], sizeof(what[i])) != PD_OK)
      goto out;
  if (width > 0 && pd_render_strip(ims, n, (int)width, &out) != PD_OK)
    goto out;
  if (pd_render_png(out != NULL ? out : ims[0], PNG_LEVEL, &png, &len) != PD_OK)
    goto out;
  FILE *f = fopen(file, "wb");
  if (f == NULL || fwrite(png, 1, len, f) != len) {
    fprintf(stderr, "render: cannot write %s\n", file);
    if (f != NULL)
      fclose(f);
    goto out;
  }
  if (fclose(f) != 0) {
    fprintf(stderr, "render: cannot write %s\n", file);
    goto out;
  }
  for (size_t i = 0; i < n; i++)
    printf("render: %s\n", what[i]);
  printf("render: -> %s, %zu bytes\n", file, len);
  rc = 0;
out:
  free(png);
  for (size_t i = 0; i < n; i++)
    if (ims[i] != NULL)
      gdImageDestroy(ims[i]);
  if (out != NULL)
    gdImageDestroy(out);
  pd_catalog_close(&s);
  return rc;
}
