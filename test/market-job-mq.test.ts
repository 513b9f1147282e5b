import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Owner } from '../src/clusters/driver.ts';
import type { KubernetesDriver } from '../src/clusters/drivers/kubernetes/index.ts';
import { kafkaProvisionScript, kafkaRevokeScript } from '../src/market/provisioners/kafka-statements.ts';
import { JOB_IMAGES, jobManifests, jobName } from '../src/market/provisioners/job-manifests.ts';
import { jobProvisioner } from '../src/market/provisioners/job-provisioner.ts';
import {
  minioBucket,
  minioPolicy,
  minioProvisionScript,
  minioRevokeScript,
} from '../src/market/provisioners/minio-statements.ts';
import type { AdminEndpoint, Grant, Provisioner } from '../src/market/provisioners/index.ts';
import { ProvisionerError, grantId } from '../src/market/provisioners/index.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import type { ContainerRun } from './support/fake-kube/types.ts';
import { settleJob, startJobCluster } from './support/job-cluster.ts';
import { installStandIns, kafkaReaches, minioReaches, readKafka, readMinio } from './support/mq-stand-ins.ts';

/**
 * Kafka and MinIO through the Job path. No Kafka or MinIO server exists in Debian's packages on this machine, so the
 * Job flow runs the rendered scripts against STAND-INS for `kafka-configs.sh`, `kafka-acls.sh` and `mc`
 * (test/support/mq-stand-ins.ts) put first on PATH: they keep the server's state in a temp dir and refuse what the
 * real servers refuse. What is shown: the scripts as rendered (every step, the idempotent forms, no password in an
 * argument or the Job's spec), and the Job flow on the fake API server with the local kubelet: provision, a retry
 * after a failed Job (a crashed container, and a script interrupted halfway), revoke, a revoke of nothing, and
 * nothing left (Jobs, Secrets, users, ACLs, policies, buckets).
 */

const grant = (t: string): Grant => ({ id: grantId(t, 'mq', 'uid-1'), password: `pw-${t}-0123456789abcdef_Zx` });
const admin: AdminEndpoint = { host: '127.0.0.1', port: 19092, username: 'polis_admin', password: 'Adm1n-secret_x' };

