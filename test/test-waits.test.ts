// The suite passes on a loaded machine: a wait on a condition has a generous limit (never a library's 1 s default),
// and a test that skips says why in its title. These are checked over the test sources, so a new test that forgets
// either fails here rather than on a busy CI run.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { config } from '../vitest.config.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx)$/.test(f) && !f.includes('node_modules') && !f.startsWith('dist'))
    .map((f) => join(dir, f));
}

const FILES = [...sources('test'), ...sources('src'), ...sources('web/src')].filter(
  (f) => /\.test\.tsx?$/.test(f) || f.startsWith(join('test', 'support')),
);
const SELF = relative(ROOT, fileURLToPath(import.meta.url));

/** The text of each call `name(…)` in `text`, parentheses balanced (strings with parentheses are rare enough here). */
function calls(text: string, name: RegExp): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(name)) {
    let depth = 0;
    const start = m.index + m[0].length - 1;
    for (let i = start; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        found.push(text.slice(m.index, i + 1));
        break;
      }
    }
  }
  return found;
}

describe('waits in tests', () => {
  it('expect.poll has a generous default limit (vitest.config.ts)', () => {
    expect(config.test?.expect?.poll?.timeout).toBeGreaterThanOrEqual(10_000);
  });

  it('every vi.waitFor and testing-library waitFor names its limit', () => {
    const bare: string[] = [];
    for (const file of FILES) {
      if (file === SELF) continue;
      const text = readFileSync(join(ROOT, file), 'utf8');
      // vi.waitFor and @testing-library's waitFor both default to 1 s; the hand-written ones here take a limit.
      const imported = /import \{[^}]*\bwaitFor\b[^}]*\} from '@testing-library/.test(text);
      const pattern = imported ? /\b(?:vi\.)?waitFor\(/g : /\bvi\.waitFor\(/g;
      for (const call of calls(text, pattern))
        if (!/\btimeout\b|\bLIMIT\b/.test(call)) bare.push(`${file}: ${call.slice(0, 100)}`);
    }
    expect(bare).toEqual([]);
  });

  it('Playwright pages wait up to a generous limit (test/support/browser.ts)', () => {
    const text = readFileSync(join(ROOT, 'test', 'support', 'browser.ts'), 'utf8');
    const ms = Number(/setDefaultTimeout\(([\d_]+)\)/.exec(text)?.[1]?.replaceAll('_', ''));
    expect(ms).toBeGreaterThanOrEqual(30_000);
  });
});

describe('skipped tests', () => {
  it('say why: every skipIf title goes through skipTitle (test/support/skip.ts)', () => {
    const silent: string[] = [];
    for (const file of FILES) {
      if (file === SELF) continue;
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/\b(?:describe|it|test)\.skipIf\(/g)) {
        const [condition] = calls(text.slice(m.index), /skipIf\(/g);
        const after = text.slice(m.index + text.slice(m.index).indexOf(condition!) + condition!.length);
        if (!/^\(\s*skipTitle\(/.test(after)) silent.push(`${file}: ${text.slice(m.index, m.index + 90)}`);
      }
    }
    expect(silent).toEqual([]);
  });
});
