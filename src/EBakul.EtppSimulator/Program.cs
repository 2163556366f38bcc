using EBakul.EtppSimulator;

var app = EtppSimulatorApp.Create(args);
app.Run();

/// <summary>The simulator's entry point; internal so that test projects referencing both it and the hub see only the hub's <c>Program</c>.</summary>
internal partial class Program;
