import type { z } from 'zod';
import type { ErrorCause } from '../../kernel/errors.ts';
import { dns1123LabelProblem } from '../../kernel/names.ts';
import type { ApplicationSpec, ComponentSpec } from '../application-kind.ts';
import { parseWith } from '../render/schemas.ts';
import { STEP_SCHEMAS } from '../render/policy-schemas.ts';
import { lookup, parseExpr, pathsOf, type Expr } from './expressions.ts';
import {
  applyDeployment,
  applyObject,
  export2config,
  export2secret,
  type StepObject,
  type StepObjectContext,
} from './step-objects.ts';
import { WORKFLOW_STEP_SCHEMAS } from './step-schemas.ts';
import { notificationCauses } from './notification.ts';

/**
 * A workflow as polis runs it (pure): step groups flattened into their sub-steps, inputs and outputs resolved, and
 * what each step delivers named. Steps that apply objects (apply-object, export2config, export2secret,
 * apply-deployment) become components of their own (k8s-objects named after the step), so the objects go through
 * the same rendering, placement, ownership labels, pruning and isolation as every other object; steps that deliver
 * (deploy, apply-component, apply-remaining, and those) list the components they deliver.
 *
 * Every polis step's outputs come from its own properties and the objects it renders (`parameter.…`,
 * `context.…`, `apply.value.…`), so they are known before the workflow runs: inputs are resolved here, once.
 */

/** What a delivering step applies: its components, on the clusters of the topology policies it names. */
export interface StepDelivery {
  /** Absent: every component the application declares (deploy without replication). */
  readonly components?: readonly string[];
  readonly topologies: readonly string[];
  readonly overrides: readonly string[];
}

export interface FlatStep {
  readonly name: string;
  readonly type: string;
  /** Position in the flattened list. */
  readonly index: number;
  /** `spec.workflow.steps[i]` or `spec.workflow.steps[i].subSteps[j]`. */
  readonly path: string;
  /** With inputs applied. */
  readonly properties: Record<string, unknown>;
  /** The step group holding this step. */
  readonly group?: string;
  /** For a step group: how many sub-steps follow it in the list. */
  readonly span?: number;
  readonly if?: Expr;
  readonly timeoutMs?: number;
  /** `inputs.<from>` values, for `if`. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly deliver?: StepDelivery;
}

export interface ExpandedWorkflow {
  /** The spec with the steps' own components and topologies added (idempotent: expanding it again adds nothing). */
  readonly spec: ApplicationSpec;
  /** Empty when the application has no workflow (one implicit deploy of everything). */
  readonly steps: readonly FlatStep[];
  readonly causes: readonly ErrorCause[];
}

export interface ExpandOptions {
  readonly appName?: string;
  /** The Application's metadata.namespace (KubeVela's context.namespace). */
  readonly namespace?: string;
  /**
   * What each read-object step read (by step name), as delivery read it this round. Without it (checking an
   * application before it runs) a read-object step's outputs are not known yet: inputs from them are left as
   * written, and filled in when delivery has read them.
   */
  readonly readObjects?: Readonly<Record<string, unknown>>;
}

/** An expanded spec remembers what it was expanded with, so that checking it again (rendering) agrees. */
interface Remembered {
  readonly workflowContext?: ExpandOptions;
}

/** Marks what expansion added, so that a spec expanded twice is expanded once. */
export interface WorkflowAdded {
  /** The step a component or policy was added for. */
  readonly workflowStep?: string;
  /** The component a replication copy is of. */
  readonly replicaOf?: string;
}

type Step = NonNullable<ApplicationSpec['workflow']>['steps'][number] & {
  readonly if?: string;
  readonly timeout?: string;
  readonly inputs?: readonly { from: string; parameterKey?: string }[];
  readonly outputs?: readonly { name: string; valueFrom: string }[];
  readonly subSteps?: readonly Step[];
};

const OBJECT_STEPS: Readonly<Record<string, (p: never, ctx: StepObjectContext) => StepObject>> = {
  'apply-object': applyObject as never,
  export2config: export2config as never,
  export2secret: export2secret as never,
  'apply-deployment': applyDeployment as never,
};

/** What a step's outputs may read, by step type (beyond `parameter` and `context`). */
const OUTPUT_ROOTS = ['parameter', 'context', 'apply'];

/** The schema of every step type polis runs. */
export function stepSchema(type: string): z.ZodType | undefined {
  return STEP_SCHEMAS[type] ?? WORKFLOW_STEP_SCHEMAS[type];
}

