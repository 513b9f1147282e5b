import type { SharingStatus } from '../delivery/app-status.ts';
import type { DepartmentSharing } from '../tenancy/usage.ts';
import { section } from './app-describe.ts';
import { formatTable } from './printers.ts';

const GI = 1024 ** 3;
const cores = (n: number | undefined) => (n === undefined ? 'unlimited' : `${n} cores`);
const bytes = (n: number | undefined) =>
  n === undefined ? 'unlimited' : n === 0 ? '0' : `${Math.round((n / GI) * 10) / 10}Gi`;

const LEVEL: Record<DepartmentSharing['level'], string> = {
  ok: '',
  near: ' (near its guarantee)',
  over: ' (OVER its guarantee: borrowing)',
};

/** `polis describe tenant`: the department's share of the private cloud, from its usage report. */
export function tenantShareSection(s: DepartmentSharing): string {
  const pair = (c: number | undefined, m: number | undefined) => `${cores(c)}, ${bytes(m)}`;
  const reasons = Object.entries(s.heldBack.byReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const rows = [
    ['Of guarantee', s.percent === undefined ? 'no guarantee' : `${s.percent}%${LEVEL[s.level]}`],
    ['Guarantee', pair(s.guarantee.cpu, s.guarantee.memory)],
    ['Borrowing limit', pair(s.borrowingLimit.cpu, s.borrowingLimit.memory)],
    ['Private placed', pair(s.privatePlaced.cpu, s.privatePlaced.memory)],
    ['Borrowed', pair(s.borrowed.cpu, s.borrowed.memory)],
    ['Held back', `${s.heldBack.replicas} replicas${reasons ? ` (${reasons})` : ''}`],
  ];
  return section('Private Share', rows.map(([k, v]) => `${`${k}:`.padEnd(17)}${v}`).join('\n'));
}

/** `polis describe app`: status.sharing, per component replicas guaranteed, borrowed and held back with the reason. */
export function appSharingSection(s: SharingStatus | undefined): string {
  if (!s) return '';
  const rows = Object.entries(s.components)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, c]) => [name, String(c.guaranteed), String(c.borrowed), String(c.limited ?? 0), c.reason ?? '']);
  return section(
    `Sharing (priority ${s.priority})`,
    formatTable(['COMPONENT', 'GUARANTEED', 'BORROWED', 'HELD BACK', 'REASON'], rows),
  );
}
