import net from "node:net";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";

const url = process.env.TEST_DATABASE_URL;

/**
 * A proxy in front of PostgreSQL that cuts the first connection at the moment the driver sends its array-type
 * lookup (the first statement on every new postgres.js connection) and then refuses connections, as a database
 * going down at that instant would, until `reopen`.
 */
async function cuttingProxy(
  target: URL,
): Promise<{ port: number; cuts: () => number; reopen: () => Promise<void>; close: () => void }> {
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const cutThis = cuts === 0;
    client.on("data", (chunk) => {
      if (cutThis && cuts === 0 && chunk.includes("typarray")) {
        cuts += 1;
        server.close();
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cuts: () => cuts,
    reopen: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe.runIf(url)("a connection lost while the driver looks up array types", () => {
  const closers: Array<() => unknown> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("fails the waiting query, leaves no unhandled rejection to end the process, and connects again", async () => {
    const target = new URL(url as string);
    const proxy = await cuttingProxy(target);
    closers.push(proxy.close);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    closers.push(() => process.off("unhandledRejection", onUnhandled));

    const proxied = new URL(url as string);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const sql = postgres(proxied.toString(), { max: 1, onnotice: () => {} });
    closers.push(() => sql.end({ timeout: 1 }));

    // The driver tries the query again on a new connection, which is refused: the query fails, as it should while
    // the database is down. Unpatched, the driver's own dropped promise of the lookup rejects too, with nobody
    // to handle it, and Node ends the process (a server with it).
    const first = await sql`select 1 as one`.then(
      () => "answered",
      (error: { code?: string }) => error.code ?? "failed",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(proxy.cuts()).toBe(1);
    expect(first).toBe("ECONNREFUSED");
    expect(unhandled).toEqual([]);

    await proxy.reopen();
    const [row] = await sql`select 2 as two`;
    expect(row?.two).toBe(2);
  });
});
