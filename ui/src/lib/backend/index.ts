// The only module that talks to the Tauri core. Features call these typed functions; they never
// call `invoke('...')` themselves.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppInfo } from './bindings/AppInfo';
import type { Code } from './bindings/Code';
import type { IpcError } from './bindings/IpcError';
import type { ServerStatus } from './bindings/ServerStatus';
import type { DirectoryEntryView } from './bindings/DirectoryEntryView';
import type { DirectoryQuery } from './bindings/DirectoryQuery';
import type { OpenView } from './bindings/OpenView';
import type { PhoneView } from './bindings/PhoneView';
import type { RotaDayView } from './bindings/RotaDayView';
import type { SituationView } from './bindings/SituationView';

import type { ClientRow } from './bindings/ClientRow';
import type { DirectoryRefresh } from './bindings/DirectoryRefresh';
import type { HomeToday } from './bindings/HomeToday';
import type { InstrumentView } from './bindings/InstrumentView';
import type { ScreeningView } from './bindings/ScreeningView';
import type { UnlockView } from './bindings/UnlockView';
import type { VaultStateView } from './bindings/VaultStateView';
import type { JoinForm } from './bindings/JoinForm';
import type { ReconnectForm } from './bindings/ReconnectForm';
import type { SyncErrorView } from './bindings/SyncErrorView';
import type { SyncProgressView } from './bindings/SyncProgressView';
import type { SyncState } from './bindings/SyncState';
import type { SyncStatusView } from './bindings/SyncStatusView';
import type { Dashboard } from './bindings/Dashboard';
import type { Format } from './bindings/Format';
import type { Month } from './bindings/Month';
import type { MonthlyStatistics } from './bindings/MonthlyStatistics';
import type { PublishedTable } from './bindings/PublishedTable';
import type { SavedReport } from './bindings/SavedReport';
import type { SavedPdfJson } from './bindings/SavedPdfJson';
import type { SavedLetter } from './bindings/SavedLetter';
import type { CaseFileParts } from './bindings/CaseFileParts';
import type { Shown } from './bindings/Shown';
import type { Trends } from './bindings/Trends';
import type { MemberRow } from './bindings/MemberRow';
import type { NoteReviews } from './bindings/NoteReviews';
import type { QueueFilter } from './bindings/QueueFilter';
import type { QueueItem } from './bindings/QueueItem';
import type { Review } from './bindings/Review';
import type { ReviewAction } from './bindings/ReviewAction';
import type { ReviewDraft } from './bindings/ReviewDraft';
import type { ReviewNews } from './bindings/ReviewNews';
import type { ReviewState } from './bindings/ReviewState';
import type { TeamView } from './bindings/TeamView';
import type { InvitationView } from './bindings/InvitationView';
import type { InvitationPreviewView } from './bindings/InvitationPreviewView';
import type { OrgKeySheetView } from './bindings/OrgKeySheetView';
import type { AlarmRow } from './bindings/AlarmRow';
import type { WeekCount } from './bindings/WeekCount';
import type { ConflictRevision } from './bindings/ConflictRevision';
import type { PassphraseRatingView } from './bindings/PassphraseRatingView';
import type { PassphraseStrength } from './bindings/PassphraseStrength';
import type { CaseDetails, ClientDetail, ClientProfile, Consent, NoteDraft, Referral, ReferralStatus, RiskLevel, Task } from './domain';
import type { ContactFilter, ContactFormChoices, ContactInput, ContactList, ContactStats, ContactView } from './domain';
import type { EpisodeDecision, EpisodeSubject, EpisodeView, EpisodeWork, OnCallNow, OnCallRota } from './domain';
import type { CaseAssignment, Level } from './domain';
import type { AccessEntry, DataRequest, RequestAnswer, RequestView } from './domain';
import type { Breach, BreachView, Recipient } from './domain';
import type { ErasureApproved, ErasureView, RecordClass, RetentionCheck } from './domain';

