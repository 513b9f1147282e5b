import { describe, expect, it } from 'vitest';
import { osStorageFailure, StoreUnavailableError } from './store-errors.ts';

describe('storage failures', () => {
  it.each([
    ['EROFS', 'StoreReadOnly'],
    ['EACCES', 'StoreReadOnly'],
    ['ENOSPC', 'StoreDiskFull'],
    ['EIO', 'StoreIOError'],
  ])('reads the OS error %s as %s', (code, reason) => {
    const e = Object.assign(new Error(`${code}: open '/var/lib/polis/polis.db-wal'`), { code });
    expect(osStorageFailure(e)).toMatchObject({ reason, ioCode: code });
  });

  it('leaves other errors alone', () => {
    expect(osStorageFailure(new Error('boom'))).toBeUndefined();
    expect(osStorageFailure(Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR' }))).toBeUndefined();
  });

  it('is a 503 whose cause names the reason and the I/O code, keeping the original error as its cause', () => {
    const io = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const e = new StoreUnavailableError(osStorageFailure(io)!, io);
    expect(e.status).toBe(503);
    expect(e.causes).toEqual([
      expect.objectContaining({ path: '(store)', code: 'StoreDiskFull', params: { ioCode: 'ENOSPC' } }),
    ]);
    expect(e.cause).toBe(io);
  });
});
