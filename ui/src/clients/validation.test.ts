import { describe, expect, it } from 'vitest';
import { emptyClientForm, fromProfile, isChild, mergeProfile, toProfile, validateClient } from './validation';
import { readDate } from '../lib/format/parse';

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
    expect(validateClient(v, today).guardianName).toBe('validation.guardianOrReason');
    expect(validateClient({ ...v, guardianName: 'Wali Uji' }, today)).toEqual({});
  });

  it('records an unaccompanied child with the reason instead of refusing her', () => {
    const v = { ...emptyClientForm(), code: 'K-003', name: 'Anak Jalanan', estimatedAge: '13', noGuardian: true };
    expect(validateClient(v, today).noGuardianReason, 'why no guardian').toBe('validation.guardianOrReason');
    const ok = { ...v, noGuardianReason: 'orang tua tidak diketahui' };
    expect(validateClient(ok, today)).toEqual({});
    const p = toProfile(ok, today);
    expect(p.guardian).toBeNull();
    expect(p.no_guardian_reason).toBe('orang tua tidak diketahui');
  });

  it('does not ask adults for a guardian', () => {
    const v = { ...emptyClientForm(), code: 'K-002', name: 'Dewasa Uji', estimatedAge: '30' };
    expect(validateClient(v, today)).toEqual({});
    expect(toProfile(v, today).guardian).toBeNull();
  });

  it('says a date that does not exist does not exist, not that its format is wrong', () => {
    const v = { ...emptyClientForm(), code: 'K', name: 'N', birthDate: '31/02/2026' };
    expect(validateClient(v, today).birthDate).toBe('validation.dateNotReal');
    expect(validateClient({ ...v, birthDate: '12/13/2010' }, today).birthDate).toBe('validation.dateNotReal');
    expect(validateClient({ ...v, birthDate: '2010-02-01' }, today).birthDate).toBe('validation.date');
    expect(readDate('31/02/2026')).toEqual({ problem: 'not_real' });
  });

  it('refuses a birth date in the future and ages nobody has', () => {
    const v = { ...emptyClientForm(), code: 'K', name: 'N', guardianName: 'Wali' };
    expect(validateClient({ ...v, birthDate: '15/08/2030' }, today).birthDate, 'not a minor: not born yet').toBe('validation.dateFuture');
    expect(validateClient({ ...v, birthDate: '24/11/2026' }, today).birthDate, 'tomorrow').toBe('validation.dateFuture');
    expect(validateClient({ ...v, birthDate: '23/11/2026' }, today).birthDate, 'born today').toBeUndefined();
    expect(validateClient({ ...v, birthDate: '01/01/1900' }, today).birthDate).toBe('validation.dateTooOld');
    expect(validateClient({ ...v, estimatedAge: '150' }, today).estimatedAge).toBe('validation.ageImpossible');
    expect(validateClient({ ...v, estimatedAge: '-3' }, today).estimatedAge).toBe('validation.ageImpossible');
    expect(validateClient({ ...v, estimatedAge: 'lima belas' }, today).estimatedAge).toBe('validation.ageImpossible');
    expect(validateClient({ ...v, estimatedAge: '120' }, today)).toEqual({});
  });

  it('stores the birth date as an ISO date and drops the estimate', () => {
    const v = { ...emptyClientForm(), code: 'K', name: 'N', birthDate: '17/10/1990', estimatedAge: '40' };
    const p = toProfile(v, today);
    expect(p.birth_date).toBe('1990-10-17');
    expect(p.estimated_age).toBeNull();
  });

  it('shows an estimate as it has grown and keeps its day unless it is changed', () => {
    const original = {
      ...toProfile({ ...emptyClientForm(), code: 'K-8', name: 'Perkiraan', estimatedAge: '17', guardianName: 'Wali' }, today),
      estimated_age_on: '2025-11-01',
    };
    const form = fromProfile(original, new Date(`${today}T12:00:00`));
    expect(form.estimatedAge, 'estimated at 17 more than a year ago').toBe('18');
    const same = mergeProfile(original, { ...form, address: 'Jl. Baru' }, today);
    expect([same.estimated_age, same.estimated_age_on]).toEqual([17, '2025-11-01']);
    const changed = mergeProfile(original, { ...form, estimatedAge: '20' }, today);
    expect([changed.estimated_age, changed.estimated_age_on], 'a new estimate is dated by the core').toEqual([20, null]);
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
    expect(merged.ppks_categories, 'a category typed before stays').toEqual(['korban kekerasan']);
    expect(fromProfile(merged).phone).toBe('0811');
  });

  it('saves the PPKS and AMPK categories ticked in the form', () => {
    const form = { ...emptyClientForm(), code: 'K-10', name: 'Anak', estimatedAge: '12', guardianName: 'Ibu', ppks: ['anak-jalanan'], ampk: ['korban-penelantaran'] };
    const p = toProfile(form, today);
    expect([p.ppks_categories, p.ampk_categories]).toEqual([['anak-jalanan'], ['korban-penelantaran']]);
    expect(mergeProfile(p, { ...fromProfile(p), ppks: [] }, today).ppks_categories, 'and unticked').toEqual([]);
  });
});
