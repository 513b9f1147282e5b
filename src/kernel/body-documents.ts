import { InputError } from './errors.ts';

/** A YAML body, parsed into its documents (kept apart from JSON so that single-object routes can refuse many). */
export class YamlDocuments {
  readonly documents: unknown[];
  constructor(documents: unknown[]) {
    this.documents = documents;
  }
}

/** The documents of a body (JSON object, array or List, or YAML documents). */
export function bodyDocuments(body: unknown): unknown[] {
  if (body instanceof YamlDocuments) return body.documents;
  if (body === undefined)
    throw new InputError('the body is empty', [{ path: '(body)', message: 'send one or more JSON or YAML documents' }]);
  if (Array.isArray(body)) return body;
  const list = body as { kind?: unknown; items?: unknown };
  if (list && list.kind === 'List' && Array.isArray(list.items)) return list.items;
  return [body];
}

/** The single document of a body; many documents belong to /apply. */
export function bodyDocument(body: unknown): unknown {
  const docs = bodyDocuments(body);
  if (docs.length !== 1) {
    throw new InputError(`this route takes one object, the body holds ${docs.length}`, [
      { path: '(body)', message: 'send one document, or POST many to /api/v1/apply' },
    ]);
  }
  return docs[0];
}
