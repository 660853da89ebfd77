// grpc_load: a closed-loop load generator for sluice's typed gRPC `query`.
//
//   grpc_load --target 127.0.0.1:50051 --method /sluice.trips.Trips/query
//             [--threads 2] [--concurrency 50] [--seconds 10] [--zones 265]
//             [--limit 50]
//
// Each of --threads threads owns one channel (its own connection) and one
// completion queue, and keeps concurrency/threads calls in flight: as soon
// as one completes, the next starts. Every request is the typed
// QueryRequest {query: <JSON>} for a random pickup zone, ordered by key,
// --limit records. Replies are checked: status OK and at most --limit
// records (QueryResponse field 1). Prints one line
//
//   GRPCJSON {"requests":N,"errors":E,"records":R,"duration_us":D,
//             "p50":..,"p90":..,"p99":..,"p999":..,"max":..}
//
// with latencies in microseconds, and exits 1 if any call failed. Requests
// and replies travel as raw bytes (grpc::GenericStub): the client needs no
// generated code, so it works with the descriptors sluice builds at run time.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string target;
  std::string method;
  int threads = 2;
  int concurrency = 50;
  int seconds = 10;
  int zones = 265;
  int limit = 50;
};

// Totals of one thread.
struct Tally {
  std::vector<uint32_t> latency_us;
  uint64_t errors = 0;
  uint64_t records = 0;
  std::string first_error;
};

// One call in flight: its context, reply and status must outlive it.
struct Call {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  grpc::ByteBuffer reply;
  grpc::Status status;
  Clock::time_point started;
};

// Appends `v` as a protobuf base-128 varint.
void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at *p (< end); false if truncated.
bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  *v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    uint8_t b = *(*p)++;
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return true;
  }
  return false;
}

// Serialized QueryRequest {1: query}.
grpc::ByteBuffer Request(const std::string& query) {
  std::string wire(1, '\x0a');
  PutVarint(query.size(), &wire);
  wire += query;
  grpc::Slice slice(wire);
  return grpc::ByteBuffer(&slice, 1);
}

// Number of field-1 entries (records) in a serialized QueryResponse, or -1
// when the bytes are not a well-formed message.
int64_t CountRecords(const grpc::ByteBuffer& buffer) {
  grpc::Slice slice;
  if (!buffer.DumpToSingleSlice(&slice).ok()) return -1;
  const uint8_t* p = slice.begin();
  const uint8_t* end = slice.end();
  int64_t records = 0;
  while (p < end) {
    uint64_t tag, len;
    if (!GetVarint(&p, end, &tag)) return -1;
    switch (tag & 7) {
      case 0:
        if (!GetVarint(&p, end, &len)) return -1;
        break;
      case 1: p += 8; break;
      case 5: p += 4; break;
      case 2:
        if (!GetVarint(&p, end, &len) || len > static_cast<uint64_t>(end - p)) return -1;
        p += len;
        if ((tag >> 3) == 1) ++records;
        break;
      default: return -1;
    }
  }
  return p == end ? records : -1;
}

