// What a message says, in the channel's language: the title, severity, area, time, the facts behind the alert and
// a link back to it in the dashboard. One Notice, then one rendering per kind of receiver (markdown for the chat
// robots, JSON for webhooks, one short line for SMS), so that every channel tells the same story.
import type { AlertRule, AlertSeverity, NotifyTransition } from '../contract/alerts';
import { isoLocal } from '../contract/time';

export type Language = 'zh' | 'en';

/** One alert event, as a channel is told of it. */
export interface Notice {
  /** Idempotency key of this delivery (alert event × channel): receivers may drop a repeat by it. */
  key: string;
  alertId: string;
  transition: NotifyTransition;
  rule: AlertRule;
  severity: AlertSeverity;
  level: 'town' | 'district';
  title: string;
  /** Area key and its name (and the town's, when the area is below a town). */
  area: string;
  areaName: string;
  townName?: string;
  /** When the alert event happened (ISO with offset). */
  at: string;
  raisedAt: string;
  facts: Readonly<Record<string, string | number>>;
  departments?: readonly string[];
  note?: string;
  location?: { lon: number; lat: number };
  /** The alert in the dashboard; absent without PUBLIC_URL. */
  link?: string;
  /** A test message from the admin (POST …/test), not an alert. */
  test?: boolean;
}

const WORDS = {
  zh: {
    severity: { info: '提示', warning: '警告', severe: '严重' },
    transition: { raised: '新告警', escalated: '已上报区级', whistled: '吹哨报到', resolved: '已办结' },
    rule: {
      flood_warning: '防汛预警',
      ticket_near_deadline: '工单临期',
      ticket_overdue: '工单超期',
      ticket_surge: '工单激增',
      forest_unpatrolled: '林区未巡护',
      ranger_signal_lost: '护林员信号中断',
      fire_risk: '火险',
      ranger_sos: '护林员求救',
    },
    level: { town: '街乡级', district: '区级' },
    labels: {
      severity: '级别',
      rule: '规则',
      area: '区域',
      time: '时间',
      raisedAt: '触发时间',
      facts: '详情',
      departments: '吹哨部门',
      note: '备注',
      link: '查看告警',
      test: '测试消息',
    },
    testTitle: '运行一张图：通知渠道测试',
  },
  en: {
    severity: { info: 'Info', warning: 'Warning', severe: 'Severe' },
    transition: {
      raised: 'New alert',
      escalated: 'Escalated to the district',
      whistled: 'Departments called',
      resolved: 'Resolved',
    },
    rule: {
      flood_warning: 'Flood warning',
      ticket_near_deadline: 'Ticket near deadline',
      ticket_overdue: 'Ticket overdue',
      ticket_surge: 'Ticket surge',
      forest_unpatrolled: 'Forest not patrolled',
      ranger_signal_lost: 'Ranger signal lost',
      fire_risk: 'Fire risk',
      ranger_sos: 'Ranger SOS',
    },
    level: { town: 'town', district: 'district' },
    labels: {
      severity: 'Severity',
      rule: 'Rule',
      area: 'Area',
      time: 'Time',
      raisedAt: 'Raised',
      facts: 'Facts',
      departments: 'Departments',
      note: 'Note',
      link: 'Open the alert',
      test: 'Test message',
    },
    testTitle: 'Ops Map: notification channel test',
  },
} as const;

/** 吹哨报到: the departments by name; the webhook body keeps the codes. */
const DEPARTMENTS: Record<Language, Record<string, string>> = {
  zh: {
    chengguan: '城管执法',
    sanitation: '环卫',
    fire: '消防',
    market: '市场监管',
    housing: '住建',
    water: '水务',
    transport: '交通',
    ecology: '生态环境',
    police: '公安',
    landscaping: '园林绿化',
    other: '其他部门',
  },
  en: { chengguan: 'city management', market: 'market regulation', ecology: 'environment', landscaping: 'landscaping' },
};

/** Fact values that are codes: warning colours and urgencies. */
const VALUES: Record<Language, Record<string, string>> = {
  zh: { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色', urgent: '紧急', normal: '一般', low: '较低' },
  en: {},
};

/** Facts the title already says (what it is made of, since the client words titles itself): not repeated. */
const IN_TITLE = new Set(['checkpoint', 'ticketTitle', 'cluster', 'description']);

/** Fact names in people's words; an unknown fact keeps its name. */
const FACTS: Record<Language, Record<string, string>> = {
  zh: {
    level: '水位(米)',
    color: '预警颜色',
    threshold: '阈值(米)',
    urgency: '紧急程度',
    resolveDueAt: '办结时限',
    count: '工单数',
    baseline: '基线',
    windowMin: '统计窗口(分钟)',
    hours: '未巡护(小时)',
    since: '起始',
    minutes: '失联(分钟)',
    lastSeen: '最后位置时间',
    rangerId: '护林员',
    device: '设备',
    deviceId: '设备',
  },
  en: {
    level: 'level (m)',
    color: 'colour',
    threshold: 'threshold (m)',
    resolveDueAt: 'resolve by',
    windowMin: 'window (min)',
    lastSeen: 'last seen',
    rangerId: 'ranger',
    deviceId: 'device',
  },
};

/** "2025-07-20 14:00" in Beijing time: what a duty officer reads on a phone. */
export function localTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : isoLocal(ms).slice(0, 16).replace('T', ' ');
}

