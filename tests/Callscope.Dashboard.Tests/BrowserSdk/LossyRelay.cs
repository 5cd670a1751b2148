using System.Net;
using System.Net.Sockets;

namespace Callscope.Dashboard.Tests.BrowserSdk;

/// <summary>
/// A UDP hop between two peer connections that loses a share of the media packets, for a call with real packet loss.
/// Chromium has no switch that loses packets (its fake-network field trials are not in the shipped build, and the kernel
/// here has no netem), so the test page gives the answerer this relay as the offerer's only ICE candidate and gives the
/// offerer no candidate at all: the offerer learns the relay's address from the answerer's checks (a peer-reflexive
/// candidate), and every packet of the call passes here. STUN, DTLS and RTCP always pass, so the call connects and
/// the receivers' reports come back; RTP packets are dropped at random with the given probability.
/// </summary>
public sealed class LossyRelay : IDisposable
{
    private readonly UdpClient socket = new(new IPEndPoint(IPAddress.Any, 0));
    private readonly CancellationTokenSource stop = new();
    private readonly Random random;
    private readonly double loss;
    private Task? loop;
    private long forwarded;
    private long dropped;

    public LossyRelay(double loss, int seed = 14)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(loss);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(loss, 1);
        this.loss = loss;
        random = new Random(seed);
    }

    public int Port => ((IPEndPoint)socket.Client.LocalEndPoint!).Port;

    public long Forwarded => Interlocked.Read(ref forwarded);

    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Starts relaying: packets from the offerer go to whoever last wrote from elsewhere, and theirs to the offerer.</summary>
    public void Start(IPEndPoint offerer) => loop = RelayAsync(offerer, stop.Token);

    public void Dispose()
    {
        stop.Cancel();
        socket.Dispose();
        try
        {
            loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by the socket's disposal.
        }

        stop.Dispose();
    }

    /// <summary>RTP by RFC 7983's first byte (128–191) and RFC 5761's second byte (RTCP packet types 192–223 are not RTP).</summary>
    public static bool IsRtp(ReadOnlySpan<byte> packet) =>
        packet.Length >= 12 && packet[0] is >= 128 and <= 191 && packet[1] is not (>= 192 and <= 223);

    private async Task RelayAsync(IPEndPoint offerer, CancellationToken cancellation)
    {
        IPEndPoint? answerer = null;
        while (!cancellation.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await socket.ReceiveAsync(cancellation);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var fromOfferer = received.RemoteEndPoint.Equals(offerer);
            if (!fromOfferer)
            {
                answerer = received.RemoteEndPoint;
            }

            var to = fromOfferer ? answerer : offerer;
            if (to is null)
            {
                continue;
            }

            if (IsRtp(received.Buffer) && random.NextDouble() < loss)
            {
                Interlocked.Increment(ref dropped);
                continue;
            }

            Interlocked.Increment(ref forwarded);
            try
            {
                await socket.SendAsync(received.Buffer, to, cancellation);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A peer that went away: UDP has no one to tell.
            }
        }
    }
}
