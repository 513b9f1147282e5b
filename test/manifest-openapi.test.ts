import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as clientNode from '@kubernetes/client-node';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler as HorizontalPodAutoscalerV1 } from 'kubernetes-models/autoscaling/v1/HorizontalPodAutoscaler';
import { HorizontalPodAutoscaler as HorizontalPodAutoscalerV2 } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ApplicationSpec } from '../src/apps/application-kind.ts';
import type { RenderContext } from '../src/apps/render/index.ts';
import { renderApplication } from '../src/apps/render/index.ts';
import type { NamespaceQuota } from '../src/delivery/namespace.ts';
import { namespaceGuards, namespaceManifest, ownerOf } from '../src/delivery/namespace.ts';
import { deploySteps } from '../src/delivery/workflow.ts';
import { parseDocuments } from '../src/kernel/documents.ts';
import type { Manifest } from '../src/kernel/manifest.ts';
import { manifestKey } from '../src/kernel/manifest.ts';

/**
 * Every object polis sends to a member cluster, and every manifest under deploy/, is valid for Kubernetes: checked
 * against the published OpenAPI schemas (kubernetes-models' validators: types, enums, required fields, formats),
 * against the field lists of the same OpenAPI (@kubernetes/client-node's models), because the schemas allow
 * unknown fields but server-side apply refuses them ("field not declared in schema"), and against the rules the API
 * server applies to every object's name and labels. Sources: each golden input and each example application,
 * rendered for each component set placement can pass (all, and each component alone) and for each deploy step,
 * plus the namespace objects polis adds.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const GOLDEN = join(ROOT, 'src/apps/render/golden');
const EXAMPLES = join(ROOT, 'examples/apps');
const DEPLOY = join(ROOT, 'deploy');

type ModelClass = new (data: never) => { validate(): void };

interface KindSchema {
  /** kubernetes-models' class, whose validate() runs the OpenAPI schema. */
  readonly model: ModelClass;
  /** @kubernetes/client-node's model of the same definition, whose attribute map lists the declared fields. */
  readonly type: string;
  /** The resource name RBAC rules use. */
  readonly resource: string;
}

/** apiVersion/kind → its schema. A kind missing here fails the test that meets it, naming it. */
const SCHEMAS: Readonly<Record<string, KindSchema>> = {
  'v1/Namespace': { model: Namespace, type: 'V1Namespace', resource: 'namespaces' },
  'v1/ConfigMap': { model: ConfigMap, type: 'V1ConfigMap', resource: 'configmaps' },
  'v1/Secret': { model: Secret, type: 'V1Secret', resource: 'secrets' },
  'v1/Service': { model: Service, type: 'V1Service', resource: 'services' },
  'v1/ServiceAccount': { model: ServiceAccount, type: 'V1ServiceAccount', resource: 'serviceaccounts' },
  'v1/PersistentVolumeClaim': {
    model: PersistentVolumeClaim,
    type: 'V1PersistentVolumeClaim',
    resource: 'persistentvolumeclaims',
  },
  'v1/ResourceQuota': { model: ResourceQuota, type: 'V1ResourceQuota', resource: 'resourcequotas' },
  'v1/LimitRange': { model: LimitRange, type: 'V1LimitRange', resource: 'limitranges' },
  'apps/v1/Deployment': { model: Deployment, type: 'V1Deployment', resource: 'deployments' },
  'apps/v1/StatefulSet': { model: StatefulSet, type: 'V1StatefulSet', resource: 'statefulsets' },
  'apps/v1/DaemonSet': { model: DaemonSet, type: 'V1DaemonSet', resource: 'daemonsets' },
  'batch/v1/Job': { model: Job, type: 'V1Job', resource: 'jobs' },
  'batch/v1/CronJob': { model: CronJob, type: 'V1CronJob', resource: 'cronjobs' },
  'autoscaling/v1/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscalerV1,
    type: 'V1HorizontalPodAutoscaler',
    resource: 'horizontalpodautoscalers',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscalerV2,
    type: 'V2HorizontalPodAutoscaler',
    resource: 'horizontalpodautoscalers',
  },
  'networking.k8s.io/v1/Ingress': { model: Ingress, type: 'V1Ingress', resource: 'ingresses' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, type: 'V1NetworkPolicy', resource: 'networkpolicies' },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    type: 'V1PodDisruptionBudget',
    resource: 'poddisruptionbudgets',
  },
  'rbac.authorization.k8s.io/v1/Role': { model: Role, type: 'V1Role', resource: 'roles' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: RoleBinding, type: 'V1RoleBinding', resource: 'rolebindings' },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: ClusterRole, type: 'V1ClusterRole', resource: 'clusterroles' },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    model: ClusterRoleBinding,
    type: 'V1ClusterRoleBinding',
    resource: 'clusterrolebindings',
  },
};

