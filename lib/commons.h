/* commons.h - photo search on Wikimedia Commons (the MediaWiki API, JSON, formatversion 2):
 * freely licensed concert, red-carpet and press photos for an era's search keywords, each with
 * what the classifier reads (file name, description, categories, the date it was taken) and
 * its licence and author, which are kept with the image. */
#ifndef PD_COMMONS_H
#define PD_COMMONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

#define PD_COMMONS_USER_AGENT "PopDeck/0.1.0 (https://github.com/popdeck; ops@popdeck.invalid) libcurl"
#define PD_COMMONS_THUMB_W 1200 /* photos are fetched scaled to this width, not at full size */

struct pd_commons {
  const char *base; /* COMMONS_API_BASE, e.g. https://commons.wikimedia.org/w/api.php */
};

/* Bitmap files matching keyword (at most limit, 1..50), in search order, as candidates:
 * [{"url", "page_url", "title", "text", "tags", "date"?, "width", "height",
 *   "license": {"source": "Wikimedia Commons", "short_name", "url"?, "artist"?, "page"}}].
 * Only JPEG, PNG and WebP under a free licence (public domain, CC0, CC BY, CC BY-SA) are kept.
 * No result is PD_OK with an empty array; an error answer, a bad status, bad JSON or no
 * answer is PD_E_UPSTREAM with why in err. */
enum pd_result pd_commons_search(const struct pd_commons *cm, const char *keyword, int limit, json_t **results,
                                 char *err, size_t errlen);

/* The parser and its helpers, exposed for tests. */
json_t *pd_commons_results_from(json_t *answer);
/* Text of an HTML fragment: tags dropped, entities (&amp; &lt; &gt; &quot; &#39; &nbsp; &#NN;)
 * decoded, runs of white space made one space, trimmed. */
void pd_commons_strip_html(const char *html, char *out, size_t outlen);
/* The first YYYY-MM-DD (a real calendar date) in text, into out; false when there is none. */
bool pd_commons_date(const char *text, char out[11]);
/* Whether a LicenseShortName is one PopDeck may use. */
bool pd_commons_free_license(const char *short_name);

#endif
