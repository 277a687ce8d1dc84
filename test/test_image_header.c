/* test_image_header.c - image sizes from headers alone (lib/image_header.c): real small PNG,
 * JPEG and WebP files made with libgd; headers declaring 20000x20000 (16000x16000 for
 * lossless WebP, whose format stops at 16384) over a body of a few bytes; headers cut short;
 * garbage.  And pd_image_check's refusals on top of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gd.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_fetch.h"
#include "image_header.h"

struct buf {
  unsigned char *p;
  size_t len;
};

static void buf_add(struct buf *b, const void *d, size_t n)
{
  b->p = realloc(b->p, b->len + n);
  assert_non_null(b->p);
  memcpy(b->p + b->len, d, n);
  b->len += n;
}

static void png_to_buf(png_structp png, png_bytep d, png_size_t n)
{
  buf_add(png_get_io_ptr(png), d, n);
}

static void png_no_flush(png_structp png)
{
}

/* A PNG whose IHDR declares w x h, then the IDAT chunks of `rows` rows of zeros and no end:
 * what libpng's own writer has put out when it is stopped.  rows == 0 stops right after
 * IHDR.  A hundred bytes or so stand for w x h pixels. */
static struct buf png_declaring(uint32_t w, uint32_t h, int rows)
{
  struct buf b = {NULL, 0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  unsigned char *row = calloc(1, (size_t)w * 3);
  assert_non_null(row);
  if (setjmp(png_jmpbuf(png)))
    fail_msg("libpng could not write the test header");
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_write_fn(png, &b, png_to_buf, png_no_flush);
  png_set_compression_buffer_size(png, 64); /* libpng writes an IDAT each time this fills */
  png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int i = 0; i < rows; i++)
    png_write_row(png, row);
  png_write_flush(png);
  png_destroy_write_struct(&png, &info);
  free(row);
  return b;
}

static struct buf gd_file(int w, int h, const char *type)
{
  gdImagePtr im = gdImageCreateTrueColor(w, h);
  int len = 0;
  gdImageFilledRectangle(im, 0, 0, w / 2, h / 2, gdImageColorAllocate(im, 200, 30, 90));
  void *p = strcmp(type, "png") == 0    ? gdImagePngPtr(im, &len)
            : strcmp(type, "jpeg") == 0 ? gdImageJpegPtr(im, &len, 85)
                                        : gdImageWebpPtr(im, &len);
  gdImageDestroy(im);
  struct buf b = {NULL, 0};
  buf_add(&b, p, (size_t)len);
  gdFree(p);
  return b;
}

/* A real 64x64 JPEG whose frame header (SOF0) is rewritten to declare w x h: its few
 * hundred bytes of scan data then stand for 400 million pixels. */
static struct buf jpeg_declaring(unsigned w, unsigned h)
{
  struct buf b = gd_file(64, 64, "jpeg");
  for (size_t i = 2; i + 9 < b.len; i++) {
    if (b.p[i] == 0xFF && b.p[i + 1] == 0xC0) {
      b.p[i + 5] = (unsigned char)(h >> 8);
      b.p[i + 6] = (unsigned char)h;
      b.p[i + 7] = (unsigned char)(w >> 8);
      b.p[i + 8] = (unsigned char)w;
      return b;
    }
  }
  fail_msg("no SOF0 in libgd's JPEG");
  return b;
}

/* jpeg_declaring(w, h), ending in the middle of its frame header. */
static struct buf jpeg_cut_inside_sof(void)
{
  struct buf b = jpeg_declaring(20000, 20000);
  for (size_t i = 2; i + 1 < b.len; i++)
    if (b.p[i] == 0xFF && b.p[i + 1] == 0xC0) {
      b.len = i + 6;
      break;
    }
  return b;
}

