namespace Callscope.Dashboard.Tests.BrowserSdk;

/// <summary>
/// The page of the app under test: it loads the SDK with one script tag from the server, as the integration guide says,
/// and has a few functions the tests call: connect a client, make a call between two peer connections in the page
/// (directly, or through a <see cref="LossyRelay"/>), and ask for the camera.
/// </summary>
public static class TestPage
{
    public static string Html(string server) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Video call</title>
        <script src="{{server}}/sdk/callscope.js"></script>
        <script>{{Script}}</script>
        </head>
        <body><h1>Video call</h1></body>
        </html>
        """;

    private const string Script = """
        window.sdkTest = {
          errors: [],

          connect(options) {
            window.client = Callscope.connect({
              ...options,
              onError: (e) => {
                sdkTest.errors.push({ code: e.code, message: e.message, status: e.status });
                console.warn(`Callscope error ${e.code} (${e.status}): ${e.message}`);
              },
            });
          },

          // Two peer connections of one participant, like a publisher and a subscriber: the first sends the fake camera and
          // microphone, the second receives them. Both are watched under one connection id.
          async call(connectionId, relayed) {
            const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
            const publisher = new RTCPeerConnection();
            const subscriber = new RTCPeerConnection();
            window.peers = [publisher, subscriber];
            client.watch(publisher, { connectionId, label: 'publisher' });
            client.watch(subscriber, { connectionId, label: 'subscriber' });
            for (const track of media.getTracks()) publisher.addTrack(track, media);
            const up = Promise.all([sdkTest.connected(publisher), sdkTest.connected(subscriber)]);
            if (relayed) await sdkTest.negotiateThroughRelay(publisher, subscriber);
            else await sdkTest.negotiate(publisher, subscriber);
            await up;
          },

          connected(pc) {
            return new Promise((resolve, reject) => {
              const check = () => {
                if (pc.connectionState === 'connected') resolve();
                if (pc.connectionState === 'failed') reject(new Error('the peer connection failed'));
              };
              pc.addEventListener('connectionstatechange', check);
              check();
            });
          },

          async negotiate(offerer, answerer) {
            offerer.onicecandidate = (e) => e.candidate && answerer.addIceCandidate(e.candidate);
            answerer.onicecandidate = (e) => e.candidate && offerer.addIceCandidate(e.candidate);
            await offerer.setLocalDescription(await offerer.createOffer());
            await answerer.setRemoteDescription(offerer.localDescription);
            await answerer.setLocalDescription(await answerer.createAnswer());
            await offerer.setRemoteDescription(answerer.localDescription);
          },

          gathered(pc) {
            return new Promise((resolve) => {
              const check = () => pc.iceGatheringState === 'complete' && resolve();
              pc.addEventListener('icegatheringstatechange', check);
              check();
            });
          },

          // The answerer gets the relay as the offerer's only candidate; the offerer gets no candidate and learns the relay's
          // address from the answerer's checks. So every packet between them passes the relay.
          async negotiateThroughRelay(offerer, answerer) {
            await offerer.setLocalDescription(await offerer.createOffer());
            await sdkTest.gathered(offerer);
            const lines = offerer.localDescription.sdp.split('\r\n');
            const host = lines
              .filter((l) => l.startsWith('a=candidate:'))
              .map((l) => l.split(' '))
              .find((f) => f[1] === '1' && f[2].toLowerCase() === 'udp' && /^\d+\.\d+\.\d+\.\d+$/.test(f[4]) && f[7] === 'host');
            if (!host) throw new Error('the offerer has no IPv4 host candidate');
            const relayPort = await window.startRelay(host[4], Number(host[5]));
            const relayCandidate = `a=candidate:1 1 udp 2122260223 ${host[4]} ${relayPort} typ host`;
            let offer = lines.filter((l) => !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates');
            const mid = offer.findIndex((l) => l.startsWith('a=mid:'));
            offer.splice(mid + 1, 0, relayCandidate, 'a=end-of-candidates');
            await answerer.setRemoteDescription({ type: 'offer', sdp: offer.join('\r\n') });
            await answerer.setLocalDescription(await answerer.createAnswer());
            await sdkTest.gathered(answerer);
            const answer = answerer.localDescription.sdp
              .split('\r\n')
              .filter((l) => !l.startsWith('a=candidate:'))
              .join('\r\n');
            await offerer.setRemoteDescription({ type: 'answer', sdp: answer });
          },

          // Asks for the camera the way an app does; answers 'granted' or the error's name.
          async camera() {
            try {
              const stream = await navigator.mediaDevices.getUserMedia({ video: true });
              stream.getTracks().forEach((t) => t.stop());
              return 'granted';
            } catch (e) {
              return e.name;
            }
          },
        };
        document.documentElement.dataset.sdk = typeof Callscope === 'object' ? 'loaded' : 'missing';
        """;
}
