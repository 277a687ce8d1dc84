/* test_phash.c - pHash on synthetic libgd images: near copies match, different pictures do not. */
#define PD_UNITTEST 1 /* see phash_dct8 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gd.h>
#include <gdfontg.h>
#include <gdfonts.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "phash.h"

/* splitmix64: a fixed seed gives the same images on every run and every machine. */
static uint64_t next_rand(uint64_t *state)
{
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static int rand_below(uint64_t *state, int n)
{
  return (int)(next_rand(state) % (uint64_t)n);
}

static gdImagePtr new_image(int w, int h)
{
  gdImagePtr im = gdImageCreateTrueColor(w, h);
  assert_non_null(im);
  return im;
}

/* ---- generators: each draws one picture, 256x256 unless it says otherwise ---- */

/* Colour ramps lit from an off-centre point, like light falling across a photo.  A ramp in
 * one direction only, or a mirror-symmetric picture, leaves many DCT terms at zero: see
 * phash.h for why such pictures hash unreliably. */
static gdImagePtr gen_ramp(int w, int h, bool horizontal, double cx, double cy)
{
  gdImagePtr im = new_image(w, h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int t = horizontal ? x * 255 / (w - 1) : y * 255 / (h - 1);
      double dx = (x - cx) / w, dy = (y - cy) / h;
      double k = 1.0 - 0.6 * sqrt(dx * dx + dy * dy);
      gdImageSetPixel(im, x, y,
                      gdTrueColor((int)(t * k), (int)((64 + t / 4) * k), (int)((255 - t) * k)));
    }
  return im;
}

static gdImagePtr gen_gradient_h(void)
{
  return gen_ramp(256, 256, true, 60, 80);
}

static gdImagePtr gen_gradient_v(void)
{
  return gen_ramp(256, 256, false, 190, 170);
}

/* A radial sunset: bright near the top-right corner, fading to dusk. */
static gdImagePtr gen_gradient_radial(void)
{
  gdImagePtr im = new_image(320, 240);
  for (int y = 0; y < 240; y++)
    for (int x = 0; x < 320; x++) {
      double d = sqrt((x - 250.0) * (x - 250.0) + (y - 40.0) * (y - 40.0)) / 400.0;
      int t = (int)(255 * (d > 1 ? 1 : d));
      gdImageSetPixel(im, x, y, gdTrueColor(255 - t, 200 - t * 3 / 4, 60 + t / 2));
    }
  return im;
}

static gdImagePtr gen_circle_left(void)
{
  gdImagePtr im = new_image(256, 256);
  gdImageFilledRectangle(im, 0, 0, 255, 255, gdTrueColor(230, 230, 220));
  gdImageFilledEllipse(im, 70, 128, 110, 110, gdTrueColor(30, 30, 120));
  return im;
}

static gdImagePtr gen_circle_right(void)
{
  gdImagePtr im = new_image(256, 256);
  gdImageFilledRectangle(im, 0, 0, 255, 255, gdTrueColor(230, 230, 220));
  gdImageFilledEllipse(im, 186, 128, 110, 110, gdTrueColor(30, 30, 120));
  return im;
}

static gdImagePtr gen_bars(void)
{
  gdImagePtr im = new_image(256, 256);
  gdImageFilledRectangle(im, 0, 0, 255, 255, gdTrueColor(20, 20, 20));
  for (int i = 0; i < 4; i++)
    gdImageFilledRectangle(im, 16 + 64 * i, 40 + 20 * i, 40 + 64 * i, 230,
                           gdTrueColor(240, 200, 40));
  return im;
}

/* A poster: a head and shoulders left of centre over a gradient, like a promo shot. */
static gdImagePtr gen_portrait(void)
{
  gdImagePtr im = new_image(240, 320);
  for (int y = 0; y < 320; y++)
    gdImageLine(im, 0, y, 239, y, gdTrueColor(40 + y / 3, 20, 90 + y / 4));
  gdImageFilledEllipse(im, 85, 110, 90, 110, gdTrueColor(225, 180, 150));
  gdImageFilledRectangle(im, 20, 190, 160, 319, gdTrueColor(15, 15, 15));
  return im;
}

/* Lines of "words": dark blocks on paper, plus a big title in libgd's giant font. */
static gdImagePtr gen_text(void)
{
  gdImagePtr im = new_image(256, 256);
  gdImageFilledRectangle(im, 0, 0, 255, 255, gdTrueColor(250, 248, 240));
  gdImagePtr title = new_image(9 * 7, 15);
  gdImageFilledRectangle(title, 0, 0, 62, 14, gdTrueColor(250, 248, 240));
  gdImageString(title, gdFontGetGiant(), 0, 0, (unsigned char *)"POPDECK", gdTrueColor(0, 0, 0));
  gdImageCopyResized(im, title, 16, 10, 0, 0, 224, 60, 63, 15);
  gdImageDestroy(title);
  uint64_t seed = 7;
  for (int line = 0; line < 8; line++) {
    int y = 90 + line * 20, x = 16;
    while (x < 230) {
      int w = 12 + rand_below(&seed, 40);
      if (x + w > 240)
        w = 240 - x;
      gdImageFilledRectangle(im, x, y, x + w, y + 9, gdTrueColor(40, 40, 40));
      x += w + 8;
    }
  }
  return im;
}

/* Value noise: a random 6x6 grid of colours, bilinearly blended. */
static gdImagePtr gen_value_noise_seeded(uint64_t seed)
{
  int grid[7][7][3];
  for (int j = 0; j < 7; j++)
    for (int i = 0; i < 7; i++)
      for (int k = 0; k < 3; k++)
        grid[j][i][k] = rand_below(&seed, 256);
  gdImagePtr im = new_image(288, 288);
  for (int y = 0; y < 288; y++)
    for (int x = 0; x < 288; x++) {
      double fx = x / 48.0, fy = y / 48.0;
      int i = (int)fx, j = (int)fy;
      double tx = fx - i, ty = fy - j;
      int c[3];
      for (int k = 0; k < 3; k++) {
        double top = grid[j][i][k] * (1 - tx) + grid[j][i + 1][k] * tx;
        double bottom = grid[j + 1][i][k] * (1 - tx) + grid[j + 1][i + 1][k] * tx;
        c[k] = (int)(top * (1 - ty) + bottom * ty);
      }
      gdImageSetPixel(im, x, y, gdTrueColor(c[0], c[1], c[2]));
    }
  return im;
}

static gdImagePtr gen_value_noise(void)
{
  return gen_value_noise_seeded(42);
}

/* Blocky noise: 16x16 cells of random grey, each 16 pixels wide. */
static gdImagePtr gen_cell_noise(void)
{
  uint64_t seed = 1234;
  gdImagePtr im = new_image(256, 256);
  for (int j = 0; j < 16; j++)
    for (int i = 0; i < 16; i++) {
      int g = rand_below(&seed, 256);
      gdImageFilledRectangle(im, i * 16, j * 16, i * 16 + 15, j * 16 + 15, gdTrueColor(g, g, g));
    }
  return im;
}

/* Adds film grain: every pixel +-amount at random.  The shrink must average grain away
 * rather than pick single pixels. */
static void add_grain(gdImagePtr im, int amount, uint64_t seed)
{
  for (int y = 0; y < gdImageSY(im); y++)
    for (int x = 0; x < gdImageSX(im); x++) {
      int c = gdImageTrueColorPixel(im, x, y), d = rand_below(&seed, 2 * amount + 1) - amount;
      int rgb[3] = {gdTrueColorGetRed(c) + d, gdTrueColorGetGreen(c) + d,
                    gdTrueColorGetBlue(c) + d};
      for (int k = 0; k < 3; k++)
        rgb[k] = rgb[k] < 0 ? 0 : rgb[k] > 255 ? 255 : rgb[k];
      gdImageSetPixel(im, x, y, gdTrueColor(rgb[0], rgb[1], rgb[2]));
    }
}

static gdImagePtr gen_grainy_portrait(void)
{
  gdImagePtr im = gen_portrait();
  add_grain(im, 60, 4242);
  return im;
}

/* A random layout of rectangles and ellipses on a random background. */
static gdImagePtr gen_random_layout(uint64_t seed)
{
  gdImagePtr im = new_image(256, 256);
  gdImageFilledRectangle(
      im, 0, 0, 255, 255,
      gdTrueColor(rand_below(&seed, 256), rand_below(&seed, 256), rand_below(&seed, 256)));
  int shapes = 3 + rand_below(&seed, 5);
  for (int i = 0; i < shapes; i++) {
    int color = gdTrueColor(rand_below(&seed, 256), rand_below(&seed, 256), rand_below(&seed, 256));
    int x = rand_below(&seed, 256), y = rand_below(&seed, 256);
    int w = 30 + rand_below(&seed, 140), h = 30 + rand_below(&seed, 140);
    if (rand_below(&seed, 2) == 0)
      gdImageFilledRectangle(im, x - w / 2, y - h / 2, x + w / 2, y + h / 2, color);
    else
      gdImageFilledEllipse(im, x, y, w, h, color);
  }
  return im;
}

/* ---- transforms: each returns a new image and leaves its input alone ---- */

static gdImagePtr copy_image(gdImagePtr im)
{
  gdImagePtr c = gdImageClone(im);
  assert_non_null(c);
  return c;
}

static gdImagePtr tf_half(gdImagePtr im)
{
  gdImagePtr r = gdImageScale(im, (unsigned)gdImageSX(im) / 2, (unsigned)gdImageSY(im) / 2);
  assert_non_null(r);
  return r;
}

static gdImagePtr tf_enlarge(gdImagePtr im)
{
  gdImagePtr r = gdImageScale(im, (unsigned)gdImageSX(im) * 8 / 5, (unsigned)gdImageSY(im) * 8 / 5);
  assert_non_null(r);
  return r;
}

static gdImagePtr tf_squash(gdImagePtr im)
{
  gdImagePtr r = gdImageScale(im, 200, 150);
  assert_non_null(r);
  return r;
}

static gdImagePtr tf_brighten(gdImagePtr im)
{
  gdImagePtr c = copy_image(im);
  assert_int_equal(gdImageBrightness(c, 20), 1);
  return c;
}

static gdImagePtr tf_grain(gdImagePtr im)
{
  gdImagePtr c = copy_image(im);
  add_grain(c, 25, 99);
  return c;
}

static gdImagePtr jpeg_roundtrip(gdImagePtr im, int quality)
{
  int size = 0;
  void *data = gdImageJpegPtr(im, &size, quality);
  assert_non_null(data);
  assert_true(size > 0);
  gdImagePtr r = gdImageCreateFromJpegPtr(size, data);
  gdFree(data);
  assert_non_null(r);
  return r;
}

static gdImagePtr tf_jpeg75(gdImagePtr im)
{
  return jpeg_roundtrip(im, 75);
}

static gdImagePtr tf_jpeg40(gdImagePtr im)
{
  return jpeg_roundtrip(im, 40);
}

/* A photographer's mark in the bottom-right corner: "(c) popdeck" in libgd's small font
 * (66x13 pixels, about 1% of a 256x256 picture) over a 25%-opaque white strip. */
static gdImagePtr tf_watermark(gdImagePtr im)
{
  gdImagePtr c = copy_image(im);
  int w = gdImageSX(c), h = gdImageSY(c);
  gdImageAlphaBlending(c, 1);
  gdImageFilledRectangle(c, w - 74, h - 19, w - 3, h - 3, gdTrueColorAlpha(255, 255, 255, 96));
  gdImageString(c, gdFontGetSmall(), w - 70, h - 17, (unsigned char *)"(c) popdeck",
                gdTrueColorAlpha(255, 255, 255, 32));
  return c;
}

static uint64_t hash_of(gdImagePtr im)
{
  uint64_t h = 0;
  assert_int_equal(pd_phash_image(im, &h), PD_OK);
  return h;
}

/* smooth: a picture with almost no detail (a plain gradient).  Its AC terms are small, so
 * edits that add a little to every low-frequency term (a watermark in a corner, film grain)
 * move it 16-30 bits: for smooth pictures only the other edits are promised to stay near. */
struct generator {
  const char *name;
  gdImagePtr (*make)(void);
  bool smooth;
};

static const struct generator generators[] = {
    {"gradient_h", gen_gradient_h, true},
    {"gradient_v", gen_gradient_v, true},
    {"gradient_radial", gen_gradient_radial, true},
    {"circle_left", gen_circle_left, false},
    {"circle_right", gen_circle_right, false},
    {"bars", gen_bars, false},
    {"portrait", gen_portrait, false},
    {"text", gen_text, false},
    {"grainy_portrait", gen_grainy_portrait, false},
    {"value_noise", gen_value_noise, false},
    {"cell_noise", gen_cell_noise, false},
};

struct transform {
  const char *name;
  gdImagePtr (*apply)(gdImagePtr);
  bool hard_on_smooth; /* see generator.smooth */
};

static const struct transform near_copies[] = {
    {"half size", tf_half, false},
    {"enlarged 1.6x", tf_enlarge, false},
    {"squashed to 200x150", tf_squash, false},
    {"brightened +20", tf_brighten, false},
    {"grain +-25", tf_grain, true},
    {"jpeg q75", tf_jpeg75, false},
    {"jpeg q40", tf_jpeg40, false},
    {"watermarked", tf_watermark, true},
};

static void test_near_copies_are_duplicates(void **state)
{
  (void)state;
  int worst = 0, failures = 0;
  for (size_t g = 0; g < PD_ARRAY_LEN(generators); g++) {
    gdImagePtr im = generators[g].make();
    uint64_t h = hash_of(im);
    /* A hash that is nearly all one bit value would make "near" meaningless. */
    assert_in_range(pd_phash_distance(h, 0), 20, 44);
    char line[256];
    int len = snprintf(line, sizeof(line), "%-14s", generators[g].name);
    for (size_t t = 0; t < PD_ARRAY_LEN(near_copies); t++) {
      gdImagePtr other = near_copies[t].apply(im);
      int d = pd_phash_distance(h, hash_of(other));
      bool promised = !(generators[g].smooth && near_copies[t].hard_on_smooth);
      if (promised && d > worst)
        worst = d;
      if (promised && !pd_phash_is_duplicate(h, hash_of(other))) {
        print_error("%s %s: distance %d > %d\n", generators[g].name, near_copies[t].name, d,
                    PD_PHASH_DUP_MAX_DISTANCE);
        failures++;
      }
      if (len > 0 && (size_t)len < sizeof(line))
        len += snprintf(line + len, sizeof(line) - (size_t)len, promised ? " %2d" : " (%d)", d);
      gdImageDestroy(other);
    }
    print_message("%s\n", line);
    gdImageDestroy(im);
  }
  print_message("worst near-copy distance: %d\n", worst);
  assert_int_equal(failures, 0);
}

/* Pairs a person would call different pictures. */
static const struct {
  const char *a, *b;
} different_pairs[] = {
    {"gradient_h", "gradient_v"},
    {"gradient_h", "gradient_radial"},
    {"circle_left", "circle_right"},
    {"circle_left", "bars"},
    {"bars", "text"},
    {"portrait", "text"},
    {"portrait", "circle_left"},
    {"value_noise", "cell_noise"},
    {"text", "cell_noise"},
    {"gradient_v", "portrait"},
    {"bars", "gradient_h"},
};

static gdImagePtr make_named(const char *name)
{
  for (size_t g = 0; g < PD_ARRAY_LEN(generators); g++)
    if (strcmp(generators[g].name, name) == 0)
      return generators[g].make();
  fail_msg("no generator %s", name);
  return NULL;
}

static void test_different_pictures_are_not_duplicates(void **state)
{
  (void)state;
  for (size_t i = 0; i < PD_ARRAY_LEN(different_pairs); i++) {
    gdImagePtr a = make_named(different_pairs[i].a), b = make_named(different_pairs[i].b);
    int d = pd_phash_distance(hash_of(a), hash_of(b));
    if (d <= PD_PHASH_DUP_MAX_DISTANCE)
      fail_msg("%s vs %s: distance %d", different_pairs[i].a, different_pairs[i].b, d);
    gdImageDestroy(a);
    gdImageDestroy(b);
  }
}

/* 200 random layouts of flat rectangles and ellipses: 19,900 pairs.  Simple flat layouts are
 * the hard case (two pictures with a dark mass in the same place look alike at 32x32), so
 * the check is a false-match rate, not zero: at most 1 pair in 1000 within the threshold. */
#define RANDOM_IMAGES 200

static void test_random_layouts_are_not_duplicates(void **state)
{
  (void)state;
  static uint64_t hashes[RANDOM_IMAGES];
  for (int i = 0; i < RANDOM_IMAGES; i++) {
    gdImagePtr im = gen_random_layout(UINT64_C(1000) + (uint64_t)i);
    hashes[i] = hash_of(im);
    gdImageDestroy(im);
  }
  int closest = 64;
  long total = 0, pairs = 0, matches = 0;
  for (int i = 0; i < RANDOM_IMAGES; i++)
    for (int j = i + 1; j < RANDOM_IMAGES; j++) {
      int d = pd_phash_distance(hashes[i], hashes[j]);
      if (d < closest)
        closest = d;
      total += d;
      pairs++;
      if (pd_phash_is_duplicate(hashes[i], hashes[j])) {
        print_message("random layouts %d and %d: distance %d\n", i, j, d);
        matches++;
      }
    }
  double mean = (double)total / (double)pairs;
  print_message("%ld random pairs: %ld within %d, closest %d, mean %.1f\n", pairs, matches,
                PD_PHASH_DUP_MAX_DISTANCE, closest, mean);
  assert_true(matches * 1000 <= pairs);
  /* Unrelated hashes sit near half of the 63 free bits apart. */
  assert_true(mean > 28.0 && mean < 36.0);
}

/* A different random seed gives another picture; the same seed gives the same hash. */
static void test_value_noise_seeds(void **state)
{
  (void)state;
  gdImagePtr a = gen_value_noise_seeded(1), b = gen_value_noise_seeded(1);
  gdImagePtr c = gen_value_noise_seeded(2);
  assert_int_equal(pd_phash_distance(hash_of(a), hash_of(b)), 0);
  assert_false(pd_phash_is_duplicate(hash_of(a), hash_of(c)));
  gdImageDestroy(a);
  gdImageDestroy(b);
  gdImageDestroy(c);
}

/* The same drawing on a palette image and a truecolor image hashes (almost) the same. */
static void test_palette_image(void **state)
{
  (void)state;
  gdImagePtr pal = gdImageCreate(256, 256);
  gdImagePtr tc = new_image(256, 256);
  assert_non_null(pal);
  gdImagePtr both[2] = {pal, tc};
  for (int i = 0; i < 2; i++) {
    gdImagePtr im = both[i];
    int bg = gdImageColorAllocate(im, 230, 230, 220);
    int fg = gdImageColorAllocate(im, 30, 30, 120);
    int red = gdImageColorAllocate(im, 200, 30, 30);
    gdImageFilledRectangle(im, 0, 0, 255, 255, bg);
    gdImageFilledEllipse(im, 70, 128, 110, 110, fg);
    gdImageFilledRectangle(im, 150, 20, 240, 100, red);
  }
  assert_false(gdImageTrueColor(pal));
  int d = pd_phash_distance(hash_of(pal), hash_of(tc));
  assert_true(d <= 2);
  gdImageDestroy(pal);
  gdImageDestroy(tc);
}

static void test_flat_and_bad_images(void **state)
{
  (void)state;
  uint64_t h = 42;
  gdImagePtr black = new_image(64, 48);
  assert_int_equal(pd_phash_image(black, &h), PD_OK);
  assert_true(h == 0);

  gdImagePtr grey = new_image(64, 48);
  gdImageFilledRectangle(grey, 0, 0, 63, 47, gdTrueColor(128, 128, 128));
  assert_int_equal(pd_phash_image(grey, &h), PD_OK);
  assert_true(h == UINT64_C(0x8000000000000000)); /* DC only: no rounding noise in the bits */

  gdImagePtr dot = new_image(1, 1);
  assert_int_equal(pd_phash_image(dot, &h), PD_OK);

  /* A transparent image counts as white. */
  gdImagePtr clear = new_image(40, 40);
  gdImageAlphaBlending(clear, 0);
  gdImageFilledRectangle(clear, 0, 0, 39, 39, gdTrueColorAlpha(0, 0, 0, gdAlphaTransparent));
  assert_int_equal(pd_phash_image(clear, &h), PD_OK);
  assert_true(h == UINT64_C(0x8000000000000000));

  h = 42;
  assert_int_equal(pd_phash_image(NULL, &h), PD_E_INVALID);
  assert_int_equal(pd_phash_image(grey, NULL), PD_E_INVALID);
  assert_true(h == 42);
  gdImageDestroy(black);
  gdImageDestroy(grey);
  gdImageDestroy(dot);
  gdImageDestroy(clear);
}

/* Pins the bit layout: a picture built from the 63 AC basis functions, 31 with weight +a,
 * 31 with -a and one with 0 (which becomes the median), hashes to exactly DC plus the +a
 * positions, bit 63 - (8 * v + u).  Drawn at 64x64 in 2x2 blocks so the shrink to 32x32 is
 * exact. */
static void test_bit_layout(void **state)
{
  (void)state;
  uint64_t seed = 2024;
  for (int round = 0; round < 8; round++) {
    int sign[64];
    int order[63];
    for (int i = 0; i < 63; i++)
      order[i] = i + 1;
    for (int i = 62; i > 0; i--) { /* Fisher-Yates from the fixed seed */
      int j = rand_below(&seed, i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    uint64_t want = UINT64_C(1) << 63;
    for (int i = 0; i < 63; i++) {
      sign[order[i]] = i < 31 ? 1 : i < 62 ? -1 : 0;
      if (sign[order[i]] > 0)
        want |= UINT64_C(1) << (63 - order[i]);
    }
    gdImagePtr im = new_image(64, 64);
    for (int y = 0; y < 32; y++)
      for (int x = 0; x < 32; x++) {
        double l = 128;
        for (int k = 1; k < 64; k++) {
          int v = k / 8, u = k % 8;
          double b = (u == 0 ? sqrt(1.0 / 32) : sqrt(2.0 / 32)) *
                     (v == 0 ? sqrt(1.0 / 32) : sqrt(2.0 / 32)) * cos((2 * x + 1) * u * M_PI / 64) *
                     cos((2 * y + 1) * v * M_PI / 64);
          l += 24 * sign[k] * b;
        }
        assert_true(l >= 0 && l <= 255);
        int g = (int)lround(l);
        gdImageFilledRectangle(im, 2 * x, 2 * y, 2 * x + 1, 2 * y + 1, gdTrueColor(g, g, g));
      }
    uint64_t got = hash_of(im);
    char got_hex[PD_PHASH_HEX_LEN + 1], want_hex[PD_PHASH_HEX_LEN + 1];
    pd_phash_to_hex(got, got_hex);
    pd_phash_to_hex(want, want_hex);
    assert_string_equal(got_hex, want_hex);
    gdImageDestroy(im);
  }
}

/* phash_dct8 against the textbook definition, evaluated directly. */
static void test_dct_matches_definition(void **state)
{
  (void)state;
  static double in[32][32];
  uint64_t seed = 99;
  for (int kind = 0; kind < 4; kind++) {
    for (int y = 0; y < 32; y++)
      for (int x = 0; x < 32; x++) {
        switch (kind) {
        case 0:
          in[y][x] = 100;
          break;
        case 1:
          in[y][x] = x * 8;
          break;
        case 2:
          in[y][x] = cos((2 * x + 1) * 3 * M_PI / 64) * cos((2 * y + 1) * 5 * M_PI / 64);
          break;
        default:
          in[y][x] = (double)rand_below(&seed, 256);
          break;
        }
      }
    double got[8][8];
    phash_dct8(in, got);
    for (int v = 0; v < 8; v++)
      for (int u = 0; u < 8; u++) {
        double s = 0;
        for (int y = 0; y < 32; y++)
          for (int x = 0; x < 32; x++)
            s += in[y][x] * cos((2 * x + 1) * u * M_PI / 64) * cos((2 * y + 1) * v * M_PI / 64);
        s *=
            (u == 0 ? sqrt(1.0 / 32) : sqrt(2.0 / 32)) * (v == 0 ? sqrt(1.0 / 32) : sqrt(2.0 / 32));
        assert_true(fabs(got[v][u] - s) < 1e-9);
      }
    if (kind == 0) {
      assert_true(fabs(got[0][0] - 3200) < 1e-9); /* 32 * mean for the orthonormal DCT */
      assert_true(fabs(got[3][5]) < 1e-9);
    }
    if (kind == 2) /* one basis function: all energy in one coefficient */
      assert_true(fabs(got[5][3] - 16) < 1e-9);
  }
}

static void test_distance(void **state)
{
  (void)state;
  static const struct {
    uint64_t a, b;
    int distance;
    bool duplicate;
  } rows[] = {
      {0, 0, 0, true},
      {0, UINT64_MAX, 64, false},
      {UINT64_C(0xff), 0, 8, true},
      {UINT64_C(0x3ff), 0, 10, true},
      {UINT64_C(0x7ff), 0, 11, false},
      {UINT64_C(0x8000000000000001), 1, 1, true},
      {UINT64_C(0xaaaaaaaaaaaaaaaa), UINT64_C(0x5555555555555555), 64, false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    assert_int_equal(pd_phash_distance(rows[i].a, rows[i].b), rows[i].distance);
    assert_int_equal(pd_phash_distance(rows[i].b, rows[i].a), rows[i].distance);
    assert_int_equal(pd_phash_is_duplicate(rows[i].a, rows[i].b), rows[i].duplicate);
  }
}

static void test_hex(void **state)
{
  (void)state;
  static const struct {
    uint64_t h;
    const char *hex;
  } good[] = {
      {0, "0000000000000000"},
      {UINT64_MAX, "ffffffffffffffff"},
      {UINT64_C(0x0123456789abcdef), "0123456789abcdef"},
      {UINT64_C(0x8000000000000000), "8000000000000000"},
      {1, "0000000000000001"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(good); i++) {
    char buf[PD_PHASH_HEX_LEN + 1];
    uint64_t back = 0;
    pd_phash_to_hex(good[i].h, buf);
    assert_string_equal(buf, good[i].hex);
    assert_int_equal(pd_phash_from_hex(good[i].hex, &back), PD_OK);
    assert_true(back == good[i].h);
  }
  static const char *const bad[] = {
      "",
      "0",
      "0123456789abcde",
      "0123456789abcdef0",
      "0123456789ABCDEF",
      "0123456789abcdeF",
      "0x23456789abcdef",
      " 123456789abcdef",
      "0123456789abcdeg",
      "0123456789abcde ",
      "-123456789abcdef",
      "0123456789abcdef\n",
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    uint64_t h = 7;
    if (pd_phash_from_hex(bad[i], &h) != PD_E_INVALID)
      fail_msg("accepted bad hex \"%s\"", bad[i]);
    assert_true(h == 7);
  }
  uint64_t h = 7;
  assert_int_equal(pd_phash_from_hex(NULL, &h), PD_E_INVALID);
  assert_int_equal(pd_phash_from_hex("0000000000000000", NULL), PD_E_INVALID);

  /* Round trip over a spread of values. */
  uint64_t seed = 5;
  for (int i = 0; i < 1000; i++) {
    uint64_t v = next_rand(&seed), back = 0;
    char buf[PD_PHASH_HEX_LEN + 1];
    pd_phash_to_hex(v, buf);
    assert_int_equal(strlen(buf), PD_PHASH_HEX_LEN);
    assert_int_equal(pd_phash_from_hex(buf, &back), PD_OK);
    assert_true(back == v);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_near_copies_are_duplicates),
      cmocka_unit_test(test_different_pictures_are_not_duplicates),
      cmocka_unit_test(test_random_layouts_are_not_duplicates),
      cmocka_unit_test(test_value_noise_seeds),
      cmocka_unit_test(test_palette_image),
      cmocka_unit_test(test_flat_and_bad_images),
      cmocka_unit_test(test_bit_layout),
      cmocka_unit_test(test_dct_matches_definition),
      cmocka_unit_test(test_distance),
      cmocka_unit_test(test_hex),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
