#include "util/json_doc.h"

#include <string>

namespace sluice::host {

Status ParseJson(std::string_view json, simdjson::dom::parser* parser,
                 simdjson::dom::element* doc) {
  if (auto err = parser->parse(json.data(), json.size()).get(*doc))
    return InvalidArgument(std::string("not valid JSON: ") + simdjson::error_message(err));
  return Status();
}

Status ParseJsonDocument(std::string_view json, std::string_view what, int64_t format,
                         simdjson::dom::parser* parser, simdjson::dom::element* doc) {
  SLUICE_RETURN_IF_ERROR(ParseJson(json, parser, doc));
  int64_t found = 0;
  if ((*doc)["format"].get_int64().get(found) || found != format)
    return InvalidArgument("unsupported " + std::string(what) +
                           " format (expected \"format\": " + std::to_string(format) + ")");
  return Status();
}

}  // namespace sluice::host
