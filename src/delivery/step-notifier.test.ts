import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepMessages } from '../apps/workflow/notification.ts';
import { recordOnlyNotifier, webhookNotifier } from './step-notifier.ts';

describe('step notifiers', () => {
  let server: Server;
  let base = '';
  const received: unknown[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const who = { tenant: 'edu', app: 'portal', step: 'tell' };

  it('records by default and sends nothing', async () => {
    const [m] = stepMessages('webhook', { url: { value: `${base}/h` }, data: { a: 1 } }, {});
    expect(await recordOnlyNotifier.send({ ...m!, ...who })).toMatchObject({
      sent: false,
      reason: 'NotificationRecorded',
    });
    expect(received).toEqual([]);
  });

  it('posts the message body as JSON when private hosts are allowed (loopback here)', async () => {
    const messages = stepMessages(
      'notification',
      { slack: { url: { value: `${base}/slack` }, message: { text: 'delivered' } } },
      {},
    );
    const r = await webhookNotifier({ allowPrivate: true }).send({ ...messages[0]!, ...who });
    expect(r).toEqual({ sent: true });
    expect(received).toEqual([{ text: 'delivered' }]);
  });

  it('never posts to loopback without allowPrivate, nor to link-local metadata addresses, nor non-http URLs', async () => {
    const strict = webhookNotifier();
    const send = (url: string) => strict.send({ channel: 'webhook', url, body: {}, ...who });
    expect(await send(`${base}/h`)).toMatchObject({ sent: false, reason: 'NotificationHostForbidden' });
    expect(
      await webhookNotifier({ allowPrivate: true }).send({
        channel: 'webhook',
        url: 'http://169.254.169.254/latest',
        body: {},
        ...who,
      }),
    ).toMatchObject({
      sent: false,
      reason: 'NotificationHostForbidden',
    });
    expect(await send('ftp://example.gov.cn/x')).toMatchObject({ sent: false, reason: 'NotificationUrlInvalid' });
    expect(received).toHaveLength(1);
  });
});
