using System.Data.Common;
using System.Security.Cryptography;
using Callscope.Core;
using Dapper;

namespace Callscope.Data.Teams;

public sealed record Team(TeamId Id, string Name, int? MaxSessions, int GracePeriod, int? SessionLength, DateTimeOffset CreatedAt, int PeriodStartDay = 1,
    int? RetentionDays = null)
{
    public TeamSettings Settings => new(Name, MaxSessions, GracePeriod, SessionLength, PeriodStartDay, RetentionDays);
}

/// <summary>
/// What a team's admin sets: the grace period and session length are the defaults of the team's rooms;
/// <paramref name="PeriodStartDay"/> is the day of the month (1 to 28, UTC) on which its usage period starts;
/// <paramref name="RetentionDays"/> is how many days after a session ends its history is deleted (null: kept for ever).
/// </summary>
public sealed record TeamSettings(string Name, int? MaxSessions, int GracePeriod, int? SessionLength, int PeriodStartDay = 1, int? RetentionDays = null)
{
    /// <summary>The latest day a period may start on: every month has it.</summary>
    public const int LastPeriodStartDay = 28;

    /// <summary>The shortest retention: a day, so that events a day late still find their history.</summary>
    public const int MinRetentionDays = 1;

    /// <summary>The longest retention a team can set: ten years.</summary>
    public const int MaxRetentionDays = 3650;
}

/// <summary>
/// A member of a team. <paramref name="SecurityStamp"/> changes whenever the member's sign-ins must end (sign-out, a
/// new password, a new role); a sign-in whose stamp differs from the member's is no longer valid.
/// </summary>
public sealed record Member(Guid Id, TeamId TeamId, string Email, string? Name, string PasswordHash, string Role, DateTimeOffset CreatedAt, string SecurityStamp);

public static class Roles
{
    public const string Admin = "admin";
    public const string Viewer = "viewer";
}

public sealed class TeamStore(CallscopeDatabase database, TimeProvider clock)
{
    public Team Create(string name, string developerKey)
    {
        var team = new Team(new TeamId(Guid.CreateVersion7()), name, null, 420, null, clock.GetUtcNow());
        using var connection = database.Open();
        connection.Execute(
            "INSERT INTO teams (id, name, key_hash, grace_period, created_at) VALUES (@id, @name, @hash, 420, @at)",
            new { id = team.Id.ToString(), name, hash = DeveloperKeys.Hash(developerKey), at = DbTime.Ms(team.CreatedAt) });
        return team;
    }

