import { describe, expect, it } from 'vitest';
import { requestIdOf, serverErrorLine } from './log';

describe("the site's error log line", () => {
  it('is one JSON object with the correlation id, request id, route pattern, status and the error with its stack', () => {
    const line = serverErrorLine({
      correlationId: '0b5c3f0e-6a55-4c5e-9d0e-2f1f3f1d2a11',
      requestId: 'edge-42',
      method: 'POST',
      route: '/(public)/policies/[id=id]',
      status: 500,
      error: new TypeError('cannot read the policy'),
      now: new Date('2026-12-07T10:00:00.000Z'),
    });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, any>;
    expect(parsed).toMatchObject({
      level: 'error',
      time: '2026-12-07T10:00:00.000Z',
      service: 'gopy',
      role: 'site',
      requestId: 'edge-42',
      correlationId: '0b5c3f0e-6a55-4c5e-9d0e-2f1f3f1d2a11',
      method: 'POST',
      route: '/(public)/policies/[id=id]',
      status: 500,
      msg: 'unexpected failure in the site',
    });
    expect(parsed.err).toMatchObject({ type: 'TypeError', message: 'cannot read the policy' });
    expect(parsed.err.stack).toContain('TypeError: cannot read the policy');
  });

  it('takes a request id only when it is a plain token', () => {
    expect(requestIdOf(new Headers({ 'x-request-id': 'edge-42' }))).toBe('edge-42');
    expect(requestIdOf(new Headers({ 'x-request-id': 'two words' }))).toBeUndefined();
    expect(requestIdOf(new Headers({ 'x-request-id': `x${'y'.repeat(128)}` }))).toBeUndefined();
    expect(requestIdOf(new Headers())).toBeUndefined();
  });
});
