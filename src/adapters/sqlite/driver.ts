/**
 * Which better-sqlite3 build to load. better-sqlite3 12 wraps its objects with node::ObjectWrap, which on
 * Node 24 registers environment cleanup hooks; a Statement collected at teardown (or by a GC outside a
 * context) then aborts the process ("Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook,
 * WiseLibs/better-sqlite3#1515). better-sqlite3 13 is a Node-API port without that bug, but it needs
 * Node >= 22 and crashes on Node 20. So both are installed (13 under the alias `better-sqlite3-napi`, with
 * its prebuilt Node-API binary) and the one that is safe for the running Node is chosen here. Their
 * JavaScript API is the same.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

export const SQLITE_DRIVER = major >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';

// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- the two builds share one type
const Database: typeof BetterSqlite3 = require(SQLITE_DRIVER);

export default Database;
export type Db = BetterSqlite3.Database;
