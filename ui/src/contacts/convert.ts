// "Jadikan klien": the short form that makes a caller a client, with her consent given verbally
// now. It checks what the client form and the consent form check (their helpers, reused), for
// the few fields a hotline volunteer asks.
import type { ClientProfile, Consent, ConsentGiver, Sex } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import type { FieldErrors } from '../lib/forms/fields';
import { consentProblem, giversFor, newConsentForm, toConsent, type ConsentForm } from '../clients/consent';
import { emptyClientForm, estimatedAgeProblem, isChild, toProfile, type ClientFormValues } from '../clients/validation';

export interface ConvertValues {
  code: string;
  name: string;
  age: string;
  sex: Sex;
  guardianName: string;
  givenBy: ConsentGiver;
  giverName: string;
  assent: 'yes' | 'no' | '';
}

export type ConvertField = 'contacts' | 'code' | 'name' | 'age' | 'guardianName' | 'givenBy' | 'giverName' | 'assent';

export function newConvertValues(name: string, sex: Sex): ConvertValues {
  return { code: '', name, age: '', sex, guardianName: '', givenBy: 'self_given', giverName: name, assent: '' };
}

function clientValues(v: ConvertValues): ClientFormValues {
  return { ...emptyClientForm(), code: v.code, name: v.name, sex: v.sex, estimatedAge: v.age, guardianName: v.guardianName };
}

/** Whether the caller is a child (under 18) by the age typed; null while it is unknown. */
export function convertIsChild(v: ConvertValues, todayIso: string): boolean | null {
  if (estimatedAgeProblem(v.age) !== null) return null;
  return isChild(clientValues(v), todayIso);
}

/** Who may consent: nobody consents for a caller "without a guardian" here (that needs the full
 * client form); a child never alone. */
export function convertGivers(child: boolean | null): ConsentGiver[] {
  return giversFor(child).filter((g) => g !== 'no_guardian');
}

/** Who consents by default: the caller herself when an adult, else a parent. */
export function defaultGiver(child: boolean | null): ConsentGiver {
  return child === false ? 'self_given' : 'parent';
}

/** The name the consent is given in, until she types one: the caller's for herself, else the
 * guardian's. */
export function prefilledGiver(v: Pick<ConvertValues, 'givenBy' | 'name' | 'guardianName'>): string {
  return v.givenBy === 'self_given' ? v.name : v.guardianName;
}

function consentForm(v: ConvertValues, child: boolean | null): ConsentForm {
  return { ...newConsentForm(child), givenBy: v.givenBy, giverName: v.giverName, assent: v.assent, channel: 'verbal' };
}

const CONSENT_FIELD: Partial<Record<MessageKey, ConvertField>> = {
  'consent.problem.ChildAlone': 'givenBy',
  'consent.problem.NotAChild': 'givenBy',
  'consent.problem.GiverNameMissing': 'giverName',
  'consent.problem.AssentMissing': 'assent',
};

/** Each field's problem, as the sentence to show beside it; empty when it can be saved. */
export function convertErrors(v: ConvertValues, chosen: number, todayIso: string): FieldErrors<ConvertField> {
  const errors: FieldErrors<ConvertField> = {};
  if (chosen === 0) errors.contacts = 'convert.noContacts';
  if (!v.code.trim()) errors.code = 'validation.required';
  if (!v.name.trim()) errors.name = 'validation.required';
  const age = v.age.trim() ? estimatedAgeProblem(v.age) : 'convert.ageRequired';
  if (age) errors.age = age;
  const child = convertIsChild(v, todayIso);
  if (child === true && !v.guardianName.trim()) errors.guardianName = 'convert.guardianRequired';
  if (child !== null) {
    const problem = consentProblem(consentForm(v, child), child);
    const field = problem ? CONSENT_FIELD[problem] : undefined;
    if (problem && field && !errors[field]) errors[field] = problem;
  }
  return errors;
}

/** The client's profile to create. */
export function convertProfile(v: ConvertValues, todayIso: string): ClientProfile {
  return toProfile(clientValues(v), todayIso);
}

/** The consent to record: verbal, given now, for the service. */
export function convertConsent(v: ConvertValues, todayIso: string, nowIso: string): Consent {
  const child = convertIsChild(v, todayIso);
  return toConsent(consentForm(v, child), child, nowIso);
}
