// fanout_load: the load client of the fan-out benchmark (bench/fanout.py,
// bench/results/NOTES.md). It opens N server-sent-event subscriptions on one
// URL, then appends rows at a steady rate, each carrying the CLOCK_MONOTONIC
// time it was written, and reads every subscription until each has every
// row (or a deadline passes). It reports, as one JSON object on stdout:
//
// - latency from a row's append to its receipt by a subscriber (every
//   delivery, into a log-linear histogram, < 1% wide): p50, p90, p99,
//   p99.9, max;
// - exactly-once: per subscriber, rows missing, repeated or out of order
//   (each row has a sequence number; on sluice the event ids, which are
//   log offsets, must also increase);
// - the watched server processes' CPU seconds while publishing and
//   draining, and their RSS before the subscriptions, with them open, and
//   at its largest during the run (sum over the processes);
// - its own CPU seconds (reader threads and publisher apart).
//
// Two ways to append (--mode):
//   sluice: rows are appended to a CSV file the server follows
//           ("seq,ts,note" lines, one write per tick);
//   nchan:  each row is POSTed as one message to an nchan publisher
//           location (keep-alive, the tick's messages pipelined).
//
// Readers are --threads epoll loops (non-blocking sockets, 256 KB reads);
// a subscription's stream is parsed in place (event blocks split on a blank
// line, chunked transfer coding undone when the server uses it:
// fanout_stream.cc).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fanout_stream.h"

namespace {

using fanout::Die;
using fanout::FindU64;
using fanout::Histogram;
using fanout::Parse;
using fanout::Sub;
using fanout::TakeAnswers;

int64_t NowNs(clockid_t clock = CLOCK_MONOTONIC) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Args {
  std::string mode = "sluice";
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;      // the subscription's path and query
  std::string csv;       // sluice: the CSV file to append to
  std::string pub_path;  // nchan: the publisher location
  int subscribers = 100;
  int rate = 500;
  double secs = 10;
  double drain_secs = 30;
  int threads = 2;
  int note_bytes = 40;
  std::vector<int> watch;  // server pids
};

struct Reader {
  std::vector<Sub*> subs;
  Histogram hist;
  uint64_t bytes = 0, reads = 0;
  int64_t cpu_ns = 0;
};

int Connect(const Args& a) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) Die(std::string("socket: ") + strerror(errno));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(a.port));
  inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    Die("connect " + a.host + ":" + std::to_string(a.port) + ": " + strerror(errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// False when the peer closed the connection (sockets) or on an error.
bool TryWriteAll(int fd, std::string_view s, bool socket) {
  while (!s.empty()) {
    ssize_t n = socket ? send(fd, s.data(), s.size(), MSG_NOSIGNAL) : write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    s.remove_prefix(size_t(n));
  }
  return true;
}

void WriteAll(int fd, std::string_view s, bool socket = true) {
  if (!TryWriteAll(fd, s, socket)) Die(std::string("write: ") + strerror(errno));
}

// /proc figures of the watched processes.
double CpuSecs(const std::vector<int>& pids) {
  static const long tick = sysconf(_SC_CLK_TCK);
  double total = 0;
  for (int pid : pids) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    size_t close = all.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream in(all.substr(close + 2));
    std::string field;
    std::vector<std::string> v;
    while (in >> field) v.push_back(field);
    if (v.size() > 12) total += double(std::stoull(v[11]) + std::stoull(v[12])) / double(tick);
  }
  return total;
}

uint64_t RssKb(const std::vector<int>& pids) {
  uint64_t total = 0;
  for (int pid : pids) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
      if (line.rfind("VmRSS:", 0) == 0) total += std::stoull(line.substr(6));
  }
  return total;
}

std::string Row(uint64_t seq, int64_t ts, int note_bytes) {
  std::string note(size_t(note_bytes), 'x');
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < note.size() && i < 16; ++i) note[i] = kHex[(seq >> (4 * i)) & 15];
  return std::to_string(seq) + "," + std::to_string(ts) + "," + note;
}

