import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { type CallscopeClient, type ConnectOptions, connect } from '../src/client';
import { sdkVersion } from '../src/environment';
import type { CallscopeError } from '../src/errors';
import type { CallscopeEvent } from '../src/events';
import { type Browser, FakePeerConnection, FakeTrack, fakeFetch, installBrowser, jwt, mediaError, recorded, settle } from './helpers';
import packageJson from '../package.json';

const clientToken = jwt({ iss: 'callscope', sub: 'alice', room: 'standup' });
const liveKitToken = jwt({ iss: 'APIkey123', sub: 'alice', video: { room: 'standup', roomJoin: true } });

let browser: Browser;
let errors: CallscopeError[];
let clients: CallscopeClient[];

beforeEach(() => {
  browser = installBrowser();
  errors = [];
  clients = [];
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
});

afterEach(async () => {
  for (const client of clients) await client.close();
  mock.timers.reset();
  browser.restore();
});

function open(options: Partial<ConnectOptions> = {}) {
  const fetch = fakeFetch();
  const client = connect({ url: 'https://cs.example/', token: clientToken, fetch: fetch.fetch, onError: (e) => errors.push(e), ...options });
  clients.push(client);
  const sent = (): CallscopeEvent[] => fetch.calls.flatMap((call) => call.events);
  return { client, calls: fetch.calls, sent };
}

/** Runs due timers and lets their promises finish. */
async function advance(ms: number): Promise<void> {
  mock.timers.tick(ms);
  await settle();
}

describe('presence', () => {
  test('no presence unless asked', async () => {
    const { client, sent } = open();
    await client.close();
    assert.deepEqual(sent().filter((e) => e.type.startsWith('participant_')), []);
  });

  test('presence: true with a client token sends joined at connect and left at close', async () => {
    const { client, sent } = open({ presence: true });
    await advance(0);
    await client.close();

    const presence = sent().filter((e) => e.type.startsWith('participant_'));
    assert.deepEqual(presence.map((e) => e.type), ['participant_joined', 'participant_left']);
    const joined = presence[0].data.client as Record<string, string>;
    assert.equal(joined.sdk, `callscope-web/${sdkVersion}`);
    assert.equal(joined.browser, 'Chrome 156');
    assert.equal(joined.os, 'Linux');
    assert.equal(joined.device, 'desktop');
    assert.deepEqual(presence[1].data, { reason: 'left' });
  });

  test('presence: true with a LiveKit token sends none and warns once', async () => {
    const { client, sent } = open({ presence: true, token: liveKitToken });
    client.event('app_ready');
    await advance(0);
    await client.close();

    assert.deepEqual(sent().map((e) => e.type), ['app_ready']);
    assert.deepEqual(errors.map((e) => e.code), ['presence_disabled']);
  });

  test('a token function is asked before deciding, and a LiveKit token from it also means no presence', async () => {
    const { client, sent } = open({ presence: true, token: async () => liveKitToken });
    await advance(0);
    await client.close();

    assert.deepEqual(sent().filter((e) => e.type.startsWith('participant_')), []);
    assert.deepEqual(errors.map((e) => e.code), ['presence_disabled']);
  });

  test('page hide sends participant_left by beacon, once', async () => {
    const { client, sent } = open({ presence: true });
    await advance(0);
    browser.window.dispatchEvent(new Event('pagehide'));
    await settle();
    await client.close();

    const beaconed = browser.beacons.flatMap((b) => JSON.parse(b.body).events as CallscopeEvent[]);
    assert.deepEqual(beaconed.map((e) => e.type), ['participant_left']);
    assert.deepEqual(sent().map((e) => e.type), ['participant_joined'], 'close after page hide sends no second leave');
  });
});

describe('closing', () => {
  test('closing twice is harmless, and a closed client sends nothing more', async () => {
    const { client, calls } = open({ presence: true });
    await client.close();
    await client.close();
    client.event('too_late');
    client.watch(new FakePeerConnection([recorded('publisher', 0)]));
    await advance(10_000);

    assert.deepEqual(calls.flatMap((c) => c.events).map((e) => e.type), ['participant_joined', 'participant_left']);
  });

  test('a page restored from the back/forward cache joins again after leaving on page hide', async () => {
    const { client, sent } = open({ presence: true });
    browser.window.dispatchEvent(new Event('pagehide'));
    browser.window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    await advance(0);
    await client.close();

    const beaconed = browser.beacons.flatMap((b) => JSON.parse(b.body).events as CallscopeEvent[]);
    assert.deepEqual(beaconed.map((e) => e.type), ['participant_joined', 'participant_left']);
    assert.deepEqual(sent().map((e) => e.type), ['participant_joined', 'participant_left']);
  });
});

