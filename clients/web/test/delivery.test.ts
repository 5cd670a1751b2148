import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { backoffDelay, decide, Delivery, type DeliveryOptions } from '../src/delivery';
import type { CallscopeError } from '../src/errors';
import { type Browser, fakeFetch, installBrowser, makeEvent, type Reply, settle } from './helpers';

const context = { attempt: 0, batchSize: 10, canRefreshToken: false, random: () => 0.5 };

describe('what each answer means', () => {
  test('2xx is done', () => {
    assert.deepEqual(decide({ status: 202, retryAfter: null }, context), { action: 'done' });
  });

  test('400 and 403 drop the batch and report it, never retried', () => {
    const bad = decide({ status: 400, retryAfter: null, body: { title: 'validation-failed' } }, context);
    const foreign = decide({ status: 403, retryAfter: null }, context);
    assert.equal(bad.action, 'drop');
    assert.equal(bad.action === 'drop' && bad.error.code, 'invalid_batch');
    assert.deepEqual(bad.action === 'drop' && bad.error.detail, { title: 'validation-failed' });
    assert.equal(foreign.action === 'drop' && foreign.error.code, 'forbidden');
  });

  test('401 refreshes a token function once, else stops', () => {
    assert.deepEqual(decide({ status: 401, retryAfter: null }, { ...context, canRefreshToken: true }), { action: 'refresh_token' });
    const stop = decide({ status: 401, retryAfter: null }, context);
    assert.equal(stop.action === 'stop' && stop.error.code, 'unauthorized');
  });

  test('413 splits a batch, and drops a single event', () => {
    assert.deepEqual(decide({ status: 413, retryAfter: null }, context), { action: 'split' });
    const single = decide({ status: 413, retryAfter: null }, { ...context, batchSize: 1 });
    assert.equal(single.action === 'drop' && single.error.code, 'too_large');
  });

  test('429 waits Retry-After seconds, or backs off when the header is missing or a date', () => {
    assert.deepEqual(decide({ status: 429, retryAfter: '7' }, context), { action: 'retry', delayMs: 7000 });
    assert.deepEqual(decide({ status: 429, retryAfter: null }, context), { action: 'retry', delayMs: 500 });
    assert.deepEqual(decide({ status: 429, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' }, context), { action: 'retry', delayMs: 500 });
  });

  test('5xx and network failures retry with backoff', () => {
    for (const status of [0, 500, 502, 503, 504]) {
      assert.deepEqual(decide({ status, retryAfter: null }, { ...context, attempt: 3 }), { action: 'retry', delayMs: 4000 });
    }
  });

  test('backoff doubles from 1 s up to 60 s with full jitter', () => {
    const ceiling = (attempt: number) => backoffDelay(attempt, () => 1);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 30].map(ceiling), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    assert.equal(backoffDelay(5, () => 0), 0);
    assert.equal(backoffDelay(5, () => 0.25), 8000);
  });
});

describe('delivery', () => {
  let browser: Browser;
  let errors: CallscopeError[];

  beforeEach(() => {
    browser = installBrowser();
    errors = [];
    mock.timers.enable({ apis: ['setTimeout'] });
  });

  afterEach(() => {
    mock.timers.reset();
    browser.restore();
  });

  function delivery(replies: Reply[], options: Partial<DeliveryOptions> = {}) {
    const fetch = fakeFetch(replies);
    const d = new Delivery({
      url: 'https://cs.example',
      token: 'tok',
      fetch: fetch.fetch,
      maxBuffer: 1000,
      onError: (error) => errors.push(error),
      random: () => 0.5,
      ...options,
    });
    return { d, calls: fetch.calls };
  }

  test('a batch is POSTed with the bearer token, as JSON, with keepalive', async () => {
    const { d, calls } = delivery([]);
    d.add(makeEvent('quality_sample', 1));

    await d.flush();

    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, 'https://cs.example/api/v1/ingest/client');
    assert.equal(calls[0].init.method, 'POST');
    assert.equal(calls[0].init.keepalive, true);
    assert.deepEqual(calls[0].init.headers, { Authorization: 'Bearer tok', 'Content-Type': 'application/json' });
    assert.deepEqual(calls[0].events, [makeEvent('quality_sample', 1)]);
    assert.equal(d.pending, 0);
  });

  test('250 buffered events leave in three requests, in order', async () => {
    const { d, calls } = delivery([]);
    for (let i = 0; i < 250; i++) d.add(makeEvent('quality_sample', i));

    await d.flush();

    assert.deepEqual(calls.map((c) => c.events.length), [100, 100, 50]);
    assert.deepEqual(calls.flatMap((c) => c.events.map((e) => e.id)), Array.from({ length: 250 }, (_, i) => `c-${i}`));
  });

  test('a 400 drops the batch, reports it, and the next batch still leaves', async () => {
    const { d, calls } = delivery([{ status: 400, body: { title: 'validation-failed' } }]);
    d.add(makeEvent('quality_sample', 1));
    await d.flush();
    d.add(makeEvent('quality_sample', 2));
    await d.flush();

    assert.deepEqual(calls.map((c) => c.events.map((e) => e.id)), [['c-1'], ['c-2']]);
    assert.deepEqual(errors.map((e) => [e.code, e.status]), [['invalid_batch', 400]]);
  });

  test('a 403 drops the batch and reports it', async () => {
    const { d, calls } = delivery([{ status: 403 }]);
    d.add(makeEvent('quality_sample', 1));
    await d.flush();

    assert.equal(calls.length, 1);
    assert.equal(d.pending, 0);
    assert.deepEqual(errors.map((e) => e.code), ['forbidden']);
  });

  test('a 401 with a fixed token stops sending for good', async () => {
    const { d, calls } = delivery([{ status: 401 }]);
    d.add(makeEvent('quality_sample', 1));
    await d.flush();
    d.add(makeEvent('quality_sample', 2));
    await d.flush();

    assert.equal(calls.length, 1);
    assert.equal(d.isStopped, true);
    assert.deepEqual(errors.map((e) => e.code), ['unauthorized']);
  });

  test('a 401 with a token function gets a fresh token once and resends the same events', async () => {
    const tokens = ['old', 'new', 'newer'];
    const { d, calls } = delivery([{ status: 401 }, { status: 202 }, { status: 401 }, { status: 401 }], {
      token: async () => tokens.shift()!,
    });
    d.add(makeEvent('quality_sample', 1));
    await d.flush();

    assert.deepEqual(calls.map((c) => [c.token, c.events[0].id]), [['old', 'c-1'], ['new', 'c-1']]);
    assert.equal(d.isStopped, false);

    d.add(makeEvent('quality_sample', 2));
    await d.flush();

    assert.deepEqual(calls.slice(2).map((c) => c.token), ['new', 'newer']);
    assert.equal(d.isStopped, true, 'a fresh token refused again stops sending');
    assert.deepEqual(errors.map((e) => e.code), ['unauthorized']);
  });

  test('a token function that fails is reported and asked again at the next retry', async () => {
    let asked = 0;
    const { d, calls } = delivery([], {
      token: async () => {
        asked += 1;
        if (asked === 1) throw new Error('backend down');
        return 'fresh';
      },
    });
    d.add(makeEvent('quality_sample', 1));
    await d.flush();
    assert.equal(calls.length, 0);
    assert.deepEqual(errors.map((e) => e.code), ['token_failed']);

    mock.timers.tick(500);
    await settle();

    assert.deepEqual(calls.map((c) => [c.token, c.events[0].id]), [['fresh', 'c-1']]);
  });

  test('a 413 splits the batch in halves that keep their ids and order; a lone event is dropped', async () => {
    const { d, calls } = delivery([{ status: 413 }, { status: 202 }, { status: 413 }, { status: 413 }, { status: 202 }]);
    for (let i = 1; i <= 3; i++) d.add(makeEvent('quality_sample', i));

    await d.flush();

    assert.deepEqual(calls.map((c) => c.events.map((e) => e.id)), [['c-1', 'c-2', 'c-3'], ['c-1', 'c-2'], ['c-3']]);
    assert.equal(d.pending, 0);
    assert.deepEqual(errors.map((e) => e.code), ['too_large']);
  });

  test('a 429 waits the Retry-After seconds, then resends the same ids', async () => {
    const { d, calls } = delivery([{ status: 429, headers: { 'Retry-After': '7' } }]);
    d.add(makeEvent('quality_sample', 1));
    await d.flush();

    mock.timers.tick(6999);
    await settle();
    assert.equal(calls.length, 1, 'not before Retry-After');

    mock.timers.tick(1);
    await settle();
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1].events, calls[0].events);
    assert.equal(d.pending, 0);
  });

  test('5xx and network failures back off with growing waits and resend the same batch', async () => {
    const { d, calls } = delivery([{ status: 503 }, 'network-error', { status: 500 }]);
    d.add(makeEvent('media_device_failed', 1));
    await d.flush();
    // random() is 0.5, so the waits are half of 1 s, 2 s, 4 s.
    for (const wait of [500, 1000, 2000]) {
      mock.timers.tick(wait - 1);
      await settle();
      const before = calls.length;
      mock.timers.tick(1);
      await settle();
      assert.equal(calls.length, before + 1, `a retry after ${wait} ms`);
    }

    assert.equal(calls.length, 4);
    assert.ok(calls.every((c) => c.events.length === 1 && c.events[0].id === 'c-1'));
    assert.equal(d.pending, 0);
    assert.deepEqual(errors, [], 'retries are not errors');
  });

  test('events added while a batch waits for its retry leave after it', async () => {
    const { d, calls } = delivery([{ status: 503 }]);
    d.add(makeEvent('quality_sample', 1));
    await d.flush();
    d.add(makeEvent('quality_sample', 2));
    await d.flush();
    assert.equal(calls.length, 1, 'no request while waiting for the retry');

    mock.timers.tick(500);
    await settle();

    assert.deepEqual(calls.map((c) => c.events.map((e) => e.id)), [['c-1'], ['c-1'], ['c-2']]);
  });

  test('an event refused by a buffer past twice its bound is reported', () => {
    const { d } = delivery([], { maxBuffer: 2 });
    for (let i = 1; i <= 5; i++) d.add(makeEvent('media_device_failed', i));

    assert.equal(d.pending, 4);
    assert.deepEqual(errors.map((e) => e.code), ['buffer_full']);
  });

  test('the beacon carries what is buffered to the query-token URL as text/plain', async () => {
    const { d, calls } = delivery([], { token: 'a b/c' });
    d.add(makeEvent('quality_sample', 1));
    d.add(makeEvent('participant_left', 2, { reason: 'left' }));

    d.beacon();
    await settle();

    assert.equal(calls.length, 0);
    assert.equal(browser.beacons.length, 1);
    assert.equal(browser.beacons[0].url, 'https://cs.example/api/v1/ingest/client?access_token=a%20b%2Fc');
    assert.equal(browser.beacons[0].type.toLowerCase(), 'text/plain;charset=utf-8', 'a type that needs no preflight');
    assert.deepEqual(JSON.parse(browser.beacons[0].body).events.map((e: { id: string }) => e.id), ['c-1', 'c-2']);
    assert.equal(d.pending, 0);
  });

  test('the beacon takes a batch waiting for its retry too, and falls back to fetch keepalive when refused', async () => {
    const { d, calls } = delivery([{ status: 503 }]);
    d.add(makeEvent('quality_sample', 1));
    await d.flush();
    d.add(makeEvent('quality_sample', 2));
    browser.beaconAccepts = false;

    d.beacon();
    await settle();

    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1].events.map((e) => e.id), ['c-1', 'c-2']);
    assert.equal(calls[1].init.keepalive, true);
    mock.timers.tick(60_000);
    await settle();
    assert.equal(calls.length, 2, 'the cancelled retry does not send them again');
  });
});
