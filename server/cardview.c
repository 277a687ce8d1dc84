/* cardview.c - card embeds. */
#include "cardview.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const struct {
  const char *name, *label;
  int color;
} looks[] = {
    {"common", "Common", 0x9AA0A6}, {"rare", "Rare", 0x3B82F6},
    {"epic", "Epic", 0xA855F7},     {"legendary", "Legendary", 0xF59E0B},
    {"mythic", "Mythic", 0xEC4899},
};

int pd_rarity_color(const char *rarity)
{
  for (size_t i = 0; rarity != NULL && i < PD_ARRAY_LEN(looks); i++)
    if (strcmp(looks[i].name, rarity) == 0)
      return looks[i].color;
  return 0x7C5CFF;
}

const char *pd_rarity_label(const char *rarity)
{
  for (size_t i = 0; rarity != NULL && i < PD_ARRAY_LEN(looks); i++)
    if (strcmp(looks[i].name, rarity) == 0)
      return looks[i].label;
  return "Unknown";
}

/* s with Discord's markdown characters escaped, so an author called "*NSYNC fan_club" reads as
 * written and cannot open a link of its own; a character that does not fit is left out whole. */
static void escape_markdown(const char *s, char *out, size_t cap)
{
  size_t k = 0;
  for (; *s != '\0'; s++) {
    bool special = strchr("\\*_~`|[]()<>", *s) != NULL;
    if (k + 1 + special >= cap)
      break;
    if (special)
      out[k++] = '\\';
    out[k++] = *s;
  }
  while (k > 0 && (*s & 0xC0) == 0x80 && (out[k - 1] & 0xC0) == 0x80)
    k--; /* back over the bytes of a character cut in two... */
  if (k > 0 && (*s & 0xC0) == 0x80)
    k--; /* ...and its first byte */
  out[k] = '\0';
}

/* url with the characters that end or break a markdown link percent-encoded: Commons file
 * pages are often "..._(18329176834).jpg". */
static void link_target(const char *url, char *out, size_t cap)
{
  size_t k = 0;
  for (; *url != '\0' && k + 4 < cap; url++) {
    if (strchr("()<> ", *url) != NULL)
      k += (size_t)snprintf(out + k, cap - k, "%%%02X", (unsigned char)*url);
    else
      out[k++] = *url;
  }
  out[k] = '\0';
}

void pd_photo_credit_line(const struct pd_photo_credit *cr, char *out, size_t cap)
{
  char author[600], who[300], page[1600], licence[140];
  out[0] = '\0';
  if (cr->licence[0] == '\0' || cr->page[0] == '\0')
    return;
  escape_markdown(
      pd_utf8_short(who, sizeof(who), cr->author[0] != '\0' ? cr->author : "unknown author", 100),
      author, sizeof(author));
  escape_markdown(cr->licence, licence, sizeof(licence));
  link_target(cr->page, page, sizeof(page));
  pd_utf8_fmt(out, cap, "Photo: %s, %s · [source](%s)", author, licence, page);
}

json_t *pd_card_embed(const struct pd_card_info *c, const char *title, const char *text,
                      int64_t print_no, bool big)
{
  char credit[1200], desc[4096];
  char t[1100], printed[64];
  if (title != NULL)
    pd_utf8_copy(t, sizeof(t), title);
  else
    pd_utf8_fmt(t, sizeof(t), "%s — %s", c->artist, c->era);
  pd_utf8_clip(t, sizeof(t), PD_EMBED_TITLE_MAX);
  json_t *e =
      json_pack("{s:s, s:i, s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}], s:{s:s}}", "title", t, "color",
                pd_rarity_color(c->rarity), "fields", "name", "Rarity", "value",
                pd_rarity_label(c->rarity), "inline", 1, "name", "Card", "value", c->public_id,
                "inline", 1, big ? "image" : "thumbnail", "url", c->image_url);
  /* The photographer's credit goes with the picture, large or small: the licences ask it. */
  pd_photo_credit_line(&c->credit, credit, sizeof(credit));
  if (e != NULL && (text != NULL || credit[0] != '\0')) {
    pd_utf8_fmt(desc, sizeof(desc), "%s%s%s", text != NULL ? text : "",
                text != NULL && credit[0] ? "\n" : "", credit);
    json_object_set_new(e, "description", json_string(desc));
  }
  if (e != NULL && c->temporary) {
    char until[64];
    snprintf(until, sizeof(until), "Leaves collections <t:%lld:R>", (long long)c->expires_at);
    json_array_append_new(
        json_object_get(e, "fields"),
        json_pack("{s:s, s:s, s:b}", "name", "Event card", "value", until, "inline", 0));
  }
  /* The prune retired the artist: the card is no longer drawn, and every copy stays. */
  if (e != NULL && c->retired)
    json_array_append_new(json_object_get(e, "fields"),
                          json_pack("{s:s, s:s, s:b}", "name", "Retired", "value",
                                    "No longer drawn; copies stay yours", "inline", 0));
  if (e != NULL && print_no > 0) {
    snprintf(printed, sizeof(printed), "#%lld of %lld", (long long)print_no, (long long)c->copies);
    json_array_append_new(
        json_object_get(e, "fields"),
        json_pack("{s:s, s:s, s:b}", "name", "Print", "value", printed, "inline", 1));
  }
  return e;
}
