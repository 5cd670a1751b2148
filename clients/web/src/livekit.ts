import { mediaFailure } from './media';
import type { PeerConnectionLike, PeerTarget } from './peer';

/** What the SDK uses of a livekit-client PCTransport (internal to livekit-client, so every member may be absent). */
interface TransportLike {
  _pc?: PeerConnectionLike | null;
  getStats?: () => Promise<any> | undefined;
  getConnectionState?: () => string;
}

/**
 * What the SDK uses of a livekit-client `Room`, read by duck typing so livekit-client stays optional. Its engine's
 * transports are internal to livekit-client (and private in its types), so they are read without being declared.
 */
export interface LiveKitRoomLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  localParticipant?: { sid?: string } | null;
}

interface RoomInternals {
  engine?: { pcManager?: { publisher?: TransportLike; subscriber?: TransportLike } | null } | null;
}

/** LiveKit's connection quality as a `score` (0..5); unknown has none. */
export const qualityScores: Record<string, number> = { excellent: 5, good: 4, poor: 2, lost: 0 };

/** LiveKit's DisconnectReason values (livekit protocol), by number. */
const disconnectReasons = [
  'UNKNOWN_REASON',
  'CLIENT_INITIATED',
  'DUPLICATE_IDENTITY',
  'SERVER_SHUTDOWN',
  'PARTICIPANT_REMOVED',
  'ROOM_DELETED',
  'STATE_MISMATCH',
  'JOIN_FAILURE',
  'MIGRATION',
  'SIGNAL_CLOSE',
  'ROOM_CLOSED',
  'USER_UNAVAILABLE',
  'USER_REJECTED',
  'SIP_TRUNK_FAILURE',
];

export function disconnectReasonName(reason: unknown): string {
  if (typeof reason === 'number') return disconnectReasons[reason] ?? `REASON_${reason}`;
  if (typeof reason === 'string' && reason.length > 0) return reason.slice(0, 100);
  return 'UNKNOWN_REASON';
}

/**
 * Where the publisher or subscriber connection of a room is now. livekit-client keeps them in
 * `room.engine.pcManager.{publisher,subscriber}` (PCTransport), each holding its RTCPeerConnection in `_pc`, created
 * on first use and replaced on a full reconnect; the transport's own `getStats()` is the fallback when `_pc` is not
 * reachable. Before the room connects there is no pcManager, and so no stats.
 */
export function liveKitTarget(room: LiveKitRoomLike, role: 'publisher' | 'subscriber'): PeerTarget | undefined {
  const transport = (room as RoomInternals).engine?.pcManager?.[role];
  if (!transport) return undefined;
  const pc = transport._pc;
  if (pc && typeof pc.getStats === 'function') return { pc };
  if (typeof transport.getStats !== 'function') return undefined;
  return {
    getStats: () => transport.getStats?.(),
    connectionState: typeof transport.getConnectionState === 'function' ? transport.getConnectionState() : undefined,
  };
}

export interface LiveKitHooks {
  emit(type: string, data: Record<string, unknown>): void;
  /** The connection id is known (the local participant's sid) or the connections may have changed. */
  refresh(): void;
  setScore(score: number | undefined): void;
  reportedErrors: WeakSet<object>;
}

function deviceOfKind(kind: unknown): string {
  if (kind === 'audioinput') return 'microphone';
  if (kind === 'videoinput') return 'camera';
  return 'camera+microphone';
}

/** Subscribes to the room's events by their string names; returns the function that unsubscribes. */
export function listenToRoom(room: LiveKitRoomLike, hooks: LiveKitHooks): () => void {
  const handlers: Record<string, (...args: any[]) => void> = {
    connected: () => hooks.refresh(),
    signalConnected: () => hooks.refresh(),
    connectionQualityChanged: (quality: unknown, participant?: { isLocal?: unknown }) => {
      if (participant !== room.localParticipant && participant?.isLocal !== true) return;
      if (typeof quality !== 'string') return;
      hooks.setScore(qualityScores[quality]);
      hooks.emit('connection_quality_changed', { quality });
    },
    reconnecting: () => hooks.emit('participant_reconnecting', {}),
    reconnected: () => {
      hooks.refresh();
      hooks.emit('participant_reconnected', {});
    },
    disconnected: (reason?: unknown) => hooks.emit('client_disconnected', { reason: disconnectReasonName(reason) }),
    mediaDevicesError: (error: unknown, kind?: unknown) => {
      if (typeof error === 'object' && error !== null) {
        if (hooks.reportedErrors.has(error)) return;
        hooks.reportedErrors.add(error);
      }
      const { type, data } = mediaFailure(error, deviceOfKind(kind));
      hooks.emit(type, data);
    },
  };
  for (const [name, handler] of Object.entries(handlers)) room.on(name, handler);
  return () => {
    for (const [name, handler] of Object.entries(handlers)) room.off(name, handler);
  };
}
