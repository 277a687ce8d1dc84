/* cardview.c - card embeds. */
#include "cardview.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const struct {
  const char *name, *label;
  int color;
} looks[] = {
  {"common", "Common", 0x9AA0A6},       {"rare", "Rare", 0x3B82F6},         {"epic", "Epic", 0xA855F7},
  {"legendary", "Legendary", 0xF59E0B}, {"mythic", "Mythic", 0xEC4899},
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

json_t *pd_card_embed(const struct pd_card_info *c, const char *title, int64_t print_no, bool big)
{
  char t[1100], printed[64];
  if (title != NULL)
    pd_utf8_copy(t, sizeof(t), title);
  else
    pd_utf8_fmt(t, sizeof(t), "%s — %s", c->artist, c->era);
  pd_utf8_clip(t, sizeof(t), PD_EMBED_TITLE_MAX);
  json_t *e = json_pack("{s:s, s:i, s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}], s:{s:s}}", "title", t, "color",
                        pd_rarity_color(c->rarity), "fields", "name", "Rarity", "value", pd_rarity_label(c->rarity),
                        "inline", 1, "name", "Card", "value", c->public_id, "inline", 1, big ? "image" : "thumbnail",
                        "url", c->image_url);
  if (e != NULL && c->temporary) {
    char until[64];
    snprintf(until, sizeof(until), "Leaves collections <t:%lld:R>", (long long)c->expires_at);
    json_array_append_new(json_object_get(e, "fields"),
                          json_pack("{s:s, s:s, s:b}", "name", "Event card", "value", until, "inline", 0));
  }
  if (e != NULL && print_no > 0) {
    snprintf(printed, sizeof(printed), "#%lld of %lld", (long long)print_no, (long long)c->copies);
    json_array_append_new(json_object_get(e, "fields"),
                          json_pack("{s:s, s:s, s:b}", "name", "Print", "value", printed, "inline", 1));
  }
  return e;
}
