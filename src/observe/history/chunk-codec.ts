import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** One point: epoch ms and value. */
export type Point = readonly [t: number, value: number];

const VERSION = 1;

/**
 * Encodes the points of one chunk (ascending, on `stepMs` slots from `startAt`) compactly: a header (version,
 * resolution), then per point the gap in slots since the previous point and the change of the change of the value
 * quantized to `resolution`, both as variable-length integers, the whole deflated. A smooth series costs about a byte a point
 * or less; a constant one almost nothing. Values are kept to `resolution` (half of it at worst): the resolution is
 * chosen per signal (1 ms of latency, 0.001 requests per second …), finer than any chart shows.
 */
export function encodeChunk(points: readonly Point[], startAt: number, stepMs: number, resolution: number): Uint8Array {
  const out: number[] = [VERSION];
  const header = new DataView(new ArrayBuffer(8));
  header.setFloat64(0, resolution);
  for (let i = 0; i < 8; i++) out.push(header.getUint8(i));
  let slot = -1;
  let q = 0;
  let d = 0;
  for (const [t, v] of points) {
    const s = Math.round((t - startAt) / stepMs);
    if (s <= slot || !Number.isFinite(v)) continue;
    pushVarint(out, s - slot - 1);
    const next = Math.round(v / resolution);
    // The change of the change: a smooth series' second differences are small.
    pushVarint(out, zigzag(next - q - d));
    slot = s;
    d = next - q;
    q = next;
  }
  return deflateRawSync(Uint8Array.from(out));
}

/** The points `encodeChunk` wrote; throws on bytes it did not write. */
export function decodeChunk(data: Uint8Array, startAt: number, stepMs: number): Point[] {
  const bytes = inflateRawSync(data);
  if (bytes[0] !== VERSION) throw new Error(`unknown history chunk version ${bytes[0]}`);
  const resolution = new DataView(bytes.buffer, bytes.byteOffset + 1, 8).getFloat64(0);
  const points: Point[] = [];
  const pos = { i: 9 };
  let slot = -1;
  let q = 0;
  let d = 0;
  while (pos.i < bytes.length) {
    slot += readVarint(bytes, pos) + 1;
    d += unzigzag(readVarint(bytes, pos));
    q += d;
    points.push([startAt + slot * stepMs, round(q * resolution, resolution)]);
  }
  return points;
}

/** q · resolution without the binary noise (0.1 + 0.2) that multiplication leaves. */
function round(v: number, resolution: number): number {
  const digits = Math.max(0, Math.min(15, Math.ceil(-Math.log10(resolution))));
  return Number(v.toFixed(digits));
}

// Arithmetic, not bitwise: quantized values may pass 2^31.
function zigzag(n: number): number {
  return n >= 0 ? 2 * n : -2 * n - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function pushVarint(out: number[], n: number): void {
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function readVarint(bytes: Uint8Array, pos: { i: number }): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[pos.i++];
    if (b === undefined) throw new Error('truncated history chunk');
    n += (b & 127) * scale;
    if (b < 128) return n;
    scale *= 128;
  }
}
