/* render.c - draws PopDeck cards.  The art is cropped around its centre of interest first and
 * only then scaled (gdImageScale on the crop is several times cheaper than resampling the whole
 * source), so one card costs a few milliseconds. */
#include "render.h"

#include <math.h>
#include <png.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

struct pd_renderer {
  char bold[512];
  char regular[512];
};

/* Frame colours per rarity: outer, inner, badge text. */
static const struct {
  int outer, inner, accent;
  const char *label;
} look[PD_RARITY_COUNT] = {
    {0x9AA3AE, 0x5C6570, 0xFFFFFF, "COMMON"}, {0x3D8BFF, 0x1B4FA8, 0xFFFFFF, "RARE"},
    {0xB05CFF, 0x6A22B8, 0xFFFFFF, "EPIC"},   {0xFFC53D, 0xB8860B, 0x2B1A00, "LEGENDARY"},
    {0xFF4FD8, 0x38F2FF, 0x1A0030, "MYTHIC"},
};

enum pd_result pd_renderer_new(const char *assets_dir, struct pd_renderer **out, char *err,
                               size_t errlen)
{
  struct pd_renderer *r = calloc(1, sizeof(*r));
  if (r == NULL)
    return PD_E_NOMEM;
  snprintf(r->bold, sizeof(r->bold), "%s/fonts/DejaVuSans-Bold.ttf", assets_dir);
  snprintf(r->regular, sizeof(r->regular), "%s/fonts/DejaVuSans.ttf", assets_dir);
  if (access(r->bold, R_OK) != 0 || access(r->regular, R_OK) != 0) {
    snprintf(err, errlen,
             "ASSETS_DIR: fonts/DejaVuSans.ttf and fonts/DejaVuSans-Bold.ttf not found in \"%s\"",
             assets_dir);
    free(r);
    return PD_E_IO;
  }
  /* libgd's FreeType cache is shared and guarded by its own mutex once set up. */
  gdFontCacheSetup();
  *out = r;
  return PD_OK;
}

void pd_renderer_free(struct pd_renderer *r)
{
  free(r);
}

static int rgb(gdImagePtr im, int c, int alpha)
{
  return gdImageColorAllocateAlpha(im, (c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF, alpha);
}

static int blend(int a, int b, double t)
{
  int r = (int)(((a >> 16) & 0xFF) * (1 - t) + ((b >> 16) & 0xFF) * t);
  int g = (int)(((a >> 8) & 0xFF) * (1 - t) + ((b >> 8) & 0xFF) * t);
  int bl = (int)((a & 0xFF) * (1 - t) + (b & 0xFF) * t);
  return r << 16 | g << 8 | bl;
}

/* Text centred on cx, shrunk until it fits max_w (down to min), ellipsized below that. */
static void text_centered(gdImagePtr im, const char *font, double size, double min, int color,
                          int cx, int y, int max_w, const char *s)
{
  int br[8];
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "");
  for (;;) {
    if (gdImageStringFT(NULL, br, color, (char *)font, size, 0, 0, 0, buf) != NULL)
      return;
    if (br[2] - br[0] <= max_w)
      break;
    if (size > min) {
      size -= 1;
      continue;
    }
    /* Still too wide at the smallest size: drop whole UTF-8 characters and add an ellipsis. */
    size_t n = strlen(buf);
    if (n <= 4)
      break;
    size_t cut = n - 4;
    while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
      cut--;
    memcpy(buf + cut, "\xE2\x80\xA6", 4); /* U+2026 and the NUL */
  }
  gdImageStringFT(im, br, color, (char *)font, size, 0, cx - (br[2] - br[0]) / 2, y, buf);
}

/* The card's base: art cropped to the card's aspect around the focus (a row copy), then scaled
 * once; the scaled image becomes the card itself, so no full-size pixel copy is made. */
