/**
 * `sandi periksa`: the doctor. Each check looks at one thing an officer's first week depends on and says OK,
 * PERINGATAN (works now, will bite later) or GAGAL (something is broken now), or DILEWATI with the reason:
 *   konfigurasi  config.json loads (the loader's own error, line and column, when it does not)
 *   kunci        the keys: none expired that is still in use, none expiring within 30 days, the archive key there
 *   mode         the home and every folder holding secrets 0700, the database and secret key files 0600
 *   kotak-surat  IMAP and SMTP login with the password sandi would use (skipped without a password source)
 *   pencetak     the configured CUPS queue (lpstat), skipped when none is configured
 *   hari-libur   the holidays file covers this year and next (else a year of holidays counts as working days)
 *   audit        the audit chain and the newest signed checkpoint against its head
 *   basis-data   which database holds the registers; on PostgreSQL a real connection (server, login, TLS)
 * Messages are catalog keys with parameters (src/cli/messages/periksa.ts); the command renders them.
 * Nothing here writes: the database is opened read-only by the audit check and by the key list.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT_CODES, isSandiError, type ErrorCode, type MessageParams } from '../errors.js';
import type { SandiConfig } from '../config/config.js';
import type { HomePaths } from '../config/home.js';
import { modeTooOpen, isExpired, shellQuote, OWN_KEY_ROLES } from '../domain/kunci.js';
import { tanggalLayar } from '../domain/tanggal-tampil.js';
import { holidayYears, localYear, parseHolidays, uncoveredYears } from '../domain/working-time.js';
import type { AkunHome } from './akun-kredensial.js';
import type { AuditPorts } from '../ports/audit.js';
import type { KeyInfo, PassphraseSource } from '../ports.js';
import type { LoginTester } from './akun.js';

export type Tingkat = 'ok' | 'peringatan' | 'gagal' | 'dilewati';
export type Pemeriksaan = 'konfigurasi' | 'basis-data' | 'kunci' | 'mode' | 'kotak-surat' | 'pencetak' | 'hari-libur' | 'audit';

/** What answered as the office database (src/app.ts probeDatabase). */
export type DatabaseProbe =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgresql'; display: string; serverVersion: string; sessionUser: string; ssl: boolean; passwordSource: string };

export interface Temuan {
  /** a line of the check: the message key and its parameters */
  key: string;
  params: MessageParams;
  /** what to do about it */
  hint?: { key: string; params: MessageParams };
}

export interface HasilPeriksa {
  check: Pemeriksaan;
  status: Tingkat;
  findings: Temuan[];
  /** for a GAGAL: the exit code of its class (config 78, modes or a refused password 77, keys 82, mail server or printer 69, audit 79) */
  exitCode?: number;
}

/** Warn this many days before a key expires. */
export const KEY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/** A CUPS queue as lpstat reports it (src/adapters/cups-status.ts). */
export type PrinterState = { state: 'siap' | 'nonaktif' | 'tidak-dikenal' | 'tanpa-cups'; detail: string };

/** What the doctor asks of the machine, wired by the composition root (src/app.ts: periksaPorts). */
export interface PeriksaPorts {
  /** the folders of a home that must be 0700 (those that exist and those that may) */
  secretFolders: (root: string) => string[];
  printerState: (name: string, env: NodeJS.ProcessEnv) => Promise<PrinterState>;
}

export interface PeriksaDeps {
  /** the home: its paths, config.json, clock and the key, account and audit ports (src/app.ts's App) */
  app: AkunHome & {
    paths: Pick<HomePaths, 'root' | 'config' | 'database' | 'maildir'>;
    /** config.json, loaded and checked (CONFIG naming the line and column, the key and the value expected) */
    config(): SandiConfig;
    auditPorts(): AuditPorts;
    /** which database holds the registers, and whether it answers (the basis-data line) */
    probeDatabase?(): DatabaseProbe;
    engine?(): { kind: 'sqlite' } | { kind: 'postgresql'; display: string };
  };
  env: NodeJS.ProcessEnv;
  actor: string;
  /** the archive key's passphrase (to read a stored mailbox password) */
  passphrases: PassphraseSource;
  ports: PeriksaPorts;
  login?: LoginTester;
}

