/**
 * Interop of sandi's keys with GnuPG 2.2 (temporary GNUPGHOME): gpg imports the public and the secret keys sandi
 * makes (and their revocation); sandi imports keys gpg makes, refusing the weak and the incomplete ones.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { AGENT_CONF } from '../helpers/gpg.js';
import { openApp, type App } from '../../src/app.js';
import { kunciService, type KunciService } from '../../src/services/kunci.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { SandiError } from '../../src/errors.js';
import type { KeyInfo } from '../../src/ports.js';

const PASS = 'gpg-interop-rahasia-1';

describeWith('gpg', haveCommand('gpg'), 'kunci ↔ GnuPG 2.2', () => {
  let root: string;
  let gnupghome: string;
  let app: App;
  let svc: KunciService;
  let kasi: KeyInfo;

  const gpg = (args: string[], input?: string): string =>
    execFileSync('gpg', ['--homedir', gnupghome, '--batch', '--no-tty', '--pinentry-mode', 'loopback', ...args], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  const fprsOf = (colons: string, kind: 'pub' | 'sec'): string[] => {
    const lines = colons.split('\n');
    const out: string[] = [];
    lines.forEach((l, i) => {
      if (l.startsWith(`${kind}:`)) {
        const fpr = lines.slice(i + 1).find((x) => x.startsWith('fpr:'));
        if (fpr) out.push(fpr.split(':')[9] ?? '');
      }
    });
    return out;
  };
  async function refusal(p: Promise<unknown>): Promise<SandiError> {
    try {
      await p;
    } catch (e) {
      if (e instanceof SandiError) return e;
      throw e;
    }
    throw new Error('expected a SandiError');
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sandi-kunci-gpg-'));
    gnupghome = join(root, 'gnupg');
    execFileSync('mkdir', ['-m', '700', gnupghome]);
    writeFileSync(join(gnupghome, 'gpg-agent.conf'), AGENT_CONF); // a fixed S2K count: see test/helpers/gpg.ts
    app = openApp(join(root, 'home'));
    svc = kunciService(app, 'penguji');
    kasi = await svc.create({ role: 'kasi', name: 'Kasi Persandian', email: 'kasi@kominfo.example.go.id', expiry: '2y', passphrase: PASS });
  });

  afterAll(() => {
    app?.close();
    try {
      execFileSync('gpgconf', ['--homedir', gnupghome, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    } catch {
      /* agent not running */
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('gpg imports the public key and lists its fingerprint, with an encryption subkey', () => {
    gpg(['--import'], svc.exportKey(kasi.fingerprint).armored);
    const colons = gpg(['--with-colons', '--list-keys', kasi.fingerprint]);
    expect(fprsOf(colons, 'pub')).toEqual([kasi.fingerprint]);
    expect(colons).toMatch(/^pub:[^:]*:255:22:/m); // EdDSA (22), 255 bits
    expect(colons).toMatch(/^sub:[^:]*:255:18:[^\n]*:e:/m); // ECDH (18), usage e
    expect(colons).toContain('Kasi Persandian <kasi@kominfo.example.go.id>');
  });

  it('gpg imports the secret key and can sign with it using the passphrase', () => {
    gpg(['--import'], svc.exportKey(kasi.fingerprint, { secret: true }).armored);
    expect(fprsOf(gpg(['--with-colons', '--list-secret-keys', kasi.fingerprint]), 'sec')).toEqual([kasi.fingerprint]);
    const signed = gpg(['--passphrase', PASS, '--local-user', kasi.fingerprint, '--clearsign'], 'uji tanda tangan\n');
    expect(signed).toContain('BEGIN PGP SIGNATURE');
    // the agent caches the good passphrase; restart it so the wrong one is really checked
    execFileSync('gpgconf', ['--homedir', gnupghome, '--kill', 'gpg-agent']);
    const wrong = (() => {
      try {
        gpg(['--passphrase', 'salah-salah-salah', '--local-user', kasi.fingerprint, '--clearsign'], 'x\n');
        return false;
      } catch {
        return true;
      }
    })();
    expect(wrong).toBe(true);
  });

  it('gpg sees sandi\'s revocation', async () => {
    await svc.revoke(kasi.fingerprint, { kind: 'diganti', reason: 'uji', passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_KASI: PASS } }) });
    gpg(['--import'], svc.exportKey(kasi.fingerprint).armored);
    expect(gpg(['--with-colons', '--list-keys', kasi.fingerprint])).toMatch(/^pub:r:/m);
  });

  it('sandi imports a GnuPG Ed25519/Cv25519 key and an RSA 3072 key as recipients', async () => {
    gpg(['--passphrase', '', '--quick-gen-key', 'Dinas Kesehatan <persandian@dinkes.example.go.id>', 'future-default', 'default', '2y']);
    gpg(['--passphrase', '', '--quick-gen-key', 'Dinas Pendidikan <persandian@disdik.example.go.id>', 'rsa3072', 'default', 'never']);
    const rsaFpr = fprsOf(gpg(['--with-colons', '--list-keys', 'persandian@disdik.example.go.id']), 'pub')[0]!;
    gpg(['--passphrase', '', '--quick-add-key', rsaFpr, 'rsa3072', 'encr', 'never']);
    const ed = await svc.importKeys(gpg(['--armor', '--export', 'persandian@dinkes.example.go.id']), 'dinkes.asc', {
      address: { email: 'persandian@dinkes.example.go.id', unit: 'Dinas Kesehatan', unitCode: 'DINKES' },
    });
    expect(ed.keys[0]).toMatchObject({ role: 'penerima', canEncrypt: true, algorithm: 'ed25519Legacy/curve25519Legacy' });
    const rsa = await svc.importKeys(gpg(['--armor', '--export', 'persandian@disdik.example.go.id']), 'disdik.asc', {
      address: { email: 'persandian@disdik.example.go.id', unit: 'Dinas Pendidikan' },
    });
    expect(rsa.keys[0]!.algorithm).toBe('rsa3072');
    const rs = await svc.lookupRecipients(['persandian@dinkes.example.go.id', 'persandian@disdik.example.go.id']);
    expect(rs.map((r) => r.unit)).toEqual(['Dinas Kesehatan', 'Dinas Pendidikan']);
  });

  it('refuses GnuPG DSA/ElGamal, RSA 2048 and sign-only keys as recipients, naming the key and why', async () => {
    gpg(['--passphrase', '', '--quick-gen-key', 'Dinas Lama <lama@dinas.example.go.id>', 'dsa2048', 'default', 'never']);
    const dsaFpr = fprsOf(gpg(['--with-colons', '--list-keys', 'lama@dinas.example.go.id']), 'pub')[0]!;
    gpg(['--passphrase', '', '--quick-add-key', dsaFpr, 'elg2048', 'encr', 'never']);
    const dsa = await refusal(svc.importKeys(gpg(['--armor', '--export', dsaFpr]), 'lama.asc'));
    expect(dsa.code).toBe('KEY_REFUSED');
    expect(dsa.params['fingerprint']).toBe(dsaFpr);
    expect(dsa.params['reasons']).toBe('DSA, ElGamal');

    gpg(['--passphrase', '', '--quick-gen-key', 'Dinas Kecil <kecil@dinas.example.go.id>', 'rsa2048', 'default', 'never']);
    const small = await refusal(svc.importKeys(gpg(['--armor', '--export', 'kecil@dinas.example.go.id']), 'kecil.asc'));
    expect(small.params['reasons']).toBe('RSA 2048 < 3072');
    expect(small.params['userId']).toBe('Dinas Kecil <kecil@dinas.example.go.id>');

    gpg(['--passphrase', '', '--quick-gen-key', 'Hanya Tanda <tanda@dinas.example.go.id>', 'ed25519', 'sign', 'never']);
    const signOnly = await refusal(svc.importKeys(gpg(['--armor', '--export', 'tanda@dinas.example.go.id']), 'tanda.asc'));
    expect(signOnly.key).toBe('kunci.import.noEncrypt');
  });

  it('refuses a GnuPG secret key without a passphrase, accepts one with a passphrase', async () => {
    gpg(['--passphrase', '', '--quick-gen-key', 'Sandiman Terbuka <terbuka@kominfo.example.go.id>', 'ed25519', 'default', '1y']);
    const open = await refusal(svc.importKeys(gpg(['--armor', '--export-secret-keys', 'terbuka@kominfo.example.go.id']), 'terbuka.asc', { role: 'sandiman' }));
    expect(open.key).toBe('kunci.secretUnprotected');

    gpg(['--passphrase', 'sandiman-gpg-123', '--quick-gen-key', 'Sandiman GPG <sgpg@kominfo.example.go.id>', 'ed25519', 'default', '1y']);
    const fpr = fprsOf(gpg(['--with-colons', '--list-keys', 'sgpg@kominfo.example.go.id']), 'pub')[0]!;
    gpg(['--passphrase', 'sandiman-gpg-123', '--quick-add-key', fpr, 'cv25519', 'encr', '1y']);
    const exported = gpg(['--passphrase', 'sandiman-gpg-123', '--armor', '--export-secret-keys', fpr]);
    const res = await svc.importKeys(exported, 'sgpg.asc', { role: 'sandiman' });
    expect(res.keys[0]).toMatchObject({ fingerprint: fpr, hasSecret: true, canSign: true });
    await svc.unlockCheck(fpr, 'sandiman-gpg-123');
    await svc.requireUsableKey(fpr, 'sign', new Date());
  });
});
