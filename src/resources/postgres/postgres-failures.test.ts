import { describe, expect, it } from 'vitest';
import { postgresStorageFailure } from './postgres-failures.ts';

const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('PostgreSQL errors that mean the database cannot be reached', () => {
  it('are StoreUnavailable: refused or reset connections, a server shutting down or starting, a lost connection', () => {
    for (const e of [
      err('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      err('read ECONNRESET', 'ECONNRESET'),
      err('terminating connection due to administrator command', '57P01'),
      err('the database system is starting up', '57P03'),
      err('connection failure', '08006'),
      err('Connection terminated unexpectedly'),
    ])
      expect(postgresStorageFailure(e), e.message).toMatchObject({ reason: 'StoreUnavailable' });
    expect(postgresStorageFailure(err('x', '57P01'))).toMatchObject({ ioCode: '57P01' });
  });

  it('are not a violated constraint, a bad statement or anything else', () => {
    expect(postgresStorageFailure(err('duplicate key value violates unique constraint', '23505'))).toBeUndefined();
    expect(postgresStorageFailure(err('syntax error at or near', '42601'))).toBeUndefined();
    expect(postgresStorageFailure(new Error('boom'))).toBeUndefined();
    expect(postgresStorageFailure(undefined)).toBeUndefined();
  });
});
