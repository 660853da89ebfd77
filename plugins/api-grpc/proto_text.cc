// Renders generated descriptors as .proto text, parses .proto text with
// protobuf's own parser, and writes descriptor sets.
#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <set>

#include "proto_gen.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;
using google::protobuf::FileDescriptorProto;

class TextErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit TextErrors(std::string_view name) : name_(name) {}
  void AddError(int line, int column, const std::string& message) override {
    if (!text_.empty()) text_ += "; ";
    text_ +=
        name_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& text() const { return text_; }

 private:
  std::string name_;
  std::string text_;
};

class PoolErrors : public DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element,
                const google::protobuf::Message*, ErrorLocation,
                const std::string& message) override {
    if (!text_.empty()) text_ += "; ";
    text_ += filename + " (" + element + "): " + message;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Builds `file` into `pool`; INTERNAL with protobuf's complaints on failure.
Status Build(DescriptorPool* pool, const FileDescriptorProto& file, const FileDescriptor** out) {
  PoolErrors errors;
  *out = pool->BuildFileCollectingErrors(file, &errors);
  if (*out == nullptr)
    return Internal("grpc: protobuf rejected the generated file " + file.name() + ": " +
                    errors.text());
  return Status();
}

}  // namespace

Status ParseProtoText(std::string_view name, std::string_view text, FileDescriptorProto* out) {
  out->Clear();
  TextErrors errors(name);
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  google::protobuf::io::Tokenizer tokenizer(&input, &errors);
  google::protobuf::compiler::Parser parser;
  parser.RecordErrorsTo(&errors);
  bool ok = parser.Parse(&tokenizer, out);
  if (!ok || !errors.text().empty())
    return InvalidArgument(errors.text().empty() ? std::string(name) + ": cannot parse"
                                                 : errors.text());
  out->set_name(std::string(name));
  return Status();
}

Status GenerateVersionFile(std::string_view endpoint, uint32_t version, const Schema& schema,
                           VersionFile* out) {
  FileDescriptorProto direct;
  SLUICE_RETURN_IF_ERROR(BuildVersionProto(endpoint, version, schema, &direct));
  DescriptorPool pool(DescriptorPool::generated_pool());
  const FileDescriptor* file = nullptr;
  SLUICE_RETURN_IF_ERROR(Build(&pool, direct, &file));
  google::protobuf::DebugStringOptions options;
  options.include_comments = true;
  out->text = file->DebugStringWithOptions(options);
  Status s = ParseProtoText(direct.name(), out->text, &out->proto);
  if (!s.ok()) return Internal("grpc: the generated .proto does not parse: " + s.message());
  return Status();
}

Status DescriptorSetOf(const FileDescriptorProto& file, std::string* out) {
  DescriptorPool pool(DescriptorPool::generated_pool());
  const FileDescriptor* built = nullptr;
  SLUICE_RETURN_IF_ERROR(Build(&pool, file, &built));
  google::protobuf::FileDescriptorSet set;
  for (int i = 0; i < built->dependency_count(); ++i) AppendWithImports(built->dependency(i), &set);
  *set.add_file() = file;  // keeps its source info (comments, positions)
  if (!set.SerializeToString(out)) return Internal("grpc: cannot serialize the descriptor set");
  return Status();
}

void AppendWithImports(const FileDescriptor* file, google::protobuf::FileDescriptorSet* out) {
  for (const auto& f : out->file())
    if (f.name() == file->name()) return;
  for (int i = 0; i < file->dependency_count(); ++i) AppendWithImports(file->dependency(i), out);
  file->CopyTo(out->add_file());
}

}  // namespace sluice::grpcapi
