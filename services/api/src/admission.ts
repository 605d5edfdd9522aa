import type express from 'express';

export interface AdmissionOptions {
  /** Requests worked on at once; 0 turns admission control off. */
  concurrency: number;
  /** Requests waiting for a turn at most; beyond, the answer is 503 at once. */
  queue: number;
  /** The longest a request waits for its turn; then 503. */
  queueTimeoutMs: number;
}

/** Requests that never wait: probes, metrics, hashed assets (no work), and live streams (they hold no worker). */
function exempt(req: express.Request): boolean {
  const path = req.path;
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return true;
  if (path.startsWith('/_app/immutable/')) return true;
  if (path.endsWith('/live')) return true;
  return (req.headers.accept ?? '').includes('text/event-stream');
}

/**
 * Admission control: under overload the server keeps answering. At most `concurrency` requests are worked on at once;
 * the others wait in a bounded queue, first come first served. A request that finds the queue full, or waits longer
 * than `queueTimeoutMs`, is answered 503 with Retry-After at once (in the site's language when it asked for a page)
 * instead of piling up until clients time out. A request is either refused before anything is done for it or worked on
 * to the end: a comment the server accepted is stored.
 */
export function admissionControl(options: AdmissionOptions): express.RequestHandler {
  if (options.concurrency <= 0) return (_req, _res, next) => next();
  let running = 0;
  const waiting: { admit: () => void; timer: ReturnType<typeof setTimeout> }[] = [];
  const retryAfter = String(Math.max(1, Math.ceil(options.queueTimeoutMs / 1000)));

  const release = () => {
    running -= 1;
    const nextUp = waiting.shift();
    if (nextUp) {
      clearTimeout(nextUp.timer);
      nextUp.admit();
    }
  };

  const refuse = (req: express.Request, res: express.Response) => {
    res.setHeader('retry-after', retryAfter);
    res.setHeader('cache-control', 'no-store');
    const vi = 'Máy chủ đang quá tải. Vui lòng thử lại sau giây lát.';
    const en = 'The server is overloaded. Please try again in a moment.';
    if (req.path === '/graphql') {
      res.status(503).json({
        errors: [
          {
            message: vi,
            extensions: { code: 'RATE_LIMITED', messageVi: vi, messageEn: en, retryAfterSeconds: Number(retryAfter) },
          },
        ],
      });
      return;
    }
    const english = /^\s*en\b/i.test(req.headers['accept-language'] ?? '');
    res
      .status(503)
      .type('html')
      .send(
        `<!doctype html><html lang="${english ? 'en' : 'vi'}"><meta charset="utf-8"><title>503</title><p>${english ? en : vi}</p></html>`,
      );
  };

  return (req, res, next) => {
    if (exempt(req)) return next();
    const start = () => {
      running += 1;
      let released = false;
      res.once('close', () => {
        if (released) return;
        released = true;
        release();
      });
      next();
    };
    if (running < options.concurrency) return start();
    if (waiting.length >= options.queue) return refuse(req, res);
    const entry = {
      admit: () => {
        if (res.destroyed || res.writableEnded) {
          // The client went away while waiting: its turn goes to the next one.
          running += 1;
          release();
          return;
        }
        start();
      },
      timer: setTimeout(() => {
        const index = waiting.indexOf(entry);
        if (index !== -1) waiting.splice(index, 1);
        refuse(req, res);
      }, options.queueTimeoutMs),
    };
    waiting.push(entry);
  };
}