static void le32(unsigned char *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

/* RIFF/WEBP around one chunk. */
static struct buf webp_chunk(const char *tag, const unsigned char *payload, size_t n)
{
  struct buf b = {NULL, 0};
  unsigned char hdr[20];
  memcpy(hdr, "RIFF", 4);
  le32(hdr + 4, (uint32_t)(4 + 8 + n));
  memcpy(hdr + 8, "WEBP", 4);
  memcpy(hdr + 12, tag, 4);
  le32(hdr + 16, (uint32_t)n);
  buf_add(&b, hdr, sizeof(hdr));
  buf_add(&b, payload, n);
  return b;
}

/* Lossless (VP8L): signature 0x2f, then 14 bits of width - 1 and 14 of height - 1. */
static struct buf webp_lossless_declaring(uint32_t w, uint32_t h)
{
  unsigned char p[8] = {0x2f};
  le32(p + 1, (w - 1) | (h - 1) << 14);
  return webp_chunk("VP8L", p, sizeof(p));
}

/* Extended (VP8X) with the animation flag: a 24-bit canvas, and nothing after it. */
static struct buf webp_animated_declaring(uint32_t w, uint32_t h)
{
  unsigned char p[10] = {0x02, 0, 0, 0};
  p[4] = (unsigned char)(w - 1), p[5] = (unsigned char)((w - 1) >> 8),
  p[6] = (unsigned char)((w - 1) >> 16);
  p[7] = (unsigned char)(h - 1), p[8] = (unsigned char)((h - 1) >> 8),
  p[9] = (unsigned char)((h - 1) >> 16);
  return webp_chunk("VP8X", p, sizeof(p));
}

static struct buf bytes(const char *s, size_t n)
{
  struct buf b = {NULL, 0};
  buf_add(&b, s, n);
  return b;
}

static struct buf cut(struct buf b, size_t n)
{
  if (n < b.len)
    b.len = n;
  return b;
}

static void test_header_rows(void **state)
{
  struct {
    const char *name;
    struct buf file;
    enum pd_result rc;
    const char *type;
    uint32_t w, h;
  } rows[] = {
      {"libgd png", gd_file(321, 123, "png"), PD_OK, "png", 321, 123},
      {"libgd jpeg", gd_file(300, 200, "jpeg"), PD_OK, "jpeg", 300, 200},
      {"libgd webp", gd_file(64, 48, "webp"), PD_OK, "webp", 64, 48},
      {"png 20000x20000, one row", png_declaring(20000, 20000, 1), PD_OK, "png", 20000, 20000},
      {"png 2000000 wide (over libpng's default)", png_declaring(2000000, 2, 1), PD_OK, "png",
       2000000, 2},
      {"jpeg 20000x20000", jpeg_declaring(20000, 20000), PD_OK, "jpeg", 20000, 20000},
      {"webp lossless 16000x16000", webp_lossless_declaring(16000, 16000), PD_OK, "webp", 16000,
       16000},
      {"webp animated canvas 20000x20000", webp_animated_declaring(20000, 20000), PD_OK, "webp",
       20000, 20000},
      {"png cut after IHDR", png_declaring(20000, 20000, 0), PD_E_INVALID, "png", 0, 0},
      {"png cut inside IHDR", cut(png_declaring(20000, 20000, 1), 20), PD_E_INVALID, "png", 0, 0},
      {"png signature only", bytes("\x89PNG\r\n\x1a\n", 8), PD_E_INVALID, "png", 0, 0},
      {"jpeg cut inside SOF", jpeg_cut_inside_sof(), PD_E_INVALID, "jpeg", 0, 0},
      {"jpeg SOI only", bytes("\xff\xd8\xff", 3), PD_E_INVALID, "jpeg", 0, 0},
      {"webp cut inside VP8L", cut(webp_lossless_declaring(16000, 16000), 22), PD_E_INVALID, "webp",
       0, 0},
      {"webp with a bad chunk",
       webp_chunk("VP8L", (const unsigned char *)"\x00\x00\x00\x00\x00", 5), PD_E_INVALID, "webp",
       0, 0},
      {"html", bytes("<html>not an image</html>", 25), PD_E_INVALID, NULL, 0, 0},
      {"empty", bytes("", 0), PD_E_INVALID, NULL, 0, 0},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct pd_image_header h;
    char reason[200] = "";
    enum pd_result rc =
        pd_image_header_read(rows[i].file.p, rows[i].file.len, &h, reason, sizeof(reason));
    if (rc != rows[i].rc)
      fail_msg("%s: got %s (%s), want %s", rows[i].name, pd_result_str(rc), reason,
               pd_result_str(rows[i].rc));
    if ((rows[i].type == NULL) != (h.type == NULL) ||
        (h.type != NULL && strcmp(h.type, rows[i].type) != 0))
      fail_msg("%s: type %s, want %s", rows[i].name, h.type ? h.type : "none",
               rows[i].type ? rows[i].type : "none");
    if (h.width != rows[i].w || h.height != rows[i].h)
      fail_msg("%s: %ux%u, want %ux%u", rows[i].name, h.width, h.height, rows[i].w, rows[i].h);
    if (rc != PD_OK && rows[i].type != NULL &&
        strstr(reason, "header is damaged or cut short") == NULL)
      fail_msg("%s: reason \"%s\"", rows[i].name, reason);
    if (rc != PD_OK && rows[i].type == NULL)
      assert_string_equal(reason, "not a PNG, JPEG or WebP file");
    free(rows[i].file.p);
  }
}

/* The limits on top of the header: pixels first (nothing is decoded), then the width floor. */
static void test_check_rows(void **state)
{
  struct {
    struct buf file;
    uint64_t max_pixels;
    int min_width;
    enum pd_result rc;
    const char *reason;
  } rows[] = {
      {png_declaring(20000, 20000, 1), 40000000, 800, PD_E_TOOBIG,
       "20000x20000 is 400 MP, over the 40 MP limit"},
      {jpeg_declaring(20000, 20000), 40000000, 800, PD_E_TOOBIG,
       "20000x20000 is 400 MP, over the 40 MP limit"},
      {webp_lossless_declaring(16000, 16000), 40000000, 800, PD_E_TOOBIG,
       "16000x16000 is 256 MP, over the 40 MP limit"},
      {jpeg_declaring(6500, 6500), 40000000, 800, PD_E_TOOBIG,
       "6500x6500 is 42.2 MP, over the 40 MP limit"},
      {jpeg_declaring(5000, 8000), 40000000, 800, PD_OK, NULL},
      {png_declaring(700, 20000, 64), 40000000, 800, PD_E_INVALID,
       "700x20000 is narrower than 800 px"},
      {gd_file(900, 600, "png"), 540000, 800, PD_OK, NULL},
      {gd_file(900, 600, "png"), 539999, 800, PD_E_TOOBIG,
       "900x600 is 0.5 MP, over the 0.5 MP limit"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char reason[200] = "";
    const char *type = NULL;
    enum pd_result rc =
        pd_image_check(rows[i].file.p, rows[i].file.len, rows[i].max_pixels, rows[i].min_width,
                       &type, NULL, NULL, reason, sizeof(reason));
    if (rc != rows[i].rc)
      fail_msg("row %zu: got %s (%s), want %s", i, pd_result_str(rc), reason,
               pd_result_str(rows[i].rc));
    if (rows[i].reason != NULL)
      assert_string_equal(reason, rows[i].reason);
    assert_non_null(type);
    free(rows[i].file.p);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_rows),
      cmocka_unit_test(test_check_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