export type { ClientRow, DirectoryRefresh, HomeToday, InstrumentView, ScreeningView, UnlockView, VaultStateView };
export type { JoinForm, ReconnectForm, SyncErrorView, SyncProgressView, SyncState, SyncStatusView };
export type { Dashboard, MemberRow, NoteReviews, QueueFilter, QueueItem, Review, ReviewAction, ReviewDraft };
export type { AlarmRow, InvitationPreviewView, InvitationView, OrgKeySheetView, ReviewNews, ReviewState, TeamView, WeekCount };
export type { ConflictRevision };
export type { CaseFileParts, Format, Month, MonthlyStatistics, PublishedTable, SavedPdfJson, SavedLetter, SavedReport, Shown, Trends };
export type { PassphraseRatingView, PassphraseStrength };
export type * from './domain';
export type { Code };
export type { AppInfo, DirectoryEntryView, DirectoryQuery, IpcError, OpenView, PhoneView, ServerStatus };
export type { RotaDayView, SituationView };

/** A failed command, carrying the core's machine-readable code. */
export class BackendError extends Error {
  readonly code: Code;
  constructor(code: Code, message: string) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
  }
}

/**
 * The code of anything a backend call threw: a core error's own code, else `fallback` (the core
 * could not be reached, or a bug in the UI threw).
 */
export function errorCode(error: unknown, fallback: Code = 'IpcUnavailable'): Code {
  return error instanceof BackendError ? error.code : fallback;
}

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as IpcError).code === 'string' &&
    typeof (value as IpcError).message === 'string'
  );
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    if (isIpcError(raw)) throw new BackendError(raw.code, raw.message);
    throw new BackendError('IpcUnavailable', String(raw));
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function setLanguage(language: 'id' | 'en'): Promise<string> {
  return call<string>('set_language', { language });
}

export function serverStatus(): Promise<ServerStatus> {
  return call<ServerStatus>('server_status');
}

export function directorySearch(query: DirectoryQuery): Promise<DirectoryEntryView[]> {
  return call<DirectoryEntryView[]>('directory_search', { query });
}

/** The emergency panel: one group per situation, in the panel's order. */
export function emergencyNumbers(): Promise<SituationView[]> {
  return call<SituationView[]>('emergency_numbers');
}

/** Hands a `tel:` or `https:` link to the operating system (phone, WhatsApp, browser). */
export function openContact(url: string): Promise<void> {
  return call<void>('open_contact', { url });
}

export function vaultState(): Promise<VaultStateView> {
  return call<VaultStateView>('vault_state');
}

export function vaultCreate(passphrase: string): Promise<void> {
  return call<void>('vault_create', { passphrase });
}

export function vaultUnlock(passphrase: string): Promise<UnlockView> {
  return call<UnlockView>('vault_unlock', { passphrase });
}

export function vaultLock(): Promise<void> {
  return call<void>('vault_lock');
}

export function clientsSearch(text: string): Promise<ClientRow[]> {
  return call<ClientRow[]>('clients_search', { text });
}

export function clientCreate(profile: ClientProfile): Promise<string> {
  return call<string>('client_create', { profile });
}

export function clientDetail(id: string): Promise<ClientDetail> {
  return call<ClientDetail>('client_detail', { id });
}

export function noteSaveDraft(client: string, note: string | null, draft: NoteDraft): Promise<string> {
  return call<string>('note_save_draft', { client, note, draft });
}

export function noteFinalise(note: string): Promise<void> {
  return call<void>('note_finalise', { note });
}

export function noteAddendum(note: string, text: string): Promise<string> {
  return call<string>('note_addendum', { note, text });
}

/** Versions of a client's or a note's fields that lost to another device's edit. */
export function revisionsList(entity: string): Promise<ConflictRevision[]> {
  return call<ConflictRevision[]>('revisions_list', { entity });
}

/** Takes a version over: written as a new edit, so it syncs. */
export function revisionTake(entity: string, field: string, device: string, seq: number): Promise<void> {
  return call<void>('revision_take', { entity, field, device, seq });
}

/** Hides a version from the notice on this computer (it stays in the history). */
export function revisionDismiss(entity: string, field: string, device: string, seq: number): Promise<void> {
  return call<void>('revision_dismiss', { entity, field, device, seq });
}

export function screeningInstruments(): Promise<InstrumentView[]> {
  return call<InstrumentView[]>('screening_instruments');
}

