/** Label selectors (`a=b,c!=d,e in (f,g),h notin (i),j,!k`), field selectors and metav1.LabelSelector. */
import { badRequest } from './status.ts';
import type { KubeObject } from './types.ts';

type Requirement = { op: 'in' | 'notin'; key: string; values: string[] } | { op: 'exists' | '!'; key: string };

export type Matcher = (obj: KubeObject) => boolean;

const splitTop = (s: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
};

function parseRequirement(raw: string): Requirement {
  let m = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw);
  if (m) return { op: m[2] as 'in' | 'notin', key: m[1] as string, values: splitValues(m[3] as string) };
  m = /^([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(raw);
  if (m) return { op: m[2] === '!=' ? 'notin' : 'in', key: m[1] as string, values: [m[3] as string] };
  m = /^!\s*([A-Za-z0-9._/-]+)$/.exec(raw);
  if (m) return { op: '!', key: m[1] as string };
  m = /^([A-Za-z0-9._/-]+)$/.exec(raw);
  if (m) return { op: 'exists', key: m[1] as string };
  throw badRequest(`unable to parse requirement: found '${raw}', expected: identifier`);
}

const splitValues = (s: string): string[] =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

function matches(labels: Record<string, string>, r: Requirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key] as string);
    case 'notin':
      return !has || !r.values.includes(labels[r.key] as string);
  }
}

/** A matcher for the `labelSelector` query parameter (400 BadRequest when it does not parse). */
export function parseLabelSelector(s: string | undefined): Matcher {
  if (!s) return () => true;
  const reqs = splitTop(s).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return reqs.every((r) => matches(labels, r));
  };
}

const POD_FIELDS = new Set([
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'status.phase',
  'status.podIP',
]);

/** The fields Kubernetes selects events by (k8s.io/kubernetes pkg/apis/core Event field label conversion). */
const EVENT_FIELDS = new Set([
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
]);

/**
 * A matcher for the `fieldSelector` query parameter: metadata.name, metadata.namespace, some pod fields and the
 * event fields.
 */
export function parseFieldSelector(s: string | undefined, kind: string): Matcher {
  if (!s) return () => true;
  const reqs = splitTop(s).map((raw) => {
    const m = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(raw);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${raw}'`);
    const field = m[1] as string;
    if (
      field !== 'metadata.name' &&
      field !== 'metadata.namespace' &&
      !(kind === 'Pod' && POD_FIELDS.has(field)) &&
      !(kind === 'Event' && EVENT_FIELDS.has(field))
    )
      throw badRequest(`field label not supported: ${field}`);
    return { field, negate: m[2] === '!=', value: m[3] as string };
  });
  return (obj) =>
    reqs.every((r) => {
      let cur: unknown = obj;
      // An event's `source` field is its source component.
      const path = kind === 'Event' && r.field === 'source' ? 'source.component' : r.field;
      for (const part of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[part];
      const equal = String(cur ?? '') === r.value;
      return r.negate ? !equal : equal;
    });
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether labels match a metav1.LabelSelector (an empty selector matches everything). */
export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const op = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : e.operator === 'Exists' ? 'exists' : '!';
    const r: Requirement =
      op === 'in' || op === 'notin' ? { op, key: e.key, values: e.values ?? [] } : { op, key: e.key };
    if (!matches(l, r)) return false;
  }
  return true;
}
