namespace Callscope.Server.Api;

/// <summary>Digital Samba's list envelope.</summary>
public sealed record ListResponse<T>(int TotalCount, IReadOnlyList<T> Data);
