import type { FastifyInstance } from 'fastify';
import { NotAllowedError } from '../kernel/errors.ts';
import type { ResourceService } from '../resources/service.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import type { Principal } from '../tenancy/roles.ts';
import { BufferSink } from './backup-buffer.ts';
import { backupFileName } from './backup-format.ts';
import { auditedBackup, type BackupDeps } from './backup-jobs.ts';

export interface BackupRouteDeps extends BackupDeps {
  readonly resources: ResourceService;
}

/**
 * Whether `p` may take a backup: it holds every department's objects and sealed secrets, token hashes and the whole
 * audit log, so only a platform-admin (who may create platform objects) may.
 */
export function mayBackUp(p: Principal): boolean {
  return authorize(p, { verb: 'create', kind: 'Backup', category: 'tenancy', scope: 'platform' }).allowed;
}

/** GET /api/v1/backup: a consistent online backup of the whole store, as one file (platform-admin only, audited). */
export function registerBackupRoutes(app: FastifyInstance, deps: BackupRouteDeps): void {
  app.get(
    '/api/v1/backup',
    {
      schema: {
        tags: ['operations'],
        summary:
          'A consistent snapshot of every object, the audit chain and the sealed secrets, as one gzip file (platform-admin only; audited)',
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const p = principalOf(req);
      if (!mayBackUp(p)) {
        const e = new NotAllowedError(
          `user "${p.user}" may not take a backup: it holds every department's data; needs platform-admin`,
          [{ path: 'backup', code: 'BackupNotAllowed', params: { user: p.user }, message: 'needs platform-admin' }],
        );
        await deps.resources.recordFailure(ctx, { verb: 'backup', kind: 'Backup' }, e);
        throw e;
      }
      // Read into memory (compressed) first: a slow client must not hold the snapshot (on SQLite, the connection).
      const sink = new BufferSink();
      const at = deps.now();
      const done = await auditedBackup(deps, ctx, sink, async (s) => ({
        name: backupFileName(at, s.revision),
        bytes: sink.size,
      }));
      return reply
        .type('application/gzip')
        .header('content-disposition', `attachment; filename="${done.name}"`)
        .header('x-polis-backup-revision', String(done.revision))
        .header('x-polis-backup-objects', String(done.objects))
        .header('x-polis-backup-audit-entries', String(done.auditEntries))
        .header('x-polis-backup-sha256', done.sha256)
        .send(sink.contents());
    },
  );
}
