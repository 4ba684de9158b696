import { describe, expect, it } from 'vitest';
import { emptyClientForm, fromProfile, isChild, mergeProfile, toProfile, validateClient } from './validation';

const today = '2026-11-23';

describe('client form validation', () => {
  it('requires a code, a name and a birth date or an estimated age', () => {
    const errors = validateClient(emptyClientForm(), today);
    expect(errors.code).toBe('validation.required');
    expect(errors.name).toBe('validation.required');
    expect(errors.estimatedAge).toBe('validation.ageOrBirth');
  });

  it('requires a guardian for a client under 18', () => {
    const v = { ...emptyClientForm(), code: 'K-001', name: 'Anak Uji', birthDate: '01/01/2015' };
    expect(isChild(v, today)).toBe(true);
    expect(validateClient(v, today).guardianName).toBe('validation.guardianRequired');
    expect(validateClient({ ...v, guardianName: 'Wali Uji' }, today)).toEqual({});
  });

  it('does not ask adults for a guardian', () => {
    const v = { ...emptyClientForm(), code: 'K-002', name: 'Dewasa Uji', estimatedAge: '30' };
    expect(validateClient(v, today)).toEqual({});
    expect(toProfile(v, today).guardian).toBeNull();
  });

  it('rejects an impossible birth date', () => {
    const v = { ...emptyClientForm(), code: 'K', name: 'N', birthDate: '31/02/2010' };
    expect(validateClient(v, today).birthDate).toBe('validation.date');
  });

  it('stores the birth date as an ISO date and drops the estimate', () => {
    const v = { ...emptyClientForm(), code: 'K', name: 'N', birthDate: '17/10/1990', estimatedAge: '40' };
    const p = toProfile(v, today);
    expect(p.birth_date).toBe('1990-10-17');
    expect(p.estimated_age).toBeNull();
  });

  it('edits a profile without losing what the form does not show', () => {
    const original = {
      ...toProfile({ ...emptyClientForm(), code: 'K-9', name: 'Lama', estimatedAge: '40', phone: '0800' }, today),
      contacts: [
        { kind: 'phone' as const, value: '0800', safe_to_contact: true },
        { kind: 'whats_app' as const, value: '62800', safe_to_contact: false },
      ],
      ppks_categories: ['korban kekerasan'],
    };
    const form = { ...fromProfile(original), name: 'Baru', phone: '0811' };
    const merged = mergeProfile(original, form, today);
    expect(merged.name).toBe('Baru');
    expect(merged.contacts.map((c) => c.value)).toEqual(['0811', '62800']);
    expect(merged.ppks_categories).toEqual(['korban kekerasan']);
    expect(fromProfile(merged).phone).toBe('0811');
  });
});
