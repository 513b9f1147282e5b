/** The cron check of cron-task schedules and autoscaling windows: the one five-field cron of src/kernel/cron.ts. */
export { cronProblem } from '../../kernel/cron.ts';
