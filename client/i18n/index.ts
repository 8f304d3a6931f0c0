// Languages of the page: zh-CN (the default: the command center's language) and English, on a toggle.
// Every visible string lives in locales/<lang>/<namespace>.ts; numbers, dates and times are formatted for the
// language, always in Asia/Shanghai time (a wall in another time zone still shows the district's day).
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { TIME_ZONE } from '../../server/contract/live';
import zhCommon from './locales/zh-CN/common';
import zhMap from './locales/zh-CN/map';
import zhPanels from './locales/zh-CN/panels';
import zhAuth from './locales/zh-CN/auth';
import zhWall from './locales/zh-CN/wall';
import zhLanding from './locales/zh-CN/landing';
import zhExport from './locales/zh-CN/export';
import zhTrends from './locales/zh-CN/trends';
import zhBrief from './locales/zh-CN/brief';
import zhHistory from './locales/zh-CN/history';
import zhAdmin from './locales/zh-CN/admin';
import enCommon from './locales/en/common';
import enMap from './locales/en/map';
import enPanels from './locales/en/panels';
import enAuth from './locales/en/auth';
import enWall from './locales/en/wall';
import enLanding from './locales/en/landing';
import enExport from './locales/en/export';
import enTrends from './locales/en/trends';
import enBrief from './locales/en/brief';
import enHistory from './locales/en/history';
import enAdmin from './locales/en/admin';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';
export const NAMESPACES = [
  'common',
  'map',
  'panels',
  'auth',
  'wall',
  'landing',
  'brief',
  'trends',
  'export',
  'history',
  'admin',
] as const;

export const RESOURCES = {
  'zh-CN': {
    common: zhCommon,
    map: zhMap,
    panels: zhPanels,
    auth: zhAuth,
    wall: zhWall,
    landing: zhLanding,
    brief: zhBrief,
    trends: zhTrends,
    export: zhExport,
    history: zhHistory,
    admin: zhAdmin,
  },
  en: {
    common: enCommon,
    map: enMap,
    panels: enPanels,
    auth: enAuth,
    wall: enWall,
    landing: enLanding,
    brief: enBrief,
    trends: enTrends,
    export: enExport,
    history: enHistory,
    admin: enAdmin,
  },
} as const;

const STORAGE_KEY = 'opsmap.lang';

/** ?lang= wins (a link for a foreign visitor), then the last choice on this screen, then Chinese. */
export function initialLanguage(search = typeof window === 'undefined' ? '' : window.location.search): Language {
  const asked = new URLSearchParams(search).get('lang');
  if (asked && (LANGUAGES as readonly string[]).includes(asked)) return asked as Language;
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  } catch {
    // storage may be off on a locked-down wall browser: the default applies
  }
  return DEFAULT_LANGUAGE;
}

export function createI18n(lng: Language = DEFAULT_LANGUAGE): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng,
    fallbackLng: DEFAULT_LANGUAGE,
    resources: RESOURCES,
    ns: NAMESPACES,
    defaultNS: 'common',
    // The domain's vocabulary (categories, warning colours, incident types) lives once, in common.
    fallbackNS: 'common',
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
    returnNull: false,
  });
  return instance;
}

export function setLanguage(instance: I18n, lng: Language): void {
  void instance.changeLanguage(lng);
  document.documentElement.lang = lng;
  try {
    window.localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // see initialLanguage
  }
}

// ---- formatting for the locale, in the district's time zone ----

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function memo<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

export interface Formatters {
  number(n: number): string;
  /** A share 0..1 as a percentage; null (no data) as an em dash, never as 0 %. */
  percent(r: number | null | undefined, digits?: number): string;
  /** Water level in metres, two decimals. */
  metres(n: number | null | undefined): string;
  dateTime(t: number | string): string;
  time(t: number | string): string;
  date(t: number | string): string;
  /** The time alone for today (Asia/Shanghai), month, day and time for an earlier day: a feed crosses midnight. */
  when(t: number | string, now?: number): string;
}

export function formatters(lng: string): Formatters {
  const num = memo(`n:${lng}`, () => new Intl.NumberFormat(lng));
  const m2 = memo(`m:${lng}`, () => new Intl.NumberFormat(lng, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  const dt = memo(
    `dt:${lng}`,
    () =>
      new Intl.DateTimeFormat(lng, {
        timeZone: TIME_ZONE,
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }),
  );
  const tm = memo(
    `t:${lng}`,
    () =>
      new Intl.DateTimeFormat(lng, {
        timeZone: TIME_ZONE,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
      }),
  );
  const dd = memo(
    `d:${lng}`,
    () =>
      new Intl.DateTimeFormat(lng, {
        timeZone: TIME_ZONE,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        weekday: 'short',
      }),
  );
  const dayKey = memo(
    'day',
    () => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }),
  );
  const ms = (t: number | string) => (typeof t === 'number' ? t : Date.parse(t));
  return {
    number: (n) => num.format(n),
    percent: (r, digits = 1) =>
      r === null || r === undefined
        ? '—'
        : memo(
            `p${digits}:${lng}`,
            () =>
              new Intl.NumberFormat(lng, {
                style: 'percent',
                minimumFractionDigits: digits,
                maximumFractionDigits: digits,
              }),
          ).format(r),
    metres: (n) => (n === null || n === undefined ? '—' : `${m2.format(n)} m`),
    dateTime: (t) => dt.format(ms(t)),
    time: (t) => tm.format(ms(t)),
    date: (t) => dd.format(ms(t)),
    when: (t, now = Date.now()) => (dayKey.format(ms(t)) === dayKey.format(now) ? tm.format(ms(t)) : dt.format(ms(t))),
  };
}
