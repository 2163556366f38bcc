using EBakul.Benchmarks;

// Starts the hub in Release as its own process on fresh databases and measures each scenario against the
// empty-call baseline of the same server and channel. `--smoke` runs every scenario in seconds (CI): it fails
// only when a scenario fails, never on a figure.
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or FileNotFoundException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}
_ = Machine.LoadAverageAtStart;
var results = await new BenchmarkRunner(options, Console.Out).RunAsync();
Report.Print(results, options, Console.Out);
return 0;
