import type { ApplicationSpec } from '../apps/application-kind.ts';
import { evaluate, truthy } from '../apps/workflow/expressions.ts';
import { expandWorkflow, goDurationMs, type FlatStep } from '../apps/workflow/expand.ts';

/** A step that delivers components (deploy, apply-component, apply-object …) as delivery sees it. */
export interface DeployStep {
  readonly name: string;
  /** Position among all workflow steps (step groups flattened: a group, then its sub-steps). */
  readonly index: number;
  readonly topologies: readonly string[];
  readonly overrides: readonly string[];
  /** The components it delivers; absent: every component the application declares. */
  readonly components?: readonly string[];
}

export type StepPhase = 'succeeded' | 'running' | 'suspending' | 'pending' | 'failed' | 'skipped';

/** How a finished step ended, where not `succeeded`. */
export type StepOutcome = 'failed' | 'skipped';

export interface WorkflowState {
  readonly generation: number;
  /** Steps done, from the first. */
  readonly completed: number;
  /** When the current suspend step began waiting. */
  readonly suspendedSince?: string;
  /** When the current step began, for its timeout (only while it runs and has one). */
  readonly stepStartedAt?: string;
  /** When the current step group began, for its timeout. */
  readonly groupStartedAt?: string;
  /** Steps that were skipped (their `if` was false) or failed (timed out), by name. */
  readonly outcomes?: Readonly<Record<string, StepOutcome>>;
}

export interface StepReport {
  readonly name: string;
  readonly type: string;
  readonly phase: StepPhase;
  /** The step group holding it. */
  readonly group?: string;
  /** Why it failed (timed out), or what a print-message-in-status step printed. */
  readonly reason?: string;
  readonly message?: string;
}

/** A step that ran to completion just now and acts outside the cluster: a notification to send. */
export interface StepEffect {
  readonly step: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
}

export interface WorkflowProgress {
  readonly state: WorkflowState;
  readonly steps: readonly StepReport[];
  /** Deploy steps whose clusters receive this generation. */
  readonly reached: readonly DeployStep[];
  readonly suspended: boolean;
  readonly finished: boolean;
  /** A step failed (timed out): the workflow ended without running the steps after it (unless their `if` said). */
  readonly failed?: boolean;
  /** Notifications and webhooks of steps that completed in this call, to send once. */
  readonly effects?: readonly StepEffect[];
  /** When to look again even if nothing changes (a suspend duration or a timeout running out). */
  readonly recheckInMs?: number;
}

/** The applications (of the same department) the workflow's depends-on-app steps wait for. */
export function appDependencies(spec: ApplicationSpec): string[] {
  return stepsOf(spec).flatMap((s) =>
    s.type === 'depends-on-app' && typeof s.properties?.name === 'string' ? [s.properties.name] : [],
  );
}

/** Whether the workflow now waits at a depends-on-app step, or at a read-object step whose object is not there. */
export function waitingOnApp(spec: ApplicationSpec, progress: WorkflowProgress): boolean {
  const type = stepsOf(spec)[progress.state.completed]?.type;
  return !progress.finished && (type === 'depends-on-app' || type === 'read-object');
}

/** The read-object steps of the workflow (sub-steps included), with their properties. */
export function readSteps(spec: ApplicationSpec): { name: string; properties: Record<string, unknown> }[] {
  return stepsOf(spec).flatMap((s) =>
    s.type === 'read-object' ? [{ name: s.name, properties: s.properties as Record<string, unknown> }] : [],
  );
}

function stepsOf(spec: ApplicationSpec): readonly FlatStep[] {
  return expandWorkflow(spec).steps;
}

function policiesOfType(spec: ApplicationSpec, type: string): string[] {
  return (spec.policies ?? []).filter((p) => p.type === type).map((p) => p.name ?? ''); // '' stands for the anonymous ones
}

/**
 * The delivering steps of an application. Without a workflow there is one implicit step that uses every topology
 * and override policy, as KubeVela generates.
 */
export function deploySteps(spec: ApplicationSpec): DeployStep[] {
  const steps = stepsOf(spec);
  if (steps.length === 0) {
    return [
      {
        name: 'deploy',
        index: 0,
        topologies: policiesOfType(spec, 'topology'),
        overrides: policiesOfType(spec, 'override'),
      },
    ];
  }
  return steps.flatMap((s) =>
    s.deliver
      ? [
          {
            name: s.name,
            index: s.index,
            topologies: s.deliver.topologies,
            overrides: s.deliver.overrides,
            ...(s.deliver.components ? { components: s.deliver.components } : {}),
          },
        ]
      : [],
  );
}

