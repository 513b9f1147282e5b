import { afterEach, describe, expect, it } from 'vitest';
import { msg } from '../kernel/messages/index.ts';
import { eventsSection } from './app-describe.ts';
import { conditionsTable, excludedTable } from './app-status-view.ts';
import { ApiError, formatError } from './cli-errors.ts';
import { langFlag, langFrom, setCliLang } from './cli-lang.ts';

afterEach(() => setCliLang('en'));

describe('the language of polis', () => {
  it('is --lang when given, else the locale (LC_ALL, LC_MESSAGES, LANG), else English', () => {
    expect(langFrom('zh', { LANG: 'en_US.UTF-8' })).toBe('zh');
    expect(langFrom('en', { LC_ALL: 'zh_CN.UTF-8' })).toBe('en');
    expect(langFrom(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFrom(undefined, { LC_ALL: 'C.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(langFrom(undefined, {})).toBe('en');
    expect(langFlag(['get', 'apps', '--lang', 'zh'])).toBe('zh');
    expect(langFlag(['--lang=en', 'get', 'apps'])).toBe('en');
    expect(langFlag(['get', 'apps'])).toBeUndefined();
  });

  it('says a coded refusal and its causes in Chinese, and keeps the English for a code it does not know', () => {
    setCliLang('zh');
    const quota = msg('QuotaWouldExceed', {
      tenant: '"edu"',
      dimensions: [msg('QuotaDimensionExceeded', { dimension: 'cpu', requested: '2', used: '19', limit: '20' })],
    });
    const cause = msg('QuotaDimension', { limit: '20', used: '19', requested: '2' });
    const e = new ApiError(403, {
      reason: 'QuotaExceeded',
      message: quota.message,
      details: { code: quota.code, params: quota.params },
      causes: [
        { path: 'quota.cpu', ...cause },
        { path: 'spec.x', message: 'from a newer server', code: 'NewCode' },
      ],
    });
    const text = formatError(e);
    expect(text).toContain('error: 部门 "edu" 将超出配额：cpu：申请 2，已用 19（上限 20）');
    expect(text).toContain('quota.cpu: 上限 20，已用 19，申请 2');
    expect(text).toContain('spec.x: from a newer server');
  });

  it('writes events, conditions and exclusions of describe in the chosen language', () => {
    const event = {
      spec: {
        type: 'Warning',
        reason: 'ClusterUnreachable',
        ...msg('OnCluster', { cluster: 'gov-west', detail: msg('UnreachableBecause', { detail: msg('ClusterDown') }) }),
      },
    };
    const now = new Date('2026-12-01T00:00:00Z');
    expect(eventsSection([event], now)).toContain('gov-west: unreachable: the cluster is down');
    setCliLang('zh');
    expect(eventsSection([event], now)).toContain('gov-west：无法连接：集群已宕机');
    const placed = msg('NotPlaced');
    expect(
      conditionsTable({ conditions: [{ type: 'Delivered', status: 'False', reason: 'NotPlaced', ...placed }] }),
    ).toContain('没有集群分到副本');
    const unhealthy = msg('Unhealthy');
    expect(
      excludedTable([
        { component: 'web', excluded: [{ cluster: 'gov-west', reason: unhealthy.message, code: unhealthy.code }] },
      ]),
    ).toContain('不健康');
  });
});
