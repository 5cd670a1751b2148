import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchBody, batchLength, EventBuffer, maxBatchBytes, maxBatchEvents, toBatches } from '../src/buffer';
import { isDroppable } from '../src/events';
import { makeEvent } from './helpers';

describe('the drop rule', () => {
  test('samples, track, page, network and connection-state events may be dropped', () => {
    for (const type of ['quality_sample', 'track_muted', 'track_unmuted', 'page_hidden', 'page_visible', 'network_offline', 'network_online', 'connection_state_changed', 'ice_connection_state_changed']) {
      assert.equal(isDroppable(type), true, type);
    }
  });

  test('errors, presence, device, LiveKit and the app own events are never dropped', () => {
    for (const type of ['media_permissions_failed', 'media_device_failed', 'media_connection_failed', 'media_device_changed', 'participant_joined', 'participant_left', 'client_disconnected', 'connection_quality_changed', 'participant_reconnecting', 'checkout_started']) {
      assert.equal(isDroppable(type), false, type);
    }
  });
});

describe('the bounded buffer', () => {
  test('a full buffer drops the oldest quality_sample first, before older droppable events', () => {
    const buffer = new EventBuffer(4);
    buffer.add(makeEvent('page_hidden', 1));
    buffer.add(makeEvent('quality_sample', 2));
    buffer.add(makeEvent('media_device_failed', 3));
    buffer.add(makeEvent('quality_sample', 4));

    const result = buffer.add(makeEvent('quality_sample', 5));

    assert.equal(result.dropped?.id, 'c-2');
    assert.deepEqual(buffer.peek().map((e) => e.id), ['c-1', 'c-3', 'c-4', 'c-5']);
    assert.equal(buffer.length, 4);
  });

  test('with no sample left, the oldest other droppable event goes', () => {
    const buffer = new EventBuffer(3);
    buffer.add(makeEvent('participant_joined', 1));
    buffer.add(makeEvent('network_offline', 2));
    buffer.add(makeEvent('track_muted', 3));

    assert.equal(buffer.add(makeEvent('media_permissions_failed', 4)).dropped?.id, 'c-2');
    assert.deepEqual(buffer.peek().map((e) => e.id), ['c-1', 'c-3', 'c-4']);
  });

  test('errors and presence are kept past the bound; a droppable newcomer is dropped instead', () => {
    const buffer = new EventBuffer(2);
    buffer.add(makeEvent('participant_joined', 1));
    buffer.add(makeEvent('media_device_failed', 2));

    assert.equal(buffer.add(makeEvent('quality_sample', 3)).dropped?.id, 'c-3');
    assert.deepEqual(buffer.add(makeEvent('participant_left', 4)), { dropped: null, refused: false });
    assert.deepEqual(buffer.peek().map((e) => e.id), ['c-1', 'c-2', 'c-4']);
  });

  test('past twice the bound even never-drop events are refused, so memory stays bounded', () => {
    const buffer = new EventBuffer(2);
    for (let i = 1; i <= 4; i++) assert.equal(buffer.add(makeEvent('media_device_failed', i)).refused, false);

    const result = buffer.add(makeEvent('media_device_failed', 5));

    assert.deepEqual(result, { dropped: makeEvent('media_device_failed', 5), refused: true });
    assert.equal(buffer.length, 4);
  });

  test('a thousand samples with one error in a buffer of 100 keep the error and the newest samples', () => {
    const buffer = new EventBuffer(100);
    for (let i = 1; i <= 1000; i++) buffer.add(makeEvent(i === 7 ? 'media_permissions_failed' : 'quality_sample', i));

    const ids = buffer.peek().map((e) => e.id);
    assert.equal(ids.length, 100);
    assert.equal(ids[0], 'c-7');
    assert.deepEqual(ids.slice(1), Array.from({ length: 99 }, (_, i) => `c-${902 + i}`));
  });
});

describe('batching', () => {
  test('a batch holds at most 100 events', () => {
    const events = Array.from({ length: 250 }, (_, i) => makeEvent('quality_sample', i));

    assert.deepEqual(toBatches(events).map((b) => b.length), [maxBatchEvents, maxBatchEvents, 50]);
  });

  test('a batch body stays within 60 KiB and batches keep the order of events', () => {
    const events = Array.from({ length: 30 }, (_, i) => makeEvent('checkout_started', i, { note: 'x'.repeat(8000) }));

    const batches = toBatches(events);

    assert.ok(batches.length > 1);
    for (const batch of batches) assert.ok(new TextEncoder().encode(batchBody(batch)).length <= maxBatchBytes);
    assert.deepEqual(batches.flat().map((e) => e.id), events.map((e) => e.id));
    const first = batches[0];
    const withOneMore = batchBody(events.slice(0, first.length + 1));
    assert.ok(new TextEncoder().encode(withOneMore).length > maxBatchBytes, 'each batch is as full as the limit allows');
  });

  test('the byte limit counts UTF-8 bytes, not characters', () => {
    const wide = Array.from({ length: 10 }, (_, i) => makeEvent('chat_note', i, { text: 'ü'.repeat(4000) }));

    const length = batchLength(wide);

    assert.ok(new TextEncoder().encode(batchBody(wide.slice(0, length))).length <= maxBatchBytes);
    assert.ok(length < 10);
  });

  test('taking a batch removes it from the front of the buffer', () => {
    const buffer = new EventBuffer(1000);
    for (let i = 0; i < 120; i++) buffer.add(makeEvent('quality_sample', i));

    assert.equal(buffer.takeBatch().length, 100);
    assert.equal(buffer.peek()[0].id, 'c-100');
  });
});
