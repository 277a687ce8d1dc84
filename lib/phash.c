/* phash.c - DCT perceptual hash: shrink with libgd, DCT-II, compare to the median. */
#include "phash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIDE 32 /* the image is shrunk to SIDE x SIDE before the DCT */
#define KEEP 8  /* the top-left KEEP x KEEP coefficients make the hash */

/* cosines[k][n] = alpha(k) * cos((2n + 1) k pi / 2 SIDE), the orthonormal DCT-II basis */
static void dct_basis(double basis[KEEP][SIDE])
{
  for (int k = 0; k < KEEP; k++) {
    double alpha = k == 0 ? sqrt(1.0 / SIDE) : sqrt(2.0 / SIDE);
    for (int n = 0; n < SIDE; n++)
      basis[k][n] = alpha * cos((2 * n + 1) * k * M_PI / (2.0 * SIDE));
  }
}

PD_STATIC void phash_dct8(const double in[SIDE][SIDE], double out[KEEP][KEEP])
{
  double basis[KEEP][SIDE];
  double rows[SIDE][KEEP]; /* each image row transformed horizontally */
  dct_basis(basis);
  for (int y = 0; y < SIDE; y++)
    for (int u = 0; u < KEEP; u++) {
      double s = 0;
      for (int x = 0; x < SIDE; x++)
        s += in[y][x] * basis[u][x];
      rows[y][u] = s;
    }
  for (int v = 0; v < KEEP; v++)
    for (int u = 0; u < KEEP; u++) {
      double s = 0;
      for (int y = 0; y < SIDE; y++)
        s += rows[y][u] * basis[v][y];
      out[v][u] = s;
    }
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

enum pd_result pd_phash_image(gdImagePtr im, uint64_t *out)
{
  enum pd_result rc = PD_E_INVALID;
  gdImagePtr small = NULL;
  if (im == NULL || out == NULL || gdImageSX(im) < 1 || gdImageSY(im) < 1)
    goto out;

  rc = PD_E_NOMEM;
  small = gdImageCreateTrueColor(SIDE, SIDE);
  if (small == NULL)
    goto out;
  /* Transparent areas count as white, the usual page background. */
  gdImageAlphaBlending(small, 1);
  gdImageFilledRectangle(small, 0, 0, SIDE - 1, SIDE - 1, gdTrueColor(255, 255, 255));
  gdImageCopyResampled(small, im, 0, 0, 0, 0, SIDE, SIDE, gdImageSX(im), gdImageSY(im));

  double luma[SIDE][SIDE];
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++) {
      int c = gdImageTrueColorPixel(small, x, y);
      luma[y][x] = 0.299 * gdTrueColorGetRed(c) + 0.587 * gdTrueColorGetGreen(c) +
                   0.114 * gdTrueColorGetBlue(c);
    }

  double coef[KEEP][KEEP];
  phash_dct8(luma, coef);

  double ac[KEEP * KEEP - 1];
  memcpy(ac, &coef[0][1], sizeof(ac)); /* row-major: everything after coef[0][0] */
  qsort(ac, PD_ARRAY_LEN(ac), sizeof(ac[0]), cmp_double);
  double median = ac[PD_ARRAY_LEN(ac) / 2];
  /* Rounding noise in a flat image must not turn into random bits. */
  double eps = 1e-9 * (1.0 + fabs(median));

  uint64_t h = 0;
  for (int v = 0; v < KEEP; v++)
    for (int u = 0; u < KEEP; u++)
      if (coef[v][u] > median + eps)
        h |= UINT64_C(1) << (63 - (KEEP * v + u));
  *out = h;
  rc = PD_OK;
out:
  if (small != NULL)
    gdImageDestroy(small);
  return rc;
}

int pd_phash_distance(uint64_t a, uint64_t b)
{
  return __builtin_popcountll(a ^ b);
}

bool pd_phash_is_duplicate(uint64_t a, uint64_t b)
{
  return pd_phash_distance(a, b) <= PD_PHASH_DUP_MAX_DISTANCE;
}

void pd_phash_to_hex(uint64_t h, char out[static PD_PHASH_HEX_LEN + 1])
{
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < PD_PHASH_HEX_LEN; i++)
    out[i] = digits[(h >> (60 - 4 * i)) & 0xf];
  out[PD_PHASH_HEX_LEN] = '\0';
}

enum pd_result pd_phash_from_hex(const char *s, uint64_t *out)
{
  if (s == NULL || out == NULL)
    return PD_E_INVALID;
  uint64_t h = 0;
  for (int i = 0; i < PD_PHASH_HEX_LEN; i++) {
    char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9')
      d = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = (unsigned)(c - 'a' + 10);
    else
      return PD_E_INVALID; /* also stops at an early NUL */
    h = (h << 4) | d;
  }
  if (s[PD_PHASH_HEX_LEN] != '\0')
    return PD_E_INVALID;
  *out = h;
  return PD_OK;
}
