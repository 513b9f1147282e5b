import { z } from 'zod';
import { stringify } from 'yaml';
import type { StoredObject } from '../resources/envelope.ts';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import type { AdmissionPlugin, AdmissionPrefetch } from '../resources/service.ts';
import type { StoreTx } from '../resources/store.ts';
import { unifiedDiff } from '../kernel/line-diff.ts';
import { canonicalManifest } from '../kernel/manifest.ts';
import { OAM_GROUP, OAM_VERSION } from './application-kind.ts';

/** Revisions kept per application unless its annotation says otherwise. */
export const DEFAULT_REVISION_LIMIT = 10;
export const REVISION_LIMIT_ANNOTATION = 'polis.io/revision-history-limit';
/**
 * Set on an Application by a rollback: `<revision>@<generation>`, the revision its spec was taken from and the
 * generation the rollback made (so a later change is not mistaken for a rollback).
 */
export const ROLLBACK_ANNOTATION = 'polis.io/rollback-of';

export function rollbackMark(revision: number, generation: number): string {
  return `${revision}@${generation}`;
}

function rollbackOf(annotation: string | undefined, generation: number): number | undefined {
  const m = /^(\d+)@(\d+)$/.exec(annotation ?? '');
  return m && Number(m[2]) === generation ? Number(m[1]) : undefined;
}
/** A free-text reason for a change, copied into the revision (like kubectl's change-cause). */
export const CHANGE_CAUSE_ANNOTATION = 'polis.io/change-cause';
export const REVISION_APP_LABEL = 'app.oam.dev/name';

export interface RevisionSpec {
  readonly revision: number;
  readonly applicationUid: string;
  readonly rollbackOf?: number;
  readonly changeCause?: string;
  readonly application: { readonly spec: unknown };
}

/**
 * An immutable snapshot of an application's spec, one per generation (`<app>-v<generation>`), written in the same
 * transaction as the change that made it. Users read them; only the server writes them.
 */
export const applicationRevisionKind: KindDefinition = defineKind({
  group: OAM_GROUP,
  version: OAM_VERSION,
  kind: 'ApplicationRevision',
  plural: 'applicationrevisions',
  shortNames: ['apprev'],
  scope: 'tenant',
  category: 'workload',
  description: "An immutable snapshot of an application's spec: the history rollback and diff read.",
  spec: z
    .object({
      revision: z.number().int().positive(),
      applicationUid: z.string(),
      rollbackOf: z.number().int().positive().optional(),
      changeCause: z.string().optional(),
      application: z.object({ spec: z.record(z.string(), z.unknown()) }).strict(),
    })
    .strict(),
  verbs: ['get', 'list', 'watch'],
  hasStatus: false,
  printColumns: [
    { name: 'APP', path: `metadata.labels.${REVISION_APP_LABEL}` },
    { name: 'REVISION', path: 'spec.revision' },
    { name: 'ROLLBACK-OF', path: 'spec.rollbackOf' },
  ],
});

export function revisionName(app: string, revision: number | ''): string {
  return `${app}-v${revision}`;
}

function revisionLimit(app: StoredObject): number {
  const raw = app.metadata.annotations?.[REVISION_LIMIT_ANNOTATION];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : DEFAULT_REVISION_LIMIT;
}

/** The revisions of one application, oldest first. */
export async function revisionsOf(tx: Pick<StoreTx, 'listAll'>, tenant: string, app: string): Promise<StoredObject[]> {
  const all = await tx.listAll(['ApplicationRevision'], tenant, { namePrefix: revisionName(app, '') });
  return all
    .filter((r) => r.metadata.labels?.[REVISION_APP_LABEL] === app)
    .sort((a, b) => (a.spec as RevisionSpec).revision - (b.spec as RevisionSpec).revision);
}

/**
 * Bulk apply: the histories recordRevision lists, those of every Application among `objects`, read ahead per
 * department in one statement (StoreTx.prefetchLists) instead of one each as each is admitted.
 */
export const prefetchRevisions: AdmissionPrefetch = async (tx, objects) => {
  if (!tx.prefetchLists) return;
  const byTenant = new Map<string, string[]>();
  for (const o of objects) {
    if (o.kind !== 'Application') continue;
    const tenant = o.metadata.tenant ?? '';
    const prefixes = byTenant.get(tenant) ?? [];
    prefixes.push(revisionName(o.metadata.name, ''));
    byTenant.set(tenant, prefixes);
  }
  for (const [tenant, prefixes] of byTenant) await tx.prefetchLists('ApplicationRevision', tenant, prefixes);
};

/**
 * Admission: every spec change of an Application (a new generation) writes its revision in the same transaction,
 * and drops the oldest beyond the limit. Deleting the application deletes its history with it, in the same
 * transaction (its objects in clusters are the delivery controller's to remove).
 */
export const recordRevision: AdmissionPlugin = async ({ operation, definition, object, old, tx, now }) => {
  if (definition.kind !== 'Application') return;
  if (operation === 'delete') {
    for (const r of await revisionsOf(tx, object.metadata.tenant ?? '', object.metadata.name)) await removeRaw(tx, r);
    return;
  }
  const generation = object.metadata.generation;
  if (old && old.metadata.generation === generation) return;
  const tenant = object.metadata.tenant ?? '';
  const from = rollbackOf(object.metadata.annotations?.[ROLLBACK_ANNOTATION], generation);
  const spec: RevisionSpec = {
    revision: generation,
    applicationUid: object.metadata.uid,
    ...(from !== undefined ? { rollbackOf: from } : {}),
    ...(object.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION]
      ? { changeCause: object.metadata.annotations[CHANGE_CAUSE_ANNOTATION] }
      : {}),
    application: { spec: object.spec },
  };
  const existing = await revisionsOf(tx, tenant, object.metadata.name);
  // A re-created application starts its history again.
  for (const r of existing) {
    if ((r.spec as RevisionSpec).applicationUid !== object.metadata.uid) await removeRaw(tx, r);
  }
  const kept = existing.filter((r) => (r.spec as RevisionSpec).applicationUid === object.metadata.uid);
  const revision = await tx.nextRevision();
  const stored: StoredObject = {
    apiVersion: `${OAM_GROUP}/${OAM_VERSION}`,
    kind: 'ApplicationRevision',
    metadata: {
      name: revisionName(object.metadata.name, generation),
      tenant,
      uid: `${object.metadata.uid}-v${generation}`,
      labels: { [REVISION_APP_LABEL]: object.metadata.name },
      generation: 1,
      resourceVersion: String(revision),
      creationTimestamp: now,
    },
    spec,
  };
  await tx.put(stored, 'ADDED');
  const limit = revisionLimit(object);
  for (const r of kept.slice(0, Math.max(0, kept.length + 1 - limit))) await removeRaw(tx, r);
};

async function removeRaw(tx: StoreTx, obj: StoredObject): Promise<void> {
  const revision = await tx.nextRevision();
  await tx.remove({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } } as StoredObject);
}

/** The spec of a revision as YAML with sorted keys: what diffs compare. */
export function revisionYaml(rev: StoredObject): string {
  const spec = (rev.spec as RevisionSpec).application.spec;
  const sorted = canonicalManifest({ apiVersion: '', kind: '', metadata: { name: '' }, spec } as never) as {
    spec: unknown;
  };
  return stringify(sorted.spec, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** A unified diff between two revisions' specs. */
export function revisionDiff(from: StoredObject, to: StoredObject): string {
  return unifiedDiff(revisionYaml(from), revisionYaml(to), { from: from.metadata.name, to: to.metadata.name });
}
