/* lastfm.c - a local double of the Last.fm API (JSON) serving test/fixtures/lastfm/: the
 * top-artists chart, similar artists and artist.getInfo (the fixture's entry of that name, else
 * Last.fm's error 6); a wrong api_key gets Last.fm's error 10 with 403.  It records every API
 * request's method and artist:
 *   GET /_requests  [{method, artist}]      DELETE /_requests forgets them
 *   double-lastfm --port N --fixtures DIR --key K */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>

#include "serve.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *fixtures, *key;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *recorded;

static enum MHD_Result send_json(struct MHD_Connection *c, int status, char *body)
{
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  if (strcmp(url, "/_requests") == 0) {
    pthread_mutex_lock(&mu);
    char *s = strcmp(method, "DELETE") == 0 ? (json_array_clear(recorded), strdup("[]"))
                                            : json_dumps(recorded, JSON_COMPACT);
    pthread_mutex_unlock(&mu);
    return send_json(c, 200, s);
  }
  const char *m = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "method");
  const char *artist = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "artist");
  pthread_mutex_lock(&mu);
  json_array_append_new(recorded, json_pack("{s:s?, s:s?}", "method", m, "artist", artist));
  pthread_mutex_unlock(&mu);
  const char *k = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "api_key");
  const char *fmt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
  if (k == NULL || strcmp(k, key) != 0)
    return send_json(c, 403,
                     strdup("{\"error\":10,\"message\":\"Invalid API key - You must be granted a "
                            "valid key by last.fm\"}"));
  if (fmt == NULL || strcmp(fmt, "json") != 0 || m == NULL)
    return send_json(c, 400, strdup("{\"error\":6,\"message\":\"Invalid parameters\"}"));
  char path[1024];
  if (strcmp(m, "chart.gettopartists") == 0 || strcmp(m, "artist.getsimilar") == 0) {
    snprintf(path, sizeof(path), "%s/%s.json", fixtures, m);
    json_t *j = json_load_file(path, 0, NULL);
    return send_json(c, j != NULL ? 200 : 500,
                     j != NULL ? json_dumps(j, JSON_COMPACT) : strdup("{}"));
  }
  if (strcmp(m, "artist.getinfo") == 0) {
    /* The fixture is a list of getInfo answers; the one for this artist is sent. */
    snprintf(path, sizeof(path), "%s/artist.getinfo.json", fixtures);
    json_t *all = json_load_file(path, 0, NULL), *a;
    size_t i;
    char *body = NULL;
    json_array_foreach(all, i, a)
    {
      const char *name = json_string_value(json_object_get(json_object_get(a, "artist"), "name"));
      if (body == NULL && artist != NULL && name != NULL && strcasecmp(name, artist) == 0)
        body = json_dumps(a, JSON_COMPACT);
    }
    json_decref(all);
    if (body != NULL)
      return send_json(c, 200, body);
    return send_json(c, 200,
                     strdup("{\"error\":6,\"message\":\"The artist you supplied could not be "
                            "found\",\"links\":[]}"));
  }
  return send_json(c, 400,
                   strdup("{\"error\":3,\"message\":\"Invalid Method - No method with that name in "
                          "this package\"}"));
}

int main(int argc, char **argv)
{
  long port = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      port = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--fixtures") == 0)
      fixtures = argv[i + 1];
    else if (strcmp(argv[i], "--key") == 0)
      key = argv[i + 1];
  }
  if (port < 0 || port > 65535 || fixtures == NULL || key == NULL) {
    fprintf(stderr, "usage: double-lastfm --port N --fixtures DIR --key K\n");
    return 2;
  }
  recorded = json_array();
  return pd_double_serve(port, on_request, NULL, NULL);
}
