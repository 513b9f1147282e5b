/** Numbers as people read them on the console, in the user's language (pure; Intl does the grouping). */

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const MiB = 1024 ** 2;

// Intl formatters are costly to build (locale data lookup) and cheap to reuse: a table of 500 rows built one per cell
// and spent a tenth of the first render doing it (issue 13, bench/console BENCH_PROFILE=1). One per locale and options.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/** The Intl.NumberFormat for a locale and options, built once and kept. */
export function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
};

export function formatNumber(n: number, locale: string, maxFractionDigits = 1): string {
  return numberFormat(locale, { maximumFractionDigits: maxFractionDigits }).format(n);
}

/** Cores, from cores (`6.5`) or millicores (`formatCores(6500 / 1000)`). */
export function formatCores(cores: number, locale: string): string {
  return formatNumber(cores, locale, cores < 10 ? 2 : 1);
}

export function formatBytes(bytes: number, locale: string): string {
  if (bytes >= TiB) return `${formatNumber(bytes / TiB, locale, 1)} TiB`;
  if (bytes >= GiB) return `${formatNumber(bytes / GiB, locale, 1)} GiB`;
  if (bytes >= MiB) return `${formatNumber(bytes / MiB, locale, 0)} MiB`;
  return `${formatNumber(bytes, locale, 0)} B`;
}

export function formatPercent(ratio: number, locale: string): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: ratio < 0.1 ? 1 : 0 }).format(
    Number.isFinite(ratio) ? ratio : 0,
  );
}

export function formatYuan(yuan: number, locale: string): string {
  return numberFormat(locale, {
    style: 'currency',
    currency: 'CNY',
    currencyDisplay: 'narrowSymbol',
    maximumFractionDigits: 2,
  }).format(yuan);
}

/** used / total as a 0–100 percentage for progress bars, 0 when there is no total. */
export function percentOf(used: number, total: number | undefined): number {
  if (!total || total <= 0) return 0;
  return Math.min(100, Math.round((used / total) * 1000) / 10);
}

export function formatDateTime(iso: string | number | undefined, locale: string): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  let f = dateFormats.get(locale);
  if (!f) dateFormats.set(locale, (f = new Intl.DateTimeFormat(locale, DATE_TIME)));
  return f.format(d);
}

/** "3 秒前" / "3 seconds ago", from an ISO time and now (ms). */
export function formatRelative(iso: string | undefined, now: number, locale: string): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  let seconds = Math.round((t - now) / 1000);
  // A server clock a little ahead of the browser's is not "in 2 seconds": it is now.
  if (seconds > 0 && seconds < 60) seconds = 0;
  let rtf = relativeFormats.get(locale);
  if (!rtf) relativeFormats.set(locale, (rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })));
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P|k)?$/;
const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 1024,
  Mi: MiB,
  Gi: GiB,
  Ti: TiB,
  Pi: 1024 ** 5,
};

/** A Kubernetes CPU quantity (`500m`, `2`) in cores, or undefined when it is not one. */
export function parseCpu(q: string | number | undefined): number | undefined {
  if (typeof q === 'number') return q;
  const m = q === undefined ? null : CPU.exec(q.trim());
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
}

/** A Kubernetes memory quantity (`512Mi`, `4Gi`, `1G`) in bytes, or undefined when it is not one. */
export function parseMemory(q: string | number | undefined): number | undefined {
  if (typeof q === 'number') return q;
  const m = q === undefined ? null : MEMORY.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * (MEMORY_UNITS[m[2] ?? ''] ?? 1);
}
