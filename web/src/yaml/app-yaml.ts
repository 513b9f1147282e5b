import { stringify } from 'yaml';
import type { Application } from '../api/types.ts';

/**
 * What a person edits of an application: apiVersion, kind, name, labels, annotations and spec. The server's fields
 * (uid, resourceVersion, generation, status …) are left out: apply keeps them, and a stale resourceVersion would
 * only make the save fail while controllers write status.
 */
export function editableApplication(app: Application): Record<string, unknown> {
  const m = app.metadata;
  const metadata: Record<string, unknown> = { name: m.name };
  if (m.labels && Object.keys(m.labels).length > 0) metadata.labels = m.labels;
  if (m.annotations && Object.keys(m.annotations).length > 0) metadata.annotations = m.annotations;
  return { apiVersion: app.apiVersion, kind: app.kind, metadata, spec: app.spec };
}

export function applicationYaml(app: Application): string {
  return stringify(editableApplication(app), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** A new application's YAML, to start from. */
export function templateYaml(name = 'my-service'): string {
  return `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: ${name}
  annotations:
    polis.io/description: ""
spec:
  components:
    - name: web
      type: webservice
      properties:
        image: registry.example.gov.cn/dept/web:1.0.0
        ports: [{ port: 8080, expose: true }]
        cpu: 500m
        memory: 512Mi
      traits:
        - type: scaler
          properties: { replicas: 2 }
`;
}
