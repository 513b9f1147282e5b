/** Notification (issue 15 point 6): channels, silences, routing and the `notify` entry point. */
export { alertNotice, incidentNotice, type Notice } from './notice.ts';
export { Notifier, type NotificationRecord, type NotifierDeps } from './notifier.ts';
export { notificationChannelKind, silenceKind } from './notify-kinds.ts';
