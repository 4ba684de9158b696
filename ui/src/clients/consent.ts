import type { Consent, ConsentChannel, ConsentGiver, ConsentRecord, LawfulBasis } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import type { FieldErrors } from '../lib/forms/fields';

/** A consent counts while it has no withdrawal. */
export function isInForce(c: ConsentRecord): boolean {
  return c.withdrawals.length === 0;
}

/** Whether some consent in force covers `purpose` (e.g. `service`, `referral`). */
export function covers(consents: ConsentRecord[], purpose: string): boolean {
  return consents.some((c) => isInForce(c) && c.consent.purposes.includes(purpose));
}

/** What the profile's banner says about consent for service: nothing while one is in force;
 * that none was ever recorded; or that it was withdrawn (and when), never "none" then. */
export type ConsentBanner = { kind: 'none' } | { kind: 'withdrawn'; at: string | null } | null;

export function consentBanner(consents: ConsentRecord[]): ConsentBanner {
  if (covers(consents, 'service')) return null;
  const withdrawn = consents
    .filter((c) => c.consent.purposes.includes('service') && !isInForce(c))
    .flatMap((c) => c.withdrawals.map((w) => w.withdrawn_at))
    .sort();
  if (withdrawn.length === 0) return { kind: 'none' };
  return { kind: 'withdrawn', at: withdrawn[withdrawn.length - 1] ?? null };
}

/** The consent form as typed. `assent` stays unanswered until the child's answer is chosen. */
export interface ConsentForm {
  givenBy: ConsentGiver;
  giverName: string;
  assent: 'yes' | 'no' | '';
  purposes: string[];
  basis: LawfulBasis;
  basisReason: string;
  channel: ConsentChannel;
}

/** Who may be chosen under "Diberikan oleh": a child never consents alone; "no guardian" is
 * only for a child; unknown age offers everyone (the core then asks for the age). */
export function giversFor(isChild: boolean | null): ConsentGiver[] {
  if (isChild === true) return ['parent', 'guardian', 'no_guardian'];
  if (isChild === false) return ['self_given', 'parent', 'guardian'];
  return ['parent', 'guardian', 'no_guardian', 'self_given'];
}

/** A fresh form: for a child (or an unknown age) a parent consents, not the client herself. */
export function newConsentForm(isChild: boolean | null): ConsentForm {
  return {
    givenBy: isChild === false ? 'self_given' : 'parent',
    giverName: '',
    assent: '',
    purposes: ['service'],
    basis: 'consent',
    basisReason: '',
    channel: 'verbal',
  };
}

/** The first problem the core would refuse the form for (`Consent::check_for`), as the sentence
 * to show beside the form; null when it can be saved. */
export function consentProblem(f: ConsentForm, isChild: boolean | null): MessageKey | null {
  const child = isChild ?? (f.givenBy === 'self_given' ? null : true);
  if (child === null) return 'consent.problem.AgeUnknown';
  const named = f.giverName.trim() !== '';
  if (!child) {
    if (f.givenBy === 'no_guardian') return 'consent.problem.NotAChild';
    if (f.givenBy !== 'self_given' && !named) return 'consent.problem.GiverNameMissing';
    return null;
  }
  if (f.givenBy === 'self_given') return 'consent.problem.ChildAlone';
  if (f.givenBy !== 'no_guardian' && !named) return 'consent.problem.GiverNameMissing';
  if (f.assent === '') return 'consent.problem.AssentMissing';
  if (f.givenBy === 'no_guardian' && f.basis === 'consent') return 'consent.problem.BasisNeeded';
  if (f.givenBy === 'no_guardian' && !f.basisReason.trim()) return 'consent.problem.ReasonNeeded';
  return null;
}

/** The fields of the consent form a problem can concern. */
export type ConsentField = 'givenBy' | 'giverName' | 'assent' | 'basis' | 'basisReason';

const PROBLEM_FIELD: Partial<Record<MessageKey, ConsentField>> = {
  'consent.problem.ChildAlone': 'givenBy',
  'consent.problem.NotAChild': 'givenBy',
  'consent.problem.GiverNameMissing': 'giverName',
  'consent.problem.AssentMissing': 'assent',
  'consent.problem.BasisNeeded': 'basis',
  'consent.problem.ReasonNeeded': 'basisReason',
};

/** The problems of the form placed by field (shown beside it); `form` holds one that concerns
 * no field of this form (the client's age is not recorded: that is fixed in the profile). */
export function consentErrors(f: ConsentForm, isChild: boolean | null): FieldErrors<ConsentField | 'form'> {
  const problem = consentProblem(f, isChild);
  return problem ? { [PROBLEM_FIELD[problem] ?? 'form']: problem } : {};
}

/** The consent to record from the form, given now. */
export function toConsent(f: ConsentForm, isChild: boolean | null, nowIso: string): Consent {
  const child = isChild !== false;
  return {
    given_by: f.givenBy,
    giver_name: f.giverName.trim(),
    child_assent: child && f.assent !== '' ? f.assent === 'yes' : null,
    purposes: f.purposes,
    lawful_basis: f.basis,
    channel: f.channel,
    given_at: nowIso,
    basis_reason: f.givenBy === 'no_guardian' ? f.basisReason.trim() : '',
  };
}
