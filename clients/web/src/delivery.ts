import { batchBody, EventBuffer, toBatches } from './buffer';
import { CallscopeError, type ErrorHandler } from './errors';
import type { CallscopeEvent } from './events';

export type TokenSource = string | (() => Promise<string>);

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The first retry waits up to this long, and each failure doubles it up to `maxBackoffMs`. */
export const baseBackoffMs = 1000;
export const maxBackoffMs = 60_000;

/** What to do with a batch after an answer (or a network failure, status 0). */
export type Decision =
  | { action: 'done' }
  | { action: 'drop'; error: CallscopeError }
  | { action: 'split' }
  | { action: 'refresh_token' }
  | { action: 'stop'; error: CallscopeError }
  | { action: 'retry'; delayMs: number };

/** Full jitter: a random wait between 0 and the exponential ceiling of this attempt (0 = first retry). */
export function backoffDelay(attempt: number, random: () => number): number {
  const ceiling = Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * ceiling);
}

/** Seconds of a `Retry-After` header as milliseconds, or null when it holds no usable number of seconds. */
export function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return null;
  return Math.min(Number(header) * 1000, 3_600_000);
}

export interface Answer {
  status: number;
  retryAfter: string | null;
  body?: unknown;
}

/**
 * The server contract's answer to each status: 2xx done; 400 and 403 drop; 401 refresh a token that can be refreshed
 * (once per batch) or stop; 413 split (drop a single event); 429 wait `Retry-After`; 5xx and network failures
 * (status 0) retry with exponential backoff and full jitter. Any other status is dropped, as the server refused it.
 */
export function decide(
  answer: Answer,
  context: { attempt: number; batchSize: number; canRefreshToken: boolean; random: () => number },
): Decision {
  const { status } = answer;
  if (status >= 200 && status < 300) return { action: 'done' };
  if (status === 400) {
    return { action: 'drop', error: new CallscopeError('invalid_batch', 'The server refused a batch as invalid.', 400, answer.body) };
  }
  if (status === 401) {
    if (context.canRefreshToken) return { action: 'refresh_token' };
    return { action: 'stop', error: new CallscopeError('unauthorized', 'The token was refused; sending stopped.', 401, answer.body) };
  }
  if (status === 403) {
    return { action: 'drop', error: new CallscopeError('forbidden', 'The server refused a batch for this origin or token.', 403, answer.body) };
  }
  if (status === 413) {
    if (context.batchSize > 1) return { action: 'split' };
    return { action: 'drop', error: new CallscopeError('too_large', 'The server refused an event as too large.', 413, answer.body) };
  }
  if (status === 429) {
    const wait = retryAfterMs(answer.retryAfter);
    return { action: 'retry', delayMs: wait ?? backoffDelay(context.attempt, context.random) };
  }
  if (status === 0 || status >= 500 || status === 408) {
    return { action: 'retry', delayMs: backoffDelay(context.attempt, context.random) };
  }
  return { action: 'drop', error: new CallscopeError('invalid_batch', `The server answered ${status} to a batch.`, status, answer.body) };
}

export interface DeliveryOptions {
  /** The server's base URL, without a trailing slash. */
  url: string;
  token: TokenSource;
  fetch: FetchLike;
  maxBuffer: number;
  onError: ErrorHandler;
  random?: () => number;
}

/**
 * Sends events to `POST /api/v1/ingest/client`. Events wait in a bounded buffer; `flush` moves them into batches,
 * which leave one at a time, in order. A batch keeps its events (and so their ids) through every retry.
 */
export class Delivery {
  readonly buffer: EventBuffer;
  /** Batches formed and not yet answered; the first is the one being sent or waiting for its retry. */
  private batches: CallscopeEvent[][] = [];
  private token: string | null;
  private attempt = 0;
  private refreshedForBatch = false;
  private sending: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;
  private tokenRequest: Promise<string> | null = null;
  private stopped = false;
  private readonly random: () => number;

  constructor(private readonly options: DeliveryOptions) {
    this.buffer = new EventBuffer(options.maxBuffer);
    this.token = typeof options.token === 'string' ? options.token : null;
    this.random = options.random ?? Math.random;
  }

  /** Events buffered or in batches not yet accepted. */
  get pending(): number {
    return this.buffer.length + this.batches.reduce((sum, batch) => sum + batch.length, 0);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  add(event: CallscopeEvent): void {
    const { dropped, refused } = this.buffer.add(event);
    if (refused && dropped !== null) {
      this.options.onError(new CallscopeError('buffer_full', `The event buffer is full; a ${dropped.type} event was dropped.`));
    }
  }

  /**
   * Sends everything buffered. Resolves when all of it is accepted or dropped, or when a batch is waiting to be
   * retried (its events stay queued and leave with the retry), or at once when sending has stopped.
   */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.sending) return this.sending.then(() => (this.buffer.length > 0 && !this.retryTimer ? this.flush() : undefined));
    if (this.retryTimer) return Promise.resolve();
    this.sending = this.pump().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  /** Stops timers; the events not sent are abandoned. */
  dispose(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopped = true;
  }

