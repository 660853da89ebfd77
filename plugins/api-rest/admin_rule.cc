#include "admin_rule.h"

namespace sluice::rest {

bool AdminRoutesServed(const RestOptions& options, Listener listener) {
  if (listener == Listener::kAdmin) return true;
  return !options.admin_keys.empty() || options.admin_remote;
}

}  // namespace sluice::rest
