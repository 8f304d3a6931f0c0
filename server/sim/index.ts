// The simulator's public surface: the pure engine (createSimulator), its scenarios, and the real-time driver
// that the server (sink = ingest) and the CLI (sink = HTTP POST) run it with.
export { createSimulator, defaultRunId, type Simulator, type SimulatorOptions } from './engine';
export { runSimulator, type DriverHandle, type DriverOptions, type Sink, type TickReport } from './driver';
export {
  SCENARIO_NAMES,
  isScenarioName,
  scenarioParams,
  type ScenarioName,
  type ScenarioParams,
  type DeepPartial,
} from './scenarios';
export type { Seed } from './prng';
