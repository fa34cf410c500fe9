/**
 * InResponse's own metrics, named once: the Lambdas emit them (EMF), the stack's alarms and dashboard read them.
 * Every one carries the dimension `service` = {@link METRICS_SERVICE}, and those below, no more.
 */
export const METRICS = {
  /** Per IncidentService and Severity. */
  incidentsCreated: 'IncidentsCreated',
  /** Per Channel. */
  pagesSent: 'PagesSent',
  pagesFailed: 'PagesFailed',
  /** Seconds. */
  timeToFirstPage: 'TimeToFirstPage',
  timeToAcknowledge: 'TimeToAcknowledge',
  /** 1 for a green canary run, 0 for a red one. */
  canarySuccess: 'CanarySuccess',
} as const;

/** The `service` dimension of every metric: one value whichever function emits it. */
export const METRICS_SERVICE = 'inresponse';

/** The namespace of the metrics where the stack sets none (locally); the stack sets {@link metricsNamespaceOf}. */
export const DEFAULT_METRICS_NAMESPACE = 'InResponse';

/** A stack's namespace: `InResponse/<stack name>`, so that two deployments in an account keep their metrics apart. */
export const metricsNamespaceOf = (stackName: string): string => `${DEFAULT_METRICS_NAMESPACE}/${stackName}`;

/** Where the stack tells each function the namespace (Powertools' own variable). */
export const METRICS_NAMESPACE_ENV = 'POWERTOOLS_METRICS_NAMESPACE';
