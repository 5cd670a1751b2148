// Compiled by `npm run typecheck`: the public types accept livekit-client's Room and a DOM RTCPeerConnection.
import { Room } from 'livekit-client';
import { type CallscopeClient, connect } from '../src/index';

const client: CallscopeClient = connect({ url: 'https://callscope.example.com', token: async () => 'token' });
const stopRoom: () => void = client.watchLiveKit(new Room());
const stopPc: () => void = client.watch(new RTCPeerConnection(), { connectionId: 'c1', label: 'caller' });
stopRoom();
stopPc();
