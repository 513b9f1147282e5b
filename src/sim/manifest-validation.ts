import { InputError, type ErrorCause } from '../kernel/errors.ts';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../kernel/names.ts';
import { quantityProblem } from '../kernel/quantity.ts';
import { describeObject, lookupKind, type KindInfo } from './api-kinds.ts';
import { deepEqual, isObject } from './apply-merge.ts';
import { cronProblem } from '../kernel/cron.ts';
import { labelSelectorMatches } from '../kernel/manifest.ts';

type Json = Record<string, unknown>;

/**
 * The checks a Kubernetes API server makes before it stores an object, kept to those that catch real rendering
 * mistakes: an unknown kind, names, label syntax, a workload without a usable pod template, a selector that does
 * not select the template, quantities, schedules. Throws InputError with every problem and its path.
 */
export function validateManifest(m: unknown): KindInfo {
  if (!isObject(m)) throw invalid('object', [{ path: '', message: 'a manifest must be an object' }]);
  const problems: ErrorCause[] = [];
  const apiVersion = m.apiVersion;
  const kind = m.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '') problems.push(req('apiVersion'));
  if (typeof kind !== 'string' || kind === '') problems.push(req('kind'));
  if (!isObject(m.metadata)) problems.push(req('metadata'));
  else if (typeof m.metadata.name !== 'string' || m.metadata.name === '') problems.push(req('metadata.name'));
  if (problems.length > 0) throw invalid('object', problems);
  const info = lookupKind(apiVersion as string, kind as string);
  if (info === undefined) {
    throw new InputError(`no matches for kind "${kind as string}" in version "${apiVersion as string}"`, [
      { path: 'kind', message: `no matches for kind "${kind as string}" in version "${apiVersion as string}"` },
    ]);
  }
  const meta = m.metadata as Json;
  const name = meta.name as string;
  checkMetadata(info, meta, problems);
  checkSpec(info, m, problems);
  if (problems.length > 0) throw invalid(describeObject(info, name), problems);
  return info;
}

/** Fields Kubernetes refuses to change on an existing object (`field is immutable`). */
export function validateUpdate(info: KindInfo, before: Json, after: Json): void {
  const problems: ErrorCause[] = [];
  const was = (before.spec ?? {}) as Json;
  const now = (after.spec ?? {}) as Json;
  const immutable =
    info.kind === 'Job'
      ? ['selector', 'template', 'completions']
      : info.kind === 'StatefulSet'
        ? ['selector', 'serviceName', 'volumeClaimTemplates', 'podManagementPolicy']
        : ['Deployment', 'DaemonSet'].includes(info.kind)
          ? ['selector']
          : [];
  for (const field of immutable) {
    if (!deepEqual(was[field], now[field])) problems.push({ path: `spec.${field}`, message: 'field is immutable' });
  }
  if (problems.length > 0) {
    throw invalid(describeObject(info, String((after.metadata as Json).name)), problems);
  }
}

/** Where a workload kind keeps its pod template. */
export function templatePath(kind: string): readonly string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

export function readPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function checkMetadata(info: KindInfo, meta: Json, problems: ErrorCause[]): void {
  const name = meta.name as string;
  const nameProblem =
    info.kind === 'Namespace' || info.kind === 'Service' ? dns1123LabelProblem(name) : dns1123SubdomainProblem(name);
  if (nameProblem) problems.push({ path: 'metadata.name', message: `Invalid value: "${name}": ${nameProblem}` });
  const ns = meta.namespace;
  if (info.namespaced) {
    if (typeof ns !== 'string' || ns === '') {
      problems.push({ path: 'metadata.namespace', message: `Required value: ${info.kind} is namespaced` });
    } else {
      const p = dns1123LabelProblem(ns);
      if (p) problems.push({ path: 'metadata.namespace', message: `Invalid value: "${ns}": ${p}` });
    }
  } else if (ns !== undefined && ns !== '') {
    problems.push({ path: 'metadata.namespace', message: `Forbidden: ${info.kind} is not namespaced` });
  }
  checkLabels(meta.labels, 'metadata.labels', problems);
  checkStringMap(meta.annotations, 'metadata.annotations', problems);
}

