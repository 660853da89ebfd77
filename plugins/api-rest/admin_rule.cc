#include "admin_rule.h"

namespace sluice::rest {

bool AdminRoutesServed(const RestOptions& options, Listener listener, bool credential_sent) {
  if (listener == Listener::kAdmin) return true;
  return credential_sent || options.admin_remote;
}

}  // namespace sluice::rest