static enum pd_result art_base(gdImagePtr art, int fx, int fy, gdImagePtr *out)
{
  int sw = gdImageSX(art), sh = gdImageSY(art);
  int cw = sw, ch = (int)((long)sw * PD_CARD_H / PD_CARD_W);
  if (ch > sh) {
    ch = sh;
    cw = (int)((long)sh * PD_CARD_W / PD_CARD_H);
  }
  if (fx < 0)
    fx = sw / 2;
  if (fy < 0)
    fy = sh / 2;
  int x = fx - cw / 2, y = fy - ch / 2;
  x = x < 0 ? 0 : (x + cw > sw ? sw - cw : x);
  y = y < 0 ? 0 : (y + ch > sh ? sh - ch : y);
  gdRect box = {x, y, cw, ch};
  gdImagePtr crop = gdImageCrop(art, &box);
  if (crop == NULL)
    return PD_E_NOMEM;
  gdImageSetInterpolationMethod(crop, GD_BILINEAR_FIXED);
  gdImagePtr scaled = gdImageScale(crop, PD_CARD_W, PD_CARD_H);
  gdImageDestroy(crop);
  if (scaled == NULL)
    return PD_E_NOMEM;
  gdImageAlphaBlending(scaled, 1);
  gdImageSaveAlpha(scaled, 0);
  *out = scaled;
  return PD_OK;
}

static void frame(gdImagePtr im, enum pd_rarity rar)
{
  const int border = 22;
  for (int i = 0; i < border; i++) {
    double t = (double)i / border;
    int c;
    if (rar == PD_RARITY_MYTHIC) {
      /* A prismatic border: hue walks around the card. */
      c = blend(look[rar].outer, look[rar].inner, 0.5 + 0.5 * sin(t * 6.28));
    } else {
      c = blend(look[rar].outer, look[rar].inner, t);
    }
    gdImageRectangle(im, i, i, PD_CARD_W - 1 - i, PD_CARD_H - 1 - i, rgb(im, c, 0));
  }
  if (rar == PD_RARITY_MYTHIC) {
    const int stops[] = {0xFF4FD8, 0xFFC53D, 0x38F2FF, 0x7CFF6B, 0xFF4FD8};
    for (int x = 0; x < PD_CARD_W; x += 2) {
      double p = (double)x / PD_CARD_W * 4;
      int k = (int)p;
      int c = rgb(im, blend(stops[k], stops[k + 1], p - k), 0);
      gdImageFilledRectangle(im, x, 0, x + 1, 7, c);
      gdImageFilledRectangle(im, x, PD_CARD_H - 8, x + 1, PD_CARD_H - 1, c);
    }
  }
  /* A fine inner line and corner studs. */
  int line = rgb(im, 0xFFFFFF, rar >= PD_RARITY_EPIC ? 40 : 80);
  gdImageRectangle(im, border + 4, border + 4, PD_CARD_W - border - 5, PD_CARD_H - border - 5,
                   line);
  int stud = rgb(im, look[rar].outer, 0);
  const int cx[4] = {border + 4, PD_CARD_W - border - 5, border + 4, PD_CARD_W - border - 5};
  const int cy[4] = {border + 4, border + 4, PD_CARD_H - border - 5, PD_CARD_H - border - 5};
  for (int i = 0; i < 4; i++)
    gdImageFilledEllipse(im, cx[i], cy[i], 14, 14, stud);
}

