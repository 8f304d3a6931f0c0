// Flood checkpoints (防汛): a reading every 10 minutes per checkpoint, rain from passing storms (a light
// shower now and then in `normal`, one big storm in `rainstorm`), levels that rise along each river with a
// downstream delay, warning colours from each checkpoint's thresholds, river responses that follow them,
// inspections, 碍洪点 clearance, and the waterlogging tickets a storm brings to nearby grid cells.
import type { ObstructionStatus, ResponseLevel } from '../contract/events';
import { WARNING_ORDER, warningIndex, type WarningColor } from '../contract/areas';
import { staffName } from './catalog';
import { beijing, nextMidnight } from './clock';
import { HOUR_MS, MINUTE_MS } from '../contract/time';
import type { SimClock } from './context';
import type { Checkpoint, Places } from './places';
import type { Rng, WeightedTable } from './prng';
import { DEFAULT_STORM, mergeParams, type FloodParams, type StormParams } from './scenarios';
import type { Cell } from './places';
import { isSummer, type TicketModel } from './tickets';

export interface FloodModel {
  start(): void;
  /** District mean rain intensity (mm/h) at time t: the forest model keeps rangers in during a storm. */
  districtRain(t: number): number;
}

/** A storm as it acts on the district: a rain pulse travelling west → east and the rise it causes. */
interface Storm {
  onset: number;
  rampMs: number;
  peakRain: number;
  /** Share of each checkpoint's warning gap (warningLevel − baseLevel) the crest reaches at the top of a river. */
  rise: number;
  travelMs: number;
  /** Per-checkpoint rain factor: a storm is never uniform. */
  local: number[];
}

const COLORS: readonly WarningColor[] = ['none', 'blue', 'yellow', 'orange', 'red'];
const RESPONSE_OF: Record<WarningColor, ResponseLevel> = {
  none: 'none',
  blue: 'IV',
  yellow: 'III',
  orange: 'II',
  red: 'I',
};
const RESPONSE_RANK: Record<ResponseLevel, number> = { none: 0, IV: 1, III: 2, II: 3, I: 4 };

/** A smooth pulse peaking at 1 when x = 1: x^k·e^{k(1−x)}; larger k, narrower pulse. */
const pulse = (x: number, k: number): number => (x <= 0 ? 0 : Math.pow(x, k) * Math.exp(k * (1 - x)));

function colorOf(cp: Checkpoint, level: number): WarningColor {
  return WARNING_ORDER[warningIndex(cp.props.thresholds, level)]!;
}

interface CheckpointState {
  noise: number;
  level: number;
  color: WarningColor;
  nextInspection: number;
  obstruction: ObstructionStatus | null;
}

