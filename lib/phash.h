/* phash.h - 64-bit DCT perceptual hash (pHash) of an image, to spot the same picture twice. */
#ifndef PD_PHASH_H
#define PD_PHASH_H

#include <gd.h>
#include <stdbool.h>
#include <stdint.h>

#include "pd.h"

/* Two hashes at most this many bits apart are the same picture.  Rescaling, small
 * brightness changes, JPEG recompression and a small watermark stay within it in our tests;
 * unrelated images land around 32 bits apart (63 balanced bits). */
#define PD_PHASH_DUP_MAX_DISTANCE 10

/* Characters of the hex form (era_images.phash), without the terminating NUL. */
#define PD_PHASH_HEX_LEN 16

/* Hashes im (truecolor or palette, any size >= 1x1; im is not modified):
 * 1. libgd's gdImageCopyResampled (area average) shrinks it to 32x32 over opaque white;
 * 2. each pixel becomes BT.601 luma 0.299 R + 0.587 G + 0.114 B;
 * 3. an orthonormal 2-D DCT-II gives the top-left 8x8 (lowest frequencies);
 * 4. the median is taken over those 64 coefficients minus the DC term (63 values);
 * 5. bit 63 - (8 * v + u) is set when coefficient (row v, column u) exceeds the median,
 *    so the hex form reads the 8x8 block row by row, most significant nibble first.
 * Bit 63 (DC) is set for anything but a black image; the other 63 bits hold 31 ones (so two
 * ordinary hashes are always an even number of bits apart).
 * Limits: crops, rotations and mirroring are not near copies.  Pictures with little detail
 * (plain gradients, flat fills) have small AC terms, so an edit that adds a little to every
 * low-frequency term (a watermark in a corner, film grain) can move them 16-30 bits;
 * pictures that vary in one direction only or are mirror-symmetric leave many terms at the
 * median, where small edits flip bits.  Photos have enough detail; the quality filter drops
 * the rest.
 * Returns PD_E_INVALID for a NULL or empty image, PD_E_NOMEM if libgd cannot allocate. */
enum pd_result pd_phash_image(gdImagePtr im, uint64_t *out);

/* Hamming distance (number of differing bits), 0..64. */
int pd_phash_distance(uint64_t a, uint64_t b);

/* distance(a, b) <= PD_PHASH_DUP_MAX_DISTANCE */
bool pd_phash_is_duplicate(uint64_t a, uint64_t b);

/* Writes 16 lowercase hex digits and a NUL. */
void pd_phash_to_hex(uint64_t h, char out[static PD_PHASH_HEX_LEN + 1]);

/* Parses exactly 16 lowercase hex digits (the form pd_phash_to_hex writes); anything else,
 * including uppercase, whitespace or a "0x" prefix, is PD_E_INVALID and leaves *out alone. */
enum pd_result pd_phash_from_hex(const char *s, uint64_t *out);

#ifdef PD_UNITTEST
/* The 8x8 lowest-frequency block of the orthonormal DCT-II of a 32x32 block;
 * in[y][x], out[v][u] (v vertical, u horizontal frequency). */
void phash_dct8(const double in[32][32], double out[8][8]);
#endif

#endif
