/**
 * The house rules of STYLE.md that a grep can check: only adapters import the I/O libraries, domain code
 * imports no adapters, better-sqlite3 is loaded only through the driver chooser (Node 24 safety), and the
 * "never" arrows (cli → adapters, services → adapters, config → services, adapters → services/cli) and the
 * 600-line limit for services/ and adapters/, each with an allow-list of today's offenders that only shrinks.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mjs|js)$/.test(p)) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'([^']+)'/g)].map((m) => m[1]!);
}

const LIBS = ['openpgp', 'nodemailer', 'imapflow', 'better-sqlite3', 'better-sqlite3-napi', 'mailparser'];

describe('architecture', () => {
  it('only src/adapters (and the PGP/MIME parser in formats/pgpmime.ts) import the I/O libraries', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'src'))) {
      const rel = relative(ROOT, f);
      if (rel.startsWith('src/adapters/')) continue;
      for (const i of imports(f)) {
        if (!LIBS.includes(i)) continue;
        if (rel === 'src/formats/pgpmime.ts' && i === 'mailparser') continue; // MIME parsing is pure over bytes
        offenders.push(`${rel} imports ${i}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('domain code imports no adapters, services or CLI', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'src/domain'))) {
      for (const i of imports(f)) if (/\/(adapters|services|cli)\//.test(i)) offenders.push(`${relative(ROOT, f)} imports ${i}`);
    }
    expect(offenders).toEqual([]);
  });

  it('src/domain imports no package at all: only domain modules, errors.ts, the ports, and createHash of node:crypto', () => {
    // Issue 14: domain rules are pure, file formats live in src/formats. A node: built-in is a library too;
    // the one allowed is createHash (a function over bytes: no I/O, no clock, no randomness), which the audit
    // chain and the dedupe keys use. Static, re-export, side-effect and dynamic imports, either quote style.
    const domain = join(ROOT, 'src/domain');
    const allowed = (target: string): boolean =>
      target.startsWith(`${domain}/`) || target === join(ROOT, 'src/errors.js') || target === join(ROOT, 'src/ports.js') || target.startsWith(join(ROOT, 'src/ports/'));
    const offenders: string[] = [];
    for (const f of files(domain)) {
      const rel = relative(ROOT, f);
      // comments say things like `"<id@host>" from "id@host"`: not imports
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
      const specs = [
        ...text.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g),
        ...text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
        ...text.matchAll(/\b(?:import|require)\s*\(\s*['"`]([^'"`]+)['"`]/g),
      ].map((m) => m[1]!);
      for (const s of specs) {
        if (s === 'node:crypto') continue; // checked below, by what is imported
        if (!s.startsWith('.') || !allowed(join(f, '..', s))) offenders.push(`${rel} imports ${s}`);
      }
      const crypto = [...text.matchAll(/\b(?:import|export)\b([^;]*?)['"]node:crypto['"]/g)].map((m) => m[1]!);
      for (const clause of crypto) {
        const named = /^\s*\{([^}]*)\}\s*from\s*$/.exec(clause)?.[1];
        const names = named?.split(',').map((n) => n.trim()).filter((n) => n !== '');
        if (names === undefined || names.some((n) => n !== 'createHash')) offenders.push(`${rel} imports${clause}'node:crypto'`);
      }
      if (/\brequire\s*\(\s*['"`]node:crypto/.test(text) || /\bimport\s*\(\s*['"`]node:crypto/.test(text)) offenders.push(`${rel} loads node:crypto`);
    }
    expect(offenders).toEqual([]);
  });

  it('better-sqlite3 is loaded only through src/adapters/sqlite/driver.ts (build 12 aborts on Node 24)', () => {
    const offenders: string[] = [];
    for (const dir of ['src', 'test', 'bench']) {
      for (const f of files(join(ROOT, dir))) {
        const rel = relative(ROOT, f);
        if (rel === 'src/adapters/sqlite/driver.ts') continue;
        for (const i of imports(f)) if (i === 'better-sqlite3' || i === 'better-sqlite3-napi') {
          // type-only imports are harmless
          const text = readFileSync(f, 'utf8');
          if (new RegExp(`import type [^;]*'${i}'`).test(text)) continue;
          offenders.push(`${rel} imports ${i}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('migrations', () => {
  it('have distinct versions 1..N with no gap, so a fresh database and an old one end in the same schema', async () => {
    const { migrations } = await import('../../src/adapters/sqlite/migrations.js');
    const versions = migrations.map((m) => m.version).sort((a, b) => a - b);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });
});

describe('start-up', () => {
  it('loads only the invoked command group: all for help or an unknown word, none for --version', async () => {
    const { groupsFor } = await import('../../src/cli/index.js');
    expect(groupsFor(['kirim', 'status'])).toEqual(['kirim']);
    expect(groupsFor(['--home', 'kunci', '--json', 'agenda', 'daftar'])).toEqual(['agenda']);
    expect(groupsFor(['--lang', 'en', 'aduan'])).toEqual(['aduan']);
    expect(groupsFor(['--version'])).toEqual([]);
    expect(groupsFor(['--help']).length).toBeGreaterThan(5);
    expect(groupsFor([]).length).toBeGreaterThan(5);
    expect(groupsFor(['help', 'kirim']).length).toBeGreaterThan(5);
    expect(groupsFor(['kirimm']).length).toBeGreaterThan(5);
  });
});

// ------------------------------------------------------------------------------------- the house's arrows

/**
 * The modules a file loads at run time, resolved to paths relative to the project root: static imports and
 * re-exports (`import ... from`, `import '...'`, `export ... from`), and `import()` calls, with either quote
 * style (or a plain template literal). `import type` and `export type` are excluded: they are erased. With
 * verbatimModuleSyntax, `import { type A } from` still loads its module, so it counts. Comments are skipped.
 * Bare specifiers (libraries, node:) are left out: only the project's own files are resolved.
 */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(import|export)(\s+type\b)?([^;'"`]*?)\bfrom\s*(['"])([^'"]+)\4/gm)) if (!m[2]) specs.push(m[5]!);
  for (const m of text.matchAll(/^[ \t]*import\s*(['"])([^'"]+)\1/gm)) specs.push(m[2]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*(['"`])([^'"`$]+)\1\s*\)/g)) specs.push(m[2]!);
  return [...new Set(specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(dirname(file), s)).replace(/\.js$/, '.ts')))];
}

