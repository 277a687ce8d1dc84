/* db_admin_events.c - statements for the admin's event operations (admin_events.c runs them by
 * name): events (sql/003, 017) and their temporary cards (sql/007, 015). */
#include "db_areas.h"

/* An event's columns in the order admin_events.c reads them. */
#define EVENT_COLS                                                                                 \
  "ev.id, ev.name, ev.description, extract(epoch FROM ev.start_at)::bigint,"                       \
  " extract(epoch FROM ev.end_at)::bigint, ev.boosts, ev.pack, ev.guild_id, ev.created_by,"        \
  " extract(epoch FROM ev.ended_at)::bigint,"                                                      \
  " CASE WHEN pd_now() < ev.start_at THEN 'upcoming' WHEN pd_now() < ev.end_at THEN 'running'"     \
  " ELSE 'ended' END, extract(epoch FROM ev.created_at)::bigint, ev.claim_every,"                  \
  " ev.consolation_notes, extract(epoch FROM ev.settled_at)::bigint"

const struct pd_db_stmt pd_db_admin_events_stmts[] = {
    {"event_insert",
     "WITH ev AS (INSERT INTO events (name, description, start_at, end_at, boosts, pack,"
     " guild_id, created_by, claim_every, consolation_notes) VALUES ($1, $2,"
     " to_timestamp($3::bigint), to_timestamp($4::bigint), $5::jsonb, $6, $7, $8, $9,"
     " $10::bigint) RETURNING *) SELECT " EVENT_COLS " FROM ev"},
    {"event_get", "SELECT " EVENT_COLS " FROM events ev WHERE ev.id = $1"},
    {"event_lock", "SELECT " EVENT_COLS " FROM events ev WHERE ev.id = $1 FOR UPDATE"},
    /* A running event ends now; an upcoming one is called off with an empty window at now
     * (sql/017's events_window). */
    {"event_end",
     "WITH ev AS (UPDATE events SET ended_at = pd_now(), start_at = least(start_at, pd_now()),"
     " end_at = pd_now() WHERE id = $1 AND end_at > pd_now() RETURNING *) SELECT " EVENT_COLS
     " FROM ev"},
    /* Owned copies carry their expiry (sql/007): the event's ending moves it to now, so they
     * leave collections as every expired temporary copy does. */
    {"event_end_copies",
     "UPDATE user_cards SET expires_at = pd_now() WHERE temp_template_id IN"
     " (SELECT id FROM temp_card_templates WHERE event_id = $1) AND state <> 'gone'"
     " AND (expires_at IS NULL OR expires_at > pd_now()) RETURNING id"},
    {"event_end_cards", "UPDATE temp_card_templates SET expires_at = pd_now() WHERE event_id = $1"
                        " AND expires_at > pd_now()"},
    {"events_current", "SELECT " EVENT_COLS " FROM events ev WHERE ev.end_at > pd_now()"
                       " ORDER BY ev.start_at, ev.id LIMIT 50"},
    {"events_ended", "SELECT " EVENT_COLS " FROM events ev WHERE ev.end_at <= pd_now()"
                     " ORDER BY ev.end_at DESC, ev.id DESC LIMIT 10"},
    {"event_cards",
     "SELECT t.event_id, t.public_id, t.artist_id, a.name, t.era_id, e.name, t.rarity,"
     " t.image_url, extract(epoch FROM t.expires_at)::bigint, t.copies_created,"
     " t.source_image_id, t.source_url FROM temp_card_templates t"
     " LEFT JOIN artists a ON a.id = t.artist_id LEFT JOIN eras e ON e.id = t.era_id"
     " WHERE t.event_id = ANY($1::int[]) ORDER BY t.event_id, t.id"},
    /* A removed artist, era or image (purge_artist, sql/016) is no source of new cards. */
    {"tc_artist", "SELECT name FROM artists WHERE id = $1 AND removed_at IS NULL"},
    /* The artist's era of that name (exactly, else ignoring case), or by id. */
    {"tc_era_by_name", "SELECT id, name FROM eras WHERE artist_id = $1 AND lower(name) = lower($2)"
                       " AND removed_at IS NULL ORDER BY name = $2 DESC, id LIMIT 1"},
    {"tc_era_by_id", "SELECT id, name, artist_id FROM eras WHERE id = $1 AND removed_at IS NULL"},
    {"tc_era_image", "SELECT era_id FROM era_images WHERE id = $1 AND removed_at IS NULL"},
    /* The era's best picture: stored ingested art before generated stand-in art (which the
     * renderer draws again from the names), then the classifier's confidence, then size. */
    {"tc_era_best_image",
     "SELECT id FROM era_images WHERE era_id = $1 AND removed_at IS NULL"
     " ORDER BY kind = 'generated', storage_url IS NULL, confidence DESC NULLS LAST,"
     " width::bigint * height DESC NULLS LAST, id LIMIT 1"},
    /* Public ids are one namespace across permanent and temporary cards (all_cards). */
    {"tc_publicid_taken", "SELECT 1 FROM card_templates WHERE public_id = $1 UNION ALL"
                          " SELECT 1 FROM temp_card_templates WHERE public_id = $1 LIMIT 1"},
    {"tc_insert",
     "INSERT INTO temp_card_templates (public_id, artist_id, era_id, rarity, event_id,"
     " expires_at, source_image_id, source_url) VALUES ($1, $2, $3, $4, $5,"
     " to_timestamp($6::bigint), $7, $8) RETURNING id, extract(epoch FROM created_at)::bigint"},
    {NULL, NULL},
};
