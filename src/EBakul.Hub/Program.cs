using EBakul.Hub.Hosting;

// Settings (appsettings.json) are read from the application's folder, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HubCommands.Settings(args), ContentRootPath = AppContext.BaseDirectory });
builder.AddEBakulHub();
// An admin command's standard output is its result alone (e.g. a one-time token for a script); logs go to standard error.
// A command that fails says why in one line of its own: EF Core's logs of the same failure are left out.
if (HubCommands.Recognizes(args))
{
    builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
}
var app = builder.Build();
app.MapEBakulHub();
await app.RunHubAsync(args);

/// <summary>The hub's entry point (public for WebApplicationFactory-based tests).</summary>
public partial class Program;
