import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { instanceNames, renderInstance } from './instance-render.ts';
import { phaseOf } from './market-admission.ts';
import type { CatalogItemVersionSpec, MarketInstanceSpec } from './market-kinds.ts';
import { findVersion } from './market-kinds.ts';
import { compareVersions } from './semver.ts';

/** One member of a family of copies: the original (its own origin) or a copy of it. */
export interface FamilyRow {
  readonly origin: { readonly department: string; readonly instance: string };
  readonly department: string;
  readonly name: string;
  readonly application: string;
  readonly item: string;
  readonly version: string;
  /** The newest released version of the item (undefined when none is released). */
  readonly latest?: string;
  readonly upgradeAvailable: boolean;
  readonly regions?: readonly string[];
  readonly phase?: string;
  readonly object: StoredObject;
}

/** The newest released version of each item. */
export function latestReleased(versions: readonly StoredObject[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const v of versions) {
    if (phaseOf(v) !== 'Released') continue;
    const s = v.spec as CatalogItemVersionSpec;
    const cur = latest.get(s.item);
    if (!cur || compareVersions(s.version, cur) > 0) latest.set(s.item, s.version);
  }
  return latest;
}

/**
 * The families among `instances` (those the caller may see): every copy, and every original a visible copy names,
 * each with the newest released version of its item and whether it is behind. Sorted by origin, department, name.
 */
export function familyOf(instances: readonly StoredObject[], versions: readonly StoredObject[]): FamilyRow[] {
  const latest = latestReleased(versions);
  const origins = new Set(
    instances.flatMap((i) => {
      const c = (i.spec as MarketInstanceSpec).copyOf;
      return c ? [`${c.department}/${c.instance}`] : [];
    }),
  );
  const rows: FamilyRow[] = [];
  for (const i of instances) {
    if (i.metadata.deletionTimestamp) continue;
    const spec = i.spec as MarketInstanceSpec;
    const department = i.metadata.tenant ?? '';
    const self = `${department}/${i.metadata.name}`;
    if (!spec.copyOf && !origins.has(self)) continue;
    const newest = latest.get(spec.item);
    rows.push({
      origin: spec.copyOf ?? { department, instance: i.metadata.name },
      department,
      name: i.metadata.name,
      application: instanceNames(i.metadata.name, spec).application,
      item: spec.item,
      version: spec.version,
      ...(newest ? { latest: newest } : {}),
      upgradeAvailable: newest !== undefined && compareVersions(newest, spec.version) > 0,
      ...(spec.placement ? { regions: spec.placement.regions } : {}),
      ...((i.status as { phase?: string } | undefined)?.phase ? { phase: (i.status as { phase: string }).phase } : {}),
      object: i,
    });
  }
  const key = (r: FamilyRow) => `${r.origin.department}/${r.origin.instance}\u0000${r.department}\u0000${r.name}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export type UpgradePlan =
  | {
      readonly ok: true;
      readonly version: string;
      readonly objects: readonly Record<string, unknown>[];
      readonly upgraded: ReadonlyArray<{ department: string; name: string; from: string; to: string }>;
    }
  | { readonly ok: false; readonly causes: readonly ErrorCause[] };

/**
 * Moves the members of a family that are behind to `version` (default: the item's newest release): each instance
 * with its re-rendered Application, so quota and admission judge the upgrade whole, in one transaction.
 */
export function planUpgrade(
  members: readonly StoredObject[],
  apps: ReadonlyMap<string, StoredObject>,
  versions: readonly StoredObject[],
  opts: { readonly version?: string; readonly items: readonly StoredObject[] },
): UpgradePlan {
  const item = (members[0]!.spec as MarketInstanceSpec).item;
  const version = opts.version ?? latestReleased(versions).get(item);
  if (!version) return { ok: false, causes: [codedCause('version', msg('MarketUpgradeNoRelease', { item }))] };
  const vobj = findVersion(versions, item, version);
  const itemObj = opts.items.find((x) => x.metadata.name === item);
  const state = (itemObj?.status as { state?: string } | undefined)?.state ?? 'active';
  const unavailable = !vobj
    ? msg('MarketNoSuchVersion', { item, version })
    : phaseOf(vobj) !== 'Released'
      ? msg('MarketVersionNotReleased', { item, version, phase: phaseOf(vobj) })
      : state !== 'active'
        ? msg('MarketItemNotAvailable', { item, state })
        : undefined;
  if (unavailable)
    return {
      ok: false,
      causes: [codedCause('version', msg('MarketCopyVersionUnavailable', { item, version, detail: unavailable }))],
    };
  const vspec = vobj!.spec as CatalogItemVersionSpec;
  const causes: ErrorCause[] = [];
  const objects: Record<string, unknown>[] = [];
  const upgraded: Array<{ department: string; name: string; from: string; to: string }> = [];
  for (const m of members) {
    const spec = m.spec as MarketInstanceSpec;
    if (compareVersions(spec.version, version) >= 0) continue;
    const department = m.metadata.tenant ?? '';
    const next: MarketInstanceSpec = { ...spec, version };
    const application = instanceNames(m.metadata.name, spec).application;
    const existing = apps.get(`${department}/${application}`);
    const rendered = renderInstance(department, m.metadata.name, next, vspec, existing?.metadata);
    if (!rendered.ok) {
      causes.push(
        codedCause(
          `members.${department}/${m.metadata.name}`,
          msg('MarketUpgradeRenderFailed', {
            department,
            instance: m.metadata.name,
            version,
            problems: rendered.problems,
          }),
        ),
      );
      continue;
    }
    objects.push({
      apiVersion: m.apiVersion,
      kind: 'MarketInstance',
      metadata: {
        name: m.metadata.name,
        tenant: department,
        resourceVersion: m.metadata.resourceVersion,
      },
      spec: next,
    });
    if (existing)
      objects.push({
        ...rendered.application,
        metadata: { ...rendered.application.metadata, resourceVersion: existing.metadata.resourceVersion },
      });
    upgraded.push({ department, name: m.metadata.name, from: spec.version, to: version });
  }
  if (causes.length > 0) return { ok: false, causes };
  return { ok: true, version, objects, upgraded };
}
