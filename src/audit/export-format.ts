import type { AuditAnchor, AuditEntry } from '../resources/audit-log.ts';
import { canonicalJson } from '../resources/audit-log.ts';
import { parseCsv, writeCsv } from './csv.ts';
import type { ActorNames } from './summary.ts';
import { summarize } from './summary.ts';
import type { AuditLang } from './summary-templates.ts';
import { renderSummary } from './summary-templates.ts';
import { MAX_CELL_TEXT, readXlsx, writeXlsx } from './xlsx.ts';

/**
 * The export of audit entries (CSV or XLSX): one row per entry with every hashed field, its link (prevHash, hash)
 * and a readable summary, plus the chain head and anchor at export time, so a reviewer can check each row against
 * its hash and the head against the live chain (`polis audit verify FILE`, verify-export.ts).
 */
export const EXPORT_FORMAT = 'polis-audit-export/v1';

/** Columns, in order: the hashed fields are exactly those audit-log.ts auditHash covers. */
export const EXPORT_COLUMNS = [
  'seq',
  'time',
  'actor',
  'actorName',
  'tenant',
  'verb',
  'kind',
  'name',
  'outcome',
  'code',
  'summary',
  'message',
  'requestId',
  'apiVersion',
  'changes',
  'prevHash',
  'hash',
] as const;
type Column = (typeof EXPORT_COLUMNS)[number];

const ZH_HEADERS: Record<Column, string> = {
  seq: '序号',
  time: '时间',
  actor: '操作人',
  actorName: '姓名',
  tenant: '部门',
  verb: '操作',
  kind: '对象类型',
  name: '对象',
  outcome: '结果',
  code: 'HTTP 状态',
  summary: '摘要',
  message: '说明',
  requestId: '请求',
  apiVersion: 'API 版本',
  changes: '变更',
  prevHash: '前一哈希',
  hash: '哈希',
};

export interface ExportMeta {
  readonly head: AuditAnchor;
  readonly anchor: AuditAnchor;
  readonly exportedAt: string;
  readonly exportedBy: string;
  /** The filters as a query string ('' for none). */
  readonly filters: string;
  readonly entries: number;
}

/** What a cell shows for `changes` too long for a spreadsheet cell (XLSX only; CSV has no limit). */
const TOO_LONG = /^\(changes of (\d+) characters: too long for a cell; see the CSV export\)$/;

function rowsOf(entries: readonly AuditEntry[], names: ActorNames, lang: AuditLang, cellLimit: number) {
  const header = EXPORT_COLUMNS.map((c) => (lang === 'zh-CN' ? `${ZH_HEADERS[c]} (${c})` : c));
  const rows = entries.map((e) => {
    const changes = canonicalJson(e.changes);
    const cells: Record<Column, string | number> = {
      seq: e.seq,
      time: e.time,
      actor: e.actor,
      actorName: names.get(e.actor) ?? '',
      tenant: e.tenant,
      verb: e.verb,
      kind: e.kind,
      name: e.name,
      outcome: e.outcome,
      code: e.code,
      summary: renderSummary(summarize(e, names), lang),
      message: e.message,
      requestId: e.requestId,
      apiVersion: e.apiVersion,
      changes:
        changes.length > cellLimit
          ? `(changes of ${changes.length} characters: too long for a cell; see the CSV export)`
          : changes,
      prevHash: e.prevHash,
      hash: e.hash,
    };
    return EXPORT_COLUMNS.map((c) => cells[c]);
  });
  return [header, ...rows];
}

function metaLines(meta: ExportMeta): Array<[string, string | number]> {
  return [
    ['format', EXPORT_FORMAT],
    ['chainHeadSeq', meta.head.seq],
    ['chainHeadHash', meta.head.hash],
    ['anchorSeq', meta.anchor.seq],
    ['anchorHash', meta.anchor.hash],
    ['exportedAt', meta.exportedAt],
    ['exportedBy', meta.exportedBy],
    ['filters', meta.filters],
    ['entries', meta.entries],
  ];
}

export function exportCsv(
  entries: readonly AuditEntry[],
  meta: ExportMeta,
  names: ActorNames,
  lang: AuditLang,
): string {
  return writeCsv(
    metaLines(meta).map(([k, v]) => `${k}=${v}`),
    rowsOf(entries, names, lang, Number.POSITIVE_INFINITY),
  );
}

export function exportXlsx(
  entries: readonly AuditEntry[],
  meta: ExportMeta,
  names: ActorNames,
  lang: AuditLang,
): Buffer {
  return writeXlsx([
    {
      name: lang === 'zh-CN' ? '审计日志' : 'audit',
      rows: rowsOf(entries, names, lang, MAX_CELL_TEXT),
      widths: [8, 24, 16, 10, 10, 12, 14, 28, 10, 8, 60, 40, 20, 20, 40, 66, 66],
    },
    { name: 'chain', rows: [['key', 'value'], ...metaLines(meta)], widths: [16, 70] },
  ]);
}

/** An export read back: its metadata and its entries as they were recorded (summary and display name dropped). */
export interface ParsedExport {
  readonly meta: Partial<Record<string, string>>;
  readonly entries: ReadonlyArray<AuditEntry & { readonly changesOmitted?: boolean }>;
}

/** Reads a CSV or XLSX export (told apart by the ZIP signature). */
export function parseExport(data: Buffer): ParsedExport {
  if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50) {
    const sheets = readXlsx(data);
    const [entriesSheet, chainSheet] = [...sheets.values()];
    const chain = sheets.get('chain') ?? chainSheet ?? [];
    const meta = Object.fromEntries(chain.slice(1).map((r) => [r[0] ?? '', r[1] ?? '']));
    return { meta, entries: entriesOf(entriesSheet ?? []) };
  }
  const { comments, rows } = parseCsv(data.toString('utf8'));
  const meta = Object.fromEntries(
    comments.flatMap((c) => {
      const i = c.indexOf('=');
      return i > 0 ? [[c.slice(0, i), c.slice(i + 1)]] : [];
    }),
  );
  return { meta, entries: entriesOf(rows) };
}

function entriesOf(rows: readonly string[][]): ParsedExport['entries'] {
  const [header, ...body] = rows;
  if (!header) throw new Error('the export has no header row');
  const keys = header.map((h) => /\(([A-Za-z]+)\)$/.exec(h.trim())?.[1] ?? h.trim());
  const at = (c: Column): number => {
    const i = keys.indexOf(c);
    if (i < 0) throw new Error(`the export has no ${c} column`);
    return i;
  };
  const idx = Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, at(c)])) as Record<Column, number>;
  return body
    .filter((r) => r.some((c) => c !== ''))
    .map((r) => {
      const cell = (c: Column) => r[idx[c]] ?? '';
      const changesText = cell('changes');
      const omitted = TOO_LONG.test(changesText);
      return {
        seq: Number(cell('seq')),
        time: cell('time'),
        actor: cell('actor'),
        verb: cell('verb'),
        apiVersion: cell('apiVersion'),
        kind: cell('kind'),
        tenant: cell('tenant'),
        name: cell('name'),
        outcome: cell('outcome') as AuditEntry['outcome'],
        code: Number(cell('code')),
        message: cell('message'),
        requestId: cell('requestId'),
        changes: omitted ? null : (JSON.parse(changesText || 'null') as unknown),
        prevHash: cell('prevHash'),
        hash: cell('hash'),
        ...(omitted ? { changesOmitted: true } : {}),
      };
    });
}