export function heading(n: Notice, lang: Language): string {
  const w = WORDS[lang];
  if (n.test) return w.testTitle;
  return `【${w.severity[n.severity]}】${w.transition[n.transition]}：${n.title}`;
}

/** The lines under the heading, label and value. */
export function lines(n: Notice, lang: Language): [string, string][] {
  const w = WORDS[lang];
  const out: [string, string][] = [];
  if (n.test) out.push([w.labels.test, n.note ?? '']);
  out.push([w.labels.severity, `${w.severity[n.severity]}（${w.level[n.level]}）`]);
  if (!n.test) out.push([w.labels.rule, w.rule[n.rule]]);
  out.push([w.labels.area, n.townName && n.townName !== n.areaName ? `${n.townName} · ${n.areaName}` : n.areaName]);
  out.push([w.labels.time, localTime(n.at)]);
  if (n.transition !== 'raised' && !n.test) out.push([w.labels.raisedAt, localTime(n.raisedAt)]);
  const facts = Object.entries(n.facts).filter(([k]) => !IN_TITLE.has(k));
  if (facts.length > 0) {
    const value = (v: string | number): string =>
      typeof v === 'number' ? String(v) : /T\d\d:/.test(v) ? localTime(v) : (VALUES[lang][v] ?? v);
    const named = facts.map(([k, v]) => `${FACTS[lang][k] ?? k} ${value(v)}`);
    out.push([w.labels.facts, named.join('，')]);
  }
  if (n.departments && n.departments.length > 0)
    out.push([
      w.labels.departments,
      n.departments.map((d) => DEPARTMENTS[lang][d] ?? d).join(lang === 'zh' ? '、' : ', '),
    ]);
  if (n.note && !n.test) out.push([w.labels.note, n.note]);
  return out;
}

/** Chat robots strip HTML and read a markdown subset: a heading, bold labels, a link. */
const mdEscape = (s: string): string => s.replace(/([*_`[\]<>])/g, '\\$1');

export function markdown(n: Notice, lang: Language): string {
  const body = lines(n, lang).map(([k, v]) => `> **${k}**：${mdEscape(v)}`);
  const link = n.link ? [``, `[${WORDS[lang].labels.link}](${n.link})`] : [];
  return [`### ${mdEscape(heading(n, lang))}`, ...body, ...link].join('\n');
}

/** One line for SMS: the template with its fields filled in, or the default. */
export function smsText(n: Notice, lang: Language, template: string | undefined): string {
  const w = WORDS[lang];
  const fields: Record<string, string> = {
    title: n.test ? w.testTitle : n.title,
    severity: w.severity[n.severity],
    transition: n.test ? w.labels.test : w.transition[n.transition],
    area: n.townName && n.townName !== n.areaName ? `${n.townName}${n.areaName}` : n.areaName,
    time: localTime(n.at),
    link: n.link ?? '',
    rule: w.rule[n.rule],
  };
  const t =
    template ??
    (lang === 'zh'
      ? '【{severity}】{transition}：{title}，{area}，{time} {link}'
      : '[{severity}] {transition}: {title}, {area}, {time} {link}');
  return t.replace(/\{(\w+)\}/g, (m, k: string) => fields[k] ?? m).trim();
}

/** The webhook's JSON: every field, for a receiver that does its own wording. */
export function webhookBody(n: Notice, lang: Language): Record<string, unknown> {
  return {
    idempotencyKey: n.key,
    test: n.test === true,
    alert: {
      id: n.alertId,
      rule: n.rule,
      severity: n.severity,
      level: n.level,
      title: n.title,
      area: n.area,
      areaName: n.areaName,
      ...(n.townName !== undefined ? { townName: n.townName } : {}),
      raisedAt: n.raisedAt,
      facts: n.facts,
      ...(n.location ? { location: n.location } : {}),
    },
    transition: n.transition,
    at: n.at,
    ...(n.departments ? { departments: n.departments } : {}),
    ...(n.note !== undefined ? { note: n.note } : {}),
    ...(n.link !== undefined ? { link: n.link } : {}),
    text: { title: heading(n, lang), markdown: markdown(n, lang) },
  };
}
