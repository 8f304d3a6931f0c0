// Prometheus metrics (prom-client), one registry per app so that tests can build several apps in a process.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Ingested items by path (events, open311, osmand, mqtt, simulator) and result. */
  ingested: Counter<'path' | 'result'>;
  /** Tracker reports answered 2xx but kept as the device's status, not drawn as a position, by reason. */
  unplaced: Counter<'reason'>;
  /** Time from a request's arrival to its durable answer. */
  ingestSeconds: Histogram<'path'>;
  /** Time from an event's arrival to the delta that carries it leaving for the clients. */
  fanoutSeconds: Histogram;
  sockets: Gauge;
  logLastSeq: Gauge;
  /** 1 while the node is connected to the distributed bus (BUS=nats), 0 while it reconnects. */
  busConnected: Gauge;
  /** BUS=nats: the archive's last seq as this node last saw it (the log's archive trails the fold by logLastSeq − this). */
  archiveLastSeq: Gauge;
  /** BUS=nats: 1 on the node that holds the archive lease (archives the stream into the store), else 0. */
  archiveLease: Gauge;
  deltas: Counter;
  deltaBytes: Counter;
  /** Items (or whole unreadable payloads) sent to the MQTT dead-letter topic, by reason (ingest/mqtt.ts). */
  mqttDeadLetters: Counter<'reason'>;
  /** 1 while the MQTT ingest subscriber is connected to its broker; 0 on a node without MQTT_URL. */
  mqttConnected: Gauge;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Process metrics, including event-loop lag (nodejs_eventloop_lag_*), GC and memory.
  collectDefaultMetrics({ register: registry, prefix: 'opsmap_' });
  return {
    registry,
    ingested: new Counter({
      name: 'opsmap_ingest_items_total',
      help: 'Ingested items by path and result (accepted, duplicate, rejected).',
      labelNames: ['path', 'result'],
      registers: [registry],
    }),
    unplaced: new Counter({
      name: 'opsmap_tracker_unplaced_total',
      help: 'Tracker reports (OsmAnd / Traccar) kept as device status, not as a position, by reason (no_fix, null_island, outside_district, clock_ahead).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ingestSeconds: new Histogram({
      name: 'opsmap_ingest_request_seconds',
      help: 'Ingest request time until the durable answer.',
      labelNames: ['path'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    fanoutSeconds: new Histogram({
      name: 'opsmap_fanout_seconds',
      help: 'Event accepted → delta emitted to clients.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    sockets: new Gauge({ name: 'opsmap_sockets', help: 'Connected Socket.IO clients.', registers: [registry] }),
    busConnected: new Gauge({
      name: 'opsmap_bus_connected',
      help: 'Connected to the distributed bus (BUS=nats): 1 yes, 0 reconnecting.',
      registers: [registry],
    }),
    archiveLastSeq: new Gauge({
      name: 'opsmap_archive_last_seq',
      help: "The log archive's last seq as this node last saw it (BUS=nats: the store trails the stream's fold).",
      registers: [registry],
    }),
    archiveLease: new Gauge({
      name: 'opsmap_archive_lease',
      help: 'BUS=nats: 1 on the node that archives the stream into the store (holds the lease), else 0.',
      registers: [registry],
    }),
    logLastSeq: new Gauge({
      name: 'opsmap_log_last_seq',
      help: 'Sequence number of the last event in the log (its length).',
      registers: [registry],
    }),
    deltas: new Counter({
      name: 'opsmap_deltas_total',
      help: 'Deltas emitted (one per room per flush).',
      registers: [registry],
    }),
    deltaBytes: new Counter({
      name: 'opsmap_delta_bytes_total',
      help: 'Bytes of deltas emitted (per room).',
      registers: [registry],
    }),
    mqttDeadLetters: new Counter({
      name: 'opsmap_mqtt_dead_letters_total',
      help: 'MQTT items sent to the dead-letter topic by reason: size, json, shape (whole payload), topic, rejected (per item), error (the server failed on it).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    mqttConnected: new Gauge({
      name: 'opsmap_mqtt_connected',
      help: '1 while the MQTT ingest is connected to its broker.',
      registers: [registry],
    }),
  };
}
