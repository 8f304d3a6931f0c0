// Words the simulator puts into events: ticket titles per category, who gets called in by 吹哨报到, what a
// ranger writes about an incident. Plausible Chinese text makes the panels look like the real thing, and a
// fixed list keeps generation deterministic.
import type { Department, IncidentType, Severity, TicketCategory, TicketChannel } from '../contract/events';

export const TICKET_TITLES: Record<TicketCategory, readonly string[]> = {
  municipal_environment: ['路边违规广告牌', '占道经营', '道路两侧堆物堆料', '绿化带被毁坏', '共享单车乱停放'],
  property_management: ['物业不作为', '小区电梯故障长期未修', '物业费收取争议', '小区门禁损坏', '地下室漏水物业不处理'],
  farmers_market: ['大集占道经营影响通行', '大集散场后垃圾未清理', '农贸市场环境脏乱', '大集噪音扰民'],
  safety_hazard: ['楼道堆放杂物存在消防隐患', '燃气管道老化', '井盖缺失', '外墙瓷砖脱落', '消防通道被占用'],
  industrial_compound: ['工业大院排放异味', '工业大院违规住人', '工业大院消防隐患', '大院货车夜间扰民'],
  illegal_construction: ['私搭乱建', '楼顶违建', '占用绿地建房', '违规扩建院墙'],
  heating: ['家中暖气不热', '供暖管道漏水', '供暖温度不达标', '暖气片不热'],
  e_bike: ['楼道内停放电动车', '电动车入户充电', '飞线充电存在隐患', '电动车违规停放堵塞通道'],
  parking: ['车辆乱停堵塞道路', '小区停车位不足', '占用消防通道停车', '僵尸车长期占位'],
  sanitation: ['垃圾清运不及时', '公厕卫生差', '道路清扫不到位', '小区垃圾桶满溢'],
  waste_sorting: ['垃圾分类桶站脏乱', '垃圾未分类投放', '厨余垃圾清运不及时'],
  noise: ['装修噪音扰民', '夜间施工噪音', '商户外放音响扰民', '广场舞噪音扰民'],
  road: ['路面坑洼', '人行道砖松动', '道路积尘', '道路标线不清'],
  lighting: ['路灯不亮', '小区照明缺失', '路灯白天常亮'],
  charging_pile: ['小区充电桩不足', '充电桩故障', '希望增设电动自行车充电桩'],
  waterlogging: ['道路积水严重', '小区积水', '下穿通道积水', '雨水井堵塞积水', '地下车库进水'],
  other: ['咨询政策', '宠物扰民', '流浪犬伤人隐患', '公交站牌损坏'],
};

/** How each channel's intake reads in the description, so the source shows in the detail panel. */
export const CHANNEL_PREFIX: Record<Exclude<TicketChannel, 'open311'>, string> = {
  hotline_12345: '市民来电反映',
  wechat: '市民通过微信小程序反映',
  grid_worker: '网格员巡查上报',
  courier_app: '快递小哥随手拍上报',
  walk_in: '市民来访反映',
};

/** Who reports in when the town blows the whistle, per category (the first two are the usual pair). */
export const WHISTLE_DEPARTMENTS: Partial<Record<TicketCategory, readonly Department[]>> & {
  default: readonly Department[];
} = {
  default: ['chengguan', 'other', 'housing'],
  safety_hazard: ['fire', 'housing', 'chengguan', 'police'],
  illegal_construction: ['chengguan', 'housing', 'landscaping'],
  industrial_compound: ['ecology', 'market', 'fire', 'housing'],
  farmers_market: ['market', 'chengguan', 'sanitation'],
  waterlogging: ['water', 'chengguan', 'transport'],
  municipal_environment: ['chengguan', 'sanitation', 'landscaping'],
  sanitation: ['sanitation', 'chengguan'],
  road: ['transport', 'chengguan'],
  e_bike: ['fire', 'police', 'housing'],
  heating: ['housing', 'other'],
  property_management: ['housing', 'chengguan'],
};

export const DEPARTMENT_NAMES: Record<Department, string> = {
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
  other: '相关单位',
};

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '高',
  '林',
  '郑',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '秀英',
  '建国',
  '海燕',
  '志强',
  '丽华',
];
/** A plausible staff name from an index, so the same index always names the same person. */
export const staffName = (i: number): string =>
  `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]}`;

/** What simulated rangers report (never an SOS: a simulated one would take the walls over). */
export const INCIDENT_TEXT: Record<Exclude<IncidentType, 'sos'>, readonly string[]> = {
  fire_risk: [
    '林下枯枝落叶堆积，存在火险',
    '发现林地边缘焚烧秸秆',
    '林区内发现烟头和野炊痕迹',
    '林间杂草干枯，火险等级高',
  ],
  pests: ['发现美国白蛾网幕', '杨树出现溃疡病斑', '林木叶片虫害严重'],
  illegal_logging: ['发现树木被砍伐的新鲜树桩', '有人私自修剪移栽林木'],
  dumping: ['林地边发现倾倒的建筑垃圾', '林间道路旁堆放生活垃圾'],
  fallen_tree: ['大风后树木倒伏阻断巡护道路', '树木倾斜有倒伏风险'],
  other: ['林区围栏损坏', '巡护道路被车辆碾压损坏'],
};

export const INCIDENT_SEVERITY: Record<'fire_risk' | 'default', Record<Severity, number>> = {
  fire_risk: { high: 25, medium: 45, low: 30 },
  default: { high: 5, medium: 35, low: 60 },
};