  /**
   * Hands everything not already on the wire to `navigator.sendBeacon` (for a page that is going away), falling back
   * to `fetch` with `keepalive`. The outcome cannot be known, so those events count as sent.
   */
  beacon(): void {
    if (this.stopped || this.token === null) return;
    const waiting = this.inFlight ? this.batches.splice(1) : this.batches.splice(0);
    if (!this.inFlight && this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    const events = waiting.flat().concat(this.buffer.takeAll());
    if (events.length === 0) return;
    const url = `${this.options.url}/api/v1/ingest/client?access_token=${encodeURIComponent(this.token)}`;
    for (const batch of toBatches(events)) {
      const body = batchBody(batch);
      if (sendBeacon(url, body)) continue;
      this.options
        .fetch(`${this.options.url}/api/v1/ingest/client`, this.request(body, this.token))
        .catch(() => undefined);
    }
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      if (this.batches.length === 0) {
        const next = this.buffer.takeBatch();
        if (next.length === 0) return;
        this.batches.push(next);
        this.attempt = 0;
        this.refreshedForBatch = false;
      }
      const batch = this.batches[0];
      const decision = await this.sendOnce(batch);
      if (this.stopped) return;
      switch (decision.action) {
        case 'done':
          this.finishBatch(batch);
          break;
        case 'drop':
          this.finishBatch(batch);
          this.options.onError(decision.error);
          break;
        case 'split': {
          const half = Math.ceil(batch.length / 2);
          this.batches.splice(0, 1, batch.slice(0, half), batch.slice(half));
          break;
        }
        case 'refresh_token':
          this.refreshedForBatch = true;
          this.token = null;
          break;
        case 'stop':
          this.stopped = true;
          this.options.onError(decision.error);
          return;
        case 'retry':
          this.attempt += 1;
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            void this.flush();
          }, decision.delayMs);
          return;
      }
    }
  }

  private finishBatch(batch: CallscopeEvent[]): void {
    if (this.batches[0] === batch) this.batches.shift();
    this.attempt = 0;
    this.refreshedForBatch = false;
  }

  private async sendOnce(batch: CallscopeEvent[]): Promise<Decision> {
    const context = {
      attempt: this.attempt,
      batchSize: batch.length,
      canRefreshToken: typeof this.options.token === 'function' && !this.refreshedForBatch,
      random: this.random,
    };
    let token: string;
    try {
      token = await this.ensureToken();
    } catch (error) {
      this.options.onError(new CallscopeError('token_failed', `Getting a token failed: ${String(error)}`));
      return decide({ status: 0, retryAfter: null }, context);
    }
    this.inFlight = true;
    try {
      const response = await this.options.fetch(`${this.options.url}/api/v1/ingest/client`, this.request(batchBody(batch), token));
      let body: unknown;
      if (response.status >= 400) body = await response.json().catch(() => undefined);
      return decide({ status: response.status, retryAfter: response.headers.get('Retry-After'), body }, context);
    } catch {
      return decide({ status: 0, retryAfter: null }, context);
    } finally {
      this.inFlight = false;
    }
  }

  /** The token to send with, calling a token function when there is none yet (one call for concurrent askers). */
  ensureToken(): Promise<string> {
    if (this.token !== null) return Promise.resolve(this.token);
    const source = this.options.token;
    if (typeof source === 'string') return Promise.resolve(source);
    this.tokenRequest ??= Promise.resolve()
      .then(source)
      .then((token) => {
        if (typeof token !== 'string' || token.length === 0) throw new Error('the token function gave no token');
        this.token = token;
        return token;
      })
      .finally(() => {
        this.tokenRequest = null;
      });
    return this.tokenRequest;
  }

  private request(body: string, token: string): RequestInit {
    return {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body,
      keepalive: true,
      credentials: 'omit',
      mode: 'cors',
    };
  }
}

function sendBeacon(url: string, body: string): boolean {
  const nav = typeof navigator === 'undefined' ? undefined : navigator;
  if (!nav || typeof nav.sendBeacon !== 'function') return false;
  try {
    return nav.sendBeacon(url, new Blob([body], { type: 'text/plain;charset=UTF-8' }));
  } catch {
    return false;
  }
}
