/* lastfm.h - the Last.fm API (JSON): the top-artists chart and similar artists, as names, and an
 * artist's listeners. */
#ifndef PD_LASTFM_H
#define PD_LASTFM_H

#include <jansson.h>
#include <stdint.h>

#include "pd.h"

struct pd_lastfm {
  const char *base;    /* LASTFM_BASE, e.g. https://ws.audioscrobbler.com/2.0 */
  const char *api_key; /* LASTFM_API_KEY */
};

/* Names of the top chart artists (chart.getTopArtists).  Caller owns *names (array of strings). */
enum pd_result pd_lastfm_top_artists(const struct pd_lastfm *fm, int limit, json_t **names,
                                     char *err, size_t errlen);
/* Names of artists similar to artist (artist.getSimilar). */
enum pd_result pd_lastfm_similar(const struct pd_lastfm *fm, const char *artist, int limit,
                                 json_t **names, char *err, size_t errlen);
/* How many listeners Last.fm counts for artist (artist.getInfo, stats.listeners).  PD_E_NOTFOUND
 * when Last.fm knows no such artist (its error 6). */
enum pd_result pd_lastfm_listeners(const struct pd_lastfm *fm, const char *artist,
                                   int64_t *listeners, char *err, size_t errlen);

#endif