class Worker {
 public:
  Worker(const Options& o, int id) : o_(o), rng_(1234 + id) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);  // a connection of its own
    args.SetMaxReceiveMessageSize(64 << 20);
    stub_ = std::make_unique<grpc::GenericStub>(
        grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args));
  }

  // Runs until `deadline`, then drains the calls in flight.
  void Run(int inflight, Clock::time_point deadline) {
    std::vector<Call> calls(inflight);
    for (auto& c : calls) Start(&c);
    void* tag;
    bool ok;
    int pending = inflight;
    while (pending > 0 && cq_.Next(&tag, &ok)) {
      Call* c = static_cast<Call*>(tag);
      Finish(*c, ok);
      if (Clock::now() < deadline) Start(c);
      else --pending;
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {}
  }

  Tally& tally() { return tally_; }

 private:
  void Start(Call* c) {
    char query[160];
    std::snprintf(query, sizeof(query),
                  "{\"$filter\":{\"pickup_zone_id\":%d},\"$order_by\":{\"trip_id\":\"asc\"},"
                  "\"$limit\":%d}",
                  std::uniform_int_distribution<int>(1, o_.zones)(rng_), o_.limit);
    c->context = std::make_unique<grpc::ClientContext>();
    c->context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    c->reply.Clear();
    c->started = Clock::now();
    c->reader = stub_->PrepareUnaryCall(c->context.get(), o_.method, Request(query), &cq_);
    c->reader->StartCall();
    c->reader->Finish(&c->reply, &c->status, c);
  }

  void Finish(Call& c, bool ok) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c.started);
    tally_.latency_us.push_back(static_cast<uint32_t>(us.count()));
    int64_t n = ok && c.status.ok() ? CountRecords(c.reply) : -1;
    if (n < 0 || n > o_.limit) {
      if (tally_.errors++ == 0)
        tally_.first_error =
            c.status.ok() ? "malformed reply or too many records" : c.status.error_message();
      return;
    }
    tally_.records += static_cast<uint64_t>(n);
  }

  const Options& o_;
  std::mt19937 rng_;
  std::unique_ptr<grpc::GenericStub> stub_;
  grpc::CompletionQueue cq_;
  Tally tally_;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--target") o->target = v;
    else if (k == "--method") o->method = v;
    else if (k == "--threads") o->threads = std::atoi(v.c_str());
    else if (k == "--concurrency") o->concurrency = std::atoi(v.c_str());
    else if (k == "--seconds") o->seconds = std::atoi(v.c_str());
    else if (k == "--zones") o->zones = std::atoi(v.c_str());
    else if (k == "--limit") o->limit = std::atoi(v.c_str());
    else return false;
  }
  return argc % 2 == 1 && !o->target.empty() && !o->method.empty() && o->threads > 0 &&
         o->concurrency >= o->threads && o->seconds > 0 && o->zones > 0 && o->limit > 0;
}

uint32_t Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t k = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()));
  return sorted[std::min(k, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: grpc_load --target HOST:PORT --method /pkg.Service/query [--threads N]\n"
                 "                 [--concurrency N >= threads] [--seconds N] [--zones N] "
                 "[--limit N]\n");
    return 2;
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < o.threads; ++i) workers.push_back(std::make_unique<Worker>(o, i));
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(o.seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.threads; ++i) {
    int inflight = o.concurrency / o.threads + (i < o.concurrency % o.threads ? 1 : 0);
    threads.emplace_back([&, i, inflight] { workers[i]->Run(inflight, deadline); });
  }
  for (auto& t : threads) t.join();
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  Tally all;
  for (auto& w : workers) {
    Tally& t = w->tally();
    all.latency_us.insert(all.latency_us.end(), t.latency_us.begin(), t.latency_us.end());
    all.errors += t.errors;
    all.records += t.records;
    if (all.first_error.empty()) all.first_error = t.first_error;
  }
  std::sort(all.latency_us.begin(), all.latency_us.end());
  std::printf(
      "GRPCJSON {\"requests\":%zu,\"errors\":%llu,\"records\":%llu,\"duration_us\":%lld,"
      "\"p50\":%u,\"p90\":%u,\"p99\":%u,\"p999\":%u,\"max\":%u}\n",
      all.latency_us.size(), static_cast<unsigned long long>(all.errors),
      static_cast<unsigned long long>(all.records), static_cast<long long>(elapsed.count()),
      Percentile(all.latency_us, 50), Percentile(all.latency_us, 90),
      Percentile(all.latency_us, 99), Percentile(all.latency_us, 99.9),
      all.latency_us.empty() ? 0u : all.latency_us.back());
  if (all.errors > 0) {
    std::fprintf(stderr, "grpc_load: %llu of %zu calls failed; first: %s\n",
                 static_cast<unsigned long long>(all.errors), all.latency_us.size(),
                 all.first_error.c_str());
    return 1;
  }
  return 0;
}
