// Validation of the client form: what a counselor must fix before saving.
import { estimatedAgeNow } from './details';
import type { ClientProfile } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import { ageOn, parseDate, readDate } from '../lib/format/parse';

export interface ClientFormValues {
  code: string;
  name: string;
  nickname: string;
  sex: ClientProfile['sex'];
  birthDate: string; // dd/MM/yyyy as typed
  estimatedAge: string;
  phone: string;
  address: string;
  regency: string;
  language: string;
  needs: string;
  guardianName: string;
  guardianRelation: string;
  /** A child with no parent or guardian to name or ask (unaccompanied, street child). */
  noGuardian: boolean;
  noGuardianReason: string;
  /** PPKS and AMPK category codes (see categories.ts). */
  ppks: string[];
  ampk: string[];
}

/** The fields typed as text (the snippet binding an input takes one of these). */
export type TextField = { [K in keyof ClientFormValues]: ClientFormValues[K] extends string ? K : never }[keyof ClientFormValues];

export type FormErrors = Partial<Record<keyof ClientFormValues, MessageKey>>;

export function emptyClientForm(): ClientFormValues {
  return {
    code: '', name: '', nickname: '', sex: 'unspecified', birthDate: '', estimatedAge: '',
    phone: '', address: '', regency: '', language: 'id', needs: '', guardianName: '', guardianRelation: '',
    noGuardian: false, noGuardianReason: '', ppks: [], ampk: [],
  };
}

/** Whether the values describe a child (under 18) on `todayIso`; null when unknown. */
export function isChild(v: ClientFormValues, todayIso: string): boolean | null {
  const birth = parseDate(v.birthDate);
  if (birth) return ageOn(birth, todayIso) < 18;
  const est = Number(v.estimatedAge);
  if (v.estimatedAge.trim() !== '' && Number.isFinite(est)) return est < 18;
  return null;
}

/** The oldest age the core accepts (`MAX_AGE_YEARS`); it refuses anything above again. */
export const MAX_AGE_YEARS = 120;

/** What is wrong with a typed birth date on `todayIso`, if anything (the core checks again). */
export function birthDateProblem(text: string, todayIso: string): MessageKey | null {
  if (!text.trim()) return null;
  const r = readDate(text);
  if ('problem' in r) return r.problem === 'not_real' ? 'validation.dateNotReal' : 'validation.date';
  if (r.iso > todayIso) return 'validation.dateFuture';
  if (ageOn(r.iso, todayIso) > MAX_AGE_YEARS) return 'validation.dateTooOld';
  return null;
}

/** What is wrong with a typed estimated age, if anything. */
export function estimatedAgeProblem(text: string): MessageKey | null {
  const t = text.trim();
  if (!t) return null;
  return /^\d{1,3}$/.test(t) && Number(t) <= MAX_AGE_YEARS ? null : 'validation.ageImpossible';
}

export function validateClient(v: ClientFormValues, todayIso: string): FormErrors {
  const errors: FormErrors = {};
  if (!v.code.trim()) errors.code = 'validation.required';
  if (!v.name.trim()) errors.name = 'validation.required';
  const birth = birthDateProblem(v.birthDate, todayIso);
  if (birth) errors.birthDate = birth;
  const age = v.birthDate.trim() ? null : estimatedAgeProblem(v.estimatedAge);
  if (age) errors.estimatedAge = age;
  if (!v.birthDate.trim() && !v.estimatedAge.trim()) errors.estimatedAge = 'validation.ageOrBirth';
  if (isChild(v, todayIso) === true && !v.guardianName.trim()) {
    if (!v.noGuardian) errors.guardianName = 'validation.guardianOrReason';
    else if (!v.noGuardianReason.trim()) errors.noGuardianReason = 'validation.guardianOrReason';
  }
  return errors;
}

export function toProfile(v: ClientFormValues, todayIso: string): ClientProfile {
  const child = isChild(v, todayIso) === true;
  return {
    code: v.code.trim(),
    name: v.name.trim(),
    nickname: v.nickname.trim(),
    sex: v.sex,
    birth_date: parseDate(v.birthDate),
    estimated_age: v.birthDate.trim() ? null : v.estimatedAge.trim() ? Number(v.estimatedAge) : null,
    // The core dates a new estimate to the team's day.
    estimated_age_on: null,
    contacts: v.phone.trim() ? [{ kind: 'phone', value: v.phone.trim(), safe_to_contact: true }] : [],
    address: v.address.trim(),
    regency: v.regency.trim(),
    guardian: v.guardianName.trim() || (child && !v.noGuardian)
      ? { name: v.guardianName.trim(), relationship: v.guardianRelation.trim(), contacts: [] }
      : null,
    language: v.language,
    communication_needs: v.needs.trim(),
    no_guardian_reason: child && v.noGuardian ? v.noGuardianReason.trim() : '',
    ppks_categories: [...v.ppks],
    ampk_categories: [...v.ampk],
  };
}

/** The form's values for an existing profile (dates shown as dd/MM/yyyy, an estimated age as
 * it has grown by `today`). */
export function fromProfile(p: ClientProfile, today: Date = new Date()): ClientFormValues {
  const iso = p.birth_date;
  return {
    code: p.code,
    name: p.name,
    nickname: p.nickname,
    sex: p.sex,
    birthDate: iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '',
    estimatedAge: p.estimated_age === null ? '' : String(estimatedAgeNow(p, today)),
    phone: p.contacts.find((c) => c.kind === 'phone')?.value ?? '',
    address: p.address,
    regency: p.regency,
    language: p.language || 'id',
    needs: p.communication_needs,
    guardianName: p.guardian?.name ?? '',
    guardianRelation: p.guardian?.relationship ?? '',
    noGuardian: p.no_guardian_reason.trim() !== '',
    noGuardianReason: p.no_guardian_reason,
    ppks: [...p.ppks_categories],
    ampk: [...p.ampk_categories],
  };
}

/** Applies the form to an existing profile, keeping what the form does not show (other
 * contacts, the guardian's contacts). */
export function mergeProfile(original: ClientProfile, v: ClientFormValues, todayIso: string): ClientProfile {
  const edited = toProfile(v, todayIso);
  const others = original.contacts.filter((c) => c.kind !== 'phone');
  const guardian = edited.guardian
    ? { ...edited.guardian, contacts: original.guardian?.contacts ?? [] }
    : null;
  // An estimate left as the form showed it (grown since it was given) keeps its day.
  const kept = edited.estimated_age !== null && edited.estimated_age === estimatedAgeNow(original, new Date(`${todayIso}T12:00:00`));
  const estimate = kept
    ? { estimated_age: original.estimated_age, estimated_age_on: original.estimated_age_on }
    : {};
  return {
    ...original,
    ...edited,
    ...estimate,
    contacts: [...edited.contacts, ...others],
    guardian,
  };
}
