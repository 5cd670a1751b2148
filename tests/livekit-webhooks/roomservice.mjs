// A stand-in for a LiveKit server's RoomService Twirp API, for the Callscope tests. Each request's bearer token is
// checked with livekit-server-sdk's own TokenVerifier, and DeleteRoom demands the roomCreate grant, as LiveKit does.
//
//   node roomservice.mjs --api-key KEY --api-secret SECRET --now UNIX_SECONDS [--fail-first N] [--fail-status 503]
//
// Prints {"listening": port} once, then one JSON line per request it answered. Exits when stdin closes.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { TokenVerifier } from 'livekit-server-sdk';
import { pinClock } from './clock.mjs';

const { values } = parseArgs({
  options: {
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    now: { type: 'string' },
    'fail-first': { type: 'string', default: '0' },
    'fail-status': { type: 'string', default: '503' },
  },
});

pinClock(Number(values.now));
const verifier = new TokenVerifier(values['api-key'], values['api-secret']);
let failuresLeft = Number(values['fail-first']);
const failStatus = Number(values['fail-status']);

function answer(response, status, body, record) {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
  process.stdout.write(JSON.stringify({ ...record, status }) + '\n');
}

const twirpError = (code, msg) => ({ code, msg });

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    const record = { method: request.url.split('/').pop(), path: request.url };
    if (request.method !== 'POST' || request.url !== '/twirp/livekit.RoomService/DeleteRoom') {
      return answer(response, 404, twirpError('bad_route', 'no such method'), record);
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return answer(response, 415, twirpError('malformed', 'content type must be application/json'), record);
    }

    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(response, 400, twirpError('malformed', 'body is not JSON'), record);
    }
    record.room = body.room;

    const header = request.headers.authorization ?? '';
    let claims;
    try {
      if (!header.startsWith('Bearer ')) throw new Error('no bearer token');
      claims = await verifier.verify(header.slice('Bearer '.length));
    } catch (error) {
      return answer(response, 401, twirpError('unauthenticated', String(error.message ?? error)), { ...record, verified: false });
    }
    Object.assign(record, { verified: true, iss: claims.iss, video: claims.video });
    if (claims.video?.roomCreate !== true) {
      return answer(response, 403, twirpError('permission_denied', 'DeleteRoom needs the roomCreate grant'), record);
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      return answer(response, failStatus, twirpError('unavailable', 'try again'), record);
    }
    return answer(response, 200, {}, record);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ listening: server.address().port }) + '\n');
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
