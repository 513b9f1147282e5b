import { stringify } from 'yaml';
import type { Cause } from '../../api/api-error.ts';

/** The create form's values: enough for a department's usual service without writing YAML. */
export interface AppFormValues {
  readonly name: string;
  readonly description?: string;
  readonly components: readonly {
    readonly name: string;
    readonly type: 'webservice' | 'worker' | 'task' | 'cron-task';
    readonly image: string;
    readonly cpu?: string;
    readonly memory?: string;
    readonly replicas?: number;
    readonly port?: number;
    readonly expose?: boolean;
    readonly schedule?: string;
  }[];
  /** Network zones the application must stay in (a residency policy), e.g. the e-government extranet. */
  readonly networkZones?: readonly string[];
  /** Spread replicas across regions. */
  readonly spreadByRegion?: boolean;
}

/** The Application the form describes (pure): the same document a person would write in YAML. */
export function applicationFromForm(v: AppFormValues): Record<string, unknown> {
  // A form being filled in may have holes: leave out what is not there yet rather than fail.
  const components = (v.components ?? []).filter(Boolean).map((c) => {
    const properties: Record<string, unknown> = { image: c.image ?? '' };
    if (c.type === 'webservice' && c.port) properties.ports = [{ port: c.port, expose: c.expose ?? false }];
    if (c.cpu) properties.cpu = c.cpu;
    if (c.memory) properties.memory = c.memory;
    if (c.type === 'cron-task' && c.schedule) properties.schedule = c.schedule;
    const traits: unknown[] = [];
    if ((c.type === 'webservice' || c.type === 'worker') && c.replicas !== undefined)
      traits.push({ type: 'scaler', properties: { replicas: c.replicas } });
    return { name: c.name, type: c.type, properties, ...(traits.length > 0 ? { traits } : {}) };
  });
  const policies: unknown[] = [];
  if (v.networkZones && v.networkZones.length > 0)
    policies.push({ name: 'residency', type: 'residency', properties: { networkZones: [...v.networkZones] } });
  if (v.spreadByRegion) policies.push({ name: 'spread', type: 'placement', properties: { spreadBy: 'region' } });
  const metadata: Record<string, unknown> = { name: v.name ?? '' };
  if (v.description) metadata.annotations = { 'polis.io/description': v.description };
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata,
    spec: { components, ...(policies.length > 0 ? { policies } : {}) },
  };
}

export function formYaml(v: AppFormValues): string {
  return stringify(applicationFromForm(v), { lineWidth: 0 });
}

const PROPERTY_FIELDS: Record<string, string> = {
  image: 'image',
  cpu: 'cpu',
  memory: 'memory',
  schedule: 'schedule',
  ports: 'port',
};

/**
 * The form field an API cause belongs to (`spec.components[1].properties.image` → `['components', 1, 'image']`),
 * or undefined when the form has no such field (the cause is then shown above the form).
 */
export function formFieldOf(path: string): (string | number)[] | undefined {
  const p = path.replace(/^documents\[\d+\]\./, '');
  if (p === 'metadata.name') return ['name'];
  if (p.startsWith('metadata.annotations')) return ['description'];
  const comp = /^spec\.components\[(\d+)\](?:\.(.*))?$/.exec(p);
  if (comp) {
    const i = Number(comp[1]);
    const rest = comp[2] ?? '';
    if (rest === 'name' || rest === 'type') return ['components', i, rest];
    const prop = /^properties\.(\w+)/.exec(rest);
    if (prop && PROPERTY_FIELDS[prop[1]!]) return ['components', i, PROPERTY_FIELDS[prop[1]!]!];
    if (/^traits\[\d+\]\.properties\.replicas/.test(rest)) return ['components', i, 'replicas'];
    return undefined;
  }
  if (/^spec\.policies\[\d+\]\.properties\.networkZones/.test(p)) return ['networkZones'];
  return undefined;
}

/** Causes split into those shown at a form field and the rest. */
export function causesByField(causes: readonly Cause[]): {
  fields: { name: (string | number)[]; errors: string[] }[];
  rest: Cause[];
} {
  const byKey = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const rest: Cause[] = [];
  for (const c of causes) {
    const name = formFieldOf(c.path);
    if (!name) {
      rest.push(c);
      continue;
    }
    const key = JSON.stringify(name);
    const e = byKey.get(key) ?? { name, errors: [] };
    e.errors.push(c.message);
    byKey.set(key, e);
  }
  return { fields: [...byKey.values()], rest };
}
