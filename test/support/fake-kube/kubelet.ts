/**
 * The kubelet running a container for real, when the fake is given a `kubelet` hook (FakeKubeOptions): the pod's
 * container command, its env resolved (values and secretKeyRefs) and the files of its Secret volumes, handed to the
 * hook; the pod goes Running, then Succeeded or Failed with the exit code, as a kubelet reports it. Without the hook,
 * pods of Jobs succeed at once (scheduler.ts).
 */
import { type Any, type ControllerContext, PODS, condition, def, quietly, writeStatus } from './controller-kit.ts';
import { recordEvent } from './events.ts';
import { nowTime } from './registry.ts';
import type { ContainerRun } from './types.ts';

const SECRETS = def('v1', 'Secret');

function secretData(ctx: ControllerContext, ns: string, name: string): Record<string, string> | undefined {
  const s = ctx.registry.store.get(SECRETS, ns, name) as Any | undefined;
  if (!s) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((s.data ?? {}) as Record<string, string>))
    out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries((s.stringData ?? {}) as Record<string, string>)) out[k] = v;
  return out;
}

/** The container's env and files, as the kubelet resolves them; a missing Secret or key is an error, as there. */
export function resolveContainer(ctx: ControllerContext, pod: Any, c: Any): ContainerRun | { error: string } {
  const ns = pod.metadata.namespace as string;
  const env: Record<string, string> = {};
  for (const e of (c.env ?? []) as Any[]) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const v = secretData(ctx, ns, ref.name)?.[ref.key];
      if (v === undefined) return { error: `secret "${ref.name}" or its key "${ref.key}" not found` };
      env[e.name] = v;
    }
  }
  const files: Record<string, string> = {};
  for (const m of (c.volumeMounts ?? []) as Any[]) {
    const vol = ((pod.spec.volumes ?? []) as Any[]).find((v) => v.name === m.name);
    if (!vol?.secret) continue;
    const data = secretData(ctx, ns, vol.secret.secretName);
    if (!data) return { error: `secret "${vol.secret.secretName}" not found` };
    const items =
      (vol.secret.items as { key: string; path: string }[] | undefined) ??
      Object.keys(data).map((k) => ({ key: k, path: k }));
    for (const it of items) {
      if (data[it.key] === undefined)
        return { error: `couldn't find key ${it.key} in Secret ${ns}/${vol.secret.secretName}` };
      files[`${String(m.mountPath).replace(/\/$/, '')}/${it.path}`] = data[it.key]!;
    }
  }
  return {
    namespace: ns,
    pod: pod.metadata.name,
    container: c.name,
    image: c.image,
    command: [...((c.command ?? []) as string[]), ...((c.args ?? []) as string[])],
    env,
    ...(c.workingDir ? { workingDir: c.workingDir as string } : {}),
    files,
  };
}

function containerStatus(c: Any, state: Any, ready = false): Any {
  return {
    name: c.name,
    image: c.image,
    imageID: '',
    containerID: '',
    ready,
    started: false,
    restartCount: 0,
    state,
    lastState: {},
  };
}

/** Runs a bound pod's (single) container through the hook and reports it: Running, then Succeeded or Failed. */
export function runPod(ctx: ControllerContext, pod: Any, hook: NonNullable<ContainerRun['hook']>): void {
  const c = (pod.spec.containers as Any[])[0]!;
  const ns = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  const uid = pod.metadata.uid as string;
  const started = nowTime();
  const current = () => {
    const p = ctx.registry.store.get(PODS, ns, name) as Any | undefined;
    return p && p.metadata.uid === uid && !p.metadata.deletionTimestamp ? p : undefined;
  };
  const finish = (exitCode: number, message: string) => {
    const p = current();
    if (!p) return;
    const reason = exitCode === 0 ? 'Completed' : 'Error';
    quietly(() =>
      writeStatus(
        ctx,
        PODS,
        p,
        {
          ...p.status,
          phase: exitCode === 0 ? 'Succeeded' : 'Failed',
          conditions: [
            condition(p.status?.conditions, 'Ready', 'False', 'PodCompleted', '', { probeTime: true }),
            condition(p.status?.conditions, 'PodScheduled', 'True', '', '', { probeTime: true }),
          ],
          startTime: started,
          containerStatuses: [
            containerStatus(c, {
              terminated: {
                exitCode,
                reason,
                message: message.slice(-1024),
                startedAt: started,
                finishedAt: nowTime(),
              },
            }),
          ],
        },
        'kubelet',
      ),
    );
  };
  const resolved = resolveContainer(ctx, pod, c);
  if ('error' in resolved) {
    recordEvent(
      ctx.registry,
      { kind: 'Pod', ...pod },
      { type: 'Warning', reason: 'Failed', message: `Error: ${resolved.error}`, component: 'kubelet' },
    );
    finish(1, resolved.error);
    return;
  }
  quietly(() =>
    writeStatus(
      ctx,
      PODS,
      pod,
      {
        ...pod.status,
        phase: 'Running',
        startTime: started,
        containerStatuses: [containerStatus(c, { running: { startedAt: started } }, true)],
      },
      'kubelet',
    ),
  );
  recordEvent(
    ctx.registry,
    { kind: 'Pod', ...pod },
    { type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, component: 'kubelet' },
  );
  hook(resolved).then(
    (r) => finish(r.exitCode, r.output),
    (e: unknown) => finish(128, String(e)),
  );
}
