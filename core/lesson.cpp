#include "core/lesson.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <map>
#include <set>

#include "core/format.h"
#include "core/io.h"
#include "core/json.h"
#include "core/timeline.h"
#include "core/user_text.h"

// The one copy of the parser, the serializer and the members that core/json.h declares extern.
template class nlohmann::detail::serializer<nlohmann::json>;
template class nlohmann::detail::lexer<nlohmann::json, convstep::json_detail::StringInput>;
template class nlohmann::detail::parser<nlohmann::json, convstep::json_detail::StringInput>;
template class nlohmann::detail::json_sax_dom_parser<nlohmann::json>;
template class nlohmann::detail::json_sax_dom_callback_parser<nlohmann::json>;
template void nlohmann::json::json_value::destroy(nlohmann::detail::value_t);
template nlohmann::json::basic_json(const nlohmann::json&);
template nlohmann::json::basic_json(initializer_list_t, bool, nlohmann::detail::value_t);
template nlohmann::json::reference nlohmann::json::operator[](std::string);
template nlohmann::json::const_reference nlohmann::json::operator[](const std::string&) const;

namespace convstep {

using nlohmann::json;

namespace {

constexpr const char* kKeys[] = {"version", "title",    "input",  "weight",   "bias", "stride",
                                 "padding", "dilation", "groups", "upstream", "loss"};
constexpr long long kMaxFileBytes = 1LL << 30;

[[noreturn]] void fail(const std::string& message) {
  throw LessonError(message);
}

std::string describe(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return "the text " + in_quotes(j.get_ref<const std::string&>());
    case json::value_t::array:
      return "an array of " + std::to_string(j.size());
    case json::value_t::object:
      return "an object";
    default:
      return excerpt(j.dump());  // a number: short already
  }
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(const std::string& key) {
  std::string message = "unknown key " + in_quotes(key);
  for (const std::string known : kKeys)
    if (key.size() <= known.size() + 2 && edit_distance(key, known) <= 2)
      return message + "; did you mean \"" + known + "\"?";
  message += "; the keys are";
  for (const char* known : kKeys)
    message += std::string(" ") + known + (known == std::end(kKeys)[-1] ? "" : ",");
  return message;
}

// ---- Nested arrays of numbers ----

struct Nested {
  std::vector<int> dims;  // as written, outermost first
  std::vector<double> values;
  std::string dims_str() const {
    std::string s;
    for (int d : dims) s += "[" + std::to_string(d) + "]";
    return s;
  }
};

void read_values(const json& j, const std::string& path, std::size_t depth, Nested& out) {
  const std::size_t rank = out.dims.size();
  if (depth == rank) {
    if (!j.is_number()) fail(path + ": expected a number, got " + describe(j));
    const double v = j.get<double>();
    if (!std::isfinite(v)) fail(path + ": " + j.dump() + " is not a finite number");
    out.values.push_back(v);
    return;
  }
  const bool innermost = depth + 1 == rank;
  const int expected = out.dims[depth];
  if (!j.is_array())
    fail(path + ": expected an array of " + plural(expected, innermost ? "number" : "array") +
         ", got " + describe(j));
  if (static_cast<int>(j.size()) != expected)
    fail(path + ": expected " + plural(expected, innermost ? "number" : "array") + ", got " +
         std::to_string(j.size()));
  for (std::size_t i = 0; i < j.size(); ++i)
    read_values(j[i], path + "[" + std::to_string(i) + "]", depth + 1, out);
}

// Reads a rectangular nested array whose depth is one of `ranks`. `form` describes the
// accepted forms for messages, e.g. "[N][C][H][W] or [H][W]".
Nested read_nested(const json& j, const std::string& name, std::initializer_list<int> ranks,
                   const std::string& form) {
  Nested out;
  const json* p = &j;
  std::string path = name;
  while (p->is_array()) {
    if (p->empty()) fail(path + ": is empty; every dimension needs at least 1 value");
    if (p->size() > static_cast<std::size_t>(kMaxDimension))
      fail(path + ": has " + std::to_string(p->size()) + " entries, more than the limit of " +
           std::to_string(kMaxDimension) + " per dimension");
    out.dims.push_back(static_cast<int>(p->size()));
    if (out.dims.size() > 4) break;
    p = &(*p)[0];
    path += "[0]";
  }
  const int rank = static_cast<int>(out.dims.size());
  if (rank == 0) fail(name + " must be a nested array " + form + ", got " + describe(j));
  if (std::find(ranks.begin(), ranks.end(), rank) == ranks.end())
    fail(name + " must be nested as " + form + ", but it is nested " +
         (rank > 4 ? "more than 4" : std::to_string(rank)) + " deep");
  long long count = 1;
  for (int d : out.dims) count *= d;
  if (count > kMaxTensorValues)
    fail(name + " " + out.dims_str() + " has " + std::to_string(count) +
         " values, more than the limit of " + std::to_string(kMaxTensorValues));
  out.values.reserve(static_cast<std::size_t>(count));
  read_values(j, name, 0, out);
  return out;
}

Tensor to_tensor(Nested&& nested) {
  const auto& d = nested.dims;
  Tensor t;
  t.shape = d.size() == 4 ? Shape{d[0], d[1], d[2], d[3]} : Shape{1, 1, d[0], d[1]};
  t.values = std::move(nested.values);
  return t;
}

// ---- Parameters ----

int read_int(const json& j, const std::string& what) {
  if (!j.is_number()) fail(what + " must be a whole number, got " + describe(j));
  const double v = j.get<double>();
  if (v != std::floor(v)) fail(what + " must be a whole number, got " + j.dump());
  if (std::fabs(v) > 1e9)
    fail(what + " must be at most " + std::to_string(kMaxDimension) + ", got " + j.dump());
  return static_cast<int>(v);
}

// A value given as n or [a, b].
std::pair<int, int> read_pair(const json& j, const std::string& what, const std::string& pair) {
  if (j.is_array()) {
    if (j.size() != 2) fail(what + " must be a whole number or " + pair + ", got " + describe(j));
    return {read_int(j[0], what), read_int(j[1], what)};
  }
  if (!j.is_number()) fail(what + " must be a whole number or " + pair + ", got " + describe(j));
  const int v = read_int(j, what);
  return {v, v};
}

Padding read_padding(const json& j) {
  const std::string forms =
      "a whole number, [pH, pW], [top, bottom, left, right], \"valid\", \"same\" or \"full\"";
  Padding p;
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "valid")
      p.mode = PaddingMode::Valid;
    else if (s == "same")
      p.mode = PaddingMode::Same;
    else if (s == "full")
      p.mode = PaddingMode::Full;
    else
      fail("padding must be " + forms + ", got " + in_quotes(s));
    return p;
  }
  if (j.is_array() && j.size() == 4) {
    p.top = read_int(j[0], "padding"), p.bottom = read_int(j[1], "padding");
    p.left = read_int(j[2], "padding"), p.right = read_int(j[3], "padding");
    return p;
  }
  if (!j.is_number() && !(j.is_array() && j.size() == 2))
    fail("padding must be " + forms + ", got " + describe(j));
  const auto [ph, pw] = read_pair(j, "padding", "[pH, pW]");
  p.top = p.bottom = ph;
  p.left = p.right = pw;
  return p;
}

