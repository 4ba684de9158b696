// The core's domain values as they cross IPC, generated from the Rust types by ts-rs
// (teduh-core's `ts` feature); never edit the bindings by hand.
export type { Addendum } from './bindings/Addendum';
export type { AddendumRecord } from './bindings/AddendumRecord';
export type { Case } from './bindings/Case';
export type { CaseDetails } from './bindings/CaseDetails';
export type { CaseStage } from './bindings/CaseStage';
export type { Client } from './bindings/Client';
export type { ClientExport as ClientDetail } from './bindings/ClientExport';
export type { ClientProfile } from './bindings/ClientProfile';
export type { Consent } from './bindings/Consent';
export type { ConsentChannel } from './bindings/ConsentChannel';
export type { ConsentGiver } from './bindings/ConsentGiver';
export type { ConsentRecord } from './bindings/ConsentRecord';
export type { Contact } from './bindings/Contact';
export type { ContactKind } from './bindings/ContactKind';
export type { Guardian } from './bindings/Guardian';
export type { LawfulBasis } from './bindings/LawfulBasis';
export type { MhpssLayer } from './bindings/MhpssLayer';
export type { Modality } from './bindings/Modality';
export type { Note } from './bindings/Note';
export type { NoteDraft } from './bindings/NoteDraft';
export type { NoteStatus } from './bindings/NoteStatus';
export type { Referral } from './bindings/Referral';
export type { ReferralRecord } from './bindings/ReferralRecord';
export type { ReferralStatus } from './bindings/ReferralStatus';
export type { ReferralUpdate } from './bindings/ReferralUpdate';
export type { RiskEntry } from './bindings/RiskEntry';
export type { RiskLevel } from './bindings/RiskLevel';
export type { Screening as ScreeningRecord } from './bindings/Screening';
export type { Sex } from './bindings/Sex';
export type { Task } from './bindings/Task';
export type { TaskRecord } from './bindings/TaskRecord';
export type { Urgency } from './bindings/Urgency';

// The contact log (issue 20).
export type { AgeBand } from './bindings/AgeBand';
export type { Callback } from './bindings/Callback';
export type { CallerType } from './bindings/CallerType';
export type { Channel } from './bindings/Channel';
export type { ContactAction } from './bindings/ContactAction';
export type { ContactCount } from './bindings/ContactCount';
export type { ContactEntry } from './bindings/ContactEntry';
export type { ContactFilter } from './bindings/ContactFilter';
export type { ContactFormChoices } from './bindings/ContactFormChoices';
export type { ContactInput } from './bindings/ContactInput';
export type { ContactLine } from './bindings/ContactLine';
export type { ContactLineChoice } from './bindings/ContactLineChoice';
export type { ContactList } from './bindings/ContactList';
export type { ContactOutcome } from './bindings/ContactOutcome';
export type { ContactPerson } from './bindings/ContactPerson';
export type { ContactStats } from './bindings/ContactStats';
export type { ContactView } from './bindings/ContactView';
export type { SelfHarm } from './bindings/SelfHarm';
export type { TaxonomyCategory } from './bindings/TaxonomyCategory';
export type { Zone } from './bindings/Zone';

// The red-flag protocol (issue 22).
export type { Decision } from './bindings/Decision';
export type { Episode } from './bindings/Episode';
export type { EpisodeDecision } from './bindings/EpisodeDecision';
export type { EpisodeSubject } from './bindings/EpisodeSubject';
export type { EpisodeTrigger } from './bindings/EpisodeTrigger';
export type { EpisodeView } from './bindings/EpisodeView';
export type { EpisodeWork } from './bindings/EpisodeWork';
export type { Finding } from './bindings/Finding';
export type { OnCallNow } from './bindings/OnCallNow';
export type { OnCallRota } from './bindings/OnCallRota';
export type { PlanService } from './bindings/PlanService';
export type { RiskAssessment } from './bindings/RiskAssessment';
export type { SafetyPlan } from './bindings/SafetyPlan';
export type { SupervisorNumbers } from './bindings/SupervisorNumbers';
export type { QueueUrgency } from './bindings/QueueUrgency';

// The request register (issue 25, UU PDP).
export type { DataRequest } from './bindings/DataRequest';
export type { IdentityCheck } from './bindings/IdentityCheck';
export type { Outcome as RequestOutcome } from './bindings/Outcome';
export type { ReceivedVia } from './bindings/ReceivedVia';
export type { RefusalGround } from './bindings/RefusalGround';
export type { RequestAnswer } from './bindings/RequestAnswer';
export type { RequestKind } from './bindings/RequestKind';
export type { Requester } from './bindings/Requester';
export type { RequestView } from './bindings/RequestView';
export type { Standing as RequestStanding } from './bindings/Standing';
export type { AccessAction } from './bindings/AccessAction';
export type { AccessEntry } from './bindings/AccessEntry';

// The breach register (issue 26, UU PDP Ps 46).
export type { Breach } from './bindings/Breach';
export type { BreachStanding } from './bindings/BreachStanding';
export type { BreachView } from './bindings/BreachView';
export type { DataCategory } from './bindings/DataCategory';
export type { Recipient } from './bindings/Recipient';

// Erasure by crypto-shredding (issue 26, UU PDP Ps 43-44).
export type { ErasureDevice } from './bindings/ErasureDevice';
export type { ErasureState } from './bindings/ErasureState';
export type { ErasureView } from './bindings/ErasureView';
export type { ErasureApproved } from './bindings/ErasureApproved';
export type { ErasureCause } from './bindings/ErasureCause';
export type { ErasedSubject } from './bindings/ErasedSubject';
export type { RetentionCheck } from './bindings/RetentionCheck';
export type { RetentionDue } from './bindings/RetentionDue';
export type { RecordClass } from './bindings/RecordClass';
export type { Retention } from './bindings/Retention';

// Need-to-know access (issue 23).
export type { AssignmentChange } from './bindings/AssignmentChange';
export type { CaseAssignment } from './bindings/CaseAssignment';
export type { CaseWorker } from './bindings/CaseWorker';
export type { Level } from './bindings/Level';
export type { MayView } from './bindings/MayView';
