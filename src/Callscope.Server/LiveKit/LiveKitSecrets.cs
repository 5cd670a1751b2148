using Callscope.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;

namespace Callscope.Server.LiveKit;

/// <summary>
/// LiveKit API secrets, encrypted for the database: the secret is read back to check webhook signatures and to sign
/// RoomService tokens.
/// </summary>
public sealed class LiveKitSecrets(IDataProtectionProvider provider) : SecretProtector(provider, "Callscope.LiveKit.ApiSecret.v1");
