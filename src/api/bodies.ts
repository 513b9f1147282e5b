import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseDocuments } from '../kernel/documents.ts';
import { YamlDocuments } from '../kernel/body-documents.ts';
import { parseStrictJson } from '../kernel/strict-json.ts';
import type { Query } from '../kernel/query-params.ts';
import { fieldValidationOf, isKubePath } from './kube/kube-field-validation.ts';
import { decodeKubeProtobuf, PROTOBUF_TYPE } from './kube/kube-protobuf.ts';

const duplicates = new WeakMap<FastifyRequest, string[]>();

/**
 * Keys a JSON body gave twice, when the request's fieldValidation (Warn or Ignore, Kubernetes' semantics) lets them
 * through; otherwise the parser refuses them (400 naming the key's path).
 */
export function duplicateFieldsOf(req: FastifyRequest): readonly string[] {
  return duplicates.get(req) ?? [];
}

function duplicateCollector(req: FastifyRequest): { onDuplicate?: (path: string) => void } {
  let mode;
  try {
    mode = fieldValidationOf(req.query as Query, isKubePath(req.url));
  } catch {
    return {}; // the route refuses the parameter itself, naming it
  }
  if (mode !== 'Warn' && mode !== 'Ignore') return {};
  return {
    onDuplicate: (path) => {
      const list = duplicates.get(req) ?? [];
      list.push(path);
      duplicates.set(req, list);
    },
  };
}

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
  // Strategic merge patch (PATCH; kubectl patch's default type).
  'application/strategic-merge-patch+json',
];

/** Strict JSON (no duplicate or prototype keys) and YAML parsers for every route; other media types get 415. */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (req, body, done) => {
    try {
      done(null, (body as string).trim() === '' ? undefined : parseStrictJson(body as string, duplicateCollector(req)));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // kubectl create secret sends a core/v1 Secret in Kubernetes' protobuf (kube/kube-protobuf.ts); others are 415.
  app.addContentTypeParser(PROTOBUF_TYPE, { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, decodeKubeProtobuf(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (req, body, done) => {
    try {
      done(null, new YamlDocuments(parseDocuments(body as string, duplicateCollector(req))));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

export { YamlDocuments, bodyDocument, bodyDocuments } from '../kernel/body-documents.ts';
