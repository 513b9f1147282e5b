/** Requests, capacity or use in the units placement works in. */
export interface Resources {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly pods: number;
}

export const NO_RESOURCES: Resources = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
