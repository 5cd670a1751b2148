using System.Text;

namespace Callscope.Server.Tests.Resilience;

/// <summary>One request of the corpus: everything needed to send it again.</summary>
public sealed record HostileRequest(string Description, HttpMethod Method, string PathAndQuery, byte[]? Body = null, string? ContentType = null, string? Authorization = null)
{
    public HttpRequestMessage Build(string developerKey)
    {
        var message = new HttpRequestMessage(Method, PathAndQuery);
        message.Headers.TryAddWithoutValidation("Authorization", Authorization ?? "Bearer " + developerKey);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        return message;
    }

    public override string ToString() => $"{Description}: {Method} {(PathAndQuery.Length > 160 ? PathAndQuery[..160] + "…" : PathAndQuery)}";
}

/// <summary>An operation of the OpenAPI document, with the real ids its path parameters can take.</summary>
public sealed record Operation(HttpMethod Method, string Template, bool DeclaresBody);

/// <summary>
/// Generates hostile requests for every operation: bad ids in the path, absurd query values, malformed, truncated,
/// oversized, deeply nested and mistyped bodies, invalid UTF-8, wrong content types, wrong methods, bad credentials.
/// </summary>
public static class HostileCorpus
{
    private static readonly string[] PathValues =
    [
        "not-a-uuid", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "' OR '1'='1", "1; DROP TABLE sessions; --",
        "<script>alert(1)</script>", "%00", "%FF%FE", "%C0%AF", "..%2F..%2Fetc%2Fpasswd", "-1", "1e30", "NaN", "😀ä\u200b", "{id}",
        new string('a', 5000), "%20", "null", "true", "[]",
    ];

    private static readonly (string Name, string Value)[] QueryValues =
    [
        ("limit", "-1"), ("limit", "0"), ("limit", "101"), ("limit", "1e30"), ("limit", "abc"), ("limit", "99999999999999999999"), ("limit", ""),
        ("limit", "1.5"), ("limit", "%00"), ("offset", "-5"), ("offset", "1e30"), ("offset", "99999999999999999999"), ("offset", "0x10"),
        ("order", "sideways"), ("order", "ASC; DROP TABLE sessions"), ("after", "' OR 1=1 --"), ("after", new string('z', 3000)), ("after", "%FF"),
        ("live", "maybe"), ("live", "TRUE "), ("room_id", "not-a-uuid"), ("room_id", "' OR 1=1"), ("session_id", "00000000-0000-0000-0000-00000000000g"),
        ("date_start", "2026-13-45"), ("date_start", "yesterday"), ("date_start", "0000-00-00"), ("date_start", "9999-12-31T23:59:59Z"),
        ("date_start", "0001-01-01T00:00:00Z"), ("date_end", "9999-12-31"), ("date_start", "0001-01-01"), ("date_end", "2026-02-30T25:61:61Z"), ("date_end", "-2026-01-01"), ("date_end", "2026-01-01T00:00:00+99:99"),
        ("q", "' OR '1'='1' --"), ("q", "\"; DROP TABLE rooms; --"), ("q", "<script>alert(1)</script>"), ("q", "%"), ("q", "_"), ("q", "\\"),
        ("q", "%00"), ("q", "%FF%FE"), ("q", new string('q', 10_000)), ("q", "*"), ("type", ",,,,"), ("type", new string('t', 5000)),
        ("type", "participant_joined," + new string('x', 200)), ("unknown", "<b>x</b>"),
    ];

    private static readonly string[] AuthorizationValues =
    [
        "", "Bearer ", "Bearer " + new string('k', 10_000), "Bearer ' OR 1=1 --", "Basic !!!not-base64!!!", "Basic " + Convert.ToBase64String("no-colon"u8),
        "Basic " + Convert.ToBase64String(":"u8), "Basic " + Convert.ToBase64String([0xFF, 0xFE, (byte)':', 0xC0]), "Digest username=x", "Bearer\tkey",
    ];

    public static IEnumerable<HostileRequest> For(IReadOnlyList<Operation> operations, IReadOnlyDictionary<string, string> realIds)
    {
        foreach (var operation in operations)
        {
            foreach (var request in BadIds(operation))
            {
                yield return request;
            }

            if (operation.Method == HttpMethod.Get)
            {
                var path = Fill(operation.Template, realIds);
                foreach (var (name, value) in QueryValues)
                {
                    yield return new($"query {name}", HttpMethod.Get, $"{path}?{name}={Escape(value)}");
                }

                yield return new("a query parameter twice", HttpMethod.Get, $"{path}?limit=1&limit=2&q=a&q=b");
            }

            if (TakesBody(operation))
            {
                var path = Fill(operation.Template, realIds);
                foreach (var (description, body, contentType) in Bodies())
                {
                    yield return new(description, operation.Method, path, body, contentType);
                }
            }

            foreach (var authorization in AuthorizationValues)
            {
                yield return new("bad credentials", operation.Method, Fill(operation.Template, realIds, hostile: "00000000-0000-0000-0000-000000000000"),
                    TakesBody(operation) ? "{}"u8.ToArray() : null, "application/json", authorization);
            }
        }

        foreach (var request in WrongMethods(operations, realIds))
        {
            yield return request;
        }
    }

