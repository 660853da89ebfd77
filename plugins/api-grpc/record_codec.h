// Conversions between sluice rows (sluice/row.h) and what the gRPC typed
// services send: Record messages of a version's generated file, and
// primary-key text from a typed GetRequest. (The common service's JSON
// records are sluice/json.h's AppendRecordJson, the REST API's text.)
//
//   std::unique_ptr<Message> rec(prototype->New());
//   Status s = RowToMessage(schema, row, rec.get());
#ifndef SLUICE_PLUGINS_API_GRPC_RECORD_CODEC_H_
#define SLUICE_PLUGINS_API_GRPC_RECORD_CODEC_H_

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::grpcapi {

// Fills `record`, a message whose field i + 1 is schema field i (the Record
// of the version's generated file), from the encoded `row`. Null values stay
// unset; timestamps become google.protobuf.Timestamp (seconds, nanos);
// dates "YYYY-MM-DD". INTERNAL on a malformed row.
Status RowToMessage(const Schema& schema, std::string_view row, google::protobuf::Message* record);

// The primary key text (docs/query.md, "Keys") of a typed GetRequest whose
// field k + 1 is key field k: values in their text form, ',' and '\'
// escaped. INVALID_ARGUMENT naming the missing field when one is unset.
Status KeyTextFromRequest(const Schema& schema, const google::protobuf::Message& request,
                          std::string* key);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_RECORD_CODEC_H_
