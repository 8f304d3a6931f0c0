// Citizen tickets (接诉即办): arrivals by hour and season, shared among the towns by their demand figures
// (demand.ts) and placed in a town's grid cells by weight, each carried through its lifecycle (received →
// dispatched → in_progress → replied → closed → rated) with outcomes drawn so that each town lands on its own
// 解决率 and 满意率 (玉桥: 82.94 % and 91.83 %), and nearly every response in time.
import type { Department, EventSource, TicketCategory, TicketChannel, Urgency } from '../contract/events';
import { TICKET_CATEGORIES } from '../contract/events';
import { CHANNEL_PREFIX, DEPARTMENT_NAMES, TICKET_TITLES, WHISTLE_DEPARTMENTS } from './catalog';
import { beijing, isoBeijing } from './clock';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../contract/time';
import type { SimClock } from './context';
import type { Cell, Places } from './places';
import { WeightedTable, type Rng } from './prng';
import type { TicketParams } from './scenarios';
import type { LonLat } from './shapes';

export interface TicketModel {
  /** False when the scenario is tuned to make no tickets (then a storm makes none either). */
  readonly enabled: boolean;
  /** Starts the arrival process at the simulation start. */
  start(): void;
  /** A ticket created now (storm waterlogging, tests); unspecified fields are drawn as for any ticket. */
  create(opts?: { cell?: Cell; category?: TicketCategory; urgency?: Urgency }): void;
}

type Channel = Exclude<TicketChannel, 'open311'>;
const CHANNELS: readonly Channel[] = ['hotline_12345', 'wechat', 'grid_worker', 'walk_in', 'courier_app'];

export const isSummer = (month: number): boolean => month >= 6 && month <= 9;
/** Beijing's heating season: 15 November to 15 March. */
export const isHeatingSeason = (month: number, day: number): boolean =>
  month === 12 || month === 1 || month === 2 || (month === 11 && day >= 15) || (month === 3 && day <= 15);

const clamp01 = (x: number, lo = 0.02, hi = 0.995): number => Math.min(hi, Math.max(lo, x));

