import type { StoredObject } from '../../resources/envelope.ts';
import { toKubeObject } from './kube-objects.ts';

/**
 * How a request wants its answer (pure: from the path and headers). Kubernetes clients get the Kubernetes view
 * (`metadata.namespace`), Tables when they ask for them, and newline-delimited watch events; the console and the
 * polis CLI keep server-sent events by asking for `text/event-stream`.
 */

/**
 * The watch protocol: server-sent events when the client accepts `text/event-stream`, or sends no Accept at all
 * on a polis path (the protocol polis served before); newline-delimited JSON (Kubernetes) otherwise.
 */
export function watchProtocol(accept: string | undefined, kubePath: boolean): 'sse' | 'ndjson' {
  if (accept?.includes('text/event-stream')) return 'sse';
  if (!accept) return kubePath ? 'ndjson' : 'sse';
  return 'ndjson';
}

const HEAD =
  /^\{"apiVersion":"[^"\\]*","kind":"[^"\\]*","metadata":\{"name":"[^"\\]*","tenant":"([^"\\]*)"(,"namespace":"[^"\\]*")?/;

/**
 * A stored object's JSON text in the Kubernetes view, without parsing it when it has the store's canonical key order
 * (name, tenant, namespace first; src/resources/object-form.ts): a list of ten thousand objects stays a string splice.
 */
export function kubeRawItem(raw: string): string {
  const m = HEAD.exec(raw);
  if (m) {
    const head = m[0].slice(0, m[0].length - (m[2]?.length ?? 0));
    return `${head},"namespace":"${m[1]}"${raw.slice(m[0].length)}`;
  }
  const obj = JSON.parse(raw) as StoredObject;
  return obj.metadata.tenant === undefined ? raw : JSON.stringify(toKubeObject(obj));
}
