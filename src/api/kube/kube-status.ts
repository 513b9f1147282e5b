import type { ErrorCause } from '../../kernel/errors.ts';

/**
 * The fields a Kubernetes client needs to read polis's error body as a meta/v1 Status (pure): `apiVersion`,
 * `status: Failure`, and the causes in `details.causes` (`field`, `reason`, `message`). They are added to the one
 * error body every route returns, so the reason codes and parameters of the causes stay where they are.
 */
export function kubeStatusFields(body: {
  readonly reason: string;
  readonly causes: readonly ErrorCause[];
  /** The body's message code and params (kept beside the Kubernetes causes). */
  readonly details?: object;
}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    details: {
      ...body.details,
      causes: body.causes.map((c) => ({
        reason: c.code ?? body.reason,
        message: c.message,
        field: c.path,
      })),
    },
  };
}
