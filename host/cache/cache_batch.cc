#include "cache/cache_batch.h"

namespace sluice::host {

void CacheBatch::Reset() {
  keys_.clear();
  ops_.clear();
  key_begin_ = 0;
}

void CacheBatch::Release() {
  std::string().swap(keys_);
  ops_ = {};
  out_ = {};
  key_begin_ = 0;
}

std::string* CacheBatch::BeginKey() {
  key_begin_ = keys_.size();
  return &keys_;
}

size_t CacheBatch::EndPut(std::string_view value) {
  ops_.push_back({KvOp::kPut, key_begin_, keys_.size() - key_begin_, value});
  return ops_.size() - 1;
}

void CacheBatch::EndDelete() {
  ops_.push_back({KvOp::kDelete, key_begin_, keys_.size() - key_begin_, {}});
}

const KvOp* CacheBatch::Ops() {
  out_.resize(ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) out_[i] = {ops_[i].kind, Key(i), ops_[i].value};
  return out_.data();
}

}  // namespace sluice::host
