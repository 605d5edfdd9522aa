// Live updates for the policy page: the API's `policyChanged` subscription (GraphQL over SSE) re-sent to the
// browser as a plain event stream of small JSON messages. The page reloads its data on each one; it works
// just the same without this stream.
import type { RequestHandler } from './$types';
import { openPolicySubscription } from '$lib/server/api';

const KEEPALIVE_MS = 25_000;

export const GET: RequestHandler = async (event) => {
  const upstreamAbort = new AbortController();
  event.request.signal.addEventListener('abort', () => upstreamAbort.abort(), { once: true });

  let upstream: Response;
  try {
    upstream = await openPolicySubscription(event, event.params.id, upstreamAbort.signal);
  } catch {
    return new Response('live updates unavailable', { status: 503, headers: { 'retry-after': '30' } });
  }
  if (!upstream.ok || !upstream.body || !upstream.headers.get('content-type')?.includes('text/event-stream')) {
    upstreamAbort.abort();
    return new Response('live updates unavailable', { status: 503, headers: { 'retry-after': '30' } });
  }

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const reader = upstream.body.getReader();
  let keepalive: ReturnType<typeof setInterval> | undefined;

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (chunk: string) => {
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          // the browser went away
        }
      };
      send('retry: 10000\n\n');
      keepalive = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);

      let buffer = '';
      const pump = async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
            let boundary: number;
            while ((boundary = buffer.indexOf('\n\n')) !== -1) {
              const block = buffer.slice(0, boundary);
              buffer = buffer.slice(boundary + 2);
              const change = parseEvent(block);
              if (change === 'complete') {
                controller.close();
                return;
              }
              if (change) send(`event: change\ndata: ${JSON.stringify(change)}\n\n`);
            }
          }
          controller.close();
        } catch {
          try {
            controller.close();
          } catch {
            // already closed
          }
        } finally {
          clearInterval(keepalive);
        }
      };
      void pump();
    },
    cancel() {
      clearInterval(keepalive);
      upstreamAbort.abort();
    },
  });

  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    },
  });
};

interface PolicyChange {
  kind: string;
  commentId: string | null;
  position: string;
}

/** One SSE block from yoga/graphql-sse: `event: next` with an execution result; `event: complete` ends it. */
function parseEvent(block: string): PolicyChange | 'complete' | null {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  if (name === 'complete') return 'complete';
  if (data.length === 0) return null;
  try {
    const payload = JSON.parse(data.join('\n')) as {
      data?: { policyChanged?: { kind?: string; commentId?: string | null; position?: string } };
    };
    const change = payload.data?.policyChanged;
    if (!change) return null;
    return {
      kind: String(change.kind ?? ''),
      commentId: change.commentId ?? null,
      position: String(change.position ?? ''),
    };
  } catch {
    return null;
  }
}