describe('page and network events', () => {
  test('offline, online, hidden and visible are reported; hiding sends the buffer by beacon', async () => {
    const { calls } = open();
    browser.window.dispatchEvent(new Event('offline'));
    browser.window.dispatchEvent(new Event('online'));
    browser.document.visibilityState = 'hidden';
    browser.document.dispatchEvent(new Event('visibilitychange'));
    await settle();

    const beaconed = browser.beacons.flatMap((b) => JSON.parse(b.body).events as CallscopeEvent[]);
    assert.deepEqual(beaconed.map((e) => e.type), ['network_offline', 'network_online', 'page_hidden']);
    assert.equal(calls.length, 0);
    assert.ok(browser.beacons[0].url.endsWith(`/api/v1/ingest/client?access_token=${encodeURIComponent(clientToken)}`));

    browser.document.visibilityState = 'visible';
    browser.document.dispatchEvent(new Event('visibilitychange'));
    await advance(5000);
    assert.deepEqual(calls.flatMap((c) => c.events).map((e) => e.type), ['page_visible']);
  });
});

describe('getUserMedia', () => {
  const cases: Array<[string, MediaStreamConstraints, string, string]> = [
    ['NotAllowedError', { video: true, audio: true }, 'media_permissions_failed', 'camera+microphone'],
    ['SecurityError', { video: true }, 'media_permissions_failed', 'camera'],
    ['NotFoundError', { audio: true }, 'media_device_failed', 'microphone'],
    ['NotReadableError', { video: { width: 1280 } }, 'media_device_failed', 'camera'],
    ['OverconstrainedError', { video: true }, 'media_device_failed', 'camera'],
    ['AbortError', { audio: true, video: false }, 'media_device_failed', 'microphone'],
  ];
  for (const [name, constraints, type, device] of cases) {
    test(`${name} for ${device} becomes ${type}, sent at once, and the app still sees the rejection`, async () => {
      const { sent } = open();
      const error = mediaError(name, 'Permission denied');
      browser.mediaDevices.nextError = error;

      await assert.rejects(navigator.mediaDevices.getUserMedia(constraints), (e) => e === error);
      await advance(0);

      assert.deepEqual(sent().map((e) => [e.type, e.data]), [[type, { code: name, message: 'Permission denied', device }]]);
    });
  }

  test('returned tracks report ended, mute and unmute', async () => {
    const { client, sent } = open();
    const camera = new FakeTrack('video');
    const microphone = new FakeTrack('audio');
    browser.mediaDevices.nextTracks = [camera, microphone];

    await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    microphone.dispatchEvent(new Event('mute'));
    microphone.dispatchEvent(new Event('unmute'));
    camera.dispatchEvent(new Event('ended'));
    await client.flush();

    assert.deepEqual(sent().map((e) => [e.type, e.data]), [
      ['track_muted', { kind: 'audio', device: 'microphone' }],
      ['track_unmuted', { kind: 'audio', device: 'microphone' }],
      ['media_device_changed', { code: 'device_ended', device: 'camera', message: 'The camera track ended.' }],
    ]);
  });

  test('a device change reports the number of devices of each kind', async () => {
    const { client, sent } = open();
    browser.mediaDevices.devices = [{ kind: 'audioinput' }, { kind: 'audioinput' }, { kind: 'videoinput' }, { kind: 'audiooutput' }];

    browser.mediaDevices.dispatchEvent(new Event('devicechange'));
    await settle();
    await client.flush();

    assert.deepEqual(sent().map((e) => [e.type, e.data]), [['media_device_changed', { audio_inputs: 2, video_inputs: 1, audio_outputs: 1 }]]);
  });

  test('close puts the original getUserMedia back; captureMedia: false never wraps it', async () => {
    const original = browser.mediaDevices.getUserMedia;
    const { client } = open();
    assert.notEqual(navigator.mediaDevices.getUserMedia, original);
    await client.close();
    assert.equal(navigator.mediaDevices.getUserMedia, original);

    open({ captureMedia: false });
    assert.equal(navigator.mediaDevices.getUserMedia, original);
  });
});