// Where the number token `number` first appears outside strings, as a byte offset (the parser
// reports a number too large for a double without its place). One pass, whatever the text.
std::size_t find_number(const std::string& text, const std::string& number) {
  const auto part_of_number = [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' ||
           c == 'e' || c == 'E';
  };
  JsonStrings strings;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (strings.inside(c)) continue;
    if (part_of_number(c)) {
      std::size_t end = i;
      while (end < text.size() && part_of_number(text[end])) ++end;
      if (text.compare(i, end - i, number) == 0) return i;
      i = end - 1;
    }
  }
  return 0;
}

json parse_json(const std::string& text) {
  // nlohmann parses without recursion, but dumps, copies and compares recursively: refuse
  // values nested deeper than any lesson needs before they are built.
  if (const std::string deep = nesting_error(text); !deep.empty()) fail(deep);
  // Duplicate top-level keys would silently keep the last value: reject them instead.
  std::set<std::string> seen;
  std::string duplicate;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key && duplicate.empty() &&
        !seen.insert(parsed.get<std::string>()).second)
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    json j = json::parse(text, callback);
    if (!duplicate.empty()) fail("the key " + in_quotes(duplicate) + " appears twice");
    return j;
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const std::string prefix = "parse error at ";
    if (auto at = what.find(prefix); at != std::string::npos)
      what = what.substr(at + prefix.size());
    // nlohmann quotes the whole token it stopped in, which may be a megabyte of string.
    const std::string last_read = "; last read: '";
    if (auto at = what.find(last_read); at != std::string::npos && what.back() == '\'') {
      const std::size_t from = at + last_read.size();
      what = what.substr(0, from) +
             excerpt(std::string_view(what).substr(from, what.size() - from - 1)) + "'";
    }
    std::string hint;
    for (const char* word : {"NaN", "nan", "Infinity", "inf"})
      if (text.find(word) != std::string::npos)
        hint = " (NaN and Infinity are not numbers in JSON; every value must be finite)";
    fail("invalid JSON at " + what + hint);
  } catch (const json::out_of_range& e) {
    // The only range error while parsing: a number too large for a double, e.g. 1e400.
    std::string what = e.what();
    const auto quote = what.find('\'');
    const std::string number = quote == std::string::npos
                                   ? std::string("a number")
                                   : what.substr(quote + 1, what.rfind('\'') - quote - 1);
    const std::size_t at = find_number(text, number);
    const auto line = std::count(text.begin(), text.begin() + at, '\n') + 1;
    const std::size_t line_start = at == 0 ? 0 : text.rfind('\n', at - 1) + 1;  // npos + 1 = 0
    const auto column = at - line_start + 1;
    fail("the number " + excerpt(number) + " at line " + std::to_string(line) + ", column " +
         std::to_string(column) + " is too large: every value must be finite");
  }
}

