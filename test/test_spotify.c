/* test_spotify.c - the Spotify client's pure parsers: release dates at every precision, image
 * order, the album list (order, duplicates, unusable items), the artist pick from a search
 * answer, and the text of both error shapes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "spotify.h"

struct date_row {
  const char *date, *precision;
  const char *want; /* NULL: refused */
};

static const struct date_row date_rows[] = {
    {"2014-10-27", "day", "2014-10-27"},
    {"2010-10", "month", "2010-10-01"},
    {"2008", "year", "2008-01-01"},
    /* no precision: taken from the length */
    {"2014-10-27", NULL, "2014-10-27"},
    {"2010-10", NULL, "2010-10-01"},
    {"2008", NULL, "2008-01-01"},
    /* calendar edges */
    {"2020-02-29", "day", "2020-02-29"},
    {"2000-02-29", "day", "2000-02-29"},
    {"2019-12-31", "day", "2019-12-31"},
    {"2019-02-29", "day", NULL},
    {"1900-02-29", "day", NULL},
    {"2019-04-31", "day", NULL},
    {"2019-13-01", "day", NULL},
    {"2019-00-10", "day", NULL},
    {"2019-01-00", "day", NULL},
    {"2019-00", "month", NULL},
    /* the precision and the date disagree */
    {"2014-10-27", "year", NULL},
    {"2014", "day", NULL},
    {"2014-10", "day", NULL},
    {"2014-10-27", "month", NULL},
    {"2014-10-27", "week", NULL},
    /* malformed */
    {"0000", "year", NULL},
    {"", "year", NULL},
    {"", NULL, NULL},
    {NULL, "day", NULL},
    {"14-10-27", NULL, NULL},
    {"2014/10/27", "day", NULL},
    {"2014-1-027", "day", NULL},
    {"2014-10-2x", "day", NULL},
    {"20x4", "year", NULL},
    {"2014-10-27T00:00:00Z", NULL, NULL},
    {" 2014", NULL, NULL},
};

static void test_release_dates(void **state)
{
  (void)state;
  for (size_t i = 0; i < PD_ARRAY_LEN(date_rows); i++) {
    const struct date_row *r = &date_rows[i];
    char out[11] = "untouched";
    bool ok = pd_spotify_release_date(r->date, r->precision, out);
    if (ok != (r->want != NULL))
      fail_msg("row %zu (%s, %s): %s", i, r->date ? r->date : "NULL",
               r->precision ? r->precision : "NULL", ok ? "accepted" : "refused");
    if (ok && strcmp(out, r->want) != 0)
      fail_msg("row %zu: got %s, want %s", i, out, r->want);
  }
}

static json_t *load(const char *text)
{
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  if (j == NULL)
    fail_msg("bad test JSON at %d: %s", e.line, e.text);
  return j;
}

/* Widest first (the card pipeline's floor is a width), then tallest, then as given. */
static void test_images_widest_first(void **state)
{
  (void)state;
  json_t *in = load("[{\"url\":\"https://i.scdn.co/image/small\",\"height\":64,\"width\":64},"
                    " {\"url\":\"https://i.scdn.co/image/unknown\",\"height\":null,\"width\":null},"
                    " {\"url\":\"https://i.scdn.co/image/large\",\"height\":640,\"width\":640},"
                    " {\"height\":1000,\"width\":1000},"
                    " {\"url\":\"\",\"height\":1000,\"width\":1000},"
                    " {\"url\":\"https://i.scdn.co/image/medium-a\",\"height\":300,\"width\":300},"
                    " {\"url\":\"https://i.scdn.co/image/wide\",\"height\":200,\"width\":800},"
                    " {\"url\":\"https://i.scdn.co/image/wide-tall\",\"height\":450,\"width\":800},"
                    " {\"url\":\"https://i.scdn.co/image/medium-b\",\"height\":300,\"width\":300},"
                    " \"not an object\"]");
  json_t *out = pd_spotify_images_from(in);
  static const char *const want[] = {"wide-tall", "wide",  "large",  "medium-a",
                                     "medium-b",  "small", "unknown"};
  assert_int_equal(json_array_size(out), PD_ARRAY_LEN(want));
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    json_t *im = json_array_get(out, i);
    const char *url = json_string_value(json_object_get(im, "url"));
    if (strcmp(url + strlen("https://i.scdn.co/image/"), want[i]) != 0)
      fail_msg("image %zu is %s, want %s", i, url, want[i]);
    assert_int_equal(json_object_size(im), 3);
  }
  assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 2), "width")), 640);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 2), "height")), 640);
  assert_true(json_is_null(json_object_get(json_array_get(out, 6), "width")));
  json_decref(out);
  json_decref(in);

  /* Not an array, or empty: an empty list. */
  out = pd_spotify_images_from(NULL);
  assert_int_equal(json_array_size(out), 0);
  json_decref(out);
}

/* Album items in Spotify's order (newest first), with one duplicate name, one differing only in
 * case, and items the list cannot use. */
