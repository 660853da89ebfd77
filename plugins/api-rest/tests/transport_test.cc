// The HTTP transport over real sockets on 127.0.0.1 with a scripted
// handler: pipelining, 100-continue, timeouts, connection limits, the
// worker pool's admission control, cancellation, exceptions, and a stop
// bounded by shutdown_grace_ms.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http/handler.h"
#include "http_client.h"
#include "http_server.h"

namespace sluice::rest {
namespace {

using Clock = std::chrono::steady_clock;

using testing::HttpConnection;
using testing::HttpReply;
using testing::RequestText;

// /fast/...: answered on the event loop with the path as body.
// /slow/...: runs on a worker and waits until released (or, for
//   /slow/cancellable, until the request is cancelled).
// /throw: throws.
// /echo: answers the body's size.
class ScriptedHandler : public http::RequestHandler {
 public:
  void Handle(const HttpRequest& request, HttpResponse* response) override {
    std::string path(request.path);
    if (path == "/throw") throw std::runtime_error("secret internals");
    if (path == "/echo") {
      response->body = std::to_string(request.body.size());
      return;
    }
    if (path.rfind("/slow", 0) == 0) {
      std::unique_lock<std::mutex> lock(mu_);
      ++started_;
      cv_.notify_all();
      bool cancellable = path == "/slow/cancellable";
      auto done = [&] {
        return released_ ||
               (cancellable && request.cancelled != nullptr && request.cancelled->load());
      };
      // The flag is polled, as a query engine checks it between rows.
      for (auto until = Clock::now() + std::chrono::seconds(20); !done() && Clock::now() < until;)
        cv_.wait_for(lock, std::chrono::milliseconds(5));
      if (request.cancelled != nullptr && request.cancelled->load()) ++cancelled_;
      cv_.notify_all();
    }
    response->body = path;
  }
  bool RunsOnWorker(const HttpRequest& request, std::string_view* route,
                    std::string* endpoint) override {
    *route = "/slow";
    endpoint->clear();
    return request.path.substr(0, 5) == "/slow";
  }
  void Record(std::string_view, std::string_view, std::string_view, int status) override {
    std::lock_guard<std::mutex> lock(mu_);
    recorded_.push_back(status);
  }

