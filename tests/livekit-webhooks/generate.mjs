// Builds genuine LiveKit webhook requests for the Callscope tests with LiveKit's own packages: events are
// @livekit/protocol messages, written and signed the way the Go server sends them, and each one is checked with
// livekit-server-sdk's WebhookReceiver before it is written. Output: out/<scenario>.json (headers and metadata per
// request) and out/<scenario>/NN-<event>.body (the exact body bytes).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DisconnectReason,
  EgressInfo,
  EgressStatus,
  IngressInfo,
  IngressState,
  IngressState_Status,
  Job,
  JobState,
  JobStatus,
  ParticipantInfo,
  ParticipantInfo_Kind,
  ParticipantInfo_State,
  ParticipantPermission,
  Room,
  RoomEndReason,
  TimedVersion,
  TrackInfo,
  TrackSource,
  TrackType,
  WebhookEvent,
} from '@livekit/protocol';
import { AccessToken, TokenVerifier, WebhookReceiver } from 'livekit-server-sdk';
import { pinClock } from './clock.mjs';
import { marshal } from './protojson.mjs';
import { webhookToken } from './sign.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'out');

// 2026-11-25T10:00:00Z: CallscopeApp.Start, where the tests' FakeTimeProvider begins.
const T0 = 1795600800;
const KEY = 'APIcallscopeTests';
const SECRET = 'callscope-livekit-test-secret-9f3b6c1d2e4a5b7c8d9e0f1a2b3c';
const CONTENT_TYPE = 'application/webhook+json';
const USER_AGENT = 'LiveKit';

// LiveKit's guids: a prefix and 12 characters of the shortuuid alphabet. Derived from a seed, so every run writes the
// same fixtures.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function guid(prefix, seed) {
  const digest = createHash('sha256').update(seed).digest();
  let id = prefix;
  for (let i = 0; i < 12; i++) id += ALPHABET[digest[i] % ALPHABET.length];
  return id;
}

const CODECS = ['audio/PCMU', 'audio/PCMA', 'audio/opus', 'audio/red', 'video/VP8', 'video/H264', 'video/VP9', 'video/AV1', 'video/H265', 'video/rtx'];

function fullRoom(name, { numParticipants = 0, numPublishers = 0 } = {}) {
  return new Room({
    sid: guid('RM_', name),
    name,
    emptyTimeout: 300,
    departureTimeout: 20,
    creationTime: BigInt(T0),
    creationTimeMs: BigInt(T0) * 1000n + 200n,
    turnPassword: guid('', 'turn-' + name) + guid('', 'turn2-' + name) + 'TURNPASSWORD',
    enabledCodecs: CODECS.map((mime) => ({ mime })),
    numParticipants,
    numPublishers,
  });
}

function roomRef(name) {
  return new Room({ sid: guid('RM_', name), name });
}

function participant(identity, name, { sid, joinedAtMs, kind = ParticipantInfo_Kind.STANDARD, left = null, region } = {}) {
  return new ParticipantInfo({
    sid,
    identity,
    name,
    state: left === null ? ParticipantInfo_State.ACTIVE : ParticipantInfo_State.DISCONNECTED,
    joinedAt: BigInt(Math.floor(joinedAtMs / 1000)),
    joinedAtMs: BigInt(joinedAtMs),
    version: left === null ? 2 : 5,
    permission: new ParticipantPermission({ canSubscribe: true, canPublish: kind === ParticipantInfo_Kind.STANDARD, canPublishData: true }),
    region,
    kind,
    disconnectReason: left ?? DisconnectReason.UNKNOWN_REASON,
    attributes: { locale: 'en-GB' },
  });
}

