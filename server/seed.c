/* seed.c - `popdeck seed demo [--limit N]`: the offline demo catalog (assets/catalog/demo.json)
 * into the database through the catalog writer, with generated artwork and one rendered card
 * per rarity per era.  Idempotent: a second run adds nothing.  `popdeck render PUBLIC_ID
 * FILE.png` renders one card. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"
#include "db_catalog.h"
#include "image_fetch.h"
#include "storage.h"

#define PNG_LEVEL 3

int pd_cli_seed(int argc, char **argv)
{
  struct pd_catalog s = {0};
  long limit = -1;
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
  char path[1024];
  json_error_t jerr;
  snprintf(path, sizeof(path), "%s/catalog/demo.json", s.cfg.assets_dir);
  json_t *cat = json_load_file(path, 0, &jerr);
  int rc = 1;
  if (!json_is_array(json_object_get(cat, "artists"))) {
    fprintf(stderr, "seed: %s: %s\n", path, cat == NULL ? jerr.text : "no \"artists\" array");
    goto out;
  }
  size_t i, n = json_array_size(json_object_get(cat, "artists"));
  json_t *a;
  json_array_foreach(json_object_get(cat, "artists"), i, a)
  {
    if (limit >= 0 && (long)i >= limit)
      break;
    int before = s.cards_rendered;
    if (pd_catalog_add_artist(&s, a) != PD_OK) {
      fprintf(stderr,
              "seed: %s failed (see the log line above); the artists before it are seeded\n",
              json_string_value(json_object_get(a, "name")));
      goto out;
    }
    printf("seed: [%zu/%zu] %s: %zu eras, %d cards rendered\n", i + 1, n,
           json_string_value(json_object_get(a, "name")),
           json_array_size(json_object_get(a, "eras")), s.cards_rendered - before);
    fflush(stdout);
  }
  printf("seed: %d artists and %d eras added, %d cards rendered into %s, %d already there\n",
         s.artists_added, s.eras_added, s.cards_rendered, s.cfg.cards_dir, s.cards_kept);
  rc = 0;
out:
  json_decref(cat);
  pd_catalog_close(&s);
  return rc;
}

/* Source art back from storage: CARDS_DIR/art locally, the bucket's URL for S3. */
static enum pd_result load_art(const struct pd_config *c, const char *name, gdImagePtr *art)
{
  char reason[200], dir[1024], url[1024];
  const char *type = NULL;
  void *data = NULL;
  size_t len = 0;
  enum pd_result rc;
  if (c->storage == PD_STORAGE_S3) {
    /* Our own bucket, wherever the operator put it (often a private address). */
    struct pd_image_limits own = pd_image_default_limits;
    own.own_storage = true;
    own.min_width = 1;
    pd_storage_card_url(c, name, url, sizeof(url));
    rc = pd_image_fetch(url, &own, art, &type, &len, reason, sizeof(reason));
  } else {
    snprintf(dir, sizeof(dir), "%s/art", c->cards_dir);
    rc = pd_storage_local_get(dir, name + 4, 32u << 20, &data, &len);
    if (rc == PD_OK)
      rc = pd_image_decode(data, len, 1, art, &type, reason, sizeof(reason));
    else
      snprintf(reason, sizeof(reason), "%s", pd_result_str(rc));
    free(data);
  }
  if (rc != PD_OK)
    fprintf(stderr, "render: the card's art %s cannot be read: %s\n", name, reason);
  return rc;
}

int pd_cli_render(int argc, char **argv)
{
  struct pd_catalog s = {0};
  struct pd_template_view t;
  enum pd_rarity rar;
  int rc = 1;
  if (argc != 3) {
    fprintf(stderr, "usage: popdeck render PUBLIC_ID FILE.png\n");
    return 2;
  }
  if (!pd_catalog_open(&s, PD_NEED_DB)) {
    pd_catalog_close(&s);
    return 2;
  }
  gdImagePtr im = NULL, art = NULL;
  void *png = NULL;
  size_t len = 0;
  enum pd_result r = pd_db_template_view(s.db, argv[1], &t);
  if (r == PD_E_NOTFOUND) {
    fprintf(stderr, "render: no card %s\n", argv[1]);
    goto out;
  }
  if (r != PD_OK || pd_rarity_parse(t.rarity, &rar) != PD_OK)
    goto out;
  /* Ingested art comes back from storage; generated art is drawn again. */
  if (t.art[0] != '\0' && load_art(&s.cfg, t.art, &art) != PD_OK)
    goto out;
  struct pd_card_spec spec = {t.artist, t.era, t.public_id, rar, 0, art, -1, -1};
  if (pd_render_card(s.renderer, &spec, &im) != PD_OK ||
      pd_render_png(im, PNG_LEVEL, &png, &len) != PD_OK)
    goto out;
  FILE *f = fopen(argv[2], "wb");
  if (f == NULL || fwrite(png, 1, len, f) != len) {
    fprintf(stderr, "render: cannot write %s\n", argv[2]);
    if (f != NULL)
      fclose(f);
    goto out;
  }
  fclose(f);
  printf("render: %s (%s, %s, %s) -> %s, %zu bytes\n", t.public_id, t.artist, t.era, t.rarity,
         argv[2], len);
  rc = 0;
out:
  free(png);
  if (im != NULL)
    gdImageDestroy(im);
  if (art != NULL)
    gdImageDestroy(art);
  pd_catalog_close(&s);
  return rc;
}
