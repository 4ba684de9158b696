// Conflict revisions as the counselor sees them: which label a field has, how another version's
// value reads, who wrote it, and what taking it over does to a note form.
import type { ConflictRevision, NoteDraft } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import { formatDate, formatTime } from '../lib/format/datetime';
import { isoToDisplay } from '../lib/format/parse';

/** Catalogue keys of the fields a notice can name (note and client profile). */
const FIELD_LABELS: Record<string, MessageKey> = {
  occurred_at: 'note.date',
  zone: 'note.zone',
  duration_minutes: 'note.duration',
  modality: 'note.modality',
  location: 'note.location',
  participants: 'note.participants',
  pfa_look: 'note.pfa.look',
  pfa_listen: 'note.pfa.listen',
  pfa_link: 'note.pfa.link',
  mhpss_layer: 'note.mhpss',
  risk: 'note.risk',
  narrative: 'note.narrative',
  plan: 'note.plan',
  next_follow_up: 'note.nextFollowUp',
  code: 'client.code',
  name: 'client.name',
  nickname: 'client.nickname',
  sex: 'client.sex',
  birth_date: 'client.birthDate',
  estimated_age: 'client.estimatedAge',
  address: 'client.address',
  language: 'client.language',
  communication_needs: 'client.needs',
  guardian: 'client.guardian',
  contacts: 'client.phone',
};

/** The catalogue key naming `field`, or null for a field without a label (shown by name). */
export function fieldLabelKey(field: string): MessageKey | null {
  return FIELD_LABELS[field] ?? null;
}

/** A field's value as one line of text ('—' for empty). */
export function revisionText(value: unknown, zone = 'Asia/Jakarta'): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') {
    // Dates as dd/MM/yyyy, instants with the time and zone label (WIB).
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return isoToDisplay(value);
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
      const d = new Date(value);
      if (!Number.isNaN(d.getTime())) return `${formatDate(d, zone)} ${formatTime(d, zone)}`;
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map((v) => revisionText(v, zone)).filter((v) => v !== '—');
    return parts.length ? parts.join(', ') : '—';
  }
  if (typeof value === 'object') {
    const parts = Object.values(value as Record<string, unknown>)
      .map((v) => revisionText(v, zone))
      .filter((v) => v !== '—');
    return parts.length ? parts.join(', ') : '—';
  }
  return String(value);
}

/** Who wrote a version: the message key and its parameters. */
export function revisionSource(r: ConflictRevision): { key: MessageKey; params: Record<string, string> } {
  if (r.this_device) return { key: 'revisions.byThisDevice', params: {} };
  const device = r.device_number !== null ? `#${r.device_number}` : r.device.slice(-6);
  if (r.author) return { key: 'revisions.byMember', params: { author: r.author, device } };
  return { key: 'revisions.byDevice', params: { device } };
}

/** The note draft with a taken-over version of one field. */
export function draftWithRevision(draft: NoteDraft, field: string, value: unknown): NoteDraft {
  if (!(field in draft)) return draft;
  return { ...draft, [field]: value } as NoteDraft;
}

/** The version's identity, for a stable key in a list. */
export function revisionKey(r: ConflictRevision): string {
  return `${r.field}/${r.device}/${r.seq}`;
}
