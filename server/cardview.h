/* cardview.h - how a card looks in a Discord message: an embed in its rarity's colour with
 * artist, era, rarity, public id and print number, the picture large or as a thumbnail. */
#ifndef PD_CARDVIEW_H
#define PD_CARDVIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "db_packs.h"

/* The embed colour of a rarity name ("common" ... "mythic"). */
int pd_rarity_color(const char *rarity);
/* "Legendary" for "legendary". */
const char *pd_rarity_label(const char *rarity);

/* Discord's limit on an embed title, in code points. */
#define PD_EMBED_TITLE_MAX 256

/* An embed for a card: title (NULL: "ARTIST — ERA", cut to PD_EMBED_TITLE_MAX), the picture
 * large (big) or as a thumbnail, fields for rarity and card id, and the print number when
 * print_no > 0.  The description is text (may be NULL) and, for a freely licensed photo, the
 * photographer's credit under it (pd_photo_credit_line). */
json_t *pd_card_embed(const struct pd_card_info *c, const char *title, const char *text,
                      int64_t print_no, bool big);

/* "Photo: AUTHOR, LICENCE · [source](PAGE)" for a credited photo, "" otherwise. */
void pd_photo_credit_line(const struct pd_photo_credit *cr, char *out, size_t cap);

#endif
