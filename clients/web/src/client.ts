import { Delivery, type FetchLike, type TokenSource } from './delivery';
import { clientInfo, networkType } from './environment';
import { CallscopeError, defaultErrorHandler, type ErrorHandler } from './errors';
import { type CallscopeEvent, isDroppable, isValidType, maxDataChars } from './events';
import { IdSource } from './ids';
import { type LiveKitRoomLike, liveKitTarget, listenToRoom } from './livekit';
import { captureMedia } from './media';
import { watchPage } from './page';
import { type PeerConnectionLike, PeerWatcher } from './peer';
import { qualitySample } from './stats';
import { isLiveKitToken } from './token';

export interface ConnectOptions {
  /** The Callscope server's base URL, e.g. `https://callscope.example.com`. */
  url: string;
  /** A Callscope client token or the participant's LiveKit access token, or a function that fetches a fresh one. */
  token: TokenSource;
  /** Send `participant_joined` at connect and `participant_left` at close and page hide (never with a LiveKit token). */
  presence?: boolean;
  /** Milliseconds between quality samples; default 5000, at least 1000. */
  sampleInterval?: number;
  /** The connection id of events not tied to a watched connection; default a random id (or the LiveKit sid). */
  connectionId?: string;
  /** Events held while the server is unreachable; default 1000. */
  maxBuffer?: number;
  /** Wrap getUserMedia to report its failures and watch its tracks; default true. */
  captureMedia?: boolean;
  /** Called for refused batches, a refused token, a full buffer; default console.warn. */
  onError?: ErrorHandler;
  /** The fetch to send with; default the global fetch. */
  fetch?: FetchLike;
}

export interface WatchOptions {
  /** The connection id of this connection's samples; default the client's. Connections sharing one are merged. */
  connectionId?: string;
  /** The `peer` label of its state events; default `pc1`, `pc2`, ... */
  label?: string;
}

export interface CallscopeClient {
  /** The random id of this client; its events' ids are `<clientId>-<n>`. */
  readonly clientId: string;
  /** The connection id of events not tied to a watched connection. */
  readonly connectionId: string;
  /** Samples an RTCPeerConnection's stats and reports its state changes; returns the function that stops it. */
  watch(pc: PeerConnectionLike, options?: WatchOptions): () => void;
  /** Watches a livekit-client Room: its connections, connection quality, reconnects, disconnect, device errors. */
  watchLiveKit(room: LiveKitRoomLike): () => void;
  /** Sends one of the app's own events. Throws on a type outside `^[a-z0-9_]{1,100}$` or data the server refuses. */
  event(type: string, data?: Record<string, unknown>): void;
  /** Sends what is buffered now. */
  flush(): Promise<void>;
  /** Stops watching, sends `participant_left` (with presence) and what is buffered, and undoes every wrapper. */
  close(): Promise<void>;
}

const defaultSampleInterval = 5000;
const defaultMaxBuffer = 1000;

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Opens a client that reports to the Callscope server at `options.url`. */
export function connect(options: ConnectOptions): CallscopeClient {
  return new Client(options);
}

class Client implements CallscopeClient {
  readonly clientId: string;
  private defaultConnectionId: string;
  private readonly explicitConnectionId: boolean;
  private readonly ids: IdSource;
  private readonly delivery: Delivery;
  private readonly onError: ErrorHandler;
  private readonly watchers = new Set<PeerWatcher>();
  private readonly undo: Array<() => void> = [];
  private readonly reportedErrors = new WeakSet<object>();
  private readonly presence: boolean;
  /** Whether presence may be sent: null until a token function has given its token. */
  private presenceAllowed: boolean | null = null;
  private readonly presenceChecked: Promise<void>;
  private joined = false;
  private closed = false;
  private ticking = false;
  private urgentFlush: ReturnType<typeof setTimeout> | null = null;
  private labels = 0;

