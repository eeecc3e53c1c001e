/**
 * A seeded fuzzer for reading kriptograms (issue 17 §5), shared by the CI test
 * (test/integration/kriptogram-fuzz.test.ts) and the longer run before a release (scripts/fuzz-kriptogram.mjs,
 * which runs that test with SANDI_FUZZ_SEED and SANDI_FUZZ_CASES).
 *
 * Each case is a mutation of a valid kriptogram: bit flips, length edits, inserted and deleted bytes, outer
 * packets reordered, duplicated or dropped, truncation at every packet boundary, ciphertext blocks spliced
 * or flipped into chosen inner headers (the issue 17 §1 attack), and inner packets changed and sealed again
 * with a valid MDC. What must hold for every case:
 *  - no crash (every refusal is a SandiError) and no hang (each case ends within a bound);
 *  - no success with another document, headers or file name, or with fewer good signers;
 *  - no output byte and no spool file left behind on a refusal;
 *  - one answer ("tampered") whenever the ciphertext of a recipient's intact PKESK fails its MDC.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, deflateSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { decryptKriptogram, encryptKriptogram } from '../../src/adapters/openpgp/kriptogram.js';
import { ByteReader, packet, packetBody, readPacketHeader, TAG } from '../../src/adapters/openpgp/packets.js';
import type { ProtectedHeaders } from '../../src/ports.js';
import { SandiError } from '../../src/errors.js';
import { chunked, MemorySink, type TestKey } from './keys-fixture.js';
import { innerOf, joinPackets, mdcHolds, openWith, resealed, splitPackets, withCiphertext, type Opened, type RawPacket } from './kriptogram-surgery.js';

/** mulberry32: small, fast, and the same sequence on every machine for a seed */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;
const bytes = (rng: Rng, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(rng, 256)));

export interface FuzzKeys {
  signers: TestKey[];
  recipient: TestKey;
  other: TestKey;
}

export interface Base {
  name: string;
  doc: Buffer;
  bytes: Buffer;
  opened: Opened | null;
}

export interface FuzzCase {
  id: string;
  bytes: Buffer;
  /** the answer every reader must give: "tampered" when an intact PKESK's ciphertext fails its MDC */
  mustBeTampered: boolean;
}

export const HEADERS: ProtectedHeaders = { subject: 'Rahasia: uji ketahanan', registerNumber: 'RH.17/V/2026', classification: 'Rahasia' };
export const FILE_NAME = 'Nota Uji.pdf';

async function encrypt(doc: Buffer, keys: FuzzKeys, armor: boolean, signingKeys: { armored: string }[]): Promise<Buffer> {
  const out = new MemorySink();
  await encryptKriptogram({
    input: chunked(doc, 8192),
    output: out,
    fileName: FILE_NAME,
    headers: HEADERS,
    recipientKeys: [keys.recipient.publicArmored, keys.other.publicArmored],
    signingKeys,
    armor,
  });
  return out.data();
}