// ---- The keys, read one at a time: the loader and with_key share them ----

void read_version(const json& v) {
  if (!v.is_number() || v.get<double>() != 1)
    fail("version " + (v.is_number() || v.is_string() ? excerpt(v.dump()) : describe(v)) +
         " is not supported; this convstep reads version 1");
}

std::string read_title(const json& t) {
  if (!t.is_string()) fail("title must be text, got " + describe(t));
  return t.get<std::string>();
}

Tensor read_input(const json& j) {
  return to_tensor(read_nested(j, "input", {4, 2}, "[N][C][H][W] or [H][W]"));
}

Tensor read_weight(const json& j) {
  return to_tensor(read_nested(j, "weight", {4, 2}, "[Cout][C/groups][kH][kW] or [kH][kW]"));
}

// stride, dilation, padding or groups.
void read_spec_key(ConvSpec& spec, const std::string& key, const json& j) {
  if (key == "stride")
    std::tie(spec.stride_h, spec.stride_w) = read_pair(j, "stride", "[sH, sW]");
  else if (key == "dilation")
    std::tie(spec.dil_h, spec.dil_w) = read_pair(j, "dilation", "[dilH, dilW]");
  else if (key == "padding")
    spec.padding = read_padding(j);
  else if (key == "groups")
    spec.groups = read_int(j, "groups");
}

Geometry checked_geometry(const Lesson& lesson) {
  try {
    return lesson.geometry();
  } catch (const ConvError& e) {
    fail(e.what());
  }
}

