// Citizen tickets (接诉即办): arrivals by hour and season, placed in grid cells by weight, each carried through
// its lifecycle (received → dispatched → in_progress → replied → closed → rated) with delays drawn so the
// district lands near its reported rates: 解决率 ≈ 83 %, 满意率 ≈ 92 %, nearly every response in time.
import type { Department, EventSource, TicketCategory, TicketChannel, Urgency } from '../contract/events';
import { TICKET_CATEGORIES } from '../contract/events';
import { CHANNEL_PREFIX, DEPARTMENT_NAMES, TICKET_TITLES, WHISTLE_DEPARTMENTS } from './catalog';
import { beijing, isoBeijing } from './clock';
import { HOUR_MS, MINUTE_MS } from '../contract/time';
import type { SimClock } from './context';
import type { Cell, Places } from './places';
import type { Rng } from './prng';
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

  const hourlyMean = p.hourly.reduce((a, b) => a + b, 0) / p.hourly.length;
  const hourly = p.hourly.map((h) => h / hourlyMean);
  const maxRate = (p.perDay / 24) * Math.max(...hourly) * Math.max(1, p.summerRateFactor, p.heatingRateFactor);

  /** Tickets per hour at time t: hour of day × weekday × season. */
  function ratePerHour(t: number): number {
    const local = beijing(t);
    let r = (p.perDay / 24) * (hourly[Math.floor(local.hour)] ?? 1);
    if (local.weekday === 0 || local.weekday === 6) r *= p.weekendFactor;
    if (isSummer(local.month)) r *= p.summerRateFactor;
    if (isHeatingSeason(local.month, local.day)) r *= p.heatingRateFactor;
    return r;
  }

  // Per-category offsets to resolution, re-centred on the mix of each kind of place (urban cells draw more
  // of the hard property and parking tickets) so the district keeps resolvedShare whatever the place mix.
  const centre = (place: Partial<Record<TicketCategory, number>>): number => {
    const w = (c: TicketCategory) => p.categoryWeights[c] * (place[c] ?? 1);
    const total = TICKET_CATEGORIES.reduce((s, c) => s + w(c), 0);
    return TICKET_CATEGORIES.reduce((s, c) => s + w(c) * (p.categoryResolution[c] ?? 0), 0) / total;
  };
  const catMean = { urban: centre(p.urban), rural: centre(p.rural) };
  const catOffset = (c: TicketCategory, cell: Cell): number =>
    (p.categoryResolution[c] ?? 0) - catMean[cell.urban ? 'urban' : 'rural'];

  // Per-town quality: towns differ (张家湾 gained 17 points in a year), re-centred on the ticket weights.
  const townRng = rng.fork('towns');
  const townWeight = new Map<string, number>();
  for (const c of places.cells) townWeight.set(c.townId, (townWeight.get(c.townId) ?? 0) + c.weight);
  const townOffset = new Map<string, number>();
  for (const id of [...townWeight.keys()].sort()) townOffset.set(id, townRng.normal(0, p.townSpread));
  const totalWeight = [...townWeight.values()].reduce((a, b) => a + b, 0);
  const townMean = [...townWeight].reduce((s, [id, w]) => s + w * (townOffset.get(id) ?? 0), 0) / totalWeight;
  for (const [id, off] of townOffset) townOffset.set(id, off - townMean);

  function drawCategory(t: number, cell: Cell): TicketCategory {
    const local = beijing(t);
    const summer = isSummer(local.month);
    const heating = isHeatingSeason(local.month, local.day);
    const place = cell.urban ? p.urban : p.rural;
    const weights = TICKET_CATEGORIES.map((c) => {
      let w = p.categoryWeights[c] * (place[c] ?? 1);
      if (summer) w *= p.summer[c] ?? 1;
      if (heating) w *= p.heating[c] ?? 1;
      else if (c === 'heating') w *= 0.15; // out of season: a few complaints about repairs and billing
      return w;
    });
    return draw.weighted(TICKET_CATEGORIES, weights);
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
  function officeHours(t: number, urgency: Urgency): number {
    if (urgency === 'urgent') return t;
    const local = beijing(t);
    const { workdayStartH: s, workdayEndH: e } = p.delays;
    if (local.hour >= s && local.hour < e) return t;
    const day = local.hour >= e ? local.dayStart + 24 * HOUR_MS : local.dayStart;
    return day + s * HOUR_MS + draw.range(0, 1.5) * HOUR_MS;
  }

  function create(opts: { cell?: Cell; category?: TicketCategory; urgency?: Urgency } = {}): void {
    const t0 = clock.now;
    const cell = opts.cell ?? places.cellTable.draw(draw);
    const category = opts.category ?? drawCategory(t0, cell);
    const urgency = opts.urgency ?? drawUrgency(category);
    const channel = drawChannel(cell);
    const source: EventSource = channel;
    const ticketId = `${clock.runId}-T${String(clock.serial('ticket')).padStart(6, '0')}`;
    const [lon, lat] = placeIn(cell);
    const title = draw.pick(TICKET_TITLES[category]);
    const deadline = p.deadlines[urgency];
    const d = p.delays;

    // Outcomes are decided up front so the notes along the way agree with them.
    const town = townOffset.get(cell.townId) ?? 0;
    const resolved = draw.chance(clamp01(p.resolvedShare + catOffset(category, cell) + town));
    const rated = draw.chance(p.ratedShare);
    const satisfied = draw.chance(clamp01((resolved ? p.satisfiedIfResolved : p.satisfiedIfUnresolved) + town / 2));
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
    if (rated) {
      clock.at(tRate, () =>
        clock.emit({ ...clock.envelope(source), kind: 'ticket.rated', ticketId, satisfied, score }),
      );
    }
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