static void info_panel(const struct pd_renderer *r, gdImagePtr im, const struct pd_card_spec *s)
{
  const int top = PD_CARD_H - 250;
  /* Fade the art into a dark panel so text stays readable on any picture.  Blended straight
   * into the truecolor rows: gdImageSetPixel per pixel costs several times more here. */
  for (int y = top; y < PD_CARD_H - 22; y++) {
    int k = (int)(236.0 * fmin(1.0, (double)(y - top) / 110.0)); /* darkness, 0..236 of 256 */
    int *row = im->tpixels[y];
    for (int x = 22; x < PD_CARD_W - 22; x++) {
      int c = row[x];
      int cr = (gdTrueColorGetRed(c) * (256 - k) + 12 * k) >> 8;
      int cg = (gdTrueColorGetGreen(c) * (256 - k) + 8 * k) >> 8;
      int cb = (gdTrueColorGetBlue(c) * (256 - k) + 24 * k) >> 8;
      row[x] = gdTrueColorAlpha(cr, cg, cb, 0);
    }
  }
  int white = rgb(im, 0xFFFFFF, 0);
  int soft = rgb(im, 0xE6E0FF, 20);
  int accent = rgb(im, look[s->rarity].outer, 0);
  text_centered(im, r->bold, 40, 22, white, PD_CARD_W / 2, PD_CARD_H - 140, PD_CARD_W - 90,
                s->artist);
  text_centered(im, r->regular, 24, 14, soft, PD_CARD_W / 2, PD_CARD_H - 98, PD_CARD_W - 110,
                s->era);
  gdImageFilledRectangle(im, PD_CARD_W / 2 - 60, PD_CARD_H - 82, PD_CARD_W / 2 + 60, PD_CARD_H - 80,
                         accent);
  char idline[64];
  if (s->print_no > 0)
    snprintf(idline, sizeof(idline), "%s  \xC2\xB7  #%u", s->public_id, s->print_no);
  else
    snprintf(idline, sizeof(idline), "%s", s->public_id);
  text_centered(im, r->bold, 19, 12, soft, PD_CARD_W / 2, PD_CARD_H - 48, PD_CARD_W - 110, idline);
}

static void badge(const struct pd_renderer *r, gdImagePtr im, enum pd_rarity rar)
{
  int br[8];
  const char *label = look[rar].label;
  gdImageStringFT(NULL, br, 0, (char *)r->bold, 17, 0, 0, 0, (char *)label);
  int w = br[2] - br[0] + 36, h = 40, x = PD_CARD_W - 40 - w, y = 40;
  int fill = rgb(im, look[rar].outer, 0);
  gdImageFilledRectangle(im, x + h / 2, y, x + w - h / 2, y + h, fill);
  gdImageFilledEllipse(im, x + h / 2, y + h / 2, h, h, fill);
  gdImageFilledEllipse(im, x + w - h / 2, y + h / 2, h, h, fill);
  gdImageStringFT(im, br, rgb(im, look[rar].accent, 0), (char *)r->bold, 17, 0, x + 18, y + 28,
                  (char *)label);
}

enum pd_result pd_render_card(const struct pd_renderer *r, const struct pd_card_spec *s,
                              gdImagePtr *out)
{
  if (s->rarity >= PD_RARITY_COUNT || s->artist == NULL || s->public_id == NULL)
    return PD_E_INVALID;
  gdImagePtr demo = NULL, im = NULL;
  enum pd_result rc = PD_OK;
  gdImagePtr art = s->art;
  if (art == NULL) {
    rc = pd_render_demo_art(s->artist, s->era != NULL ? s->era : "", 900, 1260, &demo);
    art = demo;
  }
  if (rc == PD_OK)
    rc = art_base(art, s->focus_x, s->focus_y, &im);
  if (rc == PD_OK) {
    info_panel(r, im, s);
    frame(im, s->rarity);
    badge(r, im, s->rarity);
    *out = im;
  }
  if (demo != NULL)
    gdImageDestroy(demo);
  return rc;
}