export function createTicketModel(clock: SimClock, places: Places, p: TicketParams, rng: Rng): TicketModel {
  const arrivals = rng.fork('arrivals');
  const draw = rng.fork('tickets');
  // Its own stream: drawing 督办 does not move the outcomes the calibration rests on.
  const oversight = rng.fork('supervision');
  const startedAt = clock.now;

  const hourlyMean = p.hourly.reduce((a, b) => a + b, 0) / p.hourly.length;
  const hourly = p.hourly.map((h) => h / hourlyMean);

  // Towns and their cells: a town's volume is its demand figure (scenarios.ts `towns`); its cells only say
  // where in the town a ticket falls. A town missing from the table gets the table's mean and the defaults.
  const cellsOf = new Map<string, Cell[]>();
  for (const c of places.cells) {
    const list = cellsOf.get(c.townId);
    if (list) list.push(c);
    else cellsOf.set(c.townId, [c]);
  }
  const table = Object.values(p.towns);
  const tableMean = table.length > 0 ? table.reduce((s, t) => s + t.perDay, 0) / table.length : 1;
  const gap = p.satisfiedIfResolved - p.satisfiedIfUnresolved;
  const towns = [...cellsOf.keys()].sort().map((id) => {
    const cells = cellsOf.get(id)!;
    const target = p.towns[id] ?? {
      perDay: tableMean,
      resolution: p.resolvedShare,
      satisfaction: p.resolvedShare * p.satisfiedIfResolved + (1 - p.resolvedShare) * p.satisfiedIfUnresolved,
    };
    return {
      id,
      urban: cells[0]!.urban,
      target,
      cells: new WeightedTable(
        cells,
        cells.map((c) => c.weight),
      ),
    };
  });
  type Town = (typeof towns)[number];
  const townById = new Map(towns.map((t) => [t.id, t]));
  const scale =
    p.perDay /
    Math.max(
      1e-9,
      towns.reduce((s, t) => s + t.target.perDay, 0),
    );

  // The town under treatment (治理类): its categories at their old volumes (1 / (1 − drop) of today's) and its
  // rates below its figures, until holdDays, then a linear change to its figures over turnaroundDays.
  const ta = p.turnaround && townById.has(p.turnaround.townId) ? p.turnaround : null;
  /** 1 while treated, 0 once turned around. */
  const treated = (t: number): number => {
    if (!ta) return 0;
    const days = (t - startedAt) / DAY_MS;
    return days <= ta.holdDays ? 1 : Math.max(0, 1 - (days - ta.holdDays) / Math.max(1e-9, ta.turnaroundDays));
  };
  const oldVolume = (c: TicketCategory): number => 1 / Math.max(0.01, 1 - (ta?.categoryDrop[c] ?? 0));

  /** How far the town is still under treatment at time t: 1 treated … 0 turned around (or never treated). */
  const treatmentOf = (t: number, town: Town): number => (ta && town.id === ta.townId ? treated(t) : 0);

  /** Category weights of a ticket in this town at time t: base mix × place × season × treatment k. */
  function categoryWeights(t: number, town: Town, k = treatmentOf(t, town)): number[] {
    const local = beijing(t);
    const summer = isSummer(local.month);
    const heating = isHeatingSeason(local.month, local.day);
    const place = town.urban ? p.urban : p.rural;
    return TICKET_CATEGORIES.map((c) => {
      let w = p.categoryWeights[c] * (place[c] ?? 1);
      if (summer) w *= p.summer[c] ?? 1;
      if (heating) w *= p.heating[c] ?? 1;
      else if (c === 'heating') w *= 0.15; // out of season: a few complaints about repairs and billing
      if (k > 0) w *= 1 + k * (oldVolume(c) - 1);
      return w;
    });
  }
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  /** How much more a treated town takes than its figure: its old category volumes over today's mix. */
  const treatedVolume = (t: number, town: Town): number => {
    const k = treatmentOf(t, town);
    return k === 0 ? 1 : sum(categoryWeights(t, town, k)) / sum(categoryWeights(t, town, 0));
  };

  /** Tickets a day in this town at time t, before hour, weekday and season. */
  const townPerDay = (t: number, town: Town): number => town.target.perDay * scale * treatedVolume(t, town);
  /** The largest the district total can be (the treated town at its old volume), for thinning. */
  const peakPerDay = towns.reduce((s, town) => {
    let v = town.target.perDay * scale;
    if (ta && town.id === ta.townId) v *= Math.max(1, ...TICKET_CATEGORIES.map(oldVolume));
    return s + v;
  }, 0);
  const maxRate = (peakPerDay / 24) * Math.max(...hourly) * Math.max(1, p.summerRateFactor, p.heatingRateFactor);

  /** District total per day at time t (the treated town's volume changes with it), memoised per hour. */
  let totalAt = { hour: NaN, perDay: 0, weights: [] as number[] };
  function districtPerDay(t: number): { perDay: number; weights: number[] } {
    const hour = Math.floor(t / HOUR_MS);
    if (hour !== totalAt.hour) {
      const weights = towns.map((town) => townPerDay(hour * HOUR_MS, town));
      totalAt = { hour, perDay: sum(weights), weights };
    }
    return totalAt;
  }

  /** Tickets per hour at time t: the district's day × hour of day × weekday × season. */
  function ratePerHour(t: number): number {
    const local = beijing(t);
    let r = (districtPerDay(t).perDay / 24) * (hourly[Math.floor(local.hour)] ?? 1);
    if (local.weekday === 0 || local.weekday === 6) r *= p.weekendFactor;
    if (isSummer(local.month)) r *= p.summerRateFactor;
    if (isHeatingSeason(local.month, local.day)) r *= p.heatingRateFactor;
    return r;
  }

  /** A town's 解决率 and 满意率 at time t (below its figures while treated). */
  function townRates(t: number, town: Town): { resolution: number; satisfaction: number } {
    const k = treatmentOf(t, town);
    return {
      resolution: town.target.resolution - k * (ta?.resolutionGain ?? 0),
      satisfaction: town.target.satisfaction - k * (ta?.satisfactionGain ?? 0),
    };
  }

  function drawTown(t: number): Town {
    const { weights } = districtPerDay(t);
    return draw.weighted(towns, weights);
  }

  function drawUrgency(category: TicketCategory): Urgency {
    const urgent = p.urgentShare[category] ?? p.urgentShare.default;
    const low = p.lowShare[category] ?? p.lowShare.default;
    const r = draw.next();
    return r < urgent ? 'urgent' : r < urgent + low ? 'low' : 'normal';
  }

  function drawChannel(cell: Cell): Channel {
    const weights = CHANNELS.map((ch) => {
      let w = p.channels[ch];
      if (ch === 'courier_app') w *= p.courierTowns.includes(cell.townId) ? p.courierTownFactor : cell.urban ? 0.5 : 0;
      if (ch === 'grid_worker' && !cell.urban) w *= 1.6; // village grid leaders report much of what rural towns see
      return w;
    });
    return draw.weighted(CHANNELS, weights);
  }

  /** A point inside the cell, at the contract's 6 decimals, still inside after rounding. */
  function placeIn(cell: Cell): LonLat {
    for (let i = 0; i < 10; i++) {
      const [lon, lat] = cell.shape.randomPoint(draw, cell.anchor);
      const r: LonLat = [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
      if (cell.shape.contains(r[0], r[1])) return r;
    }
    return cell.anchor;
  }

  /** Moves non-urgent work into office hours (Beijing); urgent tickets are worked through the night. */
  function officeHours(t: number, urgency: Urgency, r: Rng = draw): number {
    if (urgency === 'urgent') return t;
    const local = beijing(t);
    const { workdayStartH: s, workdayEndH: e } = p.delays;
    if (local.hour >= s && local.hour < e) return t;
    const day = local.hour >= e ? local.dayStart + 24 * HOUR_MS : local.dayStart;
    return day + s * HOUR_MS + r.range(0, 1.5) * HOUR_MS;
  }

  function create(opts: { cell?: Cell; category?: TicketCategory; urgency?: Urgency } = {}): void {
    const t0 = clock.now;
    const town = opts.cell ? townById.get(opts.cell.townId)! : drawTown(t0);
    const cell = opts.cell ?? town.cells.draw(draw);
    // Per-category offsets to resolution (property and 违建 are hard, lighting is quick), re-centred on the
    // mix this ticket is drawn from, so that the town lands on its own 解决率 whatever its mix and season.
    const weights = categoryWeights(t0, town);
    const category = opts.category ?? draw.weighted(TICKET_CATEGORIES, weights);
    const centre =
      TICKET_CATEGORIES.reduce((s, c, i) => s + weights[i]! * (p.categoryResolution[c] ?? 0), 0) / sum(weights);
    const urgency = opts.urgency ?? drawUrgency(category);
    const channel = drawChannel(cell);
    const source: EventSource = channel;
    const ticketId = `${clock.runId}-T${String(clock.serial('ticket')).padStart(6, '0')}`;
    const [lon, lat] = placeIn(cell);
    const title = draw.pick(TICKET_TITLES[category]);
    const deadline = p.deadlines[urgency];
    const d = p.delays;

    // Outcomes are decided up front so the notes along the way agree with them. Satisfaction keeps its gap
    // between resolved and unresolved tickets and is placed so the town lands on its 满意率 at its 解决率.
    const rates = townRates(t0, town);
    const resolved = draw.chance(clamp01(rates.resolution + (p.categoryResolution[category] ?? 0) - centre));
    const rated = draw.chance(p.ratedShare);
    const ifUnresolved = rates.satisfaction - rates.resolution * gap;
    const satisfied = draw.chance(clamp01(resolved ? ifUnresolved + gap : ifUnresolved));
    const escalate = draw.chance(p.escalation[category] ?? p.escalation.default);

    clock.emit({
      ...clock.envelope(source),
      kind: 'ticket.created',
      ticketId,
      category,
      urgency,
      channel,
      title,
      description: `${CHANNEL_PREFIX[channel]}：${title}，请尽快处理。`,
      address: `通州区${cell.community}${cell.community.endsWith('社区') ? `${draw.int(1, 40)}号楼` : ''}附近`,
      location: { lon, lat },
      responseDueAt: isoBeijing(t0 + deadline.respondMs),
      resolveDueAt: isoBeijing(t0 + deadline.resolveMs),
    });

    const tDispatch = t0 + draw.lognormal(d.dispatchMin[urgency], 0.6) * MINUTE_MS;
    const tRespond = officeHours(tDispatch + draw.lognormal(d.respondH[urgency], d.sigma) * HOUR_MS, urgency);
    const slow = escalate ? d.escalatedFactor : 1;
    const tReply = officeHours(
      tRespond + draw.lognormal(d.resolveH[urgency], d.resolveSigma) * slow * HOUR_MS,
      urgency,
    );
    const tClose = tReply + draw.lognormal(d.closeH, 0.5) * HOUR_MS;
    const tRate = officeHours(tClose + draw.lognormal(d.rateH, 0.5) * HOUR_MS, 'normal');
    const departments: Department[] = escalate
      ? draw.sample(WHISTLE_DEPARTMENTS[category] ?? WHISTLE_DEPARTMENTS.default, draw.int(2, 3))
      : [];
    const tEscalate = escalate
      ? Math.min(tReply - MINUTE_MS, officeHours(tRespond + draw.range(0.5, 4) * HOUR_MS, urgency))
      : 0;
    const score = satisfied ? draw.weighted([5, 4], [80, 20]) : draw.weighted([1, 2, 3], [30, 40, 30]);

    const update = (status: 'dispatched' | 'in_progress' | 'replied', note: string, assignee?: string) =>
      clock.emit({
        ...clock.envelope(source),
        kind: 'ticket.updated',
        ticketId,
        status,
        note,
        ...(assignee ? { assignee } : {}),
      });

    clock.at(tDispatch, () => update('dispatched', `派单至${cell.townName}`, cell.townId));
    clock.at(tRespond, () => update('in_progress', '承办单位已联系市民，正在办理'));
    if (escalate) {
      clock.at(Math.max(tRespond, tEscalate), () =>
        clock.emit({
          ...clock.envelope(source),
          kind: 'ticket.escalated',
          ticketId,
          departments,
          note: `${cell.townName}吹哨，${departments.map((x) => DEPARTMENT_NAMES[x]).join('、')}报到`,
        }),
      );
    }
    clock.at(tReply, () =>
      update('replied', resolved ? '已处理完毕，已回复市民' : '经协调暂无法解决，已向市民解释说明'),
    );
    clock.at(tClose, () =>
      clock.emit({
        ...clock.envelope(source),
        kind: 'ticket.closed',
        ticketId,
        resolved,
        note: resolved ? '办结：问题已解决' : '办结：问题未解决',
      }),
    );
    superviseIfLate(ticketId, cell, urgency, Date.parse(isoBeijing(t0 + deadline.resolveMs)), tClose, source);
    // 回访: the hotline calls the citizen back; in the simulation the citizen agrees with the handler's verdict.
    if (rated) {
      clock.at(tRate, () =>
        clock.emit({
          ...clock.envelope(source),
          kind: 'ticket.followed_up',
          ticketId,
          resolved,
          satisfied,
          score,
          by: '12345 回访',
        }),
      );
    }
  }

  /**
   * 督办 of a ticket that will still be open past its resolve deadline: a share of them a few office hours after
   * it, and again from the district a day later if still open then. Only while the ticket is open.
   */
  function superviseIfLate(
    ticketId: string,
    cell: Cell,
    urgency: Urgency,
    dueMs: number,
    tClose: number,
    source: EventSource,
  ): void {
    const s = p.supervision;
    if (tClose <= dueMs || !oversight.chance(s.share)) return;
    const district = oversight.chance(s.districtShare);
    const first = officeHours(dueMs + oversight.lognormal(s.delayH, 0.6) * HOUR_MS, urgency, oversight);
    const second = first + DAY_MS;
    const supervise = (level: 'district' | 'town', note: string) =>
      clock.emit({
        ...clock.envelope(source),
        kind: 'ticket.supervised',
        ticketId,
        by: level === 'district' ? '区接诉即办指挥中心' : `${cell.townName}接诉即办办公室`,
        level,
        note,
      });
    if (first < tClose) clock.at(first, () => supervise(district ? 'district' : 'town', '已超期，请加快办理并反馈'));
    if (second < tClose && oversight.chance(s.again))
      clock.at(second, () => supervise('district', '超期未办结，区级督办'));
  }

  /** Non-homogeneous Poisson arrivals by thinning: candidates at the peak rate, kept with rate(t) / peak. */
  function scheduleArrival(from: number): void {
    const t = from + arrivals.exponential(HOUR_MS / maxRate);
    clock.at(t, () => {
      if (arrivals.next() < ratePerHour(clock.now) / maxRate) create();
      scheduleArrival(clock.now);
    });
  }

  return {
    enabled: p.enabled,
    start() {
      if (p.enabled && p.perDay > 0) scheduleArrival(clock.now);
    },
    create,
  };
}
