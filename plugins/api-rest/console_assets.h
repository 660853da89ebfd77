// The web console's files (plugins/api-rest/console/), embedded into the
// plugin at build time (console/embed.cmake writes console_assets.cc), so
// a service finds them whatever its install paths.
#ifndef SLUICE_PLUGINS_API_REST_CONSOLE_ASSETS_H_
#define SLUICE_PLUGINS_API_REST_CONSOLE_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace sluice::rest {

struct ConsoleAsset {
  std::string_view name;          // file name under console/, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

// The asset called `name`, or nullptr.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_CONSOLE_ASSETS_H_
