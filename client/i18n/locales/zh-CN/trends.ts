// 命名空间 trends 的中文文字：详情面板的"趋势"部分（每日工单、每周三率、水位、巡林覆盖率）。
export default {
  title: '趋势',
  loading: '趋势加载中…',
  error: '趋势加载失败，稍后重试',
  ticketsPerDay: '近 30 天每日工单（按类别）',
  ticketsPerDayLabel: '近 30 天每日新增工单，按类别堆叠',
  ratesPerWeek: '每周三率',
  ratesPerWeekLabel: '近 8 周每周的响应率、解决率、满意率',
  ratesNote: '一周 = 截至今天的 7 个自然日，口径同关键指标',
  flood: '监测点水位',
  floodLabel: '所选时段内各监测点水位（每段取最高值）',
  floodRange: '时段',
  range: { day: '近 24 小时', week: '近 7 天' },
  noReadings: '所选时段内无水位数据',
  coverage: '林区每日巡护覆盖率',
  coverageLabel: '近 30 天各林区组团每日巡护覆盖率',
  week: '{{from}}–{{to}}',
};
