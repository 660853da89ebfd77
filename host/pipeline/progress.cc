#include "pipeline/progress.h"

#include <cstdio>

#include "util/log.h"

namespace sluice::host {

Progress::Progress(std::vector<const Ingester*> ingesters, bool terminal,
                   std::chrono::milliseconds log_every)
    : ingesters_(std::move(ingesters)),
      terminal_(terminal),
      log_every_(log_every),
      start_(std::chrono::steady_clock::now()) {
  thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (terminal_) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r\033[K%s\n", Line(s).c_str());
  }
}

std::string Progress::Line(double elapsed) const {
  std::string out;
  for (const Ingester* in : ingesters_) {
    const IngestStats& st = in->stats();
    double rows = static_cast<double>(st.rows.load());
    double done = static_cast<double>(st.bytes_done.load());
    double total = static_cast<double>(st.bytes_total.load());
    double rate = elapsed > 0 ? rows / elapsed : 0;
    out += (out.empty() ? "" : " | ") + in->endpoint() + ": " + HumanCount(rows) + " rows, " +
           HumanBytes(done) + (total > 0 ? "/" + HumanBytes(total) : std::string()) + ", " +
           HumanCount(rate) + " rows/s";
    if (st.rejected.load() > 0) out += ", " + std::to_string(st.rejected.load()) + " rejected";
    if (st.at_end.load()) {
      out += ", caught up";
    } else if (total > 0 && done > 0 && done < total && elapsed > 0.5) {
      double eta = elapsed * (total - done) / done;
      char buf[32];
      std::snprintf(buf, sizeof buf, ", ETA %d:%02d", static_cast<int>(eta) / 60,
                    static_cast<int>(eta) % 60);
      out += buf;
    }
  }
  return out;
}

void Progress::Run() {
  auto tick = terminal_ ? std::chrono::milliseconds(250) : log_every_;
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, tick, [&] { return stop_; })) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string line = Line(s);
    if (terminal_) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      std::fflush(stderr);
    } else {
      log::Info("app", "progress " + line);
    }
  }
}

}  // namespace sluice::host
