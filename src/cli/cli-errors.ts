import type { Params } from '../kernel/messages/index.ts';
import { say } from './cli-lang.ts';
/**
 * Exit codes of `polis`, documented in docs/cli.md. Scripts branch on them, so they never change meaning.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  /** A usage error or invalid input, found by the CLI or answered 400/413/415/422 by the server. */
  usage: 2,
  /** Not logged in, bad token, or not allowed (401/403, quota too). */
  denied: 3,
  notFound: 4,
  /** 409 conflict or 410 gone. */
  conflict: 5,
  /** Network error or 5xx. */
  unreachable: 6,
  /** Interrupted (Ctrl-C) while not watching or serving. */
  interrupted: 130,
} as const;

export interface Cause {
  readonly path: string;
  readonly message: string;
  /** The server's code for the problem and its params (rendered in the command line's language). */
  readonly code?: string;
  readonly params?: Params;
}

/** A failure a person can act on: what went wrong, where (causes), and what to do (hint). */
export class CliError extends Error {
  readonly exitCode: number;
  readonly causes: readonly Cause[];
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: number; causes?: readonly Cause[]; hint?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = opts.exitCode ?? EXIT.failure;
    this.causes = opts.causes ?? [];
    this.hint = opts.hint;
  }
}

/** A usage error or invalid input found before anything was sent (exit 2). */
export function usageError(message: string, hint?: string, causes?: readonly Cause[]): CliError {
  return new CliError(message, { exitCode: EXIT.usage, hint, causes });
}

/** The server's uniform error body. */
export interface StatusBody {
  readonly kind: 'Status';
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly causes?: readonly Cause[];
  readonly details?: { readonly code?: string; readonly params?: Params };
  readonly requestId?: string;
}

/** An error answer of the server, with the exit code its status maps to. */
export class ApiError extends CliError {
  readonly status: number;
  readonly reason: string;
  readonly requestId?: string;
  constructor(status: number, body: Partial<StatusBody>, opts: { hint?: string; causes?: readonly Cause[] } = {}) {
    const causes = opts.causes ?? body.causes ?? [];
    const english = body.message ?? `the server answered ${status}`;
    // Coded, the message is said in the command line's language; the English stays for an unknown code.
    super(body.details?.code ? say({ ...body.details, message: english }) : english, {
      exitCode: exitCodeForStatus(status),
      causes,
      hint: opts.hint,
    });
    this.name = 'ApiError';
    this.status = status;
    this.reason = body.reason ?? '';
    this.requestId = body.requestId;
  }
}

/** The same server error with another hint (commands know better than the client what to suggest). */
export function withHint(e: ApiError, hint: string): ApiError {
  return new ApiError(
    e.status,
    { message: e.message, reason: e.reason, requestId: e.requestId },
    { causes: e.causes, hint },
  );
}

/** Maps an HTTP status to an exit code (see EXIT). */
export function exitCodeForStatus(status: number): number {
  if (status === 400 || status === 413 || status === 415 || status === 422) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 404) return EXIT.notFound;
  if (status === 409 || status === 410) return EXIT.conflict;
  if (status >= 500) return EXIT.unreachable;
  return EXIT.failure;
}

/**
 * Writes `error: …`, each cause indented with its path, and a hint. When the server's message already lists the
 * causes (`X is invalid: a: b; c: d`), only its head is printed so nothing appears twice.
 */
export function formatError(e: CliError): string {
  const lines = [`error: ${withoutListedCauses(e.message, e.causes)}`];
  for (const c of e.causes) lines.push(`  ${c.path}: ${say(c)}`);
  if (e.hint) lines.push(`hint: ${e.hint}`);
  return `${lines.join('\n')}\n`;
}

/** The message without a trailing `: path: problem; …` list of the causes, which are printed one per line. */
export function withoutListedCauses(message: string, causes: readonly Cause[]): string {
  if (causes.length === 0) return message;
  const listed = `: ${causes.map((c) => `${c.path}: ${c.message}`).join('; ')}`;
  return message.endsWith(listed) && message.length > listed.length ? message.slice(0, -listed.length) : message;
}
