#!/usr/bin/env node
// Writes the man page generated from the command tree (src/cli/bantuan.ts) after `tsc`:
//   node scripts/man.mjs                 → man/sandi.1 (Indonesian)
//   node scripts/man.mjs --lang en [OUT] → English, to OUT or stdout
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const args = process.argv.slice(2);
const li = args.indexOf('--lang');
const lang = li >= 0 ? args.splice(li, 2)[1] : 'id';
const { setLang } = await import('../dist/cli/messages/index.js');
setLang(lang === 'en' ? 'en' : 'id');
const { createProgram, packageVersion } = await import('../dist/cli/program.js');
const { registerGroups } = await import('../dist/cli/index.js');
const { renderMan } = await import('../dist/cli/bantuan.js');

const program = createProgram();
await registerGroups(program, () => {
  throw new Error('the man page needs no context');
}, []);
const text = renderMan(program, packageVersion());
const out = args[0] ?? (li >= 0 ? '-' : new URL('../man/sandi.1', import.meta.url).pathname);
if (out === '-') process.stdout.write(text);
else {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}
