// The `sluice` command line: parses global options and dispatches commands.
// Exit codes (cli/boot.h): 0 success, 1 runtime or data problem, 2 usage or
// configuration error, 3 another process holds the home.
#ifndef SLUICE_HOST_CLI_CLI_H_
#define SLUICE_HOST_CLI_CLI_H_

namespace sluice::host {

int Main(int argc, char** argv);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CLI_CLI_H_
