import type { Priority } from '../placement/sharing.ts';
import type { ComponentPlacement } from '../placement/types.ts';
import type { SharingStatus } from './app-status.ts';
import type { ApplicationShare } from './sharing-ledger.ts';

type Components = SharingStatus['components'];

/**
 * The application's fair-sharing status: per component what runs privately within the guarantee and borrowed,
 * and what the department's share holds back (run nowhere) with the reason. Absent when nothing is borrowed or
 * held back and the priority is the default: the common case writes nothing.
 */
export function sharingStatus(
  share: ApplicationShare,
  placement: Readonly<Record<string, ComponentPlacement>>,
  priority: Priority,
): SharingStatus | undefined {
  const components: Record<string, Components[string]> = {};
  let notable = priority !== 'normal';
  for (const [name, g] of Object.entries(share.grants)) {
    const limited = placement[name]?.shareHeldBack ?? 0;
    components[name] = {
      guaranteed: g.guaranteed,
      borrowed: g.borrowed,
      ...(limited > 0 ? { limited } : {}),
      ...(limited > 0 && g.reason ? { reason: g.reason } : {}),
    };
    if (g.borrowed > 0 || limited > 0) notable = true;
  }
  return notable ? { priority, components } : undefined;
}

/**
 * Events when borrowed replicas are given back (Reclaimed) or the share starts holding replicas back (QuotaLimited,
 * CapacityLimited); each message names the components and the counts. Nothing while it stays the same.
 */
export function sharingNotes(
  now: SharingStatus | undefined,
  was: SharingStatus | undefined,
): { reason: string; message: string }[] {
  const by = new Map<string, string[]>();
  // Borrowed replicas given back: because a lender needs its guarantee, or the capacity shrank.
  for (const [name, before] of Object.entries(was?.components ?? {})) {
    const after = now?.components[name]?.borrowed ?? 0;
    if (before.borrowed > after)
      by.set('Reclaimed', [...(by.get('Reclaimed') ?? []), `${name}: ${before.borrowed - after} borrowed replica(s)`]);
  }
  for (const [name, c] of Object.entries(now?.components ?? {})) {
    if (!c.limited || !c.reason) continue;
    const before = was?.components[name];
    if (before?.limited === c.limited && before.reason === c.reason) continue;
    by.set(c.reason, [...(by.get(c.reason) ?? []), `${name}: ${c.limited} replica(s) held back`]);
  }
  return [...by].map(([reason, parts]) => ({ reason, message: `${parts.join('; ')} (${EXPLAIN[reason]})` }));
}

const EXPLAIN: Record<string, string> = {
  QuotaLimited: "the department's guarantee and borrowing limit are used",
  Reclaimed: 'given back to departments that need their guarantee, or to a private cloud that shrank',
  CapacityLimited: 'the private cloud has no idle capacity to lend',
};
