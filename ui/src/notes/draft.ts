// The note form's values and their conversion to and from the core's NoteDraft.
import type { MhpssLayer, Modality, NoteDraft, RiskLevel } from '../lib/backend';
import { isoToDisplay, localToUtc, parseDate, parseTime } from '../lib/format/parse';

export const ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
export const MODALITIES: Modality[] = ['in_person', 'phone', 'whats_app', 'video', 'home_visit', 'outreach'];
export const RISKS: RiskLevel[] = ['low', 'medium', 'high', 'imminent'];
export const LAYERS: MhpssLayer[] = ['basic_services', 'community_supports', 'focused_supports', 'specialised_services'];
export const PFA = {
  look: ['safety', 'urgent_needs', 'distress'],
  listen: ['approach', 'needs', 'calm'],
  link: ['basic_needs', 'information', 'loved_ones', 'services'],
} as const;

export interface NoteForm {
  date: string;
  time: string;
  zone: string;
  duration: string;
  modality: Modality;
  location: string;
  participants: string;
  pfaLook: string[];
  pfaListen: string[];
  pfaLink: string[];
  layer: MhpssLayer | '';
  risk: RiskLevel | '';
  narrative: string;
  plan: string;
  nextFollowUp: string;
}

function localParts(iso: string, zone: string): { date: string; time: string } {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const p = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { date: `${p.day}/${p.month}/${p.year}`, time: `${p.hour}.${p.minute}` };
}

// Where the team's zone label becomes an IANA zone (kept importable from here).
export { zoneOfTeam } from '../lib/format/datetime';

export function newNoteForm(now: Date, zone = 'Asia/Jakarta'): NoteForm {
  const { date, time } = localParts(now.toISOString(), zone);
  return {
    date, time, zone, duration: '60', modality: 'in_person', location: '', participants: '',
    pfaLook: [], pfaListen: [], pfaLink: [], layer: '', risk: '', narrative: '', plan: '', nextFollowUp: '',
  };
}

export function formFromDraft(d: NoteDraft): NoteForm {
  const zone = d.zone || 'Asia/Jakarta';
  const local = d.occurred_at ? localParts(d.occurred_at, zone) : { date: '', time: '' };
  return {
    ...local,
    zone,
    duration: String(d.duration_minutes),
    modality: d.modality,
    location: d.location,
    participants: d.participants.join(', '),
    pfaLook: [...d.pfa_look],
    pfaListen: [...d.pfa_listen],
    pfaLink: [...d.pfa_link],
    layer: d.mhpss_layer ?? '',
    risk: d.risk ?? '',
    narrative: d.narrative,
    plan: d.plan,
    nextFollowUp: isoToDisplay(d.next_follow_up),
  };
}

/** The draft to save; fields that do not parse yet are saved empty (typing is never blocked). */
export function draftFromForm(f: NoteForm): NoteDraft {
  const date = parseDate(f.date);
  const minutes = parseTime(f.time);
  return {
    occurred_at: date !== null && minutes !== null ? localToUtc(date, minutes, f.zone) : null,
    zone: f.zone,
    duration_minutes: Math.max(0, Math.round(Number(f.duration) || 0)),
    modality: f.modality,
    location: f.location,
    participants: f.participants.split(',').map((p) => p.trim()).filter(Boolean),
    pfa_look: f.pfaLook,
    pfa_listen: f.pfaListen,
    pfa_link: f.pfaLink,
    mhpss_layer: f.layer === '' ? null : f.layer,
    risk: f.risk === '' ? null : f.risk,
    narrative: f.narrative,
    plan: f.plan,
    next_follow_up: parseDate(f.nextFollowUp),
  };
}

/** The narrative with the selection `[start, end)` marked as third-party information
 * (`[[...]]`: left out of case files and access exports, issue 25), and the selection to
 * restore. An empty selection gets an empty mark with the cursor inside; a selection already
 * inside a mark is left as it is. */
export function markThirdParty(text: string, start: number, end: number): { text: string; start: number; end: number } {
  const [from, to] = start <= end ? [start, end] : [end, start];
  const open = text.lastIndexOf('[[', from);
  const close = text.lastIndexOf(']]', from);
  if (open !== -1 && open > close && text.indexOf(']]', from) >= to) return { text, start: from, end: to };
  const marked = `${text.slice(0, from)}[[${text.slice(from, to)}]]${text.slice(to)}`;
  return { text: marked, start: from + 2, end: to + 2 };
}
