/**
 * Released migrations never change what they create: existing offices' databases were built by them. The SQL
 * text of every released migration is pinned here by its SHA-256, captured from main before the registers were
 * described once (src/domain/registers/). Migrations 2 and 5 generate their triggers from those descriptions:
 * a change to a description that would alter a released migration's text fails here; freeze the old text in
 * that migration and add a new migration instead.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/adapters/sqlite/migrations.js';

const RELEASED: Readonly<Record<number, string>> = {
  1: '278f7a49450d9300f5d8b7fcaba023ab57a8f6558b9f93392ee18f0202a49138',
  2: 'f343034f1a022c0c54157193ab300b611b5537dbd54ad974e879683bbd77ffa3',
  3: '783f4af9bca28c5bb9192975cc4899be23a8d3e164cf1064caf872f6b231bb32',
  4: 'c87ccb697c4b21f23ee568c1eea72fcc3a6c7f3a723fc79f8268dbbd8eb84fa3',
  5: '2299e35c14a3e54f895abb19e344440103feb9535e7310b7afb49ce04e1080eb',
  6: 'caed47b6957bb0e09468b3e4af3a837a8204e183ea069a4675eaf6207b744682',
  7: '9d6dfc7e7058b8dcf63e824fb87d50bdf1a473506d197e8425c896db3049d6c7',
  8: 'f464cd47730dc0a2a227a5cac647b6aac13c1937dc4960ad39cdd399e395b5a1',
  9: 'f80be4960210036d72a795e8004fe922c227f1dc0273104b308935317949e28b',
  10: 'ce8a58895c9177469f8d6c081ba8517eb69e95165dabc6a9f40ef8dc903a26a6',
};

describe('released migrations', () => {
  it.each(Object.entries(RELEASED))('migration %s produces byte for byte the SQL it was released with', (version, sha) => {
    const m = migrations.find((x) => x.version === Number(version));
    expect(m, `migration ${version}`).toBeDefined();
    expect(createHash('sha256').update(m?.sql ?? '').digest('hex')).toBe(sha);
  });

  it('are numbered 1, 2, 3, ... without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
});
