import type { TenantSharingSpec } from '../placement/sharing.ts';
import { sharingDepartment } from '../placement/sharing.ts';

/** A cluster as the guarantee check reads it from its object (spec.role, spec.cordoned, status). */
export interface PrivateCapacitySource {
  readonly role: string;
  readonly cordoned?: boolean;
  readonly deleting?: boolean;
  readonly health?: string;
  readonly allocatable?: { readonly cpuMilli: number; readonly memoryBytes: number };
}

/** A warning about the whole platform, with a stable reason code, its figures, and an English fallback. */
export interface PlatformWarning {
  readonly reason: 'GuaranteesOvercommitted';
  readonly message: string;
  readonly params: {
    /** Sum of the departments' guarantees (quota cpu, cores; quota memory, bytes). */
    readonly guaranteeCpu: number;
    readonly guaranteeMemory: number;
    /** Allocatable of the healthy private (non-burst) clusters together. */
    readonly capacityCpu: number;
    readonly capacityMemory: number;
    /** The healthy private clusters counted. */
    readonly clusters: number;
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * `GuaranteesOvercommitted` when the departments' guarantees add up to more than the healthy private capacity in
 * cpu or memory: then a guarantee cannot be kept for all at once (pure). Healthy as for placement: Ready or
 * Suspect, not cordoned, not being deleted. Nothing while a private cluster has not been probed yet (Unknown),
 * since its capacity is not known.
 */
export function guaranteeWarnings(
  tenants: readonly TenantSharingSpec[],
  clusters: readonly PrivateCapacitySource[],
): PlatformWarning[] {
  const privates = clusters.filter((c) => c.role !== 'burst' && !c.deleting);
  if (privates.some((c) => !c.cordoned && (c.health === undefined || c.health === 'Unknown'))) return [];
  let capCpu = 0;
  let capMem = 0;
  let healthy = 0;
  for (const c of privates) {
    if (c.cordoned || (c.health !== 'Ready' && c.health !== 'Suspect') || !c.allocatable) continue;
    capCpu += c.allocatable.cpuMilli;
    capMem += c.allocatable.memoryBytes;
    healthy++;
  }
  let gCpu = 0;
  let gMem = 0;
  for (const t of tenants) {
    const g = sharingDepartment('', t).guarantee;
    gCpu += g.cpuMilli ?? 0;
    gMem += g.memoryBytes ?? 0;
  }
  if (gCpu <= capCpu && gMem <= capMem) return [];
  const params = {
    guaranteeCpu: round3(gCpu / 1000),
    guaranteeMemory: gMem,
    capacityCpu: round3(capCpu / 1000),
    capacityMemory: capMem,
    clusters: healthy,
  };
  const gib = (b: number) => `${Math.round((b / 1024 ** 3) * 10) / 10} GiB`;
  return [
    {
      reason: 'GuaranteesOvercommitted',
      message:
        `the departments' guarantees (${params.guaranteeCpu} cores, ${gib(gMem)}) exceed the healthy private ` +
        `capacity (${params.capacityCpu} cores, ${gib(capMem)} on ${healthy} cluster(s)): not every guarantee can be kept at once`,
      params,
    },
  ];
}