static const char albums_json[] =
    "["
    "{\"id\":\"mid\",\"name\":\"Midnights\",\"release_date\":\"2022-10-21\",\"release_date_"
    "precision\":\"day\","
    " \"images\":[{\"url\":\"u/mid-64\",\"width\":64,\"height\":64},{\"url\":\"u/"
    "mid-640\",\"width\":640,\"height\":640}]},"
    "{\"id\":\"sn-dlx\",\"name\":\"Speak "
    "Now\",\"release_date\":\"2010-11-08\",\"release_date_precision\":\"day\"},"
    "{\"id\":\"rep-upper\",\"name\":\"Reputation\",\"release_date\":\"2017-11-10\",\"release_date_"
    "precision\":\"day\"},"
    "{\"id\":\"rep\",\"name\":\"reputation\",\"release_date\":\"2017-11-10\",\"release_date_"
    "precision\":\"day\"},"
    "{\"id\":\"1989\",\"name\":\"1989\",\"release_date\":\"2014-10-27\",\"release_date_precision\":"
    "\"day\"},"
    "{\"id\":\"sn\",\"name\":\"Speak "
    "Now\",\"release_date\":\"2010-10\",\"release_date_precision\":\"month\"},"
    "{\"id\":\"fearless\",\"name\":\"Fearless\",\"release_date\":\"2008\",\"release_date_"
    "precision\":\"year\"},"
    "{\"id\":\"unknown-date\",\"name\":\"Lost "
    "Tapes\",\"release_date\":\"0000\",\"release_date_precision\":\"year\"},"
    "{\"id\":\"no-date\",\"name\":\"Undated\"},"
    "{\"name\":\"No Id\",\"release_date\":\"2001-01-01\",\"release_date_precision\":\"day\"},"
    "{\"id\":\"no-name\",\"release_date\":\"2001-01-01\",\"release_date_precision\":\"day\"},"
    "{\"id\":\"empty-name\",\"name\":\"\",\"release_date\":\"2001-01-01\",\"release_date_"
    "precision\":\"day\"},"
    "{\"id\":\"ts\",\"name\":\"Taylor "
    "Swift\",\"release_date\":\"2006-10-24\",\"release_date_precision\":\"day\"},"
    "{\"id\":\"speak-now-later\",\"name\":\"SPEAK "
    "NOW\",\"release_date\":\"2023-07-07\",\"release_date_precision\":\"day\"}"
    "]";

static void test_albums_oldest_first_without_duplicates(void **state)
{
  (void)state;
  json_t *in = load(albums_json);
  json_t *out = pd_spotify_albums_from(in);
  static const struct {
    const char *id, *name, *date;
  } want[] = {
      {"ts", "Taylor Swift", "2006-10-24"},      {"fearless", "Fearless", "2008-01-01"},
      {"sn", "Speak Now", "2010-10-01"},         {"1989", "1989", "2014-10-27"},
      {"rep-upper", "Reputation", "2017-11-10"}, /* same day as "reputation": listed first wins */
      {"mid", "Midnights", "2022-10-21"},
  };
  assert_int_equal(json_array_size(out), PD_ARRAY_LEN(want));
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    json_t *a = json_array_get(out, i);
    assert_string_equal(json_string_value(json_object_get(a, "id")), want[i].id);
    assert_string_equal(json_string_value(json_object_get(a, "name")), want[i].name);
    assert_string_equal(json_string_value(json_object_get(a, "release_date")), want[i].date);
    assert_true(json_is_array(json_object_get(a, "images")));
    assert_int_equal(json_object_size(a), 4);
  }
  /* Images are sorted too. */
  json_t *imgs = json_object_get(json_array_get(out, 5), "images");
  assert_int_equal(json_array_size(imgs), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(imgs, 0), "url")),
                      "u/mid-640");
  json_decref(out);

  /* The order of the pages does not matter: reversed, the same list. */
  json_t *rev = json_array();
  for (size_t i = json_array_size(in); i > 0; i--)
    json_array_append(rev, json_array_get(in, i - 1));
  out = pd_spotify_albums_from(rev);
  assert_int_equal(json_array_size(out), PD_ARRAY_LEN(want));
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    const char *id = json_string_value(json_object_get(json_array_get(out, i), "id"));
    /* Reversed, "reputation" is listed before "Reputation" on their shared day. */
    assert_string_equal(id, strcmp(want[i].id, "rep-upper") == 0 ? "rep" : want[i].id);
  }
  json_decref(out);
  json_decref(rev);
  json_decref(in);

  /* Nothing usable: an empty list, not NULL. */
  static const char *const empty[] = {"[]", "{}", "null", "[1, \"x\", {}]"};
  for (size_t i = 0; i < PD_ARRAY_LEN(empty); i++) {
    in = load(empty[i]);
    out = pd_spotify_albums_from(in);
    assert_non_null(out);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_decref(in);
  }
}