/** `30s`, `5m`, `2h` → milliseconds; undefined when absent or not a duration. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)(s|m|h)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

/** Steps that act once, at once, outside the clusters. */
const EFFECT_STEPS = new Set(['notification', 'webhook']);

/**
 * Advances an application's workflow as far as it can go now (pure). A delivering step is done when its workloads
 * are healthy; a suspend step when it was approved for this generation or its `duration` has passed; a
 * depends-on-app step when that application runs; notification, webhook and print-message-in-status at once. A
 * step whose `if` is false is skipped; without `if`, a step runs only while no earlier step failed (KubeVela's
 * default). A step (or step group) running longer than its `timeout` fails. A new generation starts again from the
 * first step. Steps not yet reached leave their clusters as they are.
 */
export function advanceWorkflow(
  spec: ApplicationSpec,
  previous: WorkflowState | undefined,
  ctx: {
    readonly generation: number;
    readonly approvals: Readonly<Record<string, number>>;
    readonly now: string;
    readonly stepHealthy: (step: DeployStep) => boolean;
    /**
     * Whether the application of this name in the same department is Running (depends-on-app). Never given
     * another department's applications: an unknown name is simply not running.
     */
    readonly appRunning?: (name: string) => boolean;
    /** Whether delivery read the object of this read-object step this round. */
    readonly objectRead?: (step: string) => boolean;
    /** KubeVela's `context` in `if` expressions. */
    readonly context?: Readonly<Record<string, unknown>>;
  },
): WorkflowProgress {
  const declared = stepsOf(spec);
  const steps: FlatStep[] =
    declared.length > 0
      ? [...declared]
      : [{ name: 'deploy', type: 'deploy', index: 0, path: 'spec', properties: {}, inputs: {} }];
  const deploys = deploySteps(spec);
  const nowMs = Date.parse(ctx.now);
  let state: WorkflowState =
    previous && previous.generation === ctx.generation ? previous : { generation: ctx.generation, completed: 0 };
  const outcomes: Record<string, StepOutcome> = { ...(state.outcomes ?? {}) };
  const effects: StepEffect[] = [];
  let suspended = false;
  let recheckInMs: number | undefined;
  const recheck = (ms: number) => {
    recheckInMs = recheckInMs === undefined ? ms : Math.min(recheckInMs, ms);
  };
  const groupEnd = (g: FlatStep) => g.index + (g.span ?? 0);
  let i = state.completed;
  // Moves past step k (and, for a group not run, past its sub-steps).
  const finish = (k: number, outcome?: StepOutcome) => {
    const step = steps[k]!;
    if (outcome) outcomes[step.name] = outcome;
    let next = k + 1;
    if (step.type === 'step-group' && outcome) {
      for (let j = k + 1; j <= groupEnd(step); j++)
        outcomes[steps[j]!.name] = outcome === 'failed' ? 'skipped' : outcome;
      next = groupEnd(step) + 1;
    }
    const leavingGroup =
      step.type !== 'step-group' && step.group && next > groupEnd(steps.find((g) => g.name === step.group)!);
    state = {
      generation: state.generation,
      completed: next,
      ...(state.groupStartedAt && !leavingGroup && (step.group || step.type === 'step-group')
        ? { groupStartedAt: state.groupStartedAt }
        : {}),
    };
    i = next;
  };
  const env = (step: FlatStep) => ({
    status: Object.fromEntries(
      steps.map((s, k) => {
        const o = outcomes[s.name];
        const phase = o ?? (k < i ? 'succeeded' : k === i ? 'running' : 'pending');
        const status = {
          phase,
          succeeded: phase === 'succeeded',
          failed: phase === 'failed',
          skipped: phase === 'skipped',
        };
        return [s.name, { ...status, timeout: o === 'failed' }];
      }),
    ),
    inputs: step.inputs,
    context: ctx.context ?? {},
  });
  while (i < steps.length) {
    const step = steps[i]!;
    const group = step.group ? steps.find((g) => g.name === step.group) : undefined;
    if (!group && state.groupStartedAt !== undefined) {
      const { groupStartedAt: _done, ...rest } = state;
      state = rest;
    }
    // A step group never stays current: it is skipped, or started and its first sub-step is next.
    if (step.type === 'step-group' || (state.stepStartedAt === undefined && state.suspendedSince === undefined)) {
      // The step is reached now: decide whether it runs.
      const failedBefore = Object.values(outcomes).includes('failed');
      const runs = step.if ? truthy(evaluate(step.if, env(step))) : !failedBefore;
      if (!runs) {
        finish(i, 'skipped');
        continue;
      }
      if (step.type === 'step-group') {
        state = { ...state, groupStartedAt: ctx.now };
        i++;
        state = { ...state, completed: i };
        continue;
      }
      if (step.timeoutMs !== undefined) state = { ...state, stepStartedAt: ctx.now };
    }
    // Timeouts: the step's own, then its group's.
    const started = state.stepStartedAt ?? state.suspendedSince;
    if (step.timeoutMs !== undefined && started !== undefined) {
      const left = step.timeoutMs - (nowMs - Date.parse(started));
      if (left <= 0) {
        finish(i, 'failed');
        continue;
      }
      recheck(left);
    }
    if (group?.timeoutMs !== undefined && state.groupStartedAt !== undefined) {
      const left = group.timeoutMs - (nowMs - Date.parse(state.groupStartedAt));
      if (left <= 0) {
        outcomes[step.name] = 'failed';
        for (let j = i + 1; j <= groupEnd(group); j++) outcomes[steps[j]!.name] = 'skipped';
        outcomes[group.name] = 'failed';
        state = { generation: state.generation, completed: groupEnd(group) + 1 };
        i = groupEnd(group) + 1;
        continue;
      }
      recheck(left);
    }
    if (step.type === 'suspend') {
      const since = state.suspendedSince ?? ctx.now;
      const wait = durationMs(step.properties.duration) ?? goDurationOf(step.properties.duration);
      const approved = ctx.approvals[step.name] === ctx.generation;
      const elapsed = wait !== undefined && nowMs - Date.parse(since) >= wait;
      if (!approved && !elapsed) {
        state = { ...state, completed: i, suspendedSince: since };
        if (wait !== undefined) recheck(wait - (nowMs - Date.parse(since)));
        suspended = true;
        break;
      }
      finish(i);
      continue;
    }
    if (step.type === 'depends-on-app') {
      const name = step.properties.name;
      if (typeof name !== 'string' || !ctx.appRunning?.(name)) break;
      finish(i);
      continue;
    }
    // read-object: done once its object has been read (kube.#Read waits for it the same way).
    if (step.type === 'read-object') {
      if (!ctx.objectRead?.(step.name)) break;
      finish(i);
      continue;
    }
    if (EFFECT_STEPS.has(step.type)) effects.push({ step: step.name, type: step.type, properties: step.properties });
    const deploy = deploys.find((d) => d.index === i);
    if (deploy && !ctx.stepHealthy(deploy)) break;
    finish(i);
  }
  state = { ...state, completed: Math.min(i, steps.length), ...(Object.keys(outcomes).length ? { outcomes } : {}) };
  const groupPhase = (g: FlatStep): StepPhase => {
    const own = outcomes[g.name];
    if (own) return own;
    const subs = steps.slice(g.index + 1, groupEnd(g) + 1).map((s) => phaseOf(s.index));
    if (subs.includes('failed')) return 'failed';
    if (state.completed > groupEnd(g)) return 'succeeded';
    if (state.completed > g.index) return subs.includes('suspending') ? 'suspending' : 'running';
    return 'pending';
  };
  function phaseOf(k: number): StepPhase {
    const step = steps[k]!;
    if (step.type === 'step-group') return groupPhase(step);
    const o = outcomes[step.name];
    if (o) return o;
    if (k < state.completed) return 'succeeded';
    if (k === state.completed) return suspended ? 'suspending' : 'running';
    return 'pending';
  }
  const failed = Object.values(outcomes).includes('failed');
  return {
    state,
    steps: steps.map((s, k) => ({
      name: s.name,
      type: s.type,
      phase: phaseOf(k),
      ...(s.group ? { group: s.group } : {}),
      ...(outcomes[s.name] === 'failed' ? { reason: 'Timeout' } : {}),
      ...(s.type === 'print-message-in-status' && k < state.completed && !outcomes[s.name]
        ? { message: String(s.properties.message ?? '') }
        : {}),
    })),
    reached: deploys.filter((d) => d.index <= state.completed && outcomes[steps[d.index]?.name ?? ''] !== 'skipped'),
    suspended,
    finished: state.completed >= steps.length,
    failed,
    effects,
    ...(recheckInMs !== undefined && !(state.completed >= steps.length)
      ? { recheckInMs: Math.max(0, recheckInMs) }
      : {}),
  };
}

function goDurationOf(v: unknown): number | undefined {
  return typeof v === 'string' ? goDurationMs(v) : undefined;
}
