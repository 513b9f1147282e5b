import { describe, expect, it } from 'vitest';
import { decodeKubeProtobuf } from './kube-protobuf.ts';

/** A minimal protobuf writer, enough to build what client-go sends. */
const varint = (n: number): Buffer => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
};
const field = (no: number, value: Buffer | string): Buffer => {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((no << 3) | 2), varint(bytes.length), bytes]);
};
const entry = (no: number, key: string, value: Buffer | string) =>
  field(no, Buffer.concat([field(1, key), field(2, value)]));
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'binary'),
    field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])),
    field(2, raw),
    field(3, ''),
    field(4, ''),
  ]);

describe('Kubernetes protobuf bodies', () => {
  it('reads a v1 Secret as kubectl create secret sends it: data base64, empty strings left out', () => {
    const meta = Buffer.concat([field(1, 'db-login'), field(2, ''), field(3, 'edu'), entry(11, 'app', 'portal')]);
    const secret = Buffer.concat([field(1, meta), entry(2, 'password', Buffer.from([0, 1, 2, 255])), field(3, '')]);
    expect(decodeKubeProtobuf(envelope('v1', 'Secret', secret))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-login', namespace: 'edu', labels: { app: 'portal' } },
      data: { password: Buffer.from([0, 1, 2, 255]).toString('base64') },
    });
  });

  it('refuses other kinds with a 415 saying to send JSON, and malformed bytes with a 400', () => {
    expect(() => decodeKubeProtobuf(envelope('v1', 'ConfigMap', Buffer.alloc(0)))).toThrow(
      expect.objectContaining({ status: 415, detail: expect.objectContaining({ code: 'ProtobufKindUnsupported' }) }),
    );
    expect(() => decodeKubeProtobuf(Buffer.from('{"kind":"Secret"}'))).toThrow(
      expect.objectContaining({ status: 400, detail: expect.objectContaining({ code: 'ProtobufMalformed' }) }),
    );
    const truncated = envelope('v1', 'Secret', field(1, field(1, 'x'))).subarray(0, 20);
    expect(() => decodeKubeProtobuf(truncated)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