describe('the Kafka and MinIO scripts', () => {
  const g = grant('edu');
  it('Kafka: a SCRAM-SHA-512 credential from a file, All on topics and groups prefixed `b_….`, admin from env', () => {
    const s = kafkaProvisionScript(g);
    expect(s).toContain('PATH="/opt/kafka/bin:$PATH"');
    expect(s).toContain(`SCRAM-SHA-512=[iterations=8192,password=${g.password}]`);
    expect(s).toContain(
      `kafka-configs.sh --alter --entity-type users --entity-name '${g.id}' --add-config-file "$t/scram.properties"`,
    );
    expect(s).toContain(
      `kafka-acls.sh --add --allow-principal 'User:${g.id}' --operation All --topic '${g.id}.' --group '${g.id}.' --resource-pattern-type prefixed`,
    );
    // The admin's login is a client.properties written from the environment; every command names it.
    expect(s).toContain('username="$POLIS_USER" password="$POLIS_PASSWORD"');
    expect(s).toContain('--command-config "$t/client.properties"');
    // Nothing but the two prefixed ACLs: no cluster, transactional-id or literal grant.
    expect(s).not.toMatch(/--cluster|--transactional-id|--resource-pattern-type literal/);
    const r = kafkaRevokeScript(g.id);
    expect(r).toContain(`kafka-acls.sh --remove --force --allow-principal 'User:${g.id}'`);
    expect(r).toContain(
      `gone_ok 'does not exist' admin kafka-configs.sh --alter --entity-type users --entity-name '${g.id}' --delete-config SCRAM-SHA-512`,
    );
    expect(r).not.toContain('SCRAM-SHA-512=[');
  });

  it('MinIO: alias from env, the bucket, a policy on it only, the user with its key on stdin, attached', () => {
    const s = minioProvisionScript(g);
    const bucket = minioBucket(g.id);
    expect(bucket).toBe(g.id.replace('_', '-'));
    expect(s).toContain(
      'export MC_HOST_polis="${POLIS_SCHEME:-http}://$POLIS_USER:$POLIS_PASSWORD@$POLIS_HOST:$POLIS_PORT"',
    );
    expect(s).toContain(`mc mb --ignore-existing 'polis/${bucket}'`);
    expect(JSON.parse(minioPolicy(g.id))).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:*'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
      ],
    });
    expect(s).toContain(minioPolicy(g.id));
    expect(s).toContain(`mc admin policy create polis '${g.id}' "$MC_CONFIG_DIR/policy.json"`);
    expect(s).toContain(`printf '%s\\n' '${g.password}' | mc admin user add polis '${g.id}'\n`);
    expect(s).toContain(`tolerate 'already in effect' mc admin policy attach polis '${g.id}' --user '${g.id}'`);
    const r = minioRevokeScript(g.id);
    expect(r).toContain(`tolerate 'does not exist' mc admin user remove polis '${g.id}'`);
    expect(r).toContain(`tolerate 'does not exist' mc admin policy remove polis '${g.id}'`);
    expect(r).toContain(`tolerate 'does not exist' mc rb --force 'polis/${bucket}'`);
    expect(r.indexOf('user remove')).toBeLessThan(r.indexOf('policy remove'));
  });

  it('the Job names only Secret keys: no password in its spec, its command or its env values', () => {
    for (const engine of ['kafka', 'minio'] as const)
      for (const op of ['provision', 'revoke'] as const) {
        const { secret, job } = jobManifests({ engine, op, namespace: 'ns', admin, grant: g, deadlineSeconds: 300 });
        const text = JSON.stringify(job);
        expect(text).not.toContain(g.password);
        expect(text).not.toContain(admin.password);
        expect(text).toContain(JOB_IMAGES[engine]);
        expect(text).toContain('"exec sh statements.sh"');
        const data = (secret.data ?? {}) as Record<string, string>;
        expect(Buffer.from(data.password!, 'base64').toString()).toBe(admin.password);
        expect(Buffer.from(data.statements!, 'base64').toString()).toContain(engine === 'kafka' ? 'kafka-' : 'mc ');
      }
  });
});