// ---- the checks ----------------------------------------------------------------------------------------------

interface AjvError {
  readonly instancePath: string;
  readonly message?: string;
  readonly params?: unknown;
}

function schemaErrors(schema: KindSchema, m: object): string[] {
  try {
    new schema.model(structuredClone(m) as never).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: readonly AjvError[] }).errors;
    if (!errors) return [(e as Error).message];
    return errors.map((x) => `${x.instancePath || '/'} ${x.message ?? 'is invalid'} ${JSON.stringify(x.params)}`);
  }
}

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

const models = clientNode as unknown as Record<string, { getAttributeTypeMap?: () => readonly Attribute[] }>;

/** Fields not declared in the OpenAPI definition `type`, at their JSON-pointer paths. */
function undeclaredFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return; // wrong types are the schema's finding
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => undeclaredFields(v, array[1]!, `${path}/${i}`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [k, v] of Object.entries(value)) undeclaredFields(v, map[1]!, `${path}/${k}`, out);
    return;
  }
  const attributes = models[type]?.getAttributeTypeMap?.(); // undefined: string, number, IntOrString, any …
  if (!attributes || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const a = attributes.find((x) => x.baseName === k);
    if (!a) out.push(`${path}/${k} field not declared in schema (${type})`);
    else undeclaredFields(v, a.type, `${path}/${k}`, out);
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes' name rule per kind (apimachinery validation, not part of the OpenAPI). */
function nameProblem(kind: string, name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'metadata.name is required';
  if (kind.startsWith('Role') || kind.startsWith('ClusterRole'))
    return /[/%]/.test(name) || name === '.' || name === '..' ? `name "${name}" is not a path segment` : undefined;
  if (kind === 'Namespace')
    return name.length <= 63 && DNS_LABEL.test(name) ? undefined : `name "${name}" is not a DNS-1123 label`;
  if (kind === 'Service')
    return name.length <= 63 && DNS_1035_LABEL.test(name) ? undefined : `name "${name}" is not a DNS-1035 label`;
  if (kind === 'CronJob' && name.length > 52) return `name "${name}" is longer than 52 characters`;
  return name.length <= 253 && DNS_SUBDOMAIN.test(name) ? undefined : `name "${name}" is not a DNS-1123 subdomain`;
}

function labelProblems(labels: unknown, path: string): string[] {
  if (labels === null || typeof labels !== 'object') return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    const name = key.slice(slash + 1);
    if (
      name.length > 63 ||
      !QUALIFIED_NAME.test(name) ||
      (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    )
      out.push(`${path} key "${key}" is not a qualified name`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
      out.push(`${path}/${key} value ${JSON.stringify(value)} is not a valid label value`);
  }
  return out;
}

/** Label maps anywhere in an object: every `metadata.labels` (templates too) and every `matchLabels`. */
function allLabelProblems(value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'matchLabels') out.push(...labelProblems(v, `${path}/${k}`));
    if (k === 'metadata' && v !== null && typeof v === 'object')
      out.push(...labelProblems((v as { labels?: unknown }).labels, `${path}/metadata/labels`));
    allLabelProblems(v, `${path}/${k}`, out);
  }
}

function schemaKey(m: { apiVersion?: unknown; kind?: unknown }): string {
  return `${String(m.apiVersion)}/${String(m.kind)}`;
}

/** Every problem Kubernetes would find with a manifest; empty when it would accept it. */
function manifestProblems(m: Manifest): string[] {
  const schema = SCHEMAS[schemaKey(m)];
  if (!schema) return [`no OpenAPI model for ${schemaKey(m)}: add the kind to SCHEMAS in this test`];
  const out = schemaErrors(schema, m);
  if (!models[schema.type]?.getAttributeTypeMap) out.push(`@kubernetes/client-node has no model ${schema.type}`);
  undeclaredFields(m, schema.type, '', out);
  const name = nameProblem(m.kind, m.metadata?.name);
  if (name) out.push(`/metadata/name ${name}`);
  allLabelProblems(m, '', out);
  return out;
}

/** The failure text: each manifest's key, then its errors. */
function report(manifests: readonly Manifest[], label: (m: Manifest) => string = manifestKey): string[] {
  return manifests.flatMap((m) => manifestProblems(m).map((p) => `${label(m)}: ${p}`));
}

// ---- what polis renders --------------------------------------------------------------------------------------

interface Doc {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly tenant?: string };
  readonly spec?: ApplicationSpec;
  readonly [field: string]: unknown;
}

