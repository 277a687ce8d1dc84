/* player.h - presenting a player in embeds: avatar URL and the balances block. */
#ifndef PD_PLAYER_H
#define PD_PLAYER_H

#include <jansson.h>

#include "db_copies.h"
#include "db_users.h"
#include "interaction.h"

/* The user's avatar on Discord's CDN (or their default avatar) into out. */
void pd_player_avatar_url(const char *user_id, const char *avatar_hash, char *out, size_t outlen);
/* Three inline fields: Notes, Discs, Gems. */
json_t *pd_player_balance_fields(const struct pd_player *p);
/* One field "Cards": the player's copies, and how many are locked, listed and in a trade. */
json_t *pd_player_copies_field(const struct pd_copy_counts *n);

#endif
