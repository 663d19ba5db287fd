#include "core/equation.h"

#include <algorithm>
#include <optional>

#include "core/format.h"

namespace convstep {

std::string number(double v) {
  return format_number(v, kUnicode);
}

std::string factor(double v) {
  return format_factor(v, kUnicode);
}

EquationTerm product_term(const std::string& a, double a_value, const std::string& b,
                          double b_value) {
  if (b.empty()) return {a, factor(a_value)};
  return {a + "·" + b, factor(a_value) + "·" + factor(b_value)};
}

namespace {

// Code points of UTF-8 text: the mono font's columns.
std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// One side of a sum: its terms' symbols or values, "… (N more)" where terms were left out.
struct Row {
  std::vector<std::string> items;
  int current = -1;  // the item of the current term
};

Row row(const Equation& e, bool symbols) {
  Row r;
  for (int i = 0; i < static_cast<int>(e.terms.size()); ++i) {
    if (i == e.elided_at) r.items.push_back("… (" + std::to_string(e.elided) + " more)");
    if (i == e.current) r.current = static_cast<int>(r.items.size());
    r.items.push_back(symbols ? e.terms[i].symbols : e.terms[i].values);
  }
  return r;
}

// Text with the byte ranges of the current term in it, where it shows it.
struct Marked {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> marks;

  void add(const std::string& s, bool current = false) {
    if (current) marks.push_back({text.size(), text.size() + s.size()});
    text += s;
  }
  void add(const Marked& m) {
    for (const auto& [from, to] : m.marks) marks.push_back({text.size() + from, text.size() + to});
    text += m.text;
  }
};

// Items [from, to) joined by " + ".
Marked join(const Row& r, int from, int to) {
  Marked m;
  for (int i = from; i < to; ++i) {
    if (i > from) m.add(" + ");
    m.add(r.items[i], i == r.current);
  }
  return m;
}

Marked join(const Row& r) {
  return join(r, 0, static_cast<int>(r.items.size()));
}

// The row in at most `budget` columns where it can: its first items that fit, " + … + ", and
// the current item and the last. A row that fits is whole.
Marked elided(const Row& r, std::size_t budget) {
  const int n = static_cast<int>(r.items.size());
  Marked whole = join(r);
  if (columns(whole.text) <= budget || n < 2) return whole;
  const int last = n - 1;
  const int from = r.current >= 0 ? std::min(r.current, last) : last;
  Marked tail;
  tail.add(" + … + ");
  tail.add(join(r, from, from + 1));
  if (from < last) {
    tail.add(from + 1 < last ? " + … + " : " + ");
    tail.add(join(r, last, n));
  }
  int head = 1;
  while (head < from && columns(join(r, 0, head + 1).text) + columns(tail.text) <= budget) ++head;
  Marked out = join(r, 0, head);
  out.add(tail);
  return out;
}

bool has_symbols(const Equation& e) {
  return !e.terms.empty() && !e.terms[0].symbols.empty();
}

// `target op symbols = values = result → running remark`, each row shortened to its budget.
Marked one_line(const Equation& e, std::size_t symbols_budget, std::size_t values_budget) {
  Marked m;
  m.add(e.target + " " + e.op + " ");
  bool first = true;
  auto side = [&](const Marked& part) {
    if (!first) m.add(" = ");
    m.add(part);
    first = false;
  };
  if (has_symbols(e)) side(elided(row(e, true), symbols_budget));
  if (!e.terms.empty()) side(elided(row(e, false), values_budget));
  if (!e.result.empty()) side(Marked{e.result, {}});
  if (!e.running.empty()) m.add(" → " + e.running);
  m.add(e.remark);
  return m;
}

EquationLine line_of(const Marked& m) {
  return {m.text, m.marks};
}

}  // namespace

std::string Equation::text() const {
  if (target.empty()) return "";
  return one_line(*this, std::string::npos, std::string::npos).text;
}

std::vector<EquationLine> equation_lines(const Equation& e, std::size_t budget) {
  constexpr std::size_t kWhole = std::string::npos;
  const Marked whole = one_line(e, kWhole, kWhole);
  if (columns(whole.text) <= budget) return {line_of(whole)};
  if (!has_symbols(e) || e.result.empty() || !e.running.empty() || !e.remark.empty()) {
    // One line cut short: the sums share what the rest of the line leaves. Its marks are
    // dropped: a line this cramped is read as a whole.
    const std::size_t symbols = has_symbols(e) ? columns(join(row(e, true)).text) : 0;
    const std::size_t sums = symbols + columns(join(row(e, false)).text);
    const std::size_t rest = columns(whole.text) - sums;
    const std::size_t room = budget > rest ? (budget - rest) / (has_symbols(e) ? 2 : 1) : 0;
    Marked m = one_line(e, room, room);
    m.marks.clear();
    return {line_of(m)};
  }
  // Symbols on the first line, values aligned under them on the second. What is left for the
  // sums saturates at 0 (as short as they go) on a budget too small for the rest.
  auto left = [budget](std::size_t used) { return budget > used ? budget - used : 0; };
  Marked first;
  first.add(e.target + " " + e.op + " ");
  first.add(elided(row(e, true), left(columns(e.target) + columns(e.op) + 2)));
  const std::string indent(columns(e.target) + columns(e.op), ' ');
  Marked second;
  second.add(indent + "= ");
  second.add(elided(row(e, false), left(indent.size() + 5 + columns(e.result))));
  second.add(" = " + e.result);
  return {line_of(first), line_of(second)};
}

}  // namespace convstep