interface Case {
  readonly name: string;
  readonly manifests: () => Manifest[];
}

const yamlFiles = (dir: string, suffix = '.yaml') =>
  readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();

const policyProps = (spec: ApplicationSpec, type: string, names?: readonly string[]) =>
  (spec.policies ?? [])
    .filter((p) => p.type === type && (!names || names.includes(p.name ?? '')))
    .map((p) => (p.properties ?? {}) as Record<string, unknown>);

/** All components together, and each alone when there are several: the sets placement can put on one cluster. */
function componentSets(names: readonly string[]): (readonly string[])[] {
  return names.length > 1 ? [names, ...names.map((n) => [n])] : [names];
}

function rendered(spec: ApplicationSpec, ctx: RenderContext): Manifest[] {
  const r = renderApplication(spec, ctx);
  if (!r.ok) throw new Error(`the renderer refused it:\n${r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  return [...r.manifests];
}

/** The golden inputs, in the context golden.test.ts renders them with. */
/** A golden case whose expected output is the renderer's refusal (`errors:`) renders no manifests to check. */
const refusedCase = (file: string): boolean =>
  /^errors:/m.test(readFileSync(join(GOLDEN, file.replace(/\.input\.yaml$/, '.expected.yaml')), 'utf8'));

function goldenCases(): Case[] {
  return yamlFiles(GOLDEN, '.input.yaml').flatMap((file) => {
    if (refusedCase(file)) return [];
    const docs = parseDocuments(readFileSync(join(GOLDEN, file), 'utf8')) as Doc[];
    const app = docs.find((d) => d.kind === 'Application')!;
    const spec = app.spec!;
    const name = app.metadata?.name ?? 'app';
    const tenant = app.metadata?.tenant ?? 'edu';
    const { kind: _kind, ...given } = docs.find((d) => d.kind === 'RenderContext') ?? {};
    const base: RenderContext = {
      appName: name,
      tenant,
      namespace: tenant,
      revision: `${name}-v1`,
      cluster: 'gov-private-1',
      overrides: policyProps(spec, 'override'),
      applyOnce: policyProps(spec, 'apply-once'),
      garbageCollect: policyProps(spec, 'garbage-collect'),
      ...(given as Partial<RenderContext>),
    };
    const owner = ownerOf(tenant, name, undefined);
    const all = base.components ?? spec.components.map((c) => c.name);
    return componentSets(all).map((components) => ({
      name: `golden ${file.slice(0, -'.input.yaml'.length)} [${components.join(', ')}]`,
      manifests: () => [
        namespaceManifest(owner),
        ...namespaceGuards(owner, undefined),
        ...rendered(spec, { ...base, components }),
      ],
    }));
  });
}

/** The departments' quotas of the demo city, as delivery passes them to the namespace guards. */
function departmentQuotas(): Map<string, NamespaceQuota> {
  const docs = parseDocuments(readFileSync(join(ROOT, 'examples/demo-city/10-departments.yaml'), 'utf8')) as {
    kind?: string;
    metadata?: { name?: string };
    spec?: { quota?: NamespaceQuota };
  }[];
  return new Map(docs.filter((d) => d.kind === 'Tenant').map((d) => [d.metadata!.name!, d.spec?.quota ?? {}]));
}

/** The example applications as delivery renders them: per deploy step (its overrides) and component set. */
function exampleCases(): Case[] {
  const quotas = departmentQuotas();
  return yamlFiles(EXAMPLES).flatMap((file) => {
    const docs = parseDocuments(readFileSync(join(EXAMPLES, file), 'utf8')) as Doc[];
    return docs
      .filter((d) => d.kind === 'Application')
      .flatMap((app) => {
        const spec = app.spec!;
        const owner = ownerOf(app.metadata!.tenant!, app.metadata!.name!, undefined);
        const quota = quotas.get(owner.tenant);
        return deploySteps(spec).flatMap((step) =>
          componentSets(spec.components.map((c) => c.name)).map((components) => ({
            name: `example ${file} step ${step.name} [${components.join(', ')}]`,
            manifests: () => [
              namespaceManifest(owner),
              ...namespaceGuards(owner, quota),
              ...rendered(spec, {
                appName: owner.app,
                tenant: owner.tenant,
                namespace: owner.namespace,
                revision: `${owner.app}-v1`,
                cluster: 'gov-east',
                components,
                overrides: policyProps(spec, 'override', step.overrides),
                applyOnce: policyProps(spec, 'apply-once'),
                garbageCollect: policyProps(spec, 'garbage-collect'),
              }),
            ],
          })),
        );
      });
  });
}

const RENDERED = [...goldenCases(), ...exampleCases()];

describe('every manifest polis renders validates against the Kubernetes OpenAPI schemas', () => {
  for (const c of RENDERED) {
    it(c.name, () => {
      expect(report(c.manifests())).toEqual([]);
    });
  }
});

// ---- deploy/ -------------------------------------------------------------------------------------------------

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const path = join(dir, f);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

const DEPLOY_YAML = filesUnder(DEPLOY)
  .filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('kustomization.yaml'))
  .map((f) => relative(ROOT, f));

function deployManifests(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'));
  return (Array.isArray(docs) ? docs : [docs]).flatMap((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
    const m = d.toJS() as Manifest | null;
    return m === null ? [] : [m];
  });
}

describe('every manifest under deploy/ validates against the Kubernetes OpenAPI schemas', () => {
  it('finds the manifests', () => {
    expect(DEPLOY_YAML.length).toBeGreaterThanOrEqual(6);
  });
  for (const file of DEPLOY_YAML) {
    it(file, () => {
      const manifests = deployManifests(file);
      expect(manifests.length).toBeGreaterThan(0);
      expect(report(manifests, (m) => `${file} ${manifestKey(m)}`)).toEqual([]);
    });
  }

  it('kustomization.yaml names every manifest of deploy/kubernetes but the secret template, and each exists', () => {
    const dir = join(DEPLOY, 'kubernetes');
    const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const present = yamlFiles(dir).filter((f) => f !== 'kustomization.yaml' && f !== 'secret.template.yaml');
    expect([...k.resources].sort()).toEqual(present);
  });
});

// ---- the member cluster's ClusterRole covers what polis delivers ---------------------------------------------

/** Kinds KubeVela's k8s-objects component can carry but polis must not get the right to write in a member cluster. */
const NOT_GRANTED: Readonly<Record<string, string>> = {
  'rbac.authorization.k8s.io/v1/ClusterRole':
    'cluster-wide RBAC from one department would reach into every other department; a member cluster refuses it (403)',
};

interface Rule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
}

describe('the member-cluster ClusterRole polis-delivery', () => {
  const rbac = deployManifests('deploy/member-cluster/polis-agent-rbac.yaml');
  const role = rbac.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'polis-delivery');
  const rules = ((role as { rules?: Rule[] } | undefined)?.rules ?? []).filter((r) => r.resources);
  const verbsFor = (group: string, resource: string) =>
    new Set(
      rules.filter((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource)).flatMap((r) => r.verbs),
    );

  it('lets polis apply, find and prune every kind it renders, and nothing with a wildcard', () => {
    const kinds = new Set(RENDERED.flatMap((c) => c.manifests().map(schemaKey)));
    const missing = [...kinds]
      .filter((k) => !NOT_GRANTED[k])
      .flatMap((k) => {
        const group = k.split('/').length === 3 ? k.split('/')[0]! : '';
        const have = verbsFor(group, SCHEMAS[k]?.resource ?? k);
        const lacking = ['get', 'list', 'create', 'patch', 'delete'].filter((v) => !have.has(v));
        return lacking.length > 0 ? [`${k}: ${lacking.join(', ')}`] : [];
      });
    expect(missing).toEqual([]);
    const wildcards = rules.filter((r) => [r.apiGroups, r.resources, r.verbs].some((l) => l?.includes('*')));
    expect(wildcards).toEqual([]);
  });

  it('gives polis no right over RBAC, and no write on nodes or pods', () => {
    expect(rules.filter((r) => r.apiGroups?.includes('rbac.authorization.k8s.io'))).toEqual([]);
    for (const resource of ['nodes', 'pods'])
      expect([...verbsFor('', resource)].sort(), resource).toEqual(['get', 'list', 'watch']);
  });
});

// ---- the checks themselves -----------------------------------------------------------------------------------

describe('the validation itself', () => {
  it('reports a wrong type, an undeclared field, a bad label and an unknown kind, each with its manifest key', () => {
    const bad = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'edu', labels: { 'app.oam.dev/appRevision': `${'x'.repeat(64)}` } },
      spec: {
        replicas: 'three',
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx', resource: { limits: { cpu: '1' } } }] },
        },
      },
    } as unknown as Manifest;
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } as Manifest;
    const text = report([bad, unknown]).join('\n');
    expect(text).toContain('apps/v1/Deployment/edu/web: /spec/replicas must be integer');
    expect(text).toContain('/spec/template/spec/containers/0/resource field not declared in schema');
    expect(text).toContain('/metadata/labels/app.oam.dev/appRevision value');
    expect(text).toContain('example.com/v1/Widget//w: no OpenAPI model for example.com/v1/Widget');
  });
});
