/* player.c - shared embed pieces for commands that show a player. */
#include "player.h"

#include <stdio.h>
#include <stdlib.h>

#include "reply.h"

void pd_player_avatar_url(const char *user_id, const char *avatar_hash, char *out, size_t outlen)
{
  if (avatar_hash != NULL) {
    snprintf(out, outlen, "https://cdn.discordapp.com/avatars/%s/%s.png?size=256", user_id,
             avatar_hash);
  } else {
    /* Discord's default avatars for users without one: (id >> 22) % 6. */
    unsigned long long id = strtoull(user_id, NULL, 10);
    snprintf(out, outlen, "https://cdn.discordapp.com/embed/avatars/%llu.png", (id >> 22) % 6);
  }
}

json_t *pd_player_balance_fields(const struct pd_player *p)
{
  char notes[32], discs[32], gems[32];
  pd_fmt_thousands(p->notes, notes);
  pd_fmt_thousands(p->discs, discs);
  pd_fmt_thousands(p->gems, gems);
  return json_pack("[{s:s,s:s,s:b},{s:s,s:s,s:b},{s:s,s:s,s:b}]", "name", "Notes", "value", notes,
                   "inline", 1, "name", "Discs", "value", discs, "inline", 1, "name", "Gems",
                   "value", gems, "inline", 1);
}

json_t *pd_player_copies_field(const struct pd_copy_counts *n)
{
  char all[32], locked[32], listed[32], trading[32], text[200];
  pd_fmt_thousands(n->free_ + n->locked + n->listed + n->trading, all);
  pd_fmt_thousands(n->locked, locked);
  pd_fmt_thousands(n->listed, listed);
  pd_fmt_thousands(n->trading, trading);
  snprintf(text, sizeof(text), "%s copies: %s locked, %s listed, %s in a trade", all, locked,
           listed, trading);
  return json_pack("{s:s, s:s, s:b}", "name", "Cards", "value", text, "inline", 0);
}
