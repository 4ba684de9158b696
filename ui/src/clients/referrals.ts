// The status buttons a referral offers: the core's `ReferralStatus::can_become`, which refuses
// anything else (this list only decides which buttons to show).
import type { LawfulBasis, ReferralStatus } from '../lib/backend';
import type { ErrorCode } from '../lib/i18n/catalogue';

const NEXT: Record<ReferralStatus, ReferralStatus[]> = {
  sent: ['accepted', 'declined', 'no_show', 'partner_unreachable'],
  accepted: ['completed', 'declined', 'no_show'],
  completed: [],
  declined: [],
  no_show: ['accepted', 'completed', 'declined'],
  partner_unreachable: ['sent', 'accepted', 'declined'],
};

/** The statuses a referral in `status` may move to; empty once it is closed. */
export function nextStatuses(status: ReferralStatus): ReferralStatus[] {
  return NEXT[status];
}

/** The referral form's data to share starts empty: the counselor ticks only what the partner
 * needs ("seminimal mungkin"). */
export const INITIAL_SHARED: readonly string[] = [];

export interface ReferralCheck {
  hasPartner: boolean;
  reason: string;
  /** Whether a consent in force covers referral. */
  consentOk: boolean;
  basis: LawfulBasis | '';
}

/** Why "Kirim rujukan" cannot send yet (shown in the form, next to the button), or null. The
 * core refuses the same cases (`Vault::add_referral`). */
export function referralProblem(f: ReferralCheck): ErrorCode | null {
  if (!f.hasPartner) return 'ReferralPartnerMissing';
  if (!f.reason.trim()) return 'ReferralReasonMissing';
  if (!f.consentOk && f.basis === '') return 'ReferralBasisMissing';
  return null;
}

/** The fields of the referral form a refusal can concern. */
export type ReferralField = 'partner' | 'reason' | 'basis';

/** Where a refusal is shown: the form's own checks, and the core's `NoConsent` (no consent covers
 * referral and no lawful basis was chosen), beside the field to fix. */
export const REFUSAL_FIELD: Partial<Record<ErrorCode, ReferralField>> = {
  ReferralPartnerMissing: 'partner',
  ReferralReasonMissing: 'reason',
  ReferralBasisMissing: 'basis',
  NoConsent: 'basis',
};