enum pd_result pd_render_back(const struct pd_renderer *r, gdImagePtr *out)
{
  gdImagePtr im = gdImageCreateTrueColor(PD_CARD_W, PD_CARD_H);
  if (im == NULL)
    return PD_E_NOMEM;
  for (int y = 0; y < PD_CARD_H; y++)
    gdImageLine(im, 0, y, PD_CARD_W - 1, y,
                rgb(im, blend(0x2A1B6E, 0x0B0820, (double)y / PD_CARD_H), 0));
  /* Diagonal lattice and concentric rings: a vinyl under a pattern. */
  int lattice = rgb(im, 0x7C5CFF, 100);
  for (int k = -PD_CARD_H; k < PD_CARD_W; k += 36) {
    gdImageLine(im, k, 0, k + PD_CARD_H, PD_CARD_H, lattice);
    gdImageLine(im, k + PD_CARD_H, 0, k, PD_CARD_H, lattice);
  }
  int cx = PD_CARD_W / 2, cy = PD_CARD_H / 2;
  gdImageFilledEllipse(im, cx, cy, 380, 380, rgb(im, 0x0B0820, 0));
  for (int d = 360; d > 130; d -= 16)
    gdImageEllipse(im, cx, cy, d, d, rgb(im, 0x7C5CFF, 70));
  gdImageFilledEllipse(im, cx, cy, 130, 130, rgb(im, 0x7C5CFF, 0));
  gdImageFilledEllipse(im, cx, cy, 16, 16, rgb(im, 0x0B0820, 0));
  text_centered(im, r->bold, 52, 30, rgb(im, 0xFFFFFF, 0), cx, 150, PD_CARD_W - 80, "PopDeck");
  text_centered(im, r->regular, 20, 12, rgb(im, 0xC9BDFF, 0), cx, PD_CARD_H - 110, PD_CARD_W - 80,
                "tap to flip");
  for (int i = 0; i < 22; i++)
    gdImageRectangle(im, i, i, PD_CARD_W - 1 - i, PD_CARD_H - 1 - i,
                     rgb(im, blend(0xC9BDFF, 0x4B3AA8, i / 22.0), 0));
  *out = im;
  return PD_OK;
}

enum pd_result pd_render_strip(gdImagePtr cards[], size_t n, int card_w, gdImagePtr *out)
{
  if (n < 1 || n > 5 || card_w < 60)
    return PD_E_INVALID;
  int card_h = card_w * PD_CARD_H / PD_CARD_W, gap = card_w / 16;
  int w = (int)n * card_w + ((int)n + 1) * gap, h = card_h + 2 * gap;
  gdImagePtr im = gdImageCreateTrueColor(w, h);
  if (im == NULL)
    return PD_E_NOMEM;
  gdImageFilledRectangle(im, 0, 0, w - 1, h - 1, rgb(im, 0x151022, 0));
  for (size_t i = 0; i < n; i++) {
    gdImageSetInterpolationMethod(cards[i], GD_BILINEAR_FIXED);
    gdImagePtr small = gdImageScale(cards[i], (unsigned)card_w, (unsigned)card_h);
    if (small == NULL) {
      gdImageDestroy(im);
      return PD_E_NOMEM;
    }
    gdImageCopy(im, small, gap + (int)i * (card_w + gap), gap, 0, 0, card_w, card_h);
    gdImageDestroy(small);
  }
  *out = im;
  return PD_OK;
}

/* libpng straight from the truecolor rows: libgd's writer leaves libpng's adaptive filter
 * search on, which costs more than the drawing; one fixed filter (SUB suits gradients and
 * photos) keeps the file within a few percent at a fraction of the time. */
struct png_out {
  struct pd_buf b;
  enum pd_result failed; /* PD_OK until an append fails */
};

/* Even stored uncompressed, a PNG is its filtered rows (a filter byte and three bytes a pixel)
 * plus a few bytes per deflate block and chunk; twice that plus 64 KiB cannot be reached by a
 * correct write, so a write past it is a bug to refuse, not memory to grow into. */
static size_t png_cap(int w, int h)
{
  return 2 * (size_t)h * ((size_t)w * 3 + 1) + 64 * 1024;
}

static void png_write(png_structp png, png_bytep data, png_size_t n)
{
  struct png_out *o = png_get_io_ptr(png);
  if (o->failed == PD_OK)
    o->failed = pd_buf_add(&o->b, data, n);
}

static void png_flush(png_structp png)
{
  (void)png;
}

