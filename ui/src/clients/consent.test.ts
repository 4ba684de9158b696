import { describe, expect, it } from 'vitest';
import type { ConsentRecord } from '../lib/backend';
import { covers } from './consent';

const base: ConsentRecord = {
  id: 'c1',
  consent: { given_by: 'self_given', giver_name: 'Klien Uji', child_assent: null, purposes: ['service'], lawful_basis: 'consent', channel: 'verbal', given_at: null },
  withdrawals: [],
};

describe('consent coverage', () => {
  it('a consent in force covers its purposes only', () => {
    expect(covers([base], 'service')).toBe(true);
    expect(covers([base], 'referral')).toBe(false);
  });

  it('a withdrawn consent covers nothing', () => {
    expect(covers([{ ...base, withdrawals: [{ withdrawn_at: null, reason: 'klien menolak' }] }], 'service')).toBe(false);
  });
});
