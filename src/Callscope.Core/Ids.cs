namespace Callscope.Core;

/// <summary>A tenant.</summary>
public readonly record struct TeamId(Guid Value)
{
    public override string ToString() => Value.ToString();
}

/// <summary>A room: the stable place where sessions happen.</summary>
public readonly record struct RoomId(Guid Value)
{
    public override string ToString() => Value.ToString();
}

/// <summary>One occurrence of a call in a room.</summary>
public readonly record struct SessionId(Guid Value)
{
    public static SessionId New(DateTimeOffset start) => new(Guid.CreateVersion7(start));

    public override string ToString() => Value.ToString();
}

/// <summary>One person's presence in one session.</summary>
public readonly record struct ParticipantId(Guid Value)
{
    /// <summary>
    /// Participant ids are derived from the session id and the participant's key, so that a recomputation
    /// of a room's history gives the same participant the same id.
    /// </summary>
    public static ParticipantId Derive(SessionId session, string participantKey)
    {
        Span<byte> input = stackalloc byte[16];
        session.Value.TryWriteBytes(input);
        var keyBytes = System.Text.Encoding.UTF8.GetBytes(participantKey);
        var buffer = new byte[16 + keyBytes.Length];
        input.CopyTo(buffer);
        keyBytes.CopyTo(buffer, 16);
        return new ParticipantId(DerivedId.From(buffer));
    }

    public override string ToString() => Value.ToString();
}

/// <summary>Ids derived from what identifies a thing, so deriving again gives the same id: a UUID (version 8) from a SHA-256 digest.</summary>
public static class DerivedId
{
    public static Guid From(ReadOnlySpan<byte> identity)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(identity);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }
}
