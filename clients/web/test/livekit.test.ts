import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { ConnectionQuality, DisconnectReason, Room, RoomEvent } from 'livekit-client';
import { type CallscopeClient, connect } from '../src/client';
import type { CallscopeEvent } from '../src/events';
import { type Browser, FakePeerConnection, fakeFetch, installBrowser, jwt, mediaError, recorded, settle } from './helpers';

const liveKitToken = jwt({ iss: 'APIkey123', sub: 'alice', video: { room: 'standup', roomJoin: true } });

let browser: Browser;
let client: CallscopeClient;
let sent: () => CallscopeEvent[];

beforeEach(() => {
  browser = installBrowser();
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const fetch = fakeFetch();
  client = connect({ url: 'https://cs.example', token: liveKitToken, fetch: fetch.fetch, sampleInterval: 1000, onError: () => undefined });
  sent = () => fetch.calls.flatMap((call) => call.events);
});

afterEach(async () => {
  await client.close();
  mock.timers.reset();
  browser.restore();
});

async function advance(ms: number): Promise<void> {
  mock.timers.tick(ms);
  await settle();
}

/** A real livekit-client Room, never connected; its engine is given the transports a connection would create. */
function roomWithTransports(sid = 'PA_alice1') {
  const room = new Room();
  room.localParticipant.sid = sid;
  const publisher = new FakePeerConnection([recorded('publisher', 0), recorded('publisher', 1)]);
  const subscriber = new FakePeerConnection([recorded('subscriber', 0), recorded('subscriber', 1)]);
  const engine = room.engine as unknown as { pcManager?: unknown };
  engine.pcManager = { publisher: { _pc: publisher }, subscriber: { _pc: subscriber } };
  return { room, publisher, subscriber };
}