export function createFloodModel(
  clock: SimClock,
  places: Places,
  p: FloodParams,
  rng: Rng,
  tickets: TicketModel,
  riverNames: Map<string, string>,
): FloodModel {
  const draw = rng.fork('flood');
  const cps = places.checkpoints;
  const interval = p.readingIntervalMin * MINUTE_MS;
  const [west, , east] = places.bbox;
  const storms: Storm[] = [];
  const state: CheckpointState[] = cps.map(() => ({
    noise: 0,
    level: 0,
    color: 'none',
    nextInspection: 0,
    obstruction: null,
  }));

  // Rivers: their checkpoints in downstream order, and where along the river each sits (0 top … 1 bottom).
  const rivers = new Map<string, number[]>();
  cps.forEach((cp, i) => rivers.set(cp.props.riverId, [...(rivers.get(cp.props.riverId) ?? []), i]));
  const downstreamShare = cps.map((cp) => {
    const kms = (rivers.get(cp.props.riverId) ?? []).map((i) => cps[i]!.props.riverKm);
    const lo = Math.min(...kms);
    const hi = Math.max(...kms);
    return hi > lo ? (cp.props.riverKm - lo) / (hi - lo) : 0.5;
  });
  // The storm reaches a river where its upper end lies; the flood wave then runs down at the celerity.
  const riverLon = new Map(
    [...rivers].map(([id, idx]) => [
      id,
      cps[idx.reduce((a, b) => (cps[a]!.props.riverKm <= cps[b]!.props.riverKm ? a : b))]!.at[0],
    ]),
  );
  const riverFactor = new Map([...rivers.keys()].sort().map((id) => [id, 1 + draw.normal(0, 0.05)]));
  const response = new Map(
    [...rivers.keys()].map((id) => [id, { level: 'none' as ResponseLevel, lowerSince: null as number | null }]),
  );
  let districtResponse: ResponseLevel = 'none';
  const nearCells = new Map<number, WeightedTable<Cell> | null>();

  const eastDelay = (s: Storm, lon: number): number => (s.travelMs * (lon - west)) / Math.max(1e-9, east - west);

  function rainAt(i: number, t: number): number {
    let r = 0;
    for (const s of storms)
      r += s.peakRain * (s.local[i] ?? 1) * pulse((t - s.onset - eastDelay(s, cps[i]!.at[0])) / s.rampMs, 2);
    return r;
  }

  function riseAt(i: number, t: number): number {
    const cp = cps[i]!;
    const gap = cp.props.warningLevel - cp.props.baseLevel;
    // Water gathers downstream: the top of a river reaches ~0.8 of its warning gap per unit of storm, the
    // bottom ~1.25, so a severity-1 storm puts the lower reaches past yellow and leaves the upper ones at blue.
    const scale = gap * (0.8 + 0.45 * downstreamShare[i]!) * (riverFactor.get(cp.props.riverId) ?? 1);
    const lagMs = (cp.props.riverKm / p.celerityKmH) * HOUR_MS;
    let rise = 0;
    for (const s of storms) {
      const tp = s.rampMs + p.levelLagH * HOUR_MS;
      rise +=
        s.rise * scale * pulse((t - s.onset - eastDelay(s, riverLon.get(cp.props.riverId) ?? west) - lagMs) / tp, 2.5);
    }
    return rise;
  }

  function addStorm(onset: number, sp: StormParams): void {
    storms.push({
      onset,
      rampMs: sp.rampH * HOUR_MS,
      peakRain: sp.peakRainMmH,
      rise: sp.severity,
      travelMs: sp.travelH * HOUR_MS,
      local: cps.map(() => Math.exp(draw.normal(0, 0.2))),
    });
  }

  const round2 = (x: number): number => Math.round(x * 100) / 100;

  /** A reading: the state always moves on; in the thin part of a run only the hour's reading is sent. */
  function reading(i: number, send: boolean): void {
    const cp = cps[i]!;
    const st = state[i]!;
    const t = clock.now;
    const month = beijing(t).month;
    // Autocorrelated sensor noise, and a summer base a little higher than the dry-season baseLevel.
    st.noise = 0.8 * st.noise + draw.normal(0, p.noiseM * 0.6);
    const seasonal = isSummer(month) ? 0.15 : 0;
    st.level = round2(cp.props.baseLevel + seasonal + riseAt(i, t) + st.noise);
    st.color = colorOf(cp, st.level);
    const rain = Math.round(rainAt(i, t) * 10) / 10;
    const big = cp.props.riverId === 'beiyun' || cp.props.riverId === 'chaobai' ? 40 : 8;
    if (!send) return;
    clock.emit({
      ...clock.envelope('sensor'),
      kind: 'flood.reading',
      checkpointId: cp.id,
      level: st.level,
      rainfall: Math.min(500, rain < 0.1 ? 0 : rain),
      ...(cp.props.kind === 'gauge'
        ? { flow: Math.round(big * Math.pow(Math.max(0, st.level - cp.props.baseLevel + 0.5), 1.6) * 10) / 10 }
        : {}),
    });
  }

  function inspect(i: number, routine: boolean): void {
    const cp = cps[i]!;
    const st = state[i]!;
    const over = st.level - cp.props.warningLevel;
    let note: string;
    if (st.obstruction && st.obstruction !== 'cleared')
      note = `碍洪点巡查：水位${st.level.toFixed(2)}m，${st.obstruction === 'pending' ? '障碍物尚未清除' : '清障作业进行中'}`;
    else if (routine || st.color === 'none') note = `例行巡查：水位${st.level.toFixed(2)}m，河道畅通，无险情`;
    else if (st.color === 'blue') note = `加密巡查：水位${st.level.toFixed(2)}m，接近警戒水位，堤防无渗漏`;
    else note = `加密巡查：水位${st.level.toFixed(2)}m，超警戒水位${over.toFixed(2)}m，已安排人员24小时值守`;
    clock.emit({
      ...clock.envelope('simulator'),
      kind: 'flood.inspection',
      checkpointId: cp.id,
      inspector: `${staffName(i * 7 + draw.int(0, 2))}（水务巡查）`,
      note,
    });
  }

  function setObstruction(i: number, status: ObstructionStatus, note: string): void {
    if (state[i]!.obstruction === status) return;
    state[i]!.obstruction = status;
    clock.emit({ ...clock.envelope('simulator'), kind: 'flood.obstruction', checkpointId: cps[i]!.id, status, note });
  }

  function respond(level: ResponseLevel, note: string, riverId?: string): void {
    clock.emit({
      ...clock.envelope('simulator'),
      kind: 'flood.response',
      level,
      note,
      ...(riverId ? { riverId } : {}),
    });
  }

  /** After each round of readings: responses, storm tickets, inspections. */
  function evaluate(): void {
    const t = clock.now;
    for (const [riverId, idx] of rivers) {
      const worst = idx.reduce((w, i) => Math.max(w, COLORS.indexOf(state[i]!.color)), 0);
      const want = RESPONSE_OF[COLORS[worst]!];
      const r = response.get(riverId)!;
      const name = riverNames.get(riverId) ?? riverId;
      if (RESPONSE_RANK[want] > RESPONSE_RANK[r.level]) {
        r.level = want;
        r.lowerSince = null;
        respond(
          want,
          `${name}水位达${COLORS[worst] === 'blue' ? '蓝色' : COLORS[worst] === 'yellow' ? '黄色' : COLORS[worst] === 'orange' ? '橙色' : '红色'}预警，启动${want}级应急响应`,
          riverId,
        );
      } else if (RESPONSE_RANK[want] < RESPONSE_RANK[r.level]) {
        // Responses come down only after the lower colour has held for an hour: a crest wobbles.
        r.lowerSince ??= t;
        if (t - r.lowerSince >= HOUR_MS) {
          r.level = want;
          r.lowerSince = null;
          respond(
            want,
            want === 'none' ? `${name}水位回落，解除应急响应` : `${name}水位回落，应急响应调整为${want}级`,
            riverId,
          );
        }
      } else r.lowerSince = null;
    }
    const storm = storms.find((s) => s.rise >= 0.5);
    if (storm && districtResponse !== 'none' && t > storm.onset + storm.travelMs + 5 * storm.rampMs) {
      if ([...response.values()].every((r) => r.level === 'none')) {
        districtResponse = 'none';
        respond('none', '降雨结束，各河道水位回落至警戒以下，区防汛指挥部解除应急响应');
      }
    }

    // Waterlogging: rain floods low streets anywhere (busy urban cells first); a river in warning backs up
    // drains in the cells around its checkpoint.
    const hours = interval / HOUR_MS;
    const spread = (n: number, pickCell: () => Cell) => {
      if (!tickets.enabled) return;
      for (let k = 0; k < n; k++) {
        const cell = pickCell();
        clock.at(t + draw.range(0, interval), () => tickets.create({ cell, category: 'waterlogging' }));
      }
    };
    spread(draw.poisson(p.stormTicketsPerMmH * districtRain(t) * hours), () => places.cellTable.draw(draw));
    state.forEach((st, i) => {
      const rank = COLORS.indexOf(st.color) - 1; // yellow 1, orange 2, red 3
      if (rank < 1) return;
      if (!nearCells.has(i)) nearCells.set(i, places.cellsNear(cps[i]!.at, p.nearCheckpointM));
      const table = nearCells.get(i);
      if (table) spread(draw.poisson(p.stormTicketsPerWarningCheckpointH * rank * hours), () => table.draw(draw));
    });

    state.forEach((st, i) => {
      if (st.color !== 'none' && t >= st.nextInspection) {
        st.nextInspection = t + p.inspectEveryH * HOUR_MS;
        clock.at(t + draw.range(5, 40) * MINUTE_MS, () => inspect(i, false));
      }
    });
  }

  function tick(at: number): void {
    clock.at(at, () => {
      // Decided once per round, so that every checkpoint of a round is sent or none is.
      const send = !clock.thin || clock.now % HOUR_MS === 0;
      cps.forEach((_, i) => clock.at(clock.now + i * 2000, () => reading(i, send)));
      clock.at(clock.now + cps.length * 2000 + 10_000, evaluate);
      tick(clock.now + interval);
    });
  }

  /** Each local midnight: showers, routine inspections, progress of 碍洪点 clearance out of season. */
  function planDay(dayStart: number): void {
    // A storm's effect has died away three days on (crest + recession < 1 day here): keep the sums short
    // in a run that lasts for months.
    for (let i = storms.length - 1; i >= 0; i--)
      if (storms[i]!.onset < dayStart - 3 * 24 * HOUR_MS) storms.splice(i, 1);
    const local = beijing(dayStart);
    const summer = isSummer(local.month);
    const winter = local.month === 12 || local.month <= 2;
    const chance = summer ? p.showerChance.summer : winter ? p.showerChance.winter : p.showerChance.shoulder;
    if (draw.chance(chance)) {
      const peak = draw.range(2, 10);
      addStorm(dayStart + draw.range(0, 22) * HOUR_MS, {
        ...DEFAULT_STORM,
        rampH: draw.range(0.5, 1.5),
        peakRainMmH: peak,
        severity: (peak / 60) * 0.15,
        travelH: 1,
      });
    }
    cps.forEach((_, i) => {
      if (summer || draw.chance(1 / 7)) {
        const at = dayStart + draw.range(8, 17) * HOUR_MS;
        if (at >= clock.now) clock.at(at, () => inspect(i, true));
      }
      const st = state[i]!;
      if (!summer && st.obstruction && st.obstruction !== 'cleared') {
        const next: ObstructionStatus | null =
          st.obstruction === 'pending' ? (draw.chance(0.3) ? 'clearing' : null) : draw.chance(0.25) ? 'cleared' : null;
        const at = dayStart + draw.range(9, 16) * HOUR_MS;
        if (next && at >= clock.now)
          clock.at(at, () => setObstruction(i, next, next === 'clearing' ? '施工队进场清障' : '清障完成，已验收'));
      }
    });
    clock.at(nextMidnight(dayStart), () => planDay(clock.now));
  }

  function obstructionsAtStart(): void {
    const month = beijing(clock.now).month;
    const obstructions = cps.map((cp, i) => ({ cp, i })).filter((x) => x.cp.props.kind === 'obstruction');
    const sp = p.storm ? mergeParams(DEFAULT_STORM, p.storm) : null;
    obstructions.forEach(({ i }, k) => {
      let status: ObstructionStatus;
      if (sp) status = k === 0 ? 'cleared' : 'pending';
      else if (isSummer(month)) status = 'cleared';
      else
        status = draw.weighted<ObstructionStatus>(
          ['pending', 'clearing', 'cleared'],
          month >= 3 && month <= 5 ? [2, 3, 3] : [4, 2, 1],
        );
      setObstruction(
        i,
        status,
        status === 'cleared' ? '已清除，汛前验收合格' : status === 'clearing' ? '清障作业进行中' : '待清除',
      );
    });
    if (!sp) return;
    // A storm is coming: the open 碍洪点 get emergency crews at the warning; the first is done before the
    // rain peaks, the others only once the crest has passed them.
    const warnAt = clock.now + (sp.onsetAfterH - sp.warningLeadH) * HOUR_MS;
    const open = obstructions.filter((_, k) => k > 0);
    clock.at(warnAt, () => open.forEach(({ i }) => setObstruction(i, 'clearing', '暴雨预警发布，启动应急清障')));
    open.forEach(({ i }, k) => {
      const peakAt =
        clock.now + (sp.onsetAfterH + sp.rampH + p.levelLagH + cps[i]!.props.riverKm / p.celerityKmH) * HOUR_MS;
      const doneAt =
        k === 0 ? clock.now + (sp.onsetAfterH + draw.range(0.5, 1.5)) * HOUR_MS : peakAt + draw.range(3, 6) * HOUR_MS;
      clock.at(doneAt, () => setObstruction(i, 'cleared', '清障完成'));
    });
  }

  function districtRain(t: number): number {
    if (cps.length === 0 || storms.length === 0) return 0;
    let sum = 0;
    for (let i = 0; i < cps.length; i++) sum += rainAt(i, t);
    return sum / cps.length;
  }

  return {
    districtRain,
    start() {
      if (!p.enabled || cps.length === 0) return;
      const t0 = clock.now;
      cps.forEach((cp, i) => {
        state[i]!.level = cp.props.baseLevel;
        state[i]!.obstruction = null;
      });
      if (p.storm) {
        const sp = mergeParams(DEFAULT_STORM, p.storm);
        addStorm(t0 + sp.onsetAfterH * HOUR_MS, sp);
        clock.at(t0 + (sp.onsetAfterH - sp.warningLeadH) * HOUR_MS, () => {
          districtResponse = 'IV';
          respond('IV', '区气象台发布暴雨预警，区防汛指挥部启动IV级应急响应');
        });
      }
      obstructionsAtStart();
      planDay(beijing(t0).dayStart);
      // Readings on the wall clock's 10-minute marks, the first one at or after the start.
      tick(Math.ceil(t0 / interval) * interval);
    },
  };
}
