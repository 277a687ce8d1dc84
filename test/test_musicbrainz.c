/* test_musicbrainz.c - what the MusicBrainz client makes of its answers (the fixtures the
 * double serves): studio albums as eras, and a group's members from its relations; and the
 * UUID check every id passes before it goes into a URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "musicbrainz.h"

static json_t *fixture(const char *name)
{
  char path[256];
  snprintf(path, sizeof(path), "test/fixtures/musicbrainz/%s", name);
  json_t *j = json_load_file(path, 0, NULL);
  assert_non_null(j);
  return j;
}

static void test_eras_are_studio_albums_oldest_first(void **state)
{
  json_t *a = fixture("release-groups.json");
  json_t *eras = pd_mb_eras_from(a);
  const char *want[][2] = {{"Taylor Swift", "2006-10-24"},
                           {"Fearless", "2008-11-11"},
                           {"1989", "2014-10-27"},
                           {"Reputation", "2017-11-10"}};
  assert_int_equal(json_array_size(eras), 4);
  for (size_t i = 0; i < 4; i++) {
    json_t *e = json_array_get(eras, i);
    assert_string_equal(json_string_value(json_object_get(e, "name")), want[i][0]);
    assert_string_equal(json_string_value(json_object_get(e, "start")), want[i][1]);
  }
  json_decref(eras);
  json_decref(a);
}

static void test_members_from_relations(void **state)
{
  json_t *a = fixture("artist-fifth-harmony-rels.json");
  json_t *m = pd_mb_members_from(a);
  /* Five members, the one who left marked so; the group's own membership of another group
   * (forward) and a producer are not members. */
  assert_int_equal(json_array_size(m), 5);
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "name")),
                      "Ally Brooke");
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "role")), "member");
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 4), "name")),
                      "Camila Cabello");
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 4), "role")),
                      "former member");
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 4), "mbid")),
                      "11111111-aaaa-4aaa-8aaa-000000000005");
  json_decref(m);
  /* A member listed twice (two stints) is one member. */
  json_t *rels = json_object_get(a, "relations");
  json_array_append(rels, json_array_get(rels, 1));
  m = pd_mb_members_from(a);
  assert_int_equal(json_array_size(m), 5);
  json_decref(m);
  json_decref(a);
  /* No relations: no members. */
  a = json_pack("{s:s}", "name", "Solo");
  m = pd_mb_members_from(a);
  assert_int_equal(json_array_size(m), 0);
  json_decref(m);
  json_decref(a);
}

static void test_ids_are_uuids(void **state)
{
  struct {
    const char *id;
    bool ok;
  } rows[] = {
      {"20244d07-534f-4eff-b4d4-930878889970", true},
      {"20244D07-534F-4EFF-B4D4-930878889970", true}, /* the same id in capitals */
      {"00000000-0000-0000-0000-000000000000", true},
      {"20244d07-534f-4eff-b4d4-93087888997", false},   /* too short */
      {"20244d07-534f-4eff-b4d4-9308788899700", false}, /* too long */
      {"20244d07534f4effb4d4930878889970", false},      /* no dashes */
      {"20244d07-534f-4eff-b4d4_930878889970", false},
      {"20244d07-534f-4eff-b4d4-93087888997g", false},
      {"../../../admin?x=1&y=2", false},
      {"../release-group/20244d07-534f-4eff-b4", false},
      {"20244d07-534f-4eff-b4d4-930878889970/../x", false},
      {"20244d07-534f-4eff-b4d4-930878889970?inc=x", false},
      {"20244d07-534f-4eff-b4d4-93087888997 ", false},
      {" 20244d07-534f-4eff-b4d4-930878889970", false},
      {"20244d07-534f-4eff-b4d4-9308788%2e%2e", false},
      {"", false},
      {NULL, false},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
    if (pd_mb_id_valid(rows[i].id) != rows[i].ok)
      fail_msg("\"%s\": want %s", rows[i].id ? rows[i].id : "(null)",
               rows[i].ok ? "valid" : "refused");
}

/* A bad id never reaches the wire: refused before any request (the base is a closed port, so
 * a request would fail differently), and a bad id in an answer is dropped from the result. */
static void test_bad_ids_stay_out_of_urls(void **state)
{
  struct pd_mb mb = {"http://127.0.0.1:1/ws/2", 0};
  json_t *out = NULL;
  char err[200] = "";
  assert_int_equal(pd_mb_eras(&mb, "../../admin", &out, err, sizeof(err)), PD_E_INVALID);
  assert_string_equal(err, "MusicBrainz: artist id \"../../admin\" is not a UUID");
  assert_null(out);
  assert_int_equal(
      pd_mb_members(&mb, "20244d07-534f-4eff-b4d4-930878889970?inc=x", &out, err, sizeof(err)),
      PD_E_INVALID);
  assert_int_equal(mb.last_request_us, 0);

  json_t *a = json_pack("{s:[{s:s, s:s, s:s, s:s, s:[]}, {s:s, s:s, s:s, s:s, s:[]}]}",
                        "release-groups", "id", "../../x?y", "primary-type", "Album", "title",
                        "Debut", "first-release-date", "2001-02-03", "secondary-types", "id",
                        "20244d07-534f-4eff-b4d4-930878889971", "primary-type", "Album", "title",
                        "Second", "first-release-date", "2003", "secondary-types");
  json_t *eras = pd_mb_eras_from(a);
  assert_int_equal(json_array_size(eras), 2);
  assert_null(json_object_get(json_array_get(eras, 0), "mbid"));
  assert_string_equal(json_string_value(json_object_get(json_array_get(eras, 1), "mbid")),
                      "20244d07-534f-4eff-b4d4-930878889971");
  json_decref(eras);
  json_decref(a);

  a = fixture("artist-fifth-harmony-rels.json");
  json_t *rels = json_object_get(a, "relations");
  json_object_set_new(json_object_get(json_array_get(rels, 0), "artist"), "id",
                      json_string("x/../../y"));
  json_t *m = pd_mb_members_from(a);
  assert_int_equal(json_array_size(m), 5);
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "name")),
                      "Ally Brooke");
  assert_null(json_object_get(json_array_get(m, 0), "mbid"));
  json_decref(m);
  json_decref(a);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids_are_uuids),
      cmocka_unit_test(test_bad_ids_stay_out_of_urls),
      cmocka_unit_test(test_eras_are_studio_albums_oldest_first),
      cmocka_unit_test(test_members_from_relations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
