using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

/// <summary>
/// How an ingest body is read, over real HTTP: with its length declared, or sent in chunks without one, when the server
/// reads it into a buffer that grows as the body comes.
/// </summary>
public sealed class IngestBodyTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        api = new HttpClient { BaseAddress = app.StartOnKestrel() };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CallscopeApp.DeveloperKey);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_large_batch_is_read_whole_with_its_length_declared_or_sent_in_chunks()
    {
        // Far past the first read of a body without a declared length, so its buffer grows several times.
        var batch = Events.Batch([.. Enumerable.Range(0, 1000).Select(i => Events.Joined($"big-{i % 7}", $"participant-{i:D4}-{new string('p', 100)}", CallscopeApp.Start))]);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(batch);
        Assert.True(bytes.Length > 150_000, $"the batch is {bytes.Length} bytes");

        var chunked = await PostAsync(bytes, chunked: true);
        var declared = await PostAsync(bytes, chunked: false);

        Assert.Equal(HttpStatusCode.Accepted, chunked.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, declared.StatusCode);
        var first = await chunked.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var second = await declared.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1000, first.GetProperty("accepted").GetInt32());
        Assert.Equal(0, second.GetProperty("accepted").GetInt32());
        Assert.Equal(1000, second.GetProperty("duplicates").GetInt32());
        var participants = await ApiAssert.GetAsync(api, "/api/v1/participants?limit=1");
        Assert.Equal(1000, participants.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_body_over_eight_mebibytes_is_413_with_its_length_declared_or_sent_in_chunks()
    {
        var batch = Events.Batch(Events.Joined("standup", "ana", CallscopeApp.Start, data: new { note = new string('x', 8 * 1024 * 1024) }));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(batch);

        var chunked = await PostAsync(bytes, chunked: true);
        var declared = await PostAsync(bytes, chunked: false);

        await ApiAssert.ProblemAsync(chunked, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await ApiAssert.ProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        Assert.Equal(0, sessions.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_chunked_body_that_is_not_json_is_a_400_problem_and_the_next_body_is_read_afresh()
    {
        var broken = await PostAsync("{\"events\":[{\"id\":\"evt-1\""u8.ToArray(), chunked: true);
        var whole = await PostAsync(JsonSerializer.SerializeToUtf8Bytes(Events.Batch(Events.Joined("standup", "ana", CallscopeApp.Start))), chunked: true);

        await ApiAssert.ProblemAsync(broken, HttpStatusCode.BadRequest, "malformed-json");
        Assert.Equal(HttpStatusCode.Accepted, whole.StatusCode);
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        Assert.Equal(1, sessions.GetProperty("total_count").GetInt32());
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, bool chunked)
    {
        HttpContent content = chunked ? new Chunks(body) : new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return await api.PostAsync("/api/v1/ingest/events", content, Ct);
    }

    /// <summary>
    /// A body of unknown length, so the client sends it in chunks without a <c>Content-Length</c>, written in pieces that
    /// end at arbitrary places in the body.
    /// </summary>
    private sealed class Chunks(byte[] body) : HttpContent
    {
        private const int Piece = 7_919;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var at = 0; at < body.Length; at += Piece)
            {
                await stream.WriteAsync(body.AsMemory(at, Math.Min(Piece, body.Length - at)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
