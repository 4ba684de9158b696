// Shapes of the core's domain values as they cross IPC (their serde form).
// These mirror teduh-core's serde types by hand until the core exports ts-rs
// bindings for them (tracked in docs/ui.md); the ts-rs-generated IPC views live in ./bindings.

export type Sex = 'female' | 'male' | 'unspecified';
export type ContactKind = 'phone' | 'whats_app' | 'email' | 'other';

export interface Contact {
  kind: ContactKind;
  value: string;
  safe_to_contact: boolean;
}

export interface Guardian {
  name: string;
  relationship: string;
  contacts: Contact[];
}

export interface ClientProfile {
  code: string;
  name: string;
  nickname: string;
  sex: Sex;
  birth_date: string | null;
  estimated_age: number | null;
  contacts: Contact[];
  address: string;
  guardian: Guardian | null;
  language: string;
  communication_needs: string;
  ppks_categories: string[];
  ampk_categories: string[];
}

export type Modality = 'in_person' | 'phone' | 'whats_app' | 'video' | 'home_visit' | 'outreach';
export type RiskLevel = 'low' | 'medium' | 'high' | 'imminent';
export type MhpssLayer = 'basic_services' | 'community_supports' | 'focused_supports' | 'specialised_services';

export interface NoteDraft {
  occurred_at: string | null;
  zone: string;
  duration_minutes: number;
  modality: Modality;
  location: string;
  participants: string[];
  pfa_look: string[];
  pfa_listen: string[];
  pfa_link: string[];
  mhpss_layer: MhpssLayer | null;
  narrative: string;
  risk: RiskLevel | null;
  plan: string;
  next_follow_up: string | null;
}

export type NoteStatus = { status: 'draft' } | { status: 'finalised'; at: string; by: string };

export interface Note {
  id: string;
  client: string;
  author: string | null;
  content: NoteDraft;
  status: NoteStatus;
  addenda: { id: string; addendum: { text: string; written_at: string | null; author: string | null } }[];
}

export interface ScreeningRecord {
  id: string;
  answers: { instrument: string; answers: Record<string, number>; administered_at: string | null; language: string };
  result: { total: number; band: string; flagged: boolean; red_flags: string[]; attribution: string };
}

export type ConsentGiver = 'self_given' | 'parent' | 'guardian';
export type LawfulBasis = 'consent' | 'vital_interest' | 'legal_obligation' | 'public_task' | 'contract' | 'legitimate_interest';
export type ConsentChannel = 'written' | 'verbal' | 'digital';

export interface Consent {
  given_by: ConsentGiver;
  giver_name: string;
  child_assent: boolean | null;
  purposes: string[];
  lawful_basis: LawfulBasis;
  channel: ConsentChannel;
  given_at: string | null;
}

export interface ConsentRecord {
  id: string;
  consent: Consent;
  withdrawals: { withdrawn_at: string | null; reason: string }[];
}

export type CaseStage = 'intake' | 'assessment' | 'planning' | 'intervention' | 'evaluation' | 'closure_or_referral' | 'follow_up';

export interface CaseDetails {
  presenting_problem: string;
  stage: CaseStage;
  assigned_worker: string | null;
  categories: string[];
  closure_reason: string | null;
}

export interface RiskEntry {
  level: RiskLevel;
  reason: string;
  assessed_at: string | null;
  assessed_by: string | null;
}

export interface Case {
  id: string;
  details: CaseDetails;
  risk_history: RiskEntry[];
  current_risk: RiskLevel | null;
}

export type Urgency = 'routine' | 'soon' | 'urgent';
export type ReferralStatus = 'sent' | 'accepted' | 'completed' | 'declined';

export interface Referral {
  partner_id: string;
  partner_name: string;
  reason: string;
  urgency: Urgency;
  shared_data: string[];
  lawful_basis: LawfulBasis | null;
  follow_up_due: string | null;
  follow_up_task: string | null;
}

export interface ReferralRecord {
  id: string;
  referral: Referral;
  updates: { status: ReferralStatus; at: string | null; note: string }[];
  status: ReferralStatus;
}

export interface ClientDetail {
  client: { id: string; profile: ClientProfile; is_child: boolean | null };
  notes: Note[];
  screenings: ScreeningRecord[];
  consents: ConsentRecord[];
  cases: Case[];
  tasks: unknown[];
  referrals: ReferralRecord[];
}