describe('watching a peer connection', () => {
  test('every interval gives a quality_sample with the interval rates, sent with the tick', async () => {
    const pc = new FakePeerConnection([recorded('publisher', 0), recorded('publisher', 1)]);
    const { client, calls } = open({ sampleInterval: 2000, connectionId: 'conn-1' });
    client.watch(pc);
    await settle();

    await advance(2000);

    const samples = calls.flatMap((c) => c.events).filter((e) => e.type === 'quality_sample');
    assert.equal(samples.length, 1);
    assert.equal(samples[0].participant.connection_id, 'conn-1');
    assert.ok((samples[0].data.bitrate_up_kbps as number) > 0, 'the first tick already has a rate: watch reads once at once');
    assert.equal(samples[0].data.candidate_type, 'host');
    assert.match(samples[0].id, new RegExp(`^${client.clientId}-\\d+$`));
    assert.match(samples[0].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('connections watched with one connection id become one merged sample', async () => {
    const { client, sent } = open({ sampleInterval: 1000 });
    client.watch(new FakePeerConnection([recorded('publisher', 0), recorded('publisher', 1)]), { connectionId: 'both' });
    client.watch(new FakePeerConnection([recorded('subscriber', 0), recorded('subscriber', 1)]), { connectionId: 'both' });
    await settle();

    await advance(1000);

    const samples = sent().filter((e) => e.type === 'quality_sample');
    assert.equal(samples.length, 1);
    assert.equal(samples[0].data.peers, 2);
    assert.ok((samples[0].data.bitrate_up_kbps as number) > 0 && (samples[0].data.bitrate_down_kbps as number) > 0);
  });

  test('state changes are reported with the peer label, and failure also as media_connection_failed', async () => {
    const pc = new FakePeerConnection([recorded('publisher', 0)]);
    const { client, sent } = open();
    client.watch(pc, { label: 'caller' });
    client.watch(new FakePeerConnection([recorded('subscriber', 0)]));

    pc.setIceState('disconnected');
    pc.setState('failed');
    pc.setIceState('failed');
    await advance(0);

    assert.deepEqual(sent().map((e) => [e.type, e.data]), [
      ['ice_connection_state_changed', { connection_state: 'disconnected', peer: 'caller' }],
      ['connection_state_changed', { connection_state: 'failed', peer: 'caller' }],
      ['media_connection_failed', { code: 'connection_failed', peer: 'caller' }],
      ['ice_connection_state_changed', { connection_state: 'failed', peer: 'caller' }],
      ['media_connection_failed', { code: 'ice_failed', peer: 'caller' }],
    ]);
  });

  test('unwatching stops the samples and the state events', async () => {
    const pc = new FakePeerConnection([recorded('publisher', 0)]);
    const { client, sent } = open({ sampleInterval: 1000 });
    const unwatch = client.watch(pc);
    unwatch();
    pc.setState('failed');
    await advance(3000);
    await client.flush();

    assert.deepEqual(sent(), []);
  });
});

describe('the app own events', () => {
  test('client.event sends a valid type with its data', async () => {
    const { client, sent } = open();
    client.event('checkout_started', { step: 2 });
    await advance(0);

    assert.deepEqual(sent().map((e) => [e.type, e.data]), [['checkout_started', { step: 2 }]]);
  });

  test('client.event throws on a type the server would refuse, and on reserved or oversized data', () => {
    const { client } = open();
    for (const bad of ['', 'Upper', 'has-dash', 'has space', 'x'.repeat(101), 42 as unknown as string]) {
      assert.throws(() => client.event(bad), TypeError, JSON.stringify(bad));
    }
    assert.throws(() => client.event('ok', { _source: 'x' }), TypeError);
    assert.throws(() => client.event('ok', { text: 'x'.repeat(9000) }), RangeError);
    assert.doesNotThrow(() => client.event('a'.repeat(100)));
  });
});

describe('ids', () => {
  test('ids are <client id>-<n>, unique per client, and the client id is 16 random bytes in hex', async () => {
    const a = open();
    const b = open();
    a.client.event('one');
    a.client.event('two');
    b.client.event('one');
    await a.client.flush();
    await b.client.flush();

    assert.match(a.client.clientId, /^[0-9a-f]{32}$/);
    assert.notEqual(a.client.clientId, b.client.clientId);
    assert.deepEqual(a.sent().map((e) => e.id), [`${a.client.clientId}-1`, `${a.client.clientId}-2`]);
    assert.equal(a.client.connectionId, a.client.clientId, 'without a connectionId option the client id stands in');
  });

  test('the SDK version is the package version', () => {
    assert.equal(sdkVersion, packageJson.version);
  });
});
