/**
 * The terminal side of the printer: tables that fit a TTY's width (kunci daftar was 220 columns wide) while
 * piped output keeps its full width, and progress that tells rate and time left on a TTY stderr only.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import stringWidth from 'string-width';
import { createPrinter, ensureTableWidth, table, terminalColumns } from '../../src/cli/printer.js';
import { setLang } from '../../src/cli/messages/index.js';

const FPR = ['0123456789ABCDEF0123456789ABCDEF01234567', '89ABCDEF0123456789ABCDEF0123456789ABCDEF'] as const;
const HEAD = ['SIDIK JARI', 'IDENTITAS', 'PERAN', 'DIBUAT', 'KEDALUWARSA', 'STATUS', 'PAKAI', 'RAHASIA', 'ALGORITMA'];
const ROWS = [
  [FPR[0], 'Sandiman Dinas Komunikasi dan Informatika Kabupatén Pekalongan <sandiman@kominfo.pekalongankab.go.id>', 'sandiman', '6 Desember 2026', '6 Desember 2031', 'aktif', 'enkripsi, tanda tangan', 'ya', 'ecc/curve25519'],
  [FPR[1], 'Arsip <arsip@kominfo.pekalongankab.go.id>', 'arsip', '6 Desember 2026', 'tidak pernah', 'aktif', 'enkripsi', 'ya', 'rsa/3072'],
];

const tty = { isTTY: true, columns: 80 };
// what a run at a terminal does when the printer module loads
beforeAll(ensureTableWidth);
const saved = { isTTY: process.stdout.isTTY, columns: process.stdout.columns };
afterEach(() => {
  Object.assign(process.stdout, saved);
  setLang('id');
});

describe('table width', () => {
  it('fits a TTY of 120 columns: every line within it, long cells wrapped, short words never broken, nothing lost', () => {
    const out = table(HEAD, ROWS, { width: 120 });
    const lines = out.split('\n');
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(120);
    // each column read top to bottom (its slice of every line under the dashes) gives back every cell
    const dashes = lines.findIndex((l) => /^-+( +-+)*$/.test(l));
    const starts = [...lines[dashes]!.matchAll(/-+/g)].map((m) => m.index);
    const column = (i: number): string =>
      lines
        .slice(dashes + 1)
        .map((l) => [...l].slice(starts[i], starts[i + 1]).join(''))
        .join('')
        .replace(/\s+/g, '');
    for (const row of ROWS) row.forEach((c, i) => expect(column(i)).toContain(c.replace(/\s+/g, '')));
    // short columns are not squeezed, and no short word (a month, a role, "KEDALUWARSA") is cut in two
    expect(lines.some((l) => /\baktif\b/.test(l))).toBe(true);
    for (const w of ['Desember', 'sandiman', 'KEDALUWARSA', 'tanda', 'enkripsi,']) expect(out).toContain(w);
  });

  it('shows each row as a record of label/value lines when even whole short words cannot fit (80 columns, 9 columns)', () => {
    const out = table(HEAD, ROWS, { width: 80 });
    const lines = out.split('\n');
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    const records = out.split(/^-\[ \d+ \]-*$/m).slice(1);
    expect(records).toHaveLength(ROWS.length);
    ROWS.forEach((row, n) => {
      const rec = records[n]!;
      for (const h of HEAD) expect(rec).toMatch(new RegExp(`^${h} +\\S`, 'm'));
      // every cell is there whole once the wrapping is undone
      const flat = rec.replace(/\s+/g, '');
      for (const c of row) expect(flat).toContain(c.replace(/\s+/g, ''));
    });
    expect(out).toContain('6 Desember 2031');
  });

  it('uses process.stdout.columns when stdout is a TTY, and the full width when piped', () => {
    Object.assign(process.stdout, tty);
    expect(terminalColumns()).toBe(80);
    const onTty = table(HEAD, ROWS);
    expect(Math.max(...onTty.split('\n').map((l) => stringWidth(l)))).toBeLessThanOrEqual(80);
    Object.assign(process.stdout, { isTTY: false, columns: 80 });
    const piped = table(HEAD, ROWS);
    expect(piped.split('\n')).toHaveLength(2 + ROWS.length);
    expect(piped.split('\n')[2]).toContain(`${FPR[0]}  Sandiman Dinas`);
    expect(Math.max(...piped.split('\n').map((l) => l.length))).toBeGreaterThan(200);
  });

  it('leaves a table that fits as it is, and counts display width (é, CJK) when padding', () => {
    const rows = [['Kabupatén', 'x'], ['日本', 'y']];
    expect(table(['A', 'B'], rows, { width: 80 })).toBe(['A          B', '---------  -', 'Kabupatén  x', '日本       y'].join('\n'));
    expect(table(['A', 'B'], [['abc', 'd']], { width: 80 })).toBe(table(['A', 'B'], [['abc', 'd']], { width: undefined }));
  });
});

class Sink extends Writable {
  text = '';
  isTTY: boolean;
  constructor(isTTY: boolean) {
    super();
    this.isTTY = isTTY;
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('progress', () => {
  it('shows percentage, rate and time left on a TTY stderr', () => {
    const stderr = new Sink(true);
    let clock = 1_000_000;
    const p = createPrinter(false, { stdout: new Sink(false), stderr }, () => clock);
    p.progress('Mengambil pesan 0/200', 0, 200);
    clock += 10_000;
    p.progress('Mengambil pesan 50/200', 50, 200);
    const last = stderr.text.split('\r\x1b[2K').at(-1);
    expect(last).toBe('Mengambil pesan 50/200 25% · 5.0/dtk · sisa 0:30');
    p.progressEnd();
    setLang('en');
    clock += 1000;
    p.progress('x', 0, 10);
    clock += 2000;
    p.progress('x', 10, 10);
    expect(stderr.text.split('\r\x1b[2K').at(-1)).toBe('x 100% · 5.0/s');
  });

  it('draws nothing when stderr is not a TTY or with --json', () => {
    for (const [json, isTTY] of [[false, false], [true, true]] as const) {
      const stderr = new Sink(isTTY);
      const p = createPrinter(json, { stdout: new Sink(false), stderr }, () => 0);
      p.progress('x', 1, 2);
      p.progressEnd();
      expect(stderr.text).toBe('');
    }
  });
});
