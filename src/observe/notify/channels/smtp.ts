import { randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { msg } from '../../../kernel/messages/index.ts';
import type { Sender } from './channel.ts';
import { forbiddenHost } from './channel.ts';

/** One SMTP reply: its code and text lines. */
interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
}

/** RFC 2047 encoded word for a header holding non-ASCII text. */
function encodeHeader(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

/** The message (RFC 5322): UTF-8 text, base64 in lines of 76, so no line needs dot-stuffing. */
export function mailMessage(opts: {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  date: Date;
}): string {
  const body = Buffer.from(opts.text, 'utf8')
    .toString('base64')
    .replace(/.{1,76}/g, '$&\r\n');
  return [
    `From: ${opts.from}`,
    `To: ${opts.to.join(', ')}`,
    `Subject: ${encodeHeader(opts.subject)}`,
    `Date: ${opts.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomUUID()}@polis>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    body,
  ].join('\r\n');
}

/** A minimal SMTP conversation (RFC 5321) over one socket: replies are read in order, one per command. */
class SmtpSession {
  private buffer = '';
  private readonly replies: Reply[] = [];
  private readonly waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private failure: Error | undefined;
  private lines: string[] = [];
  private readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    const fail = (e: Error) => {
      this.failure ??= e;
      for (const w of this.waiting.splice(0)) w.reject(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection')));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, i).replace(/\r$/, '');
      this.buffer = this.buffer.slice(i + 1);
      this.lines.push(line.slice(4));
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), lines: this.lines };
        this.lines = [];
        const w = this.waiting.shift();
        if (w) w.resolve(reply);
        else this.replies.push(reply);
      }
    }
  }

  read(): Promise<Reply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async command(line: string, expect: readonly number[]): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    const r = await this.read();
    if (!expect.includes(r.code)) throw new SmtpError(r, line.startsWith('AUTH') ? 'AUTH' : line.split(' ')[0]!);
    return r;
  }
}

class SmtpError extends Error {
  readonly reply: Reply;
  readonly command: string;
  constructor(reply: Reply, command: string) {
    super(`${command}: ${reply.code} ${reply.lines.join(' ')}`);
    this.reply = reply;
    this.command = command;
  }
}

/** Sends one message over SMTP (plain or implicit TLS), with AUTH PLAIN when a user is given. */
export async function sendMail(opts: {
  host: string;
  port: number;
  secure: boolean;
  username?: string;
  password?: string;
  from: string;
  to: readonly string[];
  message: string;
  timeoutMs: number;
}): Promise<void> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = opts.secure
      ? tlsConnect({ host: opts.host, port: opts.port, servername: opts.host }, () => resolve(s))
      : netConnect({ host: opts.host, port: opts.port }, () => resolve(s));
    s.once('error', reject);
  });
  socket.setTimeout(opts.timeoutMs, () => socket.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
  const smtp = new SmtpSession(socket);
  try {
    const greeting = await smtp.read();
    if (greeting.code !== 220) throw new SmtpError(greeting, 'greeting');
    await smtp.command('EHLO polis', [250]);
    if (opts.username !== undefined) {
      const token = Buffer.from(`\u0000${opts.username}\u0000${opts.password ?? ''}`, 'utf8').toString('base64');
      await smtp.command(`AUTH PLAIN ${token}`, [235]);
    }
    await smtp.command(`MAIL FROM:<${opts.from}>`, [250]);
    for (const to of opts.to) await smtp.command(`RCPT TO:<${to}>`, [250, 251]);
    await smtp.command('DATA', [354]);
    await smtp.command(`${opts.message}\r\n.`, [250]);
    await smtp.command('QUIT', [221]).catch(() => undefined);
  } finally {
    socket.destroy();
  }
}

/** E-mail over SMTP: the rendered text to `spec.email.to`, the password in `secrets.password`. */
export const emailSender: Sender = async (ctx) => {
  const spec = ctx.spec.email!;
  const target = `${spec.host}:${spec.port ?? (spec.secure ? 465 : 25)}`;
  if (forbiddenHost(spec.host, ctx.allowPrivate))
    return { ok: false, retry: false, detail: msg('NotifyHostForbidden', { host: spec.host }) };
  if (spec.username !== undefined && ctx.secrets.password === undefined)
    return { ok: false, retry: false, detail: msg('NotifySecretMissing', { channel: ctx.channel, key: 'password' }) };
  try {
    await sendMail({
      host: spec.host,
      port: spec.port ?? (spec.secure ? 465 : 25),
      secure: spec.secure ?? false,
      ...(spec.username !== undefined ? { username: spec.username, password: ctx.secrets.password } : {}),
      from: spec.from,
      to: spec.to,
      message: mailMessage({
        from: spec.from,
        to: spec.to,
        subject: ctx.rendered.title,
        text: ctx.rendered.text,
        date: new Date(ctx.now),
      }),
      timeoutMs: ctx.timeoutMs,
    });
    return { ok: true };
  } catch (e) {
    if (e instanceof SmtpError)
      return {
        ok: false,
        // 4xx is transient in SMTP; 5xx is a refusal (a wrong password, an unknown recipient).
        retry: e.reply.code >= 400 && e.reply.code < 500,
        detail: msg('NotifyChannelRefused', {
          type: 'email',
          status: `${e.command} ${e.reply.code}`,
          detail: msg('External', { text: e.reply.lines.join(' ').slice(0, 300) }),
        }),
      };
    return {
      ok: false,
      retry: true,
      detail: msg('NotifyChannelUnreachable', { target, detail: msg('External', { text: (e as Error).message }) }),
    };
  }
};
