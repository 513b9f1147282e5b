import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
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
): { reason: string; detail: Message }[] {
  const by = new Map<string, Message[]>();
  // Borrowed replicas given back: because a lender needs its guarantee, or the capacity shrank.
  for (const [name, before] of Object.entries(was?.components ?? {})) {
    const after = now?.components[name]?.borrowed ?? 0;
    if (before.borrowed > after)
      by.set('Reclaimed', [
        ...(by.get('Reclaimed') ?? []),
        msg('ShareReclaimedPart', { component: name, replicas: before.borrowed - after }),
      ]);
  }
  for (const [name, c] of Object.entries(now?.components ?? {})) {
    if (!c.limited || !c.reason) continue;
    const before = was?.components[name];
    if (before?.limited === c.limited && before.reason === c.reason) continue;
    by.set(c.reason, [...(by.get(c.reason) ?? []), msg('ShareHeldPart', { component: name, replicas: c.limited })]);
  }
  return [...by].map(([reason, parts]) => ({ reason, detail: explained(reason, parts) }));
}

/** The event's message: the parts, then why (the reason's own code explains it). */
function explained(reason: string, parts: Message[]): Message {
  if (reason === 'Reclaimed') return msg('Reclaimed', { parts });
  if (reason === 'CapacityLimited') return msg('CapacityLimited', { parts });
  return msg('QuotaLimited', { parts });
}
