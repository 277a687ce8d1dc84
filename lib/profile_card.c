/* profile_card.c - draws the /profile banner with libgd (written as PNG through libpng). */
#include "profile_card.h"

#include <gd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reply.h"

static int mix(int a, int b, int num, int den)
{
  return a + (b - a) * num / den;
}

/* Draws text, shrinking the size until it fits max_w; returns the size used. */
static double text_fit(gdImagePtr im, int color, const char *font, double size, int x, int y,
                       int max_w, const char *s)
{
  int brect[8];
  for (; size > 8; size -= 1) {
    if (gdImageStringFT(NULL, brect, color, (char *)font, size, 0, x, y, (char *)s) != NULL)
      return 0;
    if (brect[2] - brect[0] <= max_w)
      break;
  }
  gdImageStringFT(im, brect, color, (char *)font, size, 0, x, y, (char *)s);
  return size;
}

enum pd_result pd_profile_card_png(const char *font_dir, const struct pd_profile_card *c,
                                   void **png, size_t *len)
{
  char regular[512], bold[512];
  snprintf(regular, sizeof(regular), "%s/DejaVuSans.ttf", font_dir);
  snprintf(bold, sizeof(bold), "%s/DejaVuSans-Bold.ttf", font_dir);
  gdImagePtr im = gdImageCreateTrueColor(PD_PROFILE_CARD_WIDTH, PD_PROFILE_CARD_HEIGHT);
  if (im == NULL)
    return PD_E_NOMEM;
  /* A diagonal violet-to-midnight gradient, the brand colours. */
  for (int y = 0; y < PD_PROFILE_CARD_HEIGHT; y++) {
    int t = y * 100 / PD_PROFILE_CARD_HEIGHT;
    int col = gdImageColorAllocate(im, mix(0x7C, 0x1B, t, 100), mix(0x5C, 0x14, t, 100),
                                   mix(0xFF, 0x3A, t, 100));
    gdImageLine(im, 0, y, PD_PROFILE_CARD_WIDTH - 1, y, col);
  }
  int white = gdImageColorAllocate(im, 255, 255, 255);
  int soft = gdImageColorAllocateAlpha(im, 255, 255, 255, 45);
  int panel = gdImageColorAllocateAlpha(im, 10, 6, 30, 70);
  gdImageFilledRectangle(im, 24, 120, PD_PROFILE_CARD_WIDTH - 25, PD_PROFILE_CARD_HEIGHT - 25,
                         panel);

  enum pd_result rc = PD_OK;
  if (text_fit(im, white, bold, 34, 32, 70, PD_PROFILE_CARD_WIDTH - 64, c->name) == 0) {
    rc = PD_E_IO; /* the font could not be loaded */
    goto out;
  }
  char joined[64];
  time_t t = (time_t)c->joined_at;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(joined, sizeof(joined), "PopDeck collector since %d %b %Y", &tm);
  text_fit(im, soft, regular, 15, 34, 102, PD_PROFILE_CARD_WIDTH - 64, joined);

  const char *labels[3] = {"NOTES", "DISCS", "GEMS"};
  int64_t values[3] = {c->notes, c->discs, c->gems};
  int col_w = (PD_PROFILE_CARD_WIDTH - 48) / 3;
  for (int i = 0; i < 3; i++) {
    char v[32];
    int x = 24 + i * col_w + 20;
    pd_fmt_thousands(values[i], v);
    text_fit(im, soft, bold, 13, x, 152, col_w - 40, labels[i]);
    text_fit(im, white, bold, 30, x, 196, col_w - 40, v);
  }
  int size = 0;
  *png = gdImagePngPtrEx(im, &size, 6);
  *len = (size_t)size;
  if (*png == NULL)
    rc = PD_E_NOMEM;
out:
  gdImageDestroy(im);
  return rc;
}
