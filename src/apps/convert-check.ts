import { InputError, type ErrorCause } from '../kernel/errors.ts';
import type { ResourceObject } from '../resources/envelope.ts';
import { parseObject } from '../resources/object-input.ts';
import { KindRegistry } from '../resources/registry.ts';
import { applicationKind, type ApplicationSpec } from './application-kind.ts';

/**
 * `polis convert --check` (pure): what polis makes of a KubeVela Application as written. `accepted`: polis runs it
 * as KubeVela would; `changed`: it is accepted, but polis does something different that the department should
 * know (each change a reason code with parameters, docs/oam.md deviations); `refused`: every problem with its
 * path and reason code, as the API would answer. Checked without a server, as the department `tenant` (for the
 * namespaces it may name); its quota is checked when the application is applied.
 */

export interface ConvertNote {
  readonly path: string;
  readonly code: string;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly message: string;
}

export type ConvertVerdict =
  | { readonly outcome: 'accepted'; readonly name: string }
  | { readonly outcome: 'changed'; readonly name: string; readonly changes: readonly ConvertNote[] }
  | { readonly outcome: 'refused'; readonly name: string; readonly causes: readonly ErrorCause[] }
  | { readonly outcome: 'skipped'; readonly name: string; readonly reason: string };

const APPLICATION = 'core.oam.dev/v1beta1';

let applications: KindRegistry | undefined;
function registry(): KindRegistry {
  if (!applications) {
    applications = new KindRegistry();
    applications.register(applicationKind);
  }
  return applications;
}

/** The verdict on one document of a file, checked as the API checks an Application. */
export function checkKubeVelaDocument(doc: unknown, given?: string): ConvertVerdict {
  const d = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
  const name = typeof d?.metadata?.name === 'string' ? d.metadata.name : '(unnamed)';
  if (!d || typeof d !== 'object' || d.kind !== 'Application' || d.apiVersion !== APPLICATION) {
    const what = d && typeof d === 'object' ? `${String(d.apiVersion)} ${String(d.kind)}` : 'not an object';
    return { outcome: 'skipped', name, reason: `${what}: not a ${APPLICATION} Application` };
  }
  // A polis document may name its department; a KubeVela one never does.
  const own = (d.metadata as { tenant?: unknown } | undefined)?.tenant;
  const tenant = given ?? (typeof own === 'string' ? own : 'department');
  let obj: ResourceObject;
  try {
    obj = parseObject(registry(), doc, { kind: 'Application', tenant }).obj;
  } catch (e) {
    if (e instanceof InputError) return { outcome: 'refused', name, causes: e.causes };
    throw e;
  }
  const changes = changesOf(obj);
  return changes.length > 0 ? { outcome: 'changed', name, changes } : { outcome: 'accepted', name };
}

type Step = { name: string; type: string; properties?: Record<string, unknown>; subSteps?: Step[] };

/** What polis does differently from KubeVela for this (valid) application. */
function changesOf(obj: ResourceObject): ConvertNote[] {
  const spec = obj.spec as ApplicationSpec & { workflow?: { mode?: { steps?: string; subSteps?: string } } };
  const out: ConvertNote[] = [];
  const ns = obj.metadata.namespace;
  if (ns !== undefined) {
    out.push({
      path: 'metadata.namespace',
      code: 'NamespaceMapped',
      params: { namespace: ns },
      message: `kept as written; the objects go to the department's namespace for the application on each cluster (<department>--${obj.metadata.name}), not to "${ns}"`,
    });
  }
  (spec.policies ?? []).forEach((p, i) => {
    const at = `spec.policies[${i}]`;
    const props = p.properties ?? {};
    if (p.type === 'topology' && typeof props.namespace === 'string' && props.namespace !== '') {
      const dept = obj.metadata.tenant ?? '<department>';
      const own = props.namespace === (ns ?? 'default');
      const mapped = own ? `${dept}--${obj.metadata.name}` : `${dept}-${obj.metadata.name}-${props.namespace}-<hash>`;
      out.push({
        path: `${at}.properties.namespace`,
        code: 'TopologyNamespaceMapped',
        params: { namespace: props.namespace, mapped },
        message: `delivered into a namespace of the department's own for the application (${mapped} on every cluster)`,
      });
    }
    if (p.type === 'topology' && Array.isArray(props.clusters) && props.clusters.includes('local')) {
      out.push({
        path: `${at}.properties.clusters`,
        code: 'LocalClusterMapped',
        message:
          'local is the cluster the data bureau names with POLIS_LOCAL_CLUSTER; refused at delivery when none is set',
      });
    }
    if (p.type === 'take-over' || p.type === 'shared-resource') {
      out.push({
        path: `${at}.type`,
        code: 'PolicyWithoutEffect',
        params: { type: p.type },
        message: `accepted without effect: every application has its own namespace, and polis adopts same-named objects in it`,
      });
    }
    if (p.type === 'resource-update') {
      out.push({
        path: `${at}.type`,
        code: 'ResourceUpdateWholeObject',
        message: 'polis applies the whole desired object whichever op is given',
      });
    }
    if (p.type === 'garbage-collect' && props.applicationRevisionLimit !== undefined) {
      out.push({
        path: `${at}.properties.applicationRevisionLimit`,
        code: 'RevisionLimitIgnored',
        message: 'revisions kept follow polis.io/revision-history-limit (default 10)',
      });
    }
  });
  const mode = spec.workflow?.mode;
  if (
    mode?.steps === 'DAG' ||
    mode?.subSteps === 'DAG' ||
    (spec.workflow?.steps ?? []).some((s) => (s as Step).subSteps?.length)
  ) {
    out.push({
      path: 'spec.workflow',
      code: 'WorkflowRunsInOrder',
      message:
        "steps (and a step group's sub-steps) run one after another in the order written, which honours dependsOn",
    });
  }
  const steps = (spec.workflow?.steps ?? []) as Step[];
  steps.forEach((s, i) => {
    [s, ...(s.subSteps ?? [])].forEach((x, j) => {
      const at = j === 0 ? `spec.workflow.steps[${i}]` : `spec.workflow.steps[${i}].subSteps[${j - 1}]`;
      if (x.type === 'notification' || x.type === 'webhook') {
        out.push({
          path: at,
          code: 'NotificationRecordedUnlessSent',
          params: { step: x.name },
          message: 'recorded as an event of the application; sent only where the platform configures a notifier',
        });
      }
      if (['apply-object', 'export2config', 'export2secret', 'apply-deployment'].includes(x.type)) {
        out.push({
          path: at,
          code: 'StepObjectAsComponent',
          params: { step: x.name },
          message: `its object goes to the application's namespace, labelled as component "${x.name}"`,
        });
      }
      if (x.type === 'depends-on-app' && x.properties?.namespace !== undefined) {
        out.push({
          path: `${at}.properties.namespace`,
          code: 'DependsOnAppSameDepartment',
          message: "ignored: the application waited for is looked up in the department's own applications only",
        });
      }
    });
  });
  return out;
}
