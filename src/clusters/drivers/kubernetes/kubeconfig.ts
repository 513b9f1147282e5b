import { parse, stringify } from 'yaml';
import type { ErrorCause } from '../../../kernel/errors.ts';
import { codedCause } from '../../../kernel/errors.ts';
import type { Message } from '../../../kernel/messages/index.ts';
import { msg } from '../../../kernel/messages/index.ts';

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
    return fail('', msg('KubeconfigNotYaml', { detail: (e as Error).message.split('\n')[0] ?? '' }));
  }
  if (!isObject(doc)) return fail('', msg('KubeconfigNotMapping'));
  const contexts = namedList(doc, 'contexts');
  const clusters = namedList(doc, 'clusters');
  const users = namedList(doc, 'users');
  const listed = contexts.map((c) => c.name).join(', ') || 'none';
  const wanted = context ?? (typeof doc['current-context'] === 'string' ? doc['current-context'] : undefined);
  let ctx: Named | undefined;
  if (wanted === undefined || wanted === '') {
    if (contexts.length !== 1) return fail('current-context', msg('KubeconfigNoCurrentContext', { contexts: listed }));
    ctx = contexts[0];
  } else {
    ctx = contexts.find((c) => c.name === wanted);
    if (!ctx)
      return fail(
        context ? 'context' : 'current-context',
        msg('KubeconfigNoContext', { context: wanted, contexts: listed }),
      );
  }
  const errors: ErrorCause[] = [];
  const ctxBody = isObject(ctx!.value.context) ? ctx!.value.context : {};
  const ctxPath = `contexts[${ctx!.index}].context`;
  const cluster = clusters.find((c) => c.name === ctxBody.cluster);
  const user = users.find((u) => u.name === ctxBody.user);
  if (!cluster)
    errors.push(codedCause(`${ctxPath}.cluster`, msg('KubeconfigNoCluster', { cluster: String(ctxBody.cluster) })));
  if (!user) errors.push(codedCause(`${ctxPath}.user`, msg('KubeconfigNoUser', { user: String(ctxBody.user) })));
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
    errors.push(codedCause(`${path}.certificate-authority`, fileRef('certificate-authority-data')));
  if (body['proxy-url'] !== undefined) errors.push(codedCause(`${path}.proxy-url`, msg('KubeconfigProxyUnsupported')));
  const server = body.server;
  if (typeof server !== 'string' || !/^https?:\/\/[^/]/.test(server)) {
    errors.push(codedCause(`${path}.server`, msg('KubeconfigServerInvalid')));
    return undefined;
  }
  return server.replace(/\/+$/, '');
}

function checkUser(u: Named, errors: ErrorCause[]): KubeconfigAuth | undefined {
  const body = isObject(u.value.user) ? u.value.user : {};
  const path = `${u.path}.user`;
  const before = errors.length;
  if (body.exec !== undefined) errors.push(codedCause(`${path}.exec`, msg('KubeconfigExecRefused')));
  if (body['auth-provider'] !== undefined)
    errors.push(codedCause(`${path}.auth-provider`, msg('KubeconfigAuthProviderRefused')));
  const fileRefs: [string, string][] = [
    ['client-certificate', 'client-certificate-data'],
    ['client-key', 'client-key-data'],
    ['tokenFile', 'token'],
  ];
  for (const [field, embedded] of fileRefs) {
    if (typeof body[field] === 'string') errors.push(codedCause(`${path}.${field}`, fileRef(embedded)));
  }
  if (errors.length > before) return undefined;
  if (typeof body.token === 'string' && body.token !== '') return 'token';
  const cert = typeof body['client-certificate-data'] === 'string';
  const key = typeof body['client-key-data'] === 'string';
  if (cert && key) return 'client-certificate';
  if (cert !== key) {
    errors.push(
      codedCause(`${path}.${cert ? 'client-key-data' : 'client-certificate-data'}`, msg('KubeconfigCertificatePair')),
    );
    return undefined;
  }
  if (typeof body.username === 'string' && typeof body.password === 'string') return 'basic';
  errors.push(codedCause(path, msg('KubeconfigNoCredentials')));
  return undefined;
}

function fileRef(embedded: string): Message {
  return msg('KubeconfigFileReference', { embedded });
}

function fail(path: string, m: Message): ParsedKubeconfig {
  return { ok: false, errors: [codedCause(path, m)] };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
