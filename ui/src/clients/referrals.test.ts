import { describe, expect, it } from 'vitest';
import { INITIAL_SHARED, nextStatuses, referralProblem } from './referrals';

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

describe('sending a referral', () => {
  const ready = { hasPartner: true, reason: 'butuh rumah aman', consentOk: false, basis: 'vital_interest' as const };

  it('says why "Kirim rujukan" did not send without a legal basis, instead of doing nothing', () => {
    expect(referralProblem({ ...ready, basis: '' })).toBe('ReferralBasisMissing');
    expect(referralProblem(ready), 'a lawful basis instead of consent').toBeNull();
    expect(referralProblem({ ...ready, basis: '', consentOk: true }), 'consent covers referral').toBeNull();
  });

  it('asks for the partner and the reason first', () => {
    expect(referralProblem({ ...ready, hasPartner: false })).toBe('ReferralPartnerMissing');
    expect(referralProblem({ ...ready, reason: '  ' })).toBe('ReferralReasonMissing');
  });

  it('starts the minimum data to share with nothing ticked', () => {
    expect(INITIAL_SHARED).toEqual([]);
  });
});
