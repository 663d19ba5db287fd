// mistake_scenes.h — the stages that show the notebooks' mistakes, for the tests that read every
// text the program writes (test_glyphs, test_plain_words): all mistakes on, in the phases they
// change at the first, middle and last step of each granularity, and in a phase they leave alone.
#pragma once

#include <iterator>
#include <string>

#include "core/stage.h"

namespace convstep {

// Calls visit(scene, where) for each of those stages of `tl`; `name` starts each `where`.
template <class Visit>
void for_each_mistake_scene(const Timeline& tl, const std::string& name, Visit visit) {
  StageOptions pitfalls;
  pitfalls.pitfalls.assign(std::begin(kAllPitfalls), std::end(kAllPitfalls));
  for (Phase p : {Phase::Dw, Phase::DxGather})
    for (Granularity g : {Granularity::Term, Granularity::Cell}) {
      const long long count = tl.count(p, g);
      for (long long k : {0LL, count / 2, count - 1}) {
        const Frame f = tl.frame(p, g, k);
        visit(build_stage(tl, f, f, 1, pitfalls),
              name + " pitfalls " + phase_name(p) + " step " + std::to_string(k));
      }
    }
  const Frame f = tl.frame(Phase::Forward, Granularity::Cell, 0);
  visit(build_stage(tl, f, f, 1, pitfalls), name + " pitfalls elsewhere");
}

}  // namespace convstep