function track(owner, source, unixMicro, { width = 0, height = 0 } = {}) {
  const video = source === TrackSource.CAMERA || source === TrackSource.SCREEN_SHARE;
  const letters = { [TrackSource.CAMERA]: 'VC', [TrackSource.MICROPHONE]: 'AM', [TrackSource.SCREEN_SHARE]: 'VS' }[source];
  return new TrackInfo({
    sid: guid('TR_' + letters, owner + source).slice(0, 17),
    type: video ? TrackType.VIDEO : TrackType.AUDIO,
    source,
    mimeType: video ? 'video/VP8' : 'audio/red',
    width,
    height,
    simulcast: video,
    mid: video ? '1' : '0',
    stream: 'camera',
    version: new TimedVersion({ unixMicro: BigInt(unixMicro) }),
  });
}

const ms = (seconds) => Math.round((T0 + seconds) * 1000);
const micros = (seconds) => Math.round((T0 + seconds) * 1000) * 1000;

class Scenario {
  constructor(name, { apiKey = KEY, apiSecret = SECRET } = {}) {
    this.name = name;
    this.apiKey = apiKey;
    this.apiSecret = apiSecret;
    this.requests = [];
    mkdirSync(join(out, name), { recursive: true });
  }

  // One request as the server sends it at `at` seconds after T0 (createdAt is that second). `sign` changes how the
  // token is made, `tamper` changes the body after signing, and `livekit` is what LiveKit's own receiver must say.
  async send(label, fields, at, { sign = {}, tamper, authorization, livekit = 'accepts', tolerance } = {}) {
    const index = String(this.requests.length + 1).padStart(2, '0');
    const createdAt = T0 + Math.floor(at);
    const event = new WebhookEvent({ ...fields, id: guid('EV_', `${this.name}/${index}-${label}`), createdAt: BigInt(createdAt) });
    const signed = marshal(event, { spaced: sign.spaced ?? false });
    const token = await webhookToken(signed, { apiKey: this.apiKey, apiSecret: this.apiSecret, issuedAt: createdAt, ...sign });
    const body = tamper ? tamper(signed) : signed;
    const header = authorization ? authorization(token) : token;
    await checkWithLiveKit(this, label, body, header, createdAt, livekit, tolerance);

    const file = `${this.name}/${index}-${label}.body`;
    writeFileSync(join(out, file), body);
    const headers = { 'Content-Type': CONTENT_TYPE, 'User-Agent': USER_AGENT };
    if (header !== null) headers.Authorization = header;
    this.requests.push({ name: `${index}-${label}`, event: fields.event, id: event.id, sent_at: createdAt, body: file, headers });
  }

  write() {
    const manifest = { scenario: this.name, api_key: this.apiKey, api_secret: this.apiSecret, start: T0, requests: this.requests };
    writeFileSync(join(out, `${this.name}.json`), JSON.stringify(manifest, null, 2) + '\n');
  }
}

// The SDK's receiver must agree with what the fixture is meant to be (it allows any HMAC algorithm, unlike Go).
async function checkWithLiveKit(scenario, label, body, header, sentAt, expected, tolerance = 10) {
  pinClock(sentAt);
  let verdict;
  try {
    const event = await new WebhookReceiver(scenario.apiKey, scenario.apiSecret).receive(body, header ?? undefined, false, tolerance);
    verdict = event.event ? 'accepts' : 'rejects';
  } catch {
    verdict = 'rejects';
  }
  if (verdict !== expected) {
    throw new Error(`${scenario.name}/${label}: LiveKit's WebhookReceiver ${verdict} it, expected it to ${expected.slice(0, -1)}`);
  }
}

