import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { qualitySample, type Stat, type StatsMap } from '../src/stats';
import { recorded } from './helpers';

function find(map: StatsMap, type: string, kind?: string): Stat {
  const stat = [...map.values()].find((s) => s.type === type && (kind === undefined || s.kind === kind));
  assert.ok(stat, `no ${type} ${kind ?? ''} in the recording`);
  return stat;
}

const elapsedMs = (after: Stat, before: Stat) => after.timestamp - before.timestamp;

describe('quality_sample from recorded Chromium getStats() reports', () => {
  test('a first reading gives RTT, jitter, video, candidate and network but no rates or loss', () => {
    const current = recorded('publisher', 0);
    const sample = qualitySample([{ previous: null, current, connectionState: 'connected' }]);

    const transport = find(current, 'transport');
    const pair = current.get(transport.selectedCandidatePairId as string)!;
    assert.equal(sample.rtt_ms, (pair.currentRoundTripTime as number) * 1000);
    const worstJitter = Math.max(...[...current.values()].filter((s) => s.type === 'remote-inbound-rtp').map((s) => (s.jitter as number) * 1000));
    assert.equal(sample.jitter_ms, Math.round(worstJitter * 100) / 100);
    const video = find(current, 'outbound-rtp', 'video');
    assert.equal(sample.width, video.frameWidth);
    assert.equal(sample.height, video.frameHeight);
    assert.equal(sample.fps, video.framesPerSecond);
    assert.equal(sample.quality_limitation, 'none');
    assert.equal(sample.candidate_type, 'host');
    assert.equal(sample.network_type, 'ethernet');
    assert.equal(sample.connection_state, 'connected');
    assert.equal(sample.peers, 1);
    for (const absent of ['bitrate_up_kbps', 'bitrate_down_kbps', 'audio_bitrate_up_kbps', 'packet_loss_pct'] as const) {
      assert.equal(absent in sample, false, `${absent} needs two readings`);
    }
  });

  test('bitrates are the byte counters over the interval between two readings', () => {
    const previous = recorded('publisher', 0);
    const current = recorded('publisher', 1);
    const sample = qualitySample([{ previous, current }]);

    const audioNow = find(current, 'outbound-rtp', 'audio');
    const audioBefore = find(previous, 'outbound-rtp', 'audio');
    const videoNow = find(current, 'outbound-rtp', 'video');
    const videoBefore = find(previous, 'outbound-rtp', 'video');
    const audioKbps = (((audioNow.bytesSent as number) - (audioBefore.bytesSent as number)) * 8) / elapsedMs(audioNow, audioBefore);
    const videoKbps = (((videoNow.bytesSent as number) - (videoBefore.bytesSent as number)) * 8) / elapsedMs(videoNow, videoBefore);
    assert.ok(videoKbps > 0);
    assert.equal(sample.audio_bitrate_up_kbps, Math.round(audioKbps * 100) / 100);
    assert.equal(sample.bitrate_up_kbps, Math.round((audioKbps + videoKbps) * 100) / 100);
    assert.equal('bitrate_down_kbps' in sample, false, 'the sending side receives no media');
    assert.equal(sample.packet_loss_pct, 0, 'the recorded call lost nothing');
  });

  test('the receiving side gets down bitrates and loss from its inbound streams', () => {
    const previous = recorded('subscriber', 0);
    const current = recorded('subscriber', 1);
    const videoBefore = find(previous, 'inbound-rtp', 'video');
    const videoNow = find(current, 'inbound-rtp', 'video');
    // The same report after 30 of the interval's packets were lost.
    videoNow.packetsLost = (videoBefore.packetsLost as number) + 30;
    const received = (videoNow.packetsReceived as number) - (videoBefore.packetsReceived as number);
    const audioReceived =
      (find(current, 'inbound-rtp', 'audio').packetsReceived as number) - (find(previous, 'inbound-rtp', 'audio').packetsReceived as number);

    const sample = qualitySample([{ previous, current }]);

    assert.ok((sample.bitrate_down_kbps ?? 0) > 0);
    assert.ok((sample.audio_bitrate_down_kbps ?? 0) > 0);
    assert.ok((sample.bitrate_down_kbps ?? 0) > (sample.audio_bitrate_down_kbps ?? 0));
    const expected = (30 / (30 + received + audioReceived)) * 100;
    assert.equal(sample.packet_loss_pct, Math.round(expected * 100) / 100);
    assert.equal(sample.width, videoNow.frameWidth, 'with nothing sent, the received video gives the size');
    assert.equal('quality_limitation' in sample, false, 'only a sent stream has a limitation');
  });

  test('remote-inbound loss counts the packets sent in the interval less those lost', () => {
    const previous = recorded('publisher', 0);
    const current = recorded('publisher', 1);
    const remote = find(current, 'remote-inbound-rtp', 'video');
    const local = current.get(remote.localId as string)!;
    const localBefore = previous.get(remote.localId as string)!;
    remote.packetsLost = (find(previous, 'remote-inbound-rtp', 'video').packetsLost as number) + 10;
    const audio = find(current, 'outbound-rtp', 'audio');
    const sent =
      (local.packetsSent as number) -
      (localBefore.packetsSent as number) +
      ((audio.packetsSent as number) - (previous.get(audio.id)!.packetsSent as number));

    const sample = qualitySample([{ previous, current }]);

    // Lost over lost + received, where received is sent less lost: 10 of everything sent on both streams.
    assert.equal(sample.packet_loss_pct, Math.round((10 / sent) * 100 * 100) / 100);
  });

  test('two connections of one participant merge: rates summed, worst RTT and jitter, loss over both, worst state', () => {
    const pub = { previous: recorded('publisher', 0), current: recorded('publisher', 1), connectionState: 'connected' };
    const sub = { previous: recorded('subscriber', 0), current: recorded('subscriber', 1), connectionState: 'disconnected' };
    find(sub.current, 'inbound-rtp', 'audio').jitter = 0.25;
    const subPair = sub.current.get(find(sub.current, 'transport').selectedCandidatePairId as string)!;
    subPair.currentRoundTripTime = 0.4;
    const subVideo = find(sub.current, 'inbound-rtp', 'video');
    subVideo.packetsLost = (find(sub.previous, 'inbound-rtp', 'video').packetsLost as number) + 5;

    const alone = { pub: qualitySample([pub]), sub: qualitySample([sub]) };
    const merged = qualitySample([pub, sub]);

    assert.equal(merged.peers, 2);
    assert.equal(merged.rtt_ms, 400);
    assert.equal(merged.jitter_ms, 250);
    assert.equal(merged.bitrate_up_kbps, alone.pub.bitrate_up_kbps);
    assert.equal(merged.bitrate_down_kbps, alone.sub.bitrate_down_kbps);
    assert.equal(merged.connection_state, 'disconnected');
    assert.ok((merged.packet_loss_pct ?? 0) > 0);
    assert.ok((merged.packet_loss_pct ?? 0) < (alone.sub.packet_loss_pct ?? 0), 'the publisher received packets count too');
    assert.equal(merged.width, find(pub.current, 'outbound-rtp', 'video').frameWidth, 'sent video comes first');
  });

  test('values outside the server ranges are clamped and sizes are whole numbers', () => {
    const current = recorded('publisher', 1);
    const pair = current.get(find(current, 'transport').selectedCandidatePairId as string)!;
    pair.currentRoundTripTime = 120;
    const remote = find(current, 'remote-inbound-rtp', 'audio');
    remote.jitter = 99;
    const video = find(current, 'outbound-rtp', 'video');
    video.frameWidth = 640.6;
    video.frameHeight = 99_999;
    video.framesPerSecond = 5000;

    const sample = qualitySample([{ previous: null, current }]);

    assert.equal(sample.rtt_ms, 60_000);
    assert.equal(sample.jitter_ms, 60_000);
    assert.equal(sample.width, 641);
    assert.equal(sample.height, 16_384);
    assert.equal(sample.fps, 1000);
  });

  test('members the browser did not report, or reported as NaN or out of vocabulary, are left out', () => {
    const current = recorded('publisher', 0);
    const video = find(current, 'outbound-rtp', 'video');
    video.framesPerSecond = Number.NaN;
    video.qualityLimitationReason = 'thermal';
    delete video.frameHeight;
    const local = [...current.values()].filter((s) => s.type === 'local-candidate');
    local.forEach((candidate) => {
      candidate.candidateType = 'mystery';
      delete candidate.networkType;
    });

    const sample = qualitySample([{ previous: null, current }]);

    for (const absent of ['fps', 'height', 'quality_limitation', 'candidate_type', 'network_type', 'connection_state'] as const) {
      assert.equal(absent in sample, false, `${absent} should be left out`);
    }
    assert.equal(sample.width, video.frameWidth);
    assert.deepEqual(qualitySample([{ previous: null, current: new Map() }]), { peers: 1 });
  });

  test('a counter that went back (a restarted stream) gives no rate rather than a negative one', () => {
    const previous = recorded('publisher', 1);
    const current = recorded('publisher', 0);
    for (const stat of current.values()) stat.timestamp += 10_000;

    const sample = qualitySample([{ previous, current }]);

    assert.equal('bitrate_up_kbps' in sample, false);
    assert.equal('packet_loss_pct' in sample, false);
  });

  test('a relay candidate on either connection is the one reported, and Firefox-style selected pairs are found', () => {
    const pub = recorded('publisher', 0);
    const sub = recorded('subscriber', 0);
    const transport = find(sub, 'transport');
    const pair = sub.get(transport.selectedCandidatePairId as string)!;
    delete transport.selectedCandidatePairId;
    pair.selected = true;
    sub.get(pair.localCandidateId as string)!.candidateType = 'relay';

    assert.equal(qualitySample([{ previous: null, current: pub }, { previous: null, current: sub }]).candidate_type, 'relay');
  });
});
