import type { WorkloadStatus } from '../clusters/driver.ts';
import type { ClusterContext } from './cluster-context.ts';
import { reconcileCronJob, reportCronJob } from './cronjob-controller.ts';
import { reconcileDaemonSet, reportDaemonSet } from './daemonset-controller.ts';
import { reconcileDeployment, reportDeployment } from './deployment-controller.ts';
import { reconcileJob, reportJob } from './job-controller.ts';
import { reconcileStatefulSet, reportStatefulSet } from './statefulset-controller.ts';
import type { Workload } from './workload.ts';

/** A workload kind's controller: it drives pods toward the spec and writes status, and reports for the driver. */
export interface WorkloadController {
  reconcile(ctx: ClusterContext, w: Workload): void;
  report(ctx: ClusterContext, w: Workload): WorkloadStatus;
}

export const CONTROLLERS: Readonly<Record<string, WorkloadController>> = {
  Deployment: { reconcile: reconcileDeployment, report: reportDeployment },
  StatefulSet: { reconcile: reconcileStatefulSet, report: reportStatefulSet },
  DaemonSet: { reconcile: reconcileDaemonSet, report: reportDaemonSet },
  Job: { reconcile: reconcileJob, report: reportJob },
  CronJob: { reconcile: reconcileCronJob, report: reportCronJob },
};
