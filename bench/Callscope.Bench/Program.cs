using Callscope.Bench;

return await BenchCommands.Build().Parse(args).InvokeAsync();
