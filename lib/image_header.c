/* image_header.c - image dimensions from PNG, JPEG and WebP headers, without decoding. */
#include "image_header.h"

#include <png.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <webp/decode.h>

#include "image_fetch.h"

struct png_src {
  const unsigned char *p;
  size_t len, off;
};

static void png_from_memory(png_structp png, png_bytep out, png_size_t n)
{
  struct png_src *s = png_get_io_ptr(png);
  if (n > s->len - s->off)
    png_error(png, "cut short");
  memcpy(out, s->p + s->off, n);
  s->off += n;
}

/* libpng prints errors and warnings on stderr by default; the caller records its own reason. */
static void png_fail(png_structp png, png_const_charp msg)
{
  png_longjmp(png, 1);
}

static void png_quiet(png_structp png, png_const_charp msg)
{
}

static bool png_size(const void *data, size_t len, uint32_t *w, uint32_t *h)
{
  struct png_src src = {data, len, 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_quiet);
  png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
  volatile bool ok = false; /* set after setjmp */
  if (info == NULL)
    goto out;
  if (setjmp(png_jmpbuf(png)))
    goto out;
  /* libpng refuses more than 1,000,000 px a side by default; lift that here so an absurd
   * size is reported as too big (by the caller's pixel limit) rather than as damage. */
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_read_fn(png, &src, png_from_memory);
  png_read_info(png, info);
  *w = png_get_image_width(png, info);
  *h = png_get_image_height(png, info);
  ok = *w > 0 && *h > 0;
out:
  png_destroy_read_struct(&png, info != NULL ? &info : NULL, NULL);
  return ok;
}

struct jpeg_fail {
  struct jpeg_error_mgr mgr;
  jmp_buf jmp;
};

static void jpeg_fail_exit(j_common_ptr c)
{
  longjmp(((struct jpeg_fail *)c->err)->jmp, 1);
}

static void jpeg_quiet(j_common_ptr c)
{
}

static bool jpeg_size(const void *data, size_t len, uint32_t *w, uint32_t *h)
{
  struct jpeg_decompress_struct cinfo;
  struct jpeg_fail err;
  volatile bool ok = false; /* set after setjmp */
  memset(&cinfo, 0, sizeof(cinfo));
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail_exit;
  err.mgr.output_message = jpeg_quiet;
  if (setjmp(err.jmp))
    goto out;
  jpeg_create_decompress(&cinfo);
  /* libjpeg's memory source takes a non-const buffer; it only reads it. */
  jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)len);
  if (jpeg_read_header(&cinfo, TRUE) == JPEG_HEADER_OK) {
    *w = cinfo.image_width;
    *h = cinfo.image_height;
    ok = *w > 0 && *h > 0;
  }
out:
  jpeg_destroy_decompress(&cinfo);
  return ok;
}

static bool webp_size(const void *data, size_t len, uint32_t *w, uint32_t *h)
{
  int x = 0, y = 0;
  if (!WebPGetInfo(data, len, &x, &y) || x <= 0 || y <= 0)
    return false;
  *w = (uint32_t)x;
  *h = (uint32_t)y;
  return true;
}

enum pd_result pd_image_header_read(const void *data, size_t len, struct pd_image_header *out,
                                    char *reason, size_t reasonlen)
{
  volatile bool ok = false; /* set after setjmp */
  memset(out, 0, sizeof(*out));
  out->type = pd_image_sniff(data, len);
  if (out->type == NULL) {
    snprintf(reason, reasonlen, "not a PNG, JPEG or WebP file");
    return PD_E_INVALID;
  }
  if (strcmp(out->type, "png") == 0)
    ok = png_size(data, len, &out->width, &out->height);
  else if (strcmp(out->type, "jpeg") == 0)
    ok = jpeg_size(data, len, &out->width, &out->height);
  else
    ok = webp_size(data, len, &out->width, &out->height);
  if (!ok) {
    out->width = out->height = 0;
    snprintf(reason, reasonlen, "%s file could not be decoded: its header is damaged or cut short",
             out->type);
    return PD_E_INVALID;
  }
  return PD_OK;
}
