/* test_storage.c - card file names (revisions, what may be served), the URL each backend
 * gives a card, attachment:// names, and the local backend's put and get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage.h"

static void test_card_names(void **state)
{
  char out[64];
  assert_int_equal(pd_storage_card_name("TAYL_19#03", 1, out, sizeof(out)), PD_OK);
  assert_string_equal(out, "TAYL_19-03.png");
  assert_int_equal(pd_storage_card_name("TAYL_19#03", 0, out, sizeof(out)), PD_OK);
  assert_string_equal(out, "TAYL_19-03.png");
  /* A new picture is a new file: the old one stays cached as immutable elsewhere. */
  assert_int_equal(pd_storage_card_name("TAYL_19#03", 2, out, sizeof(out)), PD_OK);
  assert_string_equal(out, "TAYL_19-03-r2.png");
  assert_int_equal(pd_storage_card_name("TAYL_19#03", 12, out, sizeof(out)), PD_OK);
  assert_string_equal(out, "TAYL_19-03-r12.png");
  assert_int_equal(pd_storage_card_name("TAYL_19#03", 2, out, 17), PD_E_INVALID); /* no room */
  assert_int_equal(pd_storage_card_name("", 1, out, sizeof(out)), PD_E_INVALID);
  assert_int_equal(pd_storage_card_name("../x", 1, out, sizeof(out)), PD_E_INVALID);
}

static void test_names_that_may_be_served(void **state)
{
  const char *ok[] = {"TAYL_19-03.png", "a.png", "TAYL_19-03-r2.png"};
  const char *bad[] = {".png",
                       "a.b.png",
                       "../a.png",
                       "a/b.png",
                       "A.PNG",
                       "a.png ",
                       "a%2F.png",
                       "",
                       "x123456789012345678901234567890123456789012345678901234567890123456.png"};
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
    assert_true(pd_storage_name_ok(ok[i]));
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_false(pd_storage_name_ok(bad[i]));
}

static void test_urls_per_backend(void **state)
{
  char out[256];
  struct pd_config c = {.listen_host = "127.0.0.1", .listen_port = 8080};
  pd_storage_card_url(&c, "TAYL_19-03.png", out, sizeof(out));
  assert_string_equal(out, "http://127.0.0.1:8080/cards/TAYL_19-03.png");
  c.public_base_url = "https://popdeck.example";
  pd_storage_card_url(&c, "TAYL_19-03.png", out, sizeof(out));
  assert_string_equal(out, "https://popdeck.example/cards/TAYL_19-03.png");
  c.storage = PD_STORAGE_S3;
  c.s3_endpoint = "https://s3.eu-west-3.amazonaws.com";
  c.s3_bucket = "cards";
  pd_storage_card_url(&c, "TAYL_19-03.png", out, sizeof(out));
  assert_string_equal(out, "https://s3.eu-west-3.amazonaws.com/cards/TAYL_19-03.png");
  c.cdn_url = "https://cdn.popdeck.example";
  pd_storage_card_url(&c, "TAYL_19-03.png", out, sizeof(out));
  assert_string_equal(out, "https://cdn.popdeck.example/TAYL_19-03.png");
  c.storage = PD_STORAGE_DISCORD;
  pd_storage_card_url(&c, "TAYL_19-03.png", out, sizeof(out));
  assert_string_equal(out, "attachment://TAYL_19-03.png");
}

static void test_attachment_names(void **state)
{
  assert_string_equal(pd_storage_attachment_name("attachment://TAYL_19-03.png"), "TAYL_19-03.png");
  assert_null(pd_storage_attachment_name("attachment://../etc/passwd.png"));
  assert_null(pd_storage_attachment_name("attachment://profile.jpg"));
  assert_null(pd_storage_attachment_name("https://cdn.example/TAYL_19-03.png"));
  assert_null(pd_storage_attachment_name("attachment:/TAYL_19-03.png"));
  assert_null(pd_storage_attachment_name(NULL));
}

static void test_local_put_and_get(void **state)
{
  char dir[] = "/tmp/pd-storage-XXXXXX", err[300], path[600];
  assert_non_null(mkdtemp(dir));
  struct pd_config c = {.cards_dir = dir, .storage = PD_STORAGE_LOCAL};
  assert_int_equal(pd_storage_put(&c, "TAYL_19-03.png", "card", 4, err, sizeof(err)), PD_OK);
  assert_int_equal(pd_storage_put(&c, "art/0123456789abcdef.png", "art!", 4, err, sizeof(err)),
                   PD_OK);
  assert_int_equal(pd_storage_put(&c, "art/../x.png", "no", 2, err, sizeof(err)), PD_E_INVALID);
  assert_non_null(strstr(err, "not a storable name"));
  assert_int_equal(pd_storage_put(&c, "nested/x.png", "no", 2, err, sizeof(err)), PD_E_INVALID);
  void *data = NULL;
  size_t len = 0;
  assert_int_equal(pd_storage_local_get(dir, "TAYL_19-03.png", 100, &data, &len), PD_OK);
  assert_int_equal(len, 4);
  assert_memory_equal(data, "card", 4);
  free(data);
  assert_int_equal(pd_storage_local_get(dir, "TAYL_19-03.png", 3, &data, &len), PD_E_TOOBIG);
  assert_int_equal(pd_storage_local_get(dir, "art", 100, &data, &len), PD_E_NOTFOUND);
  assert_int_equal(pd_storage_local_get(dir, "NOPE_00-01.png", 100, &data, &len), PD_E_NOTFOUND);
  /* Source art sits in art/, which no card name can reach. */
  snprintf(path, sizeof(path), "%s/art/0123456789abcdef.png", dir);
  assert_int_equal(access(path, R_OK), 0);
  unlink(path);
  snprintf(path, sizeof(path), "%s/art", dir);
  rmdir(path);
  snprintf(path, sizeof(path), "%s/TAYL_19-03.png", dir);
  unlink(path);
  assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_card_names),        cmocka_unit_test(test_names_that_may_be_served),
      cmocka_unit_test(test_urls_per_backend),  cmocka_unit_test(test_attachment_names),
      cmocka_unit_test(test_local_put_and_get),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
