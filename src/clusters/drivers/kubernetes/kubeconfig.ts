import { parse, stringify } from 'yaml';
import type { ErrorCause } from '../../../kernel/errors.ts';

export type KubeconfigAuth = 'token' | 'client-certificate' | 'basic';

export type ParsedKubeconfig =
  | {
      readonly ok: true;
      /** The kubeconfig reduced to the one context (its cluster and user), as YAML: what polis stores. */
      readonly kubeconfig: string;
      readonly server: string;
      readonly context: string;
      readonly auth: KubeconfigAuth;
    }
  | { readonly ok: false; readonly errors: readonly ErrorCause[] };

type Json = Record<string, unknown>;

/** What to use instead of a credential that needs something polis does not have (a helper, a file). */
const USE_A_TOKEN =
  'use a ServiceAccount token instead: apply the least-privilege ClusterRole in deploy/, then run ' +
  '"kubectl create token polis -n polis-system --duration=8760h" and put the token in user.token';

const NOT_HERE =
  'polis stores the kubeconfig encrypted and uses it from its own process, so it runs the credential helper nowhere';

/**
 * Checks a kubeconfig for the one context polis will use (`context`, else `current-context`, else the only one)
 * and returns it minimized to that context. Only credentials carried inside the kubeconfig work: a token,
 * client-certificate-data with client-key-data, or username and password. Exec plugins, auth providers and file
 * references are refused with the reason and what to use instead, each at its path (`users[0].user.exec`).
 */
export function parseKubeconfig(text: string, context?: string): ParsedKubeconfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return fail('', `not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObject(doc)) return fail('', 'a kubeconfig is a YAML mapping with clusters, contexts and users');
  const contexts = namedList(doc, 'contexts');
  const clusters = namedList(doc, 'clusters');
  const users = namedList(doc, 'users');
  const listed = contexts.map((c) => c.name).join(', ') || 'none';
  const wanted = context ?? (typeof doc['current-context'] === 'string' ? doc['current-context'] : undefined);
  let ctx: Named | undefined;
  if (wanted === undefined || wanted === '') {
    if (contexts.length !== 1)
      return fail('current-context', `no current-context: name one of the contexts (${listed})`);
    ctx = contexts[0];
  } else {
    ctx = contexts.find((c) => c.name === wanted);
    if (!ctx)
      return fail(context ? 'context' : 'current-context', `no context "${wanted}"; the kubeconfig has: ${listed}`);
  }
  const errors: ErrorCause[] = [];
  const ctxBody = isObject(ctx!.value.context) ? ctx!.value.context : {};
  const ctxPath = `contexts[${ctx!.index}].context`;
  const cluster = clusters.find((c) => c.name === ctxBody.cluster);
  const user = users.find((u) => u.name === ctxBody.user);
  if (!cluster) errors.push({ path: `${ctxPath}.cluster`, message: `no cluster named "${String(ctxBody.cluster)}"` });
  if (!user) errors.push({ path: `${ctxPath}.user`, message: `no user named "${String(ctxBody.user)}"` });
  const server = cluster ? checkCluster(cluster, errors) : undefined;
  const auth = user ? checkUser(user, errors) : undefined;
  if (errors.length > 0 || !server || !auth || !cluster || !user) return { ok: false, errors };
  const minimized = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster.value],
    users: [user.value],
    contexts: [ctx!.value],
    'current-context': ctx!.name,
  };
  return { ok: true, kubeconfig: stringify(minimized), server, context: ctx!.name, auth };
}

interface Named {
  readonly name: string;
  readonly index: number;
  readonly path: string;
  readonly value: Json;
}

function namedList(doc: Json, field: string): Named[] {
  const list = Array.isArray(doc[field]) ? (doc[field] as unknown[]) : [];
  const out: Named[] = [];
  list.forEach((value, index) => {
    if (isObject(value) && typeof value.name === 'string')
      out.push({ name: value.name, index, path: `${field}[${index}]`, value });
  });
  return out;
}

function checkCluster(c: Named, errors: ErrorCause[]): string | undefined {
  const body = isObject(c.value.cluster) ? c.value.cluster : {};
  const path = `${c.path}.cluster`;
  if (typeof body['certificate-authority'] === 'string')
    errors.push({
      path: `${path}.certificate-authority`,
      message: fileRefMessage('certificate-authority-data'),
    });
  if (body['proxy-url'] !== undefined)
    errors.push({
      path: `${path}.proxy-url`,
      message:
        'not supported: polis connects to the API server directly; remove it, or reach the cluster without a proxy',
    });
  const server = body.server;
  if (typeof server !== 'string' || !/^https?:\/\/[^/]/.test(server)) {
    errors.push({ path: `${path}.server`, message: 'expected the API server URL, such as https://10.0.0.1:6443' });
    return undefined;
  }
  return server.replace(/\/+$/, '');
}

function checkUser(u: Named, errors: ErrorCause[]): KubeconfigAuth | undefined {
  const body = isObject(u.value.user) ? u.value.user : {};
  const path = `${u.path}.user`;
  const before = errors.length;
  if (body.exec !== undefined)
    errors.push({ path: `${path}.exec`, message: `exec credential plugins are refused: ${NOT_HERE}; ${USE_A_TOKEN}` });
  if (body['auth-provider'] !== undefined)
    errors.push({ path: `${path}.auth-provider`, message: `auth providers are refused: ${NOT_HERE}; ${USE_A_TOKEN}` });
  const fileRefs: [string, string][] = [
    ['client-certificate', 'client-certificate-data'],
    ['client-key', 'client-key-data'],
    ['tokenFile', 'token'],
  ];
  for (const [field, embedded] of fileRefs) {
    if (typeof body[field] === 'string')
      errors.push({
        path: `${path}.${field}`,
        message: fileRefMessage(embedded),
      });
  }
  if (errors.length > before) return undefined;
  if (typeof body.token === 'string' && body.token !== '') return 'token';
  const cert = typeof body['client-certificate-data'] === 'string';
  const key = typeof body['client-key-data'] === 'string';
  if (cert && key) return 'client-certificate';
  if (cert !== key) {
    errors.push({
      path: `${path}.${cert ? 'client-key-data' : 'client-certificate-data'}`,
      message: 'a client certificate needs both client-certificate-data and client-key-data',
    });
    return undefined;
  }
  if (typeof body.username === 'string' && typeof body.password === 'string') return 'basic';
  errors.push({
    path,
    message: `no credentials: give token, client-certificate-data with client-key-data, or username and password (${USE_A_TOKEN})`,
  });
  return undefined;
}

function fileRefMessage(embedded: string): string {
  return `a file reference is refused: polis stores the kubeconfig, not the files it names; embed it with ${embedded}`;
}

function fail(path: string, message: string): ParsedKubeconfig {
  return { ok: false, errors: [{ path, message }] };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
