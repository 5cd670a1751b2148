using System.Text;
using Callscope.Server.Api;
using Callscope.Server.Export;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Callscope.Server.Tests.Export;

/// <summary>The CSV writer on its own: what CsvHelper's injection protection does to each kind of cell.</summary>
public sealed class CsvListTests
{
    private sealed record Row(string? Text, int Whole, long Big, double Real, bool Flag, DateTimeOffset? At);

    [Fact]
    public async Task Text_starting_like_a_formula_gets_a_quote_mark_and_negative_numbers_stay_numbers()
    {
        var text = await WriteAsync(
            new Row("=1+2", -1, -5, -1.5, false, null),
            new Row("+1", 0, 0, 0, true, null),
            new Row("-1", 0, 0, 0, true, null),
            new Row("@SUM(A1)", 0, 0, 0, true, null),
            new Row("\tx", 0, 0, 0, true, null),
            new Row("\rx", 0, 0, 0, true, null),
            new Row("plain - text", 0, 0, 0, true, null));

        Assert.Equal(
            "text,whole,big,real,flag,at\r\n"
            + "\"'=1+2\",-1,-5,-1.5,false,\r\n"
            + "\"'+1\",0,0,0,true,\r\n"
            + "\"'-1\",0,0,0,true,\r\n"
            + "\"'@SUM(A1)\",0,0,0,true,\r\n"
            + "\"'\tx\",0,0,0,true,\r\n"
            + "\"'\rx\",0,0,0,true,\r\n"
            + "plain - text,0,0,0,true,\r\n",
            text);
    }

    [Fact]
    public async Task Times_are_written_as_the_json_writes_them_in_utc()
    {
        var text = await WriteAsync(new Row(null, 1, 2, 0.25, true, new DateTimeOffset(2026, 11, 25, 12, 30, 5, 7, TimeSpan.FromHours(2))));

        Assert.EndsWith(",1,2,0.25,true,2026-11-25T10:30:05.007Z\r\n", text, StringComparison.Ordinal);
    }

    private static async Task<string> WriteAsync(params Row[] rows)
    {
        var services = new ServiceCollection()
            .Configure<JsonOptions>(o =>
            {
                o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
                o.SerializerOptions.Converters.Add(new UtcTimeConverter());
            })
            .AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero)))
            .BuildServiceProvider();
        using var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = body;

        await new CsvList<Row>("rows", rows).WriteAsync(context);

        Assert.Equal("attachment; filename=\"rows-2026-11-25.csv\"", context.Response.Headers.ContentDisposition.ToString());
        return Encoding.UTF8.GetString(body.ToArray());
    }
}
