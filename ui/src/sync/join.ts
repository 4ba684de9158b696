// The join form's rules, checked before anything is sent (the core checks again).
import type { JoinForm } from '../lib/backend';
import type { ErrorCode, MessageKey } from '../lib/i18n/catalogue';
import { isAcceptable } from '../vault/strength';

/** `firstRun`: no vault yet: she chooses this computer's passphrase now (every computer has its
 * own; it never leaves it). `existing`: this computer's vault joins, with the vault's
 * passphrase. Either way an invitation is required: from an administrator, or for a further
 * computer of hers, the code her first computer makes. */
export type JoinMode = 'firstRun' | 'existing';

export interface JoinInput {
  serverUrl: string;
  username: string;
  passphrase: string;
  confirm: string;
  invitation: string;
}

export function isServerUrl(url: string): boolean {
  const m = /^https?:\/\/(\S+)$/i.exec(url.trim());
  const rest = m?.[1] ?? '';
  return rest.replace(/\/+$/, '').length > 0;
}

export function isUsername(name: string): boolean {
  return /^[\p{L}\p{N}._@-]{1,64}$/u.test(name.trim());
}

/** Whether `code` is an invitation a supervisor's device made (26 base32 characters; dashes,
 * spaces and case do not matter): it names the username, so none needs typing. */
export function isInvitationCode(code: string): boolean {
  const chars = code.replace(/[\s-]/g, '').toUpperCase();
  return /^[0-9A-HJKMNP-TV-Z OIL]{26}$/.test(chars) && !chars.includes(' ');
}

/** Whether the member chooses a new passphrase (and so must repeat it and make it strong). */
export function choosesPassphrase(_input: JoinInput, mode: JoinMode): boolean {
  return mode === 'firstRun';
}

/** What the form itself can find wrong, each the catalogue key of its sentence. */
export type JoinProblem =
  | 'join.problem.server'
  | 'join.problem.username'
  | 'join.problem.passphrase'
  | 'join.problem.invitation'
  | 'setup.tooWeak'
  | 'setup.mismatch';

/** The first problem with the form, or null when it can be sent. */
export function joinProblem(input: JoinInput, mode: JoinMode): (JoinProblem & MessageKey) | null {
  if (!isServerUrl(input.serverUrl)) return 'join.problem.server';
  if (!isUsername(input.username) && !isInvitationCode(input.invitation)) return 'join.problem.username';
  if (input.passphrase === '') return 'join.problem.passphrase';
  if (input.invitation.trim() === '') return 'join.problem.invitation';
  if (choosesPassphrase(input, mode)) {
    if (!isAcceptable(input.passphrase)) return 'setup.tooWeak';
    if (input.passphrase !== input.confirm) return 'setup.mismatch';
  }
  return null;
}

/** What the core receives. */
export function toJoinForm(input: JoinInput): JoinForm {
  const invitation = input.invitation.trim();
  return {
    server_url: input.serverUrl.trim().replace(/\/+$/, ''),
    username: input.username.trim(),
    passphrase: input.passphrase,
    invitation: invitation === '' ? null : invitation,
  };
}

/** The join form's fields, each of which can carry its own error. */
export type JoinField = 'server' | 'username' | 'invitation' | 'passphrase' | 'confirm';

/** The field each of the form's own problems concerns (every one concerns one field). */
export const PROBLEM_FIELD: Record<JoinProblem, JoinField> = {
  'join.problem.server': 'server',
  'join.problem.username': 'username',
  'join.problem.passphrase': 'passphrase',
  'join.problem.invitation': 'invitation',
  'setup.tooWeak': 'passphrase',
  'setup.mismatch': 'confirm',
};

/** The core's refusals that concern one field; any other (the server cannot be reached, the
 * disk is full) is shown for the whole form. */
export const REFUSAL_FIELD: Partial<Record<ErrorCode, JoinField>> = {
  InvalidServerUrl: 'server',
  ServerMismatch: 'server',
  UsernameTaken: 'username',
  InvalidInvitation: 'invitation',
  WrongPassphrase: 'passphrase',
  PassphraseTooShort: 'passphrase',
  PassphraseTooWeak: 'passphrase',
};
