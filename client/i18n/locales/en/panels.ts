// English strings of the panels namespace; same keys as zh-CN/panels.ts.
import type zh from '../zh-CN/panels';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {};
export default en;