void check_bias(const std::vector<double>& bias, const Geometry& geo) {
  const int count = static_cast<int>(bias.size());
  if (count != geo.cout)
    fail("bias has " + plural(count, "value") + " but weight has " +
         plural(geo.cout, "output channel"));
}

std::vector<double> read_bias(const json& j, const Geometry& geo) {
  Nested b = read_nested(j, "bias", {1}, "[Cout]");
  check_bias(b.values, geo);
  return std::move(b.values);
}

// `written`: its dimensions as the file gives them ("[4][4]").
void check_upstream(const Tensor& G, const std::string& written, const Geometry& geo) {
  if (G.shape != geo.output_shape())
    fail("upstream must be shaped like the output " + geo.output_shape().str() + ", got " +
         written);
}

// An empty tensor for "ones".
Tensor read_upstream(const json& u, const Geometry& geo) {
  if (u.is_string() && u.get<std::string>() == "ones") return {};
  if (!u.is_array())
    fail("upstream must be \"ones\" or a nested array shaped like the output " +
         geo.output_shape().str() + ", got " + describe(u));
  Nested g = read_nested(u, "upstream", {4, 2}, "[N][Cout][oH][oW] or [oH][oW]");
  const std::string written = g.dims_str();
  Tensor G = to_tensor(std::move(g));
  check_upstream(G, written, geo);
  return G;
}

constexpr const char* kLossForms =
    "\"sum\", \"half_sum_squares\", {\"mse\": target} or {\"relu_then_sum\": true}";

void check_loss_target(const Loss& loss, const std::string& written, const Geometry& geo) {
  if (loss.kind == LossKind::Mse && loss.target.shape != geo.output_shape())
    fail("loss: the mse target must be shaped like the output " + geo.output_shape().str() +
         ", got " + written);
}

Loss read_loss(const json& j, const Geometry& geo) {
  Loss loss;
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "sum") return loss;
    if (s == "half_sum_squares") return {LossKind::HalfSumSquares, {}};
    if (s == "mse" || s == "relu_then_sum")
      fail("loss " + in_quotes(s) + " must be written as an object: " + kLossForms);
    fail("loss must be " + std::string(kLossForms) + ", got " + in_quotes(s));
  }
  if (!j.is_object() || j.size() != 1)
    fail("loss must be " + std::string(kLossForms) + ", got " +
         (j.is_object() ? "an object with " + plural(static_cast<long long>(j.size()), "key")
                        : describe(j)));
  // The one key and its value (items() is a temporary: nothing may refer into it).
  const std::string key = j.begin().key();
  const nlohmann::json& value = j.begin().value();
  if (key == "relu_then_sum") {
    if (!(value.is_boolean() && value.get<bool>()))
      fail("loss: relu_then_sum must be true, got " + describe(value));
    return {LossKind::ReluThenSum, {}};
  }
  if (key != "mse")
    fail("loss must be " + std::string(kLossForms) + ", got an object with the key " +
         in_quotes(key));
  Nested t = read_nested(value, "loss.mse", {4, 2}, "[N][Cout][oH][oW] or [oH][oW]");
  const std::string written = t.dims_str();
  loss = {LossKind::Mse, to_tensor(std::move(t))};
  check_loss_target(loss, written, geo);
  return loss;
}

// The dimensions of a tensor as lesson_to_json writes them: [H][W] for one sample and channel.
std::string written_dims(const Shape& s) {
  const std::string hw = "[" + std::to_string(s.h) + "][" + std::to_string(s.w) + "]";
  return s.n == 1 && s.c == 1 ? hw
                              : "[" + std::to_string(s.n) + "][" + std::to_string(s.c) + "]" + hw;
}

}  // namespace

Geometry Lesson::geometry() const {
  const Geometry g = resolve(spec, input.shape, weight.shape);
  check_step_limits(g);  // what the timeline will have to step through
  return g;
}

Tensor Lesson::upstream_gradient() const {
  if (gives_gradient()) return upstream;
  const Geometry geo = geometry();
  if (loss.kind == LossKind::Sum) return ones_like_output(geo);
  return loss_gradient(loss, forward(input, weight, bias, geo));
}