export function screeningAdd(
  client: string,
  instrument: string,
  answers: Record<string, number>,
  language: string,
): Promise<ScreeningView> {
  return call<ScreeningView>('screening_add', { client, instrument, answers, language });
}

export function homeToday(): Promise<HomeToday> {
  return call<HomeToday>('home_today');
}

export function setAutoLock(minutes: number): Promise<number> {
  return call<number>('set_auto_lock', { minutes });
}

/** The core's rating of a passphrase being chosen (the vault refuses what it rates too short or
 * weak). */
export function passphraseStrength(passphrase: string): Promise<PassphraseRatingView> {
  return call<PassphraseRatingView>('passphrase_strength', { passphrase });
}

export function setServerUrl(url: string, confirm = false): Promise<string | null> {
  return call<string | null>('set_server_url', { url, confirm });
}

export function consentRecord(client: string, consent: Consent): Promise<string> {
  return call<string>('consent_record', { client, consent });
}

export function consentWithdraw(consent: string, reason: string): Promise<void> {
  return call<void>('consent_withdraw', { consent, reason });
}

export function caseOpen(client: string, details: CaseDetails): Promise<string> {
  return call<string>('case_open', { client, details });
}

export function caseUpdate(caseId: string, details: CaseDetails): Promise<void> {
  return call<void>('case_update', { case: caseId, details });
}

export function riskRecord(caseId: string, level: RiskLevel, reason: string): Promise<void> {
  return call<void>('risk_record', { case: caseId, level, reason });
}

export function directoryRefresh(): Promise<DirectoryRefresh> {
  return call<DirectoryRefresh>('directory_refresh');
}

/** Saves the directory key; replacing one already set needs `confirm` (else `ConfirmationNeeded`). */
export function setDirectoryKey(key: string, confirm = false): Promise<void> {
  return call<void>('set_directory_key', { key, confirm });
}

export function referralAdd(client: string, referral: Referral): Promise<string> {
  return call<string>('referral_add', { client, referral });
}

export function referralUpdate(client: string, referral: string, status: ReferralStatus, note: string): Promise<void> {
  return call<void>('referral_update', { client, referral, status, note });
}

export function clientUpdate(id: string, profile: ClientProfile): Promise<void> {
  return call<void>('client_update', { id, profile });
}

export function taskAdd(client: string, task: Task): Promise<string> {
  return call<string>('task_add', { client, task });
}

export function taskDone(client: string, task: string): Promise<void> {
  return call<void>('task_done', { client, task });
}

/** The sync status now (never waits for a running round). */
export function syncStatus(): Promise<SyncStatusView> {
  return call<SyncStatusView>('sync_status');
}

/** Runs a sync round now; its outcome is in the returned status. */
export function syncNow(): Promise<SyncStatusView> {
  return call<SyncStatusView>('sync_now');
}

/** Joins the organisation (with an invitation: a new member; without: a further device). */
export function teamJoin(form: JoinForm): Promise<SyncStatusView> {
  return call<SyncStatusView>('team_join', { form });
}

/** Signs this device in again to a server restored from a backup that no longer knows it. */
export function syncReconnect(form: ReconnectForm): Promise<SyncStatusView> {
  return call<SyncStatusView>('sync_reconnect', { form });
}

/** The security alarms this device raised, newest first. */
export function securityAlarms(): Promise<AlarmRow[]> {
  return call<AlarmRow[]>('security_alarms');
}

/** This member's role and her team's members (from the signed roster). */
export function teamView(): Promise<TeamView> {
  return call<TeamView>('team_view');
}

/** Admits a waiting member by the safety number she reads out; resolves to the team now. */
export function teamConfirm(username: string, safetyNumber: string): Promise<TeamView> {
  return call<TeamView>('team_confirm', { username, safetyNumber });
}

/** Who invites, to which team, as whom: a supervisor's invitation as its newcomer sees it
 * before she sets her passphrase. */
export function invitationPreview(serverUrl: string, code: string): Promise<InvitationPreviewView> {
  return call<InvitationPreviewView>('invitation_preview', { serverUrl, code });
}

