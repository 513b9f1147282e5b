import type { FastifyInstance } from 'fastify';
import { parseDocuments } from '../kernel/documents.ts';
import { YamlDocuments } from '../kernel/body-documents.ts';
import { parseStrictJson } from '../kernel/strict-json.ts';

export const YAML_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
  // Server-side apply (PATCH): YAML or JSON.
  'application/apply-patch+yaml',
];
export const JSON_TYPES = [
  'application/json',
  'application/merge-patch+json',
  'application/json-patch+json',
  // Parsed so that PATCH can answer it with a 415 naming what to send instead.
  'application/strategic-merge-patch+json',
];

/** Strict JSON (no duplicate or prototype keys) and YAML parsers for every route; other media types get 415. */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, (body as string).trim() === '' ? undefined : parseStrictJson(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, new YamlDocuments(parseDocuments(body as string)));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

export { YamlDocuments, bodyDocument, bodyDocuments } from '../kernel/body-documents.ts';
