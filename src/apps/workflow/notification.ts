import type { ErrorCause } from '../../kernel/errors.ts';

/**
 * What notification and webhook steps send (pure): one message per channel, to a URL checked when the application
 * is applied. polis sends them through a StepNotifier (src/delivery/step-notifier.ts); by default it only records
 * them as events. A URL kept in a Secret (`secretRef`) and e-mail are refused: polis reads no Secrets from member
 * clusters and has no mail relay.
 */

export interface StepMessage {
  readonly channel: 'lark' | 'dingding' | 'slack' | 'webhook';
  readonly url: string;
  /** The JSON body posted. */
  readonly body: unknown;
}

/** Problems with a URL polis would post to: absolute http(s), no user or password in it. */
export function webhookUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `uses ${u.protocol}; only http and https are posted to`;
  if (u.username || u.password)
    return 'carries a user or password; put credentials in the path or query the service gives';
  return undefined;
}

const CHANNELS = ['lark', 'dingding', 'slack'] as const;

/** The causes for a notification or webhook step's properties (their shape is checked by the schema). */
export function notificationCauses(
  type: string,
  props: Record<string, unknown>,
  at: string,
  step: string,
): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const checkUrl = (url: unknown, path: string) => {
    const u = url as { value?: string; secretRef?: unknown } | undefined;
    if (u?.secretRef !== undefined) {
      causes.push({
        path: `${path}.secretRef`,
        code: 'StepSecretRefUnsupported',
        params: { step, type },
        message:
          'polis reads no Secrets from member clusters; give the URL as url.value (the application is visible to its department only)',
      });
      return;
    }
    const problem = typeof u?.value === 'string' ? webhookUrlProblem(u.value) : undefined;
    if (problem) {
      causes.push({
        path: `${path}.value`,
        code: 'StepUrlInvalid',
        params: { step, type, url: String(u?.value) },
        message: `"${String(u?.value)}" ${problem}`,
      });
    }
  };
  if (type === 'webhook') checkUrl(props.url, `${at}.url`);
  if (type === 'notification') {
    for (const c of CHANNELS)
      if (props[c] !== undefined) checkUrl((props[c] as { url?: unknown }).url, `${at}.${c}.url`);
    if (props.email !== undefined) {
      causes.push({
        path: `${at}.email`,
        code: 'NotificationChannelUnsupported',
        params: { step, channel: 'email', supported: 'lark, dingding, slack' },
        message: 'polis sends no e-mail (it has no mail relay); use lark, dingding or slack, or a webhook step',
      });
    }
    if (!CHANNELS.some((c) => props[c] !== undefined) && props.email === undefined) {
      causes.push({
        path: at,
        code: 'NotificationEmpty',
        params: { step },
        message: 'give at least one channel: lark, dingding or slack',
      });
    }
  }
  return causes;
}

/**
 * The messages a notification or webhook step sends. A webhook without `data` posts the application's spec, as
 * KubeVela posts the Application.
 */
export function stepMessages(type: string, props: Record<string, unknown>, application: unknown): StepMessage[] {
  const url = (v: unknown) => (v as { url?: { value?: string } } | undefined)?.url?.value;
  if (type === 'webhook') {
    const u = url(props);
    return u ? [{ channel: 'webhook', url: u, body: props.data ?? application }] : [];
  }
  return CHANNELS.flatMap((c) => {
    const ch = props[c] as { message?: unknown } | undefined;
    const u = url(ch);
    return u ? [{ channel: c, url: u, body: ch!.message }] : [];
  });
}
