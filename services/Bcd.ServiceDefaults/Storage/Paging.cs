using System.Text;
using Bcd.ServiceDefaults.Errors;

namespace Bcd.ServiceDefaults.Storage;

/// <summary>Opaque page tokens for list RPCs (page_size, page_token; ARCHITECTURE §3).</summary>
public static class Paging
{
    public sealed record PageOf<T>(IReadOnlyList<T> Items, string NextToken);

    public static PageOf<T> Page<T>(IReadOnlyList<T> items, int pageSize, string pageToken, int defaultSize)
    {
        var size = pageSize <= 0 ? defaultSize : pageSize;
        var offset = Offset(pageToken);
        var slice = items.Skip(offset).Take(size).ToList();
        var next = offset + size < items.Count ? Token(offset + size) : string.Empty;
        return new PageOf<T>(slice, next);
    }

    public static string Token(long offset) => Convert.ToBase64String(Encoding.ASCII.GetBytes("o:" + offset));

    public static int Offset(string pageToken)
    {
        if (string.IsNullOrEmpty(pageToken))
        {
            return 0;
        }

        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(pageToken));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(2), out var offset) && offset >= 0)
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Falls through to the error below.
        }

        throw new InvalidArgumentException("page_token", "The page token is not one this service issued.", "Mã trang (page_token) không hợp lệ.");
    }
}
