import { codedCause, InputError, UnsupportedMediaTypeError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';

/**
 * The Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`), read for the one body kubectl sends in it
 * to polis: a core/v1 Secret (`kubectl create secret …` writes through client-go's typed client, which encodes
 * built-in kinds in protobuf). Pure: bytes in, the JSON form out. Any other kind is 415 naming JSON instead;
 * answers are always JSON (clients accept it: they ask for `…protobuf, application/json`).
 */
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

interface Field {
  readonly no: number;
  readonly wire: number;
  readonly value: bigint | Buffer;
}

function malformed(): InputError {
  const m = msg('ProtobufMalformed');
  return new InputError(m, [codedCause('(body)', m)]);
}

function varint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw malformed();
}

/** The fields of one message, in order (unknown wire types refused). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    at = next;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, n] = varint(buf, at);
      out.push({ no, wire, value: v });
      at = n;
    } else if (wire === 2) {
      const [len, n] = varint(buf, at);
      const end = n + Number(len);
      if (end > buf.length) throw malformed();
      out.push({ no, wire, value: buf.subarray(n, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (at + size > buf.length) throw malformed();
      out.push({ no, wire, value: buf.subarray(at, at + size) });
      at += size;
    } else throw malformed();
  }
  return out;
}

const bytesOf = (f: Field): Buffer => {
  if (!Buffer.isBuffer(f.value)) throw malformed();
  return f.value;
};
const text = (f: Field): string => bytesOf(f).toString('utf8');

function mapEntry(f: Field): [string, Buffer] {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  for (const e of fields(bytesOf(f))) {
    if (e.no === 1) key = text(e);
    else if (e.no === 2) value = bytesOf(e);
  }
  return [key, value];
}

/** meta/v1 ObjectMeta: the fields a client sets on a write (name, namespace, labels, annotations, finalizers …). */
function objectMeta(buf: Buffer): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const finalizers: string[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) meta.name = text(f);
    else if (f.no === 2) meta.generateName = text(f);
    else if (f.no === 3) meta.namespace = text(f);
    else if (f.no === 5) meta.uid = text(f);
    else if (f.no === 6) meta.resourceVersion = text(f);
    else if (f.no === 11) {
      const [k, v] = mapEntry(f);
      labels[k] = v.toString('utf8');
    } else if (f.no === 12) {
      const [k, v] = mapEntry(f);
      annotations[k] = v.toString('utf8');
    } else if (f.no === 14) finalizers.push(text(f));
  }
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'generateName']) if (meta[k] === '') delete meta[k];
  if (Object.keys(labels).length > 0) meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  if (finalizers.length > 0) meta.finalizers = finalizers;
  return meta;
}

/** core/v1 Secret: metadata 1, data 2 (bytes, shown base64 as in JSON), type 3, stringData 4, immutable 5. */
function secret(buf: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Secret' };
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  for (const f of fields(buf)) {
    if (f.no === 1) out.metadata = objectMeta(bytesOf(f));
    else if (f.no === 2) {
      const [k, v] = mapEntry(f);
      data[k] = v.toString('base64');
    } else if (f.no === 3) {
      if (text(f) !== '') out.type = text(f); // protobuf writes an unset string as ''; the server defaults it
    } else if (f.no === 4) {
      const [k, v] = mapEntry(f);
      stringData[k] = v.toString('utf8');
    }
  }
  if (Object.keys(data).length > 0) out.data = data;
  if (Object.keys(stringData).length > 0) out.stringData = stringData;
  return out;
}

/** A protobuf body (the `k8s\0` envelope around a runtime.Unknown) as its JSON form; only v1 Secret is read. */
export function decodeKubeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw malformed();
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1)
      for (const t of fields(bytesOf(f))) {
        if (t.no === 1) apiVersion = text(t);
        else if (t.no === 2) kind = text(t);
      }
    else if (f.no === 2) raw = bytesOf(f);
  }
  if (apiVersion === 'v1' && kind === 'Secret' && raw) return secret(raw);
  const m = msg('ProtobufKindUnsupported', { kind: `${apiVersion || '?'}/${kind || '?'}` });
  throw new UnsupportedMediaTypeError(m, [codedCause('(content-type)', m)]);
}
