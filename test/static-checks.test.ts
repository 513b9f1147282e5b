import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs a project check as a test, so that CI's count includes it; shows its output when it fails. */
function check(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}`.trim() };
}

describe('static checks', () => {
  it('the TypeScript compiler finds no error in strict mode', { timeout: 240_000 }, () => {
    const r = check('npx', ['tsc', '--noEmit', '-p', '.']);
    expect(r.output.split('\n').filter((l) => l.includes('error TS'))).toEqual([]);
    expect(r.code).toBe(0);
  });
  it('the console (web/, its own tsconfig: DOM and JSX) type-checks in strict mode', { timeout: 240_000 }, () => {
    const r = check('npx', ['tsc', '--noEmit', '-p', 'web']);
    expect(r.output.split('\n').filter((l) => l.includes('error TS'))).toEqual([]);
    expect(r.code).toBe(0);
  });
  it('eslint finds no problem', { timeout: 240_000 }, () => {
    const r = check('npx', ['eslint', '.', '--max-warnings', '0']);
    expect(r.code, r.output).toBe(0);
  });
  it('every source file is formatted by prettier', { timeout: 120_000 }, () => {
    const r = check('npx', ['prettier', '--check', '.']);
    expect(r.code, r.output).toBe(0);
  });
});
