/**
 * The example keys of keys.example/ (DEMO ONLY, passphrases published): read their manifest and import them
 * into a home for `sandi demo` and the tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandiError } from '../../errors.js';
import type { KeyRole } from '../../ports.js';
import type { ImportOptions, ImportResult } from './kunci.js';

/** One key of keys.example/manifest.json (written by scripts/make-example-keys.mjs). */
export interface ExampleKey {
  slug: string;
  role: KeyRole;
  fingerprint: string;
  userId: string;
  email: string;
  /** DEMO ONLY: published in keys.example/README.md */
  passphrase: string;
  public: string;
  secret: string;
  unit: string | null;
  unitCode: string | null;
}

/** Read keys.example/manifest.json. */
export function readExampleManifest(keysExampleDir: string): ExampleKey[] {
  const path = join(keysExampleDir, 'manifest.json');
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
  try {
    const parsed = JSON.parse(raw) as { keys?: ExampleKey[] };
    if (!Array.isArray(parsed.keys)) throw new Error('"keys" is not a list');
    return parsed.keys;
  } catch (e) {
    throw new SandiError('DATA', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
}

/**
 * Import the demo keys of keys.example/ into a home (for `sandi demo`): the office's own keys (arsip, sandiman,
 * kasi) with their secret parts, written 0600 by the key store (git does not keep file modes); the recipient
 * units' public keys with their address-book entries, or their secret keys too with `recipientSecrets` (so a
 * demo can also play the recipient). Returns the manifest entries imported (passphrases included: demo only).
 */
export async function importExampleKeys(
  keysExampleDir: string,
  svc: { importFile(path: string, opts?: ImportOptions): Promise<ImportResult> },
  opts: { recipientSecrets?: boolean } = {},
): Promise<{ manifest: ExampleKey[]; results: ImportResult[] }> {
  const manifest = readExampleManifest(keysExampleDir);
  const results: ImportResult[] = [];
  for (const k of manifest) {
    const own = k.role !== 'penerima';
    const file = join(keysExampleDir, own || opts.recipientSecrets ? k.secret : k.public);
    const address = k.unit !== null ? { email: k.email, unit: k.unit, unitCode: k.unitCode ?? undefined } : undefined;
    results.push(await svc.importFile(file, { role: k.role, address }));
  }
  return { manifest, results };
}
