/* spotify.h - the Spotify Web API (JSON) with an app's own credentials (client-credentials
 * flow): find an artist, and list its albums with their cover images.  The access token is
 * fetched on the first call, kept until a minute before it expires, and fetched again once
 * when an API call answers 401.  A 429 whose Retry-After is at most 5 s is waited out once.
 * Neither the client secret nor the token ever appears in an error text.
 * One struct pd_spotify belongs to one thread at a time (it caches the token). */
#ifndef PD_SPOTIFY_H
#define PD_SPOTIFY_H

#include <jansson.h>
#include <stdbool.h>

#include "pd.h"

#define PD_SPOTIFY_USER_AGENT "PopDeck/0.1.0 ( https://github.com/popdeck )"
#define PD_SPOTIFY_TIMEOUT_MS 15000L
#define PD_SPOTIFY_MAX_BODY (4 * 1024 * 1024)
#define PD_SPOTIFY_MAX_PAGES 5                /* album pages followed through "next" */
#define PD_SPOTIFY_MAX_RETRY_AFTER 5          /* seconds a 429 may ask us to wait */
#define PD_SPOTIFY_TOKEN_MARGIN_US 60000000LL /* a token is renewed this long before it expires */

struct pd_spotify {
  const char *accounts_base; /* SPOTIFY_ACCOUNTS_BASE, e.g. https://accounts.spotify.com */
  const char *api_base;      /* SPOTIFY_API_BASE, e.g. https://api.spotify.com/v1 */
  const char *client_id, *client_secret;
  char token[512];          /* "" until the first call */
  int64_t token_expires_us; /* pd_now_us after which token is not used */
};

struct pd_spotify_artist {
  char id[64];
  char name[256];
  int popularity; /* 0-100 */
  long followers;
  json_t *genres; /* array of strings */
  json_t *images; /* [{"url", "width", "height"}], widest first; width/height null when unknown */
};

/* Frees genres and images and clears a; NULL is fine. */
void pd_spotify_artist_free(struct pd_spotify_artist *a);

/* Searches artists for name (GET /search?type=artist&limit=5) and takes the first whose name
 * is name, ignoring ASCII case.  PD_E_NOTFOUND when none is; PD_E_UPSTREAM when Spotify could
 * not be asked or answered badly, with why in err.  On PD_OK the caller frees *out with
 * pd_spotify_artist_free. */
enum pd_result pd_spotify_find_artist(struct pd_spotify *sp, const char *name,
                                      struct pd_spotify_artist *out, char *err, size_t errlen);

/* The artist's albums (GET /artists/{id}/albums?include_groups=album, following "next" for at
 * most PD_SPOTIFY_MAX_PAGES pages; "next" must stay under api_base) as pd_spotify_albums_from
 * makes them.  PD_E_NOTFOUND when Spotify does not know the id.  Caller owns *albums. */
enum pd_result pd_spotify_albums(struct pd_spotify *sp, const char *artist_id, json_t **albums,
                                 char *err, size_t errlen);

/* Pure parsers, exposed for tests and for callers holding an answer already. */

/* Picks the artist called name (ASCII case ignored) from a search answer
 * ({"artists": {"items": [...]}}).  PD_E_INVALID when the answer has no items array,
 * PD_E_NOTFOUND when no item is called name. */
enum pd_result pd_spotify_artist_from(json_t *search, const char *name,
                                      struct pd_spotify_artist *out);

/* Album objects (the items of every page, in any order) to
 * [{"id", "name", "release_date": "YYYY-MM-DD", "images": [...widest first]}], oldest first;
 * a year-precision date becomes January 1st and a month-precision one the 1st of the month.
 * Of albums whose names are equal ignoring ASCII case only the earliest is kept (the same day:
 * the one listed first).  Items without an id, a name or a valid date are left out.
 * Caller owns the result; NULL only when out of memory. */
json_t *pd_spotify_albums_from(json_t *items);

/* Spotify's images ([{"url", "height", "width"}]) as [{"url", "width", "height"}], widest
 * first, then tallest (unknown sizes last, ties in their given order).  Caller owns. */
json_t *pd_spotify_images_from(json_t *images);

/* release_date at release_date_precision ("day", "month", "year"; NULL: from its length) as
 * "YYYY-MM-DD" in out.  false when the date is malformed or does not match the precision. */
bool pd_spotify_release_date(const char *date, const char *precision, char out[11]);

/* The message of an error answer, either the Web API's {"error": {"status", "message"}} or
 * the accounts service's {"error": "code", "error_description": "text"} ("text (code)").
 * "no error message" when body is neither.  Always NUL-terminates out. */
void pd_spotify_error_text(json_t *body, char *out, size_t outlen);

#endif
