/* commons.c - a local double of the Wikimedia Commons API (api.php, JSON, formatversion 2) for
 * photo search: GET /w/api.php answers a generator=search from test/fixtures/commons/<slug>.json,
 * the slug being the search text without "filetype:bitmap", lowercased, other characters as
 * '-'; an unknown search is a valid empty answer.  Like Wikimedia it refuses a request without a
 * User-Agent (403) and answers bad parameters with its error object (status 200).  Image URLs
 * of the fixtures point at --image-base instead of https://upload.wikimedia.org.  Every
 * request is recorded: GET /_requests.
 *   double-commons --port N --fixtures DIR [--image-base URL] */
#include <ctype.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static const char *fixtures, *image_base;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *recorded;

static enum MHD_Result send_body(struct MHD_Connection *c, int status, const char *type, char *body)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, "Content-Type", type);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}


static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
  const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
  if (strcmp(url, "/_requests") == 0) {
    pthread_mutex_lock(&mu);
    char *s = json_dumps(recorded, JSON_COMPACT);
    pthread_mutex_unlock(&mu);
    return send_body(c, 200, "application/json", s);
  }
  const char *search = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "gsrsearch");
  pthread_mutex_lock(&mu);
  json_array_append_new(recorded, json_pack("{s:s, s:s?, s:s?}", "path", url, "user_agent", ua, "gsrsearch", search));
  pthread_mutex_unlock(&mu);
  if (ua == NULL || ua[0] == '\0')
    return send_body(c, 403, "text/plain", strdup("Please set a user-agent and respect our robot policy "
                                                   "https://w.wiki/4wJS. See also T400119.\n"));
  if (strcmp(url, "/w/api.php") != 0)
    return send_body(c, 404, "text/plain", strdup("Not Found"));
  const char *action = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "action");
  const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
  if (action == NULL || strcmp(action, "query") != 0 || format == NULL || strcmp(format, "json") != 0 || search == NULL)
    return send_body(c, 200, "application/json",
                     strdup("{\"error\":{\"code\":\"badvalue\",\"info\":\"Unrecognized value for parameter \\\"action\\\".\","
                            "\"docref\":\"See https://commons.wikimedia.org/w/api.php for API usage.\"},"
                            "\"servedby\":\"mw-api-ext.double\"}"));
  char slug[256], path[1024];
  size_t n = 0;
  const char *end = strstr(search, " filetype:bitmap");
  size_t len = end != NULL ? (size_t)(end - search) : strlen(search);
  for (size_t i = 0; i < len && n + 1 < sizeof(slug); i++)
    slug[n++] = isalnum((unsigned char)search[i]) ? (char)tolower((unsigned char)search[i]) : '-';
  slug[n] = '\0';
  snprintf(path, sizeof(path), "%s/%s.json", fixtures, slug);
  json_t *j = json_load_file(path, 0, NULL);
  if (j == NULL)
    return send_body(c, 200, "application/json", strdup("{\"batchcomplete\":true}"));
  if (image_base != NULL)
    pd_double_rebase_urls(j, "https://upload.wikimedia.org", image_base);
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return send_body(c, 200, "application/json; charset=utf-8", s);
}

int main(int argc, char **argv)
{
  long port = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      port = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--fixtures") == 0)
      fixtures = argv[i + 1];
    else if (strcmp(argv[i], "--image-base") == 0)
      image_base = argv[i + 1];
  }
  if (port < 0 || port > 65535 || fixtures == NULL) {
    fprintf(stderr, "usage: double-commons --port N --fixtures DIR [--image-base URL]\n");
    return 2;
  }
  recorded = json_array();
  int rc = pd_double_serve(port, on_request, NULL, NULL);
  json_decref(recorded);
  return rc;
}