Tensor Lesson::upstream_or_empty() const {
  return gives_gradient() || loss.kind != LossKind::Sum ? upstream_gradient() : Tensor();
}

bool Lesson::operator==(const Lesson& o) const {
  return title == o.title && input == o.input && weight == o.weight && bias == o.bias &&
         spec == o.spec && upstream == o.upstream && loss == o.loss;
}

Lesson parse_lesson(const std::string& text) {
  const json j = parse_json(text);
  if (!j.is_object()) fail("a lesson must be a JSON object {...}, got " + describe(j));
  for (const auto& [key, value] : j.items())
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
      fail(unknown_key_message(key));

  if (j.contains("version")) read_version(j["version"]);
  Lesson lesson;
  if (j.contains("title")) lesson.title = read_title(j["title"]);
  for (const char* key : {"input", "weight"})
    if (!j.contains(key))
      fail(std::string("missing key \"") + key + "\": a lesson needs an input and a weight");
  lesson.input = read_input(j["input"]);
  lesson.weight = read_weight(j["weight"]);
  for (const char* key : {"stride", "dilation", "padding", "groups"})
    if (j.contains(key)) read_spec_key(lesson.spec, key, j[key]);

  const Geometry geo = checked_geometry(lesson);
  if (j.contains("bias")) {
    lesson.bias = read_bias(j["bias"], geo);
    lesson.spec.bias = true;
  }
  if (j.contains("upstream") && j.contains("loss"))
    fail(
        "give either \"upstream\" or \"loss\", not both: upstream is G itself, and a loss is "
        "what G is derived from");
  if (j.contains("upstream")) lesson.upstream = read_upstream(j["upstream"], geo);
  if (j.contains("loss")) lesson.loss = read_loss(j["loss"], geo);
  return lesson;
}

Lesson with_key(Lesson lesson, const std::string& key, const json& value) {
  if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
    fail(unknown_key_message(key));
  // The key's own value first, then what the other keys must agree with (the loader's order:
  // the shapes and parameters, the geometry, the bias, the upstream gradient).
  if (key == "version") read_version(value);
  if (key == "title") lesson.title = read_title(value);
  if (key == "input") lesson.input = read_input(value);
  if (key == "weight") lesson.weight = read_weight(value);
  read_spec_key(lesson.spec, key, value);
  if (key == "bias" && value.is_null()) lesson.bias.clear(), lesson.spec.bias = false;

  const Geometry geo = checked_geometry(lesson);
  if (key == "bias" && !value.is_null()) {
    lesson.bias = read_bias(value, geo);
    lesson.spec.bias = true;
  } else if (!lesson.bias.empty()) {
    check_bias(lesson.bias, geo);
  }
  // G is given one way or the other: setting one replaces the other.
  if (key == "upstream") {
    lesson.upstream = read_upstream(value, geo);
    lesson.loss = {};
  } else if (key == "loss") {
    lesson.loss = read_loss(value, geo);
    lesson.upstream = {};
  } else {
    if (lesson.upstream.shape.count() > 0)
      check_upstream(lesson.upstream, written_dims(lesson.upstream.shape), geo);
    check_loss_target(lesson.loss, written_dims(lesson.loss.target.shape), geo);
  }
  return lesson;
}

Lesson load_lesson(const std::string& path) {
  try {
    return parse_lesson(read_file(path, kMaxFileBytes));
  } catch (const IoError& e) {
    fail(e.reason());
  }
}

// ---- Saving ----

