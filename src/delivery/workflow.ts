import type { ApplicationSpec } from '../apps/application-kind.ts';

/** A deploy step as delivery sees it: which topology and override policies it names. */
export interface DeployStep {
  readonly name: string;
  /** Position among all workflow steps. */
  readonly index: number;
  readonly topologies: readonly string[];
  readonly overrides: readonly string[];
}

export type StepPhase = 'succeeded' | 'running' | 'suspending' | 'pending';

export interface WorkflowState {
  readonly generation: number;
  /** Steps done, from the first. */
  readonly completed: number;
  /** When the current suspend step began waiting. */
  readonly suspendedSince?: string;
}

export interface WorkflowProgress {
  readonly state: WorkflowState;
  readonly steps: readonly { readonly name: string; readonly type: string; readonly phase: StepPhase }[];
  /** Deploy steps whose clusters receive this generation. */
  readonly reached: readonly DeployStep[];
  readonly suspended: boolean;
  readonly finished: boolean;
}

interface StepLike {
  readonly name: string;
  readonly type: string;
  readonly properties?: Record<string, unknown>;
}

/** The applications (of the same department) the workflow's depends-on-app steps wait for. */
export function appDependencies(spec: ApplicationSpec): string[] {
  return stepsOf(spec).flatMap((s) =>
    s.type === 'depends-on-app' && typeof s.properties?.name === 'string' ? [s.properties.name] : [],
  );
}

/** Whether the workflow now waits at a depends-on-app step. */
export function waitingOnApp(spec: ApplicationSpec, progress: WorkflowProgress): boolean {
  return !progress.finished && stepsOf(spec)[progress.state.completed]?.type === 'depends-on-app';
}

function stepsOf(spec: ApplicationSpec): readonly StepLike[] {
  return (spec as { workflow?: { steps?: StepLike[] } }).workflow?.steps ?? [];
}

function policiesOfType(spec: ApplicationSpec, type: string): string[] {
  return (spec.policies ?? []).filter((p) => p.type === type).map((p) => p.name ?? ''); // '' stands for the anonymous ones
}

/**
 * The deploy steps of an application. Without a workflow there is one implicit step that uses every topology and
 * override policy, as KubeVela generates.
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
  const topology = new Set(policiesOfType(spec, 'topology'));
  const override = new Set(policiesOfType(spec, 'override'));
  return steps.flatMap((s, index) => {
    if (s.type !== 'deploy') return [];
    const named = Array.isArray(s.properties?.policies) ? (s.properties.policies as string[]) : [];
    return [
      {
        name: s.name,
        index,
        topologies: named.filter((n) => topology.has(n)),
        overrides: named.filter((n) => override.has(n)),
      },
    ];
  });
}

/** `30s`, `5m`, `2h` → milliseconds; undefined when absent or not a duration. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)(s|m|h)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

/**
 * Advances an application's workflow as far as it can go now (pure). A deploy step is done when its workloads are
 * healthy; a suspend step when it was approved for this generation or its `duration` has passed. A new generation
 * starts again from the first step. Steps not yet reached leave their clusters as they are.
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
  },
): WorkflowProgress {
  const declared = stepsOf(spec);
  const steps: StepLike[] = declared.length > 0 ? [...declared] : [{ name: 'deploy', type: 'deploy' }];
  const deploys = deploySteps(spec);
  let state: WorkflowState =
    previous && previous.generation === ctx.generation ? previous : { generation: ctx.generation, completed: 0 };
  let suspended = false;
  let i = state.completed;
  while (i < steps.length) {
    const step = steps[i]!;
    if (step.type === 'suspend') {
      const since = state.suspendedSince ?? ctx.now;
      const wait = durationMs(step.properties?.duration);
      const approved = ctx.approvals[step.name] === ctx.generation;
      const elapsed = wait !== undefined && Date.parse(ctx.now) - Date.parse(since) >= wait;
      if (!approved && !elapsed) {
        state = { ...state, completed: i, suspendedSince: since };
        suspended = true;
        break;
      }
      i++;
      state = { generation: state.generation, completed: i };
      continue;
    }
    if (step.type === 'depends-on-app') {
      const name = step.properties?.name;
      if (typeof name !== 'string' || !ctx.appRunning?.(name)) break;
      i++;
      state = { generation: state.generation, completed: i };
      continue;
    }
    const deploy = deploys.find((d) => d.index === i);
    if (deploy && !ctx.stepHealthy(deploy)) break;
    i++;
    state = { generation: state.generation, completed: i };
  }
  state = { ...state, completed: Math.min(i, steps.length) };
  const phaseOf = (k: number): StepPhase => {
    if (k < state.completed) return 'succeeded';
    if (k === state.completed) return suspended ? 'suspending' : 'running';
    return 'pending';
  };
  return {
    state,
    steps: steps.map((s, k) => ({ name: s.name, type: s.type, phase: phaseOf(k) })),
    reached: deploys.filter((d) => d.index <= state.completed),
    suspended,
    finished: state.completed >= steps.length,
  };
}
