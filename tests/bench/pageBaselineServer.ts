/**
 * The page baselines (issue 18): a plain node:http server sending the very bytes the site sent (status, headers, body),
 * recorded just before from the real server, so the difference is everything the site does to make them. A POST reads
 * the whole form body and parses it (a no-op form action) before answering the form post's recorded bytes.
 *   GOPY_BENCH_PAGES=<answers.json> PORT=4002 node --import tsx tests/bench/pageBaselineServer.ts
 * answers.json: { "<path>": { status, headers, body (base64) }, "POST": { ... } }
 */
import fs from 'node:fs';
import http from 'node:http';

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const recorded = JSON.parse(fs.readFileSync(process.env.GOPY_BENCH_PAGES!, 'utf8')) as Record<string, Recorded>;
const answers = new Map(
  Object.entries(recorded).map(([key, r]) => [
    key,
    { status: r.status, headers: { ...r.headers }, body: Buffer.from(r.body, 'base64') },
  ]),
);

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const answer = answers.get('POST');
      if (!answer || !form.get('body')) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
    return;
  }
  const path = req.url!.split('?')[0]!;
  const answer = answers.get(path);
  if (!answer) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(answer.status, answer.headers).end(answer.body);
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
