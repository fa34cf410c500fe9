import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS, METRICS_SERVICE } from '../config/metrics';
import type { OperationalMetrics } from '../domain/shared/metrics';

/**
 * The metrics as CloudWatch embedded metric format (EMF) lines on standard output, which Lambda's log group
 * turns into metrics: no API call, no wait. Each figure is one line with its own dimensions, so no handler has
 * to flush. Dimensions are few on purpose: each distinct combination is a custom metric, billed monthly.
 * Printing nothing while POWERTOOLS_METRICS_DISABLED is true (the tests, `npm start` unless told otherwise).
 */
export class PowertoolsMetrics implements OperationalMetrics {
  private readonly metrics: Metrics;

  constructor(namespace: string) {
    // One `service` dimension for every function: the same figure from two functions is one metric.
    this.metrics = new Metrics({ namespace, serviceName: METRICS_SERVICE });
  }

  private emit(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions: Readonly<Record<string, string>> = {}): void {
    try {
      const single = this.metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, unit, value);
    } catch {
      // A figure lost is better than the page or the incident it measures.
    }
  }

  incidentCreated(service: string, severity: string): void {
    this.emit(METRICS.incidentsCreated, MetricUnit.Count, 1, { IncidentService: service, Severity: severity });
  }

  pageResult(channel: string, outcome: 'sent' | 'failed'): void {
    this.emit(outcome === 'sent' ? METRICS.pagesSent : METRICS.pagesFailed, MetricUnit.Count, 1, { Channel: channel });
  }

  timeToFirstPage(seconds: number): void {
    this.emit(METRICS.timeToFirstPage, MetricUnit.Seconds, seconds);
  }

  timeToAcknowledge(seconds: number): void {
    this.emit(METRICS.timeToAcknowledge, MetricUnit.Seconds, seconds);
  }

  canaryRun(success: boolean): void {
    this.emit(METRICS.canarySuccess, MetricUnit.Count, success ? 1 : 0);
  }
}
