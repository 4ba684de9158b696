import type { ConsentRecord } from '../lib/backend';

/** A consent counts while it has no withdrawal. */
export function isInForce(c: ConsentRecord): boolean {
  return c.withdrawals.length === 0;
}

/** Whether some consent in force covers `purpose` (e.g. `service`, `referral`). */
export function covers(consents: ConsentRecord[], purpose: string): boolean {
  return consents.some((c) => isInForce(c) && c.consent.purposes.includes(purpose));
}
