import { z } from 'zod';
import type { ErrorCause } from '../../kernel/errors.ts';
import { codedCause } from '../../kernel/errors.ts';
import { cronProblem } from '../../kernel/cron.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { ResourceObject, StoredObject } from '../../resources/envelope.ts';
import { defineKind } from '../../resources/kind-schema.ts';
import type { KindDefinition } from '../../resources/registry.ts';
import type { SecretCipher } from '../../tenancy/secret-cipher.ts';
import { OBSERVE_GROUP, OBSERVE_VERSION } from '../alerts/alert-kinds.ts';
import { parseDuration } from '../alerts/duration.ts';
import { SEVERITIES } from '../alerts/rules.ts';
import { SMS_PLACEHOLDERS, templateNames } from './channels/sms.ts';

export const CHANNEL_TYPES = ['dingtalk', 'wecom', 'email', 'sms', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** Who acts on a notice: the data bureau's platform team, the department, its vendor, a shared component's publisher. */
export const OWNERS = ['platform', 'department', 'vendor', 'publisher'] as const;
export type Owner = (typeof OWNERS)[number];

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label');
const url = z.string().url().max(2000);
const headers = z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string().max(2000));

export interface ChannelSpec {
  readonly type: ChannelType;
  readonly language?: 'zh' | 'en' | 'zh-en';
  readonly route?: {
    readonly severities?: ReadonlyArray<(typeof SEVERITIES)[number]>;
    readonly owners?: readonly Owner[];
    readonly departments?: readonly string[];
    readonly resolved?: boolean;
  };
  readonly dingtalk?: { readonly url: string };
  readonly wecom?: { readonly url: string };
  readonly email?: {
    readonly host: string;
    readonly port?: number;
    readonly secure?: boolean;
    readonly from: string;
    readonly to: readonly string[];
    readonly username?: string;
  };
  readonly sms?: {
    readonly url: string;
    readonly method?: 'POST' | 'GET';
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly phones: readonly string[];
  };
  readonly webhook?: { readonly url: string; readonly headers?: Readonly<Record<string, string>> };
  readonly retry?: { readonly attempts?: number; readonly backoff?: string };
}

const channelSpec = z
  .object({
    type: z.enum(CHANNEL_TYPES),
    language: z.enum(['zh', 'en', 'zh-en']).optional(),
    route: z
      .object({
        severities: z.array(z.enum(SEVERITIES)).max(3).optional(),
        owners: z.array(z.enum(OWNERS)).max(4).optional(),
        // Platform space only: the departments whose alerts it also takes (`*` every one).
        departments: z
          .array(z.union([dnsLabel, z.literal('*')]))
          .max(500)
          .optional(),
        resolved: z.boolean().optional(),
      })
      .strict()
      .optional(),
    dingtalk: z.object({ url }).strict().optional(),
    wecom: z.object({ url }).strict().optional(),
    email: z
      .object({
        host: z.string().min(1).max(253),
        port: z.number().int().min(1).max(65535).optional(),
        secure: z.boolean().optional(),
        from: z.string().email().max(254),
        to: z.array(z.string().email().max(254)).min(1).max(100),
        username: z.string().min(1).max(254).optional(),
      })
      .strict()
      .optional(),
    sms: z
      .object({
        url,
        method: z.enum(['POST', 'GET']).optional(),
        headers: headers.optional(),
        body: z.string().max(8000).optional(),
        phones: z
          .array(z.string().regex(/^\+?[0-9]{5,20}$/, 'a phone number: digits, optionally a leading +'))
          .min(1)
          .max(100),
      })
      .strict()
      .optional(),
    webhook: z.object({ url, headers: headers.optional() }).strict().optional(),
    retry: z
      .object({ attempts: z.number().int().min(1).max(10).optional(), backoff: z.string().max(10).optional() })
      .strict()
      .optional(),
  })
  .strict();

function channelCauses(obj: ResourceObject): ErrorCause[] {
  const spec = obj.spec as ChannelSpec;
  const causes: ErrorCause[] = [];
  if (spec[spec.type] === undefined)
    causes.push(
      codedCause(`spec.${spec.type}`, msg('NotifyFieldRequired', { field: `spec.${spec.type}`, type: spec.type })),
    );
  for (const t of CHANNEL_TYPES)
    if (t !== spec.type && spec[t] !== undefined)
      causes.push(codedCause(`spec.${t}`, msg('NotifyChannelOneType', { type: spec.type, other: t })));
  if (spec.retry?.backoff !== undefined && parseDuration(spec.retry.backoff) === undefined)
    causes.push(codedCause('spec.retry.backoff', msg('AlertRuleDurationInvalid', { value: spec.retry.backoff })));
  const secrets = (obj as { secrets?: Record<string, string> }).secrets ?? {};
  if (spec.sms?.body !== undefined)
    for (const name of templateNames(spec.sms.body))
      if (!SMS_PLACEHOLDERS.includes(name) && !(name.startsWith('secrets.') && name.slice(8) in secrets))
        causes.push(
          codedCause(
            'spec.sms.body',
            msg('NotifyTemplateUnknown', { name, accepted: [...SMS_PLACEHOLDERS, 'secrets.<key>'].join(', ') }),
          ),
        );
  return causes;
}

