#include "names.h"

#include <gtest/gtest.h>

namespace sluice::grpcapi {
namespace {

TEST(SnakeCase, SplitsOnSeparatorsAndCase) {
  EXPECT_EQ(SnakeCase("trip_id"), "trip_id");
  EXPECT_EQ(SnakeCase("Trip ID"), "trip_id");
  EXPECT_EQ(SnakeCase("TripID"), "trip_id");
  EXPECT_EQ(SnakeCase("pickupAt"), "pickup_at");
  EXPECT_EQ(SnakeCase("HTTPServer"), "http_server");
  EXPECT_EQ(SnakeCase("$fare"), "fare");
  EXPECT_EQ(SnakeCase("  total -- amount ($) "), "total_amount");
  EXPECT_EQ(SnakeCase("zone2id"), "zone2id");
  EXPECT_EQ(SnakeCase("zone2Id"), "zone2_id");
  EXPECT_EQ(SnakeCase("caf\xc3\xa9 au lait"), "caf_au_lait");  // non-ASCII separates
  EXPECT_EQ(SnakeCase("__a__b__"), "a_b");
  EXPECT_EQ(SnakeCase("$$$"), "");
  EXPECT_EQ(SnakeCase(""), "");
}

TEST(ProtoFieldNames, CleansLeadingDigitsEmptiesAndDuplicates) {
  std::vector<std::string> got =
      ProtoFieldNames({"Trip ID", "$fare", "2nd zone", "trip_id", "", "tripId", "fare", "fare_2"});
  std::vector<std::string> want = {"trip_id", "fare",      "f_2nd_zone", "trip_id_2",
                                   "field_5", "trip_id_3", "fare_2",     "fare_2_2"};
  EXPECT_EQ(got, want);
}

TEST(ProtoFieldNames, NamesEqualWithoutUnderscoresAreDeduplicated) {
  // protobuf refuses fields whose JSON names clash: a_1 and a1 both map to "a1".
  EXPECT_EQ(ProtoFieldNames({"a_1", "a1", "A 1"}),
            (std::vector<std::string>{"a_1", "a1_2", "a_1_3"}));
}

TEST(ProtoFieldNames, IsStable) {
  std::vector<std::string> columns = {"x y", "X-Y", "xY", "x__y"};
  EXPECT_EQ(ProtoFieldNames(columns), ProtoFieldNames(columns));
  EXPECT_EQ(ProtoFieldNames(columns), (std::vector<std::string>{"x_y", "x_y_2", "x_y_3", "x_y_4"}));
}

TEST(EndpointNames, PackagesServicesAndFiles) {
  EXPECT_EQ(EndpointPackage("trips"), "sluice.trips");
  EXPECT_EQ(VersionPackage("taxi-zones", 2), "sluice.taxi_zones.v2");
  EXPECT_EQ(ServiceName("trips"), "Trips");
  EXPECT_EQ(ServiceName("taxi-zones"), "TaxiZones");
  EXPECT_EQ(ServiceName("TaxiZones"), "TaxiZones");
  EXPECT_EQ(VersionServiceName("trips", 12), "TripsV12");
  EXPECT_EQ(EndpointComponent("2024_trips"), "e_2024_trips");
  EXPECT_EQ(ServiceName("2024_trips"), "E2024Trips");
  EXPECT_EQ(VersionFileName("trips", 3), "sluice/trips/v3/trips.proto");
  EXPECT_EQ(EndpointFileName("taxi-zones"), "sluice/taxi_zones/taxi_zones.proto");
}

}  // namespace
}  // namespace sluice::grpcapi
