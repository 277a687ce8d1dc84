/* profile_card.h - the player's banner attached to /profile: name, balances, join date. */
#ifndef PD_PROFILE_CARD_H
#define PD_PROFILE_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "pd.h"

#define PD_PROFILE_CARD_WIDTH 800
#define PD_PROFILE_CARD_HEIGHT 240

struct pd_profile_card {
  const char *name;
  int64_t notes, discs, gems;
  int64_t joined_at; /* Unix seconds */
};

/* Renders the banner as PNG bytes (*png malloc'd by libgd: free with gdFree).  font_dir holds
 * DejaVuSans.ttf and DejaVuSans-Bold.ttf.  Same input, same bytes. */
enum pd_result pd_profile_card_png(const char *font_dir, const struct pd_profile_card *c,
                                   void **png, size_t *len);

#endif
