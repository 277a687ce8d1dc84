/* image_header.h - an image's type and declared size, read from its header alone with the
 * libraries libgd itself decodes with (libpng's png_read_info, libjpeg's jpeg_read_header,
 * libwebp's WebPGetInfo), so a file can be measured before a single pixel is allocated.
 * libgd sizes its image from these same header fields, so what is read here is exactly what
 * a decode would allocate: a header cannot promise less than the decoder then builds. */
#ifndef PD_IMAGE_HEADER_H
#define PD_IMAGE_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "pd.h"

struct pd_image_header {
  const char *type; /* "png", "jpeg", "webp"; NULL when the bytes are none of them */
  uint32_t width, height;
};

/* Fills *out from data's header.  PD_E_INVALID with a reason when the type is unknown
 * ("not a PNG, JPEG or WebP file", type NULL) or the header is damaged or cut short (type
 * set).  Reads nothing beyond what the decoder reads before its first pixel. */
enum pd_result pd_image_header_read(const void *data, size_t len, struct pd_image_header *out,
                                    char *reason, size_t reasonlen);

#endif
