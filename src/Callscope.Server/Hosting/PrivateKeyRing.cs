using Callscope.Data;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Callscope.Server.Hosting;

/// <summary>
/// The Data Protection key ring on disk is as private as the database it unlocks: its folder is made 0700 (Data
/// Protection would create it 0755) and its key files 0600, before the first key is read or written.
/// </summary>
public static class PrivateKeyRing
{
    public static IServiceCollection AddPrivateKeyRing(this IServiceCollection services)
    {
        services.AddOptions<KeyManagementOptions>().PostConfigure(keys =>
        {
            if (keys.XmlRepository is FileSystemXmlRepository { Directory: var folder })
            {
                PrivateFiles.EnsureFolder(folder.FullName);
                foreach (var file in Directory.EnumerateFiles(folder.FullName))
                {
                    PrivateFiles.Tighten(file);
                }
            }
        });
        return services;
    }
}
