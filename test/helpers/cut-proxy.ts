/**
 * A loopback TCP proxy in front of a real server (the test Dovecot) that cuts connections the way a network
 * does: after a given number of bytes from the server, it closes both sides (FIN) or resets the client's
 * (RST). TLS passes through untouched (the client still verifies the server's certificate), so the client
 * meets a real server and a real cut, mid-response — not a scripted imitation of either.
 *
 *   const proxy = await cutProxy({ host, port }, (n) => (n === 0 ? { afterBytes: 300_000, how: 'reset' } : null));
 *   ... connect to proxy.port ...; await proxy.close();
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Cut {
  /** cut once the server has sent this many bytes on the connection (the bytes before the cut are delivered) */
  afterBytes: number;
  /** 'close': FIN both ways; 'reset': RST to the client (ECONNRESET there) */
  how: 'close' | 'reset';
  /** also stop accepting connections at the moment of the cut (the server looks unreachable afterwards) */
  thenRefuse?: boolean;
}

export interface CutProxy {
  port: number;
  /** connections accepted so far */
  readonly connections: number;
  /** connections cut so far */
  readonly cuts: number;
  /** the plan for connection number n (0-based): a cut, or null to pass everything */
  plan: (n: number) => Cut | null;
  /** accept connections again on the same port after a `thenRefuse` cut */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export async function cutProxy(target: { host: string; port: number }, plan: (n: number) => Cut | null): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let cuts = 0;
  let server: Server;
  let port = 0;

  const onConnection = (client: Socket): void => {
    const n = connections++;
    const cut = self.plan(n);
    const upstream = connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('data', (buf: Buffer) => {
      if (client.destroyed) return;
      if (cut !== null && sent + buf.length >= cut.afterBytes) {
        const head = buf.subarray(0, Math.max(0, cut.afterBytes - sent));
        sent = cut.afterBytes;
        cuts++;
        if (cut.thenRefuse) server.close();
        upstream.destroy();
        client.write(head, () => {
          if (cut.how === 'reset') client.resetAndDestroy();
          else client.destroy();
        });
        return;
      }
      sent += buf.length;
      if (!client.write(buf)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    client.on('data', (buf: Buffer) => {
      if (!upstream.write(buf)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', () => {
        sockets.delete(s);
        end();
      });
    }
  };

  const listen = (p: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server = createServer(onConnection);
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        const addr = server.address();
        port = typeof addr === 'object' && addr !== null ? addr.port : 0;
        resolve();
      });
    });
  await listen(0);

  const self: CutProxy = {
    get port() {
      return port;
    },
    get connections() {
      return connections;
    },
    get cuts() {
      return cuts;
    },
    plan,
    reopen: () => listen(port),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) resolve();
        else server.close(() => resolve());
      }),
  };
  return self;
}