// The generator must write exactly what the Go server wrote for LIVEKIT.md's participant_joined sample.
async function checkDocumentedSample() {
  const room = new Room({
    sid: 'RM_iHpggfnVshJW', name: 'harness-3i45f7ni', emptyTimeout: 300, departureTimeout: 20,
    creationTime: 1795600800n, creationTimeMs: 1795600800000n, turnPassword: 'NhlCdUzZ0JYNa6JeYmHfSc0ReMABaNa1hhpjSLA1Mna',
    enabledCodecs: CODECS.map((mime) => ({ mime })), numParticipants: 1,
  });
  const alice = new ParticipantInfo({
    sid: 'PA_i8KXZ4H5SDYa', identity: 'alice', state: ParticipantInfo_State.ACTIVE, joinedAt: 1795600801n, joinedAtMs: 1795600801600n,
    name: 'Alice Example', version: 2, permission: new ParticipantPermission({ canSubscribe: true, canPublish: true, canPublishData: true }),
    attributes: { role: 'host', locale: 'en-GB' },
  });
  const event = new WebhookEvent({ event: 'participant_joined', room, participant: alice, id: 'EV_K4JRLMetSmaj', createdAt: 1795600802n });
  const body = marshal(event);
  const token = await webhookToken(body, { apiKey: 'devkey', apiSecret: 'secret', issuedAt: 1795600802 });
  const expectedBody = '{"event":"participant_joined","room":{"sid":"RM_iHpggfnVshJW","name":"harness-3i45f7ni","emptyTimeout":300,"departureTimeout":20,"creationTime":"1795600800","creationTimeMs":"1795600800000","turnPassword":"NhlCdUzZ0JYNa6JeYmHfSc0ReMABaNa1hhpjSLA1Mna","enabledCodecs":[{"mime":"audio/PCMU"},{"mime":"audio/PCMA"},{"mime":"audio/opus"},{"mime":"audio/red"},{"mime":"video/VP8"},{"mime":"video/H264"},{"mime":"video/VP9"},{"mime":"video/AV1"},{"mime":"video/H265"},{"mime":"video/rtx"}],"numParticipants":1},"participant":{"sid":"PA_i8KXZ4H5SDYa","identity":"alice","state":"ACTIVE","joinedAt":"1795600801","joinedAtMs":"1795600801600","name":"Alice Example","version":2,"permission":{"canSubscribe":true,"canPublish":true,"canPublishData":true},"attributes":{"locale":"en-GB","role":"host"}},"id":"EV_K4JRLMetSmaj","createdAt":"1795600802"}';
  const expectedToken = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJkZXZrZXkiLCJleHAiOjE3OTU2MDExMDIsIm5iZiI6MTc5NTYwMDgwMiwiaWF0IjoxNzk1NjAwODAyLCJzaGEyNTYiOiJFUW9ZRWZWNzZvYUtjM21EaDhiU1crMnNVc0FMb3phZXlIUUw5bEF5bHpVPSJ9.JP3FSoD-vdImbQkMGB2hPSQmjSGOP-iIRp0yC93lpt0';
  if (body !== expectedBody || token !== expectedToken) {
    throw new Error('The generator no longer writes the documented server sample byte for byte.');
  }
}

