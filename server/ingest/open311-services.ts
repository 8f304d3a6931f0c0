// Our ticket categories as Open311 services (GET services.{json,xml}): the service_code is the category itself, so
// that a request posted with it lands in that category, and a client that lists the services first shows its users
// the names the command center uses. Attributes are asked only where a category needs a fact the description would
// bury (which e-bike hazard, how deep the water stands, when the noise happens).
import { TICKET_CATEGORIES, type TicketCategory } from '../contract/events';
import type { Open311Attribute, Open311Service, Open311ServiceDefinition } from '../contract/open311';

interface Category {
  name: string;
  group: string;
  description: string;
  keywords: string[];
  attributes?: Open311Attribute[];
}

const list = (code: string, order: number, description: string, values: [string, string][]): Open311Attribute => ({
  variable: true,
  code,
  datatype: 'singlevaluelist',
  required: false,
  datatype_description: '',
  order,
  description,
  values: values.map(([key, name]) => ({ key, name })),
});

const CATEGORIES: Record<TicketCategory, Category> = {
  municipal_environment: {
    name: '市政市容环境',
    group: '城市管理',
    description: '占道经营、乱贴乱画、广告牌匾、市政设施损坏等市容问题',
    keywords: ['市容', '占道', '小广告', '市政设施'],
  },
  property_management: {
    name: '物业管理',
    group: '社区生活',
    description: '小区物业服务：电梯、门禁、保洁、绿化、公共设施维修',
    keywords: ['物业', '电梯', '小区', '业委会'],
  },
  farmers_market: {
    name: '农贸市场',
    group: '市场',
    description: '农贸市场、大集的秩序、卫生与食品安全',
    keywords: ['大集', '菜市场', '摊贩'],
  },
  safety_hazard: {
    name: '安全隐患',
    group: '安全',
    description: '消防通道堵塞、燃气、危房等可能危及人身财产安全的隐患',
    keywords: ['隐患', '消防', '燃气'],
  },
  industrial_compound: {
    name: '工业大院',
    group: '安全',
    description: '工业大院、散乱污企业的安全、环境与经营问题',
    keywords: ['工业大院', '散乱污', '厂房'],
  },
  illegal_construction: {
    name: '违法建设',
    group: '城市管理',
    description: '私搭乱建、违规加盖、占用公共空间的建筑',
    keywords: ['违建', '私搭乱建', '加盖'],
  },
  heating: {
    name: '供暖',
    group: '社区生活',
    description: '供暖季室温不达标、暖气不热、管道漏水',
    keywords: ['暖气', '室温', '供热'],
  },
  e_bike: {
    name: '电动车',
    group: '安全',
    description: '电动自行车楼道停放、入户充电、飞线充电等消防隐患',
    keywords: ['电动车', '飞线充电', '楼道'],
    attributes: [
      list('ebike_hazard', 1, '哪一种隐患？', [
        ['corridor_parking', '楼道停放'],
        ['indoor_charging', '入户充电'],
        ['flying_wire', '飞线充电'],
      ]),
    ],
  },
  parking: {
    name: '停车',
    group: '社区生活',
    description: '乱停车、占用消防通道或盲道、停车收费纠纷',
    keywords: ['停车', '占道停车', '车位'],
  },
  sanitation: {
    name: '环境卫生',
    group: '城市管理',
    description: '垃圾堆积、道路保洁、公共厕所卫生',
    keywords: ['垃圾', '保洁', '卫生'],
  },
  waste_sorting: {
    name: '垃圾分类',
    group: '城市管理',
    description: '垃圾分类投放、桶站管理、混装混运',
    keywords: ['垃圾分类', '桶站', '厨余'],
  },
  noise: {
    name: '噪音',
    group: '社区生活',
    description: '装修扰民、施工噪音、商业噪音',
    keywords: ['噪音', '装修扰民', '施工'],
    attributes: [
      list('noise_period', 1, '什么时候？', [
        ['day', '白天'],
        ['night', '夜间（22:00–6:00）'],
      ]),
    ],
  },
  road: {
    name: '道路',
    group: '城市管理',
    description: '路面坑洼、井盖缺失、道路破损',
    keywords: ['道路', '坑洼', '井盖'],
  },
  lighting: {
    name: '照明',
    group: '城市管理',
    description: '路灯不亮、照明设施损坏',
    keywords: ['路灯', '照明'],
  },
  charging_pile: {
    name: '充电桩',
    group: '安全',
    description: '电动车、汽车充电桩的安装、故障与收费',
    keywords: ['充电桩', '充电'],
  },
  waterlogging: {
    name: '积水',
    group: '城市管理',
    description: '道路、小区、下穿通道积水（汛期也报防汛）',
    keywords: ['积水', '内涝', '排水'],
    attributes: [
      {
        variable: true,
        code: 'depth_cm',
        datatype: 'number',
        required: false,
        datatype_description: '厘米',
        order: 1,
        description: '积水大约多深（厘米）？',
        values: [],
      },
    ],
  },
  other: {
    name: '其他',
    group: '其他',
    description: '以上类别都不适用的诉求',
    keywords: ['其他'],
  },
};

export const isServiceCode = (code: string): code is TicketCategory =>
  (TICKET_CATEGORIES as readonly string[]).includes(code);

export const serviceNameOf = (code: TicketCategory): string => CATEGORIES[code].name;

/** Every category, in the contract's order. */
export const OPEN311_SERVICES: readonly Open311Service[] = TICKET_CATEGORIES.map((code) => {
  const c = CATEGORIES[code];
  return {
    service_code: code,
    service_name: c.name,
    description: c.description,
    metadata: (c.attributes?.length ?? 0) > 0,
    type: 'realtime',
    keywords: c.keywords.join(', '),
    group: c.group,
  };
});

export function serviceDefinition(code: TicketCategory): Open311ServiceDefinition {
  return { service_code: code, attributes: CATEGORIES[code].attributes ?? [] };
}
