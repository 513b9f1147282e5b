import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { isObject, stringList, unknownKeys } from './policy-fields.ts';
import type { ResidencyPolicy } from './types.ts';

const RESIDENCY_PROPERTIES = ['clusters', 'regions', 'zones', 'networkZones'] as const;

/**
 * Reads the properties of a `type: residency` policy at `at`. A residency that restricts nothing is refused: it would
 * read as a boundary while allowing everything.
 */
export function parseResidencyProperties(
  raw: unknown,
  at: string,
): { ok: true; residency: ResidencyPolicy } | { ok: false; errors: ErrorCause[] } {
  const needs = msg('ResidencyNeeds', { accepted: RESIDENCY_PROPERTIES.join(', ') });
  if (raw === undefined) return { ok: false, errors: [codedCause(at, msg('PolicyRequiredNeeds', { needs }))] };
  if (!isObject(raw)) return { ok: false, errors: [codedCause(at, msg('PolicyNotObjectNeeds', { needs }))] };
  const errors: ErrorCause[] = [];
  unknownKeys(raw, RESIDENCY_PROPERTIES, at, errors);
  const list = (key: string, what: string) => stringList(raw[key], `${at}.${key}`, what, errors) ?? [];
  const residency: ResidencyPolicy = {
    clusters: list('clusters', 'cluster names'),
    regions: list('regions', 'regions'),
    zones: list('zones', 'zones'),
    networkZones: list('networkZones', 'network zones'),
  };
  if (errors.length > 0) return { ok: false, errors };
  if (RESIDENCY_PROPERTIES.every((k) => residency[k].length === 0))
    return { ok: false, errors: [codedCause(at, needs)] };
  return { ok: true, residency };
}
