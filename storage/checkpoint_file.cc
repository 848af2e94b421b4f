#include "storage/checkpoint_file.h"

#include <sstream>

#include "storage/file_util.h"

namespace sluice::storage {

std::string EncodeOffsetCheckpoint(const OffsetMap& offsets) {
  std::string out = "0\n" + std::to_string(offsets.size()) + "\n";
  for (const auto& [tp, offset] : offsets) {
    out +=
        tp.topic + " " + std::to_string(tp.partition) + " " + std::to_string(offset.value()) + "\n";
  }
  return out;
}

Result<OffsetMap> DecodeOffsetCheckpoint(const std::string& content) {
  std::istringstream in(content);
  std::string version;
  int64_t count = -1;
  if (!(in >> version >> count) || version != "0" || count < 0) {
    return Status::Corruption("offset checkpoint: bad header");
  }
  OffsetMap out;
  for (int64_t i = 0; i < count; ++i) {
    TopicPartition tp;
    int64_t partition = -1;
    int64_t offset = -1;
    if (!(in >> tp.topic >> partition >> offset) || partition < 0 || partition > INT32_MAX) {
      return Status::Corruption("offset checkpoint: bad entry " + std::to_string(i));
    }
    tp.partition = static_cast<int32_t>(partition);
    out[tp] = Offset(offset);
  }
  std::string extra;
  if (in >> extra) return Status::Corruption("offset checkpoint: more entries than its count");
  return out;
}

Status WriteOffsetCheckpoint(const std::string& path, const OffsetMap& offsets) {
  return WriteFileAtomically(path, EncodeOffsetCheckpoint(offsets));
}

Result<OffsetMap> ReadOffsetCheckpoint(const std::string& path) {
  Result<std::string> content = ReadWholeFile(path);
  if (!content.ok()) {
    if (content.status().code() == Errc::kNotFound) return OffsetMap{};
    return content.status();
  }
  Result<OffsetMap> m = DecodeOffsetCheckpoint(content.value());
  if (!m.ok()) return Status::Corruption(path + ": " + m.status().message());
  return m;
}

bool ParsePartitionDirName(const std::string& name, TopicPartition* tp) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) return false;
  int64_t partition = 0;
  for (size_t i = dash + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || partition > INT32_MAX / 10) return false;
    partition = partition * 10 + (name[i] - '0');
  }
  tp->topic = name.substr(0, dash);
  tp->partition = static_cast<int32_t>(partition);
  return true;
}

}  // namespace sluice::storage
