import type { ErrorCause } from '../../kernel/errors.ts';
import type { SloTargets } from './signals.ts';

/** Component types that serve requests, and so get objectives by default. */
export const SERVICE_TYPES: readonly string[] = ['webservice'];

/** What every service-type component gets without an `slo` policy: 99.9 % of requests succeed, p99 ≤ 1 s 99 % of the time. */
export const DEFAULT_SLO: SloTargets = { availability: 0.999, latency: { objective: 0.99, thresholdMs: 1000 } };

interface Objectives {
  readonly availability?: number;
  readonly latency?: { readonly thresholdMs?: number; readonly objective?: number };
  readonly disabled?: boolean;
}

/** The `slo` policy's properties (docs/observe.md): percentages, for the application and per component. */
export interface SloPolicy extends Objectives {
  readonly components?: Readonly<Record<string, Objectives>>;
}

interface AppLike {
  readonly components: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly policies?: ReadonlyArray<{ readonly type: string; readonly properties?: Record<string, unknown> }>;
}

/** Each service-type component's objectives: the defaults, over them the policy's, over those the component's. */
export function sloTargets(spec: AppLike): Map<string, SloTargets> {
  const policy = (spec.policies ?? []).find((p) => p.type === 'slo')?.properties as SloPolicy | undefined;
  const out = new Map<string, SloTargets>();
  for (const c of spec.components) {
    if (!SERVICE_TYPES.includes(c.type)) continue;
    const own = policy?.components?.[c.name];
    if (own?.disabled ?? policy?.disabled) continue;
    const pick = (f: (o: Objectives) => number | undefined, d: number) => {
      const v = (own && f(own)) ?? (policy && f(policy));
      return v === undefined ? d : v;
    };
    out.set(c.name, {
      availability: pick((o) => percent(o.availability), DEFAULT_SLO.availability),
      latency: {
        objective: pick((o) => percent(o.latency?.objective), DEFAULT_SLO.latency.objective),
        thresholdMs: pick((o) => o.latency?.thresholdMs, DEFAULT_SLO.latency.thresholdMs),
      },
    });
  }
  return out;
}

function percent(v: number | undefined): number | undefined {
  return v === undefined ? undefined : v / 100;
}

const OBJECTIVE_KEYS = ['availability', 'latency', 'disabled'];

/** Problems with an `slo` policy's properties, each at its path (`at` is `spec.policies[i].properties`). */
export function sloPolicyCauses(props: unknown, at: string, components: readonly string[]): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const objectives = (o: unknown, path: string, keys: readonly string[]) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      causes.push(cause(path, 'SloFieldInvalid', 'an object of availability, latency and disabled'));
      return;
    }
    for (const [k, v] of Object.entries(o)) {
      const p = `${path}.${k}`;
      if (!keys.includes(k)) causes.push(cause(p, 'SloFieldInvalid', keys.join(', ')));
      else if (k === 'availability') checkPercent(v, p);
      else if (k === 'disabled' && typeof v !== 'boolean') causes.push(cause(p, 'SloFieldInvalid', 'true or false'));
      else if (k === 'latency') {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) {
          causes.push(cause(p, 'SloFieldInvalid', 'an object of thresholdMs and objective'));
          continue;
        }
        for (const [lk, lv] of Object.entries(v)) {
          if (lk === 'objective') checkPercent(lv, `${p}.objective`);
          else if (lk === 'thresholdMs') {
            if (typeof lv !== 'number' || !(lv > 0) || lv > 600_000)
              causes.push(cause(`${p}.thresholdMs`, 'SloFieldInvalid', 'milliseconds, more than 0 and at most 600000'));
          } else causes.push(cause(`${p}.${lk}`, 'SloFieldInvalid', 'thresholdMs, objective'));
        }
      }
    }
  };
  const checkPercent = (v: unknown, path: string) => {
    if (typeof v !== 'number' || !(v >= 50) || !(v < 100))
      causes.push(cause(path, 'SloFieldInvalid', 'a percentage from 50 up to, not including, 100 (e.g. 99.9)'));
  };
  objectives(props ?? {}, at, [...OBJECTIVE_KEYS, 'components']);
  const comps = (props as { components?: unknown } | undefined)?.components;
  if (comps !== undefined) {
    if (typeof comps !== 'object' || comps === null || Array.isArray(comps))
      causes.push(cause(`${at}.components`, 'SloFieldInvalid', 'an object keyed by component name'));
    else
      for (const [name, o] of Object.entries(comps)) {
        if (!components.includes(name))
          causes.push(
            cause(`${at}.components.${name}`, 'SloFieldInvalid', `one of the components: ${components.join(', ')}`),
          );
        else objectives(o, `${at}.components.${name}`, OBJECTIVE_KEYS);
      }
  }
  return causes;
}

function cause(path: string, code: 'SloFieldInvalid', accepted: string): ErrorCause {
  return { path, code, params: { accepted }, message: `not accepted here: expected ${accepted}` };
}
