// "Did you mean" suggestions for names a user mistyped: config keys,
// connection names, plugin names. The SDK's (sluice/suggest.h), so that the
// host and plugins word them alike.
#ifndef SLUICE_HOST_UTIL_SUGGEST_H_
#define SLUICE_HOST_UTIL_SUGGEST_H_

#include "sluice/suggest.h"

namespace sluice::host {

using ::sluice::DidYouMean;
using ::sluice::EditDistance;
using ::sluice::JoinNames;

}  // namespace sluice::host

#endif  // SLUICE_HOST_UTIL_SUGGEST_H_