/** Files under `from` that load a module under `to`, each with how many distinct such modules it loads. */
function arrows(from: string, to: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of files(join(ROOT, from))) {
    const hits = valueImports(f).filter((i) => i.startsWith(`${to}/`));
    if (hits.length > 0) out.set(relative(ROOT, f), hits.sort());
  }
  return out;
}

/**
 * A ratchet: no file outside `allowed` may break the rule, a listed file may not load more such modules than
 * its ceiling (it may load fewer), and a listed file that no longer breaks it must have its line removed: the
 * lists only shrink. Each problem is named with what to do.
 */
function ratchet(found: Map<string, string[]>, allowed: Readonly<Record<string, number>>, rule: string): string[] {
  const problems: string[] = [];
  for (const [f, hits] of found) {
    const ceiling = allowed[f];
    if (ceiling === undefined) problems.push(`${f} ${rule}: ${hits.join(', ')}`);
    else if (hits.length > ceiling) problems.push(`${f} ${rule}: ${hits.length} modules, its ceiling is ${ceiling}: ${hits.join(', ')}`);
  }
  for (const f of Object.keys(allowed)) if (!found.has(f)) problems.push(`${f} no longer ${rule}: remove its line from the allow-list`);
  return problems;
}

/**
 * Today's offenders (issue 14): file → how many distinct adapter (or service) modules it loads. One line per
 * file; a line may only go down or go away. New code reaches adapters through ports and src/app.ts.
 */
const CLI_TO_ADAPTERS: Readonly<Record<string, number>> = {
  // none left: cli/agenda.ts reaches the register catalog in domain/ and the pager through its service
};

const SERVICES_TO_ADAPTERS: Readonly<Record<string, number>> = {
  // none left: kirim and terima get their ports from app/kirim.ts and app/terima.ts, the others from src/app.ts and src/app/*.ts
};

/**
 * Services that still read configuration themselves (issue 14: a service gets config.json, the calendar and
 * the credentials through its ports from src/app.ts). The list only shrinks.
 */
const SERVICES_TO_CONFIG: Readonly<Record<string, number>> = {
  // none left: config.json, the password's sources and private files reach services through src/app.ts's ports
};

/**
 * Services that still take the whole App (with its store()) as their home instead of naming what they need.
 * The list only shrinks.
 */
const SERVICES_TO_APP_TYPE: Readonly<Record<string, number>> = {
  // none left: each service names what it needs of the home (KirimHome, TerimaHome, DemoHome, LaporanHome, ...)
};

const CONFIG_TO_SERVICES: Readonly<Record<string, number>> = {
  // none
};

const ADAPTERS_TO_SERVICES_OR_CLI: Readonly<Record<string, number>> = {
  // none
};

/**
 * Files in services/ or adapters/ over 600 lines today, with their line count as a ceiling: a file may shrink,
 * never grow past it; once at most 600 lines (or gone), its line is removed.
 */
const MAX_LINES = 600;
const OVERSIZED: Readonly<Record<string, number>> = {
  // none left
};

const lineCount = (f: string): number => readFileSync(f, 'utf8').split('\n').length - (readFileSync(f, 'utf8').endsWith('\n') ? 1 : 0);

