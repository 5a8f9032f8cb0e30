using System.Security.Cryptography;
using Google.Protobuf;

namespace Bcd.Tasks.Domain.Scoring;

/// <summary>
/// T6: the fingerprints a round stores (inputs_sha256, result_sha256). Snapshot and result messages
/// have no maps, so their serialization is canonical and the hash of the bytes identifies the content.
/// </summary>
public static class ScoringHash
{
    /// <summary>Lowercase hex SHA-256 of <paramref name="message"/>'s protobuf bytes.</summary>
    public static string Sha256Hex(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Convert.ToHexStringLower(SHA256.HashData(message.ToByteArray()));
    }
}
