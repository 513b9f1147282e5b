import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { isKnownCode, msg, placeholders, render, renderMessage } from './render.ts';
import { isKnownReason, REASONS_EN, REASONS_ZH } from './reasons.ts';
import { zh } from './zh.ts';

const SRC = join(import.meta.dirname, '..', '..');

/**
 * Code that mirrors what Kubernetes itself says (its workload and HPA reasons, shown as Kubernetes names them), and
 * the CLI's fixtures: not polis's own vocabulary.
 */
const MIRRORS_KUBERNETES = [/^sim\//, /^clusters\/drivers\/kubernetes\//, /^cli\/app-status-fixture\.ts$/];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

const FILES = sources(SRC).map((path) => ({ rel: relative(SRC, path), text: readFileSync(path, 'utf8') }));

/** Every match of `re`'s first group in the server's sources, with where it is. */
function found(re: RegExp, skip: readonly RegExp[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of FILES) {
    if (skip.some((s) => s.test(f.rel))) continue;
    for (const m of f.text.matchAll(re)) if (!out.has(m[1]!)) out.set(m[1]!, f.rel);
  }
  return out;
}

describe('the message catalogue', () => {
  it('has every English code in Chinese, with the same placeholders', () => {
    const problems: string[] = [];
    for (const code of Object.keys(en) as (keyof typeof en)[]) {
      const zhTemplate = (zh as Record<string, string | undefined>)[code];
      if (zhTemplate === undefined || zhTemplate.trim() === '') problems.push(`${code}: no Chinese`);
      else if (placeholders(en[code]).join() !== placeholders(zhTemplate).join())
        problems.push(`${code}: en {${placeholders(en[code]).join()}} ≠ zh {${placeholders(zhTemplate).join()}}`);
    }
    for (const code of Object.keys(zh)) if (!isKnownCode(code)) problems.push(`${code}: Chinese only`);
    expect(problems).toEqual([]);
  });

  it('has every reason label in both languages', () => {
    const missing = Object.keys(REASONS_EN).filter(
      (r) => !(REASONS_ZH as Record<string, string | undefined>)[r]?.trim(),
    );
    expect(missing).toEqual([]);
  });

  it('knows every code the server emits: msg() codes, and code literals of causes, events and conditions', () => {
    const codes = new Map([
      ...found(/\bmsg\(\s*'([A-Za-z]+)'/g, [/^kernel\/messages\/(en|zh|reasons)\.ts$/]),
      // ErrorCause / Condition / cluster status codes written as literals; 'custom' is zod's own issue code.
      ...[...found(/\bcode: '([A-Z][A-Za-z]+)'/g, MIRRORS_KUBERNETES)].filter(([c]) => !/^(E[A-Z]+)$/.test(c)),
      // Codes of JwtProblemCode-like unions that reach a cause's code.
      ...found(/\|\s*'(Token[A-Za-z]+)'/g),
    ]);
    const unknown = [...codes].filter(([c]) => !isKnownCode(c)).map(([c, where]) => `${c} (${where})`);
    expect(unknown).toEqual([]);
    expect(codes.size).toBeGreaterThan(100);
  });

  it('knows every reason the server gives an event, a condition or an error body', () => {
    const reasons = new Map([
      // Reasons of events (EventNotes.add, the controllers' event helpers) and of conditions and statuses.
      ...found(/notes\.add\(\s*'(?:Normal|Warning)',\s*'([A-Za-z]+)'/g),
      ...found(/\.event\([^,]+,\s*'(?:Normal|Warning)',\s*'([A-Za-z]+)'/g),
      ...found(/\breason: '([A-Z][A-Za-z]+)'/g, MIRRORS_KUBERNETES),
      ...found(/\breason: [^'\n]*\? '([A-Z][A-Za-z]+)'/g, MIRRORS_KUBERNETES),
      ...found(/\breason: [^'\n]*\? '[A-Z][A-Za-z]+' : '([A-Z][A-Za-z]+)'/g, MIRRORS_KUBERNETES),
      // ErrorReason and StoreFailureReason unions.
      ...found(/^\s*\|\s*'([A-Z][A-Za-z]+)'$/gm, [/^(?!kernel\/errors\.ts$).*/]),
      ...[...found(/StoreFailureReason = ([^;]+);/g).keys()].flatMap((u) =>
        [...u.matchAll(/'([A-Za-z]+)'/g)].map((m): [string, string] => [m[1]!, 'resources/store-errors.ts']),
      ),
    ]);
    const unknown = [...reasons].filter(([r]) => !isKnownReason(r)).map(([r, where]) => `${r} (${where})`);
    expect(unknown).toEqual([]);
    expect(reasons.size).toBeGreaterThan(40);
  });

  it('renders a message in either language, nested messages and lists included; an unknown code falls back', () => {
    const unreachable = msg('OnCluster', {
      cluster: 'gov-west',
      detail: msg('UnreachableBecause', { detail: msg('ClusterDown') }),
    });
    expect(unreachable.message).toBe('gov-west: unreachable: the cluster is down');
    expect(renderMessage(unreachable, 'zh')).toBe('gov-west：无法连接：集群已宕机');
    const list = msg('MessageList', { items: [msg('PlacedNowhere', { component: 'web' }), unreachable] });
    expect(renderMessage(list, 'zh')).toBe('web：未放置到任何集群；gov-west：无法连接：集群已宕机');
    expect(renderMessage({ code: 'FromANewerServer', message: 'as the server said' }, 'zh')).toBe('as the server said');
    expect(render('NoRoom', undefined, 'en')).toBe('no room for one replica ({resources})');
  });

  it('says the unreachable cluster once: the cause inside is the why, not the whole sentence again', () => {
    const e = msg('ClusterUnreachable', { cluster: 'gov-west', detail: msg('ClusterDown') });
    expect(e.message).toBe('cluster gov-west is unreachable: the cluster is down');
    expect(renderMessage(e, 'zh')).toBe('集群 gov-west 无法连接：集群已宕机');
  });
});
