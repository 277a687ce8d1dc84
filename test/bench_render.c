/* bench_render.c - milliseconds per rendered card (600x840, PNG included) and per three-card
 * pack image, on one thread, at several zlib levels.  Targets: <= 25 ms a card, <= 60 ms a pack. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "render.h"

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
  int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 100;
  struct pd_renderer *r;
  char err[256];
  if (sodium_init() < 0 || n < 1 ||
      pd_renderer_new(getenv("ASSETS_DIR") ? getenv("ASSETS_DIR") : "assets", &r, err,
                      sizeof(err)) != PD_OK) {
    fprintf(stderr, "bench_render: %s\n", err);
    return 1;
  }
  gdImagePtr art = NULL;
  pd_render_demo_art("Taylor Swift", "1989", 1600, 1200, &art); /* a photo-sized source */
  double *ms = calloc((size_t)n, sizeof(double));
  const int levels[] = {1, 3, 6};
  printf("%-36s %9s %9s %9s\n", "render (1 thread, n=", "median ms", "p90 ms", "PNG bytes");
  for (size_t l = 0; l < 3; l++) {
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
      struct pd_card_spec s = {"Taylor Swift",  "1989", "TAYL_19#03", (enum pd_rarity)(i % 5),
                               (unsigned)i + 1, art,    -1,           -1};
      int64_t t0 = pd_now_us();
      gdImagePtr im;
      void *png;
      pd_render_card(r, &s, &im);
      pd_render_png(im, levels[l], &png, &bytes);
      ms[i] = (double)(pd_now_us() - t0) / 1000.0;
      free(png);
      gdImageDestroy(im);
    }
    qsort(ms, (size_t)n, sizeof(double), cmp);
    char label[64];
    snprintf(label, sizeof(label), "card 600x840 + PNG, zlib %d", levels[l]);
    printf("%-36s %9.2f %9.2f %9zu\n", label, ms[n / 2], ms[n * 9 / 10], bytes);
  }
  gdImagePtr three[3];
  for (int k = 0; k < 3; k++) {
    struct pd_card_spec s = {
        "Dua Lipa", "Future Nostalgia", "DUAL_FU#01", (enum pd_rarity)k, 0, art, -1, -1};
    pd_render_card(r, &s, &three[k]);
  }
  size_t bytes = 0;
  for (int i = 0; i < n; i++) {
    int64_t t0 = pd_now_us();
    gdImagePtr strip;
    void *png;
    pd_render_strip(three, 3, 400, &strip);
    pd_render_png(strip, 3, &png, &bytes);
    ms[i] = (double)(pd_now_us() - t0) / 1000.0;
    free(png);
    gdImageDestroy(strip);
  }
  qsort(ms, (size_t)n, sizeof(double), cmp);
  printf("%-36s %9.2f %9.2f %9zu\n", "pack of 3 (1300x610) + PNG, zlib 3", ms[n / 2],
         ms[n * 9 / 10], bytes);
  for (int k = 0; k < 3; k++)
    gdImageDestroy(three[k]);
  gdImageDestroy(art);
  free(ms);
  pd_renderer_free(r);
  return 0;
}
