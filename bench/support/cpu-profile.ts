import { existsSync, readFileSync } from 'node:fs';
import type { ChildPolis } from '../../test/support/child-polis.ts';

/** The parts of a V8 .cpuprofile used here. */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  /** Percent of busy time (idle excluded). */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idlePercent: number;
  /** Self time by area: a package under node_modules, a folder of src/, node's internals, GC, native code. */
  readonly selfByArea: readonly ProfileShare[];
  /** Time with the area anywhere on the stack. */
  readonly inclusiveByArea: readonly ProfileShare[];
  /** Self time by function. */
  readonly topFunctions: readonly ProfileShare[];
  /** Time with the src/ file anywhere on the stack. */
  readonly inclusiveBySrcFile: readonly ProfileShare[];
}

/** Which part of the program a frame belongs to. */
function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return '(native)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src\/[^/]+)\//.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url.replace(/^file:\/\//, '');
}

function srcFile(url: string): string | undefined {
  const m = /\/(src\/.+\.ts)$/.exec(url);
  return m?.[1];
}

/** Summarizes a CPU profile: where the busy (non-idle) time went, by area, by function and by src/ file. */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const inclusiveFile = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (!leaf) return;
    const leafArea = areaOf(leaf.callFrame.url, leaf.callFrame.functionName);
    if (leafArea === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    add(self, leafArea, dt);
    const f = leaf.callFrame;
    add(
      selfFn,
      `${f.functionName || '(anonymous)'} ${areaOf(f.url, f.functionName)}${f.url ? `:${f.lineNumber + 1}` : ''}`,
      dt,
    );
    const areas = new Set<string>();
    const files = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const cf = byId.get(n)!.callFrame;
      if (cf.functionName === '(root)') continue;
      areas.add(areaOf(cf.url, cf.functionName));
      const s = srcFile(cf.url);
      if (s) files.add(s);
    }
    for (const a of areas) add(inclusive, a, dt);
    for (const s of files) add(inclusiveFile, s, dt);
  });

  const shares = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, v]) => ({ name, percent: Math.round((1000 * v) / Math.max(busy, 1)) / 10 }));
  return {
    busyMs: Math.round(busy / 1000),
    idlePercent: Math.round((1000 * idle) / Math.max(busy + idle, 1)) / 10,
    selfByArea: shares(self),
    inclusiveByArea: shares(inclusive),
    topFunctions: shares(selfFn),
    inclusiveBySrcFile: shares(inclusiveFile),
  };
}

/** The summary as indented text lines. */
export function formatProfile(s: ProfileSummary): string {
  const block = (title: string, xs: readonly ProfileShare[]) => [
    `  ${title}:`,
    ...xs.map((x) => `    ${String(x.percent).padStart(5)}%  ${x.name}`),
  ];
  return [
    `  busy ${s.busyMs} ms, idle ${s.idlePercent}% of the profiled time`,
    ...block('self time by area', s.selfByArea),
    ...block('inclusive time by area (on the stack)', s.inclusiveByArea),
    ...block('inclusive time by src/ file', s.inclusiveBySrcFile),
    ...block('self time by function', s.topFunctions),
  ].join('\n');
}

/**
 * SIGUSR2 toggles a polis child's CPU profile (test/support/serve-process.ts): the first starts it (given a moment to
 * begin), the second (`stopping`) writes `file`, which this waits for until it parses.
 */
export async function profileToggle(polis: ChildPolis, file: string, stopping: boolean): Promise<void> {
  polis.process.kill('SIGUSR2');
  if (!stopping) return new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 600; i++) {
    if (existsSync(file)) {
      try {
        JSON.parse(readFileSync(file, 'utf8'));
        return;
      } catch {
        // Still being written.
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no CPU profile appeared at ${file}`);
}