/** An invitation made on this supervisor's device: the code to hand the newcomer. */
export function teamInvite(username: string, role: string, level: number | null): Promise<InvitationView> {
  return call<InvitationView>('team_invite', { username, role, level });
}

/** Makes the organisation root key on this administrator's device: its recovery sheet. */
export function orgKeyInit(): Promise<OrgKeySheetView> {
  return call<OrgKeySheetView>('org_key_init');
}

/** Signs the organisation settings with a new name and this team's time zone (WIB, WITA or
 * WIT) on the administrator's device holding the organisation key; sent at the next sync. */
export function orgSettingsSave(name: string, zone: string): Promise<TeamView> {
  return call<TeamView>('org_settings_save', { name, zone });
}

/** Opens WhatsApp with the invitation code and the server's address. */
export function teamShareInvitation(code: string): Promise<void> {
  return call<void>('team_share_invitation', { code });
}

/** A single-use code (valid 24 hours) with which this member adds a further computer of hers:
 * it joins with its own keys and passphrase and waits until a supervisor admits it. */
export function teamDeviceCode(): Promise<string> {
  return call<string>('team_device_code');
}

/** Removes a member from the team (a key manager's decision); resolves to the team now. */
export function teamRemove(username: string): Promise<TeamView> {
  return call<TeamView>('team_remove', { username });
}

/** Revokes one device of the team; resolves to the team now. */
export function teamRevokeDevice(device: number): Promise<TeamView> {
  return call<TeamView>('team_revoke_device', { device });
}

/** The team's finalised notes waiting for review, most urgent first. */
export function reviewQueue(filter: QueueFilter): Promise<QueueItem[]> {
  return call<QueueItem[]>('review_queue', { filter });
}

/** Approves, returns or comments on a finalised note; resolves to the review's id. */
export function reviewAdd(note: string, draft: ReviewDraft): Promise<string> {
  return call<string>('review_add', { note, draft });
}

/** A note's supervision state and reviews. */
export function noteReviews(note: string): Promise<NoteReviews> {
  return call<NoteReviews>('note_reviews', { note });
}

/** The team dashboard as of today. */
export function teamDashboard(): Promise<Dashboard> {
  return call<Dashboard>('team_dashboard');
}

/** The folder reports are saved in. */
export function exportFolder(): Promise<string> {
  return call<string>('export_folder');
}

/** Sets the export folder (a whole path; empty: the default); resolves to the folder in use. */
export function setExportFolder(folder: string): Promise<string> {
  return call<string>('set_export_folder', { folder });
}

/** Makes the monthly statistics of `month` (YYYY-MM) and saves them in the export folder. */
export function reportMonthly(month: string, format: Format): Promise<SavedReport> {
  return call<SavedReport>('report_monthly', { month, format });
}

/** Prints a client's case file (the chosen parts) into the export folder; resolves to its path. */
export function reportCaseFile(client: string, parts: CaseFileParts): Promise<string> {
  return call<string>('report_case_file', { client, parts });
}

/** Prints a referral's letter into the export folder; resolves to its path and chat text. */
export function reportReferralLetter(client: string, referral: string): Promise<SavedLetter> {
  return call<SavedLetter>('report_referral_letter', { client, referral });
}

/**
 * Makes the access export answering an open access or portability request (identity checked)
 * into the export folder: a PDF and a JSON with her processing trail; resolves to both paths.
 */
export function reportAccessExport(request: string): Promise<SavedPdfJson> {
  return call<SavedPdfJson>('report_access_export', { request });
}

/** The organisation's record of processing activities (UU PDP Ps 31), saved as PDF and JSON. */
export function reportProcessingRecord(): Promise<SavedPdfJson> {
  return call<SavedPdfJson>('report_processing_record');
}

/** Lifts a granted restriction (her handler or a supervisor): her record can be changed again. */
export function requestLift(id: string): Promise<RequestView> {
  return call<RequestView>('request_lift', { id });
}

/** Sessions, contacts and red flags of the last twelve months, and contacts by category. */
export function teamTrends(): Promise<Trends> {
  return call<Trends>('team_trends');
}

