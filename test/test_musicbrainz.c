/* test_musicbrainz.c - what the MusicBrainz client makes of its answers (the fixtures the
 * double serves): studio albums as eras, and a group's members from its relations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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
  const char *want[][2] = {{"Taylor Swift", "2006-10-24"}, {"Fearless", "2008-11-11"}, {"1989", "2014-10-27"},
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
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "name")), "Ally Brooke");
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "role")), "member");
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 4), "name")), "Camila Cabello");
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 4), "role")), "former member");
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

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_eras_are_studio_albums_oldest_first),
    cmocka_unit_test(test_members_from_relations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
