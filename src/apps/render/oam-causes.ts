import type { ErrorCause } from '../../kernel/errors.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import {
  componentDemandOf,
  DEMANDS_RENDER_CONTEXT,
  rememberRenderedDemands,
  type ComponentDemandInfo,
} from './demands.ts';
import { renderCore, type CoreContext } from './render-core.ts';
import { specCauses } from './spec-causes.ts';
import { expandWorkflow, type ExpandOptions, type WorkflowAdded } from '../workflow/expand.ts';

/**
 * A stand-in for where the application will go: names and labels do not change what is valid. Its components are
 * rendered as componentDemands renders them (the same app name and revision), so its renders give their demands.
 */
const DRY_RUN: CoreContext = {
  appName: DEMANDS_RENDER_CONTEXT.appName,
  tenant: 'tenant',
  namespace: 'default',
  revision: DEMANDS_RENDER_CONTEXT.revision,
};

const AFTER = ' (after the override policies)';

/**
 * Every problem with types and properties, each with its full path from the object root, e.g.
 * `spec.components[0].properties.image`. Besides the checks on the spec itself, the application is rendered once
 * as written and once under each override policy, so that what only rendering sees (a trait on a workload it does
 * not apply to, a container a trait names that the pod lacks, two objects of one name) is reported too.
 */
export function oamCauses(written: ApplicationSpec, opts: ExpandOptions = {}): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const seen = new Set<string>();
  const expanded = expandWorkflow(written, opts);
  // Rendering sees the components the workflow adds (a step's objects, replication copies); their problems are
  // reported where they were written.
  const spec = expanded.spec;
  const moved = new Map<string, string>();
  spec.components.forEach((c, i) => {
    const added = c as WorkflowAdded;
    if (added.workflowStep) {
      const step = expanded.steps.find((s) => s.name === added.workflowStep);
      if (step)
        moved.set(`spec.components[${i}]`, step.type === 'apply-object' ? `${step.path}.properties.value` : step.path);
    } else if (added.replicaOf) {
      moved.set(
        `spec.components[${i}]`,
        `spec.components[${written.components.findIndex((x) => x.name === added.replicaOf)}]`,
      );
    }
  });
  const relocate = (c: ErrorCause): ErrorCause => {
    const m = /^spec\.components\[\d+\]/.exec(c.path);
    const to = m && moved.get(m[0]);
    if (!to) return c;
    const rest = c.path.slice(m[0].length).replace(/^\.properties\.objects\[0\]/, '');
    return { ...c, path: to + (to.endsWith('.value') ? rest : '') };
  };
  const add = (raw: ErrorCause) => {
    const c = relocate(raw);
    const key = `${c.path}\n${c.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    causes.push(c);
  };
  specCauses(written, opts).forEach(add);
  // Only the causes are read. The render as written is the one componentDemands makes of these components: it is
  // remembered there, so quota usage and the holding index reading the new spec after its write render nothing.
  const demands = new Map<number, ComponentDemandInfo | undefined>();
  renderCore(spec, DRY_RUN, {
    causesOnly: true,
    onComponent: (c, r) => demands.set(c.index, componentDemandOf(c, r)),
  }).causes.forEach(add);
  rememberRenderedDemands(spec.components, demands);
  (spec.policies ?? []).forEach((p, i) => {
    if (p.type !== 'override') return;
    const under = renderCore(spec, { ...DRY_RUN, overrides: [p.properties ?? {}] }, { causesOnly: true });
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
