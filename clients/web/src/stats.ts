/** One entry of an RTCStatsReport, read loosely: browsers differ in which members they fill. */
export type Stat = { id: string; type: string; timestamp: number; [member: string]: unknown };

export type StatsMap = Map<string, Stat>;

/** The stats of one peer connection at one tick, with those of the tick before (null on the first). */
export interface PeerStats {
  previous: StatsMap | null;
  current: StatsMap;
  connectionState?: string;
}

export type QualitySampleData = {
  rtt_ms?: number;
  jitter_ms?: number;
  packet_loss_pct?: number;
  bitrate_up_kbps?: number;
  bitrate_down_kbps?: number;
  audio_bitrate_up_kbps?: number;
  audio_bitrate_down_kbps?: number;
  fps?: number;
  width?: number;
  height?: number;
  score?: number;
  quality_limitation?: string;
  candidate_type?: string;
  network_type?: string;
  connection_state?: string;
  peers?: number;
};

const qualityLimitations = ['none', 'bandwidth', 'cpu', 'other'];
const candidateTypes = ['host', 'srflx', 'prflx', 'relay'];
export const networkTypes = ['wifi', 'ethernet', 'cellular', 'vpn', 'bluetooth', 'wimax', 'mixed', 'none', 'other', 'unknown'];
export const connectionStates = ['new', 'checking', 'connecting', 'connected', 'completed', 'disconnected', 'failed', 'closed'];
/** Connection states from worst to best, for the one state of several merged peer connections. */
const stateSeverity = ['failed', 'disconnected', 'closed', 'checking', 'connecting', 'new', 'connected', 'completed'];

const maxBitrateKbps = 10_000_000;