// Room started; Alice and Bob join and publish microphone and camera; Bob's signal connection drops and he comes back
// with a new participant sid; both leave; the room finishes after its departure timeout.
async function fullCall() {
  const s = new Scenario('full-call');
  const room = 'weekly-sync';
  const alice = { sid: guid('PA_', 'alice'), joinedAtMs: ms(1.6), region: 'eu-west' };
  const bob1 = { sid: guid('PA_', 'bob-1'), joinedAtMs: ms(4.3) };
  const bob2 = { sid: guid('PA_', 'bob-2'), joinedAtMs: ms(62.5) };
  const aliceMic = track('alice', TrackSource.MICROPHONE, micros(3.1));
  const aliceCam = track('alice', TrackSource.CAMERA, micros(5.2), { width: 1280, height: 720 });
  const bobMic = track('bob-1', TrackSource.MICROPHONE, micros(6.4));
  const bobMicAgain = track('bob-2', TrackSource.MICROPHONE, micros(63.8));
  const ref = (identity, p) => new ParticipantInfo({ sid: p.sid, identity });

  await s.send('room_started', { event: 'room_started', room: fullRoom(room) }, 0);
  await s.send('participant_joined', { event: 'participant_joined', room: fullRoom(room, { numParticipants: 1 }), participant: participant('alice', 'Alice Example', alice) }, 2);
  await s.send('track_published', { event: 'track_published', room: roomRef(room), participant: ref('alice', alice), track: aliceMic }, 3);
  await s.send('participant_joined', { event: 'participant_joined', room: fullRoom(room, { numParticipants: 2, numPublishers: 1 }), participant: participant('bob', 'Bob Builder', bob1) }, 5);
  await s.send('track_published', { event: 'track_published', room: roomRef(room), participant: ref('alice', alice), track: aliceCam }, 5);
  await s.send('track_published', { event: 'track_published', room: roomRef(room), participant: ref('bob', bob1), track: bobMic }, 6);
  // Closing Bob's first connection unpublishes its track; the track keeps the version it was published with.
  await s.send('track_unpublished', { event: 'track_unpublished', room: roomRef(room), participant: ref('bob', bob1), track: bobMic }, 60);
  await s.send('participant_left', { event: 'participant_left', room: fullRoom(room, { numParticipants: 1, numPublishers: 1 }), participant: participant('bob', 'Bob Builder', { ...bob1, left: DisconnectReason.SIGNAL_CLOSE }) }, 60);
  await s.send('participant_joined', { event: 'participant_joined', room: fullRoom(room, { numParticipants: 2, numPublishers: 1 }), participant: participant('bob', 'Bob Builder', bob2) }, 63);
  await s.send('track_published', { event: 'track_published', room: roomRef(room), participant: ref('bob', bob2), track: bobMicAgain }, 63);
  aliceCam.version = new TimedVersion({ unixMicro: BigInt(micros(90.4)) });
  await s.send('track_unpublished', { event: 'track_unpublished', room: roomRef(room), participant: ref('alice', alice), track: aliceCam }, 90);
  await s.send('track_unpublished', { event: 'track_unpublished', room: roomRef(room), participant: ref('alice', alice), track: aliceMic }, 120);
  await s.send('participant_left', { event: 'participant_left', room: fullRoom(room, { numParticipants: 1, numPublishers: 1 }), participant: participant('alice', 'Alice Example', { ...alice, left: DisconnectReason.CLIENT_INITIATED }) }, 120);
  await s.send('participant_left', { event: 'participant_left', room: fullRoom(room), participant: participant('bob', 'Bob Builder', { ...bob2, left: DisconnectReason.CLIENT_INITIATED }) }, 130, { sign: { spaced: true } });
  await s.send('room_finished', { event: 'room_finished', room: fullRoom(room), roomEndReason: RoomEndReason.ROOM_END_IDLE_TIMEOUT }, 150);
  s.write();
}

