// ocx: command-line client of the OrleansCompute HTTP API. Commands, options and exit codes: README.md.
return await OrleansCompute.Cli.OcxApp.RunAsync(args);