describe('watchLiveKit on a livekit-client Room', () => {
  test('the publisher and subscriber connections give one sample under the local participant sid', async () => {
    const { room } = roomWithTransports();
    client.watchLiveKit(room);
    await settle();

    await advance(1000);

    const samples = sent().filter((e) => e.type === 'quality_sample');
    assert.equal(samples.length, 1);
    assert.equal(samples[0].participant.connection_id, 'PA_alice1');
    assert.equal(samples[0].data.peers, 2);
    assert.ok((samples[0].data.bitrate_up_kbps as number) > 0);
    assert.ok((samples[0].data.bitrate_down_kbps as number) > 0);
    assert.equal(client.connectionId, 'PA_alice1', 'the sid becomes the connection id of the other events');
  });

  test('the local participant connection quality is an event and the score of later samples', async () => {
    const { room } = roomWithTransports();
    client.watchLiveKit(room);
    const remote = { isLocal: false, identity: 'bob' };

    room.emit(RoomEvent.ConnectionQualityChanged, ConnectionQuality.Good, remote as never);
    room.emit(RoomEvent.ConnectionQualityChanged, ConnectionQuality.Poor, room.localParticipant);
    await advance(1000);

    const events = sent();
    assert.deepEqual(events.filter((e) => e.type === 'connection_quality_changed').map((e) => e.data), [{ quality: 'poor' }]);
    assert.equal(events.find((e) => e.type === 'quality_sample')?.data.score, 2);
  });

  test('reconnecting, reconnected and disconnected become events with LiveKit reason names', async () => {
    const { room } = roomWithTransports();
    client.watchLiveKit(room);

    room.emit(RoomEvent.Reconnecting);
    room.emit(RoomEvent.Reconnected);
    room.emit(RoomEvent.Disconnected, DisconnectReason.CLIENT_INITIATED);
    room.emit(RoomEvent.Disconnected, DisconnectReason.DUPLICATE_IDENTITY);
    room.emit(RoomEvent.Disconnected);
    await advance(0);

    assert.deepEqual(sent().map((e) => [e.type, e.data, e.participant.connection_id]), [
      ['participant_reconnecting', {}, 'PA_alice1'],
      ['participant_reconnected', {}, 'PA_alice1'],
      ['client_disconnected', { reason: 'CLIENT_INITIATED' }, 'PA_alice1'],
      ['client_disconnected', { reason: 'DUPLICATE_IDENTITY' }, 'PA_alice1'],
      ['client_disconnected', { reason: 'UNKNOWN_REASON' }, 'PA_alice1'],
    ]);
  });

  test('a media devices error becomes a media event once, even when getUserMedia already reported it', async () => {
    const { room } = roomWithTransports();
    client.watchLiveKit(room);
    const denied = mediaError('NotAllowedError', 'Permission denied');
    browser.mediaDevices.nextError = denied;
    await assert.rejects(navigator.mediaDevices.getUserMedia({ video: true }));

    room.emit(RoomEvent.MediaDevicesError, denied, 'videoinput');
    room.emit(RoomEvent.MediaDevicesError, mediaError('NotReadableError', 'Device in use'), 'audioinput');
    await advance(0);

    assert.deepEqual(sent().map((e) => [e.type, e.data]), [
      ['media_permissions_failed', { code: 'NotAllowedError', message: 'Permission denied', device: 'camera' }],
      ['media_device_failed', { code: 'NotReadableError', message: 'Device in use', device: 'microphone' }],
    ]);
  });

  test('the state changes of the LiveKit connections carry publisher and subscriber labels', async () => {
    const { room, subscriber } = roomWithTransports();
    client.watchLiveKit(room);

    subscriber.setState('disconnected');
    await advance(1000);

    const states = sent().filter((e) => e.type === 'connection_state_changed');
    assert.deepEqual(states.map((e) => e.data), [{ connection_state: 'disconnected', peer: 'subscriber' }]);
  });

  test('a room not yet connected has no connections: no sample, no failure; they are found once it connects', async () => {
    const room = new Room();
    client.watchLiveKit(room);
    await advance(3000);
    assert.deepEqual(sent(), []);
    assert.equal(client.connectionId, client.clientId);

    room.localParticipant.sid = 'PA_late';
    const pc = new FakePeerConnection([recorded('publisher', 0)]);
    (room.engine as unknown as { pcManager: unknown }).pcManager = { publisher: { _pc: pc } };
    room.emit(RoomEvent.Connected);
    pc.setState('connected');
    await advance(1000);

    assert.deepEqual(sent().map((e) => [e.type, e.participant.connection_id]), [
      ['connection_state_changed', 'PA_late'],
      ['quality_sample', 'PA_late'],
    ]);
    assert.equal(sent()[1].data.peers, 1);
  });

  test('the connections a real engine creates (livekit-client PCTransportManager) are the ones watched', async (t) => {
    const created: FakePeerConnection[] = [];
    class RecordedPeerConnection extends FakePeerConnection {
      constructor() {
        super([recorded('publisher', 0), recorded('publisher', 1)]);
        created.push(this);
      }
    }
    Object.defineProperty(globalThis, 'RTCPeerConnection', { value: RecordedPeerConnection, configurable: true, writable: true });
    t.after(() => delete (globalThis as Record<string, unknown>).RTCPeerConnection);
    const room = new Room();
    room.localParticipant.sid = 'PA_real';
    // What connecting does once the server has answered: the engine builds its transports (publisher only here).
    await (room.engine as unknown as { configure(): Promise<void> }).configure();
    assert.equal(created.length, 1, 'the engine made its publisher connection');

    client.watchLiveKit(room);
    await settle();
    created[0].setState('connected');
    await advance(1000);

    const events = sent();
    assert.deepEqual(events.find((e) => e.type === 'connection_state_changed')?.data, { connection_state: 'connected', peer: 'publisher' });
    const sample = events.find((e) => e.type === 'quality_sample');
    assert.equal(sample?.participant.connection_id, 'PA_real');
    assert.equal(sample?.data.peers, 1);
    assert.ok((sample?.data.bitrate_up_kbps as number) > 0);
  });

  test('a transport without a reachable connection is read through its own getStats', async () => {
    const room = new Room();
    room.localParticipant.sid = 'PA_x';
    const pc = new FakePeerConnection([recorded('publisher', 0), recorded('publisher', 1)]);
    (room.engine as unknown as { pcManager: unknown }).pcManager = {
      publisher: { getStats: () => pc.getStats(), getConnectionState: () => 'connected' },
    };
    client.watchLiveKit(room);
    await settle();

    await advance(1000);

    const sample = sent().find((e) => e.type === 'quality_sample');
    assert.equal(sample?.data.connection_state, 'connected');
    assert.ok((sample?.data.bitrate_up_kbps as number) > 0);
  });

  test('a full reconnect that replaces the connections is followed, and unwatching removes every listener', async () => {
    const { room, publisher } = roomWithTransports();
    const before = RoomEventNames.map((name) => room.listenerCount(name));
    const unwatch = client.watchLiveKit(room);
    const fresh = new FakePeerConnection([recorded('publisher', 0)]);
    (room.engine as unknown as { pcManager: unknown }).pcManager = { publisher: { _pc: fresh } };
    room.emit(RoomEvent.Reconnected);

    publisher.setState('failed');
    fresh.setState('checking');
    await advance(1000);
    assert.deepEqual(sent().filter((e) => e.type === 'connection_state_changed').map((e) => e.data.connection_state), ['checking']);

    unwatch();
    assert.deepEqual(RoomEventNames.map((name) => room.listenerCount(name)), before);
  });
});

const RoomEventNames = [
  RoomEvent.Connected,
  RoomEvent.SignalConnected,
  RoomEvent.ConnectionQualityChanged,
  RoomEvent.Reconnecting,
  RoomEvent.Reconnected,
  RoomEvent.Disconnected,
  RoomEvent.MediaDevicesError,
];
