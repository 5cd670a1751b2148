import type { CallscopeEvent } from '../src/events';
import type { Stat, StatsMap } from '../src/stats';
import recording from './fixtures/chromium-two-peers.json';

/** One of the recorded Chromium reports as a map, copied so a test may change it. */
export function recorded(peer: 'publisher' | 'subscriber', reading: 0 | 1): StatsMap {
  const stats = (recording as unknown as Record<string, Stat[][]>)[peer][reading];
  return new Map(stats.map((stat) => [stat.id, structuredClone(stat)]));
}

/** A map-like report as getStats() resolves it. */
export function report(map: StatsMap): { forEach(callback: (value: Stat, key: string) => void): void } {
  return { forEach: (callback) => map.forEach((value, key) => callback(value, key)) };
}

export function makeEvent(type: string, n: number, data: Record<string, unknown> = {}): CallscopeEvent {
  return { id: `c-${n}`, type, timestamp: '2026-11-30T12:00:00.000Z', participant: { connection_id: 'conn' }, data };
}

export interface FetchCall {
  url: string;
  init: RequestInit;
  events: CallscopeEvent[];
  token: string | undefined;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'network-error';

/** A fetch that answers from a script of replies (202 once the script is used up) and records each request. */
export function fakeFetch(replies: Reply[] = []) {
  const calls: FetchCall[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init.body)) as { events: CallscopeEvent[] };
    const auth = (init.headers as Record<string, string>).Authorization;
    calls.push({ url, init, events: body.events, token: auth?.replace(/^Bearer /, '') });
    const reply = replies.shift() ?? { status: 202, body: { accepted: body.events.length, duplicates: 0 } };
    if (reply === 'network-error') throw new TypeError('Failed to fetch');
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  };
  return { fetch, calls };
}

/** Lets pending promise continuations (fetch answers, awaited reads) run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

class FakeMediaDevices extends EventTarget {
  devices: Array<{ kind: string }> = [];
  nextError: Error | null = null;
  nextTracks: FakeTrack[] = [];
  async getUserMedia(_constraints?: MediaStreamConstraints): Promise<unknown> {
    if (this.nextError) throw this.nextError;
    const tracks = this.nextTracks;
    return { getTracks: () => tracks };
  }
  async getDisplayMedia(): Promise<unknown> {
    const tracks = this.nextTracks;
    return { getTracks: () => tracks };
  }
  async enumerateDevices(): Promise<Array<{ kind: string }>> {
    return this.devices;
  }
}

export class FakeTrack extends EventTarget {
  constructor(readonly kind: 'audio' | 'video') {
    super();
  }
}

/** A DOMException-like error as getUserMedia rejects with. */
export function mediaError(name: string, message = `${name} happened`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export interface Browser {
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
  mediaDevices: FakeMediaDevices;
  beacons: Array<{ url: string; body: string; type: string }>;
  beaconAccepts: boolean;
  connection: { type?: string };
  restore(): void;
}

const globals = ['window', 'document', 'navigator'] as const;

/** Puts a small browser (window, document, navigator with mediaDevices and sendBeacon) on globalThis. */
export function installBrowser(): Browser {
  const saved = globals.map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
  const mediaDevices = new FakeMediaDevices();
  const browser: Browser = {
    window: new EventTarget(),
    document: Object.assign(new EventTarget(), { visibilityState: 'visible' }),
    mediaDevices,
    beacons: [],
    beaconAccepts: true,
    connection: {},
    restore() {
      globals.forEach((name, i) => {
        const descriptor = saved[i];
        if (descriptor) Object.defineProperty(globalThis, name, descriptor);
        else delete (globalThis as Record<string, unknown>)[name];
      });
    },
  };
  const navigator = {
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    mediaDevices,
    connection: browser.connection,
    sendBeacon(url: string, blob: Blob): boolean {
      if (!browser.beaconAccepts) return false;
      blobs.push(blob.text().then((body) => browser.beacons.push({ url, body, type: blob.type })));
      return true;
    },
  };
  const blobs: Promise<unknown>[] = [];
  for (const [name, value] of [
    ['window', browser.window],
    ['document', browser.document],
    ['navigator', navigator],
  ] as const) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  return browser;
}

/** A peer connection that answers getStats with the given maps, one per call (the last one repeats). */
export class FakePeerConnection extends EventTarget {
  connectionState = 'connected';
  iceConnectionState = 'connected';
  calls = 0;
  constructor(private readonly readings: StatsMap[]) {
    super();
  }
  async getStats() {
    const map = this.readings[Math.min(this.calls, this.readings.length - 1)];
    this.calls += 1;
    return report(map);
  }
  setState(state: string): void {
    this.connectionState = state;
    this.dispatchEvent(new Event('connectionstatechange'));
  }
  setIceState(state: string): void {
    this.iceConnectionState = state;
    this.dispatchEvent(new Event('iceconnectionstatechange'));
  }
}

/** A client token's shape (HS256 header, `iss: callscope`), unsigned: the SDK never checks signatures. */
export function jwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}.c2lnbmF0dXJl`;
}
