import type { ErrorCause } from '../../kernel/errors.ts';
import { codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import { quantityProblem, parseBytes, parseCpu } from '../../kernel/quantity.ts';

/** One VM's utilization at one instant, as the consolidation CSV gives it. */
export interface UtilizationRow {
  readonly vm: string;
  /** Epoch ms. */
  readonly at: number;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** The VM's size: what its owner reserved. */
  readonly sizeCores: number;
  readonly sizeMemoryBytes: number;
}

/** The columns, in this order, with a header line naming them. */
export const UTILIZATION_COLUMNS = ['vm', 'timestamp', 'cpu_used', 'memory_used', 'vm_cpu', 'vm_memory'] as const;

/** The most rows one plan reads (a day of 5-minute samples of 10,000 VMs). */
export const MAX_UTILIZATION_ROWS = 2_880_000;

const HEADER = UTILIZATION_COLUMNS.join(',');

const PLAIN = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Cores from a plain number (any precision) or a CPU quantity; NaN when neither. */
function cores(v: string): number {
  if (PLAIN.test(v)) return Number(v);
  return quantityProblem('cpu', v) === undefined ? parseCpu(v) / 1000 : NaN;
}

/** Bytes from a plain number or a byte quantity; NaN when neither. */
function bytes(v: string): number {
  if (PLAIN.test(v)) return Number(v);
  return quantityProblem('bytes', v) === undefined ? parseBytes(v) : NaN;
}

function timestamp(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000; // unix seconds
  return Date.parse(v); // ISO 8601
}

/**
 * Reads a VM utilization CSV: a header `vm,timestamp,cpu_used,memory_used,vm_cpu,vm_memory`, then one row per VM
 * and instant. timestamp: unix seconds or ISO 8601; cpu_used and vm_cpu: cores or a CPU quantity (`1.5`, `500m`);
 * memory_used and vm_memory: bytes or a byte quantity (`2Gi`, `512Mi`). Every bad line is reported with its number
 * and column; nothing is returned from a file with errors.
 */
export function parseUtilizationCsv(
  text: string,
): { ok: true; rows: UtilizationRow[] } | { ok: false; errors: ErrorCause[] } {
  const lines = text.split(/\r?\n/);
  const errors: ErrorCause[] = [];
  const head = (lines[0] ?? '').trim().toLowerCase().replace(/\s+/g, '');
  if (head !== HEADER) {
    return { ok: false, errors: [codedCause('line 1', msg('ConsolidationCsvHeader', { expected: HEADER }))] };
  }
  const rows: UtilizationRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (rows.length >= MAX_UTILIZATION_ROWS) {
      errors.push(codedCause(`line ${i + 1}`, msg('ConsolidationCsvTooLong', { max: MAX_UTILIZATION_ROWS })));
      break;
    }
    const cells = line.split(',').map((c) => c.trim());
    const where = `line ${i + 1}`;
    if (cells.length !== UTILIZATION_COLUMNS.length) {
      errors.push(codedCause(where, msg('ConsolidationCsvColumns', { found: cells.length, expected: HEADER })));
      continue;
    }
    const [vm, ts, cpu, mem, vmCpu, vmMem] = cells as [string, string, string, string, string, string];
    let ok = true;
    const bad = (column: string, accepted: string) => {
      ok = false;
      errors.push(
        codedCause(
          `${where}, ${column}`,
          msg('ConsolidationCsvValue', {
            column,
            value: cells[UTILIZATION_COLUMNS.indexOf(column as never)]!,
            accepted,
          }),
        ),
      );
    };
    const at = timestamp(ts);
    if (vm === '') bad('vm', 'a VM name');
    if (!Number.isFinite(at)) bad('timestamp', 'unix seconds or ISO 8601');
    const values = { cpu_used: cores(cpu), vm_cpu: cores(vmCpu), memory_used: bytes(mem), vm_memory: bytes(vmMem) };
    for (const [column, value] of Object.entries(values)) {
      if (Number.isFinite(value)) continue;
      bad(
        column,
        column.endsWith('cpu') || column === 'cpu_used'
          ? 'cores or a CPU quantity (1.5, 500m)'
          : 'bytes or a quantity (2Gi, 512Mi)',
      );
    }
    if (values.vm_cpu === 0) bad('vm_cpu', 'more than 0');
    if (values.vm_memory === 0) bad('vm_memory', 'more than 0');
    if (!ok) continue;
    const row: UtilizationRow = {
      vm,
      at,
      cpuCores: values.cpu_used,
      memoryBytes: values.memory_used,
      sizeCores: values.vm_cpu,
      sizeMemoryBytes: values.vm_memory,
    };
    rows.push(row);
  }
  if (rows.length === 0 && errors.length === 0) errors.push(codedCause('line 2', msg('ConsolidationCsvEmpty')));
  return errors.length > 0 ? { ok: false, errors: errors.slice(0, 50) } : { ok: true, rows };
}
