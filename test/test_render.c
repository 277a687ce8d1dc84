/* test_render.c - card rendering (lib/render.c): sizes, determinism, golden bytes, every rarity
 * distinct, long and non-ASCII names, missing fonts.
 * Golden hashes: after an intended visual change, run `PD_PRINT_GOLDEN=1 build/test_render`,
 * look at the cards (it writes them to /tmp/popdeck-golden-*.png), and paste the new hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

static struct pd_renderer *R;

static const char *golden[PD_RARITY_COUNT] = {
    "4cd1d29caf519d726c78ba1cd4d801d1097be5818387076ceffcb1e270bcf254",
    "8ce45b63a4be36d042e9d670e8a47325002fb3e87b3952f4769d5e8f3da1816d",
    "f9debc4019f9209f287abc20c0b8896f2fcd0b5fb4ba1406290d1a1b0962d6e1",
    "b27693058ddc329522637e7ff692bb8e8c745238d62dcf3ea5833cc5e373843f",
    "dbf868e385bcde58b147e6cd3a6b179253135d84e1994ad050e51126703cda75",
};

static int setup(void **state)
{
  char err[256];
  if (sodium_init() < 0)
    return -1;
  return pd_renderer_new("assets", &R, err, sizeof(err)) == PD_OK ? 0 : -1;
}

static int teardown(void **state)
{
  pd_renderer_free(R);
  return 0;
}

static void png_sha(gdImagePtr im, char hex[65], int level)
{
  void *png;
  size_t len;
  unsigned char h[32];
  assert_int_equal(pd_render_png(im, level, &png, &len), PD_OK);
  crypto_hash_sha256(h, png, len);
  sodium_bin2hex(hex, 65, h, sizeof(h));
  free(png);
}

static gdImagePtr card(const char *artist, const char *era, enum pd_rarity rar, unsigned print_no)
{
  struct pd_card_spec s = {artist, era, "TAYL_19#03", rar, print_no, NULL, -1, -1};
  gdImagePtr im = NULL;
  assert_int_equal(pd_render_card(R, &s, &im), PD_OK);
  return im;
}

static void test_sizes(void **state)
{
  gdImagePtr c = card("Taylor Swift", "1989", PD_RARITY_RARE, 3), b = NULL, s = NULL;
  assert_int_equal(gdImageSX(c), 600);
  assert_int_equal(gdImageSY(c), 840);
  assert_int_equal(pd_render_back(R, &b), PD_OK);
  assert_int_equal(gdImageSX(b), 600);
  assert_int_equal(gdImageSY(b), 840);
  gdImagePtr three[3] = {b, b, b};
  assert_int_equal(pd_render_strip(three, 3, 400, &s), PD_OK);
  /* three 400-wide cards and four 25-pixel gaps */
  assert_int_equal(gdImageSX(s), 3 * 400 + 4 * 25);
  assert_int_equal(gdImageSY(s), 560 + 2 * 25);
  gdImageDestroy(s);
  assert_int_equal(pd_render_strip(three, 0, 400, &s), PD_E_INVALID);
  assert_int_equal(pd_render_strip(three, 6, 400, &s), PD_E_INVALID);
  gdImageDestroy(b);
  gdImageDestroy(c);
}

static void test_deterministic_and_golden(void **state)
{
  bool print = getenv("PD_PRINT_GOLDEN") != NULL;
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    char a[65], b[65];
    gdImagePtr one = card("Dua Lipa", "Future Nostalgia", (enum pd_rarity)r, 7);
    gdImagePtr two = card("Dua Lipa", "Future Nostalgia", (enum pd_rarity)r, 7);
    png_sha(one, a, 6);
    png_sha(two, b, 6);
    assert_string_equal(a, b);
    if (print) {
      char path[64];
      void *png;
      size_t len;
      snprintf(path, sizeof(path), "/tmp/popdeck-golden-%d.png", r);
      pd_render_png(one, 6, &png, &len);
      FILE *f = fopen(path, "wb");
      fwrite(png, 1, len, f);
      fclose(f);
      free(png);
      printf("  \"%s\",\n", a);
    } else if (strcmp(a, golden[r]) != 0) {
      fail_msg("rarity %d renders %s, golden is %s (see the comment at the top)", r, a, golden[r]);
    }
    gdImageDestroy(one);
    gdImageDestroy(two);
  }
}

