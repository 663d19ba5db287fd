// json.h — nlohmann-json for the .cpp files that read or write JSON (headers keep json_fwd.hpp).
//
//   #include "core/json.h"
//   nlohmann::json j = nlohmann::json::parse(text);  // text: a std::string
//   std::string s = j.dump();
//
// nlohmann::json's parser (of a std::string), its serializer and its largest members used
// everywhere (destroying, copying, building from a list, operator[] by key) are templates that
// each translation unit would otherwise compile and optimize again; core/lesson.cpp instantiates
// them once and the extern declarations below send everyone else there (issue 9, build time).
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
extern template void nlohmann::json::json_value::destroy(nlohmann::detail::value_t);
extern template nlohmann::json::basic_json(const nlohmann::json&);
extern template nlohmann::json::basic_json(initializer_list_t, bool, nlohmann::detail::value_t);
extern template nlohmann::json::reference nlohmann::json::operator[](std::string);
extern template nlohmann::json::const_reference nlohmann::json::operator[](
    const std::string&) const;
