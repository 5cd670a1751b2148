namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>
/// What a detector keeps per connection, found by the connection's id; events without one share a single unnamed
/// connection. Consecutive events mostly share their connection, so the last one found is looked at first.
/// </summary>
internal sealed class Connections<T>
    where T : class
{
    private readonly Dictionary<string, T> _named = new(StringComparer.Ordinal);
    private readonly List<T> _inOrder = [];
    private T? _unnamed;
    private string? _lastId;
    private T? _last;

    /// <summary>Every connection's state, in the order the connections were first seen.</summary>
    public IReadOnlyList<T> InOrder => _inOrder;

    public T? Find(string? connectionId)
    {
        if (connectionId is null)
        {
            return _unnamed;
        }

        if (_last is not null && string.Equals(connectionId, _lastId, StringComparison.Ordinal))
        {
            return _last;
        }

        if (_named.TryGetValue(connectionId, out var found))
        {
            (_lastId, _last) = (connectionId, found);
        }

        return found;
    }

    public T Add(string? connectionId, T state)
    {
        if (connectionId is null)
        {
            _unnamed = state;
        }
        else
        {
            _named.Add(connectionId, state);
            (_lastId, _last) = (connectionId, state);
        }

        _inOrder.Add(state);
        return state;
    }
}
