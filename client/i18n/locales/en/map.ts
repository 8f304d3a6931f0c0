// English strings of the map namespace; same keys as zh-CN/map.ts.
import type zh from '../zh-CN/map';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {};
export default en;
