/** A faithful fake Kubernetes API server for tests; see docs/fake-kube.md. */
export { startFakeKube } from './server.ts';
export type { FakeKube, FakeKubeOptions, FakeRequest, KubeObject } from './types.ts';
export { startFakeKubeProcess } from './process.ts';
export type { FakeKubeProcess } from './process.ts';