function checkLabels(labels: unknown, path: string, problems: ErrorCause[]): void {
  if (!checkStringMap(labels, path, problems) || labels === undefined) return;
  for (const [k, v] of Object.entries(labels as Record<string, string>)) {
    const slash = k.lastIndexOf('/');
    const prefix = slash === -1 ? undefined : k.slice(0, slash);
    const base = slash === -1 ? k : k.slice(slash + 1);
    if (!LABEL_NAME.test(base) || base.length > 63 || (prefix !== undefined && dns1123SubdomainProblem(prefix))) {
      problems.push({ path: `${path}.${k}`, message: `Invalid value: "${k}": not a valid label key` });
    }
    if (v.length > 63 || !LABEL_VALUE.test(v)) {
      problems.push({
        path: `${path}.${k}`,
        message: `Invalid value: "${v}": a label value must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      });
    }
  }
}

function checkStringMap(value: unknown, path: string, problems: ErrorCause[]): boolean {
  if (value === undefined) return true;
  if (!isObject(value)) {
    problems.push({ path, message: 'Invalid value: must be a map of strings' });
    return false;
  }
  let ok = true;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      problems.push({ path: `${path}.${k}`, message: 'Invalid value: must be a string' });
      ok = false;
    }
  }
  return ok;
}

function checkSpec(info: KindInfo, m: Json, problems: ErrorCause[]): void {
  const spec = m.spec;
  if (info.workload) {
    if (!isObject(spec)) {
      problems.push(req('spec'));
      return;
    }
    checkReplicas(spec, problems);
    if (info.kind === 'CronJob') checkCronJob(spec, problems);
    const path = templatePath(info.kind);
    const template = readPath(m, path);
    checkTemplate(template, path.join('.'), problems);
    if (['Deployment', 'StatefulSet', 'DaemonSet'].includes(info.kind)) checkSelector(spec, template, problems);
  }
  if (info.kind === 'HorizontalPodAutoscaler') checkHpa(spec, problems);
}

function checkReplicas(spec: Json, problems: ErrorCause[]): void {
  for (const field of ['replicas', 'completions', 'parallelism', 'backoffLimit', 'minReadySeconds']) {
    const v = spec[field];
    if (v !== undefined && v !== null && !(Number.isInteger(v) && (v as number) >= 0)) {
      problems.push({
        path: `spec.${field}`,
        message: `Invalid value: ${JSON.stringify(v)}: must be a whole number >= 0`,
      });
    }
  }
}

function checkCronJob(spec: Json, problems: ErrorCause[]): void {
  if (typeof spec.schedule !== 'string' || spec.schedule === '') {
    problems.push(req('spec.schedule'));
  } else {
    const p = cronProblem(spec.schedule);
    if (p) problems.push({ path: 'spec.schedule', message: `Invalid value: "${spec.schedule}": ${p}` });
  }
  if (spec.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: String(spec.timeZone) });
    } catch {
      problems.push({ path: 'spec.timeZone', message: `Invalid value: "${String(spec.timeZone)}": unknown time zone` });
    }
  }
}

function checkTemplate(template: unknown, path: string, problems: ErrorCause[]): void {
  const podSpec = readPath(template, ['spec']);
  const containers = readPath(podSpec, ['containers']);
  if (!Array.isArray(containers) || containers.length === 0) {
    problems.push({ path: `${path}.spec.containers`, message: 'Required value: at least one container' });
    return;
  }
  checkLabels(readPath(template, ['metadata', 'labels']), `${path}.metadata.labels`, problems);
  containers.forEach((c, i) => {
    const at = `${path}.spec.containers[${i}]`;
    if (!isObject(c)) {
      problems.push({ path: at, message: 'Invalid value: must be an object' });
      return;
    }
    if (typeof c.name !== 'string' || c.name === '') problems.push(req(`${at}.name`));
    else if (dns1123LabelProblem(c.name)) {
      problems.push({ path: `${at}.name`, message: `Invalid value: "${c.name}": ${dns1123LabelProblem(c.name)}` });
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') problems.push(req(`${at}.image`));
    for (const section of ['requests', 'limits'] as const) {
      const values = readPath(c, ['resources', section]);
      if (values === undefined) continue;
      if (!isObject(values)) {
        problems.push({ path: `${at}.resources.${section}`, message: 'Invalid value: must be a map of quantities' });
        continue;
      }
      for (const [res, q] of Object.entries(values)) {
        const kind = res === 'cpu' ? 'cpu' : res === 'memory' || res === 'ephemeral-storage' ? 'bytes' : undefined;
        const problem = kind && quantityProblem(kind, q);
        if (problem) problems.push({ path: `${at}.resources.${section}.${res}`, message: `Invalid value: ${problem}` });
      }
    }
    const delay = readPath(c, ['readinessProbe', 'initialDelaySeconds']);
    if (delay !== undefined && !(typeof delay === 'number' && delay >= 0)) {
      problems.push({ path: `${at}.readinessProbe.initialDelaySeconds`, message: 'Invalid value: must be >= 0' });
    }
  });
}

function checkSelector(spec: Json, template: unknown, problems: ErrorCause[]): void {
  const selector = spec.selector;
  if (!isObject(selector) || (selector.matchLabels === undefined && selector.matchExpressions === undefined)) {
    problems.push(req('spec.selector'));
    return;
  }
  const labels = (readPath(template, ['metadata', 'labels']) ?? {}) as Record<string, string>;
  if (!labelSelectorMatches(selector, labels)) {
    problems.push({
      path: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
    });
  }
}

function checkHpa(spec: unknown, problems: ErrorCause[]): void {
  if (!isObject(spec)) {
    problems.push(req('spec'));
    return;
  }
  const ref = spec.scaleTargetRef;
  if (!isObject(ref) || typeof ref.kind !== 'string' || typeof ref.name !== 'string') {
    problems.push(req('spec.scaleTargetRef'));
  }
  const max = spec.maxReplicas;
  const min = spec.minReplicas ?? 1;
  if (!(Number.isInteger(max) && (max as number) >= 1)) {
    problems.push({ path: 'spec.maxReplicas', message: 'Invalid value: must be a whole number >= 1' });
  } else if (!(Number.isInteger(min) && (min as number) >= 1 && (min as number) <= (max as number))) {
    problems.push({ path: 'spec.minReplicas', message: `Invalid value: must be between 1 and maxReplicas (${max})` });
  }
}

function req(path: string): ErrorCause {
  return { path, message: 'Required value' };
}

function invalid(what: string, problems: readonly ErrorCause[]): InputError {
  const text = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join(', ');
  return new InputError(`${what} is invalid: ${text}`, problems, { invalid: true });
}
