/* classify.h - guesses what kind of picture an image is (cover, MV still, concert, ...) and
 * whether it belongs to an era, from its URL, tags, page text and the search that found it. */
#ifndef PD_CLASSIFY_H
#define PD_CLASSIFY_H

#include <stdbool.h>

#include "pd.h"

/* The values of era_images.kind (pd_kind_name gives the stored text). */
enum pd_kind {
  PD_KIND_UNKNOWN = 0,
  PD_KIND_COVER,      /* official album or single artwork */
  PD_KIND_MV,         /* music video still */
  PD_KIND_CONCERT,    /* live on stage */
  PD_KIND_RED_CARPET, /* red carpet, awards, gala, premiere */
  PD_KIND_PROMO,      /* photoshoot, press photo, magazine */
  PD_KIND_GENERATED,  /* labelled as AI-generated */
  PD_KIND_COUNT
};

/* "unknown", "cover", "mv", "concert", "red_carpet", "promo", "generated";
 * NULL for a value outside the enum. */
const char *pd_kind_name(enum pd_kind kind);

/* Exact, case-sensitive inverse of pd_kind_name.  PD_E_INVALID for anything else. */
enum pd_result pd_kind_parse(const char *s, enum pd_kind *out);

/* How the image relates to the era it was searched for. */
enum pd_era_match {
  PD_ERA_DATE_IN_WINDOW, /* photo date inside [era_start, era_end]: strong match */
  PD_ERA_DATE_OUTSIDE,   /* photo date known and outside the window: not this era */
  PD_ERA_TEXT_MENTION,   /* no usable date, but the tags or text name the era: strong match */
  PD_ERA_SEARCHED,       /* no usable date: fall back to the era that was searched for */
};

const char *pd_era_match_name(enum pd_era_match m);

/* Every field may be NULL or empty. */
struct pd_classify_input {
  const char *source_url; /* where the image was downloaded from */
  const char *tags;       /* source tags or categories, any separators */
  const char *text;       /* alt text, title, caption or page text */
  const char *keyword;    /* the search that found it, e.g. "Taylor Swift 1989 red carpet" */
  const char *artist;     /* optional: a kind word inside the artist's name is not a signal */
  const char *era_name;   /* optional: same; and naming the era in tags or text is a match */
  const char *photo_date; /* "YYYY-MM-DD", optionally followed by 'T' or ' ' and a time;
                           * anything else counts as no date */
  const char *era_start;  /* "YYYY-MM-DD" or NULL for open; a bad value is PD_E_INVALID */
  const char *era_end;    /* inclusive, same rules */
};

#define PD_CLASSIFY_REASON_MAX 160

struct pd_classify_result {
  enum pd_kind kind;
  double confidence; /* 0 for unknown, otherwise in (0, 0.99] */
  enum pd_era_match era;
  char reason[PD_CLASSIFY_REASON_MAX]; /* e.g. "url: YouTube thumbnail | era: date in window" */
};

/* Only this many bytes of each field are read: page text can be long. */
#define PD_CLASSIFY_SCAN_MAX 16384

/* The rules, strongest first:
 * 1. url: the host and path say what it is: YouTube thumbnails (i.ytimg.com/vi/...,
 *    img.youtube.com/vi/...) are mv; Cover Art Archive and Spotify album art
 *    (i.scdn.co/image/ab67616d...) are cover; other Spotify images are cover with less
 *    certainty, except artist photos (i.scdn.co/image/ab676161...), which are promo.
 *    Confidence 0.95 (0.8 and 0.7 for the less certain ones).
 * 2. tags, confidence 0.85.
 * 3. text, and the words of the URL's file name (Wikimedia names its files
 *    "Artist_at_the_2019_Awards.jpg"), confidence 0.75.
 * 4. keyword, confidence 0.55.
 * Tiers 2-4 look for phrases, case-insensitively and on word boundaries ("alive" is not
 * "live"; a space in a phrase matches any run of spaces, '-' or '_', so "red carpet" also
 * finds "red-carpet"); "redcarpet"-style tag spellings are listed too.  A phrase lying inside
 * the artist's or era's name does not count (the band "Live", the album "Live at Wembley").
 * The strongest tier with any phrase decides; inside it the kind with most phrases wins,
 * a tie going to the kind the weaker tiers support most, then to the order
 * mv, red_carpet, promo, concert, cover, generated.
 * Confidence then moves with the other evidence: each rival kind in the deciding tier
 * multiplies it by 0.6; each weaker tier that names only the winner adds 30% of the
 * remaining distance to 1, one that names only other kinds multiplies it by 0.8, one that
 * names both by 0.9.  It is capped at 0.99.  No signal at all gives unknown, 0.
 * Returns PD_E_INVALID for NULL arguments or a malformed era bound (also start > end). */
enum pd_result pd_classify_image(const struct pd_classify_input *in,
                                 struct pd_classify_result *out);

#ifdef PD_UNITTEST
/* "YYYY-MM-DD" (then '\0', or 'T'/' ' and anything when allow_time) to y*10000 + m*100 + d,
 * checking the calendar; -1 when malformed. */
long classify_parse_date(const char *s, bool allow_time);
#endif

#endif
