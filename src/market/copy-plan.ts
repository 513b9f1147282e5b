import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { dns1123LabelProblem } from '../kernel/names.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { copyOfLabel, instanceNames, renderInstance } from './instance-render.ts';
import type { CatalogItemVersionSpec, MarketInstanceSpec, ServiceBindingSpec } from './market-kinds.ts';
import { findVersion } from './market-kinds.ts';
import { COPY_OF_LABEL } from './market-types.ts';
import { phaseOf } from './market-admission.ts';

/** What a person asks for when copying a department's solution. */
export interface CopyRequest {
  /** Instances of the source department to copy (default: all of them). */
  readonly instances?: readonly string[];
  readonly target: {
    readonly department: string;
    /** Place every copied instance on these regions' clusters. */
    readonly regions?: readonly string[];
    /** Appended to every copied name (needed when copying within one department). */
    readonly suffix?: string;
  };
  /** Per source instance: parameters merged over its own, and a version other than its own. */
  readonly overrides?: Readonly<Record<string, { readonly parameters?: Record<string, unknown>; version?: string }>>;
}

/** What the copy reads: the source's instances and bindings, the target's names, the catalog and the regions. */
export interface CopyInputs {
  readonly source: string;
  readonly instances: readonly StoredObject[];
  readonly bindings: readonly StoredObject[];
  readonly versions: readonly StoredObject[];
  readonly items: readonly StoredObject[];
  /** Names the target department already holds, by kind (MarketInstance, ServiceBinding, Application, Secret). */
  readonly taken: Readonly<Record<string, ReadonlySet<string>>>;
  readonly regions: readonly string[];
}

export interface CopiedInstance {
  readonly from: string;
  readonly to: string;
  readonly application: string;
  readonly item: string;
  readonly version: string;
}

export type CopyPlan =
  | {
      readonly ok: true;
      /** The objects to create in the target department, in one transaction. */
      readonly objects: readonly Record<string, unknown>[];
      /** Administrator Secrets to create (their passwords are drawn by the caller: the plan stays pure). */
      readonly adminSecrets: ReadonlyArray<{ name: string; instance: string; engine: string }>;
      readonly instances: readonly CopiedInstance[];
      readonly bindings: ReadonlyArray<{ readonly from: string; readonly to: string; readonly application: string }>;
    }
  | { readonly ok: false; readonly conflict: boolean; readonly causes: readonly ErrorCause[] };

/**
 * Plans a copy of a department's set of marketplace instances and their bindings into another department (or the
 * same one, in another region): every problem is found before anything is written, each with its path. Bindings
 * copied are those of the set's own instances, and those by which the set's applications use a shared instance.
 * A copy keeps the link to the instance it came from (`spec.copyOf`, and the label COPY_OF_LABEL): the original of
 * the line, so copies of copies form one family an upgrade is offered to.
 */