describe('the arrows of STYLE.md (value imports, static and dynamic)', () => {
  it('the import reader sees both quote styles, import(), re-exports and side-effect imports, and skips import type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandi-arch-'));
    try {
      const f = join(dir, 'x.ts');
      writeFileSync(
        f,
        [
          `import { a } from "./a.js";`,
          `import type { B } from './b.js';`,
          `export type { C } from './c.js';`,
          `import {`,
          `  d,`,
          `  type D,`,
          `} from './d.js';`,
          `import './e.js';`,
          `export { f } from "./f.js";`,
          `const g = await import("./g.js");`,
          'const h = await import(`./h.js`);',
          `// import { i } from './i.js';`,
          `/* const j = await import('./j.js'); */`,
          `import * as k from 'node:fs';`,
        ].join('\n'),
      );
      const rel = (n: string): string => relative(ROOT, join(dir, n));
      expect(valueImports(f).sort()).toEqual(['a.ts', 'd.ts', 'e.ts', 'f.ts', 'g.ts', 'h.ts'].map(rel).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cli/ loads no adapter, except the listed files of today (the list only shrinks)', () => {
    expect(ratchet(arrows('src/cli', 'src/adapters'), CLI_TO_ADAPTERS, 'loads an adapter')).toEqual([]);
  });

  it('services/ load no adapter, except the listed files of today (the list only shrinks)', () => {
    expect(ratchet(arrows('src/services', 'src/adapters'), SERVICES_TO_ADAPTERS, 'loads an adapter')).toEqual([]);
  });

  it('services/ load no value of the composition root (src/app.ts, src/app/*): services take their ports as parameters', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'src/services'))) {
      for (const i of valueImports(f)) if (i === 'src/app.ts' || i.startsWith('src/app/')) offenders.push(`${relative(ROOT, f)} loads ${i}`);
    }
    expect(offenders).toEqual([]);
  });

  it('services/ never reach the store (src/app.ts App.store()): the registers, the key and account books come through ports', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'src/services'))) {
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
      if (/\bstore\(\)|\bApp\[['"]store['"]\]|\.db\.prepare\b/.test(text)) offenders.push(relative(ROOT, f));
    }
    expect(offenders).toEqual([]);
  });

  it('no test hook (SANDI_TEST_*) is read in services/: a step tells a port (kirim: io.crashPoint), the composition root wires the hook', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'src/services'))) {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
      if (/SANDI_TEST_/.test(code)) offenders.push(relative(ROOT, f));
    }
    expect(offenders).toEqual([]);
  });

  it('services/ take what they need of the home by name, not the whole App, except the listed files of today (the list only shrinks)', () => {
    const found = new Map<string, string[]>();
    for (const f of files(join(ROOT, 'src/services'))) {
      const text = readFileSync(f, 'utf8');
      if (/import type \{[^}]*\bApp\b[^}]*\} from ['"][./]*\/app\.js['"]/.test(text)) found.set(relative(ROOT, f), ['src/app.ts']);
    }
    expect(ratchet(found, SERVICES_TO_APP_TYPE, 'takes the whole App')).toEqual([]);
  });

  it('services/ load no config module, except the listed files of today (the list only shrinks)', () => {
    expect(ratchet(arrows('src/services', 'src/config'), SERVICES_TO_CONFIG, 'loads a config module')).toEqual([]);
  });

  it('config/ loads no service, except the listed files of today (the list only shrinks)', () => {
    expect(ratchet(arrows('src/config', 'src/services'), CONFIG_TO_SERVICES, 'loads a service')).toEqual([]);
  });

  it('adapters/ load no service and no CLI module, except the listed files of today (the list only shrinks)', () => {
    const found = new Map([...arrows('src/adapters', 'src/services'), ...arrows('src/adapters', 'src/cli')]);
    expect(ratchet(found, ADAPTERS_TO_SERVICES_OR_CLI, 'loads a service or CLI module')).toEqual([]);
  });

  it(`no file in services/ or adapters/ is over ${MAX_LINES} lines, except the listed ones, which may only shrink`, () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const dir of ['src/services', 'src/adapters']) {
      for (const f of files(join(ROOT, dir))) {
        const rel = relative(ROOT, f);
        const n = lineCount(f);
        const ceiling = OVERSIZED[rel];
        if (ceiling !== undefined) seen.add(rel);
        if (n <= MAX_LINES) {
          if (ceiling !== undefined) problems.push(`${rel} is ${n} lines now: remove its line from OVERSIZED`);
        } else if (ceiling === undefined) problems.push(`${rel} is ${n} lines (at most ${MAX_LINES}): split it`);
        else if (n > ceiling) problems.push(`${rel} grew to ${n} lines (ceiling ${ceiling}): split it, never raise the ceiling`);
      }
    }
    for (const f of Object.keys(OVERSIZED)) if (!seen.has(f)) problems.push(`${f} is gone: remove its line from OVERSIZED`);
    expect(problems).toEqual([]);
  });
});