/**
 * Where notices go (docs/observe.md, Notification): a DingTalk or WeCom robot, e-mail over SMTP, an SMS gateway, a
 * webhook. `secrets` (a DingTalk signing secret, a WeCom key, an SMTP password, a gateway's key) are sealed like
 * Secrets: AES-256-GCM at rest, never listed, watched or logged.
 */
export function notificationChannelKind(cipher: SecretCipher): KindDefinition {
  return defineKind({
    group: OBSERVE_GROUP,
    version: OBSERVE_VERSION,
    kind: 'NotificationChannel',
    plural: 'notificationchannels',
    shortNames: ['nc', 'channel', 'channels'],
    scope: 'tenant',
    category: 'config',
    description: 'A notification channel: DingTalk, WeCom, e-mail, SMS or webhook, with routing and sealed secrets.',
    spec: channelSpec,
    status: z.record(z.string(), z.unknown()),
    extra: {
      secrets: z
        .record(
          z.string().regex(/^[-._a-zA-Z0-9]+$/, 'keys are letters, digits, "-", "_" and "."'),
          z.string().max(4000),
        )
        .optional(),
    },
    validate: channelCauses,
    codec: {
      encode(obj) {
        const { secrets, ...rest } = obj as ResourceObject & { secrets?: Record<string, string> };
        return secrets === undefined ? rest : { ...rest, sealedSecrets: cipher.encrypt(JSON.stringify(secrets)) };
      },
      decode(obj) {
        const { sealedSecrets, ...rest } = obj as StoredObject & {
          sealedSecrets?: Parameters<SecretCipher['decrypt']>[0];
        };
        if (!sealedSecrets) return obj;
        return {
          ...rest,
          secrets: JSON.parse(cipher.decrypt(sealedSecrets)) as Record<string, string>,
        } as StoredObject;
      },
    },
    sensitiveFields: ['secrets', 'sealedSecrets'],
    printColumns: [
      { name: 'TYPE', path: 'spec.type' },
      { name: 'SEVERITIES', path: 'spec.route.severities' },
      { name: 'LANGUAGE', path: 'spec.language' },
    ],
  });
}

export interface SilenceSpec {
  readonly matchers: {
    readonly department?: string;
    readonly application?: string;
    readonly component?: string;
    readonly cluster?: string;
    readonly rule?: string;
    readonly severity?: (typeof SEVERITIES)[number];
  };
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly maintenance?: { readonly schedule: string; readonly duration: string; readonly timeZone?: string };
  readonly comment: string;
}

const silenceSpec = z
  .object({
    matchers: z
      .object({
        department: dnsLabel.optional(),
        application: dnsLabel.optional(),
        component: dnsLabel.optional(),
        cluster: z.string().min(1).max(253).optional(),
        rule: z.string().min(1).max(253).optional(),
        severity: z.enum(SEVERITIES).optional(),
      })
      .strict(),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    maintenance: z
      .object({
        schedule: z.string().min(1).max(100),
        duration: z.string().max(10),
        timeZone: z.string().max(64).optional(),
      })
      .strict()
      .optional(),
    comment: z.string().min(1).max(2000),
  })
  .strict();

function silenceCauses(obj: ResourceObject): ErrorCause[] {
  const spec = obj.spec as SilenceSpec;
  const tenant = obj.metadata.tenant ?? '';
  const causes: ErrorCause[] = [];
  if (spec.maintenance) {
    const p = cronProblem(spec.maintenance.schedule);
    if (p) causes.push(codedCause('spec.maintenance.schedule', msg('SilenceScheduleInvalid', { problem: p })));
    if (parseDuration(spec.maintenance.duration) === undefined)
      causes.push(
        codedCause('spec.maintenance.duration', msg('AlertRuleDurationInvalid', { value: spec.maintenance.duration })),
      );
  } else if (spec.endsAt === undefined) causes.push(codedCause('spec.endsAt', msg('SilenceNeedsEnd')));
  if (spec.startsAt && spec.endsAt && Date.parse(spec.endsAt) <= Date.parse(spec.startsAt))
    causes.push(codedCause('spec.endsAt', msg('SilenceEndsBeforeStart')));
  if (tenant !== 'platform' && spec.matchers.department !== undefined && spec.matchers.department !== tenant)
    causes.push(
      codedCause('spec.matchers.department', msg('AlertRuleTenantSelector', { tenant: spec.matchers.department })),
    );
  return causes;
}

/**
 * A silence or a maintenance window: notices of the alerts it matches are held back (and recorded as such) while
 * it is in force. In a department it matches that department's alerts only; in the platform space, any.
 */
export const silenceKind: KindDefinition = defineKind({
  group: OBSERVE_GROUP,
  version: OBSERVE_VERSION,
  kind: 'Silence',
  plural: 'silences',
  shortNames: ['silence'],
  scope: 'tenant',
  category: 'config',
  description: 'A silence or recurring maintenance window: matching alerts are not notified while it holds.',
  spec: silenceSpec,
  status: z.record(z.string(), z.unknown()),
  validate: silenceCauses,
  printColumns: [
    { name: 'STARTS', path: 'spec.startsAt' },
    { name: 'ENDS', path: 'spec.endsAt' },
    { name: 'SCHEDULE', path: 'spec.maintenance.schedule' },
    { name: 'COMMENT', path: 'spec.comment', wide: true },
  ],
});