    /// <summary>
    /// Bodies are only sent where a body is read: PUT and PATCH, and POST to a path without ids. A POST to an id
    /// (ending a session) ignores its body and would act, so it only ever gets bad ids.
    /// </summary>
    public static bool TakesBody(Operation operation) =>
        operation.Method == HttpMethod.Put || operation.Method == HttpMethod.Patch
        || (operation.Method == HttpMethod.Post && !operation.Template.Contains('{', StringComparison.Ordinal));

    private static IEnumerable<HostileRequest> BadIds(Operation operation)
    {
        if (!operation.Template.Contains('{', StringComparison.Ordinal))
        {
            yield break;
        }

        foreach (var value in PathValues)
        {
            var encoded = value.Contains("%2F", StringComparison.Ordinal) ? value : Escape(value);
            yield return new("bad id in the path", operation.Method, Fill(operation.Template, new Dictionary<string, string>(), encoded),
                TakesBody(operation) ? """{"description":"x"}"""u8.ToArray() : null, "application/json");
        }
    }

    private static IEnumerable<HostileRequest> WrongMethods(IReadOnlyList<Operation> operations, IReadOnlyDictionary<string, string> realIds)
    {
        HttpMethod[] methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Options, HttpMethod.Trace];
        foreach (var path in operations.GroupBy(o => o.Template))
        {
            foreach (var method in methods.Where(m => path.All(o => o.Method != m)))
            {
                var concrete = Fill(path.Key, realIds);
                if (operations.Any(o => o.Method == method && o.Template != path.Key && Matches(o.Template, concrete)))
                {
                    // Another route takes this method on this path (DELETE /rooms/live is DELETE /rooms/{room}).
                    continue;
                }

                yield return new("wrong method", method, concrete, method == HttpMethod.Get || method == HttpMethod.Trace ? null : "{}"u8.ToArray(), "application/json");
            }
        }
    }

    private static IEnumerable<(string Description, byte[] Body, string? ContentType)> Bodies()
    {
        const string Json = "application/json";
        var valid = """{"events":[{"id":"hostile-1","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"hostile"},"participant":{"external_id":"x"}}]}""";
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

        yield return ("empty body", [], Json);
        yield return ("no content type", Utf8("{}"), null);
        foreach (var type in (string[])["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16", "application/jsonx", "*/*", "application/json\u0000"])
        {
            yield return ($"content type {type}", Utf8(valid), type);
        }

        foreach (var text in (string[])["{", "[", "nul", "{\"events\": [", "{\"events\":[{\"id\":\"a\",\"type\":", "{\"a\":1,}", "{'a':1}", "{\"a\":1}{\"b\":2}", "\"\\u00\"", "{\"a\":01}", "{\"a\":.5}", "{\"a\":NaN}", "{\"a\":Infinity}", "\u00ef\u00bb\u00bf{}"])
        {
            yield return ("malformed JSON", Utf8(text), Json);
        }

        for (var cut = 1; cut < valid.Length; cut += 17)
        {
            yield return ("truncated JSON", Utf8(valid[..cut]), Json);
        }

        foreach (var text in (string[])["[]", "\"text\"", "123", "null", "true", "{}", "{\"events\":null}", "{\"events\":\"x\"}", "{\"events\":[]}", "{\"events\":[1,2,3]}", "{\"events\":[null]}", "{\"events\":{}}"])
        {
            yield return ("wrong shape", Utf8(text), Json);
        }

        foreach (var text in (string[])[
            """{"events":[{"id":5,"type":[],"timestamp":{},"room":"x","participant":7,"data":"y"}]}""",
            """{"friendly_url":5,"description":[],"external_id":{},"grace_period":"ten","session_length":true,"max_participants":-1}""",
            """{"friendly_url":"","grace_period":1e30,"session_length":-5,"max_participants":1.5}""",
            """{"name":null,"max_sessions":-1,"grace_period":99999999999,"session_length":"x"}""",
            """{"name":["a"],"max_sessions":1e400,"grace_period":-0.0}""",
            """{"api_key":5,"api_secret":[],"server_url":"javascript:alert(1)"}""",
            """{"api_key":"","api_secret":"","server_url":"not a url"}""",
            """{"events":[{"id":"a","type":"quality_sample","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{"external_id":"x"},"data":{"rtt_ms":1e400,"score":-1}}]}""",
            """{"events":[{"id":"a","type":"quality_sample","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{"external_id":"x"},"data":{"rtt_ms":1e400}}]}""",
            """{"events":[{"id":"a","type":"quality_sample","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{"external_id":"x"},"data":{"packet_loss_pct":100.5}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"live"},"participant":{"external_id":"x"}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"a/b"},"participant":{"external_id":"x\u0007"}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-02-30T10:00:00Z","room":{"friendly_url":"r"},"participant":{}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-11-25T10:00:00","room":{"friendly_url":"r"},"participant":{}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"0001-01-01T00:00:00Z","room":{"friendly_url":"r"},"participant":{}}]}""",
            """{"events":[{"id":"a","type":"participant_left","timestamp":"1969-12-31T23:59:59.999Z","room":{"friendly_url":"r"},"participant":{}}]}""",
            """{"events":[{"id":"a","type":"participant_left","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{},"data":{"joined_at":"0001-01-01T00:00:00Z"}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"id":"00000000-0000-0000-0000-000000000000"},"participant":{}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"id":"not-a-uuid"}}]}""",
            """{"events":[{"id":"a","type":"Participant Joined!","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"}}]}""",
            """{"events":[{"id":"a","type":"participant_left","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{},"data":{"reason":"vanished","joined_at":"later"}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{},"data":{"_source":"api","client":{"device":"toaster"}}}]}""",
            """{"events":[{"id":"a","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{}},{"id":"b"}]}""",
            ])
        {
            yield return ("wrong types or values", Utf8(text), Json);
        }

        var huge = new string('x', 1_000_000);
        yield return ("huge string", Utf8($$"""{"friendly_url":"{{huge}}","description":"{{huge}}","name":"{{huge}}","api_key":"{{huge}}"}"""), Json);
        yield return ("huge event id", Utf8(valid.Replace("hostile-1", huge, StringComparison.Ordinal)), Json);
        yield return ("huge data", Utf8(valid.Replace("}}]}", "},\"data\":{\"blob\":\"" + huge + "\"}}]}", StringComparison.Ordinal)), Json);
        yield return ("too many events", Utf8("{\"events\":[" + string.Join(',', Enumerable.Repeat(valid[11..^2], 1001)) + "]}"), Json);
        yield return ("huge array", Utf8("{\"events\":[" + string.Join(',', Enumerable.Repeat("0", 200_000)) + "]}"), Json);
        yield return ("body over the size cap", Utf8("{\"events\":[\"" + new string('y', 9 * 1024 * 1024) + "\"]}"), Json);
        yield return ("deep nesting", Utf8(string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000))), Json);
        yield return ("deep nesting in data", Utf8(valid.Replace("}}]}", "},\"data\":" + string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3000) + "}]}", StringComparison.Ordinal)), Json);
        yield return ("invalid UTF-8 in a string", [.. Utf8("{\"friendly_url\":\"a"), 0xFF, 0xFE, .. Utf8("\",\"events\":[]}")], Json);
        yield return ("overlong UTF-8", [.. Utf8("{\"friendly_url\":\""), 0xC0, 0xAF, .. Utf8("\"}")], Json);
        yield return ("truncated UTF-8", [.. Utf8("{\"friendly_url\":\"\u00e9"), 0xE2, 0x82], Json);
        yield return ("lone surrogate escape", Utf8(valid.Replace("\"x\"", "\"\\ud800\"", StringComparison.Ordinal)), Json);
        yield return ("raw NUL byte", Utf8(valid.Replace("hostile\"", "host\u0000ile\"", StringComparison.Ordinal)), Json);
        yield return ("escaped NUL", Utf8(valid.Replace("hostile\"", "host\\u0000ile\"", StringComparison.Ordinal)), Json);
        yield return ("escaped NUL in a name", Utf8("""{"friendly_url":"a\u0000b","name":"a\u0000b","api_key":"a\u0000b","api_secret":"s"}"""), Json);
        yield return ("lone surrogate in a name", Utf8("""{"friendly_url":"\udc00","name":"\udc00","description":"\ud800x"}"""), Json);
        yield return ("lone surrogate in a member name", Utf8(valid.Replace("}}]}", "},\"data\":{\"\\ud800\":1}}]}", StringComparison.Ordinal)), Json);
        yield return ("UTF-16 body", Encoding.Unicode.GetBytes(valid), Json);
        yield return ("binary garbage", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 256))], Json);
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string> ids, string? hostile = null)
    {
        var path = new StringBuilder();
        foreach (var segment in template.Split('/'))
        {
            path.Append(path.Length == 0 && segment.Length == 0 ? string.Empty : "/");
            path.Append(segment.StartsWith('{') ? hostile ?? ids[segment.Trim('{', '}')] : segment);
        }

        return path.ToString();
    }

    private static bool Matches(string template, string path)
    {
        var a = template.Split('/');
        var b = path.Split('/');
        return a.Length == b.Length && a.Zip(b).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.Ordinal));
    }

    /// <summary>Values that are percent-escapes already (a NUL, invalid UTF-8) are sent as they are; anything else is escaped.</summary>
    private static string Escape(string value) => IsEscapes(value) ? value : Uri.EscapeDataString(value);

    private static bool IsEscapes(string value) =>
        value.Length > 0 && value.Length % 3 == 0
        && Enumerable.Range(0, value.Length / 3).All(i => value[i * 3] == '%' && Uri.IsHexDigit(value[(i * 3) + 1]) && Uri.IsHexDigit(value[(i * 3) + 2]));
}
