/** A scripted node:http loopback server for the remote-API tests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it; B is the shape of the JSON body the test expects (null when the body was empty). */
export interface Seen<B = unknown> {
  path: string;
  headers: IncomingMessage['headers'];
  body: B;
  at: number;
}
export type Handler<B = unknown> = (req: Seen<B>, n: number) => { status?: number; headers?: Record<string, string>; body: unknown };

export async function loopback<B = unknown>(handler: Handler<B>): Promise<{ url: string; seen: Seen<B>[]; close(): Promise<void> }> {
  const seen: Seen<B>[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const s: Seen<B> = { path: req.url ?? '', headers: req.headers, body: (raw ? JSON.parse(raw) : null) as B, at: performance.now() };
      seen.push(s);
      const r = handler(s, seen.length - 1);
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...(r.headers ?? {}) });
      res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Deterministic 16-d "embedding" of a text (server side), not normalised. */
export function fakeVector(text: string, dim = 16): number[] {
  const v: number[] = [];
  for (let i = 0; i < dim; i++) {
    let h = 2166136261 ^ i;
    for (let j = 0; j < text.length; j++) h = Math.imul(h ^ text.charCodeAt(j), 16777619);
    v.push(((h >>> 0) % 2000) / 1000 - 1);
  }
  return v;
}