/** This member's reviewed notes, returned ones first. */
export function reviewNews(): Promise<ReviewNews[]> {
  return call<ReviewNews[]>('review_news');
}

/** Calls `handler` with every sync status the core sends; resolves to an unsubscribe function. */
export async function onSyncStatus(handler: (status: SyncStatusView) => void): Promise<() => void> {
  try {
    return await listen<SyncStatusView>('sync-status', (event) => handler(event.payload));
  } catch {
    // No core (unit tests without IPC): nothing will ever arrive.
    return () => undefined;
  }
}

// The contact log (issue 20).

/** Saves a contact: creates it when `id` is null, else writes what changed; resolves to it as stored. */
export function contactSave(id: string | null, input: ContactInput): Promise<ContactView> {
  return call<ContactView>('contact_save', { id, input });
}

/** The contact list, newest first. */
export function contactsList(filter: ContactFilter): Promise<ContactList> {
  return call<ContactList>('contacts_list', { filter });
}

/** Earlier contacts from `number` (compared by its hash only), leaving out `except`. */
export function contactPrevious(number: string, except: string | null): Promise<ContactView[]> {
  return call<ContactView[]>('contact_previous', { number, except });
}

/** "Jadikan klien": resolves to the new client's id. */
export function contactConvert(contacts: string[], profile: ClientProfile, consent: Consent): Promise<string> {
  return call<string>('contact_convert', { contacts, profile, consent });
}

/** The contacts in a client's timeline, oldest first. */
export function clientContacts(client: string): Promise<ContactView[]> {
  return call<ContactView[]>('client_contacts', { client });
}

/** Red-flagged contacts no supervisor has marked seen. */
export function contactQueue(): Promise<ContactView[]> {
  return call<ContactView[]>('contact_queue');
}

/** A supervisor marks a contact seen (approve) or anyone comments; resolves to it as it stands. */
export function contactReview(contact: string, draft: ReviewDraft): Promise<ContactView> {
  return call<ContactView>('contact_review', { contact, draft });
}

/** The dashboard's contact figures (seven days, overdue callbacks). */
export function contactStats(): Promise<ContactStats> {
  return call<ContactStats>('contact_stats');
}

/** The contact form's choices: zone, categories, lines, this member's last line. */
export function contactFormChoices(): Promise<ContactFormChoices> {
  return call<ContactFormChoices>('contact_form_choices');
}

// The red-flag protocol (issue 22).

/** Opens a risk episode on a client or contact (or resolves to the open one). */
export function episodeOpen(subject: EpisodeSubject): Promise<EpisodeView> {
  return call<EpisodeView>('episode_open', { subject });
}

/** Saves the assessment, safety plan and actions; resolves to the episode as stored. */
export function episodeSave(id: string, work: EpisodeWork): Promise<EpisodeView> {
  return call<EpisodeView>('episode_save', { id, work });
}

/** A supervisor acknowledges (`{ kind: 'acknowledge' }`) or closes (`{ kind: 'close', reason }`) an episode. */
export function episodeDecide(id: string, decision: EpisodeDecision): Promise<EpisodeView> {
  return call<EpisodeView>('episode_decide', { id, decision });
}

/** A client's or contact's episodes, newest first. */
export function episodesOf(subject: EpisodeSubject): Promise<EpisodeView[]> {
  return call<EpisodeView[]>('episodes_of', { subject });
}

/** The team's open episodes, the most urgent first. */
export function episodesOpen(): Promise<EpisodeView[]> {
  return call<EpisodeView[]>('episodes_open');
}

// The request register (issue 25, UU PDP).

/** Registers a data-subject request about a client; resolves to it with its deadline. */
export function requestAdd(client: string, request: DataRequest): Promise<RequestView> {
  return call<RequestView>('request_add', { client, request });
}

/** Records the answer to a request (once); resolves to it as stored. */
export function requestAnswer(id: string, answer: RequestAnswer): Promise<RequestView> {
  return call<RequestView>('request_answer', { id, answer });
}

/** A client's requests, newest receipt first. */
export function requestsOf(client: string): Promise<RequestView[]> {
  return call<RequestView[]>('requests_of', { client });
}

