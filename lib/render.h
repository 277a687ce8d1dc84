/* render.h - card images with libgd: a 600x840 front per rarity, the card back, strips of
 * cards for packs, and generated stand-in artwork for the offline demo catalog.  Same input,
 * same PNG bytes. */
#ifndef PD_RENDER_H
#define PD_RENDER_H

#include <gd.h>
#include <stddef.h>

#include "pd.h"
#include "rarity.h"

#define PD_CARD_W 600
#define PD_CARD_H 840

struct pd_renderer;

/* assets_dir holds fonts/DejaVuSans.ttf and fonts/DejaVuSans-Bold.ttf. */
enum pd_result pd_renderer_new(const char *assets_dir, struct pd_renderer **out, char *err,
                               size_t errlen);
void pd_renderer_free(struct pd_renderer *r);

struct pd_card_spec {
  const char *artist;
  const char *era;
  const char *public_id;
  enum pd_rarity rarity;
  unsigned print_no;    /* copy #N of its template; 0 = not shown */
  gdImagePtr art;       /* borrowed; NULL draws the demo art for artist and era */
  int focus_x, focus_y; /* centre of interest in art; -1 = the middle */
};

/* Safe to call from several threads at once with one renderer. */
enum pd_result pd_render_card(const struct pd_renderer *r, const struct pd_card_spec *spec,
                              gdImagePtr *out);
enum pd_result pd_render_back(const struct pd_renderer *r, gdImagePtr *out);
/* n (1..5) cards side by side, each scaled to card_w wide, with gaps: for pack messages. */
enum pd_result pd_render_strip(gdImagePtr cards[], size_t n, int card_w, gdImagePtr *out);
/* PNG bytes at zlib level (0-9), written with libpng; *png is freed with free(). */
enum pd_result pd_render_png(gdImagePtr im, int level, void **png, size_t *len);
/* Deterministic stand-in artwork, distinct per artist and era. */
enum pd_result pd_render_demo_art(const char *artist, const char *era, int w, int h,
                                  gdImagePtr *out);

#endif
