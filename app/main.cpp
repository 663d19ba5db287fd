#include "cli.h"

int main(int argc, char** argv) { return convstep::run_cli(argc, argv); }
