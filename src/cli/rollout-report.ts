import type { AppStatusView } from './app-status-view.ts';
import { componentsTable, generationOf, statusOf, suspendedStep, workflowTable } from './app-status-view.ts';
import type { ObjectLike } from './object-table.ts';
import { indent } from './printers.ts';

/** `polis rollout status`: phase, health, generations, the workflow's steps and each component's replicas. */
export function rolloutStatusReport(app: ObjectLike): string {
  const s = statusOf(app);
  const name = String(app.metadata?.name ?? '');
  const generation = generationOf(app);
  const lines = [`application/${name} in ${String(app.metadata?.tenant ?? '<none>')}`];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(13)}${value}`);
  field('Phase', s.phase ?? '<none> (not reconciled yet)');
  field('Healthy', s.healthy === undefined ? '<unknown>' : s.healthy ? 'yes' : 'no');
  field('Generation', generationLine(s, generation));
  if (s.revision) field('Revision', s.revision);
  if (s.message) field('Message', s.message.replace(/\s*\n\s*/g, ' '));
  const waiting = suspendedStep(s);
  if (waiting)
    field(
      'Waiting',
      `for approval at step ${waiting}: polis rollout resume ${name} -n ${String(app.metadata?.tenant)} --step ${waiting}`,
    );
  const workflow = workflowTable(s);
  if (workflow) lines.push('Workflow:', indent(workflow));
  const components = componentsTable(s.components ?? []);
  lines.push('Components:', components ? indent(components) : '  <none>');
  return `${lines.join('\n')}\n`;
}

function generationLine(s: AppStatusView, generation: number | undefined): string {
  const observed = s.observedGeneration;
  const g = generation === undefined ? '<unknown>' : String(generation);
  if (observed === undefined) return `${g} (not observed yet)`;
  return observed === generation ? `${g} (observed)` : `${g} (observed ${observed}: the change is being rolled out)`;
}

/**
 * One line of progress while following a rollout: `Progressing: observed 2/3, web 1/3, api 2/2`. The same line is
 * not printed twice, so it changes only when something did.
 */
export function rolloutProgressLine(app: ObjectLike): string {
  const s = statusOf(app);
  const generation = generationOf(app);
  const parts = [
    `generation ${generation ?? '?'} observed ${s.observedGeneration ?? '-'}`,
    ...(s.components ?? []).map((c) => `${c.name} ${c.readyReplicas}/${c.desiredReplicas}`),
  ];
  const waiting = suspendedStep(s);
  if (waiting) parts.push(`waiting for approval at step ${waiting}`);
  return `${s.phase ?? 'Pending'}: ${parts.join(', ')}`;
}
