import { codedCause, InputError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { PrintColumn, ResourceVerb } from '../../resources/registry.ts';
import { toKubeObject } from './kube-objects.ts';

/**
 * polis kinds served as core-group (`v1`) resources under `/api/v1/namespaces/{department}/…` (pure translation).
 * The objects are polis's own (a department's Secret, polis.io/v1 Event): the routes are the kind's routes, with the
 * same authorization, sealing, audit and service; only the view differs.
 */
export interface CoreView {
  readonly kind: 'Secret' | 'Event';
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** Verbs served on the core path (a subset of the kind's). */
  readonly verbs: readonly ResourceVerb[];
  readonly printColumns: readonly PrintColumn[];
  /** The object as a core/v1 client reads it. */
  toCore(obj: StoredObject): StoredObject;
  /** A core/v1 body turned into polis's form (only for the kinds written through the core path). */
  fromCore?(body: unknown): unknown;
  /**
   * The field selector terms this view answers itself (on the core view of each listed object), and the rest for the
   * generic ones (`metadata.name`, `metadata.namespace`).
   */
  fieldSelector?(text: string | undefined): { rest?: string; match?: (core: StoredObject) => boolean };
}

/** Event fields a selector may name: what kubectl describe and `get events --field-selector` send. */
const EVENT_FIELDS = new Set([
  'involvedObject.kind',
  'involvedObject.name',
  'involvedObject.namespace',
  'involvedObject.apiVersion',
  'involvedObject.uid',
  'type',
  'reason',
  'source',
  'reportingComponent',
]);

function readPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) cur = isRecord(cur) ? cur[part] : undefined;
  return cur;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** core/v1 Secret: polis's Secret has its shape already (type, data, stringData); only apiVersion differs. */
export const SECRET_VIEW: CoreView = {
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  shortNames: [],
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  // No DATA count: lists never carry a Secret's values (nor its keys), as polis's own routes do not.
  printColumns: [{ name: 'TYPE', path: 'type' }],
  toCore(obj) {
    const view = toKubeObject(obj) as StoredObject & { data?: Record<string, string> };
    return { ...view, apiVersion: 'v1' };
  },
  fromCore(body) {
    if (!isRecord(body)) return body;
    if (body.apiVersion !== undefined && body.apiVersion !== 'v1') {
      const m = msg('CoreApiVersionMismatch', { given: String(body.apiVersion), kind: 'Secret' });
      throw new InputError(m, [codedCause('apiVersion', m)]);
    }
    return { ...body, apiVersion: 'polis.io/v1' };
  },
};

interface EventSpec {
  readonly involvedObject: { readonly apiVersion?: string; readonly kind: string; readonly name: string };
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly code?: string;
  readonly params?: unknown;
  readonly source: { readonly component: string; readonly cluster?: string };
  readonly count: number;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
}

/**
 * core/v1 Event, read-only: polis's Event keeps its fields under `spec`; core/v1 has them at the top. The message's
 * code and parameters (read in the reader's language) ride as annotations `polis.io/code` and `polis.io/params`.
 */
export const EVENT_VIEW: CoreView = {
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  verbs: ['get', 'list', 'watch'],
  printColumns: [
    { name: 'LAST SEEN', path: 'lastTimestamp', format: 'age' },
    { name: 'TYPE', path: 'type' },
    { name: 'REASON', path: 'reason' },
    { name: 'OBJECT', path: 'involvedObject.name' },
    { name: 'KIND', path: 'involvedObject.kind', wide: true },
    { name: 'SOURCE', path: 'source.component', wide: true },
    { name: 'COUNT', path: 'count', wide: true },
    { name: 'MESSAGE', path: 'message' },
  ],
  fieldSelector(text) {
    if (!text) return {};
    const rest: string[] = [];
    const terms: Array<{ field: string; equal: boolean; value: string }> = [];
    for (const raw of text.split(',')) {
      const m = /^([A-Za-z.]+)(==|=|!=)(.*)$/.exec(raw.trim());
      if (!m || !EVENT_FIELDS.has(m[1]!)) rest.push(raw);
      // polis's events name their object by kind and name, not uid: a uid term cannot narrow them and is let pass.
      else if (m[1] !== 'involvedObject.uid') terms.push({ field: m[1]!, equal: m[2] !== '!=', value: m[3]! });
    }
    const field = (o: StoredObject, f: string) => (f === 'source' ? readPath(o, 'source.component') : readPath(o, f));
    return {
      ...(rest.length > 0 ? { rest: rest.join(',') } : {}),
      ...(terms.length > 0
        ? { match: (o: StoredObject) => terms.every((t) => (String(field(o, t.field) ?? '') === t.value) === t.equal) }
        : {}),
    };
  },
  toCore(obj) {
    const view = toKubeObject(obj);
    const spec = obj.spec as EventSpec | undefined;
    if (!spec) return { ...view, apiVersion: 'v1' };
    const annotations = {
      ...(view.metadata.annotations ?? {}),
      ...(spec.code ? { 'polis.io/code': spec.code } : {}),
      ...(spec.params ? { 'polis.io/params': JSON.stringify(spec.params) } : {}),
    };
    const { spec: _spec, ...rest } = view;
    return {
      ...rest,
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { ...view.metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      involvedObject: {
        ...(spec.involvedObject.apiVersion ? { apiVersion: spec.involvedObject.apiVersion } : {}),
        kind: spec.involvedObject.kind,
        name: spec.involvedObject.name,
        ...(obj.metadata.tenant ? { namespace: obj.metadata.tenant } : {}),
      },
      type: spec.type,
      reason: spec.reason,
      message: spec.message,
      source: { component: spec.source.component, ...(spec.source.cluster ? { host: spec.source.cluster } : {}) },
      reportingComponent: spec.source.component,
      reportingInstance: spec.source.cluster ?? '',
      count: spec.count,
      firstTimestamp: spec.firstTimestamp,
      lastTimestamp: spec.lastTimestamp,
    } as unknown as StoredObject;
  },
};

/** The core views by polis kind (only polis.io kinds of these names). */
export const CORE_VIEWS: Readonly<Record<string, CoreView>> = { Secret: SECRET_VIEW, Event: EVENT_VIEW };
