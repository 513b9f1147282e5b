import { connect } from 'node:net';

/**
 * The login of an AMQP 0-9-1 client, as far as opening a virtual host (the tests' truth about a RabbitMQ binding:
 * its credentials open its own vhost and no other, and nothing after revoke). Speaks the protocol's handshake itself
 * (protocol header, Start/Start-Ok with PLAIN, Tune/Tune-Ok, Open/Open-Ok), so the tests need no AMQP library.
 */
export type AmqpLogin =
  | {
      readonly ok: true;
      /** Resolves with the server's reason when it closes the connection (or the socket ends). */
      readonly closed: Promise<string>;
      close(): void;
    }
  | { readonly ok: false; readonly reason: string };

const FRAME_END = 0xce;

function shortstr(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length]), b]);
}

function longstr(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** The client-properties table: capabilities.authentication_failure_close, so a refused login is explained. */
function clientProperties(): Buffer {
  const capabilities = Buffer.concat([shortstr('authentication_failure_close'), Buffer.from('t'), Buffer.from([1])]);
  const entry = Buffer.concat([shortstr('capabilities'), Buffer.from('F'), longstr(capabilities)]);
  return longstr(entry);
}

function method(classId: number, methodId: number, args: Buffer): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(classId, 0);
  payload.writeUInt16BE(methodId, 2);
  const body = Buffer.concat([payload, args]);
  const head = Buffer.alloc(7);
  head.writeUInt8(1, 0); // method frame
  head.writeUInt16BE(0, 1); // channel 0: the connection
  head.writeUInt32BE(body.length, 3);
  return Buffer.concat([head, body, Buffer.from([FRAME_END])]);
}

/** Connection.Close's reply code and text, e.g. "530 NOT_ALLOWED - vhost … not found". */
function closeReason(args: Buffer): string {
  const code = args.readUInt16BE(0);
  const text = args.subarray(3, 3 + args.readUInt8(2)).toString();
  return `${code} ${text}`;
}

export function amqpLogin(
  host: string,
  port: number,
  user: string,
  password: string,
  vhost: string,
  timeoutMs = 30_000,
): Promise<AmqpLogin> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    let opened = false;
    let onClosed: (why: string) => void = () => undefined;
    const closed = new Promise<string>((r) => (onClosed = r));
    const fail = (reason: string) => {
      if (opened) onClosed(reason);
      else resolve({ ok: false, reason });
      socket.destroy();
    };
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (e) => fail(e.message));
    socket.on('close', () => fail('connection closed by the server'));
    socket.on('connect', () => socket.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 8) {
        if (buf.subarray(0, 4).toString() === 'AMQP') return fail('the server speaks another AMQP version');
        const size = buf.readUInt32BE(3);
        if (buf.length < 8 + size) return;
        const type = buf.readUInt8(0);
        const payload = buf.subarray(7, 7 + size);
        buf = buf.subarray(8 + size);
        if (type !== 1) continue; // heartbeats and content are not part of a login
        const key = `${payload.readUInt16BE(0)}.${payload.readUInt16BE(2)}`;
        const args = payload.subarray(4);
        if (key === '10.10') {
          const response = Buffer.from(`\0${user}\0${password}`);
          socket.write(
            method(
              10,
              11,
              Buffer.concat([clientProperties(), shortstr('PLAIN'), longstr(response), shortstr('en_US')]),
            ),
          );
        } else if (key === '10.30') {
          const tune = Buffer.alloc(8);
          tune.writeUInt16BE(args.readUInt16BE(0), 0); // channel-max as offered
          tune.writeUInt32BE(args.readUInt32BE(2), 2); // frame-max as offered
          tune.writeUInt16BE(0, 6); // no heartbeats
          socket.write(method(10, 31, tune));
          socket.write(method(10, 40, Buffer.concat([shortstr(vhost), shortstr(''), Buffer.from([0])])));
        } else if (key === '10.41') {
          clearTimeout(timer);
          opened = true;
          resolve({ ok: true, closed, close: () => socket.destroy() });
        } else if (key === '10.50') {
          clearTimeout(timer);
          socket.write(method(10, 51, Buffer.alloc(0)));
          fail(closeReason(args));
        }
      }
    });
  });
}
