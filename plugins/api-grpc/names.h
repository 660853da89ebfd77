// Protobuf names for sluice's typed gRPC services (docs/grpc.md, "Names"):
// field names made valid for protobuf from any source column name, and the
// package and service names of an endpoint. Every function is pure: the
// same input always gives the same names, so a version's descriptors can be
// rebuilt from its schema at any time and match the files written by
// `migrate`.
//
//   ProtoFieldNames({"Trip ID", "$fare", "2nd zone", "trip_id"})
//       == {"trip_id", "fare", "f_2nd_zone", "trip_id_2"}
//   EndpointPackage("taxi-zones") == "sluice.taxi_zones"
//   VersionServiceName("taxi-zones", 2) == "TaxiZonesV2"
#ifndef SLUICE_PLUGINS_API_GRPC_NAMES_H_
#define SLUICE_PLUGINS_API_GRPC_NAMES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::grpcapi {

// One name in lower snake case: ASCII letters and digits form words, every
// other byte (spaces, punctuation, non-ASCII) separates them, and a word
// also breaks where case changes from lower (or digit) to upper and before
// the last capital of a run followed by a lower-case letter ("TripID" ->
// "trip_id", "HTTPServer" -> "http_server"). Words are joined with '_'.
// Empty when the name holds no ASCII letter or digit.
std::string SnakeCase(std::string_view name);

// Protobuf field names for `columns`, in order: SnakeCase of each; an empty
// result becomes "field_N" (N = 1-based position); a leading digit gets the
// prefix "f_". Names that protobuf would consider equal (the same once
// underscores are removed, which protobuf's JSON mapping requires to be
// unique) get the suffix "_2", "_3", ... in column order, the first keeping
// its name.
std::vector<std::string> ProtoFieldNames(const std::vector<std::string>& columns);

// The package component of an endpoint: SnakeCase of its name, "e_" before
// a leading digit ("trips" -> "trips", "TaxiZones" -> "taxi_zones").
std::string EndpointComponent(std::string_view endpoint);

// "sluice.<component>": the package of the unversioned service.
std::string EndpointPackage(std::string_view endpoint);

// "sluice.<component>.v<version>": the package of one version's file.
std::string VersionPackage(std::string_view endpoint, uint32_t version);

// The unversioned service name: the words of the component, capitalized
// and joined ("taxi_zones" -> "TaxiZones", "e_2024" -> "E2024").
std::string ServiceName(std::string_view endpoint);

// ServiceName + "V<version>" ("TripsV2").
std::string VersionServiceName(std::string_view endpoint, uint32_t version);

// "sluice/<component>/v<version>/<component>.proto": the descriptor file
// name of one version.
std::string VersionFileName(std::string_view endpoint, uint32_t version);

// "sluice/<component>/<component>.proto": the run-time file holding the
// unversioned service.
std::string EndpointFileName(std::string_view endpoint);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_NAMES_H_
