/**
 * The entry of a fake API server in its own process (see process.ts): starts it with the options it is sent, then
 * answers its parent's requests over the IPC channel.
 */
import { startFakeKube } from './server.ts';
import type { FakeKube, FakeKubeOptions } from './types.ts';
import type { ParentMessage } from './process.ts';

let fake: FakeKube | undefined;

process.on('message', (raw) => {
  const m = raw as ParentMessage;
  void (async () => {
    try {
      if (m.op === 'start') {
        fake = await startFakeKube(m.options as FakeKubeOptions);
        return reply(m.id, { url: fake.url, kubeconfig: fake.kubeconfig() });
      }
      if (!fake) throw new Error('fake-kube: not started');
      if (m.op === 'counts')
        return reply(m.id, { ...fake.counts(), refused: fake.requests.filter((r) => r.status === 403).length });
      if (m.op === 'resetCounts') {
        fake.resetCounts();
        return reply(m.id, {});
      }
      if (m.op === 'stop') {
        await fake.stop();
        reply(m.id, {});
        process.disconnect();
      }
    } catch (e) {
      process.send?.({ id: m.id, error: (e as Error).stack ?? String(e) });
    }
  })();
});
// The parent gone (its channel closed): nothing is left behind.
process.on('disconnect', () => {
  void fake?.stop().finally(() => process.exit(0));
  if (!fake) process.exit(0);
});

function reply(id: number, value: unknown): void {
  process.send?.({ id, value });
}