const finding = (key: string, params: MessageParams = {}, hint?: { key: string; params?: MessageParams }): Temuan =>
  hint ? { key, params, hint: { key: hint.key, params: hint.params ?? {} } } : { key, params };

function errorFinding(e: unknown): Temuan {
  if (isSandiError(e)) return finding(e.key, e.params, e.hint ? { key: e.hint, params: e.params } : undefined);
  return finding('periksa.internal', { detail: e instanceof Error ? e.name : typeof e });
}

/** The worst of the findings' levels decides the check's line. */
function result(check: Pemeriksaan, levels: [Tingkat, Temuan][], failCode: ErrorCode, okFinding: Temuan): HasilPeriksa {
  const worst = levels.some(([l]) => l === 'gagal') ? 'gagal' : levels.some(([l]) => l === 'peringatan') ? 'peringatan' : 'ok';
  const findings = worst === 'ok' ? [okFinding] : levels.filter(([l]) => l !== 'ok').map(([, f]) => f);
  return { check, status: worst, findings, ...(worst === 'gagal' ? { exitCode: EXIT_CODES[failCode] } : {}) };
}

const skipped = (check: Pemeriksaan, f: Temuan): HasilPeriksa => ({ check, status: 'dilewati', findings: [f] });

function checkConfig(load: () => SandiConfig, configFile: string): { result: HasilPeriksa; config: SandiConfig | null } {
  try {
    const config = load();
    return { config, result: { check: 'konfigurasi', status: 'ok', findings: [finding('periksa.config.ok', { file: configFile, office: config.office.name, zone: config.office.timeZone })] } };
  } catch (e) {
    return { config: null, result: { check: 'konfigurasi', status: 'gagal', findings: [errorFinding(e)], exitCode: isSandiError(e) ? e.exitCode : EXIT_CODES.CONFIG } };
  }
}

/** Keys: expired and still in use = GAGAL; expiring within 30 days = PERINGATAN; missing own roles = PERINGATAN. */
export function judgeKeys(keys: KeyInfo[], archiveKey: string | null, now: Date, tz: (iso: string) => string): [Tingkat, Temuan][] {
  const out: [Tingkat, Temuan][] = [];
  const live = keys.filter((k) => !k.revoked);
  const usable = (k: KeyInfo): boolean => !isExpired(k.expires, now);
  if (archiveKey !== null && !keys.some((k) => k.fingerprint === archiveKey)) {
    out.push(['gagal', finding('periksa.keys.archiveMissing', { fingerprint: archiveKey }, { key: 'periksa.keys.archiveMissing.hint' })]);
  }
  for (const k of live) {
    const label = `${k.role} ${k.fingerprint} (${k.userId})`;
    if (isExpired(k.expires, now)) {
      // an own key replaced by a newer usable one of its role is history (old checkpoints, old letters), not in use
      const replaced = k.hasSecret && k.fingerprint !== archiveKey && live.some((o) => o !== k && o.hasSecret && o.role === k.role && usable(o));
      if (!replaced) out.push(['gagal', finding('periksa.keys.expired', { key: label, date: tz(k.expires!) }, { key: 'periksa.keys.expired.hint', params: { role: k.role } })]);
      continue;
    }
    if (k.expires !== null) {
      const days = Math.ceil((Date.parse(k.expires) - now.getTime()) / DAY_MS);
      if (days <= KEY_WARNING_DAYS) out.push(['peringatan', finding('periksa.keys.expiring', { key: label, date: tz(k.expires), days }, { key: 'periksa.keys.expired.hint', params: { role: k.role } })]);
    }
  }
  for (const role of OWN_KEY_ROLES) {
    if (role === 'arsip') continue;
    if (!live.some((k) => k.role === role && k.hasSecret && usable(k))) out.push(['peringatan', finding('periksa.keys.noRole', { role }, { key: 'periksa.keys.noRole.hint', params: { role } })]);
  }
  return out;
}

