/**
 * A minimal loopback Hugging Face hub for tests: serves local folders as repos through the
 * endpoints `@huggingface/hub` uses — `GET /api/models/<id>/revision/<rev>` (commit + file
 * list), `POST /api/models/<id>/paths-info/<rev>` (size, git blob sha1; LFS sha256 for
 * weight files) and `GET /<id>/resolve/<rev>/<path>` (with Range). Every request path is
 * recorded in `asked`.
 */
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

export const MIRROR_COMMIT = 'abcdef0000000000000000000000000000000042';
const LFS = /\.(onnx|onnx_data|data|pt|safetensors|bin)$/;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const go = async (d: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await go(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split('\\').join('/'));
    }
  };
  await go(dir);
  return out;
}

/**
 * Starts a mirror of `repos` (id → folder); `extraListed` are file names listed but absent.
 *
 * @example
 * ```ts
 * const hub = await startHubMirror({ 'acme/tiny': '/fixtures/tiny' }); await hub.close();
 * ```
 */
export async function startHubMirror(repos: () => Record<string, string>, extraListed: string[] = ['README.md']): Promise<{ url: string; asked: string[]; close: () => Promise<void> }> {
  const asked: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]!);
    asked.push(url);
    for (const [id, dir] of Object.entries(repos())) {
      const files = await walk(dir);
      if (url === `/api/models/${id}/revision/main` || url === `/api/models/${id}/revision/${MIRROR_COMMIT}`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ _id: id, id, sha: MIRROR_COMMIT, siblings: [...files, ...extraListed].map((rfilename) => ({ rfilename })) }));
        return;
      }
      if (url === `/api/models/${id}/paths-info/${MIRROR_COMMIT}` && req.method === 'POST') {
        let body = '';
        for await (const c of req) body += (c as Buffer).toString();
        const { paths } = JSON.parse(body) as { paths: string[] };
        const infos = [];
        for (const p of paths.filter((x) => files.includes(x))) {
          const data = await fsp.readFile(join(dir, ...p.split('/')));
          const git = createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
          infos.push(LFS.test(p) ? { type: 'file', path: p, size: 130, oid: git, lfs: { oid: createHash('sha256').update(data).digest('hex'), size: data.length, pointerSize: 130 } } : { type: 'file', path: p, size: data.length, oid: git });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(infos));
        return;
      }
      for (const rev of ['main', MIRROR_COMMIT]) {
        const prefix = `/${id}/resolve/${rev}/`;
        if (url.startsWith(prefix) && files.includes(url.slice(prefix.length))) {
          const data = await fsp.readFile(join(dir, ...url.slice(prefix.length).split('/')));
          const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
          const start = m ? Number(m[1]) : 0;
          const end = m?.[2] ? Math.min(Number(m[2]), data.length - 1) : data.length - 1;
          const body = data.subarray(start, end + 1);
          res.writeHead(m ? 206 : 200, { 'content-length': String(body.length), ...(m ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}) });
          res.end(body);
          return;
        }
      }
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
