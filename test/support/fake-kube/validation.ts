/** Minimal validation with the API server's field paths and messages (422 Invalid). */
import { isDeepStrictEqual } from 'node:util';
import type { ResourceDef } from './resources.ts';
import { type LabelSelector, selectorMatches } from './selectors.ts';
import { type FieldError, goValue, invalid } from './status.ts';
import type { KubeObject } from './types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const required = (field: string, detail?: string): FieldError => ({
  field,
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
});

const badValue = (field: string, value: unknown, detail: string): FieldError => ({
  field,
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${goValue(value)}: ${detail}`,
});

/** Kinds whose names must be DNS-1123 labels; the others take DNS-1123 subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);

function validateName(def: ResourceDef, name: unknown): FieldError[] {
  if (typeof name !== 'string' || name === '') return [required('metadata.name', 'name or generateName is required')];
  if (LABEL_NAMED.has(def.kind)) {
    if (name.length > 63 || !DNS1123_LABEL.test(name))
      return [
        badValue(
          'metadata.name',
          name,
          `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        ),
      ];
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [
      badValue(
        'metadata.name',
        name,
        `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ),
    ];
  }
  return [];
}

function validateLabels(labels: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries((labels ?? {}) as Record<string, unknown>)) {
    const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
    if (!LABEL_NAME.test(name) || name.length > 63)
      errors.push(
        badValue(
          field,
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      errors.push(
        badValue(
          field,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
  }
  return errors;
}

function validatePodSpec(spec: Any | undefined, field: string): FieldError[] {
  const containers = spec?.containers as Any[] | undefined;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${field}.containers`)];
  const errors: FieldError[] = [];
  containers.forEach((c, i) => {
    if (!c?.name) errors.push(required(`${field}.containers[${i}].name`));
    if (!c?.image) errors.push(required(`${field}.containers[${i}].image`));
    ((c?.ports ?? []) as Any[]).forEach((p, j) => {
      const port = p?.containerPort;
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        errors.push(
          badValue(
            `${field}.containers[${i}].ports[${j}].containerPort`,
            port,
            'must be between 1 and 65535, inclusive',
          ),
        );
    });
  });
  return errors;
}

function validateTemplate(
  o: Any,
  path: string,
  selector: LabelSelector | undefined,
  needSelector: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const spec = o.spec ?? {};
  if (needSelector && !spec.selector) errors.push(required(`${path}.selector`));
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0))
    errors.push(badValue(`${path}.replicas`, spec.replicas, 'must be greater than or equal to 0'));
  const labels = spec.template?.metadata?.labels;
  if (selector && !selectorMatches(selector, labels))
    errors.push(
      badValue(`${path}.template.metadata.labels`, labels ?? {}, '`selector` does not match template `labels`'),
    );
  errors.push(...validateLabels(labels, `${path}.template.metadata.labels`));
  errors.push(...validatePodSpec(spec.template?.spec, `${path}.template.spec`));
  return errors;
}

function immutable(field: string, value: unknown): FieldError {
  return badValue(field, value, 'field is immutable');
}

/** Validates a create (old undefined) or an update; throws 422 Invalid listing every error. */
export function validate(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
  const o = obj as Any;
  const errors: FieldError[] = [
    ...validateName(def, o.metadata?.name),
    ...validateLabels(o.metadata?.labels, 'metadata.labels'),
  ];
  switch (def.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
      errors.push(...validateTemplate(o, 'spec', o.spec?.selector, true));
      if (old && !isDeepStrictEqual((old as Any).spec?.selector, o.spec?.selector))
        errors.push(immutable('spec.selector', o.spec?.selector));
      break;
    case 'Job': {
      errors.push(...validateTemplate(o, 'spec', o.spec?.selector, false));
      const rp = o.spec?.template?.spec?.restartPolicy;
      if (rp !== 'Never' && rp !== 'OnFailure')
        errors.push({
          field: 'spec.template.spec.restartPolicy',
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: ${goValue(rp ?? 'Always')}: supported values: "OnFailure", "Never"`,
        });
      if (old && !isDeepStrictEqual((old as Any).spec?.template, o.spec?.template))
        errors.push(immutable('spec.template', o.spec?.template));
      break;
    }
    case 'CronJob':
      if (!o.spec?.schedule) errors.push(required('spec.schedule'));
      errors.push(...validatePodSpec(o.spec?.jobTemplate?.spec?.template?.spec, 'spec.jobTemplate.spec.template.spec'));
      break;
    case 'Pod':
      errors.push(...validatePodSpec(o.spec, 'spec'));
      break;
    case 'Service': {
      const ports = (o.spec?.ports ?? []) as Any[];
      if (ports.length === 0 && o.spec?.type !== 'ExternalName' && o.spec?.clusterIP !== 'None')
        errors.push(required('spec.ports'));
      ports.forEach((p, i) => {
        if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535)
          errors.push(badValue(`spec.ports[${i}].port`, p?.port, 'must be between 1 and 65535, inclusive'));
        const t = p?.targetPort;
        if (typeof t === 'number' && (!Number.isInteger(t) || t < 1 || t > 65535))
          errors.push(badValue(`spec.ports[${i}].targetPort`, t, 'must be between 1 and 65535, inclusive'));
        if (ports.length > 1 && !p?.name) errors.push(required(`spec.ports[${i}].name`));
      });
      const oldIp = (old as Any | undefined)?.spec?.clusterIP;
      if (oldIp && o.spec?.clusterIP !== oldIp)
        errors.push(badValue('spec.clusterIPs[0]', o.spec?.clusterIPs ?? [], 'may not change once set'));
      break;
    }
    case 'ConfigMap':
    case 'Secret':
      for (const k of Object.keys({ ...(o.data ?? {}), ...(o.stringData ?? {}), ...(o.binaryData ?? {}) }))
        if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253)
          errors.push(
            badValue(`data[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"),
          );
      break;
  }
  if (errors.length > 0) throw invalid(def, o.metadata?.name ?? '', errors);
}
