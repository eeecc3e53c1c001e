/**
 * `sandi periksa`: the doctor (src/services/periksa.ts). One line per check, OK / PERINGATAN / GAGAL /
 * DILEWATI, what to do under it; --json gives the checks with their keys, parameters and rendered messages.
 * Exits with the exit code of the first GAGAL's class (config 78, modes or a refused password 77, keys 82,
 * mail server or printer 69, audit 79), 0 when nothing failed (warnings included).
 */
import type { Command } from 'commander';
import type { GetContext } from './index.js';
import { t } from './messages/index.js';
import { operatorName } from './kunci.js';
import type { HasilPeriksa, Temuan } from '../services/periksa.js';
import type { KeyInfo } from '../ports.js';

const render = (f: Temuan): { message: string; hint?: string } => ({
  message: t(f.key, f.params),
  ...(f.hint ? { hint: t(f.hint.key, f.hint.params) } : {}),
});

export function renderPeriksa(results: HasilPeriksa[]): string {
  const statusWidth = Math.max(...(['ok', 'peringatan', 'gagal', 'dilewati'] as const).map((s) => t(`periksa.status.${s}`).length));
  const checkWidth = Math.max(...results.map((r) => t(`periksa.check.${r.check}`).length));
  const lines: string[] = [];
  for (const r of results) {
    r.findings.forEach((f, i) => {
      const m = render(f);
      const head = i === 0 ? `${t(`periksa.status.${r.status}`).padEnd(statusWidth)}  ${t(`periksa.check.${r.check}`).padEnd(checkWidth)}` : ' '.repeat(statusWidth + 2 + checkWidth);
      lines.push(`${head}  ${m.message}`);
      if (m.hint) lines.push(`${' '.repeat(statusWidth + 2 + checkWidth)}  → ${m.hint}`);
    });
  }
  const count = (s: string): number => results.filter((r) => r.status === s).length;
  const counts = { gagal: count('gagal'), peringatan: count('peringatan'), dilewati: count('dilewati') };
  lines.push('', t(counts.gagal > 0 ? 'periksa.summary.fail' : 'periksa.summary.ok', counts));
  return lines.join('\n');
}

export function registerPeriksa(program: Command, getCtx: GetContext): void {
  program
    .command('periksa')
    .description(t('periksa.description'))
    .option('--passphrase-file <berkas>', t('periksa.opt.passphraseFile'))
    .action(async (opts: { passphraseFile?: string }) => {
      const ctx = getCtx();
      const [{ openApp, periksaPorts }, { periksa }, { passphraseSource }] = await Promise.all([import('../app.js'), import('../services/periksa.js'), import('../config/passphrase.js')]);
      const app = openApp(ctx.home, undefined, ctx);
      try {
        const results = await periksa({
          app,
          env: ctx.env,
          actor: operatorName(ctx.env),
          ports: await periksaPorts(),
          passphrases: passphraseSource({
            file: opts.passphraseFile,
            env: ctx.env,
            prompt: ctx.prompter.interactive ? (k: KeyInfo) => ctx.prompter.password(t('kunci.q.passphrase', { key: `${k.fingerprint} (${k.userId})` })) : undefined,
          }),
        });
        const ok = !results.some((r) => r.status === 'gagal');
        ctx.printer.result(
          { ok, checks: results.map((r) => ({ ...r, findings: r.findings.map((f) => ({ ...f, ...render(f) })) })) },
          () => renderPeriksa(results),
        );
        const failed = results.find((r) => r.status === 'gagal');
        if (failed) process.exitCode = failed.exitCode ?? 1;
      } finally {
        app.close();
      }
    });
}
