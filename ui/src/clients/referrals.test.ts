import { describe, expect, it } from 'vitest';
import { nextStatuses } from './referrals';

describe('referral status buttons', () => {
  it('offer "tidak datang" and "mitra tidak dapat dihubungi" while a referral is open', () => {
    expect(nextStatuses('sent')).toEqual(['accepted', 'declined', 'no_show', 'partner_unreachable']);
    expect(nextStatuses('accepted')).toContain('no_show');
  });

  it('let a referral go on after the client did not come or the partner was reached later', () => {
    expect(nextStatuses('no_show')).toContain('accepted');
    expect(nextStatuses('partner_unreachable')).toEqual(['sent', 'accepted', 'declined']);
  });

  it('offer nothing once a referral is completed or declined', () => {
    expect(nextStatuses('completed')).toEqual([]);
    expect(nextStatuses('declined')).toEqual([]);
  });
});
