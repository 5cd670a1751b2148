using System.Text.Json;
using Callscope.Core;
using Callscope.Data.Telemetry;
using Callscope.Data.Writing;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Ingestion;

public static class IngestEndpoints
{
    /// <summary>A full batch of 1,000 events with generous data stays far below this.</summary>
    private const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>The route of native ingest in the <c>/api/v1</c> group.</summary>
    private const string Route = "/ingest/events";

    /// <summary><c>POST</c> here ingests a batch of native events.</summary>
    public const string Path = "/api/v1" + Route;

    public static RouteGroupBuilder MapIngestRoutes(this RouteGroupBuilder api)
    {
        api.MapPost(Route, IngestAsync)
            .WithName("IngestEvents")
            .WithSummary("Ingest a batch of native events")
            .WithDescription("An atomic batch of 1–1000 events. 202 only after the batch is durably committed; a repeated event id counts as a duplicate.")
            .Accepts<JsonElement>("application/json")
            .WithIngestBatchSchema()
            .WithTags("Ingest");
        return api;
    }

    /// <summary>
    /// What a batch did: events stored, repeated ids, and (ext) events older than their room's history, which retention
    /// deleted, and so not stored (docs/operations.md, "Retention").
    /// </summary>
    public sealed record IngestResponse(int Accepted, int Duplicates, int Expired)
    {
        public static IngestResponse From(IngestResult result) => new(result.Accepted, result.Duplicates, result.Expired);
    }

    private static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> IngestAsync(
        HttpContext context, IngestPipeline pipeline, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var body = await JsonBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        return await StoreAsync(body.Document!.RootElement, context.User.TeamOf(), IngestSource.Api, pipeline, clock, cancellationToken);
    }

    /// <summary>Reads a native batch for a team and stores it: 202 once committed, or every problem and nothing stored.</summary>
    public static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> StoreAsync(
        JsonElement root, TeamId team, IngestSource source, IngestPipeline pipeline, TimeProvider clock, CancellationToken cancellationToken)
    {
        var batch = NativeEventReader.Read(root, clock.GetUtcNow());
        if (batch.Refused)
        {
            return Problems.Validation([.. batch.Problems.Select(p => new FieldError(p.Field, p.Message, p.Index))]);
        }

        var result = await pipeline.SendAsync(new IngestCommand(team, batch.Events) { Source = source }, cancellationToken);
        if (result.Rejected)
        {
            return Problems.Validation([.. result.Problems.Select(p => new FieldError(p.Field, p.Message, p.Index))]);
        }

        return TypedResults.Accepted((string?)null, IngestResponse.From(result));
    }
}
