// Demand per town: how many tickets a day each township unit takes (all channels together) and the 解决率 and
// 满意率 it lands on. Volume follows this table, not the number of grid cells: a town of large new-district
// cells (文景) is not busier than the old core for having more of them. Where each figure comes from is in
// server/sim/README.md ("Demand per town"); only 玉桥's three figures are reported ones (docs/DOMAIN.md), the
// others are estimates made by the rules written there, to be replaced when a town's reported figures are known.

export interface TownDemand {
  name: string;
  /** New tickets on a weekday outside summer and the heating season, all channels (hotline, app, grid, walk-in). */
  perDay: number;
  /** 解决率 target: resolved / closed with a verdict. */
  resolution: number;
  /** 满意率 target: satisfied / rated. */
  satisfaction: number;
  /** 'seed': reported figures (docs/DOMAIN.md); 'estimate': by the README's rules. */
  source: 'seed' | 'estimate';
}

/** 玉桥街道: 16,798 tickets in Jan–Nov 2022 (334 days: 50.3 a day), 解决率 82.94 %, 满意率 91.83 %. */
export const YUQIAO_ID = '110112004';
/** 张家湾镇: once among the city's top ten by volume (治理类, July 2019), then +17 / +21 points (scenario `turnaround`). */
export const ZHANGJIAWAN_ID = '110112105';

/**
 * Keyed by the town's admin code (the area tree's id). Streets: 玉桥's 50 a day over its 18 communities is
 * ≈ 2.8 a community; the others by the same rate on their communities, rounded to 5. Towns: 0.5 a village plus
 * 10 for the town seat's own streets. Rates: within a few points of 玉桥's, lower where the seeds' hard
 * categories (违法建设, 工业大院, 物业) weigh more, higher where the seeds report good governance.
 */
export const TOWN_DEMAND: Readonly<Record<string, TownDemand>> = {
  '110112001': { name: '中仓街道', perDay: 55, resolution: 0.85, satisfaction: 0.93, source: 'estimate' },
  '110112002': { name: '新华街道', perDay: 20, resolution: 0.87, satisfaction: 0.94, source: 'estimate' },
  '110112003': { name: '北苑街道', perDay: 40, resolution: 0.81, satisfaction: 0.9, source: 'estimate' },
  [YUQIAO_ID]: { name: '玉桥街道', perDay: 50, resolution: 0.8294, satisfaction: 0.9183, source: 'seed' },
  '110112007': { name: '潞源街道', perDay: 55, resolution: 0.86, satisfaction: 0.93, source: 'estimate' },
  '110112008': { name: '通运街道', perDay: 20, resolution: 0.83, satisfaction: 0.92, source: 'estimate' },
  '110112009': { name: '文景街道', perDay: 15, resolution: 0.88, satisfaction: 0.95, source: 'estimate' },
  '110112010': { name: '九棵树街道', perDay: 50, resolution: 0.8, satisfaction: 0.89, source: 'estimate' },
  '110112011': { name: '临河里街道', perDay: 45, resolution: 0.82, satisfaction: 0.91, source: 'estimate' },
  '110112012': { name: '杨庄街道', perDay: 60, resolution: 0.86, satisfaction: 0.94, source: 'estimate' },
  '110112013': { name: '潞邑街道', perDay: 40, resolution: 0.84, satisfaction: 0.92, source: 'estimate' },
  '110112120': { name: '永顺镇', perDay: 35, resolution: 0.81, satisfaction: 0.9, source: 'estimate' },
  '110112121': { name: '梨园镇', perDay: 35, resolution: 0.8, satisfaction: 0.9, source: 'estimate' },
  '110112104': { name: '宋庄镇', perDay: 35, resolution: 0.82, satisfaction: 0.91, source: 'estimate' },
  [ZHANGJIAWAN_ID]: { name: '张家湾镇', perDay: 40, resolution: 0.84, satisfaction: 0.92, source: 'estimate' },
  '110112106': { name: '漷县镇', perDay: 40, resolution: 0.79, satisfaction: 0.88, source: 'estimate' },
  '110112109': { name: '马驹桥镇', perDay: 35, resolution: 0.78, satisfaction: 0.88, source: 'estimate' },
  '110112110': { name: '西集镇', perDay: 40, resolution: 0.81, satisfaction: 0.9, source: 'estimate' },
  '110112114': { name: '台湖镇', perDay: 30, resolution: 0.8, satisfaction: 0.89, source: 'estimate' },
  '110112117': { name: '永乐店镇', perDay: 30, resolution: 0.85, satisfaction: 0.93, source: 'estimate' },
  '110112119': { name: '潞城镇', perDay: 25, resolution: 0.83, satisfaction: 0.92, source: 'estimate' },
  '110112209': { name: '于家务回族乡', perDay: 20, resolution: 0.84, satisfaction: 0.93, source: 'estimate' },
};

/** The table's district total: the default of the scenarios' `tickets.perDay`. */
export const DEMAND_TOTAL_PER_DAY = Object.values(TOWN_DEMAND).reduce((s, t) => s + t.perDay, 0);

/**
 * 张家湾's turnaround as the seeds report it: resolution +17 and satisfaction +21 points, and how far each
 * category fell (市政市容环境 −60 %, 物业管理 ≈ −60 %, 农贸市场 −54 %, 安全隐患 and 工业大院 −46 %, 违法建设
 * ≈ −30 %, 供暖 −22 %, e-bike fire safety −79 %). Categories the seeds do not name stay as they were.
 */
export const ZHANGJIAWAN_TURNAROUND = {
  resolutionGain: 0.17,
  satisfactionGain: 0.21,
  categoryDrop: {
    municipal_environment: 0.6,
    property_management: 0.6,
    farmers_market: 0.54,
    safety_hazard: 0.46,
    industrial_compound: 0.46,
    illegal_construction: 0.3,
    heating: 0.22,
    e_bike: 0.79,
  },
} as const;