// An agent, a recorder (egress) and an ingress stream share the room with one person, Carol; agent jobs, egress and
// ingress report on the room.
async function passiveParticipants() {
  const s = new Scenario('passive');
  const room = 'agent-room';
  const agent = { sid: guid('PA_', 'agent'), joinedAtMs: ms(1.0), kind: ParticipantInfo_Kind.AGENT };
  const carol = { sid: guid('PA_', 'carol'), joinedAtMs: ms(10.5) };
  const recorder = { sid: guid('PA_', 'recorder'), joinedAtMs: ms(12.8), kind: ParticipantInfo_Kind.EGRESS };
  const egressId = guid('EG_', 'egress');
  const job = (status) => new Job({
    id: guid('AJ_', 'job'), dispatchId: guid('AD_', 'dispatch'), room: roomRef(room), agentName: 'assistant',
    state: new JobState({ status, participantIdentity: 'agent-assistant' }),
  });
  const egress = (status) => new EgressInfo({ egressId, roomId: guid('RM_', room), roomName: room, status, startedAt: BigInt(ms(12) * 1_000_000) });
  const ingress = (status) => new IngressInfo({
    ingressId: guid('IN_', 'ingress'), name: 'stage camera', streamKey: 'STREAMKEY-keep-this-private', url: 'rtmp://ingress.example.test/x',
    roomName: room, participantIdentity: 'stage-camera', state: new IngressState({ status }),
  });

  await s.send('room_started', { event: 'room_started', room: fullRoom(room) }, 0);
  await s.send('participant_joined', { event: 'participant_joined', room: fullRoom(room, { numParticipants: 1 }), participant: participant('agent-assistant', 'Assistant', agent) }, 1);
  await s.send('agent_job_started', { event: 'agent_job_started', job: job(JobStatus.JS_RUNNING) }, 1);
  await s.send('participant_joined', { event: 'participant_joined', room: fullRoom(room, { numParticipants: 2 }), participant: participant('carol', 'Carol Singer', carol) }, 11);
  await s.send('egress_started', { event: 'egress_started', room: roomRef(room), egressInfo: egress(EgressStatus.EGRESS_ACTIVE) }, 12);
  await s.send('participant_joined', { event: 'participant_joined', room: fullRoom(room, { numParticipants: 3 }), participant: participant(egressId, '', recorder) }, 13);
  await s.send('ingress_started', { event: 'ingress_started', room: new Room({ name: room }), ingressInfo: ingress(IngressState_Status.ENDPOINT_PUBLISHING) }, 20);
  await s.send('ingress_ended', { event: 'ingress_ended', room: new Room({ name: room }), ingressInfo: ingress(IngressState_Status.ENDPOINT_INACTIVE) }, 30);
  await s.send('participant_left', { event: 'participant_left', room: fullRoom(room, { numParticipants: 2 }), participant: participant('carol', 'Carol Singer', { ...carol, left: DisconnectReason.CLIENT_INITIATED }) }, 40);
  await s.send('egress_ended', { event: 'egress_ended', room: roomRef(room), egressInfo: egress(EgressStatus.EGRESS_COMPLETE) }, 41);
  await s.send('participant_left', { event: 'participant_left', room: fullRoom(room, { numParticipants: 1 }), participant: participant(egressId, '', { ...recorder, left: DisconnectReason.CLIENT_INITIATED }) }, 41);
  await s.send('agent_job_ended', { event: 'agent_job_ended', job: job(JobStatus.JS_SUCCESS) }, 42);
  await s.send('participant_left', { event: 'participant_left', room: fullRoom(room), participant: participant('agent-assistant', 'Assistant', { ...agent, left: DisconnectReason.CLIENT_INITIATED }) }, 42);
  await s.send('room_finished', { event: 'room_finished', room: fullRoom(room) }, 62);
  s.write();
}

// One participant per DisconnectReason value: each joins and leaves with that reason; one more never gets connected.
async function leaveReasons() {
  const s = new Scenario('leave-reasons');
  const room = 'reasons-room';
  const reasons = Object.values(DisconnectReason).filter((v) => typeof v === 'number');
  for (const reason of reasons) {
    const name = DisconnectReason[reason];
    const p = { sid: guid('PA_', name), joinedAtMs: ms(1 + reason + 0.25) };
    await s.send(`participant_joined-${name}`, { event: 'participant_joined', room: fullRoom(room, { numParticipants: 1 }), participant: participant(`p-${name}`, name, p) }, 2 + reason);
    await s.send(`participant_left-${name}`, { event: 'participant_left', room: fullRoom(room), participant: participant(`p-${name}`, name, { ...p, left: reason }) }, 100 + reason);
  }
  const aborted = { sid: guid('PA_', 'aborted'), joinedAtMs: ms(150.5) };
  await s.send('participant_connection_aborted', { event: 'participant_connection_aborted', room: fullRoom(room), participant: participant('p-aborted', 'Aborted', { ...aborted, left: DisconnectReason.JOIN_FAILURE }) }, 170);
  s.write();
}

