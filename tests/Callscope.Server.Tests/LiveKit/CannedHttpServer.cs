using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>
/// A loopback HTTP/1.1 server that answers every request with the same bytes and closes the connection, counting the
/// connections it took: the stand-in for a hostile or misconfigured server.
/// </summary>
public sealed class CannedHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;
    private readonly Func<Stream, CancellationToken, Task> answer;
    private int requests;

    private CannedHttpServer(Func<Stream, CancellationToken, Task> answer)
    {
        this.answer = answer;
        listener.Start();
        serving = ServeAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>How many requests reached the server.</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>Answers with <paramref name="head"/> (status line and headers, without the blank line) and a body.</summary>
    public static CannedHttpServer Answering(string head, byte[]? body = null) => new(async (stream, cancellationToken) =>
    {
        var content = body ?? [];
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{head}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n"), cancellationToken);
        await stream.WriteAsync(content, cancellationToken);
    });

    /// <summary>Answers <paramref name="status"/> with a body that never ends: it is written for as long as anyone reads.</summary>
    public static CannedHttpServer Endless(int status) => new(async (stream, cancellationToken) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{{\"code\":\""), cancellationToken);
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        while (!cancellationToken.IsCancellationRequested)
        {
            await stream.WriteAsync(chunk, cancellationToken);
        }
    });

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        await ReadRequestAsync(stream, stop.Token);
                        Interlocked.Increment(ref requests);
                        await answer(stream, stop.Token);
                    }
                    catch (Exception error) when (error is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        // The client went away: that is how an endless answer ends.
                    }
                }
            });
        }
    }

    /// <summary>Reads the request head and its body (by Content-Length), so that the client sees a complete exchange.</summary>
    private static async Task ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("closed before the request ended");
            }

            head.Append((char)one[0]);
        }

        var length = head.ToString().Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
    }
}
