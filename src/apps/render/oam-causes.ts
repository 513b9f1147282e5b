import type { ErrorCause } from '../../kernel/errors.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import { renderCore, type CoreContext } from './render-core.ts';
import { specCauses } from './spec-causes.ts';

/** A stand-in for where the application will go: names and labels do not change what is valid. */
const DRY_RUN: CoreContext = { appName: 'app', tenant: 'tenant', namespace: 'default', revision: 'app-v1' };

const AFTER = ' (after the override policies)';

/**
 * Every problem with types and properties, each with its full path from the object root, e.g.
 * `spec.components[0].properties.image`. Besides the checks on the spec itself, the application is rendered once
 * as written and once under each override policy, so that what only rendering sees (a trait on a workload it does
 * not apply to, a container a trait names that the pod lacks, two objects of one name) is reported too.
 */
export function oamCauses(spec: ApplicationSpec): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const seen = new Set<string>();
  const add = (c: ErrorCause) => {
    const key = `${c.path}\n${c.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    causes.push(c);
  };
  specCauses(spec).forEach(add);
  renderCore(spec, DRY_RUN).causes.forEach(add);
  (spec.policies ?? []).forEach((p, i) => {
    if (p.type !== 'override') return;
    const under = renderCore(spec, { ...DRY_RUN, overrides: [p.properties ?? {}] });
    for (const c of under.causes) {
      if (!c.path.startsWith('spec.components')) {
        add(c);
        continue;
      }
      const message = c.message.endsWith(AFTER) ? c.message.slice(0, -AFTER.length) : c.message;
      if (seen.has(`${c.path}\n${message}`)) continue;
      add({
        path: `spec.policies[${i}].properties`,
        message: `with this override, ${c.path} would be invalid: ${message}`,
      });
    }
  });
  return causes;
}
