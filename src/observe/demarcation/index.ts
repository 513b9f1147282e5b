/** Fault demarcation: the verdict of an incident (infrastructure, application, shared dependency) and its ranked causes. */
export {
  DEFAULT_OPTIONS,
  DemarcationInputSchema,
  SIGNAL_KINDS,
  type Component,
  type DemarcationInput,
  type DemarcationOptions,
  type ParsedInput,
  type Series,
  type SignalKind,
  type Subject,
} from './input.ts';
export type { Candidate, CandidateEvidence, SeriesEvidence } from './rank.ts';
export { SIGNAL_RULES, type SignalRule } from './signals.ts';
export { demarcate, type DemarcationResult, type Owner, type RankedCandidate, type Verdict } from './verdict.ts';
