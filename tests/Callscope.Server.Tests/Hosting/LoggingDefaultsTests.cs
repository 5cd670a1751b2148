using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Server.Tests.Hosting;

/// <summary>The log levels Callscope ships with: its own messages, never a line per request.</summary>
public sealed class LoggingDefaultsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public void The_shipped_settings_are_valid_json_in_the_content_root_and_set_the_levels()
    {
        using var app = new CallscopeApp();
        var environment = app.Services.GetRequiredService<IWebHostEnvironment>();
        var file = environment.ContentRootFileProvider.GetFileInfo("appsettings.json");
        Assert.True(file.Exists, $"appsettings.json should be in the content root {environment.ContentRootPath}");
        using (var stream = file.CreateReadStream())
        {
            var levels = JsonDocument.Parse(stream).RootElement.GetProperty("Logging").GetProperty("LogLevel");
            Assert.Equal("Warning", levels.GetProperty("Microsoft.AspNetCore").GetString());
            Assert.Equal("Information", levels.GetProperty("Callscope").GetString());
        }

        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        foreach (var quiet in new[]
        {
            "Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing.EndpointMiddleware",
            "Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure.PageActionInvoker", "Microsoft.AspNetCore.StaticFiles.StaticFileMiddleware",
            "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationHandler", "System.Net.Http.HttpClient.livekit.LogicalHandler",
        })
        {
            var logger = loggers.CreateLogger(quiet);
            Assert.False(logger.IsEnabled(LogLevel.Information), $"{quiet} should not log at Information");
            Assert.True(logger.IsEnabled(LogLevel.Warning), $"{quiet} should still log warnings");
        }

        foreach (var heard in new[] { "Callscope.Server.Dashboard.Pages.SignInModel", "Callscope.Server.LiveKit.DeleteRoomOnEnd", "Microsoft.Hosting.Lifetime" })
        {
            Assert.True(loggers.CreateLogger(heard).IsEnabled(LogLevel.Information), $"{heard} should log at Information");
        }
    }

    [Fact]
    public async Task Requests_of_every_kind_leave_no_information_line_and_no_query_string_in_the_log()
    {
        var captured = new CapturingLogger();
        await using var app = new CallscopeApp();
        await using var listening = app.WithWebHostBuilder(builder => builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(captured)));
        var api = listening.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", CallscopeApp.DeveloperKey);
        var anonymous = listening.CreateClient(new() { AllowAutoRedirect = false });

        const string marker = "query-marker-7f3a";
        foreach (var path in new[]
        {
            "/health/live", "/health/ready", "/api/v1/sessions", "/api/v1/rooms", "/api/v1/sessions/not-an-id",
            "/openapi/v1.json", "/scalar/", "/dashboard.css", "/favicon.ico", "/no-such-page",
        })
        {
            using var response = await api.GetAsync($"{path}?token={marker}", Cancellation);
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        foreach (var path in new[] { "/", "/signin", "/rooms", "/api/v1/sessions" })
        {
            using var response = await anonymous.GetAsync($"{path}?token={marker}", Cancellation);
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        using var posted = await api.PostAsync($"/api/v1/ingest/events?token={marker}",
            new StringContent(JsonSerializer.Serialize(Events.Batch(Events.Joined("standup", "ana", CallscopeApp.Start))), System.Text.Encoding.UTF8, "application/json"), Cancellation);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        // The capture itself works: Callscope's own categories get through at Information.
        listening.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Callscope.Server.Tests").LogInformation("own line {Marker}", "kept");

        var lines = captured.Lines.ToArray();
        Assert.Contains(lines, l => l.Category == "Callscope.Server.Tests" && l.Message == "own line kept");
        Assert.DoesNotContain(lines, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && l.Level < LogLevel.Warning);
        Assert.DoesNotContain(lines, l => l.Message.Contains(marker, StringComparison.Ordinal));
    }

    private sealed record Line(string Category, LogLevel Level, string Message);

    private sealed class CapturingLogger : ILoggerProvider
    {
        public ConcurrentQueue<Line> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Line> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(new Line(category, logLevel, formatter(state, exception)));
        }
    }
}
