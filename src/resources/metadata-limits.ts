import type { ErrorCause } from '../kernel/errors.ts';

/**
 * Kubernetes' limits on labels and annotations (apimachinery's ValidateLabels and ValidateAnnotations), applied to
 * every kind's metadata, plus one of polis's own: a bound on the number of labels, which Kubernetes leaves to the
 * object size limit.
 */
export const METADATA_LIMITS = {
  /** The optional prefix of a key: a DNS subdomain. */
  keyPrefixMaxLength: 253,
  /** The name part of a key, and a label value. */
  nameMaxLength: 63,
  /** Keys plus values of all annotations of one object, in bytes (Kubernetes' TotalAnnotationSizeLimitB). */
  annotationsMaxBytes: 256 * 1024,
  /** polis's own bound; rendered objects copy labels, and selectors index them. */
  maxLabels: 256,
} as const;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const KEY_ACCEPTS =
  'an optional DNS-subdomain prefix (at most 253 characters) and "/", then a name of at most 63 characters ' +
  '[A-Za-z0-9-_.], starting and ending alphanumeric';

type Field = 'labels' | 'annotations';

/** `metadata.labels["app.kubernetes.io/name"]`: keys hold dots and slashes, so they are quoted. */
export function metadataKeyPath(prefix: string, field: Field, key: string): string {
  return `${prefix}metadata.${field}[${JSON.stringify(key)}]`;
}

/** The problem with a label or annotation key (Kubernetes' qualified name), or undefined. */
export function qualifiedKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return `the prefix before "/" is empty; expected ${KEY_ACCEPTS}`;
    if (prefix.length > METADATA_LIMITS.keyPrefixMaxLength)
      return `the prefix is ${prefix.length} characters; expected ${KEY_ACCEPTS}`;
    if (!DNS_SUBDOMAIN.test(prefix)) return `the prefix "${prefix}" is not a DNS subdomain; expected ${KEY_ACCEPTS}`;
  }
  if (name.length === 0) return `the name part is empty; expected ${KEY_ACCEPTS}`;
  if (name.length > METADATA_LIMITS.nameMaxLength)
    return `the name part is ${name.length} characters; expected ${KEY_ACCEPTS}`;
  if (!QUALIFIED_NAME.test(name)) return `the name part "${name}" has characters not accepted; expected ${KEY_ACCEPTS}`;
  return undefined;
}

/** The problem with a label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > METADATA_LIMITS.nameMaxLength)
    return `the value is ${value.length} characters; label values are empty or at most 63 characters [A-Za-z0-9-_.], starting and ending alphanumeric`;
  if (!QUALIFIED_NAME.test(value))
    return 'label values are empty or at most 63 characters [A-Za-z0-9-_.], starting and ending alphanumeric';
  return undefined;
}

/**
 * Every problem with an object's labels and annotations, each with its path (`metadata.labels["x"]`), a stable code
 * and its parameters. Values that are not strings are left to the schema.
 */
export function metadataMapCauses(metadata: unknown, prefix = ''): ErrorCause[] {
  if (typeof metadata !== 'object' || metadata === null) return [];
  const { labels, annotations } = metadata as { labels?: unknown; annotations?: unknown };
  const causes: ErrorCause[] = [];
  if (isRecord(labels)) {
    const keys = Object.keys(labels);
    if (keys.length > METADATA_LIMITS.maxLabels)
      causes.push({
        path: `${prefix}metadata.labels`,
        code: 'TooManyLabels',
        params: { count: keys.length, limit: METADATA_LIMITS.maxLabels },
        message: `${keys.length} labels; an object may carry at most ${METADATA_LIMITS.maxLabels} (keep the rest in annotations)`,
      });
    else
      for (const key of keys) {
        const path = metadataKeyPath(prefix, 'labels', key);
        const keyProblem = qualifiedKeyProblem(key);
        if (keyProblem) causes.push({ path, code: 'InvalidLabelKey', params: { key }, message: keyProblem });
        const value = labels[key];
        const valueProblem = typeof value === 'string' ? labelValueProblem(value) : undefined;
        if (valueProblem)
          causes.push({
            path,
            code: 'InvalidLabelValue',
            params: { key, limit: METADATA_LIMITS.nameMaxLength },
            message: valueProblem,
          });
      }
  }
  if (isRecord(annotations)) {
    let bytes = 0;
    for (const [key, value] of Object.entries(annotations)) {
      const keyProblem = qualifiedKeyProblem(key);
      if (keyProblem)
        causes.push({
          path: metadataKeyPath(prefix, 'annotations', key),
          code: 'InvalidAnnotationKey',
          params: { key },
          message: keyProblem,
        });
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
    if (bytes > METADATA_LIMITS.annotationsMaxBytes)
      causes.push({
        path: `${prefix}metadata.annotations`,
        code: 'AnnotationsTooLarge',
        params: { bytes, limit: METADATA_LIMITS.annotationsMaxBytes },
        message: `annotations total ${bytes} bytes (keys and values); at most ${METADATA_LIMITS.annotationsMaxBytes} bytes (256 KiB) are accepted`,
      });
  }
  return causes;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
