import { afterEach, describe, expect, it } from 'vitest';
import { msg } from '../kernel/messages/index.ts';
import { setCliLang } from './cli-lang.ts';
import { podsTable } from './pods-program.ts';

const answer = {
  namespace: 'tax--portal',
  clusters: [
    {
      cluster: 'gov-west',
      reachable: false,
      detail: { ...msg('ClusterUnreachable', { cluster: 'gov-west', detail: 'connection refused' }) },
      pods: [],
    },
  ],
};

describe('polis pods', () => {
  afterEach(() => setCliLang('en'));

  it('names a cluster that could not be asked, in English, with the reason the server gave', () => {
    setCliLang('en');
    expect(podsTable(answer)).toBe(
      'No pods.\ncluster gov-west could not be asked: cluster gov-west is unreachable: connection refused\n',
    );
  });

  it('names it in Chinese, reason included, when the command line speaks Chinese', () => {
    setCliLang('zh');
    const out = podsTable(answer);
    expect(out).toContain('没有 Pod。');
    expect(out).toContain('无法查询集群 gov-west');
    expect(out).not.toContain('could not be asked');
  });

  it('falls back to "the cluster is down" when the server gave no reason', () => {
    setCliLang('en');
    expect(podsTable({ namespace: 'x', clusters: [{ cluster: 'c1', reachable: false, pods: [] }] })).toContain(
      'cluster c1 could not be asked: the cluster is down',
    );
  });
});
