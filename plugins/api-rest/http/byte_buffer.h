// A growable byte buffer for a connection's unparsed input: bytes are
// appended at the end and consumed from the front without zero-filling or
// shifting on every read.
//
//   ByteBuffer b;
//   char* tail = b.Reserve(16384);          // room for at least 16 KiB
//   ssize_t n = recv(fd, tail, 16384, 0);
//   b.Commit(n);
//   ...parse b.data(), b.size()...
//   b.Consume(used);
#ifndef SLUICE_PLUGINS_API_REST_HTTP_BYTE_BUFFER_H_
#define SLUICE_PLUGINS_API_REST_HTTP_BYTE_BUFFER_H_

#include <cstddef>
#include <cstring>
#include <memory>

namespace sluice::rest::http {

class ByteBuffer {
 public:
  const char* data() const { return data_.get() + begin_; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  size_t capacity() const { return capacity_; }

  // Returns room for at least `n` more bytes after the current ones
  // (moving them to the front or growing as needed). Commit() what was used.
  char* Reserve(size_t n) {
    if (capacity_ - end_ < n) {
      size_t live = size();
      if (begin_ > 0 && capacity_ - live >= n) {
        std::memmove(data_.get(), data(), live);
      } else {
        size_t grown = capacity_ == 0 ? 4096 : capacity_;
        while (grown - live < n) grown *= 2;
        std::unique_ptr<char[]> bigger(new char[grown]);
        if (live > 0) std::memcpy(bigger.get(), data(), live);
        data_ = std::move(bigger);
        capacity_ = grown;
      }
      begin_ = 0;
      end_ = live;
    }
    return data_.get() + end_;
  }
  void Commit(size_t n) { end_ += n; }
  void Append(const char* bytes, size_t n) {
    if (n == 0) return;
    std::memcpy(Reserve(n), bytes, n);
    Commit(n);
  }
  // Drops the first `n` bytes.
  void Consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void Clear() { begin_ = end_ = 0; }
  // Frees the memory (an idle connection keeps none).
  void Release() {
    data_.reset();
    capacity_ = begin_ = end_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_BYTE_BUFFER_H_