static const char search_json[] =
    "{\"artists\":{\"href\":\"https://api.spotify.com/v1/"
    "search?query=taylor&type=artist&offset=0&limit=5\","
    " \"items\":["
    "  {\"id\":\"tribute\",\"name\":\"Taylor Swift "
    "Tribute\",\"popularity\":12,\"followers\":{\"href\":null,\"total\":30},"
    "   \"genres\":[],\"images\":[]},"
    "  {\"name\":\"taylor swift\",\"popularity\":5},"
    "  {\"id\":\"06HL4z0CvFAxyc27GXpf02\",\"name\":\"Taylor Swift\",\"popularity\":100,"
    "   \"followers\":{\"href\":null,\"total\":145000000},\"genres\":[\"pop\",7,\"country pop\"],"
    "   "
    "\"images\":[{\"url\":\"u/160\",\"height\":160,\"width\":160},{\"url\":\"u/"
    "640\",\"height\":640,\"width\":640}]},"
    "  {\"id\":\"second\",\"name\":\"TAYLOR SWIFT\",\"popularity\":1}"
    " ],\"limit\":5,\"next\":null,\"offset\":0,\"previous\":null,\"total\":4}}";

static void test_artist_pick(void **state)
{
  (void)state;
  json_t *s = load(search_json);
  /* The item without an id is passed over for the next one of that name. */
  static const char *const names[] = {"Taylor Swift", "taylor swift", "TAYLOR SWIFT",
                                      "tAyLoR sWiFt"};
  for (size_t i = 0; i < PD_ARRAY_LEN(names); i++) {
    struct pd_spotify_artist a;
    assert_int_equal(pd_spotify_artist_from(s, names[i], &a), PD_OK);
    assert_string_equal(a.id, "06HL4z0CvFAxyc27GXpf02");
    assert_string_equal(a.name, "Taylor Swift"); /* Spotify's spelling, not the query's */
    assert_int_equal(a.popularity, 100);
    assert_int_equal(a.followers, 145000000);
    assert_int_equal(json_array_size(a.genres), 2);
    assert_string_equal(json_string_value(json_array_get(a.genres, 1)), "country pop");
    assert_int_equal(json_array_size(a.images), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a.images, 0), "url")),
                        "u/640");
    pd_spotify_artist_free(&a);
    assert_null(a.genres);
    assert_null(a.images);
  }
  struct pd_spotify_artist a;
  assert_int_equal(pd_spotify_artist_from(s, "Taylor Swift Tribute", &a), PD_OK);
  assert_string_equal(a.id, "tribute");
  assert_int_equal(a.followers, 30);
  pd_spotify_artist_free(&a);

  /* A prefix, a longer name, or a near miss is not the artist. */
  static const char *const misses[] = {"Taylor", "Taylor Swift Tribute Band", "Taylor  Swift",
                                       "Taylor Swift ", ""};
  for (size_t i = 0; i < PD_ARRAY_LEN(misses); i++) {
    assert_int_equal(pd_spotify_artist_from(s, misses[i], &a), PD_E_NOTFOUND);
    assert_null(a.genres);
    assert_null(a.images);
  }
  json_decref(s);

  /* Not a search answer at all. */
  static const char *const bad[] = {"{}", "{\"artists\":{}}", "{\"artists\":{\"items\":{}}}", "[]"};
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    s = load(bad[i]);
    assert_int_equal(pd_spotify_artist_from(s, "Taylor Swift", &a), PD_E_INVALID);
    json_decref(s);
  }
  assert_int_equal(pd_spotify_artist_from(NULL, "Taylor Swift", &a), PD_E_INVALID);
  s = load("{\"artists\":{\"items\":[]}}");
  assert_int_equal(pd_spotify_artist_from(s, "Taylor Swift", &a), PD_E_NOTFOUND);
  json_decref(s);
  pd_spotify_artist_free(NULL);
}

static void test_error_text(void **state)
{
  (void)state;
  static const struct {
    const char *body; /* NULL: no body */
    const char *want;
  } rows[] = {
      {"{\"error\":{\"status\":401,\"message\":\"The access token expired\"}}",
       "The access token expired"},
      {"{\"error\":{\"status\":429,\"message\":\"API rate limit exceeded\"}}",
       "API rate limit exceeded"},
      {"{\"error\":{\"status\":404}}", "no error message"},
      {"{\"error\":\"invalid_client\",\"error_description\":\"Invalid client\"}",
       "Invalid client (invalid_client)"},
      {"{\"error\":\"unsupported_grant_type\"}", "unsupported_grant_type"},
      {"{\"message\":\"nope\"}", "no error message"},
      {"[]", "no error message"},
      {NULL, "no error message"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    json_t *b = rows[i].body != NULL ? load(rows[i].body) : NULL;
    char out[128];
    pd_spotify_error_text(b, out, sizeof(out));
    assert_string_equal(out, rows[i].want);
    json_decref(b);
  }
  /* A small buffer is cut, and still terminated. */
  json_t *b = load("{\"error\":{\"status\":401,\"message\":\"The access token expired\"}}");
  char small[8];
  pd_spotify_error_text(b, small, sizeof(small));
  assert_string_equal(small, "The acc");
  json_decref(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_release_dates),
      cmocka_unit_test(test_images_widest_first),
      cmocka_unit_test(test_albums_oldest_first_without_duplicates),
      cmocka_unit_test(test_artist_pick),
      cmocka_unit_test(test_error_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
