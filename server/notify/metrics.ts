// The notifier's figures in /metrics, on the app's registry: results per channel, request times, and each
// channel's queue and health read when Prometheus scrapes. Channel ids only: never a URL, a phone or a secret.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ChannelHealth, NotifyMeter } from './notifier';

export function createNotifyMetrics(registry: Registry, health: () => ChannelHealth[]): NotifyMeter {
  const results = new Counter({
    name: 'opsmap_notify_deliveries_total',
    help: 'Notification attempts per channel and result: delivered, retry (a failed attempt that will be retried), failed (dead-lettered after the last retry), quiet (not sent in quiet hours).',
    labelNames: ['channel', 'result'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'opsmap_notify_request_seconds',
    help: 'Time of one request to a channel’s receiver, until its answer or the timeout.',
    labelNames: ['channel'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'opsmap_notify_queued',
    help: 'Notifications waiting or in flight per channel (a growing queue: the receiver is down or slow).',
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      for (const h of health()) this.set({ channel: h.id }, h.queued);
    },
  });
  new Gauge({
    name: 'opsmap_notify_up',
    help: 'Per channel: 1 while its last request succeeded (or none was made yet), 0 after a failure until the next success.',
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      for (const h of health()) this.set({ channel: h.id }, h.up ? 1 : 0);
    },
  });
  return {
    result: (channel, result) => results.inc({ channel, result }),
    seconds: (channel, s) => seconds.observe({ channel }, s),
  };
}
