// Symbolizer: stack addresses -> frames. Kernel addresses through /proc/kallsyms (loaded on
// first use, reloaded when an address is unknown, e.g. after a module load); user addresses
// through the process's /proc/<pid>/maps and the symbol tables of the mapped file, opened via
// /proc/<pid>/map_files (the very file mapped, even when deleted or in another mount
// namespace). Frames are resolved the way Tetragon reports them: kernel frames carry the
// symbol and the offset into it; user frames the module path, the file offset of the address
// in it and the function containing it.
//
// Not thread-safe: one instance belongs to the thread that decodes events.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <octagon/elf/function_index.h>
#include <octagon/symbols/kernel_symbols.h>
#include <octagon/symbols/proc_maps.h>

namespace octagon::symbols {

struct Frame {
  uint64_t address = 0;
  uint64_t offset = 0; // kernel: into the symbol; user: into the module file
  std::string symbol;  // "" when unknown
  std::string module;  // kernel: module name ("" for the core kernel); user: mapped path
};

struct SymbolizerStats {
  uint64_t kernel_frames = 0, kernel_unresolved = 0; // unresolved frames are left out
  uint64_t user_frames = 0, user_unmapped = 0;       // addresses in no mapping are left out
  uint64_t user_no_symbol = 0;                       // frames kept without a function name
  uint64_t maps_errors = 0;                          // /proc/<pid>/maps unreadable (exited)
  uint64_t elf_errors = 0;                           // mapped files without readable symbols
  uint64_t kallsyms_loads = 0;
};

class Symbolizer {
public:
  struct Options {
    std::string procfs = "/proc";
    std::string kallsyms = "/proc/kallsyms";
    size_t max_elf_files = 64; // symbol tables kept (least recently used dropped)
  };
  Symbolizer() : Symbolizer(Options{}) {}
  explicit Symbolizer(Options options) : options_(std::move(options)) {}

  void kernel(std::span<const uint64_t> addresses, std::vector<Frame>& out);
  // `generation` tells process images of one pid apart (the exec's start time): a process's
  // maps are read once and reused for a second while the generation holds, and read again
  // (at most every 50 ms) when an address is in none of them (a library loaded since).
  void user(pid_t pid, uint64_t generation, std::span<const uint64_t> addresses,
            std::vector<Frame>& out);
  void user(pid_t pid, std::span<const uint64_t> addresses, std::vector<Frame>& out) {
    user(pid, 0, addresses, out);
  }
  const SymbolizerStats& stats() const { return stats_; }

private:
  struct FileKey {
    uint64_t dev, ino, size, mtime_ns;
    bool operator==(const FileKey&) const = default;
  };
  struct FileKeyHash {
    size_t operator()(const FileKey& k) const {
      return std::hash<uint64_t>()(k.ino * 1000003u ^ k.dev ^ (k.mtime_ns << 1) ^ k.size);
    }
  };
  struct CachedFile {
    FileKey key;
    std::shared_ptr<const elf::FunctionIndex> symbols; // null: the file has none we can read
  };

  // One process's maps and, per mapping start, the symbols of the mapped file.
  struct ProcessMaps {
    uint64_t generation = 0;
    uint64_t read_ns = 0;
    std::vector<Mapping> maps;
    std::unordered_map<uint64_t, std::shared_ptr<const elf::FunctionIndex>> symbols;
  };
  static constexpr size_t kMaxProcesses = 256;

  std::shared_ptr<const elf::FunctionIndex> symbols_for(pid_t pid, const Mapping& m);
  // The process's maps, read again when stale or of another generation; with `force` (an
  // address was in none of them) also when read more than a moment ago.
  ProcessMaps* maps_of(pid_t pid, uint64_t generation, bool force);
  bool load_kallsyms();

  Options options_;
  std::optional<KernelSymbols> kallsyms_;
  uint64_t kallsyms_loaded_ns_ = 0;
  std::list<CachedFile> lru_; // most recent first
  std::unordered_map<FileKey, std::list<CachedFile>::iterator, FileKeyHash> files_;
  std::unordered_map<pid_t, ProcessMaps> processes_;
  SymbolizerStats stats_;
};

} // namespace octagon::symbols
