// names.h — the names of the phases, granularities, themes and pitfalls as the command line,
// scripts and files spell them, listed from the one place each is defined (phase_name,
// granularity_name, theme_name, pitfall_name). The app's menus may show friendlier words; what they
// choose comes from here.
//
//   option->check(CLI::IsMember(phase_names()));             // forward, dw, ..., db
//   "unknown phase: " + spelled_out(phase_names())           // "forward, dw, ... or db"
#pragma once

#include <string>
#include <vector>

namespace convstep {

std::vector<std::string> phase_names();        // in the order of kAllPhases
std::vector<std::string> granularity_names();  // in the order of kAllGranularities
std::vector<std::string> theme_names();        // in the order of kAllThemes
std::vector<std::string> pitfall_names();      // in the order of kAllPitfalls

// The names as a sentence lists them: "a", "a or b", "a, b or c".
std::string spelled_out(const std::vector<std::string>& names);

}  // namespace convstep
