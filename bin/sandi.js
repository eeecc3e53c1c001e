#!/usr/bin/env node
import module from 'node:module';
// Node 22+: keep compiled bytecode of sandi's own modules in Node's cache folder so short commands start
// faster (code only, never data); a no-op on Node 20.
module.enableCompileCache?.();
await import('../dist/main.js');
