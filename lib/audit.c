/* audit.c - the audit's horizon and its findings in words (see audit.h). */
#include "audit.h"

#include <inttypes.h>
#include <stdio.h>

int64_t pd_audit_horizon(int64_t now_us, int64_t oldest_us, int64_t margin_us, int64_t prev_us)
{
  int64_t h = now_us - margin_us;
  if (oldest_us > 0 && oldest_us < h)
    h = oldest_us;
  /* A transaction open now that started before prev_us would have been open at the previous
   * run too and held its horizon back; so going back before prev_us can only come from the
   * clock stepping back, and the rows before prev_us are the checkpoint's already. */
  if (prev_us != PD_AUDIT_NO_HORIZON && h < prev_us)
    h = prev_us;
  return h;
}

/* The copy, as the lines about copies name it. */
static void copy_words(const struct pd_audit_finding *f, char *out, size_t outlen)
{
  snprintf(out, outlen,
           "copy %" PRId64 " (card %" PRId64 " #%" PRId64 ", player %" PRId64 " (discord %s), %s)",
           f->id, f->card_id, f->print_no, f->owner, f->who, f->state);
}

void pd_audit_describe(const struct pd_audit_finding *f, char *out, size_t outlen)
{
  char copy[256];
  copy_words(f, copy, sizeof(copy));
  switch (f->kind) {
  case PD_AUDIT_CLEAN:
    snprintf(out, outlen, "audit: clean");
    break;
  case PD_AUDIT_BALANCE:
    snprintf(out, outlen,
             "audit: player %" PRId64 " (discord %s) %s: balance %" PRId64 ", ledger %" PRId64,
             f->id, f->who, f->currency, f->balance, f->ledger);
    break;
  case PD_AUDIT_NEGATIVE:
    snprintf(out, outlen,
             "audit: player %" PRId64 " (discord %s) %s: balance %" PRId64 " is below zero", f->id,
             f->who, f->currency, f->balance);
    break;
  case PD_AUDIT_SYSTEM:
    snprintf(out, outlen,
             "audit: game account %s %s: its rows sum to %" PRId64
             ", below zero (it issues nothing: it can only pay out what it was paid)",
             f->who, f->currency, f->ledger);
    break;
  case PD_AUDIT_OP:
    snprintf(out, outlen, "audit: op %" PRId64 " (%s) %s: its rows sum to %" PRId64 ", not 0",
             f->id, f->kinds, f->currency, f->ledger);
    break;
  case PD_AUDIT_LISTED:
    snprintf(out, outlen,
             "audit: %s has %" PRId64 " active listings by its owner (a listed copy has exactly 1)",
             copy, f->count);
    break;
  case PD_AUDIT_TRADING:
    snprintf(out, outlen,
             "audit: %s has %" PRId64
             " active offers by its owner in open trades (a trading copy has exactly 1)",
             copy, f->count);
    break;
  case PD_AUDIT_LISTING_STATE:
    snprintf(out, outlen, "audit: %s is not listed, but listing %" PRId64 " is active", copy,
             f->other);
    break;
  case PD_AUDIT_OFFER_STATE:
    snprintf(out, outlen, "audit: %s is not trading, but trade %" PRId64 " offers it", copy,
             f->other);
    break;
  case PD_AUDIT_DUPLICATE:
    snprintf(out, outlen,
             "audit: %s and copy %" PRId64 " are both live copies of card %" PRId64 " #%" PRId64,
             copy, f->other, f->card_id, f->print_no);
    break;
  case PD_AUDIT_PAYMENT:
    snprintf(out, outlen,
             "audit: payment %" PRId64 " of %s granted %" PRId64
             " Gems but its operation gave %" PRId64,
             f->id, f->who, f->want, f->got);
    break;
  case PD_AUDIT_UNPAID:
    snprintf(out, outlen,
             "audit: payment %" PRId64 " of %s is for %" PRId64
             " Gems and has no grant and no refund",
             f->id, f->who, f->want);
    break;
  case PD_AUDIT_CLAWBACK:
    snprintf(out, outlen,
             "audit: payment %" PRId64 " of %s took back %" PRId64
             " Gems but its clawback operation took %" PRId64,
             f->id, f->who, f->want, f->got);
    break;
  case PD_AUDIT_CLAWBACK_SUM:
    snprintf(out, outlen,
             "audit: payment %" PRId64 " of %s was for %" PRId64
             " Gems but its clawback took and left owed %" PRId64,
             f->id, f->who, f->want, f->got);
    break;
  case PD_AUDIT_DEBT:
    snprintf(out, outlen,
             "audit: %s owes %" PRId64 " Gems but their clawed-back payments left %" PRId64 " owed",
             f->who, f->got, f->want);
    break;
  }
}
