import { isIP } from 'node:net';
import type { StepMessage } from '../apps/workflow/notification.ts';
import { webhookUrlProblem } from '../apps/workflow/notification.ts';

/** Where a workflow's notification and webhook steps go. */
export interface StepNotifier {
  /** Sends one message; resolves with what happened, never throws. */
  send(
    message: StepMessage & { readonly tenant: string; readonly app: string; readonly step: string },
  ): Promise<{ readonly sent: true } | { readonly sent: false; readonly reason: string; readonly detail: string }>;
}

/** The default: nothing leaves polis; each message is recorded as an event of the application (dry run). */
export const recordOnlyNotifier: StepNotifier = {
  send: () => Promise.resolve({ sent: false, reason: 'NotificationRecorded', detail: 'record mode: not sent' }),
};

/** Hosts a control plane must never post to on a department's behalf (cloud metadata, link-local). */
function forbiddenHost(host: string, allowPrivate: boolean): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (/^169\.254\./.test(h) || /^fe80:/i.test(h) || h === 'metadata.google.internal') return true;
  if (allowPrivate) return false;
  if (h === 'localhost' || h === '::1' || /^127\./.test(h)) return true;
  if (isIP(h) === 4 && (/^10\./.test(h) || /^192\.168\./.test(h) || /^172\.(1[6-9]|2\d|3[01])\./.test(h))) return true;
  return false;
}

/**
 * Posts each message as JSON to its URL, checked again at send time: http(s) only, no credentials, never a
 * link-local or metadata address, and loopback or private addresses only with `allowPrivate` (a government cloud's
 * chat gateway may well be private; say so in the configuration).
 */
export function webhookNotifier(
  opts: { readonly allowPrivate?: boolean; readonly timeoutMs?: number } = {},
): StepNotifier {
  return {
    async send(m) {
      const problem = webhookUrlProblem(m.url);
      if (problem) return { sent: false, reason: 'NotificationUrlInvalid', detail: problem };
      const host = new URL(m.url).hostname;
      if (forbiddenHost(host, opts.allowPrivate ?? false)) {
        return { sent: false, reason: 'NotificationHostForbidden', detail: `${host} is not posted to` };
      }
      try {
        const r = await fetch(m.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(m.body ?? {}),
          redirect: 'error',
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
        });
        if (!r.ok) return { sent: false, reason: 'NotificationRejected', detail: `HTTP ${r.status}` };
        return { sent: true };
      } catch (e) {
        return { sent: false, reason: 'NotificationFailed', detail: (e as Error).message };
      }
    },
  };
}
