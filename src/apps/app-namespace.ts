import type { ErrorCause } from '../kernel/errors.ts';
import { causeMessage, InputError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { dns1123LabelProblem } from '../kernel/names.ts';
import { NAMESPACE_SEPARATOR } from '../kernel/ownership.ts';
import type { AdmissionPlugin } from '../resources/service.ts';

/**
 * `metadata.namespace` on an Application, as KubeVela Applications carry it. In KubeVela it is where the
 * Application lives on the control plane and where its objects go by default. In polis an application lives in its
 * department and its objects go to the department's namespace for the application (`<tenant>--<app>`, see
 * src/delivery/namespace.ts) whatever this field says, unless a topology policy names a namespace. So the field is
 * accepted as a label of where the department keeps the application, and refused when it names what is not the
 * department's: a system namespace, or a namespace of another department.
 */

const PATH = 'metadata.namespace';

/** Namespaces of the cluster's system and of the platform: never an application's. */
export function systemNamespace(ns: string): boolean {
  return (
    ns.startsWith('kube-') ||
    ns.endsWith('-system') ||
    ns === 'polis' ||
    ns.startsWith('polis-') ||
    ns.startsWith('openshift')
  );
}

/** What no department may name, checked without the store: the form, and system namespaces. */
export function metadataNamespaceCauses(ns: unknown, tenant: string | undefined, path: string = PATH): ErrorCause[] {
  if (ns === undefined) return [];
  if (typeof ns !== 'string') return [];
  const problem = dns1123LabelProblem(ns);
  if (problem) return [{ path, code: 'NamespaceInvalid', params: { namespace: ns }, message: `"${ns}" ${problem}` }];
  if (systemNamespace(ns)) {
    return [
      {
        path,
        code: 'NamespaceSystem',
        params: { namespace: ns },
        message: `"${ns}" is a system namespace; an application runs in its department's own namespace (leave metadata.namespace out, or name "default" or a namespace of the department)`,
      },
    ];
  }
  const owner = ns.includes(NAMESPACE_SEPARATOR) ? ns.slice(0, ns.indexOf(NAMESPACE_SEPARATOR)) : undefined;
  if (tenant !== undefined && owner !== undefined && owner !== tenant) return [otherDepartment(ns, owner, path)];
  return [];
}

/**
 * A topology policy's `namespace`, as KubeVela Applications carry it: delivered into a namespace of the department's
 * own for it (src/delivery/namespace.ts topologyNamespace), and refused, like `metadata.namespace`, when it names a
 * system namespace or (with `tenant`) a namespace of another department.
 */
export function topologyNamespaceCauses(
  policies: readonly { readonly type: string; readonly properties?: unknown }[] | undefined,
  tenant: string | undefined,
): ErrorCause[] {
  return (policies ?? []).flatMap((p, i) => {
    const ns = p.type === 'topology' ? (p.properties as { namespace?: unknown } | undefined)?.namespace : undefined;
    if (typeof ns !== 'string' || ns === '') return [];
    return metadataNamespaceCauses(ns, tenant, `spec.policies[${i}].properties.namespace`);
  });
}

function otherDepartment(ns: string, department: string, path: string = PATH): ErrorCause {
  return {
    path,
    code: 'NamespaceOfOtherDepartment',
    params: { namespace: ns, department },
    message: `"${ns}" is a namespace of department "${department}"; an application runs in its own department's namespaces (leave metadata.namespace out, or name "default" or a namespace of the department)`,
  };
}

/**
 * Admission: `metadata.namespace` must not name another department, by its name or a namespace polis gives it
 * (`<department>--…`). The store is read for the departments there are.
 */
export const applicationNamespaceAdmission: AdmissionPlugin = async ({ operation, definition, object, tx }) => {
  if (definition.kind !== 'Application' || operation === 'delete') return;
  const tenant = object.metadata.tenant;
  if (tenant === undefined) return;
  // metadata.namespace, and every topology's namespace: none may name another department.
  const named: [string, string][] = [];
  if (object.metadata.namespace !== undefined && object.metadata.namespace !== tenant)
    named.push([object.metadata.namespace, PATH]);
  const policies = (object.spec as { policies?: { type: string; properties?: { namespace?: unknown } }[] }).policies;
  (policies ?? []).forEach((p, i) => {
    const ns = p.type === 'topology' ? p.properties?.namespace : undefined;
    if (typeof ns === 'string' && ns !== '' && ns !== tenant)
      named.push([ns, `spec.policies[${i}].properties.namespace`]);
  });
  if (named.length === 0) return;
  const causes = named.flatMap(([ns, path]) => metadataNamespaceCauses(ns, tenant, path));
  if (causes.length === 0) {
    const tenants = (await tx.listAll(['Tenant'], '')).map((t) => t.metadata.name);
    for (const [ns, path] of named) {
      const other = tenants.find((d) => d !== tenant && (ns === d || ns.startsWith(`${d}${NAMESPACE_SEPARATOR}`)));
      if (other !== undefined) causes.push(otherDepartment(ns, other, path));
    }
  }
  if (causes.length > 0) {
    throw new InputError(
      msg('ApplicationRefused', { application: object.metadata.name, detail: causeMessage(causes[0]!) }),
      causes,
      { invalid: true },
    );
  }
};
