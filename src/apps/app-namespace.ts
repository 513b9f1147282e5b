import type { ErrorCause } from '../kernel/errors.ts';
import { InputError } from '../kernel/errors.ts';
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
export function metadataNamespaceCauses(ns: unknown, tenant: string | undefined): ErrorCause[] {
  if (ns === undefined) return [];
  if (typeof ns !== 'string') return [];
  const problem = dns1123LabelProblem(ns);
  if (problem)
    return [{ path: PATH, code: 'NamespaceInvalid', params: { namespace: ns }, message: `"${ns}" ${problem}` }];
  if (systemNamespace(ns)) {
    return [
      {
        path: PATH,
        code: 'NamespaceSystem',
        params: { namespace: ns },
        message: `"${ns}" is a system namespace; an application runs in its department's own namespace (leave metadata.namespace out, or name "default" or a namespace of the department)`,
      },
    ];
  }
  const owner = ns.includes(NAMESPACE_SEPARATOR) ? ns.slice(0, ns.indexOf(NAMESPACE_SEPARATOR)) : undefined;
  if (tenant !== undefined && owner !== undefined && owner !== tenant) return [otherDepartment(ns, owner)];
  return [];
}

function otherDepartment(ns: string, department: string): ErrorCause {
  return {
    path: PATH,
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
  const ns = object.metadata.namespace;
  const tenant = object.metadata.tenant;
  if (ns === undefined || tenant === undefined || ns === tenant) return;
  const causes = metadataNamespaceCauses(ns, tenant);
  if (causes.length === 0) {
    const tenants = await tx.listAll(['Tenant'], '');
    const other = tenants
      .map((t) => t.metadata.name)
      .find((d) => d !== tenant && (ns === d || ns.startsWith(`${d}${NAMESPACE_SEPARATOR}`)));
    if (other !== undefined) causes.push(otherDepartment(ns, other));
  }
  if (causes.length > 0) {
    throw new InputError(`application ${object.metadata.name}: ${causes[0]!.message}`, causes, { invalid: true });
  }
};
