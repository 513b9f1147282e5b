// README.md's "A five-minute tour", run step by step against a polis of its own, so the tour never drifts from
// what polis does. Every `npm run polis -- …` line of the section's sh blocks runs in order: the words are split
// and expanded by bash (quotes, $(…), comments), a `producer | npm run polis -- …` line gets the producer's output
// (run by bash) on standard input, and the CLI runs in-process with those arguments, in a folder where `data/` is
// the server's data folder and `examples/` the repository's. A step passes when it exits 0, or with the code its
// comment names ("(exit code 3)") and the refusal CHECKS expects: a step refused for any other reason fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';
import type { ChildPolis } from './support/child-polis.ts';
import { spawnPolis } from './support/child-polis.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOUR_URL = 'http://127.0.0.1:8080';
/** Generous limits on conditions: a loaded machine is slow, never wrong. */
const STEP_LIMIT_MS = 180_000;
const EVENTUALLY_LIMIT_MS = 300_000;

interface Step {
  /** The README line as written. */
  readonly line: string;
  /** What runs before `| npm run polis --`, if anything. */
  readonly producer?: string;
  /** The words after `npm run polis --`, still as shell text (comment included). */
  readonly command: string;
  /** The exit code the line's comment promises: `(exit code N)`; 0 without one. */
  readonly exitCode: number;
}

interface Check {
  /** What the step's output (stdout and stderr) must show. */
  readonly shows: RegExp;
  /** Re-run the step until it shows it (state the controllers reach in their own time), within a generous limit. */
  readonly eventually?: boolean;
  /** For a watch (`-w`) that never ends by itself: stop it once it shows `shows`. */
  readonly watchUntil?: boolean;
}

/**
 * What particular steps are there to show, keyed by `USER: COMMAND #N` (the logged-in user, the command without
 * its comment, its N-th run by that user). A refused step (non-zero exit) must be listed here with the refusal it
 * shows, so one refused for another reason (a wrong login) fails the test.
 */
const CHECKS: Record<string, Check> = {
  'admin: get clusters #1': { shows: /gov-west\s.*\bprimary\s+Ready\b/ },
  'admin: describe app e-invoice --tenant tax #1': { shows: /outside residency/ },
  'edu-admin: get apps -A #1': { shows: /^edu\s+enrolment-portal\b(?![\s\S]*\be-invoice\b)/m },
  'edu-admin: get apps --tenant tax #1': { shows: /may not list Application in tax/ },
  'edu-admin: rollout diff school-meals --tenant edu #1': { shows: /-\s+replicas: 2\n\+\s+replicas: 5/ },
  'edu-admin: apply -f examples/tour/quota-buster.yaml --tenant edu #1': {
    shows: /department "edu" would exceed its quota: cpu/,
  },
  'edu-admin: apply -f examples/tour/db-secret.yaml --tenant edu #1': {
    shows: /secret\.polis\.io\/enrolment-db created/,
  },
  'edu-admin: audit list --tenant edu --limit 5 #1': {
    shows: /edu-admin\s+apply\s+Secret\s+edu\s+enrolment-db\s+success/,
  },
  'samr-admin: rollout status business-license #1': { shows: /Suspended/ },
  'samr-admin: rollout resume business-license #1': { shows: /approve-west approved/ },
  'auditor: audit verify #1': { shows: /audit log intact/ },
  'admin: get clusters -w #1': { shows: /^gov-west\s.*\bUnreachable\b/m, watchUntil: true },
  'admin: describe app e-invoice --tenant tax #2': {
    shows: /Pending Removal:\s+CLUSTER\s+REASON\s+gov-west\s+ClusterUnhealthy/,
    eventually: true,
  },
  'admin: describe app enrolment-portal --tenant edu #1': {
    shows: /Burst:\s+Replicas:\s+Bursting: \d+ replica\(s\) on public-cloud burst clusters \(burst-/,
    eventually: true,
  },
};

/** The `npm run polis -- …` lines of the README's tour section, in order. */
function tourSteps(readme: string): Step[] {
  const start = readme.indexOf('## A five-minute tour');
  if (start < 0) throw new Error('README.md has no "## A five-minute tour" section');
  const next = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const steps: Step[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const at = line.indexOf('npm run polis -- ');
      if (at < 0) throw new Error(`a tour line the test cannot run (no "npm run polis --"): ${line}`);
      const before = line.slice(0, at).trim();
      if (before !== '' && !before.endsWith('|')) throw new Error(`a tour line the test cannot run: ${line}`);
      const producer = before === '' ? undefined : before.slice(0, -1).trim();
      const code = /#.*\(exit code (\d+)\)/.exec(line);
      steps.push({
        line,
        ...(producer ? { producer } : {}),
        command: line.slice(at + 'npm run polis -- '.length),
        exitCode: code ? Number(code[1]) : 0,
      });
    }
  }
  return steps;
}