  // Waits until `n` slow requests have started.
  bool WaitStarted(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return started_ >= n; });
  }
  bool WaitCancelled(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return cancelled_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  std::vector<int> recorded() {
    std::lock_guard<std::mutex> lock(mu_);
    return recorded_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int started_ = 0;
  int cancelled_ = 0;
  bool released_ = false;
  std::vector<int> recorded_;
};

class TransportTest : public ::testing::Test {
 protected:
  void TearDown() override {
    handler_->Release();
    if (server_) server_->Stop();
  }

  void Start(std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("port", "0");
    RestOptions options;
    Status s = ParseRestOptions(Options(extra), &options);
    ASSERT_TRUE(s.ok()) << s.ToString();
    server_ = std::make_unique<HttpServer>(handler_, options, HostServices());
    std::vector<std::string> addresses;
    s = server_->Start(&addresses);
    ASSERT_TRUE(s.ok()) << s.ToString();
    port_ = static_cast<uint16_t>(std::stoi(addresses[0].substr(addresses[0].rfind(':') + 1)));
  }

  HttpReply Get(const std::string& target) { return testing::Fetch(port_, "GET", target); }

  // The value of one metric sample ("" when absent).
  std::string Metric(const std::string& series) {
    std::string text = server_->MetricsText();
    size_t at = text.find(series + " ");
    if (at == std::string::npos) return "";
    size_t end = text.find('\n', at);
    return text.substr(at + series.size() + 1, end - at - series.size() - 1);
  }

  std::shared_ptr<ScriptedHandler> handler_ = std::make_shared<ScriptedHandler>();
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(TransportTest, PipelinedRequestsAreAnsweredInOrder) {
  handler_->Release();  // slow requests return at once
  Start();
  HttpConnection c;
  ASSERT_TRUE(c.Connect(port_));
  ASSERT_TRUE(c.Send(RequestText("GET", "/fast/1") + RequestText("GET", "/slow/2") +
                     RequestText("GET", "/fast/3") + RequestText("GET", "/slow/4") +
                     RequestText("POST", "/echo", "12345")));
  for (const char* want : {"/fast/1", "/slow/2", "/fast/3", "/slow/4", "5"}) {
    HttpReply r;
    ASSERT_TRUE(c.Read(&r)) << c.error();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, want);
    EXPECT_EQ(r.header("connection"), "Keep-Alive");
  }
  EXPECT_FALSE(c.ClosedByPeer(100));
}

// More than one turn's worth (32) of pipelined requests, all in one send,
// while another client is served in between.
TEST_F(TransportTest, ManyPipelinedRequestsAreAllAnswered) {
  Start();
  HttpConnection c;
  ASSERT_TRUE(c.Connect(port_));
  std::string all;
  for (int i = 0; i < 200; ++i) all += RequestText("GET", "/fast/" + std::to_string(i));
  ASSERT_TRUE(c.Send(all));
  EXPECT_EQ(Get("/fast/other").status, 200);
  for (int i = 0; i < 200; ++i) {
    HttpReply r;
    ASSERT_TRUE(c.Read(&r)) << i << ": " << c.error();
    ASSERT_EQ(r.body, "/fast/" + std::to_string(i));
  }
}

TEST_F(TransportTest, ExpectContinue) {
  Start();
  HttpConnection c;
  HttpReply r;
  ASSERT_TRUE(c.Ask(
      port_, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
      &r))
      << c.error();
  EXPECT_EQ(r.status, 100);
  ASSERT_TRUE(c.Send("abc"));
  ASSERT_TRUE(c.Read(&r)) << c.error();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "3");
}

TEST_F(TransportTest, SlowHeadersGet408ThenClose) {
  Start({{"header_timeout_ms", "200"}});
  HttpConnection c;
  HttpReply r;
  ASSERT_TRUE(c.Ask(port_, "GET /fast HTTP/1.1\r\nHost: x\r\nX-Slow: ", &r)) << c.error();
  EXPECT_EQ(r.status, 408);
  EXPECT_NE(r.body.find("\"code\":\"deadline_exceeded\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("header_timeout_ms = 200"), std::string::npos) << r.body;
  EXPECT_TRUE(c.ClosedByPeer(3000));
  EXPECT_EQ(Metric("sluice_http_requests_refused_total{api=\"rest\",reason=\"header_timeout\"}"),
            "1");
  EXPECT_EQ(Metric("sluice_http_timeouts_total{api=\"rest\",kind=\"header\"}"), "1");
}

TEST_F(TransportTest, SlowBodyGets408) {
  Start({{"body_timeout_ms", "200"}});
  HttpConnection c;
  HttpReply r;
  ASSERT_TRUE(c.Ask(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12", &r))
      << c.error();
  EXPECT_EQ(r.status, 408);
  EXPECT_NE(r.body.find("body_timeout_ms = 200"), std::string::npos) << r.body;
  EXPECT_TRUE(c.ClosedByPeer(3000));
}

TEST_F(TransportTest, IdleConnectionsAreClosed) {
  Start({{"idle_timeout_ms", "200"}});
  HttpConnection c;
  HttpReply r;
  ASSERT_TRUE(c.Ask(port_, RequestText("GET", "/fast"), &r)) << c.error();
  EXPECT_TRUE(c.ClosedByPeer(3000));
  EXPECT_EQ(Metric("sluice_http_timeouts_total{api=\"rest\",kind=\"idle\"}"), "1");
}

TEST_F(TransportTest, ConnectionLimitsRefuseWith503) {
  Start({{"max_connections_per_client", "2"}, {"max_connections", "4"}});
  HttpConnection a, b, third, c, d, fifth;
  // Both are open once the server answers on them.
  for (HttpConnection* open : {&a, &b}) {
    ASSERT_TRUE(open->Connect(port_, 0, "127.0.0.2")) << open->error();
    ASSERT_TRUE(open->Send(RequestText("GET", "/fast")));
    HttpReply r;
    ASSERT_TRUE(open->Read(&r)) << open->error();
  }
  ASSERT_TRUE(third.Connect(port_, 0, "127.0.0.2"));
  std::string refused = third.ReadUntilClosed();
  EXPECT_EQ(refused.rfind("HTTP/1.1 503 ", 0), 0u) << refused;
  EXPECT_NE(refused.find("max_connections_per_client = 2"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;
  EXPECT_EQ(Get("/fast/other-client").status, 200);  // another address is served
  auto wait_open = [&](const char* n) {
    for (int i = 0; i < 250 && Metric("sluice_http_connections_open{api=\"rest\"}") != n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return Metric("sluice_http_connections_open{api=\"rest\"}");
  };
  ASSERT_EQ(wait_open("2"), "2");  // the other client's connection is closed
  ASSERT_TRUE(c.Connect(port_, 0, "127.0.0.3"));
  ASSERT_TRUE(d.Connect(port_, 0, "127.0.0.4"));
  // a, b, c and d fill max_connections = 4 (c and d counted once accepted).
  ASSERT_EQ(wait_open("4"), "4");
  ASSERT_TRUE(fifth.Connect(port_, 0, "127.0.0.5"));
  refused = fifth.ReadUntilClosed();
  EXPECT_NE(refused.find("max_connections = 4"), std::string::npos) << refused;
  EXPECT_EQ(Metric("sluice_http_connections_refused_total{api=\"rest\",reason=\"max_connections_"
                   "per_client\"}"),
            "1");
  EXPECT_EQ(
      Metric("sluice_http_connections_refused_total{api=\"rest\",reason=\"max_connections\"}"),
      "1");
}

TEST_F(TransportTest, FullQueueIs503AtOnceWhileCheapRequestsAnswer) {
  Start({{"query_workers", "1"}, {"query_queue", "1"}});
  auto running = std::async(std::launch::async, [&] { return Get("/slow/a"); });
  ASSERT_TRUE(handler_->WaitStarted(1));
  auto queued = std::async(std::launch::async, [&] { return Get("/slow/b"); });
  for (int i = 0; i < 250 && Metric("sluice_http_query_queue_depth{api=\"rest\"}") != "1"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(Metric("sluice_http_query_queue_depth{api=\"rest\"}"), "1");
  EXPECT_EQ(Metric("sluice_http_query_running{api=\"rest\"}"), "1");
  auto start = Clock::now();
  HttpReply refused = Get("/slow/c");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_NE(refused.body.find("query_queue = 1"), std::string::npos) << refused.body;
  // Cheap requests do not wait for the queries (generous bound; bench/ measures).
  HttpReply fast = Get("/fast/x");
  EXPECT_EQ(fast.status, 200);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(Metric("sluice_http_query_rejected_total{api=\"rest\"}"), "1");
  handler_->Release();
  EXPECT_EQ(running.get().body, "/slow/a");
  EXPECT_EQ(queued.get().body, "/slow/b");
  std::vector<int> recorded = handler_->recorded();
  EXPECT_EQ(std::count(recorded.begin(), recorded.end(), 503), 1);
}

TEST_F(TransportTest, ClientLeavingCancelsItsRequest) {
  Start();
  {
    HttpConnection c;
    ASSERT_TRUE(c.Connect(port_));
    ASSERT_TRUE(c.Send(RequestText("GET", "/slow/cancellable")));
    ASSERT_TRUE(handler_->WaitStarted(1));
  }  // closes the connection
  EXPECT_TRUE(handler_->WaitCancelled(1));
  EXPECT_EQ(Get("/fast").status, 200);
}

TEST_F(TransportTest, ExceptionIs500WithARequestIdOnly) {
  Start();
  HttpReply r = Get("/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"code\":\"internal\""), std::string::npos) << r.body;
  std::string id = r.header("x-request-id");
  ASSERT_FALSE(id.empty());
  EXPECT_NE(r.body.find("request id " + id), std::string::npos) << r.body;
  EXPECT_EQ(Get("/fast").status, 200);
}

TEST_F(TransportTest, StopIsBoundedByTheGracePeriod) {
  Start({{"shutdown_grace_ms", "300"}});
  auto stuck = std::async(std::launch::async, [&] { return Get("/slow/forever"); });
  ASSERT_TRUE(handler_->WaitStarted(1));
  HttpConnection idle;
  ASSERT_TRUE(idle.Connect(port_));
  auto start = Clock::now();
  server_->Stop();
  auto took = Clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(3)) << "the request runs 20 s unless released";
  EXPECT_TRUE(idle.ClosedByPeer(1000));
  EXPECT_EQ(stuck.get().status, 0);   // its connection was closed unanswered
  EXPECT_EQ(Get("/fast").status, 0);  // not listening
  handler_->Release();                // the abandoned worker finishes on its own
}

TEST_F(TransportTest, StopLetsRequestsInFlightFinishWithClose) {
  Start({{"shutdown_grace_ms", "5000"}});
  auto slow = std::async(std::launch::async, [&] { return Get("/slow/finishing"); });
  ASSERT_TRUE(handler_->WaitStarted(1));
  auto stopped = std::async(std::launch::async, [&] { server_->Stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  handler_->Release();
  HttpReply r = slow.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "Close");
  stopped.get();
}

}  // namespace
}  // namespace sluice::rest