namespace {

// Whole numbers as plain digits while format_number writes them whole (below 10^15); every
// other value as the shortest text that reads back as the same double, so a save loses nothing.
std::string number_text(double v) {
  if (v == std::trunc(v) && std::fabs(v) < 1e15) return format_number(v);
  return json(v).dump();
}

void write_nested(std::string& out, const std::vector<int>& dims, const double*& v,
                  std::size_t depth, int indent) {
  out += '[';
  for (int i = 0; i < dims[depth]; ++i) {
    if (i > 0)
      out += depth + 1 == dims.size() ? ", " : ",\n" + std::string(indent + depth + 1, ' ');
    if (depth + 1 == dims.size())
      out += number_text(*v++);
    else
      write_nested(out, dims, v, depth + 1, indent);
  }
  out += ']';
}

std::string tensor_text(const Tensor& t, bool shorthand, int indent) {
  const Shape& s = t.shape;
  std::vector<int> dims = shorthand && s.n == 1 && s.c == 1 ? std::vector<int>{s.h, s.w}
                                                            : std::vector<int>{s.n, s.c, s.h, s.w};
  std::string out;
  const double* v = t.values.data();
  write_nested(out, dims, v, 0, indent);
  return out;
}

std::string pair_text(int a, int b) {
  return a == b ? std::to_string(a) : "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

std::string padding_text(const Padding& p) {
  switch (p.mode) {
    case PaddingMode::Valid:
      return "\"valid\"";
    case PaddingMode::Same:
      return "\"same\"";
    case PaddingMode::Full:
      return "\"full\"";
    case PaddingMode::Explicit:
      break;
  }
  if (p.top == p.bottom && p.left == p.right) return pair_text(p.top, p.left);
  return "[" + std::to_string(p.top) + ", " + std::to_string(p.bottom) + ", " +
         std::to_string(p.left) + ", " + std::to_string(p.right) + "]";
}

}  // namespace

std::string lesson_to_json(const Lesson& lesson) {
  const ConvSpec& s = lesson.spec;
  auto field = [](const std::string& key, const std::string& value) {
    return "  \"" + key + "\": " + value;
  };
  std::vector<std::string> fields = {field("version", "1")};
  if (!lesson.title.empty()) fields.push_back(field("title", json(lesson.title).dump()));
  fields.push_back(field("input", tensor_text(lesson.input, true, 11)));
  fields.push_back(field("weight", tensor_text(lesson.weight, true, 12)));
  if (!lesson.bias.empty()) {
    std::string b = "[";
    for (std::size_t i = 0; i < lesson.bias.size(); ++i)
      b += (i ? ", " : "") + number_text(lesson.bias[i]);
    fields.push_back(field("bias", b + "]"));
  }
  fields.push_back(field("stride", pair_text(s.stride_h, s.stride_w)));
  fields.push_back(field("padding", padding_text(s.padding)));
  fields.push_back(field("dilation", pair_text(s.dil_h, s.dil_w)));
  fields.push_back(field("groups", std::to_string(s.groups)));
  // L = ΣZ is written as it always was, "ones"; another loss in its place.
  const Loss& loss = lesson.loss;
  if (lesson.gives_gradient())
    fields.push_back(field("upstream", tensor_text(lesson.upstream, true, 14)));
  else if (loss.kind == LossKind::Sum)
    fields.push_back(field("upstream", "\"ones\""));
  else if (loss.kind == LossKind::Mse)
    fields.push_back(field("loss", "{\"mse\": " + tensor_text(loss.target, true, 18) + "}"));
  else if (loss.kind == LossKind::ReluThenSum)
    fields.push_back(field("loss", "{\"relu_then_sum\": true}"));
  else
    fields.push_back(field("loss", std::string("\"") + loss_name(loss.kind) + "\""));
  std::string out = "{\n";
  for (std::size_t i = 0; i < fields.size(); ++i)
    out += fields[i] + (i + 1 < fields.size() ? ",\n" : "\n");
  return out + "}\n";
}

void save_lesson(const Lesson& lesson, const std::string& path) {
  try {
    write_file_atomically(path, lesson_to_json(lesson));
  } catch (const IoError& e) {
    throw LessonError("cannot save " + path_excerpt(path) + ": " + e.reason());
  }
}

}  // namespace convstep
