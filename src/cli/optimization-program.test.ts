import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** `polis consolidate` runs here, without a server (the estate is not on polis); the others check arguments first. */
async function polis(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(['']),
    env: { POLIS_CONFIG: '/nonexistent/polis.json', POLIS_SERVER: 'http://127.0.0.1:9', POLIS_TOKEN: 't' },
    cwd,
  });
  return { code, stdout, stderr };
}

describe('polis consolidate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-consolidate-'));
  const lines = ['vm,timestamp,cpu_used,memory_used,vm_cpu,vm_memory'];
  // Eight VMs of 2 cores, each busy 1.5 cores at its own 5 instants of 100, idle at 0.05 otherwise.
  for (let v = 0; v < 8; v++)
    for (let k = 0; k < 100; k++)
      lines.push(`vm-${v},${1_700_000_000 + k * 300},${Math.floor(k / 5) === v ? 1.5 : 0.05},0,2,1Gi`);
  writeFileSync(join(dir, 'estate.csv'), lines.join('\n'));
  writeFileSync(join(dir, 'bad.csv'), 'vm,timestamp,cpu_used,memory_used,vm_cpu,vm_memory\nvm-1,now,1,0,2,1Gi\n');

  it('prints the nodes needed against dedicated sizing and the sum of peaks', async () => {
    const r = await polis(['consolidate', 'estate.csv', '--node-cores', '4', '--node-memory', '64Gi'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dedicated (sum of VM sizes)\t4\t16.0');
    expect(r.stdout).toContain('sum of per-VM peaks\t3\t12.0');
    expect(r.stdout).toMatch(/polis \(vpa requests, polis placement\)\t1\t/);
    expect(r.stdout).toContain('4.00x fewer nodes than dedicated sizing');
  });

  it('names the line and the column of a bad value, and refuses bad node sizes', async () => {
    const bad = await polis(['consolidate', 'bad.csv', '--node-cores', '4', '--node-memory', '64Gi'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('bad.csv: line 2, timestamp: timestamp "now" is not valid');
    const cores = await polis(['consolidate', 'estate.csv', '--node-cores', 'many', '--node-memory', '64Gi'], dir);
    expect(cores.stderr).toContain('--node-cores "many" is not a number of cores');
  });
});
