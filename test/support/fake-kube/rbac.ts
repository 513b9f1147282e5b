/**
 * RBAC from real role files: the ClusterRoles and Roles in YAML documents (a file like
 * deploy/member-cluster/polis-agent-rbac.yaml), bound to the user bearer tokens authenticate as. A resource request is
 * allowed when a rule names its API group, its resource (or `resource/subresource`) and its verb, `*` matching all,
 * as kube-apiserver's RBAC authorizer decides; everything else is 403 with the authorizer's message. Non-resource
 * paths (/readyz, /version, /api, /apis) are allowed, as the default system:discovery and system:public-info-viewer
 * roles allow them to every user on a real cluster.
 */
import { parseAllDocuments } from 'yaml';

interface Rule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface RbacRequest {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The rules of every ClusterRole and Role in `yamlTexts` (Roles apply only in their own namespace). */
export class Rbac {
  private readonly rules: { rule: Rule; namespace?: string }[] = [];

  constructor(yamlTexts: readonly string[]) {
    for (const text of yamlTexts)
      for (const doc of parseAllDocuments(text)) {
        const o = doc.toJSON() as
          { kind?: string; metadata?: { namespace?: string }; rules?: Partial<Rule>[] } | null | undefined;
        if (!o || (o.kind !== 'ClusterRole' && o.kind !== 'Role')) continue;
        for (const r of o.rules ?? []) {
          if (!r.resources) continue; // nonResourceURLs rules
          this.rules.push({
            rule: {
              apiGroups: r.apiGroups ?? [],
              resources: r.resources,
              verbs: r.verbs ?? [],
              ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
            },
            ...(o.kind === 'Role' ? { namespace: o.metadata?.namespace ?? 'default' } : {}),
          });
        }
      }
  }

  allows(a: RbacRequest): boolean {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return this.rules.some(
      ({ rule, namespace }) =>
        (namespace === undefined || namespace === a.namespace) &&
        (rule.apiGroups.includes('*') || rule.apiGroups.includes(a.group)) &&
        (rule.resources.includes('*') || rule.resources.includes(resource)) &&
        (rule.verbs.includes('*') || rule.verbs.includes(a.verb)) &&
        (!rule.resourceNames?.length || (a.name !== undefined && rule.resourceNames.includes(a.name))),
    );
  }
}
