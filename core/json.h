// json.h — nlohmann-json for the .cpp files that read or write JSON (headers keep json_fwd.hpp).
//
//   #include "core/json.h"
//   nlohmann::json j = nlohmann::json::parse(text);  // text: a std::string
//   std::string s = j.dump();
//
// nlohmann::json's parser (of a std::string) and serializer are large templates that each
// translation unit would otherwise compile and optimize again; core/lesson.cpp instantiates them
// once and the extern declarations below send everyone else there (issue 9, build time).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace convstep::json_detail {
// What nlohmann::json::parse reads a std::string through.
using StringInput = decltype(nlohmann::detail::input_adapter(std::declval<const std::string&>()));
}  // namespace convstep::json_detail

extern template class nlohmann::detail::serializer<nlohmann::json>;
extern template class nlohmann::detail::lexer<nlohmann::json, convstep::json_detail::StringInput>;
extern template class nlohmann::detail::parser<nlohmann::json, convstep::json_detail::StringInput>;
extern template class nlohmann::detail::json_sax_dom_parser<nlohmann::json>;
extern template class nlohmann::detail::json_sax_dom_callback_parser<nlohmann::json>;
