/* copies.h - what every command that takes one of the player's copies shares: reading the
 * option (PUBLIC_ID/PRINT, as autocomplete gave it), the refusals by state, and the
 * autocomplete over the player's own copies. */
#ifndef PD_COPIES_H
#define PD_COPIES_H

#include "commands.h"
#include "db_copies.h"

/* The caller's (ctx->player) copy named by option, locked for the transaction.  A missing,
 * malformed or unknown copy is answered as the player's mistake (PD_E_USER). */
enum pd_result pd_ctx_copy(struct pd_ctx *ctx, const char *option, struct pd_copy *out);

/* PD_OK when c is free; otherwise answers why it cannot be `verb` ("sold", "traded", "gifted",
 * "burned", "locked") and how to free it, and returns PD_E_USER. */
enum pd_result pd_ctx_copy_free(struct pd_ctx *ctx, const struct pd_copy *c, const char *verb);

/* Autocomplete for any option that takes one of the caller's copies: their own copies, free
 * ones first (locked ones first for /unlock), each with its state. */
enum pd_result pd_copy_autocomplete(struct pd_ctx *ctx);

#endif
