/**
 * Typed fakes of the services' ports (src/ports/*.ts) for the fast step tests: a fake has the methods a test
 * gives it, and every other one throws, naming itself, so a step that reaches for something the test did not
 * expect fails loudly instead of running on a half-built object.
 */
import type { KirimPorts } from '../../src/ports/kirim.js';
import type { TerimaPorts } from '../../src/ports/terima.js';
import type { AuditAppend, Registers, UnitOfWork } from '../../src/ports/registers.js';

/** `given`, as a `T` whose other members throw `<name>.<member> not expected` when called. */
export function only<T extends object>(name: string, given: Partial<T>): T {
  return new Proxy(given, {
    get: (target, key) =>
      key in target
        ? (target as Record<PropertyKey, unknown>)[key]
        : () => {
            throw new Error(`${name}.${String(key)} not expected`);
          },
  }) as T;
}

type Books = Omit<UnitOfWork, 'audit' | 'findIncomingDuplicate'>;

/**
 * The register port over the books' fakes given: every unit of work runs at once over them (`onWrite` is told
 * of each); the audit events appended go to `audit`.
 */
export function fakeRegisters(given: { [K in keyof Books]?: Partial<Books[K]> }, o: { audit?: AuditAppend[]; onWrite?: () => void } = {}): Registers {
  const books: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) books[k] = only<object>(k, v);
  const uow = only<UnitOfWork>('unitOfWork', { ...(books as Partial<Books>), audit: (_at, e) => void o.audit?.push(e) });
  return only<Registers>('registers', {
    ...(books as Partial<Books>),
    write: (fn) => {
      o.onWrite?.();
      return fn(uow);
    },
  });
}

/** The kirim ports: those given, every other one throws; the crash tests' hook does nothing unless given. */
export const fakeKirimPorts = (given: Partial<KirimPorts>): KirimPorts => only<KirimPorts>('io', { crashPoint: () => undefined, ...given });

/** The terima ports: those given, every other one throws. */
export const fakeTerimaPorts = (given: Partial<TerimaPorts>): TerimaPorts => only<TerimaPorts>('io', given);
