/** Public types of the fake Kubernetes API server (see docs/fake-kube.md). */
import type { EventNote } from './events.ts';

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Metadata;
};

export interface Metadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'patch' | 'update' | 'delete' | 'deletecollection';

export interface FakeKubeOptions {
  /** Accepted bearer tokens (default ['fake-token']); basic auth user/password pairs also accepted when given. */
  tokens?: string[];
  basic?: { username: string; password: string }[];
  /** The user bearer tokens authenticate as, named in 403 messages (default system:serviceaccount:polis-system:polis). */
  tokenUser?: string;
  /** Nodes to create: default 3 nodes × cpu "8" memory "32Gi" pods "110", named node-1..n, Ready. */
  nodes?: { name: string; cpu: string; memory: string; pods: number; ready?: boolean }[];
  /** Denied operations, answered 403 with the API server's own message. A missing group matches every group. */
  forbid?: { verb: Exclude<Verb, 'deletecollection'>; resource: string; group?: string }[];
  /**
   * RBAC: the text of role files (YAML with ClusterRoles and Roles, e.g. deploy/member-cluster/polis-agent-rbac.yaml)
   * bound to the bearer-token user; a request no rule allows is 403 Forbidden. Absent: everything is allowed
   * (but `forbid`).
   */
  rbac?: string[];
  /** Events kept for watch resumption; an older resourceVersion answers 410 Gone (default 1000). */
  historyLimit?: number;
  /**
   * Bookmark interval for watches with allowWatchBookmarks (default 60 s, as kube-apiserver); bookmarks go only to
   * watches of a resource type that had events since the watch began.
   */
  bookmarkMs?: number;
  /**
   * How long a deleted Namespace stays `Terminating` (deletionTimestamp set, creates in it refused 403) after the
   * objects in it are gone, before it disappears (default 0: at the next pass of the namespace controller).
   */
  namespaceTerminationMs?: number;
  /** Simulated workload controller: pods become Running/Ready (Jobs: Succeeded) this long after they are bound. */
  readyAfterMs?: number;
  version?: { major: string; minor: string; gitVersion: string };
  /**
   * A kubelet that runs containers for real (kubelet.ts): each pod of a Job (restartPolicy Never/OnFailure) is
   * handed to it with its env and Secret files resolved, and ends Succeeded or Failed with the exit code it answers.
   * Absent: pods of Jobs succeed without running anything.
   */
  kubelet?: NonNullable<ContainerRun['hook']>;
}

/** A container the kubelet hook runs: its command, env (Secret references resolved) and mounted files by path. */
export interface ContainerRun {
  namespace: string;
  pod: string;
  container: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** Files of the container's Secret volumes: the absolute path in the container → content. */
  files: Record<string, string>;
  hook?: (run: ContainerRun) => Promise<{ exitCode: number; output: string }>;
}

/**
 * How the server is down. `hang`: no answer (the socket is destroyed after `timeoutMs`). `unavailable`: 503.
 * `starting`: the window while a kube-apiserver starts: /readyz and /healthz answer 500 naming the post-start hooks
 * not yet finished, discovery and resource requests 403 (RBAC not loaded yet), lists 403 or (`lists: 500`) 500 `the
 * server is currently unable to handle the request`. `refused`: the port is closed (ECONNREFUSED), every
 * connection and watch cut, as when the process is gone.
 */
export type DownMode = 'hang' | 'unavailable' | 'starting' | 'refused' | false;

/** One request as the server received it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** get/list/watch/create/patch/update/delete/deletecollection; non-resource paths (discovery, /version) are 'get'. */
  verb: Verb;
  contentType: string | undefined;
  /** The resource (e.g. "deployments"), its API group ('' for core), namespace, name and subresource when the path names one. */
  resource?: string;
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The HTTP status answered (undefined while a request hangs or a watch streams). */
  status?: number;
}

export interface FakeKube {
  readonly url: string;
  /** A kubeconfig (YAML text): cluster `fake` (insecure-skip-tls-verify), the first token or basic user, context `fake`. */
  kubeconfig(opts?: { auth?: 'token' | 'basic'; context?: string }): string;
  /** Every request received from clients (the simulated controllers are not clients). */
  readonly requests: readonly FakeRequest[];
  /** Resource requests since the last reset: reads (get/list/watch) and writes (create/update/patch/delete). */
  counts(): { reads: number; writes: number; byVerb: Record<string, number> };
  resetCounts(): void;
  /** Read an object as stored (undefined when absent). */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Record<string, unknown> | undefined;
  /** Change an object as another field manager would with an update (default manager "kubectl-edit"). */
  edit(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    change: (obj: any) => void, // eslint-disable-line @typescript-eslint/no-explicit-any
    manager?: string,
  ): void;
  /**
   * Fault injection (see DownMode); false heals. Resolves once the change is in effect (for `refused`, once the
   * port is closed; healing from it, once the server listens again on the same port).
   */
  setDown(mode: DownMode, opts?: { timeoutMs?: number; lists?: 403 | 500 }): Promise<void>;
  /** Drop all watch history: a watch or consistent list from an older resourceVersion gets 410 Expired. */
  compact(): void;
  /** A line a pod's container writes (there is no kubelet): served by the pod log subresource, followers get it. */
  writeLog(namespace: string, pod: string, container: string, text: string): void;
  /** An event a kubelet or controller records about `object` (kind, metadata.namespace, name, uid). */
  recordEvent(object: Record<string, unknown>, note: EventNote): void;
  stop(): Promise<void>;
}
