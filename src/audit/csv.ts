/**
 * CSV as RFC 4180 writes it (every field quoted, CRLF), with a UTF-8 byte order mark so spreadsheet programs read
 * Chinese text correctly, and `# ` comment lines before the header for what is not a row (the chain head).
 *
 * A field that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is written
 * with a leading apostrophe, and so is one that starts with an apostrophe; `parseCsv` removes exactly one, so every
 * field reads back as it was recorded and verifies.
 */
export function writeCsv(comments: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const lines = comments.map((c) => `# ${c.replace(/[\r\n]+/g, ' ')}`);
  for (const row of rows) lines.push(row.map((v) => quote(typeof v === 'number' ? String(v) : guard(v))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export interface ParsedCsv {
  readonly comments: string[];
  readonly rows: string[][];
}

export function parseCsv(text: string): ParsedCsv {
  let s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const comments: string[] = [];
  while (s.startsWith('#')) {
    const end = s.indexOf('\n');
    const line = (end < 0 ? s : s.slice(0, end)).replace(/\r$/, '');
    comments.push(line.replace(/^# ?/, ''));
    s = end < 0 ? '' : s.slice(end + 1);
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(unguard(field));
    field = '';
  };
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      endField();
      rows.push(row);
      row = [];
      if (ch === '\r' && s[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (quoted) throw new Error('the CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return { comments, rows };
}

function quote(v: string): string {
  return `"${v.replace(/"/g, '""')}"`;
}

function guard(v: string): string {
  return /^[=+\-@\t\r']/.test(v) ? `'${v}` : v;
}

function unguard(v: string): string {
  return v.startsWith("'") ? v.slice(1) : v;
}
