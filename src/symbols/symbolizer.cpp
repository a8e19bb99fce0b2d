#include <octagon/symbols/symbolizer.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>

#include <octagon/base/fd.h>

namespace octagon::symbols {
namespace {

constexpr uint64_t kKallsymsReloadNs = 30ull * 1000000000ull;
constexpr uint64_t kMapsReuseNs = 1000000000ull;
// An address in no mapping re-reads the maps, at most this often: stacks walked through code
// without frame pointers carry such addresses in every event.
constexpr uint64_t kMapsRereadNs = 50000000ull;

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

} // namespace

bool Symbolizer::load_kallsyms() {
  uint64_t now = monotonic_ns();
  if (kallsyms_loaded_ns_ && now - kallsyms_loaded_ns_ < kKallsymsReloadNs)
    return kallsyms_.has_value();
  kallsyms_loaded_ns_ = now;
  stats_.kallsyms_loads++;
  auto k = KernelSymbols::load(options_.kallsyms);
  if (k)
    kallsyms_ = std::move(*k);
  return kallsyms_.has_value();
}

void Symbolizer::kernel(std::span<const uint64_t> addresses, std::vector<Frame>& out) {
  out.clear();
  if (addresses.empty())
    return;
  if (!kallsyms_)
    load_kallsyms();
  bool reloaded = false;
  for (uint64_t a : addresses) {
    if (a == 0)
      continue;
    stats_.kernel_frames++;
    std::optional<KernelSymbol> s = kallsyms_ ? kallsyms_->lookup(a) : std::nullopt;
    if (!s && !reloaded) { // maybe a module loaded since
      reloaded = true;
      if (load_kallsyms() && kallsyms_)
        s = kallsyms_->lookup(a);
    }
    if (!s) {
      stats_.kernel_unresolved++;
      continue;
    }
    Frame f;
    f.address = a;
    f.offset = s->offset;
    f.symbol = std::string(s->name);
    f.module = std::string(s->module);
    out.push_back(std::move(f));
  }
}

std::shared_ptr<const elf::FunctionIndex> Symbolizer::symbols_for(pid_t pid, const Mapping& m) {
  if (m.path.empty() || m.path[0] != '/')
    return nullptr; // [heap], [vdso], anonymous
  char range[64];
  snprintf(range, sizeof range, "%" PRIx64 "-%" PRIx64, m.start, m.end);
  std::string base = options_.procfs + "/" + std::to_string(pid);
  Fd fd(::open((base + "/map_files/" + range).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid())
    fd.reset(::open((base + "/root" + m.path).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    stats_.elf_errors++;
    return nullptr;
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    stats_.elf_errors++;
    return nullptr;
  }
  FileKey key{uint64_t(st.st_dev), uint64_t(st.st_ino), uint64_t(st.st_size),
              uint64_t(st.st_mtim.tv_sec) * 1000000000ull + uint64_t(st.st_mtim.tv_nsec)};
  if (auto it = files_.find(key); it != files_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->symbols;
  }
  std::shared_ptr<const elf::FunctionIndex> syms;
  if (auto file = elf::ElfFile::read(fd.get(), m.path); file) {
    auto index = elf::FunctionIndex::build(*file);
    if (index.size() > 0)
      syms = std::make_shared<const elf::FunctionIndex>(std::move(index));
  }
  if (!syms)
    stats_.elf_errors++;
  lru_.push_front({key, syms});
  files_[key] = lru_.begin();
  while (lru_.size() > options_.max_elf_files) {
    files_.erase(lru_.back().key);
    lru_.pop_back();
  }
  return syms;
}

Symbolizer::ProcessMaps* Symbolizer::maps_of(pid_t pid, uint64_t generation, bool force) {
  uint64_t now = monotonic_ns();
  auto it = processes_.find(pid);
  if (it != processes_.end() && it->second.generation == generation &&
      now - it->second.read_ns < (force ? kMapsRereadNs : kMapsReuseNs))
    return &it->second;
  auto maps = read_maps(pid, options_.procfs);
  if (!maps) {
    stats_.maps_errors++;
    if (it != processes_.end())
      processes_.erase(it);
    return nullptr;
  }
  if (it == processes_.end()) {
    if (processes_.size() >= kMaxProcesses)
      processes_.clear(); // cheap bound; re-read later
    it = processes_.emplace(pid, ProcessMaps{}).first;
  }
  ProcessMaps& pm = it->second;
  pm.generation = generation;
  pm.read_ns = now;
  pm.maps = std::move(*maps);
  pm.symbols.clear();
  return &pm;
}

void Symbolizer::user(pid_t pid, uint64_t generation, std::span<const uint64_t> addresses,
                      std::vector<Frame>& out) {
  out.clear();
  if (addresses.empty())
    return;
  ProcessMaps* pm = maps_of(pid, generation, false);
  if (!pm)
    return;
  bool reread = false;
  for (uint64_t a : addresses) {
    if (a == 0)
      continue;
    stats_.user_frames++;
    const Mapping* m = find_mapping(pm->maps, a);
    if (!m && !reread) { // maybe mapped since the maps were read
      reread = true;
      pm = maps_of(pid, generation, true);
      if (!pm)
        return;
      m = find_mapping(pm->maps, a);
    }
    if (!m) { // not code of the process: a frame-pointer walk through code built without them
      stats_.user_unmapped++;
      continue;
    }
    auto cached = pm->symbols.find(m->start);
    if (cached == pm->symbols.end())
      cached = pm->symbols.emplace(m->start, symbols_for(pid, *m)).first;
    Frame f;
    f.address = a;
    f.offset = a - m->start + m->offset;
    f.module = m->path;
    if (cached->second)
      f.symbol = std::string(cached->second->lookup(f.offset));
    if (f.symbol.empty())
      stats_.user_no_symbol++;
    out.push_back(std::move(f));
  }
}

} // namespace octagon::symbols