/** Copies a stats report into a map (RTCStatsReport is map-like but cannot be kept across ticks in every browser). */
export function toStatsMap(report: { forEach(callback: (value: any, key: string) => void): void }): StatsMap {
  const map: StatsMap = new Map();
  report.forEach((value, key) => map.set(key, value as Stat));
  return map;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function round(value: number, places = 2): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

/** Sets a number only when it is finite, clamped into the server's range. */
function put(data: QualitySampleData, key: keyof QualitySampleData, value: number | undefined, max: number, whole = false): void {
  if (value === undefined || !Number.isFinite(value)) return;
  const clamped = Math.min(max, Math.max(0, value));
  (data as Record<string, unknown>)[key] = whole ? Math.round(clamped) : round(clamped);
}

function choice(value: unknown, allowed: readonly string[]): string | undefined {
  return typeof value === 'string' && allowed.includes(value) ? value : undefined;
}

function kindOf(stat: Stat): unknown {
  return stat.kind ?? stat.mediaType;
}

/** Change of a counter between two readings; undefined when either is missing or the counter went back (a reset). */
function delta(current: Stat, previous: Stat | undefined, member: string): number | undefined {
  const now = num(current[member]);
  const before = previous ? num(previous[member]) : undefined;
  if (now === undefined || before === undefined || now < before) return undefined;
  return now - before;
}

/** Kilobits per second of a byte counter between two readings. */
function kbps(current: Stat, previous: Stat | undefined, member: string): number | undefined {
  const bytes = delta(current, previous, member);
  const elapsedMs = previous ? current.timestamp - previous.timestamp : 0;
  if (bytes === undefined || !(elapsedMs > 0)) return undefined;
  return (bytes * 8) / elapsedMs;
}

function selectedPair(stats: StatsMap): Stat | undefined {
  for (const stat of stats.values()) {
    if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') {
      const pair = stats.get(stat.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  const pairs = [...stats.values()].filter((stat) => stat.type === 'candidate-pair');
  return pairs.find((pair) => pair.selected === true) ?? pairs.find((pair) => pair.nominated === true && pair.state === 'succeeded');
}

type Video = { area: number; fps?: number; width?: number; height?: number; limitation?: string };

function videoOf(stat: Stat): Video {
  const width = num(stat.frameWidth);
  const height = num(stat.frameHeight);
  return {
    area: (width ?? 0) * (height ?? 0),
    fps: num(stat.framesPerSecond),
    width,
    height,
    limitation: choice(stat.qualityLimitationReason, qualityLimitations),
  };
}

function larger(a: Video | undefined, b: Video): Video {
  return a === undefined || b.area > a.area ? b : a;
}

function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function addOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a + b;
}

/**
 * One `quality_sample` from the stats of the peer connections that share a connection id (LiveKit's publisher and
 * subscriber, or one plain RTCPeerConnection). Rates and loss are over the interval since the previous reading, so
 * the first reading of a connection has none; bitrates are summed over the connections, RTT and jitter are the
 * worst, loss is lost / (lost + received) over every inbound and remote-inbound stream. Members the browser did not
 * report are left out, and every number is clamped into the server's range.
 */
export function qualitySample(peers: readonly PeerStats[]): QualitySampleData {
  let pairRtt: number | undefined;
  let remoteRtt: number | undefined;
  let jitter: number | undefined;
  let lost = 0;
  let received = 0;
  let up: number | undefined;
  let down: number | undefined;
  let audioUp: number | undefined;
  let audioDown: number | undefined;
  let sentVideo: Video | undefined;
  let receivedVideo: Video | undefined;
  let candidateType: string | undefined;
  let networkType: string | undefined;
  let state: string | undefined;

  for (const { previous, current, connectionState } of peers) {
    const pair = selectedPair(current);
    if (pair) {
      const rtt = num(pair.currentRoundTripTime);
      if (rtt !== undefined) pairRtt = maxOf(pairRtt, rtt * 1000);
      const local = typeof pair.localCandidateId === 'string' ? current.get(pair.localCandidateId) : undefined;
      const type = choice(local?.candidateType, candidateTypes);
      if (type !== undefined && candidateType !== 'relay') candidateType = type;
      networkType ??= choice(local?.networkType, networkTypes);
    }
    for (const stat of current.values()) {
      const before = previous?.get(stat.id);
      const kind = kindOf(stat);
      if (stat.type === 'outbound-rtp') {
        const rate = kbps(stat, before, 'bytesSent');
        up = addOf(up, rate);
        if (kind === 'audio') audioUp = addOf(audioUp, rate);
        if (kind === 'video') sentVideo = larger(sentVideo, videoOf(stat));
      } else if (stat.type === 'inbound-rtp') {
        const rate = kbps(stat, before, 'bytesReceived');
        down = addOf(down, rate);
        if (kind === 'audio') audioDown = addOf(audioDown, rate);
        if (kind === 'video') receivedVideo = larger(receivedVideo, videoOf(stat));
        const j = num(stat.jitter);
        if (j !== undefined) jitter = maxOf(jitter, j * 1000);
        const lostNow = delta(stat, before, 'packetsLost');
        const receivedNow = delta(stat, before, 'packetsReceived');
        if (lostNow !== undefined && receivedNow !== undefined) {
          lost += lostNow;
          received += receivedNow;
        }
      } else if (stat.type === 'remote-inbound-rtp') {
        const rtt = num(stat.roundTripTime);
        if (rtt !== undefined) remoteRtt = maxOf(remoteRtt, rtt * 1000);
        const j = num(stat.jitter);
        if (j !== undefined) jitter = maxOf(jitter, j * 1000);
        const lostNow = delta(stat, before, 'packetsLost');
        let receivedNow = delta(stat, before, 'packetsReceived');
        if (receivedNow === undefined && lostNow !== undefined && typeof stat.localId === 'string') {
          const local = current.get(stat.localId);
          const sent = local ? delta(local, previous?.get(stat.localId), 'packetsSent') : undefined;
          if (sent !== undefined) receivedNow = Math.max(0, sent - lostNow);
        }
        if (lostNow !== undefined && receivedNow !== undefined) {
          lost += lostNow;
          received += receivedNow;
        }
      }
    }
    const peerState = choice(connectionState, connectionStates);
    if (peerState !== undefined && (state === undefined || stateSeverity.indexOf(peerState) < stateSeverity.indexOf(state))) {
      state = peerState;
    }
  }

  const data: QualitySampleData = {};
  put(data, 'rtt_ms', pairRtt ?? remoteRtt, 60_000);
  put(data, 'jitter_ms', jitter, 60_000);
  if (lost + received > 0) put(data, 'packet_loss_pct', (lost / (lost + received)) * 100, 100);
  put(data, 'bitrate_up_kbps', up, maxBitrateKbps);
  put(data, 'bitrate_down_kbps', down, maxBitrateKbps);
  put(data, 'audio_bitrate_up_kbps', audioUp, maxBitrateKbps);
  put(data, 'audio_bitrate_down_kbps', audioDown, maxBitrateKbps);
  const video = sentVideo ?? receivedVideo;
  if (video) {
    put(data, 'fps', video.fps, 1000);
    put(data, 'width', video.width, 16_384, true);
    put(data, 'height', video.height, 16_384, true);
  }
  if (sentVideo?.limitation !== undefined) data.quality_limitation = sentVideo.limitation;
  if (candidateType !== undefined) data.candidate_type = candidateType;
  if (networkType !== undefined) data.network_type = networkType;
  if (state !== undefined) data.connection_state = state;
  data.peers = peers.length;
  return data;
}
