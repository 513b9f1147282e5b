import { writeCsv } from '../../audit/csv.ts';
import { writeXlsx } from '../../audit/xlsx.ts';
import type { Bill } from './bill.ts';

const HEADER = ['department', 'month', 'application', 'cluster', 'vendor', 'item', 'yuan'];

/** Yuan as a number with two decimals (fen / 100), what a finance office's spreadsheet sums. */
const yuan = (fen: number) => Math.round(fen) / 100;

function rows(bill: Bill): (string | number)[][] {
  return [
    HEADER,
    ...bill.lines.map((l) => [bill.tenant, bill.month, l.app, l.cluster, l.vendor, l.item, yuan(l.fen)]),
    [bill.tenant, bill.month, '', '', '', 'total', yuan(bill.totalFen)],
  ];
}

/** The bill as CSV (the audit export's writer: quoted, BOM, formula-safe), one line per application/cluster/item. */
export function billCsv(bill: Bill): string {
  return writeCsv(
    [`polis bill ${bill.tenant} ${bill.month}: ${bill.closedDays} of ${bill.daysInMonth} days closed`],
    rows(bill),
  );
}

/** The bill as an XLSX workbook (the audit export's writer): the lines, and totals by application, cluster, vendor, item. */
export function billXlsx(bill: Bill): Buffer {
  const totals = (title: string, by: Readonly<Record<string, number>>) =>
    [...Object.entries(by)].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [title, k, yuan(v)]);
  return writeXlsx([
    { name: 'lines', rows: rows(bill), widths: [12, 9, 24, 16, 14, 18, 12] },
    {
      name: 'totals',
      rows: [
        ['by', 'name', 'yuan'],
        ...totals('application', bill.byApplication),
        ...totals('cluster', bill.byCluster),
        ...totals('vendor', bill.byVendor),
        ...totals('item', bill.byItem),
        ['total', '', yuan(bill.totalFen)],
        ['forecast', '', yuan(bill.forecastFen)],
      ],
      widths: [14, 24, 12],
    },
  ]);
}