/** Valid kriptograms to mutate: small, past a 64 KiB partial chunk, ZLIB- and ZIP-compressed, armored. */
export async function makeBases(keys: FuzzKeys, unlocked: { armored: string }[], rng: Rng): Promise<Base[]> {
  const small = bytes(rng, 700);
  const big = bytes(rng, 70_000);
  const bases: Base[] = [];
  for (const [name, doc] of [['small', small], ['70k', big]] as const) {
    const b = await encrypt(doc, keys, false, unlocked);
    bases.push({ name, doc, bytes: b, opened: await openWith(b, keys.recipient) });
  }
  const o = bases[0]!.opened!;
  for (const [name, algo, deflate] of [['zlib', 2, deflateSync], ['zip', 1, deflateRawSync]] as const) {
    const inner = packet(TAG.COMPRESSED, Buffer.concat([Buffer.from([algo]), deflate(innerOf(o))]));
    const b = resealed(o, inner);
    bases.push({ name, doc: small, bytes: b, opened: await openWith(b, keys.recipient) });
  }
  bases.push({ name: 'armored', doc: small, bytes: await encrypt(small, keys, true, unlocked), opened: null });
  return bases;
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async source is what the readers consume
async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Offsets at which packets start, and the end. */
async function packetStarts(b: Buffer): Promise<number[]> {
  const r = new ByteReader(once(b));
  const starts: number[] = [];
  for (;;) {
    const at = r.consumed;
    const h = await readPacketHeader(r);
    if (h === null) return [...starts, at];
    starts.push(at);
    for await (const _ of packetBody(r, h)) void _;
  }
}

/** Whether `b` is, framing-wise, intact PKESKs of the base and one SEIPD whose ciphertext fails its MDC. */
async function mdcFailureOf(base: Base, b: Buffer): Promise<boolean> {
  if (base.opened === null) return false;
  let ps: RawPacket[];
  try {
    ps = await splitPackets(b);
  } catch {
    return false;
  }
  const originals = base.opened.packets.filter((p) => p.tag === TAG.PKESK).map((p) => p.body);
  const last = ps[ps.length - 1];
  if (last?.tag !== TAG.SEIPD || last.body.length < 1 || last.body[0] !== 1) return false;
  const pkesks = ps.slice(0, -1);
  if (pkesks.length === 0 || !pkesks.every((p) => p.tag === TAG.PKESK && originals.some((x) => x.equals(p.body)))) return false;
  // our own PKESK must be there (the first one is the recipient's: encryptKriptogram keeps the key order)
  if (!pkesks.some((p) => p.body.equals(originals[0]!))) return false;
  return !mdcHolds(base.opened, last.body.subarray(1));
}

// ------------------------------------------------------------------------------------------ mutations

function flipBits(rng: Rng, b: Buffer, from = 0): Buffer {
  const c = Buffer.from(b);
  const n = 1 + int(rng, 3);
  for (let i = 0; i < n; i++) {
    const at = from + int(rng, c.length - from);
    c[at] = c[at]! ^ (1 << int(rng, 8));
  }
  return c;
}

function insertDelete(rng: Rng, b: Buffer): Buffer {
  const at = int(rng, b.length);
  if (rng() < 0.5) return Buffer.concat([b.subarray(0, at), bytes(rng, 1 + int(rng, 40)), b.subarray(at)]);
  return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rng, 40)))]);
}

/** Change the length octets of one (outer or inner) packet header. */
async function lengthEdit(rng: Rng, b: Buffer): Promise<Buffer> {
  const starts = (await packetStarts(b)).slice(0, -1);
  const at = pick(rng, starts);
  const c = Buffer.from(b);
  const lenAt = at + 1;
  if (lenAt >= c.length) return c;
  const choice = int(rng, 4);
  if (choice === 0) c[lenAt] = c[lenAt]! + 1;
  else if (choice === 1) c[lenAt] = c[lenAt]! - 1;
  else if (choice === 2) c[lenAt] = int(rng, 256);
  else c[lenAt] = pick(rng, [0xe9, 0xf0, 0xfe, 0xff, 0xc0, 0xdf]);
  return c;
}

function shuffleOps(rng: Rng, ps: RawPacket[]): RawPacket[] {
  const c = [...ps];
  const i = int(rng, c.length);
  const op = int(rng, 3);
  if (op === 0) c.splice(i, 1); // drop
  else if (op === 1) c.splice(i, 0, c[i]!); // duplicate
  else {
    const j = int(rng, c.length);
    [c[i], c[j]] = [c[j]!, c[i]!]; // swap
  }
  return c;
}