    public int Count()
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM teams");
    }

    public Team? Find(TeamId id)
    {
        using var connection = database.Open();
        return Find(connection, null, id);
    }

    internal static Team? Find(DbConnection connection, DbTransaction? tx, TeamId id) =>
        Read(connection.QuerySingleOrDefault<TeamRow>(TeamColumns + " WHERE id = @id", new { id = id.ToString() }, tx));

    public IReadOnlyList<Team> All()
    {
        using var connection = database.Open();
        return [.. connection.Query<TeamRow>(TeamColumns + " ORDER BY created_at").Select(r => Read(r)!)];
    }

    public Team? FindByKey(string developerKey)
    {
        using var connection = database.Open();
        return Read(connection.QuerySingleOrDefault<TeamRow>(TeamColumns + " WHERE key_hash = @hash", new { hash = DeveloperKeys.Hash(developerKey) }));
    }

    /// <summary>Replaces the developer key; the client-token key goes with it, so no client token signed before still holds.</summary>
    public void RotateKey(TeamId id, string developerKey)
    {
        using var connection = database.Open();
        connection.Execute("UPDATE teams SET key_hash = @hash, client_key = NULL WHERE id = @id", new { hash = DeveloperKeys.Hash(developerKey), id = id.ToString() });
    }

    public Member AddMember(TeamId team, string email, string? name, string passwordHash, string role)
    {
        var member = new Member(Guid.CreateVersion7(), team, email, name, passwordHash, role, clock.GetUtcNow(), NewStamp());
        using var connection = database.Open();
        connection.Execute(
            "INSERT INTO members (id, team_id, email, name, password_hash, role, created_at, security_stamp) VALUES (@id, @team, @Email, @Name, @PasswordHash, @Role, @at, @SecurityStamp)",
            new { id = member.Id.ToString(), team = team.ToString(), member.Email, member.Name, member.PasswordHash, member.Role, at = DbTime.Ms(member.CreatedAt), member.SecurityStamp });
        return member;
    }

    /// <summary>Every member with this e-mail address, of any team, oldest first: one address may be in several teams.</summary>
    public IReadOnlyList<Member> MembersWithEmail(string email)
    {
        using var connection = database.Open();
        return [.. connection.Query<MemberRow>(MemberColumns + " WHERE lower(email) = lower(@email) ORDER BY created_at, id", new { email }).Select(r => ReadMember(r)!)];
    }

    /// <summary>The member of this team with this e-mail address; other teams are never looked at.</summary>
    public Member? FindMember(TeamId team, string email)
    {
        using var connection = database.Open();
        return ReadMember(connection.QuerySingleOrDefault<MemberRow>(
            MemberColumns + " WHERE team_id = @team AND lower(email) = lower(@email)", new { team = team.ToString(), email }));
    }

    public Member? FindMember(TeamId team, Guid id)
    {
        using var connection = database.Open();
        return ReadMember(connection.QuerySingleOrDefault<MemberRow>(MemberColumns + " WHERE id = @id AND team_id = @team", new { id = id.ToString(), team = team.ToString() }));
    }

    public IReadOnlyList<Member> Members(TeamId team)
    {
        using var connection = database.Open();
        return [.. connection.Query<MemberRow>(MemberColumns + " WHERE team_id = @team ORDER BY created_at", new { team = team.ToString() }).Select(r => ReadMember(r)!)];
    }

    /// <summary>Changes the role and ends the member's sign-ins, so that no cookie keeps the old role.</summary>
    public void SetRole(TeamId team, Guid member, string role)
    {
        using var connection = database.Open();
        connection.Execute("UPDATE members SET security_stamp = CASE WHEN role = @role THEN security_stamp ELSE @stamp END, role = @role WHERE id = @id AND team_id = @team",
            new { role, stamp = NewStamp(), id = member.ToString(), team = team.ToString() });
    }

    public void RemoveMember(TeamId team, Guid member)
    {
        using var connection = database.Open();
        connection.Execute("DELETE FROM members WHERE id = @id AND team_id = @team", new { id = member.ToString(), team = team.ToString() });
    }

    /// <summary>Stores a new hash of the same password (a stronger hashing scheme); sign-ins stay valid.</summary>
    public void RehashPassword(Guid member, string passwordHash)
    {
        using var connection = database.Open();
        connection.Execute("UPDATE members SET password_hash = @passwordHash WHERE id = @id", new { passwordHash, id = member.ToString() });
    }

    /// <summary>Sets a new password and ends every sign-in of the member; returns the new stamp for the sign-in that stays.</summary>
    public string ChangePassword(Guid member, string passwordHash)
    {
        var stamp = NewStamp();
        using var connection = database.Open();
        connection.Execute("UPDATE members SET password_hash = @passwordHash, security_stamp = @stamp WHERE id = @id",
            new { passwordHash, stamp, id = member.ToString() });
        return stamp;
    }

    /// <summary>Ends every sign-in of the member.</summary>
    public void EndSignIns(Guid member)
    {
        using var connection = database.Open();
        connection.Execute("UPDATE members SET security_stamp = @stamp WHERE id = @id", new { stamp = NewStamp(), id = member.ToString() });
    }

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private const string TeamColumns = "SELECT id AS Id, name AS Name, max_sessions AS MaxSessions, grace_period AS GracePeriod, session_length AS SessionLength, created_at AS CreatedAt, period_start_day AS PeriodStartDay, retention_days AS RetentionDays FROM teams";

    private const string MemberColumns = "SELECT id AS Id, team_id AS TeamId, email AS Email, name AS Name, password_hash AS PasswordHash, role AS Role, created_at AS CreatedAt, security_stamp AS SecurityStamp FROM members";

    private static Team? Read(TeamRow? r) => r is null ? null
        : new Team(new TeamId(Guid.Parse(r.Id)), r.Name, (int?)r.MaxSessions, (int)r.GracePeriod, (int?)r.SessionLength, DbTime.At(r.CreatedAt), (int)r.PeriodStartDay, (int?)r.RetentionDays);

    private static Member? ReadMember(MemberRow? r) => r is null ? null
        : new Member(Guid.Parse(r.Id), new TeamId(Guid.Parse(r.TeamId)), r.Email, r.Name, r.PasswordHash, r.Role, DbTime.At(r.CreatedAt), r.SecurityStamp);

    private sealed record TeamRow(string Id, string Name, long? MaxSessions, long GracePeriod, long? SessionLength, long CreatedAt, long PeriodStartDay, long? RetentionDays);

    private sealed record MemberRow(string Id, string TeamId, string Email, string? Name, string PasswordHash, string Role, long CreatedAt, string SecurityStamp);
}
