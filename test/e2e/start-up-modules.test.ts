/**
 * What a command loads: the PostgreSQL side of the composition root (src/app/postgres-office.ts and
 * src/adapters/postgres/*) only when the home's engine is PostgreSQL. A SQLite home's commands, --version and
 * --help never load it (it cost every command ~10 ms of start-up when src/app.ts imported it statically).
 * Seen from outside: the real CLI spawned with loader hooks that list every module it loads.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, sandi, tempHome } from '../helpers/cli.js';

const HOOKS = pathToFileURL(resolve(import.meta.dirname, '../helpers/module-trace.mjs')).href;
const REGISTER = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(HOOKS)});`;

describe('start-up: the PostgreSQL modules are loaded only for a home on PostgreSQL', () => {
  let tmp: { dir: string; cleanup: () => void };
  let home: string;
  let n = 0;

  /** The project modules (dist/…) a run of the CLI loaded, relative to dist/, and its exit code. */
  const traced = (args: string[]): { code: number; stderr: string; modules: string[] } => {
    const file = join(tmp.dir, `trace-${n++}.txt`);
    const r = spawnSync(process.execPath, ['--import', REGISTER, BIN, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], HOME: tmp.dir, SANDI_TEST_MODULE_TRACE: file, PGPASSWORD: 'tidak-dipakai' },
      timeout: 60_000,
    });
    let modules: string[] = [];
    try {
      modules = readFileSync(file, 'utf8')
        .split('\n')
        .filter((u) => u.includes('/dist/'))
        .map((u) => u.slice(u.indexOf('/dist/') + 6));
    } catch {
      /* no module traced: the assertions below say so */
    }
    rmSync(file, { force: true });
    return { code: r.status ?? -1, stderr: r.stderr, modules };
  };
  const postgresModules = (modules: string[]): string[] => modules.filter((m) => m.startsWith('adapters/postgres/') || m === 'app/postgres-office.js');

  beforeAll(() => {
    tmp = tempHome('sandi-startup-');
    const demo = sandi(['demo'], { cwd: tmp.dir, env: { HOME: tmp.dir } });
    expect(demo.code, demo.stderr).toBe(0);
    home = join(tmp.dir, '.sandi-demo');
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('a SQLite home: agenda masuk daftar (the store opened, rows listed) and --version load none of them', () => {
    for (const args of [['--home', home, 'agenda', 'masuk', 'daftar'], ['--version']]) {
      const r = traced(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      // the trace works: the entry point and (for a command on a home) the composition root are in it
      expect(r.modules, args.join(' ')).toContain('main.js');
      if (args[0] === '--home') expect(r.modules).toContain('app.js');
      expect(postgresModules(r.modules), args.join(' ')).toEqual([]);
    }
  });

  it('a home on PostgreSQL (--db) loads them, and the unreachable server is 69 as before', () => {
    // port 1 on loopback: nothing listens there, the connection is refused at once
    const r = traced(['--home', home, '--db', 'postgresql://petugas@127.0.0.1:1/kantor', 'agenda', 'masuk', 'daftar']);
    expect(r.code, r.stderr).toBe(69);
    expect(postgresModules(r.modules)).toEqual(expect.arrayContaining(['app/postgres-office.js', 'adapters/postgres/connect.js', 'adapters/postgres/sync-client.js']));
  });
});