/** Ciphertext-level changes (the MDC cannot hold afterwards), outer framing rewritten. */
function cipherMutation(rng: Rng, o: Opened): Buffer {
  const c = o.ciphertext;
  const blocks = Math.floor(c.length / 16);
  switch (int(rng, 5)) {
    case 0:
      return withCiphertext(o, flipBits(rng, c));
    case 1: {
      // the §1 attack: known public plaintext bytes 18–31 flipped into a chosen header, a block spliced
      const chosen = Buffer.from([pick(rng, [0xc8, 0xcb, 0xd5, 0xc4, 0xc2, 0xca]), ...bytes(rng, 5)]);
      const head = Buffer.from(c.subarray(0, 32));
      for (let j = 0; j < chosen.length; j++) head[18 + j] = head[18 + j]! ^ o.plaintext[18 + j]! ^ chosen[j]!;
      const cut = 2 + int(rng, Math.max(1, blocks - 2));
      const from = 1 + int(rng, Math.max(1, blocks - 1));
      return withCiphertext(o, Buffer.concat([head, c.subarray(32, 16 * cut), c.subarray(16 * from)]));
    }
    case 2: {
      // blocks dropped or repeated
      const a = int(rng, blocks);
      const n = 1 + int(rng, 4);
      if (rng() < 0.5) return withCiphertext(o, Buffer.concat([c.subarray(0, 16 * a), c.subarray(16 * (a + n))]));
      return withCiphertext(o, Buffer.concat([c.subarray(0, 16 * (a + n)), c.subarray(16 * a)]));
    }
    case 3:
      return withCiphertext(o, c.subarray(0, int(rng, c.length)));
    default:
      return withCiphertext(o, Buffer.concat([c.subarray(0, 16 * int(rng, blocks)), bytes(rng, 16 * (1 + int(rng, 3))), c.subarray(16 * int(rng, blocks))]));
  }
}

/** Inner changes sealed again with a valid MDC (what a dishonest sender could send). */
async function innerMutation(rng: Rng, o: Opened): Promise<Buffer> {
  const inner = innerOf(o);
  switch (int(rng, 4)) {
    case 0:
      return resealed(o, flipBits(rng, inner));
    case 1:
      return resealed(o, insertDelete(rng, inner));
    case 2:
      return resealed(o, await lengthEdit(rng, inner));
    default:
      return resealed(o, joinPackets(shuffleOps(rng, await splitPackets(inner))));
  }
}

