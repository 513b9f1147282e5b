/** The pod log subresource (`GET …/pods/{name}/log`), as the kubelet serves it through the API server. */
import type { ServerResponse } from 'node:http';
import { KubeError, badRequest } from './status.ts';
import type { ResourceDef } from './resources.ts';
import type { Store } from './store.ts';

interface Line {
  readonly at: number;
  readonly text: string;
}

/** What every container of every pod wrote; tests write with FakeKube.writeLog (there is no kubelet). */
export class PodLogs {
  private readonly lines = new Map<string, Line[]>();
  private readonly followers = new Map<string, Set<(l: Line) => void>>();

  write(namespace: string, pod: string, container: string, text: string): void {
    const key = `${namespace}/${pod}/${container}`;
    const line = { at: Date.now(), text };
    let list = this.lines.get(key);
    if (!list) this.lines.set(key, (list = []));
    list.push(line);
    for (const f of this.followers.get(key) ?? []) f(line);
  }

  /**
   * Serves a log request for an existing pod the way the API server does: `container` required when the pod has
   * several, `tailLines`, `sinceSeconds`, `follow` (a chunked stream until the client goes), text/plain.
   */
  serve(res: ServerResponse, store: Store, def: ResourceDef, namespace: string, name: string, q: URLSearchParams) {
    const pod = store.get(def, namespace, name);
    if (!pod) throw new KubeError(404, 'NotFound', `pods "${name}" not found`);
    const spec = (pod.spec ?? {}) as { containers?: { name: string }[] };
    const names = (spec.containers ?? []).map((c) => c.name);
    let container = q.get('container') ?? '';
    if (container === '') {
      if (names.length !== 1) {
        throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
      }
      container = names[0]!;
    } else if (!names.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    const tail = intParam(q, 'tailLines');
    const since = intParam(q, 'sinceSeconds');
    if (since !== undefined && since < 1) throw badRequest('sinceSeconds: Invalid value: must be greater than 0');
    let list = this.lines.get(`${namespace}/${name}/${container}`) ?? [];
    if (since !== undefined) list = list.filter((l) => l.at >= Date.now() - since * 1000);
    if (tail !== undefined) list = list.slice(Math.max(0, list.length - tail));
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const text = list.map((l) => `${l.text}\n`).join('');
    if (q.get('follow') !== 'true') return void res.end(text);
    // The API server answers at once, before the container writes anything.
    res.flushHeaders();
    if (text !== '') res.write(text);
    const key = `${namespace}/${name}/${container}`;
    let set = this.followers.get(key);
    if (!set) this.followers.set(key, (set = new Set()));
    const f = (l: Line) => res.write(`${l.text}\n`);
    set.add(f);
    res.on('close', () => set.delete(f));
  }
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}
