using System.Net.Http.Json;
using System.Text.Json;

namespace Callscope.Server.Tests.Resilience;

/// <summary>Every item of a listing of the API, page after page in ascending order.</summary>
internal static class ApiPages
{
    /// <param name="failure">Said after the status when a page is refused.</param>
    public static async Task<List<JsonElement>> ListAllAsync(HttpClient api, string path, CancellationToken cancellationToken, string failure = "")
    {
        var all = new List<JsonElement>();
        string? after = null;
        while (true)
        {
            using var response = await api.GetAsync($"{path}?order=asc&limit=100{(after is null ? string.Empty : "&after=" + after)}", cancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}{failure}");
            var data = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("data").EnumerateArray().ToList();
            all.AddRange(data);
            if (data.Count < 100)
            {
                return all;
            }

            after = data[^1].GetProperty("id").GetString();
        }
    }
}
