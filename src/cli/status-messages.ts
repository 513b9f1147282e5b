import type { MessageCode, Params } from '../kernel/messages/index.ts';
import { render } from '../kernel/messages/index.ts';
import { cliLang } from './cli-lang.ts';

/**
 * The reason codes `polis describe` derives from an application's status, worded from the catalogue
 * (src/kernel/messages) in the command line's language. A line shows the code first, so a person can look it up
 * and a script can match it whatever the wording: `ClusterUnhealthy: …`.
 */
export type StatusReason = 'ClusterUnhealthy' | 'AwaitingReplacements' | 'Bursting' | 'BurstLimited' | 'BurstClosed';

/** The catalogue code that words each reason (Bursting and BurstLimited are also event codes, with other params). */
const CODE: Record<StatusReason, MessageCode> = {
  ClusterUnhealthy: 'ClusterUnhealthy',
  AwaitingReplacements: 'AwaitingReplacements',
  Bursting: 'BurstingSummary',
  BurstLimited: 'BurstLimitedSummary',
  BurstClosed: 'BurstClosed',
};

/** `CODE: text` for a reason code and its parameters. */
export function statusMessage(reason: StatusReason, params: Params = {}): string {
  return `${reason}: ${render(CODE[reason], params, cliLang()) ?? ''}`;
}
