// The status buttons a referral offers: the core's `ReferralStatus::can_become`, which refuses
// anything else (this list only decides which buttons to show).
import type { ReferralStatus } from '../lib/backend';

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