std::string RowJson(uint64_t seq, int64_t ts, int note_bytes) {
  std::string csv = Row(seq, ts, note_bytes);
  size_t c1 = csv.find(','), c2 = csv.find(',', c1 + 1);
  return "{\"seq\":" + csv.substr(0, c1) + ",\"ts\":" + csv.substr(c1 + 1, c2 - c1 - 1) +
         ",\"note\":\"" + csv.substr(c2 + 1) + "\"}";
}

// Appends `total` rows at `rate` per second; returns how late (ns) the
// worst tick was.
struct PubResult {
  uint64_t rows = 0;
  int64_t started_ns = 0, ended_ns = 0, worst_late_ns = 0, cpu_ns = 0;
  uint64_t rss_peak_kb = 0;
  uint64_t reconnects = 0;  // nchan: the publisher's connection was closed
};

void Publish(const Args& a, uint64_t total, PubResult* out) {
  const bool sluice = a.mode == "sluice";
  int fd = -1;
  if (sluice) {
    fd = open(a.csv.c_str(), O_WRONLY | O_APPEND);
    if (fd < 0) Die("open " + a.csv + ": " + strerror(errno));
  } else {
    fd = Connect(a);
  }
  const int64_t tick_ns = 1000000;  // 1 ms
  int64_t t0 = NowNs();
  out->started_ns = t0;
  uint64_t sent = 0;
  int64_t next_sample = t0;
  std::string batch, resp;
  uint64_t pending = 0;  // nchan responses not read yet
  // Reads the publisher's answers that have come (each has a length).
  auto read_answers = [&] {
    char tmp[65536];
    while (pending > 0) {
      ssize_t n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
      if (n <= 0) break;
      resp.append(tmp, size_t(n));
      pending -= TakeAnswers(&resp);
    }
  };
  // Sends a tick's requests, reading answers meanwhile (nginx stops
  // reading requests while its answers are not read): false when the
  // connection was closed.
  // give_up (below): how long the publisher may take at most.
  int64_t give_up = 0;
  size_t done = 0;  // bytes of the batch sent
  bool gave_up = false;
  auto send_requests = [&](std::string_view bytes) {
    done = 0;
    while (!bytes.empty()) {
      if (NowNs() > give_up) {
        gave_up = true;
        return true;
      }
      ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        bytes.remove_prefix(size_t(n));
        done += size_t(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
      pollfd p{fd, POLLIN | POLLOUT, 0};
      poll(&p, 1, 100);
      read_answers();
    }
    return true;
  };
  // A server that cannot take the rows as fast as they come makes the
  // publisher fall behind: it stops at 1.5 times the planned time plus
  // 10 s, and the rows not published are not expected.
  give_up = t0 + int64_t((double(total) / a.rate * 1.5 + 10) * 1e9);
  std::vector<size_t> ends;  // nchan: where each request of the batch ends
  while (sent < total) {
    int64_t now = NowNs();
    if (now > give_up) {
      std::fprintf(stderr,
                   "fanout_load: the publisher fell behind; stopped after %" PRIu64 " of %" PRIu64
                   " rows\n",
                   sent, total);
      break;
    }
    uint64_t due = std::min<uint64_t>(total, uint64_t(double(now - t0) * a.rate / 1e9) + 1);
    if (due > sent) {
      out->worst_late_ns =
          std::max<int64_t>(out->worst_late_ns, now - (t0 + int64_t(double(sent) * 1e9 / a.rate)));
      batch.clear();
      ends.clear();
      int64_t ts = NowNs();
      for (uint64_t s = sent + 1; s <= due; ++s) {
        if (sluice) {
          batch += Row(s, ts, a.note_bytes);
          batch += '\n';
        } else {
          std::string body = RowJson(s, ts, a.note_bytes);
          if (s > sent + 1) ends.push_back(batch.size());
          batch += "POST " + a.pub_path +
                   " HTTP/1.1\r\nHost: bench\r\nContent-Type: "
                   "application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body;
          ++pending;
        }
      }
      if (sluice) {
        WriteAll(fd, batch, false);
      } else if (!send_requests(batch)) {
        // nginx closed the publisher's connection: the answers not read
        // are lost (their messages may or may not be published: the
        // subscribers' counts say); this tick's messages go again on a
        // new connection.
        std::fprintf(stderr, "fanout_load: publisher: %s; reconnecting\n", strerror(errno));
        close(fd);
        fd = Connect(a);
        ++out->reconnects;
        resp.clear();
        pending = due - sent;
        if (!send_requests(batch)) Die(std::string("publisher: ") + strerror(errno));
      }
      if (gave_up) {  // the requests sent whole count as published
        sent +=
            uint64_t(std::count_if(ends.begin(), ends.end(), [&](size_t e) { return e <= done; })) +
            (done == batch.size() ? 1 : 0);
        std::fprintf(stderr,
                     "fanout_load: the publisher fell behind; stopped after %" PRIu64 " of %" PRIu64
                     " rows\n",
                     sent, total);
        break;
      }
      sent = due;
    }
    if (!sluice) read_answers();
    if (now >= next_sample) {
      out->rss_peak_kb = std::max(out->rss_peak_kb, RssKb(a.watch));
      next_sample = now + 100000000;
    }
    int64_t next = t0 + int64_t(double(sent) * 1e9 / a.rate);
    int64_t wait = std::min(next - NowNs(), tick_ns);
    if (wait > 0) {
      timespec ts{0, long(wait)};
      nanosleep(&ts, nullptr);
    }
  }
  out->ended_ns = NowNs();
  out->rows = sent;
  if (!sluice) {  // the last answers
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    char tmp[65536];
    int64_t deadline = NowNs() + 10000000000;
    while (pending > 0 && NowNs() < deadline) {
      ssize_t n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
      if (n > 0) resp.append(tmp, size_t(n));
      else usleep(1000);
      pending -= TakeAnswers(&resp);
    }
  }
  close(fd);
  out->cpu_ns = NowNs(CLOCK_THREAD_CPUTIME_ID);
}

void ReadLoop(Reader* r, const Args& a, uint64_t total, const std::atomic<bool>* stop,
              std::atomic<int>* complete) {
  const bool sluice = a.mode == "sluice";
  int ep = epoll_create1(0);
  for (Sub* s : r->subs) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = s;
    epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
  }
  std::vector<epoll_event> evs(256);
  std::vector<char> tmp(262144);
  while (!stop->load(std::memory_order_relaxed)) {
    int n = epoll_wait(ep, evs.data(), int(evs.size()), 50);
    for (int i = 0; i < n; ++i) {
      Sub* s = static_cast<Sub*>(evs[size_t(i)].data.ptr);
      if (s->closed) continue;
      ssize_t got = read(s->fd, tmp.data(), tmp.size());
      int64_t now = NowNs();
      if (got > 0) {
        r->bytes += uint64_t(got);
        ++r->reads;
        bool was_complete = s->got >= total && s->head_done;
        (s->chunked ? s->raw : s->buf).append(tmp.data(), size_t(got));
        Parse(s, now, &r->hist, sluice);
        if (!was_complete && s->got >= total) complete->fetch_add(1);
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        s->closed = true;
        epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, nullptr);
      }
    }
  }
  close(ep);
  r->cpu_ns = NowNs(CLOCK_THREAD_CPUTIME_ID);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) Die("missing value for " + k);
    std::string v = argv[++i];
    if (k == "--mode") a.mode = v;
    else if (k == "--host") a.host = v;
    else if (k == "--port") a.port = std::atoi(v.c_str());
    else if (k == "--path") a.path = v;
    else if (k == "--csv") a.csv = v;
    else if (k == "--pub-path") a.pub_path = v;
    else if (k == "--subscribers") a.subscribers = std::atoi(v.c_str());
    else if (k == "--rate") a.rate = std::atoi(v.c_str());
    else if (k == "--secs") a.secs = std::atof(v.c_str());
    else if (k == "--drain-secs") a.drain_secs = std::atof(v.c_str());
    else if (k == "--threads") a.threads = std::atoi(v.c_str());
    else if (k == "--note-bytes") a.note_bytes = std::atoi(v.c_str());
    else if (k == "--watch-pid") a.watch.push_back(std::atoi(v.c_str()));
    else Die("unknown option " + k);
  }
  if (a.mode != "sluice" && a.mode != "nchan") Die("--mode: sluice or nchan");
  if (a.port <= 0 || a.path.empty()) Die("--port and --path are required");
  if (a.mode == "sluice" && a.csv.empty()) Die("--mode sluice needs --csv");
  if (a.mode == "nchan" && a.pub_path.empty()) Die("--mode nchan needs --pub-path");
  if (a.subscribers < 1 || a.rate < 1 || a.secs <= 0 || a.threads < 1) Die("bad sizes");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = ParseArgs(argc, argv);
  const uint64_t total = uint64_t(a.rate * a.secs);
  uint64_t rss_before = RssKb(a.watch);
  double cpu_before_subscribe = CpuSecs(a.watch);

  // Subscribe, 100 at a time, each answered (head read) before the next.
  std::vector<Sub> subs(size_t(a.subscribers));
  std::string req =
      "GET " + a.path + " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n";
  Histogram scratch;
  for (size_t first = 0; first < subs.size(); first += 100) {
    size_t last = std::min(subs.size(), first + 100);
    for (size_t i = first; i < last; ++i) {
      subs[i].fd = Connect(a);
      WriteAll(subs[i].fd, req);
    }
    for (size_t i = first; i < last; ++i) {
      Sub& s = subs[i];
      char tmp[4096];
      int64_t deadline = NowNs() + 30000000000;
      while (!s.head_done) {
        ssize_t n = read(s.fd, tmp, sizeof tmp);
        if (n <= 0 || NowNs() > deadline) Die("subscription " + std::to_string(i) + ": no answer");
        (s.chunked ? s.raw : s.buf).append(tmp, size_t(n));
        Parse(&s, NowNs(), &scratch, false);
      }
      if (s.status != 200)
        Die("subscription " + std::to_string(i) + ": status " + std::to_string(s.status));
      fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) | O_NONBLOCK);
    }
  }
  usleep(1000000);  // lets the servers settle before measuring memory
  uint64_t rss_subscribed = RssKb(a.watch);
  double cpu_subscribe = CpuSecs(a.watch) - cpu_before_subscribe;

  std::vector<Reader> readers(size_t(a.threads));
  for (size_t i = 0; i < subs.size(); ++i) readers[i % readers.size()].subs.push_back(&subs[i]);
  std::atomic<bool> stop{false};
  std::atomic<int> complete{0};
  rusage ru0{};
  getrusage(RUSAGE_SELF, &ru0);
  double cpu0 = CpuSecs(a.watch);
  std::vector<std::thread> threads;
  for (Reader& r : readers)
    threads.emplace_back(ReadLoop, &r, std::cref(a), total, &stop, &complete);
  PubResult pub;
  std::thread publisher(Publish, std::cref(a), total, &pub);
  publisher.join();
  // Drain: until every subscription has every row, or the deadline.
  int64_t drain_deadline = NowNs() + int64_t(a.drain_secs * 1e9);
  const uint64_t published = pub.rows;  // < total when the publisher fell behind
  while ((published < total || complete.load() < a.subscribers) && NowNs() < drain_deadline) {
    pub.rss_peak_kb = std::max(pub.rss_peak_kb, RssKb(a.watch));
    usleep(20000);
  }
  int64_t drained = NowNs();
  double cpu1 = CpuSecs(a.watch);
  pub.rss_peak_kb = std::max(pub.rss_peak_kb, RssKb(a.watch));
  stop = true;
  for (auto& t : threads) t.join();
  rusage ru1{};
  getrusage(RUSAGE_SELF, &ru1);

  Histogram h;
  uint64_t got = 0, lost = 0, dup = 0, disorder = 0, bytes = 0, reads = 0, closed = 0;
  uint64_t short_subs = 0, offset_mismatch = 0;
  int64_t reader_cpu = 0;
  for (Reader& r : readers) {
    h.Merge(r.hist);
    bytes += r.bytes;
    reads += r.reads;
    reader_cpu += r.cpu_ns;
  }
  std::string end_event;
  uint64_t cut_off = 0;
  const Sub* reference = nullptr;
  for (Sub& s : subs) {
    if (!s.end_event.empty()) ++cut_off;
    got += s.got;
    dup += s.dup;
    disorder += s.disorder;
    uint64_t missing = s.lost + (published + 1 - std::min(s.expect, published + 1));
    lost += missing;
    if (missing > 0) ++short_subs;
    if (s.closed) ++closed;
    // Subscribers that got every row got the same offsets.
    if (a.mode == "sluice" && missing == 0) {
      if (reference == nullptr) reference = &s;
      else if (s.offset_sum != reference->offset_sum) ++offset_mismatch;
    }
    if (end_event.empty() && !s.end_event.empty()) end_event = s.end_event;
    close(s.fd);
  }
  auto tv = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  double self_cpu = tv(ru1.ru_utime) + tv(ru1.ru_stime) - tv(ru0.ru_utime) - tv(ru0.ru_stime);
  double wall = double(drained - pub.started_ns) / 1e9;
  std::string end_json;
  for (char c : end_event) {
    if (c == '"' || c == '\\') end_json += '\\';
    if (c == '\n') end_json += "\\n";
    else end_json += c;
  }
  std::printf(
      "{\"mode\":\"%s\",\"subscribers\":%d,\"rate\":%d,\"rows\":%" PRIu64
      ",\"publish_secs\":%.3f,\"publish_worst_late_ms\":%.2f,\"wall_secs\":%.3f,"
      "\"expected\":%" PRIu64 ",\"delivered\":%" PRIu64 ",\"lost\":%" PRIu64
      ",\"duplicated\":%" PRIu64 ",\"out_of_order\":%" PRIu64 ",\"subscribers_short\":%" PRIu64
      ",\"closed\":%" PRIu64 ",\"offset_mismatch\":%" PRIu64 ",\"ended\":%" PRIu64
      ",\"publisher_reconnects\":%" PRIu64
      ",\"complete\":%d,"
      "\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"p999_ms\":%.2f,\"max_ms\":%.2f,"
      "\"server_cpu_secs\":%.2f,\"server_cpu_subscribe_secs\":%.2f,"
      "\"rss_before_kb\":%" PRIu64 ",\"rss_subscribed_kb\":%" PRIu64 ",\"rss_peak_kb\":%" PRIu64
      ",\"client_cpu_secs\":%.2f,\"client_reader_cpu_secs\":%.2f,\"client_publisher_cpu_secs\":%."
      "2f,"
      "\"bytes\":%" PRIu64 ",\"reads\":%" PRIu64 ",\"end_event\":\"%s\"}\n",
      a.mode.c_str(), a.subscribers, a.rate, pub.rows, double(pub.ended_ns - pub.started_ns) / 1e9,
      double(pub.worst_late_ns) / 1e6, wall, published * uint64_t(a.subscribers), got, lost, dup,
      disorder, short_subs, closed, offset_mismatch, cut_off, pub.reconnects, complete.load(),
      h.QuantileMs(0.5), h.QuantileMs(0.9), h.QuantileMs(0.99), h.QuantileMs(0.999),
      double(h.max_ns) / 1e6, cpu1 - cpu0, cpu_subscribe, rss_before, rss_subscribed,
      pub.rss_peak_kb, self_cpu, double(reader_cpu) / 1e9, double(pub.cpu_ns) / 1e9, bytes, reads,
      end_json.c_str());
  return 0;
}
