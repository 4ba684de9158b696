import { describe, expect, it } from 'vitest';
import {
  convertConsent, convertErrors, convertGivers, convertIsChild, convertProfile, defaultGiver, newConvertValues, prefilledGiver,
} from './convert';

const today = '2026-10-17';
const now = '2026-10-17T07:00:00Z';

describe('"Jadikan klien"', () => {
  it('asks for a code, a name, an age and at least one contact', () => {
    const v = newConvertValues('', 'unspecified');
    expect(convertErrors(v, 0, today)).toEqual({
      contacts: 'convert.noContacts', code: 'validation.required', name: 'validation.required', age: 'convert.ageRequired',
    });
    expect(convertErrors({ ...v, age: 'dua' }, 1, today).age).toBe('validation.ageImpossible');
  });

  it('records an adult\'s own verbal consent, given now', () => {
    const v = { ...newConvertValues('Rina', 'female'), code: 'HL-1', age: '30' };
    expect(convertIsChild(v, today)).toBe(false);
    expect(convertErrors(v, 1, today)).toEqual({});
    const profile = convertProfile(v, today);
    expect([profile.code, profile.name, profile.estimated_age, profile.sex, profile.guardian]).toEqual(['HL-1', 'Rina', 30, 'female', null]);
    expect(convertConsent(v, today, now)).toEqual({
      given_by: 'self_given', giver_name: 'Rina', child_assent: null, purposes: ['service'], lawful_basis: 'consent',
      channel: 'verbal', given_at: now, basis_reason: '',
    });
  });

  it('for a child, needs the guardian, a parent or guardian consenting, and the child\'s assent', () => {
    const v = { ...newConvertValues('Dodi', 'male'), code: 'HL-2', age: '14' };
    expect(convertIsChild(v, today)).toBe(true);
    expect(convertErrors(v, 1, today), 'a child never consents alone').toEqual({ guardianName: 'convert.guardianRequired', givenBy: 'consent.problem.ChildAlone' });
    const parent = { ...v, guardianName: 'Ibu Sari', givenBy: 'parent' as const, giverName: 'Ibu Sari' };
    expect(convertErrors(parent, 1, today)).toEqual({ assent: 'consent.problem.AssentMissing' });
    const done = { ...parent, assent: 'yes' as const };
    expect(convertErrors(done, 1, today)).toEqual({});
    expect(convertProfile(done, today).guardian?.name).toBe('Ibu Sari');
    const consent = convertConsent(done, today, now);
    expect([consent.given_by, consent.giver_name, consent.child_assent, consent.channel]).toEqual(['parent', 'Ibu Sari', true, 'verbal']);
  });

  it('offers who may consent by age, prefilling the giver\'s name', () => {
    expect(convertGivers(true)).toEqual(['parent', 'guardian']);
    expect(convertGivers(false)).toEqual(['self_given', 'parent', 'guardian']);
    expect(defaultGiver(false)).toBe('self_given');
    expect(defaultGiver(true)).toBe('parent');
    expect(prefilledGiver({ givenBy: 'self_given', name: 'Rina', guardianName: '' })).toBe('Rina');
    expect(prefilledGiver({ givenBy: 'guardian', name: 'Dodi', guardianName: 'Pak Budi' })).toBe('Pak Budi');
  });
});
