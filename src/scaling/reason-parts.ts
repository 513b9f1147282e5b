/**
 * The pieces decision reasons are made of, as coded messages (src/kernel/messages/scaling.ts): counts with their
 * noun, the metrics' names and units, and lists joined with "and", "," or ". ". Pure.
 */
import type { Message, ParamValue } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';

/** "1 replica", "3 replicas". */
export function replicasPart(n: number): Message {
  return n === 1 ? msg('ReplicaOne') : msg('ReplicaMany', { count: n });
}

/** "1 pod", "3 pods". */
export function podsPart(n: number): Message {
  return n === 1 ? msg('PodOne') : msg('PodMany', { count: n });
}

/** "1 not-yet-ready pod", "3 not-yet-ready pods". */
export function unreadyPodsPart(n: number): Message {
  return n === 1 ? msg('UnreadyPodOne') : msg('UnreadyPodMany', { count: n });
}

/** A metric's name: the three polis scales on are coded; another (a test's, a newer one's) is kept as named. */
export function metricPart(name: string): ParamValue {
  if (name === 'cpu') return msg('MetricCpu');
  if (name === 'requests') return msg('MetricRequests');
  if (name === 'latency') return msg('MetricLatency');
  return name;
}

/** A unit written after a number: " req/s" is coded; a symbol ("%", " ms") is the same in every language. */
export function unitPart(unit: string): ParamValue {
  return unit === ' req/s' ? msg('UnitRequestsPerSecond') : unit;
}

/** "a and b" (at most two parts, as the reasons use it). */
export function joinAnd(parts: readonly Message[]): Message {
  return parts.length === 1 ? parts[0]! : msg('ListAnd', { first: parts[0]!, second: joinAnd(parts.slice(1)) });
}

/** "a, b, c". */
export function joinComma(parts: readonly Message[]): Message {
  return parts.length === 1 ? parts[0]! : msg('ListComma', { first: parts[0]!, rest: joinComma(parts.slice(1)) });
}

/** "a. b. c" (the caller ends it). */
export function joinSentences(parts: readonly Message[]): Message {
  return parts.length === 1
    ? parts[0]!
    : msg('SentenceThen', { first: parts[0]!, rest: joinSentences(parts.slice(1)) });
}

/** Several reasons as one, joined with "; " (a single one as it is). */
export function joinReasons(parts: readonly Message[]): Message {
  return parts.length === 1 ? parts[0]! : msg('MessageList', { items: parts });
}