enum pd_result pd_render_png(gdImagePtr im, int level, void **out, size_t *len)
{
  if (!gdImageTrueColor(im))
    return PD_E_INVALID;
  int w = gdImageSX(im), h = gdImageSY(im);
  struct png_out o = {.failed = PD_OK};
  pd_buf_init(&o.b, png_cap(w, h));
  unsigned char *row = malloc((size_t)w * 3);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
  enum pd_result rc = PD_E_NOMEM;
  if (row == NULL || info == NULL)
    goto out;
  if (setjmp(png_jmpbuf(png)))
    goto out;
  png_set_write_fn(png, &o, png_write, png_flush);
  png_set_compression_level(png, level);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info(png, info);
  for (int y = 0; y < h; y++) {
    const int *src = im->tpixels[y];
    for (int x = 0; x < w; x++) {
      row[3 * x] = (unsigned char)gdTrueColorGetRed(src[x]);
      row[3 * x + 1] = (unsigned char)gdTrueColorGetGreen(src[x]);
      row[3 * x + 2] = (unsigned char)gdTrueColorGetBlue(src[x]);
    }
    png_write_row(png, row);
  }
  png_write_end(png, NULL);
  rc = o.failed;
  if (rc == PD_OK)
    *out = pd_buf_take(&o.b, len);
out:
  png_destroy_write_struct(png != NULL ? &png : NULL, info != NULL ? &info : NULL);
  free(row);
  pd_buf_free(&o.b);
  return rc;
}

static int hue(double h, double s, double v)
{
  double c = v * s, x = c * (1 - fabs(fmod(h / 60.0, 2) - 1)), m = v - c, r = 0, g = 0, b = 0;
  if (h < 60) {
    r = c;
    g = x;
  } else if (h < 120) {
    r = x;
    g = c;
  } else if (h < 180) {
    g = c;
    b = x;
  } else if (h < 240) {
    g = x;
    b = c;
  } else if (h < 300) {
    r = x;
    b = c;
  } else {
    r = c;
    b = x;
  }
  return (int)((r + m) * 255) << 16 | (int)((g + m) * 255) << 8 | (int)((b + m) * 255);
}

enum pd_result pd_render_demo_art(const char *artist, const char *era, int w, int h,
                                  gdImagePtr *out)
{
  unsigned char seed[32];
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, sizeof(seed));
  crypto_generichash_update(&st, (const unsigned char *)artist, strlen(artist));
  crypto_generichash_update(&st, (const unsigned char *)"\0", 1);
  crypto_generichash_update(&st, (const unsigned char *)era, strlen(era));
  crypto_generichash_final(&st, seed, sizeof(seed));
  gdImagePtr im = gdImageCreateTrueColor(w, h);
  if (im == NULL)
    return PD_E_NOMEM;
  double h1 = seed[0] * 360.0 / 256, h2 = fmod(h1 + 40 + seed[1] % 140, 360);
  int c1 = hue(h1, 0.65, 0.85), c2 = hue(h2, 0.75, 0.30);
  for (int y = 0; y < h; y++)
    gdImageLine(im, 0, y, w - 1, y, rgb(im, blend(c1, c2, (double)y / h), 0));
  gdImageAlphaBlending(im, 1);
  /* Soft discs and bands placed by the seed: a poster-like composition per era. */
  for (int i = 0; i < 7; i++) {
    int x = seed[2 + i] * w / 256, y = seed[9 + i] * h / 256, d = w / 5 + seed[16 + i] * w / 512;
    gdImageFilledEllipse(im, x, y, d, d,
                         rgb(im, hue(fmod(h1 + i * 25, 360), 0.5, 1.0), 90 + i * 4));
  }
  int bands = 3 + seed[24] % 4;
  for (int i = 0; i < bands; i++) {
    int y = seed[25 + i] * h / 256;
    gdImageFilledRectangle(im, 0, y, w - 1, y + h / 60, rgb(im, 0xFFFFFF, 105));
  }
  /* A silhouette: head and shoulders, so the art reads as a portrait. */
  int sil = rgb(im, 0x0A0614, 62);
  gdImageFilledEllipse(im, w / 2, h * 2 / 5, w / 3, w * 2 / 5, sil);
  gdImageFilledEllipse(im, w / 2, h * 9 / 10, w * 9 / 10, h * 3 / 5, sil);
  *out = im;
  return PD_OK;
}