let polis: ChildPolis;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'polis-tour-'));
  symlinkSync(join(ROOT, 'examples'), join(work, 'examples'));
  mkdirSync(join(work, 'data'));
  // As `npm start` runs it: the demo city on a fresh data folder, the simulated cloud in real time.
  polis = await spawnPolis({ dataDir: join(work, 'data'), env: { POLIS_DEMO: '1' }, startTimeoutMs: 180_000 });
}, 240_000);

afterAll(async () => {
  await polis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const bash = (script: string) =>
  execFileSync('bash', ['-c', script], { cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** The step's words as bash splits and expands them (a trailing comment dropped). */
function words(command: string): string[] {
  const out = bash(`printf '%s\\0' ${command.replaceAll(TOUR_URL, polis.url)}`);
  return out.split('\0').slice(0, -1);
}

async function run(step: Step, args: string[], stdin: string, check?: Check) {
  let stdout = '';
  let stderr = '';
  const stop = new AbortController();
  const limit = setTimeout(() => stop.abort(), STEP_LIMIT_MS);
  const code = await runCli(args, {
    stdout: {
      write: (s: string) => {
        stdout += s;
        if (check?.watchUntil && check.shows.test(stdout)) stop.abort();
      },
    },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(stdin === '' ? [] : [stdin]),
    env: { HOME: work, POLIS_CONFIG: join(work, 'polis-config.json') },
    cwd: work,
    signal: stop.signal,
  }).finally(() => clearTimeout(limit));
  const timedOut = stop.signal.aborted && !(check?.watchUntil && check.shows.test(stdout));
  if (timedOut) throw new Error(`tour step \`${step.line}\` did not end within ${STEP_LIMIT_MS} ms:\n${stdout}`);
  return { code, output: `${stdout}${stderr}` };
}

describe("README's five-minute tour", () => {
  it('parses the tour into steps it can run', () => {
    const steps = tourSteps(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(steps.length).toBeGreaterThan(20);
    // The token never on the command line: every demo login pipes it in.
    for (const s of steps.filter((s) => /^login /.test(s.command)))
      expect(s.command, s.line).toMatch(/--token-(stdin|file)/);
  });

  it(
    'runs every command in order, each showing what the README says it shows',
    async () => {
      const steps = tourSteps(readFileSync(join(ROOT, 'README.md'), 'utf8'));
      const seen = new Map<string, number>();
      const used = new Set<string>();
      let user = '<nobody>';
      for (const step of steps) {
        const args = words(step.command);
        const plain = args.join(' ').replaceAll(polis.url, TOUR_URL);
        const n = (seen.get(`${user}: ${plain}`) ?? 0) + 1;
        seen.set(`${user}: ${plain}`, n);
        const key = `${user}: ${plain} #${n}`;
        const check = CHECKS[key];
        if (args.includes('-w') && args[0] === 'get' && !check?.watchUntil)
          throw new Error(`tour step \`${step.line}\` watches forever: say in CHECKS (${key}) what ends it`);
        const stdin = step.producer ? bash(step.producer) : '';

        const end = Date.now() + EVENTUALLY_LIMIT_MS;
        let result = await run(step, args, stdin, check);
        while (check?.eventually && result.code === 0 && !check.shows.test(result.output) && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 1000));
          result = await run(step, args, stdin, check);
        }
        const context = `tour step \`${step.line}\` as ${user} (${key}):\n${result.output}`;
        expect(result.code, context).toBe(step.exitCode);
        if (step.exitCode !== 0) expect(check, `${context}\na refused step needs a CHECKS entry`).toBeDefined();
        if (check) {
          used.add(key);
          expect(result.output, context).toMatch(check.shows);
        }
        if (args[0] === 'login') user = /logged in to \S+ as (\S+)/.exec(result.output)?.[1] ?? '<unknown>';
      }
      // A check the README no longer reaches is a tour that changed: update CHECKS with it.
      expect(Object.keys(CHECKS).filter((k) => !used.has(k))).toEqual([]);
    },
    // About thirty steps, two rollouts and a burst that takes a minute or two of simulated traffic.
    20 * 60_000,
  );
});
