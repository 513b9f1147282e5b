/** Requests, capacity or use in the units placement works in. */
export interface Resources {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly pods: number;
}

export const NO_RESOURCES: Resources = { cpuMilli: 0, memoryBytes: 0, pods: 0 };

/**
 * What a container that declares no request (or a zero one) counts as, and what the LimitRange polis renders in
 * every application namespace gives it: nothing placed is ever free.
 */
export const DEFAULT_REQUEST = { cpu: '100m', memory: '128Mi' } as const;
export const DEFAULT_REQUEST_UNITS = { cpuMilli: 100, memoryBytes: 128 * 1024 * 1024 } as const;
