import { z } from 'zod';
import { codedCause, ConflictError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { AdmissionPlugin } from '../resources/service.ts';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { plainName } from '../clusters/cluster-kind.ts';

/** What a DisplayName names: the ids clusters carry in their spec (vendor, region, zone, networkZone). */
export const NAMED_SUBJECTS = ['vendor', 'region', 'zone', 'networkZone'] as const;
export type NamedSubject = (typeof NAMED_SUBJECTS)[number];

const text = z.string().trim().min(1).max(100);

export const displayNameSpecSchema = z
  .object({ subject: z.enum(NAMED_SUBJECTS), id: plainName, zh: text, en: text })
  .strict();
export type DisplayNameSpec = z.infer<typeof displayNameSpecSchema>;

/**
 * The name people read for a vendor, region, zone or network zone id (阿里云 for `aliyun`), in both languages. The
 * data bureau sets them (platform-admin writes, everyone reads, like clusters); every change is audited like any
 * object's. One object per subject and id (any object name; `vendor-aliyun` by convention). Departments carry their own names in Tenant.spec.displayName.
 */
export const displayNameKind: KindDefinition = defineKind({
  group: 'polis.io',
  version: 'v1',
  kind: 'DisplayName',
  plural: 'displaynames',
  shortNames: ['dn'],
  scope: 'platform',
  category: 'infrastructure',
  description: 'The Chinese and English names of a vendor, region, zone or network zone id, shown in the console.',
  spec: displayNameSpecSchema,
  printColumns: [
    { name: 'SUBJECT', path: 'spec.subject' },
    { name: 'ID', path: 'spec.id' },
    { name: 'ZH', path: 'spec.zh' },
    { name: 'EN', path: 'spec.en' },
  ],
});

/** One DisplayName per subject and id: a second one naming the same id is refused, naming the first. */
export const displayNameUnique: AdmissionPlugin = async ({ operation, definition, object, tx }) => {
  if (definition.kind !== 'DisplayName' || operation === 'delete') return;
  const spec = object.spec as DisplayNameSpec;
  const others = await tx.listAll(['DisplayName'], '');
  const other = others.find((o) => {
    const s = o.spec as DisplayNameSpec;
    return o.metadata.name !== object.metadata.name && s.subject === spec.subject && s.id === spec.id;
  });
  if (!other) return;
  const m = msg('DisplayNameTaken', { subject: spec.subject, id: spec.id, other: other.metadata.name });
  throw new ConflictError(m, [codedCause('spec.id', m)]);
};
