// The gateway's public face: attach it to the app's http server; the rest is for tests and the benchmark.
export {
  attachGateway,
  DEFAULT_FLUSH_MS,
  DEFAULT_RESUME_LIMIT,
  DEFAULT_RESUME_MS,
  DEFAULT_HEARTBEAT_MS,
  type FastifyLike,
  type Gateway,
  type GatewayLogger,
  type GatewayMetrics,
  type GatewayOptions,
  type GatewayServer,
  type GatewaySocket,
} from './gateway';
export { ResumeBuffer } from './resume-buffer';
export { allowedRooms, FOLLOWABLE_LEVELS, isFollowable, mayFollow, scopeKeys, townKeyOf } from './rooms';
export { frameBytes, measureDelta, type DeltaSize } from './wire';
export { ScopeMirror, type DeltaOutcome } from '../contract/mirror';