/** Go durations as workflow steps write them (`30s`, `1m30s`, `1.5h`) → milliseconds. */
export function goDurationMs(value: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let end = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * unit[m[2]!]!;
    end = re.lastIndex;
  }
  return end === value.length && end > 0 ? total : undefined;
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let o: Record<string, unknown> = target;
  for (const p of parts.slice(0, -1)) {
    if (o[p] === null || typeof o[p] !== 'object') o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts.at(-1)!] = structuredClone(value);
}

export function expandWorkflow(spec: ApplicationSpec, given: ExpandOptions = {}): ExpandedWorkflow {
  const opts = (spec as Remembered).workflowContext ?? given;
  const components = spec.components.filter(
    (c) => !(c as WorkflowAdded).workflowStep && !(c as WorkflowAdded).replicaOf,
  );
  const policies = (spec.policies ?? []).filter((p) => !(p as WorkflowAdded).workflowStep);
  const declared = (spec.workflow?.steps ?? []) as readonly Step[];
  const causes: ErrorCause[] = [];
  const added: (ComponentSpec & WorkflowAdded)[] = [];
  const addedPolicies: (NonNullable<ApplicationSpec['policies']>[number] & WorkflowAdded)[] = [];
  const names = new Set(components.map((c) => c.name));
  const policyType = new Map(policies.flatMap((p) => (p.name === undefined ? [] : [[p.name, p.type] as const])));
  const outputs = new Map<string, unknown>();
  /** Outputs of read-object steps not read yet: known to exist, value unknown. */
  const pending = new Set<string>();
  const delivered = new Set<string>();
  const flat: FlatStep[] = [];
  const appName = opts.appName ?? 'app';
  const appNamespace = opts.namespace ?? 'default';
  const stepNames = new Set(declared.flatMap((s) => [s.name, ...(s.subSteps ?? []).map((x) => x.name)]));

  const topologyFor = (cluster: string, step: string): string[] => {
    if (cluster === '') return [];
    const name = `${step}/cluster`;
    addedPolicies.push({ name, type: 'topology', properties: { clusters: [cluster] }, workflowStep: step });
    return [name];
  };

  const visit = (s: Step, path: string, group?: string): void => {
    const index = flat.length;
    const props = structuredClone(s.properties ?? {}) as Record<string, unknown>;
    const inputs: Record<string, unknown> = {};
    (s.inputs ?? []).forEach((input, k) => {
      if (pending.has(input.from)) return;
      if (!outputs.has(input.from)) {
        causes.push({
          path: `${path}.inputs[${k}].from`,
          code: 'StepInputUnknown',
          params: { step: s.name, from: input.from },
          message: `no earlier step has an output named "${input.from}"`,
        });
        return;
      }
      inputs[input.from] = outputs.get(input.from);
      if (input.parameterKey) setPath(props, input.parameterKey, outputs.get(input.from));
    });
    let cond: Expr | undefined;
    if (s.if !== undefined) {
      const parsed = parseExpr(s.if);
      if (!parsed.ok) {
        causes.push(unsupportedExpr(`${path}.if`, s, s.if, parsed.problem));
      } else {
        cond = parsed.expr;
        for (const p of pathsOf(cond)) {
          if (p[0] === 'status' && typeof p[1] === 'string' && !stepNames.has(p[1])) {
            causes.push({
              path: `${path}.if`,
              code: 'StepConditionUnknownStep',
              params: { step: s.name, named: p[1] },
              message: `no step is named "${p[1]}"`,
            });
          } else if (!['status', 'inputs', 'context'].includes(String(p[0]))) {
            causes.push(
              unsupportedExpr(
                `${path}.if`,
                s,
                s.if,
                `"${p.join('.')}": an if reads status.<step>, inputs.<name> or context.<field>`,
              ),
            );
          }
        }
      }
    }
    const timeoutMs = s.timeout === undefined ? undefined : goDurationMs(s.timeout);
    const base = {
      name: s.name,
      type: s.type,
      index,
      path,
      properties: props,
      ...(group ? { group } : {}),
      ...(cond ? { if: cond } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      inputs,
    };
    const schema = stepSchema(s.type);
    if (s.type === 'step-group') {
      if (group) {
        causes.push({
          path: `${path}.type`,
          code: 'StepGroupNested',
          params: { step: s.name },
          message: 'a step group cannot hold another step group',
        });
        return;
      }
      const subs = s.subSteps ?? [];
      flat.push({ ...base, span: subs.length });
      subs.forEach((sub, j) => visit(sub, `${path}.subSteps[${j}]`, s.name));
      return;
    }
    if ((s.subSteps ?? []).length > 0) {
      causes.push({
        path: `${path}.subSteps`,
        code: 'StepSubStepsOutsideGroup',
        params: { step: s.name, type: s.type },
        message: `only a step-group step has subSteps; this is a ${s.type} step`,
      });
    }
    if (!schema) {
      flat.push(base); // an unknown type: spec-causes reports it
      return;
    }
    // Fields an input fills are checked when the input is known; an unknown input has been reported already.
    const parsed = parseWith<Record<string, unknown>>(schema, props, `${path}.properties`);
    if (!parsed.ok) {
      causes.push(...parsed.causes);
      flat.push(base);
      return;
    }
    const p = parsed.value;
    causes.push(...notificationCauses(s.type, p, `${path}.properties`, s.name));
    let deliver: StepDelivery | undefined;
    const outputEnv: Record<string, unknown> = {
      parameter: p,
      context: { name: appName, namespace: appNamespace, stepName: s.name },
    };
    // read-object.cue: the object read is `output.value`.
    if (s.type === 'read-object') outputEnv.output = { value: opts.readObjects?.[s.name] };
    if (s.type === 'deploy') {
      const named = (p.policies as string[] | undefined) ?? [];
      const of = (type: string) => named.filter((n) => policyType.get(n) === type);
      const replication = of('replication');
      const list = replicate(components, policies, replication, causes, `${path}.properties.policies`);
      list?.forEach((c) => delivered.add(c));
      deliver = {
        ...(list ? { components: list } : {}),
        topologies: of('topology'),
        overrides: of('override'),
      };
      if (!list) components.forEach((c) => delivered.add(c.name));
    } else if (s.type === 'apply-component') {
      const component = p.component as string;
      if (!names.has(component)) {
        causes.push({
          path: `${path}.properties.component`,
          code: 'StepComponentUnknown',
          params: { step: s.name, component },
          message: `no component is named "${component}"; components: ${[...names].join(', ') || 'none'}`,
        });
      }
      if (typeof p.namespace === 'string' && p.namespace !== '') {
        causes.push({
          path: `${path}.properties.namespace`,
          code: 'StepNamespaceNotOwn',
          params: { step: s.name, type: s.type, namespace: p.namespace, own: appNamespace },
          message: `apply-component delivers into the application's own namespace on each cluster; remove namespace (a topology policy's namespace is the place for another one)`,
        });
      }
      delivered.add(component);
      deliver = { components: [component], topologies: topologyFor(p.cluster as string, s.name), overrides: [] };
    } else if (s.type === 'apply-remaining') {
      const except = new Set((p.exceptions as string[] | undefined) ?? []);
      (p.exceptions as string[] | undefined)?.forEach((e, k) => {
        if (!names.has(e)) {
          causes.push({
            path: `${path}.properties.exceptions[${k}]`,
            code: 'StepComponentUnknown',
            params: { step: s.name, component: e },
            message: `no component is named "${e}"`,
          });
        }
      });
      const rest = components.map((c) => c.name).filter((n) => !except.has(n) && !delivered.has(n));
      rest.forEach((n) => delivered.add(n));
      deliver = { components: rest, topologies: [], overrides: [] };
    } else if (OBJECT_STEPS[s.type]) {
      const ctx: StepObjectContext = { appName, appNamespace, stepName: s.name, stepType: s.type, path };
      const made = OBJECT_STEPS[s.type]!(p as never, ctx);
      const problem = dns1123LabelProblem(s.name);
      if (problem || names.has(s.name)) {
        causes.push({
          path: `${path}.name`,
          code: problem ? 'StepNameNotLabel' : 'StepNameIsComponent',
          params: { step: s.name, type: s.type },
          message: problem
            ? `"${s.name}" ${problem}: a ${s.type} step's objects are labelled with its name`
            : `a component is named "${s.name}" too: a ${s.type} step's objects are labelled with its name; rename the step`,
        });
      } else if (!made.ok) causes.push(...made.causes);
      else {
        added.push({
          name: s.name,
          type: 'k8s-objects',
          properties: { objects: [made.object] },
          workflowStep: s.name,
        });
        names.add(s.name);
        outputEnv.apply = { value: made.object };
        deliver = { components: [s.name], topologies: topologyFor(p.cluster as string, s.name), overrides: [] };
      }
    }
    (s.outputs ?? []).forEach((o, k) => {
      const parsedOut = parseExpr(o.valueFrom);
      const at = `${path}.outputs[${k}].valueFrom`;
      if (!parsedOut.ok || parsedOut.expr.kind !== 'path') {
        causes.push(unsupportedExpr(at, s, o.valueFrom, parsedOut.ok ? 'an output is a path' : parsedOut.problem));
        return;
      }
      const root = String(parsedOut.expr.path[0]);
      if (root === 'output' && s.type === 'read-object') {
        if (opts.readObjects?.[s.name] === undefined) pending.add(o.name);
        else outputs.set(o.name, lookup(outputEnv, parsedOut.expr.path));
        return;
      }
      if (!OUTPUT_ROOTS.includes(root) || (root === 'apply' && outputEnv.apply === undefined)) {
        causes.push({
          path: at,
          code: 'StepOutputUnsupported',
          params: { step: s.name, type: s.type, valueFrom: o.valueFrom },
          message: `polis cannot produce "${o.valueFrom}" from a ${s.type} step: its outputs read parameter.…, context.…${outputEnv.apply ? ' or apply.value.…' : ''} (polis reads no live state from clusters)`,
        });
        return;
      }
      outputs.set(o.name, lookup(outputEnv, parsedOut.expr.path));
    });
    flat.push({ ...base, ...(deliver ? { deliver } : {}) });
  };

  declared.forEach((s, i) => visit(s, `spec.workflow.steps[${i}]`));
  const copies = replicaCopies(components, policies, declared);
  const out: ApplicationSpec & Remembered = {
    ...spec,
    workflowContext: opts,
    components: [...components, ...copies, ...added],
    ...(spec.policies || addedPolicies.length ? { policies: [...policies, ...addedPolicies] } : {}),
  };
  return {
    spec: out,
    steps: flat,
    causes,
  };
}

function unsupportedExpr(path: string, s: Step, text: string, problem: string): ErrorCause {
  return {
    path,
    code: 'WorkflowExpressionUnsupported',
    params: { step: s.name, expression: text },
    message: `polis does not evaluate this expression (${problem}); it reads paths such as status.<step>.phase, status["<step>"].failed, inputs.<name> or context.name, literals, ==, !=, !, &&, || and always`,
  };
}

type Policy = NonNullable<ApplicationSpec['policies']>[number];

function replicationOf(policies: readonly Policy[], name: string): { keys: string[]; selector?: string[] } {
  const p = policies.find((x) => x.name === name)?.properties ?? {};
  return {
    keys: Array.isArray(p.keys) ? (p.keys as string[]) : [],
    ...(Array.isArray(p.selector) ? { selector: p.selector as string[] } : {}),
  };
}

/**
 * The components a deploy step naming replication policies delivers: each selected component is replaced by one
 * copy per key, named `<component>-<key>` as KubeVela names them; undefined when it names none.
 */
function replicate(
  components: readonly ComponentSpec[],
  policies: readonly Policy[],
  named: readonly string[],
  causes: ErrorCause[],
  at: string,
): string[] | undefined {
  if (named.length === 0) return undefined;
  let list = components.map((c) => c.name);
  for (const n of named) {
    const r = replicationOf(policies, n);
    const selected = new Set(r.selector ?? list);
    list = list.flatMap((c) => (selected.has(c) ? r.keys.map((k) => `${c}-${k}`) : [c]));
  }
  for (const c of list) {
    const problem = dns1123LabelProblem(c);
    if (problem) {
      causes.push({
        path: at,
        code: 'ReplicaNameNotLabel',
        params: { component: c },
        message: `the replicated component "${c}" ${problem}: a replication key makes <component>-<key>`,
      });
    }
  }
  return list;
}

/** Every replication copy some deploy step delivers, after the component it copies. */
function replicaCopies(
  components: readonly ComponentSpec[],
  policies: readonly Policy[],
  steps: readonly Step[],
): (ComponentSpec & WorkflowAdded)[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  const out = new Map<string, ComponentSpec & WorkflowAdded>();
  const all = steps.flatMap((s) => [s, ...(s.subSteps ?? [])]);
  for (const s of all) {
    if (s.type !== 'deploy') continue;
    const named = Array.isArray(s.properties?.policies) ? (s.properties.policies as string[]) : [];
    let list: { name: string; of: string }[] = components.map((c) => ({ name: c.name, of: c.name }));
    for (const n of named.filter((x) => policies.some((p) => p.name === x && p.type === 'replication'))) {
      const r = replicationOf(policies, n);
      const selected = new Set(r.selector ?? list.map((c) => c.name));
      list = list.flatMap((c) =>
        selected.has(c.name) ? r.keys.map((k) => ({ name: `${c.name}-${k}`, of: c.of })) : [c],
      );
    }
    for (const c of list) {
      if (c.name === c.of || out.has(c.name) || byName.has(c.name)) continue;
      out.set(c.name, { ...byName.get(c.of)!, name: c.name, replicaOf: c.of });
    }
  }
  return [...out.values()];
}
