/* musicbrainz.c - a local double of the MusicBrainz web service (ws/2, JSON) serving the
 * fixtures in test/fixtures/musicbrainz/.  Like MusicBrainz it answers 503 to a client that
 * asks more than once a second; it records each request's time and User-Agent.  POST
 * /_control/delay?ms=N&count=C answers the next C requests only after N milliseconds (a slow
 * MusicBrainz, for jobs that must still be running when a test looks).
 *   double-musicbrainz --port N --fixtures DIR     GET /_requests */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>

#include "serve.h"
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIFTH_HARMONY "5a1b2c3d-0f5e-4a2b-8c0d-1a2b3c4d5e6f"

static const char *fixtures;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *recorded;
static int64_t last_ms;
static long delay_ms, delay_count;

static int64_t now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status, char *body)
{
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result fixture(struct MHD_Connection *c, const char *name)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", fixtures, name);
  json_t *j = json_load_file(path, 0, NULL);
  if (j == NULL)
    return send_json(c, 500, strdup("{\"error\":\"fixture missing\"}"));
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return send_json(c, 200, s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  if (strcmp(url, "/_requests") == 0) {
    pthread_mutex_lock(&mu);
    char *s = json_dumps(recorded, JSON_COMPACT);
    pthread_mutex_unlock(&mu);
    return send_json(c, 200, s);
  }
  if (strcmp(url, "/_control/delay") == 0) {
    const char *ms = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ms");
    const char *count = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "count");
    pthread_mutex_lock(&mu);
    delay_ms = ms != NULL ? strtol(ms, NULL, 10) : 0;
    delay_count = count != NULL ? strtol(count, NULL, 10) : 0;
    pthread_mutex_unlock(&mu);
    return send_json(c, 200, strdup("{}"));
  }
  const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
  int64_t t = now_ms();
  long hold = 0;
  pthread_mutex_lock(&mu);
  bool too_fast = last_ms != 0 && t - last_ms < 1000;
  last_ms = t;
  json_array_append_new(recorded, json_pack("{s:s, s:s?, s:I, s:b}", "path", url, "user_agent", ua,
                                            "at_ms", (json_int_t)t, "rate_limited", too_fast));
  if (delay_count > 0) {
    delay_count--;
    hold = delay_ms;
  }
  pthread_mutex_unlock(&mu);
  if (hold > 0) {
    struct timespec d = {hold / 1000, (hold % 1000) * 1000000};
    nanosleep(&d, NULL);
  }
  if (too_fast)
    return send_json(
        c, 503, strdup("{\"error\":\"Your requests are exceeding the allowable rate limit.\"}"));
  if (ua == NULL || strstr(ua, "PopDeck") == NULL)
    return send_json(c, 403, strdup("{\"error\":\"Please provide a meaningful User-Agent.\"}"));
  if (strcmp(url, "/ws/2/artist") == 0) {
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "query");
    if (q != NULL && strstr(q, "Taylor Swift") != NULL)
      return fixture(c, "artist-search.json");
    if (q != NULL && strstr(q, "Fifth Harmony") != NULL)
      return fixture(c, "artist-search-fifth-harmony.json");
    return send_json(
        c, 200,
        strdup(
            "{\"created\":\"2026-11-25T04:00:00.000Z\",\"count\":0,\"offset\":0,\"artists\":[]}"));
  }
  if (strcmp(url, "/ws/2/release-group") == 0) {
    const char *a = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "artist");
    if (a != NULL && strcmp(a, "20244d07-534f-4eff-b4d4-930878889970") == 0)
      return fixture(c, "release-groups.json");
    if (a != NULL && strcmp(a, FIFTH_HARMONY) == 0)
      return fixture(c, "release-groups-fifth-harmony.json");
    return send_json(c, 400, strdup("{\"error\":\"Invalid mbid.\"}"));
  }
  if (strcmp(url, "/ws/2/artist/" FIFTH_HARMONY) == 0)
    return fixture(c, "artist-fifth-harmony-rels.json");
  return send_json(c, 404, strdup("{\"error\":\"Not Found\"}"));
}

int main(int argc, char **argv)
{
  long port = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      port = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--fixtures") == 0)
      fixtures = argv[i + 1];
  }
  if (port < 0 || port > 65535 || fixtures == NULL) {
    fprintf(stderr, "usage: double-musicbrainz --port N --fixtures DIR\n");
    return 2;
  }
  recorded = json_array();
  int rc = pd_double_serve(port, on_request, NULL, NULL);
  json_decref(recorded);
  return rc;
}