let fake: FakeKube;
let driver: KubernetesDriver;
let dir: string;
const savedPath = process.env.PATH;
const runs: ContainerRun[] = [];
const failOnce = new Set<string>();
const owner: Owner = { tenant: 'platform', app: 'shared-mq', namespace: 'platform--shared-mq' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mq-stand-ins-'));
  // The local kubelet runs a Job's command with this process's PATH: the stand-ins come first.
  process.env.PATH = `${installStandIns(dir, admin)}:${savedPath ?? '/usr/bin:/bin'}`;
  ({ fake, driver } = await startJobCluster(owner, runs, failOnce));
}, 60_000);
afterAll(async () => {
  process.env.PATH = savedPath;
  driver?.close();
  await fake?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Calls a provisioner step until it stops answering "pending", as the binding reconciler's requeues do. */
const settle = <T>(call: () => Promise<T>, errors?: ProvisionerError[]): Promise<T> => settleJob(call, 1200, errors);

const ENGINES = [
  {
    engine: 'kafka',
    reaches: (g: Grant, password: string, of: Grant) => kafkaReaches(dir, g.id, password, `${of.id}.orders`),
    left: () => {
      const s = readKafka(dir);
      return [...Object.keys(s.users), ...s.acls.map((a) => `${a.principal} ${a.resource} ${a.name}`)];
    },
    // Halfway: the credential is set, the ACLs are not.
    interruptAt: 'kafka-acls.sh --add',
  },
  {
    engine: 'minio',
    reaches: (g: Grant, password: string, of: Grant) => minioReaches(dir, g.id, password, minioBucket(of.id)),
    left: () => {
      const s = readMinio(dir);
      return [...Object.keys(s.users), ...Object.keys(s.policies), ...Object.keys(s.buckets)];
    },
    // Halfway: bucket, policy and user made, the policy not attached.
    interruptAt: 'admin policy attach',
  },
] as const;

for (const e of ENGINES) {
  describe(`${e.engine}: the Job provisioner on stand-ins for its command-line tools`, () => {
    let p: Provisioner;
    const [edu, tax] = [grant(`edu-${e.engine}`), grant(`tax-${e.engine}`)] as [Grant, Grant];
    beforeAll(() => {
      p = jobProvisioner(e.engine, { cluster: 'k8s-east', driver, owner, now: () => Date.now(), pollMs: 50 });
    });

    it('provisions through a Job: each binding reaches its own topics or bucket and not the other', async () => {
      const before = runs.length;
      for (const g of [edu, tax]) {
        const granted = await settle(() => p.provision(admin, g));
        expect(granted.username).toBe(g.id);
        if (e.engine === 'kafka') expect(granted.prefix).toBe(`${g.id}.`);
        else expect(granted.database).toBe(minioBucket(g.id));
      }
      const mine = runs.slice(before);
      expect(mine.map((r) => r.pod.replace(/-[a-z0-9]{5}$/, ''))).toEqual(
        [edu, tax].map((g) => jobName('provision', g.id)),
      );
      for (const r of mine) {
        expect(r.image).toBe(JOB_IMAGES[e.engine]);
        expect(JSON.stringify(r.command)).not.toContain(edu.password);
        expect(JSON.stringify(r.command)).not.toContain(admin.password);
      }
      expect(e.reaches(edu, edu.password, edu)).toBe(true);
      expect(e.reaches(tax, tax.password, tax)).toBe(true);
      expect(e.reaches(edu, edu.password, tax)).toBe(false);
      expect(e.reaches(tax, tax.password, edu)).toBe(false);
      expect(e.reaches(edu, tax.password, edu)).toBe(false);
      for (const g of [edu, tax]) {
        expect(fake.get('batch/v1', 'Job', owner.namespace, jobName('provision', g.id))).toBeUndefined();
        expect(fake.get('v1', 'Secret', owner.namespace, jobName('provision', g.id))).toBeUndefined();
      }
      // No password was ever an argument of a tool.
      const log = readFileSync(join(dir, 'args.log'), 'utf8');
      for (const secret of [edu.password, tax.password, admin.password]) expect(log).not.toContain(secret);
    }, 240_000);

    it('retries a failed Job, and a script interrupted halfway converges on the re-run', async () => {
      // A container that crashed before doing anything.
      failOnce.add(jobName('provision', edu.id));
      const errors: ProvisionerError[] = [];
      await settle(() => p.provision(admin, edu), errors);
      // A tool that failed halfway through the script (the steps before it done), then a re-run of all of it.
      writeFileSync(join(dir, 'fail-on'), e.interruptAt);
      await settle(() => p.provision(admin, edu), errors);
      expect(errors.map((x) => x.detail.params?.detail)).toMatchObject([
        { code: 'MarketProvisionerJobFailed' },
        { code: 'MarketProvisionerJobFailed' },
      ]);
      expect(e.reaches(edu, edu.password, edu)).toBe(true);
      expect(e.reaches(edu, edu.password, tax)).toBe(false);
      expect(fake.get('batch/v1', 'Job', owner.namespace, jobName('provision', edu.id))).toBeUndefined();
    }, 240_000);

    it('revokes through a Job: the credentials reach nothing, nothing is left, and a revoke of nothing succeeds', async () => {
      for (const g of [edu, tax]) await settle(() => p.revoke(admin, { id: g.id, password: '' }));
      for (const g of [edu, tax]) {
        expect(e.reaches(g, g.password, g)).toBe(false);
        for (const op of ['provision', 'revoke'] as const) {
          expect(fake.get('batch/v1', 'Job', owner.namespace, jobName(op, g.id))).toBeUndefined();
          expect(fake.get('v1', 'Secret', owner.namespace, jobName(op, g.id))).toBeUndefined();
        }
      }
      expect(e.left()).toEqual([]);
      // A retry after a crash, and a revoke of a binding never provisioned: both succeed without a failed Job.
      const errors: ProvisionerError[] = [];
      await settle(() => p.revoke(admin, { id: edu.id, password: '' }), errors);
      await settle(() => p.revoke(admin, { id: grant('never').id, password: '' }), errors);
      expect(errors).toEqual([]);
      expect(e.left()).toEqual([]);
    }, 240_000);
  });
}
