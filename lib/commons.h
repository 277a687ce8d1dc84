/* commons.h - photo search on Wikimedia Commons through the MediaWiki Action API (JSON,
 * formatversion=2): the freely licensed concert, red-carpet and press photos an era's search
 * keyword finds, each with what the classifier reads (file title, description, categories,
 * the date it was taken) and the licence and author that must travel with the image. */
#ifndef PD_COMMONS_H
#define PD_COMMONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

/* Wikimedia's User-Agent policy: "<client>/<version> (<contact>) <library>". */
#define PD_COMMONS_USER_AGENT "PopDeck/0.1.0 ( https://github.com/popdeck ) libcurl"
#define PD_COMMONS_TIMEOUT_MS 15000L
#define PD_COMMONS_MAX_LIMIT 50 /* gsrlimit allowed to clients that are not bots */
#define PD_COMMONS_KEYWORD_MAX                                                                     \
  280                            /* CirrusSearch refuses queries over 300 characters, and          \
                                  * " filetype:bitmap" is added to the keyword */
#define PD_COMMONS_TEXT_MAX 4096 /* bytes kept of a description (the classifier reads 16 KiB) */

struct pd_commons {
  const char *base; /* COMMONS_API_BASE, e.g. https://commons.wikimedia.org/w/api.php */
};

/* One GET: the bitmap files (namespace 6) CirrusSearch finds for keyword, at most limit of
 * them (clamped to PD_COMMONS_MAX_LIMIT), with their image info and licence metadata.
 * *results is what pd_commons_results_from makes of the answer, each result also carrying
 * "keyword".  Fewer than limit come back when some are not usable.  No match is PD_OK with
 * an empty array.  PD_E_INVALID for an empty or over-long keyword or limit < 1;
 * PD_E_UPSTREAM for no answer, a status other than 200, a body that is not JSON or a
 * MediaWiki error ({"error": {"code", "info"}}), with why in err.  Caller owns *results. */
enum pd_result pd_commons_search(const struct pd_commons *cm, const char *keyword, int limit,
                                 json_t **results, char *err, size_t errlen);

/* The usable files of a query answer (query.pages, formatversion 2's array or 1's object), in
 * search order (each page's "index"), as
 *   {"url", "page_url", "title", "width", "height", "mime",
 *    "description": ImageDescription as plain text (may be ""),
 *    "categories": [the "|"-separated Categories],
 *    "date": "YYYY-MM-DD" when DateTimeOriginal has a day or a month ("March 2023" is the 1st;
 *            a year alone is too coarse to place a photo in an era and is left out),
 *    "text": title without "File:" and extension, then the description  } for
 *    "tags": the categories joined by " | "                               } pd_classify_input
 *    "license": {"source": "Wikimedia Commons", "short_name", "url"?, "artist"? (plain text),
 *                "credit"? (plain text), "attribution_required": bool, "page": page_url}}.
 * Only image/jpeg, image/png and image/webp under a free licence are kept: public domain,
 * CC0, CC BY and CC BY-SA in any version or port; anything else (NC, ND, GFDL-only,
 * "Fair use", none) is left out.  AttributionRequired is "true"/"false"; when absent, CC BY
 * and CC BY-SA require attribution.  Never NULL unless memory runs out; caller owns. */
json_t *pd_commons_results_from(json_t *api_answer);

#ifdef PD_UNITTEST
/* Text of an HTML fragment into out (always NUL-terminated, cut on a UTF-8 boundary): tags,
 * comments and the content of <script> and <style> dropped, block tags and <br> turned into
 * a space, the usual named entities and numeric ones decoded (control characters, surrogates
 * and code points past U+10FFFF become U+FFFD), white space collapsed and trimmed.  Returns
 * the length written. */
size_t commons_strip_html(const char *html, char *out, size_t outlen);
/* The date DateTimeOriginal holds, as "YYYY-MM-DD": an HTML datetime="..." attribute, else the
 * first of an ISO or EXIF date ("2015-06-13", "2015:06:13 20:15:00", "2015-06"), "13 June
 * 2015", "June 13, 2015" or "June 2015" in its text.  False when there is none or the date
 * is not on the calendar (years 1800-2999). */
bool commons_date(const char *raw, char out[11]);
/* Whether a LicenseShortName is one PopDeck may use (see pd_commons_results_from). */
bool commons_free_license(const char *short_name);
#endif

#endif