  constructor(options: ConnectOptions) {
    if (!options || typeof options.url !== 'string' || options.url.length === 0) throw new TypeError('Callscope.connect needs a url.');
    if (typeof options.token !== 'string' && typeof options.token !== 'function') {
      throw new TypeError('Callscope.connect needs a token (a string or a function returning a Promise of one).');
    }
    const fetcher = options.fetch ?? (typeof fetch === 'function' ? fetch.bind(globalThis) : undefined);
    if (!fetcher) throw new TypeError('Callscope.connect needs fetch.');
    this.ids = new IdSource();
    this.clientId = this.ids.clientId;
    this.explicitConnectionId = typeof options.connectionId === 'string' && options.connectionId.length > 0;
    this.defaultConnectionId = this.explicitConnectionId ? String(options.connectionId).slice(0, 200) : this.clientId;
    this.onError = options.onError ?? defaultErrorHandler;
    const onError: ErrorHandler = (error) => {
      try {
        this.onError(error);
      } catch {
        // The app's handler failing must not stop delivery.
      }
    };
    this.delivery = new Delivery({
      url: options.url.replace(/\/+$/, ''),
      token: options.token,
      fetch: fetcher,
      maxBuffer: Math.max(1, Math.floor(numberOr(options.maxBuffer, defaultMaxBuffer))),
      onError,
    });

    this.presence = options.presence === true;
    this.presenceChecked = this.checkPresence(options.token, onError);
    if (this.presence) this.join();

    if (options.captureMedia !== false) {
      this.undo.push(captureMedia((type, data) => this.emit(type, data ?? {}), this.reportedErrors));
    }
    this.undo.push(
      watchPage((type) => this.emit(type, {}), {
        onLeave: (reason) => {
          if (reason === 'pagehide') this.leave();
          this.delivery.beacon();
        },
        onReturn: () => {
          if (this.presence && !this.joined) this.join();
        },
      }),
    );

    const interval = Math.max(1000, numberOr(options.sampleInterval, defaultSampleInterval));
    const timer = setInterval(() => void this.tick(), interval);
    this.undo.push(() => clearInterval(timer));
  }

  get connectionId(): string {
    return this.defaultConnectionId;
  }

  watch(pc: PeerConnectionLike, options: WatchOptions = {}): () => void {
    if (!pc || typeof pc.getStats !== 'function') throw new TypeError('watch needs an RTCPeerConnection.');
    if (this.closed) return () => undefined;
    const connectionId = options.connectionId ? String(options.connectionId).slice(0, 200) : undefined;
    const label = options.label ? String(options.label).slice(0, 100) : `pc${++this.labels}`;
    return this.addWatcher(new PeerWatcher(label, () => connectionId ?? this.defaultConnectionId, () => ({ pc }), this.emitTo));
  }

