import { z } from 'zod';
import { strings, whole } from '../render/common-schemas.ts';
import { refTarget } from '../render/ref-objects.ts';
import { systemNamespace } from '../app-namespace.ts';

/**
 * The properties of KubeVela's workflow steps polis runs beyond deploy, suspend and depends-on-app, after
 * `vela-templates/definitions/internal/workflowstep/<type>.cue` (KubeVela 1.10). Where a CUE definition leaves a
 * struct open (`{...}`) the schema does too; everything it declares is checked.
 */

/** `cluster: *"" | string`: "" is where the application's placement puts it (docs/oam.md). */
const cluster = z.string().default('');

/** step-group.cue declares no parameters; its `subSteps` sit beside `properties`. */
export const stepGroupProperties = z.object({}).strict();

/** apply-component.cue: `component`, `cluster`; 1.10 adds `namespace` (refused when set: docs/oam.md). */
export const applyComponentProperties = z
  .object({ component: z.string().min(1), cluster, namespace: z.string().optional() })
  .strict();

/** apply-remaining.cue: `exceptions?: [...string]`, components it leaves out. */
export const applyRemainingProperties = z.object({ exceptions: strings.optional() }).strict();

/** apply-object.cue: `value: {...}`, `cluster`. */
export const applyObjectProperties = z.object({ value: z.record(z.string(), z.unknown()), cluster }).strict();

/** export2config.cue: a ConfigMap `configName` holding `data`. */
export const export2configProperties = z
  .object({
    configName: z.string().min(1),
    namespace: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
    cluster,
  })
  .strict();

/** export2secret.cue: a Secret `secretName` holding `data` (as stringData), or docker-registry credentials. */
export const export2secretProperties = z
  .object({
    secretName: z.string().min(1),
    namespace: z.string().optional(),
    type: z.string().optional(),
    data: z.record(z.string(), z.unknown()).default({}),
    cluster,
    kind: z.enum(['generic', 'docker-registry']).default('generic'),
    dockerRegistry: z
      .object({
        username: z.string(),
        password: z.string(),
        server: z.string().default('https://index.docker.io/v1/'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** apply-deployment.cue: a Deployment named after the step running `image`. */
export const applyDeploymentProperties = z
  .object({ image: z.string().min(1), replicas: whole(0).default(1), cluster, cmd: strings.optional() })
  .strict();

/** `url: {value: string} | {secretRef: {name, key}}`, as notification.cue and webhook.cue declare it. */
export const urlSource = z.union([
  z.object({ value: z.string().min(1) }).strict(),
  z.object({ secretRef: z.object({ name: z.string().min(1), key: z.string().min(1) }).strict() }).strict(),
]);

const open = z.record(z.string(), z.unknown());

/** notification.cue: lark, dingding, slack (a URL and a message each) and email. */
export const notificationProperties = z
  .object({
    lark: z.object({ url: urlSource, message: z.object({ msg_type: z.string(), content: z.string() }) }).optional(),
    dingding: z
      .object({
        url: urlSource,
        message: open.and(
          z.object({
            msgtype: z.enum(['text', 'link', 'markdown', 'actionCard', 'feedCard']).default('text'),
          }),
        ),
      })
      .optional(),
    slack: z.object({ url: urlSource, message: open.and(z.object({ text: z.string() })) }).optional(),
    email: z
      .object({
        from: z.object({
          address: z.string().min(1),
          alias: z.string().optional(),
          password: z.union([
            z.object({ value: z.string() }).strict(),
            z.object({ secretRef: z.object({ name: z.string(), key: z.string() }).strict() }).strict(),
          ]),
          host: z.string().min(1),
          port: whole(1).default(587),
        }),
        to: strings,
        content: z.object({ subject: z.string(), body: z.string() }),
      })
      .optional(),
  })
  .strict();

/** webhook.cue: `url`, `data?` (the application itself when absent). */
export const webhookProperties = z.object({ url: urlSource, data: open.optional() }).strict();

/**
 * read-object.cue: `apiVersion` (`core.oam.dev/v1beta1`), `kind` (`Application`), `name`, `namespace`
 * (`default`), `cluster` (`""`). polis reads an Application of the step's own department, or an object of a kind a
 * ref-objects component may reference, from a namespace of the department's own (src/delivery/read-values.ts).
 */
export const readObjectProperties = z
  .object({
    apiVersion: z.string().default('core.oam.dev/v1beta1'),
    kind: z.string().default('Application'),
    name: z.string().min(1),
    namespace: z.string().default('default'),
    cluster: z.string().default(''),
  })
  .strict()
  .superRefine((o, ctx) => {
    const app = o.apiVersion === 'core.oam.dev/v1beta1' && o.kind === 'Application';
    if (!app && !refTarget({ apiVersion: o.apiVersion, kind: o.kind, name: o.name }))
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: `${o.apiVersion} ${o.kind} cannot be read: a step reads an Application of its department, or a namespaced object without RBAC (ConfigMap, Secret, Service, Deployment …)`,
      });
    if (systemNamespace(o.namespace))
      ctx.addIssue({
        code: 'custom',
        path: ['namespace'],
        message: `"${o.namespace}" is a system namespace; a step reads only from its department's own namespaces`,
      });
  });

/** print-message-in-status.cue: `message`. */
export const printMessageProperties = z.object({ message: z.string() }).strict();

export type ApplyComponentProperties = z.infer<typeof applyComponentProperties>;
export type ApplyObjectProperties = z.infer<typeof applyObjectProperties>;
export type Export2configProperties = z.infer<typeof export2configProperties>;
export type Export2secretProperties = z.infer<typeof export2secretProperties>;
export type ApplyDeploymentProperties = z.infer<typeof applyDeploymentProperties>;
export type NotificationProperties = z.infer<typeof notificationProperties>;
export type WebhookProperties = z.infer<typeof webhookProperties>;

export const WORKFLOW_STEP_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'step-group': stepGroupProperties,
  'apply-component': applyComponentProperties,
  'apply-remaining': applyRemainingProperties,
  'apply-object': applyObjectProperties,
  export2config: export2configProperties,
  export2secret: export2secretProperties,
  'apply-deployment': applyDeploymentProperties,
  notification: notificationProperties,
  webhook: webhookProperties,
  'print-message-in-status': printMessageProperties,
  'read-object': readObjectProperties,
};
