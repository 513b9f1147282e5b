import { createServer, type Server, type Socket } from 'node:net';

/** A message the tiny SMTP server accepted. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The DATA as sent (headers and body), dot-unstuffed. */
  readonly data: string;
  /** The AUTH PLAIN user and password, when the client authenticated. */
  readonly auth?: { readonly user: string; readonly password: string };
}

/**
 * A tiny SMTP server on loopback for tests (RFC 5321's core: EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP,
 * QUIT). `password` set: AUTH must give it (535 otherwise). `failFirst` answers the first n DATA with 451.
 */
export async function startSmtpServer(opts: { password?: string; failFirst?: number } = {}): Promise<{
  readonly port: number;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}> {
  const mails: ReceivedMail[] = [];
  let failures = opts.failFirst ?? 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    let from = '';
    let to: string[] = [];
    let auth: ReceivedMail['auth'];
    const say = (line: string) => socket.write(`${line}\r\n`);
    say('220 test-smtp ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            if (failures > 0) {
              failures--;
              say('451 try again later');
            } else {
              mails.push({ from, to, data: data.join('\r\n'), ...(auth ? { auth } : {}) });
              say('250 queued');
            }
            data = [];
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') say('250-test-smtp\r\n250-AUTH PLAIN\r\n250 8BITMIME');
        else if (verb === 'HELO') say('250 test-smtp');
        else if (verb === 'AUTH') {
          const [, user = '', password = ''] = Buffer.from(line.split(' ')[2] ?? '', 'base64')
            .toString('utf8')
            .split('\u0000');
          if (opts.password !== undefined && password !== opts.password) say('535 authentication failed');
          else {
            auth = { user, password };
            say('235 ok');
          }
        } else if (verb === 'MAIL') {
          if (opts.password !== undefined && !auth) say('530 authentication required');
          else {
            from = /<([^>]*)>/.exec(line)?.[1] ?? '';
            to = [];
            say('250 ok');
          }
        } else if (verb === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          say('250 ok');
        } else if (verb === 'DATA') {
          inData = true;
          say('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'RSET' || verb === 'NOOP') say('250 ok');
        else if (verb === 'QUIT') {
          say('221 bye');
          socket.end();
        } else say('502 not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The decoded text and subject of a mail polis sent (base64 body, RFC 2047 subject). */
export function readMail(data: string): { subject: string; text: string; headers: Record<string, string> } {
  const [head = '', body = ''] = data.split('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const l of head.split('\r\n')) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const subject = (headers.subject ?? '').replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_, b: string) =>
    Buffer.from(b, 'base64').toString('utf8'),
  );
  return { subject, text: Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8'), headers };
}
