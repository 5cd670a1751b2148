using Callscope.Server.Hosting;

return CommandLine.Run(args);

/// <summary>The entry point, visible to the tests' host factory.</summary>
public partial class Program;
