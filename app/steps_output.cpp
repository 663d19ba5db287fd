#include "app/steps_output.h"

#include <nlohmann/json.hpp>

#include "core/format.h"

namespace convstep {

namespace {

// JSON numbers exactly as nlohmann writes the rest of the line (1.0, not 1), so that a
// streamed term reads the same as a step's other numbers. JSON has no infinity (a product may
// overflow): nlohmann writes it as null.
void put_number(std::ostream& out, double v) {
  out << nlohmann::json(v).dump();
}

void put_cell(std::ostream& out, const CellRef& r, double value) {
  out << R"({"grid":")" << grid_name(r.grid) << R"(","index":[)" << r.n << ',' << r.c << ',' << r.h
      << ',' << r.w << R"(],"value":)";
  put_number(out, value);
  out << '}';
}

// Written directly rather than through a JSON value: a cell may list millions of terms.
void put_term(std::ostream& out, const Term& t) {
  out << R"({"a":)";
  put_cell(out, t.a, t.a_value);
  if (t.b.grid != Grid::None) {
    out << R"(,"b":)";
    put_cell(out, t.b, t.b_value);
  }
  out << R"(,"product":)";
  put_number(out, t.product);
  if (t.zero) out << R"(,"zero":true)";
  out << '}';
}

// One JSON line. A cell's terms are streamed one by one after the rest of the step: a cell may
// sum millions of them, and no step is ever held whole.
void write_frame_json(std::ostream& out, const Timeline& tl, const Frame& f, bool skip) {
  nlohmann::json j = {{"index", f.index},
                      {"phase", phase_name(f.phase)},
                      {"granularity", granularity_name(f.granularity)}};
  if (f.kind == StepKind::Stage) {
    j["stage"] = stage_name(f.stage);
  } else {
    j["target"] = {{"grid", grid_name(f.target.grid)},
                   {"index", {f.target.n, f.target.c, f.target.h, f.target.w}}};
    if (f.source.grid != Grid::None)
      j["source"] = {{"grid", grid_name(f.source.grid)},
                     {"index", {f.source.n, f.source.c, f.source.h, f.source.w}}};
    j["running_sum"] = f.running_sum;
    if (f.kind == StepKind::Sum) j["sum_of"] = f.block_sums;
  }
  j["equation"] = f.equation.text();
  if (!f.note.empty()) j["note"] = f.note;
  std::string head = j.dump();
  if (f.kind == StepKind::Stage) {
    out << head << '\n';
    return;
  }
  head.pop_back();  // the closing brace: the terms follow
  out << head << ",\"terms\":[";
  if (f.kind == StepKind::Term && f.current_term) {
    put_term(out, *f.current_term);
  } else if (f.kind == StepKind::Cell || f.kind == StepKind::Block) {
    bool first = true;
    tl.for_each_term(f.phase, f.cell, skip, [&](const Term& t) {
      if (!first) out << ',';
      put_term(out, t);
      first = false;
    });
  }
  out << "]}\n";
}

const char* kind_label(const Frame& f) {
  switch (f.kind) {
    case StepKind::Stage:
      return stage_name(f.stage);
    case StepKind::Term:
      return "term";
    case StepKind::Cell:
      return "cell";
    case StepKind::Block:
      return "all cells";
    case StepKind::Sum:
      return "sum";
  }
  return "";
}

}  // namespace

bool write_steps(std::ostream& out, const Timeline& tl, const StepsRequest& req) {
  if (req.format == StepsFormat::Markdown) {
    const std::string title =
        tl.lesson().title.empty() ? "Convolution worksheet" : tl.lesson().title;
    out << "# " << title << "\n\n";
    const Geometry& g = tl.geometry();
    out << "X " << g.input_shape().str() << ", W " << g.weight_shape().str() << ", stride "
        << g.stride_h << "×" << g.stride_w << ", dilation " << g.dil_h << "×" << g.dil_w
        << ", groups " << g.groups << " → Z " << g.output_shape().str() << ".\n";
  }
  for (Phase p : req.phases) {
    const long long total = tl.count(p, req.granularity, req.skip_zero_terms);
    const long long end = req.count < 0 ? total : std::min(total, req.from + req.count);
    if (req.format == StepsFormat::Markdown)
      out << "\n## " << phase_title(p) << "\n\n" << tl.explanation(p) << "\n\n";
    for (long long k = req.from; k < end; ++k) {
      const Frame f = tl.frame(p, req.granularity, k, req.skip_zero_terms, /*with_result=*/false);
      switch (req.format) {
        case StepsFormat::Jsonl:
          write_frame_json(out, tl, f, req.skip_zero_terms);
          break;
        case StepsFormat::Text:
          out << phase_name(p) << ' ' << k << '/' << total << ' ' << kind_label(f) << ": "
              << f.equation.text();
          if (!f.note.empty() && f.kind == StepKind::Stage) out << "  — " << f.note;
          out << '\n';
          break;
        case StepsFormat::Markdown:
          out << (k + 1) << ". " << (f.kind == StepKind::Stage ? "*" + f.note + "* " : "") << "`"
              << f.equation.text() << "`\n";
          break;
      }
      if (!out) return false;
    }
  }
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace convstep
