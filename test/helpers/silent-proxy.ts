/**
 * A loopback TCP proxy in front of a real server that can go silent the way a network does when a cable is
 * pulled or a NAT forgets the flow: no FIN, no RST — from then on it forwards nothing in either direction and
 * closes nothing (bytes that arrive are read and dropped; a side that closes is not told to the other). Both
 * ends keep waiting, as they would on a real dead path, until their own timeouts speak.
 *
 *   const proxy = await silentProxy({ host, port });
 *   proxy.silenceWhen = (chunk) => /COMMIT/.test(chunk.toString('latin1'));   // or proxy.silence() at once
 *   ... a client connects to proxy.port ...; await proxy.close();
 *
 * Plain TCP (the client sees the server's own protocol: sslmode=disable on loopback), so a test can choose the
 * moment by what the client sends.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface SilentProxy {
  port: number;
  /** connections accepted so far */
  readonly connections: number;
  /** whether the proxy has gone silent */
  readonly silent: boolean;
  /**
   * Called with each chunk the client sends while the proxy forwards: returning true drops that chunk and makes
   * the proxy silent from then on (for every connection, present and future).
   */
  silenceWhen: ((chunk: Buffer) => boolean) | null;
  /** Go silent now. */
  silence(): void;
  /** Forward again (new data only; what was dropped stays dropped). */
  resume(): void;
  close(): Promise<void>;
}

export async function silentProxy(target: { host: string; port: number }): Promise<SilentProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let silent = false;

  const server = createServer((client) => {
    connections++;
    const upstream = connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    const pipe = (from: Socket, to: Socket, fromClient: boolean): void => {
      from.on('data', (chunk: Buffer) => {
        if (!silent && fromClient && self.silenceWhen?.(chunk) === true) silent = true;
        if (silent || to.destroyed) return; // read and dropped: the sender sees no error, only no answer
        to.write(chunk);
      });
      // a close is passed on only while the proxy forwards: a silent path tells nobody
      from.on('end', () => {
        if (!silent) to.end();
      });
      from.on('error', () => {
        if (!silent) to.destroy();
      });
      from.on('close', () => sockets.delete(from));
    };
    pipe(client, upstream, true);
    pipe(upstream, client, false);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('silentProxy: no TCP port');

  const self: SilentProxy = {
    port: address.port,
    get connections() {
      return connections;
    },
    get silent() {
      return silent;
    },
    silenceWhen: null,
    silence() {
      silent = true;
    },
    resume() {
      silent = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return self;
}
