import { Writable } from 'node:stream';

/** A Writable that keeps what it is given, for a backup served or checked from memory. */
export class BufferSink extends Writable {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    callback();
  }
  get size(): number {
    return this.#size;
  }
  /** Everything written, as one buffer. */
  contents(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}
