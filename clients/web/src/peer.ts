import { connectionStates, type PeerStats, type QualitySampleData, toStatsMap, type StatsMap } from './stats';

type Report = { forEach(callback: (value: any, key: string) => void): void };

/** What the SDK uses of an RTCPeerConnection. */
export interface PeerConnectionLike {
  getStats(): Promise<Report>;
  connectionState?: string;
  iceConnectionState?: string;
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

/** Where a watcher finds its peer connection now (LiveKit replaces its connections on a full reconnect). */
export interface PeerTarget {
  pc?: PeerConnectionLike;
  /** Stats when there is no reachable connection object but something that reads its stats. */
  getStats?: () => Promise<Report> | undefined;
  connectionState?: string;
}

export type EmitTo = (type: string, data: Record<string, unknown>, connectionId: string) => void;

/**
 * Watches one peer connection: its connection and ICE state changes become events, and `read` takes its stats for
 * the next sample, keeping the previous reading for the interval's deltas.
 */
export class PeerWatcher {
  private previous: StatsMap | null = null;
  private bound: PeerConnectionLike | undefined;
  private unbind: (() => void) | null = null;

  constructor(
    readonly label: string,
    readonly connectionId: () => string,
    private readonly target: () => PeerTarget | undefined,
    private readonly emit: EmitTo,
    /** Sample members known outside getStats (LiveKit's connection-quality score). */
    readonly extra: () => Partial<QualitySampleData> = () => ({}),
  ) {
    this.rebind();
  }

  /** Follows the connection the target points at now; a new connection starts its counters afresh. */
  rebind(): void {
    const pc = this.target()?.pc;
    if (pc === this.bound) return;
    this.unbind?.();
    this.unbind = null;
    this.bound = pc;
    this.previous = null;
    if (!pc || typeof pc.addEventListener !== 'function') return;
    const peer = this.label;
    const onState = (): void => {
      const state = pc.connectionState;
      if (!isState(state)) return;
      this.emit('connection_state_changed', { connection_state: state, peer }, this.connectionId());
      if (state === 'failed') this.emit('media_connection_failed', { code: 'connection_failed', peer }, this.connectionId());
    };
    const onIceState = (): void => {
      const state = pc.iceConnectionState;
      if (!isState(state)) return;
      this.emit('ice_connection_state_changed', { connection_state: state, peer }, this.connectionId());
      if (state === 'failed') this.emit('media_connection_failed', { code: 'ice_failed', peer }, this.connectionId());
    };
    pc.addEventListener('connectionstatechange', onState);
    pc.addEventListener('iceconnectionstatechange', onIceState);
    this.unbind = () => {
      pc.removeEventListener?.('connectionstatechange', onState);
      pc.removeEventListener?.('iceconnectionstatechange', onIceState);
    };
  }

  /** This tick's stats with the previous tick's, or null when the connection is absent or gave none. */
  async read(): Promise<PeerStats | null> {
    this.rebind();
    const target = this.target();
    if (!target) return null;
    const { pc } = target;
    let report: Report | undefined;
    try {
      if (pc && pc.connectionState === 'closed') return null;
      report = pc ? await pc.getStats() : await target.getStats?.();
    } catch {
      return null;
    }
    if (!report) return null;
    const current = toStatsMap(report);
    const stats: PeerStats = { previous: this.previous, current, connectionState: pc?.connectionState ?? target.connectionState };
    this.previous = current;
    return stats;
  }

  dispose(): void {
    this.unbind?.();
    this.unbind = null;
    this.bound = undefined;
  }
}

function isState(state: unknown): state is string {
  return typeof state === 'string' && connectionStates.includes(state);
}

