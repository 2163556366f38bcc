using EBakul.Benchmarks;

// Starts the hub in Release as its own process on fresh databases and measures each scenario against the
// empty-call baseline of the same server and channel. `--smoke` runs every scenario in seconds (CI).
var options = BenchmarkOptions.Parse(args);
var results = await new BenchmarkRunner(options, Console.Out).RunAsync();
Report.Print(results, options, Console.Out);