static void test_rarities_and_cards_differ(void **state)
{
  char h[PD_RARITY_COUNT][65];
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    gdImagePtr c = card("IU", "Palette", (enum pd_rarity)r, 0);
    png_sha(c, h[r], 1);
    gdImageDestroy(c);
    for (int k = 0; k < r; k++)
      assert_string_not_equal(h[k], h[r]);
  }
  /* Another era of the same artist gets other art. */
  char e[65];
  gdImagePtr c = card("IU", "Lilac", PD_RARITY_COMMON, 0);
  png_sha(c, e, 1);
  assert_string_not_equal(e, h[0]);
  gdImageDestroy(c);
}

static void test_long_and_unicode_names(void **state)
{
  const char *names[] = {"Beyonc\xC3\xA9 Giselle Knowles-Carter and a very long band name indeed",
                         "M\xC3\xA5neskin", "\xEC\x95\x84\xEC\x9D\xB4\xEC\x9C\xA0", "", "(G)I-DLE"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    /* Shrinking, ellipsizing and glyph fallback run without a fault (ASan and UBSan watch this
     * in make test-asan); the cards were looked at by eye for overflow. */
    gdImagePtr c = card(names[i], names[i], PD_RARITY_MYTHIC, 99999);
    assert_int_equal(gdImageSX(c), 600);
    gdImageDestroy(c);
  }
}

static void test_given_art_and_focus(void **state)
{
  gdImagePtr art = gdImageCreateTrueColor(1600, 1200);
  gdImageFilledRectangle(art, 0, 0, 799, 1199, gdImageColorAllocate(art, 255, 0, 0));
  gdImageFilledRectangle(art, 800, 0, 1599, 1199, gdImageColorAllocate(art, 0, 0, 255));
  struct pd_card_spec left = {"A", "B", "AXXX_BX#01", PD_RARITY_COMMON, 0, art, 100, 600};
  struct pd_card_spec right = {"A", "B", "AXXX_BX#01", PD_RARITY_COMMON, 0, art, 1500, 600};
  gdImagePtr l = NULL, r = NULL;
  assert_int_equal(pd_render_card(R, &left, &l), PD_OK);
  assert_int_equal(pd_render_card(R, &right, &r), PD_OK);
  /* The crop follows the focus: red on the left card's middle, blue on the right's. */
  int pl = gdImageGetTrueColorPixel(l, 300, 300), pr = gdImageGetTrueColorPixel(r, 300, 300);
  assert_true(gdTrueColorGetRed(pl) > 200 && gdTrueColorGetBlue(pl) < 50);
  assert_true(gdTrueColorGetBlue(pr) > 200 && gdTrueColorGetRed(pr) < 50);
  gdImageDestroy(l);
  gdImageDestroy(r);
  gdImageDestroy(art);
}

static void test_missing_fonts(void **state)
{
  struct pd_renderer *r = NULL;
  char err[256] = "";
  assert_int_equal(pd_renderer_new("/nonexistent", &r, err, sizeof(err)), PD_E_IO);
  assert_null(r);
  assert_non_null(strstr(err, "fonts/DejaVuSans"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_deterministic_and_golden),
      cmocka_unit_test(test_rarities_and_cards_differ),
      cmocka_unit_test(test_long_and_unicode_names),
      cmocka_unit_test(test_given_art_and_focus),
      cmocka_unit_test(test_missing_fonts),
  };
  return cmocka_run_group_tests_name("test_render", tests, setup, teardown);
}
