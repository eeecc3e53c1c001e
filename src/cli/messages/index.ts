/**
 * Every operator-facing string, Indonesian (default) and English. Catalogs are split per command group so
 * that each group owns its own file; this index merges them. Placeholders are {name}.
 */
import { common } from './common.js';
import { config } from './config.js';
import { kunci } from './kunci.js';
import { kriptogram } from './kriptogram.js';
import { store } from './store.js';
import { mail } from './mail.js';
import { agenda } from './agenda.js';
import { terima } from './terima.js';
import { akun } from './akun.js';
import { kirim } from './kirim.js';
import { aduan } from './aduan.js';
import { audit } from './audit.js';
import { validasi } from './validasi.js';
import { bantuan } from './bantuan.js';
import { kertas } from './kertas.js';
import { terminal } from './terminal.js';
import { periksa } from './periksa.js';
import { contoh } from './contoh.js';
import { konfig } from './konfig.js';
import { db } from './db.js';
import { bacaPesan } from '../../domain/pesan.js';

export type Lang = 'id' | 'en';
export interface Catalog {
  id: Record<string, string>;
  en: Record<string, string>;
}

const catalogs: Catalog[] = [common, config, kunci, kriptogram, store, mail, akun, kirim, terima, aduan, agenda, audit, validasi, bantuan, kertas, terminal, periksa, contoh, konfig, db];

const merged: Catalog = { id: {}, en: {} };
for (const c of catalogs) {
  Object.assign(merged.id, c.id);
  Object.assign(merged.en, c.en);
}

let current: Lang = 'id';

export function setLang(lang: Lang): void {
  current = lang;
}

export function getLang(): Lang {
  return current;
}

/** Resolve the UI language: --lang beats SANDI_LANG; anything unknown falls back to Indonesian. */
export function resolveLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const v = (flag ?? env['SANDI_LANG'] ?? 'id').toLowerCase();
  return v.startsWith('en') ? 'en' : 'id';
}

/** Look up and fill a message; an unknown key is shown as itself so a missing string is visible, not fatal. */
export function t(key: string, params: Record<string, string | number | undefined> = {}, lang: Lang = current): string {
  const template = merged[lang][key] ?? merged.id[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    return v === undefined ? `{${name}}` : param(v, lang);
  });
}

/** A message parameter as shown: a message carried as data (src/domain/pesan.ts) is said in `lang`, anything else as it is. */
export function param(v: string | number, lang: Lang = current): string {
  const inner = typeof v === 'string' ? bacaPesan(v) : null;
  return inner === null ? String(v) : t(inner.key, inner.params, lang);
}

/** For tests: every key must exist in both languages. */
export function catalogKeys(): { id: string[]; en: string[] } {
  return { id: Object.keys(merged.id), en: Object.keys(merged.en) };
}
