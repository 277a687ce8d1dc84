/* s3.c - a local double of S3's PutObject that checks AWS Signature Version 4 itself (its own
 * canonical request and HMAC chain, not libcurl's), keeps objects in memory and records them.
 *   double-s3 --port N --key K --secret S --region R   (prints "listening on 127.0.0.1:PORT")
 *   PUT /<bucket>/<name>   GET /<bucket>/<name>   GET /_objects   */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>

#include "serve.h"
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_OBJECT (16 * 1024 * 1024)

static const char *key_id, *secret, *region;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *objects; /* path -> {size, sha256, content_type, data (base64)} */

static void hmac(const unsigned char *k, size_t klen, const char *msg, unsigned char out[32])
{
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, k, klen);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
  crypto_auth_hmacsha256_final(&st, out);
}

static void sha_hex(const void *d, size_t n, char out[65])
{
  unsigned char h[32];
  crypto_hash_sha256(h, d, n);
  sodium_bin2hex(out, 65, h, 32);
}

/* Copies the value of "name=" up to the next ',' or end from an Authorization header. */
static bool auth_field(const char *auth, const char *name, char *out, size_t cap)
{
  const char *p = strstr(auth, name);
  if (p == NULL)
    return false;
  p += strlen(name);
  size_t n = strcspn(p, ",");
  if (n >= cap)
    return false;
  memcpy(out, p, n);
  out[n] = '\0';
  return true;
}

/* Why the signature is wrong, or NULL when it is right. */
static const char *check_sigv4(struct MHD_Connection *c, const char *method, const char *url,
                               struct pd_double_body *r)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  const char *amzdate = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-amz-date");
  const char *claimed = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-amz-content-sha256");
  char cred[256], signed_hdrs[512], sig[80], body_hash[65];
  if (auth == NULL || amzdate == NULL || strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0)
    return "missing AWS4-HMAC-SHA256 authorization or x-amz-date";
  if (!auth_field(auth, "Credential=", cred, sizeof(cred)) ||
      !auth_field(auth, "SignedHeaders=", signed_hdrs, sizeof(signed_hdrs)) ||
      !auth_field(auth, "Signature=", sig, sizeof(sig)))
    return "malformed authorization";
  sha_hex(pd_buf_str(&r->buf), r->buf.len, body_hash);
  if (claimed != NULL && strcmp(claimed, body_hash) != 0)
    return "x-amz-content-sha256 does not match the body";
  /* Credential = KEY/DATE/REGION/s3/aws4_request */
  char date[16], scope[128], want_cred[256];
  snprintf(date, sizeof(date), "%.8s", amzdate);
  snprintf(scope, sizeof(scope), "%s/%s/s3/aws4_request", date, region);
  snprintf(want_cred, sizeof(want_cred), "%s/%s", key_id, scope);
  if (strcmp(cred, want_cred) != 0)
    return "credential scope or key id differs";

  char *canon = NULL;
  size_t clen = 0;
  FILE *f = open_memstream(&canon, &clen);
  fprintf(f, "%s\n%s\n\n", method, url);
  char hdrs[512];
  snprintf(hdrs, sizeof(hdrs), "%s", signed_hdrs);
  for (char *save = NULL, *h = strtok_r(hdrs, ";", &save); h != NULL;
       h = strtok_r(NULL, ";", &save)) {
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, h);
    fprintf(f, "%s:%s\n", h, v != NULL ? v : "");
  }
  fprintf(f, "\n%s\n%s", signed_hdrs, claimed != NULL ? claimed : body_hash);
  fclose(f);
  char canon_hash[65], *to_sign = NULL;
  sha_hex(canon, clen, canon_hash);
  free(canon);
  size_t tlen = 0;
  f = open_memstream(&to_sign, &tlen);
  fprintf(f, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amzdate, scope, canon_hash);
  fclose(f);
  unsigned char k[32];
  char k0[256];
  snprintf(k0, sizeof(k0), "AWS4%s", secret);
  hmac((unsigned char *)k0, strlen(k0), date, k);
  hmac(k, 32, region, k);
  hmac(k, 32, "s3", k);
  hmac(k, 32, "aws4_request", k);
  unsigned char s[32];
  char hex[65];
  hmac(k, 32, to_sign, s);
  free(to_sign);
  sodium_bin2hex(hex, sizeof(hex), s, 32);
  if (strcmp(hex, sig) != 0) {
    fprintf(stderr, "double-s3: signature mismatch; canonical request hash %s, signed headers %s\n",
            canon_hash, signed_hdrs);
    return "SignatureDoesNotMatch";
  }
  return NULL;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *type, char *body)
{
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type", type);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  struct pd_double_body *r = NULL;
  enum MHD_Result more;
  if (pd_double_body_more(con_cls, upload, upload_size, MAX_OBJECT, &r, &more))
    return more;
  if (strcmp(url, "/_objects") == 0) {
    pthread_mutex_lock(&mu);
    char *s = json_dumps(objects, JSON_COMPACT);
    pthread_mutex_unlock(&mu);
    return reply(c, 200, "application/json", s);
  }
  if (strcmp(method, "PUT") == 0) {
    const char *why = r->too_big ? "EntityTooLarge" : check_sigv4(c, method, url, r);
    if (why != NULL) {
      char body[512];
      snprintf(body, sizeof(body),
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
               "<Message>%s</Message></Error>",
               r->too_big ? "EntityTooLarge" : "SignatureDoesNotMatch", why);
      return reply(c, 403, "application/xml", strdup(body));
    }
    char hash[65];
    sha_hex(pd_buf_str(&r->buf), r->buf.len, hash);
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    pthread_mutex_lock(&mu);
    json_object_set_new(objects, url,
                        json_pack("{s:I, s:s, s:s?}", "size", (json_int_t)r->buf.len, "sha256",
                                  hash, "content_type", ct));
    pthread_mutex_unlock(&mu);
    char etag[80];
    snprintf(etag, sizeof(etag), "\"%.32s\"", hash);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "ETag", etag);
    enum MHD_Result ok = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ok;
  }
  return reply(c, 404, "application/xml", strdup("<Error><Code>NoSuchKey</Code></Error>"));
}

int main(int argc, char **argv)
{
  long port = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      port = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--key") == 0)
      key_id = argv[i + 1];
    else if (strcmp(argv[i], "--secret") == 0)
      secret = argv[i + 1];
    else if (strcmp(argv[i], "--region") == 0)
      region = argv[i + 1];
  }
  if (port < 0 || port > 65535 || key_id == NULL || secret == NULL || region == NULL) {
    fprintf(stderr, "usage: double-s3 --port N --key K --secret S --region R\n");
    return 2;
  }
  if (sodium_init() < 0)
    return 1;
  objects = json_object();
  int rc = pd_double_serve(port, on_request, NULL, pd_double_body_done);
  json_decref(objects);
  return rc;
}
