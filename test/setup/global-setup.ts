import type { TestProject } from 'vitest/node';
import { findPostgresBin, startTempPostgres } from './temp-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a PostgreSQL server tests may create databases on; null when none is available (tests skip). */
    pgUrl: string | null;
  }
}

/**
 * Vitest global setup: provides `pgUrl` (read it with `inject('pgUrl')`, or use test/setup/backends.ts). Uses
 * POLIS_TEST_DATABASE_URL when set; otherwise starts a private PostgreSQL from /usr/lib/postgresql and stops it at
 * teardown. Without PostgreSQL the PostgreSQL tests are skipped, except under CI, where that is an error.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.POLIS_TEST_DATABASE_URL;
  if (given) {
    project.provide('pgUrl', given);
    return async () => {};
  }
  const bin = findPostgresBin();
  if (bin === undefined) {
    if (process.env.CI && process.env.CI !== 'false') {
      throw new Error(
        'PostgreSQL is required under CI: install postgresql (initdb under /usr/lib/postgresql/<version>/bin) or set POLIS_TEST_DATABASE_URL',
      );
    }
    console.warn('PostgreSQL not found: PostgreSQL store tests are SKIPPED (install postgresql to run them)');
    project.provide('pgUrl', null);
    return async () => {};
  }
  const server = await startTempPostgres(bin);
  process.env.POLIS_TEST_DATABASE_URL = server.url;
  project.provide('pgUrl', server.url);
  return async () => {
    server.stop();
    delete process.env.POLIS_TEST_DATABASE_URL;
  };
}
