/**
 * bench/demarcation-replay: the verdicts of bench/demarcation replayed on the inputs a run recorded
 * (`DEMARC_RECORD=file.jsonl node bench/demarcation.ts …`), with the demarcation code as it is now. The incidents
 * themselves (which symptoms, when) come from the recorded run; only `demarcate()` runs again, so a change to the
 * method is measured in seconds instead of a full simulation. The figures to publish come from the full bench.
 *
 *   node bench/demarcation-replay.ts file.jsonl [file2.jsonl …]     (DEMARC_VERBOSE=1 prints every miss)
 */
import { readFileSync } from 'node:fs';
import { demarcate, type DemarcationInput, type DemarcationOptions } from '../src/observe/demarcation/index.ts';
import type { Figure } from './support/results.ts';
import { figure, printFigures, round, writeResult } from './support/results.ts';

interface Recorded {
  i: number;
  kind: string;
  truth: { verdict: string; culprit: string };
  first?: DemarcationInput;
  final?: DemarcationInput;
  options?: DemarcationOptions;
}

const VERBOSE = process.env.DEMARC_VERBOSE === '1';
const figures: Figure[] = [];
const files = process.argv.slice(2);
for (const file of files) {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Recorded);
  const out = rows.map((r) => {
    const judge = (input: DemarcationInput | undefined) => {
      if (!input) return { verdict: 'none', rank: 0, top: [] as string[] };
      const res = demarcate(input, r.options ?? {});
      return {
        verdict: res.verdict.kind,
        rank: res.candidates.findIndex((c) => c.subject.name === r.truth.culprit) + 1,
        top: res.candidates.slice(0, 3).map((c) => `${c.subject.name} ${round(c.score, 2)}`),
      };
    };
    return { r, first: judge(r.first), final: judge(r.final) };
  });
  const pct = (f: (o: (typeof out)[number]) => boolean, xs = out) =>
    round((100 * xs.filter(f).length) / Math.max(1, xs.length), 1);
  console.log(`\n${file}: ${out.length} faults`);
  console.log(
    `  verdict first ${pct((o) => o.first.verdict === o.r.truth.verdict)}%, final ${pct((o) => o.final.verdict === o.r.truth.verdict)}%; ` +
      `top-1 ${pct((o) => o.final.rank === 1)}%, top-3 ${pct((o) => o.final.rank >= 1 && o.final.rank <= 3)}%, ` +
      `top-1 first ${pct((o) => o.first.rank === 1)}%`,
  );
  const name = file.split('/').at(-1);
  const verdictPct = pct((o) => o.final.verdict === o.r.truth.verdict);
  figures.push(
    figure({
      metric: `verdict accuracy (final), ${name}`,
      value: verdictPct,
      unit: '%',
      goal: '>= 95',
      baseline: `${out.length} faults; first verdict ${pct((o) => o.first.verdict === o.r.truth.verdict)}%`,
    }),
    figure({ metric: `root cause top-1, ${name}`, value: pct((o) => o.final.rank === 1), unit: '%', goal: '>= 90' }),
    figure({
      metric: `root cause top-3, ${name}`,
      value: pct((o) => o.final.rank >= 1 && o.final.rank <= 3),
      unit: '%',
      goal: '>= 98',
    }),
  );
  for (const kind of [...new Set(out.map((o) => o.r.kind))]) {
    const xs = out.filter((o) => o.r.kind === kind);
    const row = new Map<string, number>();
    for (const o of xs) {
      const k = `${o.final.verdict}${o.final.rank === 1 ? '' : ` (rank ${o.final.rank})`}`;
      row.set(k, (row.get(k) ?? 0) + 1);
    }
    console.log(
      `  ${kind.padEnd(18)} verdict ${pct((o) => o.final.verdict === o.r.truth.verdict, xs)}% top-1 ${pct((o) => o.final.rank === 1, xs)}% ` +
        `top-3 ${pct((o) => o.final.rank >= 1 && o.final.rank <= 3, xs)}%  | ${[...row].map(([v, n]) => `${v} ${n}`).join(', ')}`,
    );
  }
  if (VERBOSE)
    for (const o of out)
      if (o.final.verdict !== o.r.truth.verdict || o.final.rank !== 1 || o.first.verdict !== o.r.truth.verdict)
        console.log(
          `  ${o.r.i} ${o.r.kind} truth ${o.r.truth.verdict} ${o.r.truth.culprit}: got ${o.first.verdict}/${o.final.verdict} rank ${o.first.rank}/${o.final.rank} top ${o.final.top.join(', ')}`,
        );
}

if (files.length > 0) {
  printFigures('demarcation replayed on recorded incidents', figures);
  await writeResult({
    benchmark: 'demarcation-replay',
    command: `node bench/demarcation-replay.ts ${files.join(' ')}`,
    figures,
    parameters: {
      recordedBy: 'DEMARC_RECORD=FILE node bench/demarcation.ts 330 SEED (one file per seed)',
      note: 'the incidents (symptoms, grouping, timing) come from the recorded runs; only demarcate() runs again with the current code',
    },
  });
}