function armorMutation(rng: Rng, b: Buffer): Buffer {
  const text = b.toString('latin1');
  const lines = text.split('\n');
  switch (int(rng, 4)) {
    case 0:
      return flipBits(rng, b);
    case 1:
      return insertDelete(rng, b);
    case 2: {
      const i = int(rng, lines.length);
      lines.splice(i, 1 + int(rng, 3));
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    default:
      return b.subarray(0, int(rng, b.length));
  }
}

/** The fixed cases: truncation at every outer and inner packet boundary (inner: with and without a valid MDC). */
export async function boundaryCases(bases: Base[]): Promise<FuzzCase[]> {
  const out: FuzzCase[] = [];
  for (const base of bases) {
    if (base.opened === null) continue;
    const o = base.opened;
    for (const at of await packetStarts(base.bytes)) {
      if (at === base.bytes.length) continue;
      for (const cut of [at, at + 1]) out.push({ id: `${base.name}: cut at outer boundary ${cut}`, bytes: base.bytes.subarray(0, cut), mustBeTampered: false });
    }
    const inner = innerOf(o);
    for (const at of await packetStarts(inner)) {
      if (at === inner.length) continue; // that is the whole message
      out.push({ id: `${base.name}: inner cut at ${at}, resealed`, bytes: resealed(o, inner.subarray(0, at)), mustBeTampered: false });
      const b = withCiphertext(o, o.ciphertext.subarray(0, 18 + at));
      out.push({ id: `${base.name}: ciphertext cut at inner boundary ${at}`, bytes: b, mustBeTampered: await mdcFailureOf(base, b) });
    }
  }
  return out;
}

/** Case number `i` of the run with seed `seed` (independent of the other cases, so any one can be replayed). */
export async function randomCase(seed: number, i: number, bases: Base[]): Promise<FuzzCase> {
  const rng = prng((seed * 1_000_003 + i) >>> 0);
  const base = pick(rng, bases);
  if (base.opened === null) return { id: `seed ${seed} case ${i} (${base.name}: armor)`, bytes: armorMutation(rng, base.bytes), mustBeTampered: false };
  const o = base.opened;
  const kinds = ['flip', 'insert/delete', 'length', 'outer packets', 'cipher', 'cipher', 'inner', 'inner', 'truncate'] as const;
  const kind = pick(rng, kinds);
  let b: Buffer;
  switch (kind) {
    case 'flip':
      b = flipBits(rng, base.bytes);
      break;
    case 'insert/delete':
      b = insertDelete(rng, base.bytes);
      break;
    case 'length':
      b = await lengthEdit(rng, base.bytes);
      break;
    case 'outer packets':
      b = joinPackets(shuffleOps(rng, o.packets));
      break;
    case 'cipher':
      b = cipherMutation(rng, o);
      break;
    case 'inner':
      b = await innerMutation(rng, o);
      break;
    default:
      b = base.bytes.subarray(0, int(rng, base.bytes.length));
  }
  return { id: `seed ${seed} case ${i} (${base.name}: ${kind})`, bytes: b, mustBeTampered: await mdcFailureOf(base, b) };
}

// ---------------------------------------------------------------------------------------------- oracle

export interface Verdict {
  id: string;
  answer: string;
  problem: string | null;
  ms: number;
}

/** Read one case and judge it against the properties above. */
export async function judge(c: FuzzCase, base: { doc: Buffer } | null, keys: FuzzKeys, unlocked: { armored: string }, timeoutMs: number): Promise<Verdict> {
  const spoolParent = mkdtempSync(join(tmpdir(), 'sandi-fuzz-spool-'));
  const out = new MemorySink();
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), timeoutMs);
  });
  const run = decryptKriptogram({
    input: chunked(c.bytes, 4096),
    output: out,
    decryptionKeys: [unlocked],
    verificationKeys: keys.signers.map((k) => k.publicArmored),
    requiredSigners: keys.signers.length,
    tmpDir: spoolParent,
  }).then(
    (r) => ({ ok: true as const, r }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  try {
    const res = await Promise.race([run, hang]);
    const ms = Date.now() - t0;
    if (res === 'hang') return { id: c.id, answer: 'hang', problem: `no answer within ${timeoutMs} ms`, ms };
    const leftovers = readdirSync(spoolParent);
    if (leftovers.length > 0) return { id: c.id, answer: '?', problem: `spool left behind: ${leftovers.join(', ')}`, ms };
    if (res.ok) {
      const r = res.r;
      const good = new Set(r.signers.filter((s) => s.status === 'good').map((s) => s.fingerprint));
      if (base === null || !out.data().equals(base.doc)) return { id: c.id, answer: 'accepted', problem: 'accepted with another document', ms };
      if (r.fileName !== FILE_NAME || JSON.stringify(r.headers) !== JSON.stringify(HEADERS)) return { id: c.id, answer: 'accepted', problem: 'accepted with other headers', ms };
      if (!keys.signers.every((k) => good.has(k.fingerprint))) return { id: c.id, answer: 'accepted', problem: 'accepted with fewer good signers', ms };
      if (c.mustBeTampered) return { id: c.id, answer: 'accepted', problem: 'accepted although the MDC fails', ms };
      return { id: c.id, answer: 'accepted', problem: null, ms };
    }
    const e = res.e;
    if (!(e instanceof SandiError)) return { id: c.id, answer: 'crash', problem: `crash: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, ms };
    const answer = `${e.code} ${e.key}`;
    if (out.bytes > 0) return { id: c.id, answer, problem: `${out.bytes} bytes written before the refusal`, ms };
    if (c.mustBeTampered && e.key !== 'kriptogram.tampered') return { id: c.id, answer, problem: `MDC failure answered "${answer}", not "tampered"`, ms };
    return { id: c.id, answer, problem: null, ms };
  } finally {
    clearTimeout(timer);
    // a hung case still holds its spool: let it finish (or not) in the background, then clean up
    void run.finally(() => rmSync(spoolParent, { recursive: true, force: true }));
  }
}

/** An armored private key whose secret parts are unlocked (so a case does not pay for the passphrase). */
export async function unlockedArmored(k: TestKey): Promise<{ armored: string }> {
  const key = await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: k.privateArmored }), passphrase: k.passphrase });
  return { armored: key.armor() };
}
