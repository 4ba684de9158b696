import { describe, expect, it } from 'vitest';
import type { ConsentRecord } from '../lib/backend';
import { consentBanner, consentProblem, covers, giversFor, newConsentForm, toConsent, type ConsentForm } from './consent';

const base: ConsentRecord = {
  id: 'c1',
  consent: { given_by: 'self_given', giver_name: 'Klien Uji', child_assent: null, purposes: ['service'], lawful_basis: 'consent', channel: 'verbal', given_at: '2026-05-01T03:00:00Z', basis_reason: '' },
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

describe('the profile banner', () => {
  it('says none was recorded only when none was', () => {
    expect(consentBanner([])).toEqual({ kind: 'none' });
    expect(consentBanner([base]), 'in force: no banner').toBeNull();
  });

  it('after a withdrawal says it was withdrawn and when, not that none was ever recorded', () => {
    const withdrawn = { ...base, withdrawals: [{ withdrawn_at: '2026-06-02T04:00:00Z', reason: 'pindah kota' }] };
    expect(consentBanner([withdrawn])).toEqual({ kind: 'withdrawn', at: '2026-06-02T04:00:00Z' });
  });
});

describe('the consent form for a child (UU PDP Ps 25)', () => {
  it('does not default "Diberikan oleh" to the client herself for a minor or an unknown age', () => {
    expect(newConsentForm(true).givenBy).toBe('parent');
    expect(newConsentForm(null).givenBy).toBe('parent');
    expect(newConsentForm(false).givenBy).toBe('self_given');
    expect(giversFor(true)).not.toContain('self_given');
    expect(giversFor(false)).not.toContain('no_guardian');
  });

  it('asks for the parent or guardian, the child\'s assent, or a lawful basis with its reason', () => {
    const f = (over: Partial<ConsentForm>): ConsentForm => ({ ...newConsentForm(true), ...over });
    expect(consentProblem(f({ givenBy: 'self_given' }), true)).toBe('consent.problem.ChildAlone');
    expect(consentProblem(f({}), true)).toBe('consent.problem.GiverNameMissing');
    expect(consentProblem(f({ giverName: 'Ibu Sari' }), true), 'assent unanswered').toBe('consent.problem.AssentMissing');
    expect(consentProblem(f({ giverName: 'Ibu Sari', assent: 'no' }), true), 'a no is recorded').toBeNull();
    const street = f({ givenBy: 'no_guardian', assent: 'yes' });
    expect(consentProblem(street, true)).toBe('consent.problem.BasisNeeded');
    expect(consentProblem({ ...street, basis: 'vital_interest' }, true)).toBe('consent.problem.ReasonNeeded');
    expect(consentProblem({ ...street, basis: 'vital_interest', basisReason: 'anak jalanan' }, true)).toBeNull();
    expect(consentProblem(newConsentForm(null), null), 'a parent for an unknown age is checked as for a child').toBe('consent.problem.GiverNameMissing');
    expect(consentProblem({ ...newConsentForm(null), givenBy: 'self_given' }, null)).toBe('consent.problem.AgeUnknown');
    expect(consentProblem(newConsentForm(false), false)).toBeNull();
  });

  it('sends the assent beside the guardian\'s consent, and the reason only without a guardian', () => {
    const c = toConsent({ ...newConsentForm(true), giverName: 'Ibu Sari', assent: 'yes', basisReason: 'x' }, true, '2026-06-01T00:00:00Z');
    expect(c).toMatchObject({ given_by: 'parent', giver_name: 'Ibu Sari', child_assent: true, basis_reason: '' });
    const adult = toConsent(newConsentForm(false), false, '2026-06-01T00:00:00Z');
    expect(adult.child_assent).toBeNull();
  });
});