export function planCopy(req: CopyRequest, inputs: CopyInputs): CopyPlan {
  const causes: ErrorCause[] = [];
  const conflicts: ErrorCause[] = [];
  const target = req.target.department;
  const suffix = req.target.suffix ?? '';
  const regions = req.target.regions ?? [];
  const live = inputs.instances.filter((i) => !i.metadata.deletionTimestamp);
  const byName = new Map(live.map((i) => [i.metadata.name, i]));
  (req.instances ?? []).forEach((n, i) => {
    if (!byName.has(n))
      causes.push(
        codedCause(`instances[${i}]`, msg('MarketCopyNoSuchInstance', { department: inputs.source, instance: n })),
      );
  });
  const chosen = req.instances ? live.filter((i) => req.instances!.includes(i.metadata.name)) : live;
  if (chosen.length === 0 && causes.length === 0)
    causes.push(
      codedCause(
        'instances',
        msg('MarketCopyEmpty', {
          department: inputs.source,
          which: req.instances ? ` (${req.instances.join(', ')})` : '',
        }),
      ),
    );
  const names = chosen.map((i) => i.metadata.name);
  for (const key of Object.keys(req.overrides ?? {}))
    if (!names.includes(key))
      causes.push(
        codedCause(
          `overrides.${key}`,
          msg('MarketCopyOverrideUnknown', { instance: key, instances: names.join(', ') }),
        ),
      );
  regions.forEach((r, i) => {
    if (!inputs.regions.includes(r))
      causes.push(
        codedCause(
          `target.regions[${i}]`,
          msg('MarketCopyUnknownRegion', { region: r, regions: [...inputs.regions].sort().join(', ') }),
        ),
      );
  });

  const renamed = (name: string, path: string): string => {
    const copy = `${name}${suffix}`;
    const problem = dns1123LabelProblem(copy);
    if (problem) causes.push(codedCause(path, msg('MarketCopyNameInvalid', { name, copy, problem })));
    return copy;
  };
  const claim = (kind: string, name: string, path: string) => {
    if (inputs.taken[kind]?.has(name))
      conflicts.push(codedCause(path, msg('MarketCopyNameTaken', { department: target, kind, name })));
  };

  // Applications of the set, source name → copy's name (bindings of those applications follow them).
  const appMap = new Map<string, string>();
  const objects: Record<string, unknown>[] = [];
  const adminSecrets: Array<{ name: string; instance: string; engine: string }> = [];
  const copied: CopiedInstance[] = [];
  chosen.forEach((inst, i) => {
    const at = req.instances ? `instances[${req.instances.indexOf(inst.metadata.name)}]` : `instances[${i}]`;
    const spec = inst.spec as MarketInstanceSpec;
    if (spec.endpoint || spec.adminSecret) {
      causes.push(codedCause(at, msg('MarketCopyExternalInstance', { instance: inst.metadata.name })));
      return;
    }
    const override = req.overrides?.[inst.metadata.name];
    const name = renamed(inst.metadata.name, at);
    const app = instanceNames(inst.metadata.name, spec).application;
    const appCopy = spec.application ? renamed(spec.application, `${at}.application`) : name;
    appMap.set(app, appCopy);
    const version = override?.version ?? spec.version;
    const vobj = findVersion(inputs.versions, spec.item, version);
    const item = inputs.items.find((x) => x.metadata.name === spec.item);
    const state = (item?.status as { state?: string } | undefined)?.state ?? 'active';
    const unavailable = !vobj
      ? msg('MarketNoSuchVersion', { item: spec.item, version })
      : phaseOf(vobj) !== 'Released'
        ? msg('MarketVersionNotReleased', { item: spec.item, version, phase: phaseOf(vobj) })
        : state !== 'active'
          ? msg('MarketItemNotAvailable', { item: spec.item, state })
          : undefined;
    if (unavailable) {
      causes.push(
        codedCause(
          override?.version ? `overrides.${inst.metadata.name}.version` : at,
          msg('MarketCopyVersionUnavailable', { item: spec.item, version, detail: unavailable }),
        ),
      );
      return;
    }
    const vspec = vobj!.spec as CatalogItemVersionSpec;
    const copySpec: MarketInstanceSpec = {
      item: spec.item,
      version,
      parameters: { ...(spec.parameters ?? {}), ...(override?.parameters ?? {}) },
      ...(spec.shared ? { shared: true } : {}),
      ...(spec.application ? { application: appCopy } : {}),
      ...(regions.length > 0 ? { placement: { regions } } : spec.placement ? { placement: spec.placement } : {}),
      copyOf: spec.copyOf ?? { department: inputs.source, instance: inst.metadata.name },
    };
    const rendered = renderInstance(target, name, copySpec, vspec);
    if (!rendered.ok) {
      causes.push(
        codedCause(
          `overrides.${inst.metadata.name}.parameters`,
          msg('MarketParametersInvalid', { item: spec.item, version, problems: rendered.problems }),
        ),
      );
      return;
    }
    claim('MarketInstance', name, at);
    claim('Application', appCopy, `${at}.application`);
    const { adminSecret } = instanceNames(name, copySpec);
    if (vspec.connection) {
      claim('Secret', adminSecret, `${at}.adminSecret`);
      adminSecrets.push({ name: adminSecret, instance: name, engine: vspec.connection.engine });
    }
    objects.push(
      {
        apiVersion: inst.apiVersion,
        kind: 'MarketInstance',
        metadata: {
          name,
          tenant: target,
          labels: { [COPY_OF_LABEL]: copyOfLabel(copySpec.copyOf!.department, copySpec.copyOf!.instance) },
        },
        spec: copySpec,
      },
      rendered.application,
    );
    copied.push({ from: inst.metadata.name, to: name, application: appCopy, item: spec.item, version });
  });

  const bindings: Array<{ from: string; to: string; application: string }> = [];
  inputs.bindings
    .filter((b) => !b.metadata.deletionTimestamp)
    .forEach((b) => {
      const spec = b.spec as ServiceBindingSpec;
      const ofSet = spec.shared ? appMap.has(spec.application) : names.includes(spec.instance);
      if (!ofSet) return;
      const at = `bindings.${b.metadata.name}`;
      const name = renamed(b.metadata.name, at);
      const application = appMap.get(spec.application) ?? spec.application;
      if (!appMap.has(spec.application) && !inputs.taken.Application?.has(application))
        causes.push(
          codedCause(
            `${at}.application`,
            msg('MarketCopyApplicationMissing', { binding: b.metadata.name, application, department: target }),
          ),
        );
      claim('ServiceBinding', name, at);
      bindings.push({ from: b.metadata.name, to: name, application });
      objects.push({
        apiVersion: b.apiVersion,
        kind: 'ServiceBinding',
        metadata: {
          name,
          tenant: target,
          labels: {
            [COPY_OF_LABEL]: b.metadata.labels?.[COPY_OF_LABEL] ?? copyOfLabel(inputs.source, b.metadata.name),
          },
        },
        spec: {
          instance: spec.shared ? spec.instance : `${spec.instance}${suffix}`,
          ...(spec.shared ? { shared: true } : {}),
          application,
          ...(spec.envPrefix ? { envPrefix: spec.envPrefix } : {}),
        },
      });
    });

  if (causes.length > 0) return { ok: false, conflict: false, causes };
  if (conflicts.length > 0) return { ok: false, conflict: true, causes: conflicts };
  return { ok: true, objects, adminSecrets, instances: copied, bindings };
}
