/* musicbrainz.h - the MusicBrainz web service (ws/2, JSON): find an artist, and turn its studio
 * albums into eras.  MusicBrainz allows one request per second per client; this client waits
 * as long as needed between requests and sends a proper User-Agent. */
#ifndef PD_MUSICBRAINZ_H
#define PD_MUSICBRAINZ_H

#include <jansson.h>
#include <stdbool.h>

#include "pd.h"

#define PD_MB_USER_AGENT "PopDeck/0.1.0 ( https://github.com/popdeck )"
#define PD_MB_INTERVAL_US 1000000

struct pd_mb {
  const char *base;        /* MUSICBRAINZ_BASE, e.g. https://musicbrainz.org/ws/2 */
  int64_t last_request_us; /* pd_now_us of the previous request, 0 before the first */
};

struct pd_mb_artist {
  char mbid[40];
  char name[256];
  bool is_group;
};

/* Whether s is a MusicBrainz id: a UUID, 8-4-4-4-12 hex digits and nothing else.  Either
 * case is accepted (MusicBrainz writes lowercase; capitals are the same id and, being only
 * [0-9A-F-], cannot change a URL's path or query).  Every id goes through this before it is
 * put in a URL. */
bool pd_mb_id_valid(const char *s);

/* The best match for name (score >= 90).  PD_E_NOTFOUND when nothing matches well;
 * PD_E_UPSTREAM when its id is not a UUID. */
enum pd_result pd_mb_find_artist(struct pd_mb *mb, const char *name, struct pd_mb_artist *out,
                                 char *err, size_t errlen);
/* Studio albums as eras, oldest first: [{"name": title, "start": "YYYY-MM-DD", "mbid": the
 * release group's id}].  Live albums,
 * compilations and re-recordings of an earlier title ("Fearless (Taylor's Version)") are left
 * out; a year-only date becomes January 1st; a release group whose id is not a UUID keeps
 * its era but has no "mbid" (so no cover is looked up).  PD_E_INVALID, before any request,
 * when mbid is not a UUID.  Caller owns *eras. */
enum pd_result pd_mb_eras(struct pd_mb *mb, const char *mbid, json_t **eras, char *err,
                          size_t errlen);

/* A group's members from its artist relations: [{"name", "mbid", "role": "member" or
 * "former member"}], each once, in MusicBrainz's order; a member whose id is not a UUID is
 * listed without "mbid".  PD_E_INVALID, before any request, when mbid is not a UUID. */
enum pd_result pd_mb_members(struct pd_mb *mb, const char *mbid, json_t **members, char *err,
                             size_t errlen);
json_t *pd_mb_members_from(json_t *artist_with_rels);

/* The era list from a release-group browse answer (exposed for tests). */
json_t *pd_mb_eras_from(json_t *release_groups);

#endif