/** Modes: the secret folders 0700; sandi.db (-wal, -shm), kunci/*.sec.asc and kredensial/* 0600. */
export function judgeModes(root: string, secretFolders: (root: string) => string[]): [Tingkat, Temuan][] {
  const looseDirs: string[] = [];
  const looseFiles: string[] = [];
  const mode = (p: string): number | null => {
    try {
      return statSync(p).mode;
    } catch {
      return null;
    }
  };
  for (const d of secretFolders(root)) {
    const m = mode(d);
    if (m !== null && modeTooOpen(m)) looseDirs.push(d);
  }
  const files = ['sandi.db', 'sandi.db-wal', 'sandi.db-shm'].map((f) => join(root, f));
  const list = (dir: string, keep: (name: string) => boolean): string[] => {
    try {
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile() && keep(e.name))
        .map((e) => join(dir, e.name));
    } catch {
      return [];
    }
  };
  files.push(...list(join(root, 'kunci'), (n) => n.endsWith('.sec.asc')), ...list(join(root, 'kredensial'), () => true));
  for (const f of files) {
    const m = mode(f);
    if (m !== null && modeTooOpen(m)) looseFiles.push(f);
  }
  const out: [Tingkat, Temuan][] = [];
  if (looseDirs.length > 0) out.push(['gagal', finding('periksa.modes.dirs', { paths: looseDirs.join(', ') }, { key: 'periksa.modes.fix', params: { fix: `chmod 700 ${looseDirs.map(shellQuote).join(' ')}` } })]);
  if (looseFiles.length > 0) out.push(['gagal', finding('periksa.modes.files', { paths: looseFiles.join(', ') }, { key: 'periksa.modes.fix', params: { fix: `chmod 600 ${looseFiles.map(shellQuote).join(' ')}` } })]);
  return out;
}

/** Holidays: the file readable, this year and next covered. */
export function judgeHolidays(file: string, now: Date, timeZone: string): [Tingkat, Temuan][] {
  const year = localYear(timeZone, now);
  if (!existsSync(file)) return [['peringatan', finding('periksa.holidays.missing', { file }, { key: 'periksa.holidays.hint', params: { file, year } })]];
  const parsed = parseHolidays(readFileSync(file, 'utf8'));
  const bad = parsed.problems[0];
  if (bad) return [['gagal', finding('config.holidaysBad', { file, line: bad.line, problem: bad.problem })]];
  const missing = uncoveredYears(holidayYears(parsed.holidays), year, year + 1);
  return missing.map((y) => ['peringatan', finding('periksa.holidays.uncovered', { file, year: y, first: `${y}-01-01` }, { key: 'periksa.holidays.hint', params: { file, year: y } })]);
}

