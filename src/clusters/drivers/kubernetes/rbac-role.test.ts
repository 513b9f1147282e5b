import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { OBSERVED_KINDS, RENDERED_KINDS } from './discovery.ts';

/**
 * The shipped member-cluster role (deploy/member-cluster/polis-agent-rbac.yaml) grants exactly what the driver
 * uses: every kind it renders is read, watched, applied and pruned; pods and nodes are read and watched. Derived
 * from the driver's own lists, so that a kind added to the driver without its rights fails here.
 */
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

const role = parseAllDocuments(
  readFileSync(new URL('../../../../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url), 'utf8'),
)
  .map((d) => d.toJSON() as { kind?: string; rules?: Rule[] })
  .find((d) => d?.kind === 'ClusterRole')!;

function granted(group: string, resource: string): Set<string> {
  const out = new Set<string>();
  for (const r of role.rules ?? [])
    if (r.apiGroups?.includes(group) && r.resources?.includes(resource)) for (const v of r.verbs ?? []) out.add(v);
  return out;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

describe('the shipped member-cluster role', () => {
  it('grants get, list, watch, create, patch and delete on every kind the driver renders', () => {
    const missing: string[] = [];
    for (const k of RENDERED_KINDS)
      for (const verb of ['get', 'list', 'watch', 'create', 'patch', 'delete'])
        if (!granted(groupOf(k.apiVersion), k.plural).has(verb)) missing.push(`${verb} ${k.plural} (${k.apiVersion})`);
    expect(missing).toEqual([]);
  });

  it('grants get, list and watch, and no write, on what the driver only observes', () => {
    for (const k of OBSERVED_KINDS) {
      const verbs = granted(groupOf(k.apiVersion), k.plural);
      expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    }
  });

  it('grants reading pod logs, and nothing else on pod subresources (no exec, attach or port-forward)', () => {
    expect([...granted('', 'pods/log')]).toEqual(['get']);
    for (const sub of ['pods/exec', 'pods/attach', 'pods/portforward']) expect(granted('', sub).size).toBe(0);
  });

  it("grants listing events (an application's Kubernetes Events), and never writing them", () => {
    expect([...granted('', 'events')]).toEqual(['list']);
  });
});
