// The request register's forms (issue 25, UU PDP): what the handler types, turned into the
// core's request and answer, or the reason it cannot be saved yet. Pure, so every rule is
// unit-tested; the core checks the same rules again (a receipt time in the future, a refusal
// without its grounds) and is what counts.
import type {
  DataRequest, IdentityCheck, ReceivedVia, RefusalGround, RequestAnswer, RequestKind,
  RequestOutcome, Requester,
} from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import { localToUtc, parseDate, parseTime } from '../lib/format/parse';

export const KINDS: RequestKind[] = ['access', 'correction', 'erasure', 'consent_withdrawal', 'restriction', 'objection', 'portability'];
export const REQUESTERS: Requester[] = ['person', 'parent', 'guardian'];
export const VIAS: ReceivedVia[] = ['in_person', 'phone', 'whats_app', 'letter', 'email'];
export const IDENTITY_CHECKS: IdentityCheck[] = ['not_yet', 'identity_card', 'known_to_worker', 'guardian_document', 'other'];
export const OUTCOMES: RequestOutcome[] = ['granted', 'partly_granted', 'refused'];
export const GROUNDS: RefusalGround[] = ['endangers_safety_or_health', 'reveals_others_data', 'national_defence'];

/**
 * Whether an access export can answer this request: `ready` for an open access or portability
 * request whose identity check is recorded, `identity` while it is not (nothing is given out
 * before), `no` for any other request.
 */
export function exportable(r: { request: { kind: RequestKind; identity: IdentityCheck }; answer: unknown }): 'ready' | 'identity' | 'no' {
  if (r.answer || (r.request.kind !== 'access' && r.request.kind !== 'portability')) return 'no';
  return r.request.identity === 'not_yet' ? 'identity' : 'ready';
}

/** A restriction granted (in whole or in part) and not lifted: her record is read-only. */
export function restricts(r: { request: { kind: RequestKind }; answer: { outcome: RequestOutcome } | null; lifted_at: string | null }): boolean {
  return r.request.kind === 'restriction' && r.answer !== null && r.answer.outcome !== 'refused' && r.lifted_at === null;
}

export interface RequestForm {
  kind: RequestKind;
  requester: Requester;
  requesterName: string;
  via: ReceivedVia;
  /** dd/mm/yyyy, as typed. */
  date: string;
  /** hh.mm, as typed, in the team's zone. */
  time: string;
  identity: IdentityCheck;
  details: string;
}

export function newRequestForm(): RequestForm {
  return { kind: 'access', requester: 'person', requesterName: '', via: 'in_person', date: '', time: '', identity: 'not_yet', details: '' };
}

/** The request to save, or the message saying what is missing. */
export function requestInput(form: RequestForm, zone: string): DataRequest | { problem: MessageKey } {
  const day = parseDate(form.date);
  const minutes = parseTime(form.time);
  if (day === null || minutes === null) return { problem: 'request.badTime' };
  if (form.requester !== 'person' && !form.requesterName.trim()) return { problem: 'request.nameNeeded' };
  return {
    kind: form.kind,
    requester: form.requester,
    requester_name: form.requester === 'person' ? '' : form.requesterName.trim(),
    received_via: form.via,
    received_at: localToUtc(day, minutes, zone),
    identity: form.identity,
    details: form.details.trim(),
    handler: null,
  };
}

export interface AnswerForm {
  outcome: RequestOutcome;
  text: string;
  grounds: RefusalGround[];
}

export function newAnswerForm(): AnswerForm {
  return { outcome: 'granted', text: '', grounds: [] };
}

/** The answer to save (given now), or the message saying what is missing. */
export function answerInput(form: AnswerForm, now: Date): RequestAnswer | { problem: MessageKey } {
  if (!form.text.trim()) return { problem: 'request.answerTextNeeded' };
  const grounds = form.outcome === 'granted' ? [] : form.grounds;
  if (form.outcome !== 'granted' && grounds.length === 0) return { problem: 'request.groundsNeeded' };
  return { answered_at: now.toISOString(), outcome: form.outcome, text: form.text.trim(), grounds };
}

/** Whether the request was entered more than an hour after it was received (a late entry
 * shows, since its time left is shorter than 3×24 hours). */
export function enteredLate(receivedAt: string | null, enteredAt: string | null): boolean {
  if (!receivedAt || !enteredAt) return false;
  return Date.parse(enteredAt) - Date.parse(receivedAt) > 3600_000;
}