export async function periksa(deps: PeriksaDeps): Promise<HasilPeriksa[]> {
  const paths = deps.app.paths;
  const now = deps.app.clock.now();
  const results: HasilPeriksa[] = [];
  const { result: configResult, config } = checkConfig(() => deps.app.config(), paths.config);
  results.push(configResult);
  const noConfig = finding('periksa.skipped.noConfig');
  // the office database: which one, and on PostgreSQL whether it answers (its registers are not there yet)
  let onPostgres: string | null = null;
  if (deps.app.probeDatabase !== undefined) {
    try {
      const engine = deps.app.engine?.();
      if (engine?.kind === 'postgresql') onPostgres = engine.display;
      const p = deps.app.probeDatabase();
      if (p.kind === 'sqlite') {
        results.push(existsSync(p.path) ? { check: 'basis-data', status: 'ok', findings: [finding('periksa.db.sqlite', { path: p.path })] } : skipped('basis-data', finding('periksa.skipped.noDatabase', { file: p.path })));
      } else {
        const params = { db: p.display, version: p.serverVersion, user: p.sessionUser, source: p.passwordSource };
        results.push({ check: 'basis-data', status: 'ok', findings: [finding(p.ssl ? 'periksa.db.postgres.tls' : 'periksa.db.postgres.plain', params)] });
      }
    } catch (e) {
      results.push({ check: 'basis-data', status: 'gagal', findings: [errorFinding(e)], exitCode: isSandiError(e) ? e.exitCode : EXIT_CODES.UNAVAILABLE });
    }
  }
  // on PostgreSQL the keys and the audit chain are the office database's: checked when it answered
  const pgAnswered = onPostgres !== null && results.some((r) => r.check === 'basis-data' && r.status === 'ok');
  const hasDb = onPostgres === null ? existsSync(paths.database) : pgAnswered;
  const pgNotReady = onPostgres === null ? null : finding('periksa.skipped.postgres', { db: onPostgres });
  const notOnPostgres = pgAnswered ? null : pgNotReady;
  /** the office schema not made yet (the owner runs `sandi db siapkan`): that check waits, it does not fail */
  const notMigrated = (e: unknown): boolean => pgNotReady !== null && isSandiError(e) && e.key === 'store.pgNotMigrated';
  const day = (iso: string): string => tanggalLayar(iso, config?.office.timeZone ?? 'Asia/Jakarta');

  // modes first: sandi refuses to open a home whose secret folders are loose, so keys and mailbox then wait
  const modes = result('mode', existsSync(paths.root) ? judgeModes(paths.root, deps.ports.secretFolders) : [['gagal', finding('periksa.modes.noHome', { path: paths.root })]], 'PERMISSION', finding('periksa.modes.ok'));
  const looseHome = modes.status === 'gagal' ? finding('periksa.skipped.modes') : null;

  // keys
  if (notOnPostgres) results.push(skipped('kunci', notOnPostgres));
  else if (!hasDb) results.push(skipped('kunci', finding('periksa.skipped.noDatabase', { file: paths.database })));
  else if (looseHome) results.push(skipped('kunci', looseHome));
  else {
    try {
      const { kunciService } = await import('./kunci.js');
      const keys = await kunciService(deps.app, deps.actor).list(now);
      const tz = config?.office.timeZone ?? 'Asia/Jakarta';
      const fmt = (iso: string): string => tanggalLayar(iso, tz);
      results.push(result('kunci', judgeKeys(keys, config?.archiveKey ?? null, now, fmt), 'KEY_REFUSED', finding('periksa.keys.ok', { count: keys.length, days: KEY_WARNING_DAYS })));
    } catch (e) {
      if (notMigrated(e)) results.push(skipped('kunci', pgNotReady!));
      else results.push({ check: 'kunci', status: 'gagal', findings: [errorFinding(e)], exitCode: isSandiError(e) ? e.exitCode : EXIT_CODES.KEY_REFUSED });
    }
  }

  results.push(modes);

  // mailbox login
  if (config === null) results.push(skipped('kotak-surat', noConfig));
  else if (config.mailbox === null) results.push(skipped('kotak-surat', finding('periksa.mail.noMailbox', { maildir: paths.maildir })));
  else if (looseHome) results.push(skipped('kotak-surat', looseHome));
  else {
    try {
      const { akunService } = await import('./akun.js');
      const r = await akunService({ app: deps.app, config, actor: deps.actor, env: deps.env, passphrases: deps.passphrases, ...(deps.login ? { login: deps.login } : {}) }).uji();
      const levels: [Tingkat, Temuan][] = [];
      for (const [protocol, rep] of [['IMAP', r.imap], ['SMTP', r.smtp]] as const) {
        if (!rep.ok) levels.push(['gagal', finding('periksa.mail.fail', { protocol, user: r.user }, rep.error ? { key: rep.error.key, params: rep.error.params } : undefined)]);
      }
      const mail = result('kotak-surat', levels, 'UNAVAILABLE', finding('periksa.mail.ok', { user: r.user, source: r.source }));
      // a refused password is 77 like `sandi akun uji`, an unreachable server 69
      const firstError = [r.imap, r.smtp].find((x) => !x.ok)?.error;
      results.push(firstError ? { ...mail, exitCode: firstError.exitCode } : mail);
    } catch (e) {
      // no password source (nothing stored, no passwordCommand, no SANDI_MAILBOX_PASSWORD) or no passphrase for the store
      if (isSandiError(e) && e.code === 'USAGE') results.push(skipped('kotak-surat', finding('periksa.mail.skipped', { user: config.mailbox.user }, { key: e.hint ?? e.key, params: e.params })));
      else results.push({ check: 'kotak-surat', status: 'gagal', findings: [errorFinding(e)], exitCode: isSandiError(e) ? e.exitCode : EXIT_CODES.UNAVAILABLE });
    }
  }

  // printer
  const printer = config?.terima?.printer ?? null;
  if (config === null) results.push(skipped('pencetak', noConfig));
  else if (printer === null) results.push(skipped('pencetak', finding('periksa.printer.none')));
  else {
    const state = await deps.ports.printerState(printer, deps.env);
    const level: Tingkat = state.state === 'siap' ? 'ok' : state.state === 'nonaktif' ? 'peringatan' : 'gagal';
    results.push(result('pencetak', level === 'ok' ? [] : [[level, finding(`periksa.printer.${state.state}`, { printer, detail: state.detail })]], 'UNAVAILABLE', finding('periksa.printer.ok', { printer, detail: state.detail })));
  }

  // holidays
  if (config === null) results.push(skipped('hari-libur', noConfig));
  else {
    const file = resolve(paths.root, config.holidaysFile);
    results.push(result('hari-libur', judgeHolidays(file, now, config.office.timeZone), 'CONFIG', finding('periksa.holidays.ok', { file, years: `${localYear(config.office.timeZone, now)}–${localYear(config.office.timeZone, now) + 1}` })));
  }

  // audit checkpoint
  if (notOnPostgres) results.push(skipped('audit', notOnPostgres));
  else if (!hasDb) results.push(skipped('audit', finding('periksa.skipped.noDatabase', { file: paths.database })));
  else {
    try {
      const { checkAudit } = await import('./audit.js');
      const a = await checkAudit(deps.app.auditPorts());
      const levels: [Tingkat, Temuan][] = [];
      if (!a.ok) levels.push(['gagal', finding('periksa.audit.broken', { rows: a.rows, problems: a.checkpoints.problems.length }, { key: 'periksa.audit.broken.hint' })]);
      else if (a.checkpoints.newest === null) levels.push(['peringatan', finding('periksa.audit.noCheckpoint', { rows: a.rows }, { key: 'periksa.audit.tandai.hint' })]);
      else if (a.checkpoints.uncovered > 0) {
        levels.push(['peringatan', finding('periksa.audit.uncovered', { uncovered: a.checkpoints.uncovered, id: a.checkpoints.newest.id, at: day(a.checkpoints.newest.at), head: a.lastId ?? '-' }, { key: 'periksa.audit.tandai.hint' })]);
      }
      results.push(result('audit', levels, 'INTEGRITY', finding('periksa.audit.ok', { id: a.checkpoints.newest?.id ?? '-', head: a.lastId ?? '-', rows: a.rows })));
    } catch (e) {
      if (notMigrated(e)) results.push(skipped('audit', pgNotReady!));
      else results.push({ check: 'audit', status: 'gagal', findings: [errorFinding(e)], exitCode: isSandiError(e) ? e.exitCode : EXIT_CODES.INTEGRITY });
    }
  }
  return results;
}
