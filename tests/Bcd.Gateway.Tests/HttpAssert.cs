using System.Net;
using System.Text.Json;
using Xunit;

namespace Bcd.Gateway.Tests;

internal static class HttpAssert
{
    /// <summary>Asserts the status and returns the JSON body; a mismatch shows what came back instead.</summary>
    public static async Task<JsonDocument> StatusAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"Expected HTTP {(int)expected}, got {(int)response.StatusCode}. Headers: {response.Headers} Body: {body}");
        return JsonDocument.Parse(body);
    }
}
