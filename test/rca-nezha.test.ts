import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../bench/rca-nezha.ts';
import { loadNezhaDay, NEZHA_DIR } from '../bench/support/nezha.ts';
import { DEFAULT_OPTIONS } from '../src/observe/demarcation/index.ts';
import { skipTitle } from './support/skip.ts';

// Real labelled faults (../shared/data/nezha); a checkout without the shared data skips this test and says so.
const HAVE_DATA = existsSync(NEZHA_DIR);
if (!HAVE_DATA) console.warn(`${NEZHA_DIR} not found: the Nezha ranking test is SKIPPED`);

describe.skipIf(!HAVE_DATA)(
  skipTitle('root-cause ranking on Nezha data', !HAVE_DATA && `${NEZHA_DIR} not found`),
  () => {
    it('puts the injected service in the top 3 more often than the baseline does (one Online Boutique day)', () => {
      const day = loadNezhaDay('online-boutique', '2022-08-22');
      const outcomes = evaluate([day], DEFAULT_OPTIONS);
      expect(outcomes).toHaveLength(24);
      const top3 = outcomes.filter((o) => o.rank >= 1 && o.rank <= 3).length;
      const baselineTop3 = outcomes.filter((o) => o.baselineRank >= 1 && o.baselineRank <= 3).length;
      const top1 = outcomes.filter((o) => o.rank === 1).length;
      const baselineTop1 = outcomes.filter((o) => o.baselineRank === 1).length;
      expect(top3).toBeGreaterThan(baselineTop3);
      expect(top1).toBeGreaterThan(baselineTop1);
    });
  },
);
