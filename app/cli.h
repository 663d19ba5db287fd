// cli.h — convstep's command line: `compute`, `validate` (and later subcommands).
//
// Exit status: 0 on success, 2 on bad input (one message on stderr), 1 on an internal error.
#pragma once

namespace convstep {

int run_cli(int argc, char** argv);

}  // namespace convstep