/** Who opened, exported or printed a client's data, newest first (a supervisor's). */
export function accessLog(client: string): Promise<AccessEntry[]> {
  return call<AccessEntry[]>('access_log', { client });
}

/** Every incident of the breach register, the most recently known first. */
export function breachesList(): Promise<BreachView[]> {
  return call<BreachView[]>('breaches_list');
}

/** Registers an incident; resolves to it as stored, with its deadline. */
export function breachAdd(breach: Breach): Promise<BreachView> {
  return call<BreachView>('breach_add', { breach });
}

/** Records that `to` was notified at `at` (a supervisor or admin, once). */
export function breachNotified(id: string, to: Recipient, at: string): Promise<BreachView> {
  return call<BreachView>('breach_notified', { id, to, at });
}

/** Saves the notice of incident `id` to `to` in the export folder, with its text. */
export function reportBreachNotice(id: string, to: Recipient): Promise<SavedLetter> {
  return call<SavedLetter>('report_breach_notice', { id, to });
}

/**
 * Approves the erasure an open erasure request asks for (a supervisor or admin): her data goes
 * from this device at once and from every other at its next sync. Returns the erasure and the
 * notice to her (text, shown once and never saved).
 */
export function erasureApprove(request: string): Promise<ErasureApproved> {
  return call<ErasureApproved>('erasure_approve', { request });
}

/** Every erasure, the newest first, each with the devices that confirmed. */
export function erasuresList(): Promise<ErasureView[]> {
  return call<ErasureView[]>('erasures_list');
}

/** What outlived the organisation's retention periods on this device (nothing is destroyed). */
export function retentionCheck(): Promise<RetentionCheck> {
  return call<RetentionCheck>('retention_check');
}

/**
 * Destroys what the check listed of `cls` and a supervisor or admin chose (each item's `id`),
 * on this device at once and on every other at its next sync. Returns the check afterwards.
 */
export function retentionApprove(cls: RecordClass, chosen: string[]): Promise<RetentionCheck> {
  return call<RetentionCheck>('retention_approve', { class: cls, chosen });
}

/** Every unanswered request this device reads, the nearest deadline first. */
export function requestsOpen(): Promise<RequestView[]> {
  return call<RequestView[]>('requests_open');
}

/** The on-call rota (Monday to Sunday, first the supervisor episodes go to). */
export function onCallRota(): Promise<OnCallRota> {
  return call<OnCallRota>('on_call_rota');
}

/** A supervisor or admin saves the on-call rota; resolves to it as stored. */
export function onCallSave(rota: OnCallRota): Promise<OnCallRota> {
  return call<OnCallRota>('on_call_save', { rota });
}

/** The supervisors on call now with their numbers. */
export function onCallNow(): Promise<OnCallNow[]> {
  return call<OnCallNow[]>('on_call_now');
}

/** A client code no other device of the team can make offline (`K-37-0004`). */
export function clientCodeSuggest(prefix: string): Promise<string> {
  return call<string>('client_code_suggest', { prefix });
}

/** Codes two or more clients share (typed by hand on two devices offline). */
export function clientsDuplicateCodes(): Promise<string[]> {
  return call<string[]>('clients_duplicate_codes');
}

// Need-to-know access (issue 23).

/** Who works on a client's case now, every change with its reason, and whether this member
 * may change it (a supervisor) with whom. */
export function caseAssignment(client: string): Promise<CaseAssignment> {
  return call<CaseAssignment>('case_assignment', { client });
}

/** A supervisor sets a case's workers (member numbers) from now on, with a reason (required when
 * a worker is taken off: a transfer or a release); resolves to the case as it stands now. Refused
 * with `NotPermitted` for a child's case without a senior volunteer, staff worker or supervisor
 * among the workers. */
export function caseAssign(client: string, workers: number[], reason: string | null): Promise<CaseAssignment> {
  return call<CaseAssignment>('case_assign', { client, workers, reason });
}

/** A key manager sets a counselor's or outreach worker's level (the roster lists it after the
 * next sync); resolves to the team now. */
export function teamSetLevel(username: string, level: Level): Promise<TeamView> {
  return call<TeamView>('team_set_level', { username, level });
}
