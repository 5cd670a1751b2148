import { truncate } from './events';

export type Emit = (type: string, data?: Record<string, unknown>) => void;

const permissionErrors = new Set(['NotAllowedError', 'SecurityError', 'PermissionDeniedError']);

/** The device a getUserMedia call asked for: `camera`, `microphone` or `camera+microphone`. */
export function deviceOfConstraints(constraints: MediaStreamConstraints | undefined): string {
  const video = Boolean(constraints?.video);
  const audio = Boolean(constraints?.audio);
  if (video && audio) return 'camera+microphone';
  return video ? 'camera' : 'microphone';
}

/**
 * The event a failed getUserMedia becomes: a denied permission (NotAllowedError, SecurityError) is
 * `media_permissions_failed`; every other failure (NotFoundError, NotReadableError, OverconstrainedError,
 * AbortError, and the rest) is `media_device_failed`, since the participant has no media either way.
 */
export function mediaFailure(error: unknown, device: string): { type: string; data: Record<string, unknown> } {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as Error).name) : 'Error';
  const message = typeof error === 'object' && error !== null && 'message' in error ? (error as Error).message : String(error);
  return {
    type: permissionErrors.has(name) ? 'media_permissions_failed' : 'media_device_failed',
    data: { code: truncate(name, 100), message: truncate(message), device },
  };
}

/** `camera`, `microphone` or `screen` for a local track. */
function trackDevice(track: MediaStreamTrack, screen: boolean): string {
  if (screen && track.kind === 'video') return 'screen';
  return track.kind === 'video' ? 'camera' : 'microphone';
}

const watchedTracks = new WeakSet<MediaStreamTrack>();

/** Reports a local track that ends by itself (unplugged, revoked) and its mutes. */
export function watchTrack(track: MediaStreamTrack, emit: Emit, screen = false): void {
  if (watchedTracks.has(track) || typeof track.addEventListener !== 'function') return;
  watchedTracks.add(track);
  const device = trackDevice(track, screen);
  track.addEventListener('ended', () =>
    emit('media_device_changed', { code: 'device_ended', device, message: `The ${device} track ended.` }),
  );
  track.addEventListener('mute', () => emit('track_muted', { kind: track.kind, device }));
  track.addEventListener('unmute', () => emit('track_unmuted', { kind: track.kind, device }));
}

/**
 * Wraps `navigator.mediaDevices.getUserMedia` (and `getDisplayMedia`, for its tracks only) so failures become events
 * and returned tracks are watched, and listens for `devicechange`. Returns the function that undoes all of it; the
 * originals are put back only if nothing else has replaced the wrappers since.
 */
export function captureMedia(emit: Emit, reportedErrors: WeakSet<object>): () => void {
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (!devices) return () => undefined;
  const originalGetUserMedia = devices.getUserMedia;
  const originalGetDisplayMedia = devices.getDisplayMedia;

  const getUserMedia = async function (this: MediaDevices, constraints?: MediaStreamConstraints): Promise<MediaStream> {
    try {
      const stream = await originalGetUserMedia.call(this, constraints);
      for (const track of stream.getTracks()) watchTrack(track, emit);
      return stream;
    } catch (error) {
      if (typeof error === 'object' && error !== null) reportedErrors.add(error);
      const { type, data } = mediaFailure(error, deviceOfConstraints(constraints));
      emit(type, data);
      throw error;
    }
  };
  const getDisplayMedia = async function (this: MediaDevices, options?: DisplayMediaStreamOptions): Promise<MediaStream> {
    const stream = await originalGetDisplayMedia.call(this, options);
    for (const track of stream.getTracks()) watchTrack(track, emit, true);
    return stream;
  };
  if (typeof originalGetUserMedia === 'function') devices.getUserMedia = getUserMedia;
  if (typeof originalGetDisplayMedia === 'function') devices.getDisplayMedia = getDisplayMedia;

  const onDeviceChange = (): void => {
    if (typeof devices.enumerateDevices !== 'function') return;
    devices
      .enumerateDevices()
      .then((list) => {
        const count = (kind: string): number => list.filter((device) => device.kind === kind).length;
        emit('media_device_changed', {
          audio_inputs: count('audioinput'),
          video_inputs: count('videoinput'),
          audio_outputs: count('audiooutput'),
        });
      })
      .catch(() => undefined);
  };
  if (typeof devices.addEventListener === 'function') devices.addEventListener('devicechange', onDeviceChange);

  return () => {
    if (devices.getUserMedia === getUserMedia) devices.getUserMedia = originalGetUserMedia;
    if (devices.getDisplayMedia === getDisplayMedia) devices.getDisplayMedia = originalGetDisplayMedia;
    if (typeof devices.removeEventListener === 'function') devices.removeEventListener('devicechange', onDeviceChange);
  };
}
