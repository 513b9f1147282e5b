import { readZip, writeZip } from './zip.ts';

/**
 * A minimal Office Open XML workbook (what Excel, WPS and LibreOffice open): one sheet per table, text as inline
 * strings (never formulas, so a cell reading `=…` stays text), numbers as numbers, a bold header row and frozen
 * panes. And the reader for what it writes (also shared strings, in case a reviewer saved it again).
 */
export interface Sheet {
  readonly name: string;
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** Column widths in characters, by column. */
  readonly widths?: readonly number[];
}

/** The longest text a spreadsheet cell holds (Excel's limit). */
export const MAX_CELL_TEXT = 32_767;

export function writeXlsx(sheets: readonly Sheet[]): Buffer {
  const file = (name: string, text: string) => ({ name, data: Buffer.from(text, 'utf8') });
  const decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const ns = 'http://schemas.openxmlformats.org';
  return writeZip([
    file(
      '[Content_Types].xml',
      `${decl}<Types xmlns="${ns}/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        sheets
          .map(
            (_, i) =>
              `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        '</Types>',
    ),
    file(
      '_rels/.rels',
      `${decl}<Relationships xmlns="${ns}/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
        '</Relationships>',
    ),
    file(
      'xl/workbook.xml',
      `${decl}<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets>` +
        sheets.map((s, i) => `<sheet name="${xmlText(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets></workbook>',
    ),
    file(
      'xl/_rels/workbook.xml.rels',
      `${decl}<Relationships xmlns="${ns}/package/2006/relationships">` +
        sheets
          .map(
            (_, i) =>
              `<Relationship Id="rId${i + 1}" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
          )
          .join('') +
        `<Relationship Id="rId${sheets.length + 1}" Type="${ns}/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
        '</Relationships>',
    ),
    file(
      'xl/styles.xml',
      `${decl}<styleSheet xmlns="${ns}/spreadsheetml/2006/main">` +
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
        '</styleSheet>',
    ),
    ...sheets.map((s, i) => file(`xl/worksheets/sheet${i + 1}.xml`, sheetXml(s, ns, decl))),
  ]);
}

function sheetXml(s: Sheet, ns: string, decl: string): string {
  const cols = s.widths?.length
    ? `<cols>${s.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols>`
    : '';
  const rows = s.rows.map((row, r) => {
    const style = r === 0 ? ' s="1"' : '';
    const cells = row.map((v, c) => {
      const ref = `${columnName(c)}${r + 1}`;
      if (typeof v === 'number') return `<c r="${ref}"${style}><v>${v}</v></c>`;
      return `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${xmlText(escapeControl(v))}</t></is></c>`;
    });
    return `<row r="${r + 1}">${cells.join('')}</row>`;
  });
  return (
    `${decl}<worksheet xmlns="${ns}/spreadsheetml/2006/main">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    `${cols}<sheetData>${rows.join('')}</sheetData></worksheet>`
  );
}

/** Sheets by name, each as rows of cell texts (numbers as their text), gaps filled with ''. */
export function readXlsx(buf: Buffer): Map<string, string[][]> {
  const files = readZip(buf);
  const text = (name: string): string => {
    const f = files.get(name);
    if (!f) throw new Error(`not a workbook: ${name} is missing`);
    return f.toString('utf8');
  };
  const shared = files.has('xl/sharedStrings.xml')
    ? [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => runText(m[1]!))
    : [];
  const rels = new Map(
    [...text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship\b[^>]*>/g)].map((m) => [
      attr(m[0], 'Id'),
      attr(m[0], 'Target'),
    ]),
  );
  const out = new Map<string, string[][]>();
  for (const m of text('xl/workbook.xml').matchAll(/<sheet\b[^>]*>/g)) {
    const target = rels.get(attr(m[0], 'r:id'));
    if (!target) continue;
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    const rows: string[][] = [];
    for (const row of text(path).matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
      const cells: string[] = [];
      for (const c of row[1]!.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const attrs = c[1]!;
        const body = c[2] ?? '';
        const col = columnIndex(/\br="([A-Z]+)\d+"/.exec(attrs)?.[1] ?? columnName(cells.length));
        const type = /\bt="([^"]+)"/.exec(attrs)?.[1];
        const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
        const value =
          type === 'inlineStr'
            ? runText(body)
            : type === 's'
              ? (shared[Number(v)] ?? '')
              : v === undefined
                ? ''
                : unescapeXml(v);
        while (cells.length < col) cells.push('');
        cells[col] = value;
      }
      rows.push(cells);
    }
    out.set(unescapeXml(attr(m[0], 'name')), rows);
  }
  return out;
}

function runText(xml: string): string {
  return unescapeControl(
    [...xml.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>|<t\b[^>]*\/>/g)].map((m) => unescapeXml(m[1] ?? '')).join(''),
  );
}

function attr(tag: string, name: string): string {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
}

function columnName(i: number): string {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function columnIndex(name: string): number {
  let n = 0;
  for (const ch of name) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g,
    (_, name: string, dec?: string, hex?: string) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
      return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name as 'lt'];
    },
  );
}

/**
 * XML 1.0 cannot carry most control characters: OOXML writes them as `_xHHHH_` (ST_Xstring), and a literal `_xHHHH_`
 * in the text as `_x005F_xHHHH_`, so the text reads back exactly.
 */
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 cannot carry are exactly what this must find
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function escapeControl(s: string): string {
  return s.replace(/_x[0-9A-Fa-f]{4}_/g, (m) => `_x005F${m}`).replace(NOT_XML, (c) => `_x${hex4(c)}_`);
}

function unescapeControl(s: string): string {
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function hex4(c: string): string {
  return c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}