// Requests that must be refused (and three that must not), all sent at T0 + 2 s.
async function rejections() {
  const s = new Scenario('rejections');
  const room = 'guarded-room';
  const joined = (who) => ({ event: 'participant_joined', room: fullRoom(room, { numParticipants: 1 }), participant: participant(who, who, { sid: guid('PA_', who), joinedAtMs: ms(1.5) }) });

  await s.send('valid', joined('valid'), 2);
  await s.send('bearer-prefix', joined('bearer'), 2, { authorization: (t) => 'Bearer ' + t, livekit: 'rejects' });
  await s.send('expired-within-leeway', joined('leeway'), 2, { sign: { issuedAt: T0 + 2 - 330 }, tolerance: 60 });
  await s.send('wrong-secret', joined('wrong-secret'), 2, { sign: { apiSecret: 'not-the-secret-of-this-key' }, livekit: 'rejects' });
  await s.send('tampered-body', joined('tampered'), 2, { tamper: (body) => body.replace('"identity":"tampered"', '"identity":"mallory"'), livekit: 'rejects' });
  await s.send('expired', joined('expired'), 2, { sign: { issuedAt: T0 + 2 - 400 }, tolerance: 60, livekit: 'rejects' });
  await s.send('unknown-key', joined('unknown-key'), 2, { sign: { apiKey: 'APInobodyRegisteredThis' }, livekit: 'rejects' });
  await s.send('hs512', joined('hs512'), 2, { sign: { alg: 'HS512' } });
  await s.send('no-expiry', joined('no-expiry'), 2, { sign: { omitExp: true }, livekit: 'rejects' });
  await s.send('no-authorization', joined('no-authorization'), 2, { authorization: () => null, livekit: 'rejects' });
  s.write();
}

// Genuine, correctly signed webhooks whose content native ingest refuses: each must be refused the same way.
async function invalidContent() {
  const s = new Scenario('invalid-content');
  const joined = (room, identity, { sid = guid('PA_', identity.slice(0, 40)) } = {}) => ({
    event: 'participant_joined', room: fullRoom(room, { numParticipants: 1 }), participant: participant(identity, 'Someone', { sid, joinedAtMs: ms(1.5) }),
  });

  await s.send('room-name-too-long', joined('r'.repeat(10000), 'alice'), 2);
  await s.send('room-name-with-nul', joined('bad\u0000room', 'alice'), 2);
  await s.send('room-name-with-control', joined('bad\u0007room', 'alice'), 2);
  await s.send('room-name-reserved', joined('live', 'alice'), 2);
  await s.send('room-name-with-slash', joined('team/room', 'alice'), 2);
  await s.send('room-name-like-an-id', joined('0b9d3c52-8f0e-4c59-a2c6-1f1e7d2f0a11', 'alice'), 2);
  await s.send('identity-too-long', joined('good-room', 'i'.repeat(10000)), 2);
  await s.send('identity-with-nul', joined('good-room', 'ali\u0000ce'), 2);
  await s.send('connection-with-control', joined('good-room', 'alice', { sid: 'PA_\u001b[31m' }), 2);
  await s.send('weird-event-type', { event: 'Weird Type!<x>', room: fullRoom('good-room') }, 2);
  s.write();
}

// Participants' own LiveKit access tokens, made with livekit-server-sdk's AccessToken exactly as an app's backend makes
// them, for browser ingest (POST /api/v1/ingest/client). Issued at T0; each valid one is checked with TokenVerifier.
async function accessTokens() {
  pinClock(T0);
  const make = async ({ secret = SECRET, identity = 'ana', name = 'Ana', ttl = '6h', grant = { roomJoin: true, room: 'browser-call' } } = {}) => {
    const token = new AccessToken(KEY, secret, { identity, name, ttl });
    token.addGrant(grant);
    return token.toJwt();
  };
  const tokens = {
    valid: await make(),
    other_participant: await make({ identity: 'noah', name: 'Noah' }),
    wrong_secret: await make({ secret: 'not-the-secret-of-this-key' }),
    short_lived: await make({ ttl: 120 }),
    no_room: await make({ grant: { roomJoin: true } }),
  };
  for (const name of ['valid', 'other_participant', 'short_lived', 'no_room']) {
    await new TokenVerifier(KEY, SECRET).verify(tokens[name]);
  }

  const manifest = { api_key: KEY, api_secret: SECRET, start: T0, room: 'browser-call', tokens };
  writeFileSync(join(out, 'access-tokens.json'), JSON.stringify(manifest, null, 2) + '\n');
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await checkDocumentedSample();
await fullCall();
await passiveParticipants();
await leaveReasons();
await rejections();
await invalidContent();
await accessTokens();
console.log(`LiveKit webhook fixtures written to ${out}`);
