/* stripe.c - Stripe Checkout Sessions over libcurl (see stripe.h). */
#include "stripe.h"

#include <curl/curl.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Appends "&name=escaped(value)" (no '&' first) to b. */
static bool form_add(struct pd_buf *b, const char *name, const char *value)
{
  char *v = curl_easy_escape(NULL, value, 0);
  if (v == NULL)
    return false;
  bool ok = (b->len == 0 || pd_buf_add(b, "&", 1) == PD_OK) &&
            pd_buf_add(b, name, strlen(name)) == PD_OK && pd_buf_add(b, "=", 1) == PD_OK &&
            pd_buf_add(b, v, strlen(v)) == PD_OK;
  curl_free(v);
  return ok;
}

char *pd_stripe_checkout_form(const struct pd_stripe_checkout *c)
{
  char amount[24], days[24];
  struct pd_buf b;
  if (c->currency == NULL || c->unit_amount <= 0 || c->product_name == NULL ||
      c->success_url == NULL || c->cancel_url == NULL || c->client_reference_id == NULL ||
      c->bundle == NULL)
    return NULL;
  snprintf(amount, sizeof(amount), "%" PRId64, c->unit_amount);
  snprintf(days, sizeof(days), "%" PRId64, c->interval_days);
  /* Stripe's recurring prices count at most a year of days. */
  if (c->interval_days < 0 || c->interval_days > 365)
    return NULL;
  bool sub = c->interval_days > 0;
  pd_buf_init(&b, 16 * 1024);
  /* The brackets of the field names are escaped too: Stripe decodes names like values. */
  bool ok = form_add(&b, "mode", sub ? "subscription" : "payment") &&
            form_add(&b, "line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D", c->currency) &&
            form_add(&b, "line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D", amount) &&
            form_add(&b, "line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D",
                     c->product_name) &&
            form_add(&b, "line_items%5B0%5D%5Bquantity%5D", "1") &&
            form_add(&b, "success_url", c->success_url) &&
            form_add(&b, "cancel_url", c->cancel_url) &&
            form_add(&b, "client_reference_id", c->client_reference_id) &&
            form_add(&b, "metadata%5Bbundle%5D", c->bundle) &&
            form_add(&b, "metadata%5Bdiscord_id%5D", c->client_reference_id);
  /* The session's metadata stays on the session; the invoices that pay (the first and every
   * renewal) carry the subscription's, so the player and bundle go there too. */
  if (ok && sub)
    ok = form_add(&b, "line_items%5B0%5D%5Bprice_data%5D%5Brecurring%5D%5Binterval%5D", "day") &&
         form_add(&b, "line_items%5B0%5D%5Bprice_data%5D%5Brecurring%5D%5Binterval_count%5D",
                  days) &&
         form_add(&b, "subscription_data%5Bmetadata%5D%5Bbundle%5D", c->bundle) &&
         form_add(&b, "subscription_data%5Bmetadata%5D%5Bdiscord_id%5D", c->client_reference_id);
  if (!ok) {
    pd_buf_free(&b);
    return NULL;
  }
  return pd_buf_take(&b, NULL);
}

enum pd_result pd_stripe_session_from(long status, json_t *body, struct pd_stripe_session *out,
                                      char *err, size_t errlen)
{
  memset(out, 0, sizeof(*out));
  if (status == 200) {
    const char *id = json_string_value(json_object_get(body, "id"));
    const char *url = json_string_value(json_object_get(body, "url"));
    if (id == NULL || url == NULL || strncmp(id, "cs_", 3) != 0 || strlen(id) >= sizeof(out->id) ||
        strlen(url) >= sizeof(out->url) || strncmp(url, "http", 4) != 0) {
      snprintf(err, errlen, "Stripe answered 200 without a Checkout Session id and url");
      return PD_E_UPSTREAM;
    }
    snprintf(out->id, sizeof(out->id), "%s", id);
    snprintf(out->url, sizeof(out->url), "%s", url);
    return PD_OK;
  }
  json_t *e = json_object_get(body, "error");
  const char *msg = json_string_value(json_object_get(e, "message"));
  const char *type = json_string_value(json_object_get(e, "type"));
  const char *code = json_string_value(json_object_get(e, "code"));
  if (msg == NULL)
    snprintf(err, errlen, "Stripe answered %ld without an error object", status);
  else
    snprintf(err, errlen, "Stripe answered %ld: %s (%s%s%s)", status, msg,
             type != NULL ? type : "no type", code != NULL ? ", " : "", code != NULL ? code : "");
  return PD_E_UPSTREAM;
}

static size_t collect(char *d, size_t s, size_t n, void *arg)
{
  return pd_buf_add(arg, d, s * n) == PD_OK ? s * n : 0;
}

/* Overwrites each copy of the key in s (should Stripe ever echo it) with '*'. */
static void redact(char *s, const char *secret)
{
  size_t n = secret != NULL ? strlen(secret) : 0;
  if (n < 8)
    return;
  for (char *at = strstr(s, secret); at != NULL; at = strstr(at + n, secret))
    memset(at, '*', n);
}

enum pd_result pd_stripe_checkout_create(const struct pd_stripe *s,
                                         const struct pd_stripe_checkout *c,
                                         struct pd_stripe_session *out, char *err, size_t errlen)
{
  char url[1024], auth[512], idem[300], cerr[CURL_ERROR_SIZE] = "";
  struct curl_slist *hdr = NULL, *h2;
  struct pd_buf b;
  enum pd_result rc = PD_OK;
  json_t *body = NULL;
  CURL *curl = NULL;
  memset(out, 0, sizeof(*out));
  err[0] = '\0';
  if (s->api_base == NULL || s->secret_key == NULL || s->secret_key[0] == '\0') {
    snprintf(err, errlen, "STRIPE_SECRET_KEY is not set");
    return PD_E_INVALID;
  }
  char *form = pd_stripe_checkout_form(c);
  if (form == NULL || c->idempotency_key == NULL) {
    free(form);
    snprintf(err, errlen, "the checkout lacks a field");
    return PD_E_INVALID;
  }
  pd_buf_init(&b, PD_STRIPE_MAX_BODY);
  snprintf(url, sizeof(url), "%s/v1/checkout/sessions", s->api_base);
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->secret_key);
  snprintf(idem, sizeof(idem), "Idempotency-Key: %s", c->idempotency_key);
  const char *headers[] = {"Accept: application/json",
                           "Content-Type: application/x-www-form-urlencoded", auth, idem};
  for (size_t i = 0; i < PD_ARRAY_LEN(headers); i++) {
    if ((h2 = curl_slist_append(hdr, headers[i])) == NULL) {
      rc = PD_E_NOMEM;
      goto out;
    }
    hdr = h2;
  }
  if ((curl = curl_easy_init()) == NULL) {
    rc = PD_E_NOMEM;
    goto out;
  }
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, PD_STRIPE_USER_AGENT);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, s->timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
  CURLcode cc = curl_easy_perform(curl);
  if (cc != CURLE_OK) {
    snprintf(err, errlen, "Stripe could not be reached: %s",
             cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
    rc = PD_E_UPSTREAM;
    goto out;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  body = b.len > 0 ? json_loadb(b.p, b.len, 0, NULL) : NULL;
  rc = pd_stripe_session_from(status, body, out, err, errlen);
out:
  sodium_memzero(auth, sizeof(auth));
  redact(err, s->secret_key);
  json_decref(body);
  curl_slist_free_all(hdr);
  curl_easy_cleanup(curl);
  pd_buf_free(&b);
  free(form);
  return rc;
}
