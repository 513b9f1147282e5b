import type { SimNodeSpec } from './nodes.ts';

export type { SimNodeSpec };

/** A simulated member cluster: where it is, what it costs and the nodes it has. */
export interface SimClusterSpec {
  readonly name: string;
  readonly vendor: string;
  readonly region: string;
  readonly zone: string;
  /** The network it sits on (`e-gov-extranet`, `internet`): a data-residency boundary. */
  readonly networkZone: string;
  readonly role: 'primary' | 'burst' | 'disaster-recovery';
  readonly labels: Readonly<Record<string, string>>;
  /** Yuan per vCPU-hour and per GiB-hour. */
  readonly prices: { readonly cpuCoreHour: number; readonly memoryGiBHour: number };
  readonly nodes: readonly SimNodeSpec[];
}
