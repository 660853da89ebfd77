// The `sluice` command line: parses global options and dispatches commands.
// Exit codes: 0 success, 1 runtime error, 2 usage or configuration error.
#ifndef SLUICE_HOST_CLI_CLI_H_
#define SLUICE_HOST_CLI_CLI_H_

namespace sluice::host {

int Main(int argc, char** argv);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CLI_CLI_H_
