// 指挥大屏（/wall）：轮播场景、连接状态、严重告警接管。
export default {
  title: '运行一张图 · 指挥大屏',
  scene: {
    overview: '全区总览 · 综合得分',
    townOverview: '{{name}} · 综合得分',
    worst: '重点关注 {{rank}}/{{count}} · {{name}} · 超期工单',
    flood: '防汛监测 · 监测点预警',
    forest: '林长制 · {{name}} · 林区巡护覆盖率',
    counter: '{{index}}/{{count}}',
    paused: '轮播暂停',
  },
  link: {
    connecting: '连接中…',
    live: '实时',
    reconnecting: '连接中断，正在重连…',
    offline: '网络中断',
  },
  freshness: {
    waiting: '等待数据…',
    fresh: '{{seconds}} 秒前更新',
    stale: '已 {{seconds}} 秒无新数据',
    resyncing: '正在重新同步…',
    offline: '数据停在 {{seconds}} 秒前',
  },
  takeover: {
    label: '严重告警',
    raisedAt: '{{time}} 发生',
    waiting: '等待值班员确认 · 确认后恢复轮播',
    queued: '另有 {{count}} 条严重告警待确认',
  },
  rule: {
    flood_warning: '防汛预警',
    ticket_near_deadline: '工单临期',
    ticket_overdue: '工单超期',
    ticket_surge: '诉求激增',
    forest_unpatrolled: '林区久未巡护',
    ranger_signal_lost: '护林员信号丢失',
    fire_risk: '火险',
    ranger_sos: '护林员求救',
  },
  severity: { info: '提示', warning: '警告', severe: '严重' },
};
