import { InputError, codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';

/** A 400 naming the query parameter, its value and what is accepted. */
export function badParam(param: string, value: string, accepted: string): InputError {
  const m = msg('QueryValueInvalid', { param, value, accepted });
  return new InputError(m, [codedCause(`query.${param}`, m)]);
}

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A duration as Prometheus writes it (`15s`, `1h30m`, `7d`) or a number of seconds (`60`, `0.5`), in ms; undefined if neither. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(n) * UNITS[unit!]!;
  return ms;
}

/** An instant as Prometheus accepts it: RFC 3339 or Unix seconds (with a fraction); epoch ms, undefined if neither. */
export function parseInstant(text: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

export const DURATION_ACCEPTED = 'a duration such as 15s, 5m, 1h, 7d, or a number of seconds';
export const INSTANT_ACCEPTED = 'an RFC 3339 time such as 2026-12-01T08:00:00Z or Unix seconds';