  watchLiveKit(room: LiveKitRoomLike): () => void {
    if (!room || typeof room.on !== 'function' || typeof room.off !== 'function') {
      throw new TypeError('watchLiveKit needs a livekit-client Room.');
    }
    if (this.closed) return () => undefined;
    let score: number | undefined;
    const connectionId = (): string => room.localParticipant?.sid || this.defaultConnectionId;
    const adopt = (): void => {
      const sid = room.localParticipant?.sid;
      if (!this.explicitConnectionId && sid) this.defaultConnectionId = sid.slice(0, 200);
    };
    const extra = () => (score === undefined ? {} : { score });
    const watchers = (['publisher', 'subscriber'] as const).map(
      (role) => new PeerWatcher(role, connectionId, () => liveKitTarget(room, role), this.emitTo, extra),
    );
    const stops = watchers.map((watcher) => this.addWatcher(watcher));
    adopt();
    const unlisten = listenToRoom(room, {
      emit: (type, data) => this.emit(type, data, connectionId()),
      refresh: () => {
        adopt();
        watchers.forEach((watcher) => watcher.rebind());
      },
      setScore: (value) => {
        score = value;
      },
      reportedErrors: this.reportedErrors,
    });
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      unlisten();
      stops.forEach((s) => s());
    };
    this.undo.push(stop);
    return stop;
  }

  event(type: string, data: Record<string, unknown> = {}): void {
    if (!isValidType(type)) throw new TypeError(`Event type must match ^[a-z0-9_]{1,100}$: ${JSON.stringify(type)}`);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('Event data must be an object.');
    const reserved = Object.keys(data).find((key) => key.startsWith('_'));
    if (reserved !== undefined) throw new TypeError(`Event data members starting with _ are reserved: ${reserved}`);
    const json = JSON.stringify(data);
    if (json.length > maxDataChars) throw new RangeError(`Event data is ${json.length} characters of JSON; at most ${maxDataChars}.`);
    this.emit(type, JSON.parse(json) as Record<string, unknown>);
  }

  flush(): Promise<void> {
    return this.delivery.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.leave();
    this.closed = true;
    if (this.presence) await this.presenceChecked;
    this.undo.splice(0).reverse().forEach((undo) => undo());
    for (const watcher of this.watchers) watcher.dispose();
    this.watchers.clear();
    if (this.urgentFlush) clearTimeout(this.urgentFlush);
    await this.delivery.flush();
    this.delivery.dispose();
  }

  private readonly emitTo = (type: string, data: Record<string, unknown>, connectionId: string): void =>
    this.emit(type, data, connectionId);

  private emit(type: string, data: Record<string, unknown>, connectionId = this.defaultConnectionId): void {
    if (this.closed) return;
    const event: CallscopeEvent = {
      id: this.ids.next(),
      type,
      timestamp: new Date().toISOString(),
      participant: { connection_id: connectionId },
      data,
    };
    this.delivery.add(event);
    if (!isDroppable(type)) this.flushSoon();
  }

  /** Errors and presence leave at once; a burst of them (in one task) goes in one request. */
  private flushSoon(): void {
    if (this.urgentFlush) return;
    this.urgentFlush = setTimeout(() => {
      this.urgentFlush = null;
      void this.delivery.flush();
    }, 0);
  }

  private addWatcher(watcher: PeerWatcher): () => void {
    this.watchers.add(watcher);
    void watcher.read();
    return () => {
      watcher.dispose();
      this.watchers.delete(watcher);
    };
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      const groups = new Map<string, PeerWatcher[]>();
      for (const watcher of this.watchers) {
        const id = watcher.connectionId();
        groups.set(id, [...(groups.get(id) ?? []), watcher]);
      }
      for (const [connectionId, watchers] of groups) {
        const readings = await Promise.all(watchers.map((watcher) => watcher.read()));
        const peers = readings.filter((reading) => reading !== null);
        if (peers.length === 0) continue;
        const data: Record<string, unknown> = { ...qualitySample(peers) };
        for (const watcher of watchers) Object.assign(data, watcher.extra());
        if (data.network_type === undefined) {
          const network = networkType();
          if (network !== undefined) data.network_type = network;
        }
        this.emit('quality_sample', data, connectionId);
      }
      await this.delivery.flush();
    } finally {
      this.ticking = false;
    }
  }

  /** Presence is sent only with a Callscope client token; a LiveKit token is known by its issuer. */
  private checkPresence(token: TokenSource, onError: ErrorHandler): Promise<void> {
    if (!this.presence) return Promise.resolve();
    const decide = (value: string): void => {
      this.presenceAllowed = !isLiveKitToken(value);
      if (this.presenceAllowed) return;
      onError(
        new CallscopeError('presence_disabled', 'presence: true is ignored with a LiveKit token; LiveKit webhooks report presence.'),
      );
    };
    if (typeof token === 'string') {
      decide(token);
      return Promise.resolve();
    }
    return this.delivery.ensureToken().then(decide, () => {
      this.presenceAllowed = false;
    });
  }

  /** Adds a presence event now when the token is known, else once it is. */
  private addPresence(event: CallscopeEvent): void {
    if (this.presenceAllowed === true) {
      this.delivery.add(event);
      this.flushSoon();
    } else if (this.presenceAllowed === null) {
      void this.presenceChecked.then(() => this.addPresence(event));
    }
  }

  private join(): void {
    this.joined = true;
    this.addPresence(this.presenceEvent('participant_joined', { client: clientInfo() }));
  }

  private leave(): void {
    if (!this.presence || !this.joined || this.closed) return;
    this.joined = false;
    this.addPresence(this.presenceEvent('participant_left', { reason: 'left' }));
  }

  private presenceEvent(type: string, data: Record<string, unknown>): CallscopeEvent {
    return {
      id: this.ids.next(),
      type,
      timestamp: new Date().toISOString(),
      participant: { connection_id: this.defaultConnectionId },
      data,
    };
  }
}
