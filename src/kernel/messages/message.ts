/**
 * A message a person reads, as Kubernetes reasons are: a stable `code`, its `params`, and `message`, the English
 * sentence rendered from the catalogue for plain API clients. The console and the CLI render `code` + `params` in the
 * reader's language (./render.ts) and fall back to `message` only for a code they do not know.
 *
 * A parameter is a value (a name, a number, a quantity) or another coded message (the cause inside a sentence, e.g.
 * why a cluster is unreachable), or a list of coded messages (rendered joined). Parameter values are never English
 * sentences: a sentence is a code.
 */
export type ParamValue = string | number | Message | readonly Message[];

export type Params = Readonly<Record<string, ParamValue>>;

export interface Message {
  readonly code: string;
  readonly params?: Params;
  /** The English fallback, rendered from the catalogue when the message was made. */
  readonly message: string;
}

/** Whether a value is a coded message (has a string code and a string message). */
export function isMessage(v: unknown): v is Message {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { code?: unknown }).code === 'string' &&
    typeof (v as { message?: unknown }).message === 'string'
  );
}
